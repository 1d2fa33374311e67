"""Roles of the anchor incubation centre. Brokers and anchors (AB staff) reach their own records only:
a broker the anchors they manage, an anchor their own profile (``selectors.anchors.anchor_list``)."""

from liveops.org.roles import RoleT

ROLES = [
    RoleT("talent-broker", "经纪人", "Talent broker", ("talent.view", "talent.change")),
    RoleT(
        "talent-manager",
        "主播经纪负责人",
        "Head of anchor brokerage",
        ("talent.view", "talent.change", "talent.view_personal"),
    ),
    RoleT("talent-reader", "主播档案查阅", "Anchor profile reader", ("talent.view",)),
]

UNIT_GRANTS = {
    "AB": [("talent-broker", "own", False), ("talent-manager", "subtree", True)],
    "AC": [("talent-manager", "subtree", True)],
    # Live operations put anchors on sessions: they read every profile (masked).
    "LS": [("talent-reader", "company", False)],
    "LC": [("talent-reader", "company", True)],
}
