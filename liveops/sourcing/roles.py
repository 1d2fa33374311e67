"""Roles of merchant recruitment, granted to positions of the 招商中心 by the org template."""

from liveops.org.roles import RoleT

ROLES = [
    RoleT(
        "recruiter",
        "招商专员",
        "Recruiter",
        ("sourcing.view", "sourcing.change", "sourcing.import", "sourcing.export", "quality.view"),
    ),
    RoleT(
        "recruitment-manager",
        "招商负责人",
        "Head of recruitment",
        (
            "sourcing.view",
            "sourcing.change",
            "sourcing.import",
            "sourcing.export",
            "sourcing.approve",
            "sourcing.view_personal",
            "quality.view",
        ),
    ),
    RoleT("sourcing-reader", "商品库查阅", "Product library reader", ("sourcing.view",)),
]

# unit code → [(role, scope, managers only)]
UNIT_GRANTS = {
    "MR": [("recruiter", "department", False), ("recruitment-manager", "subtree", True)],
    # The MC centre's selection planners own the category plan (MC-1) and read the whole library.
    "MC": [("recruitment-manager", "subtree", True), ("sourcing-reader", "company", False)],
    # QC reads every merchant and product it inspects, whatever department recruited them.
    "QC": [("sourcing-reader", "company", False)],
    "GM": [("sourcing-reader", "company", True)],
    # The live-operations centre head reads the library and the market intelligence (LC-2).
    "LC": [("sourcing-reader", "company", True)],
}
