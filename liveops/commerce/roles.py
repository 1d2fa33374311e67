"""Roles of e-commerce operations (电商运营部) and of the live centre's data and ad-buying staff."""

from liveops.org.roles import RoleT

_READ = ("commerce.view",)

ROLES = [
    RoleT(
        "shop-operator",
        "店铺运营",
        "Shop operator",
        (*_READ, "commerce.import", "commerce.change", "commerce.export"),
    ),
    RoleT(
        "commerce-manager",
        "电商运营负责人",
        "Head of e-commerce operations",
        (
            *_READ,
            "commerce.import",
            "commerce.change",
            "commerce.export",
            "commerce.manage",
            "commerce.view_personal",
        ),
    ),
    RoleT("commerce-reader", "电商数据查阅", "E-commerce data reader", ("commerce.view",)),
]

# unit code → [(role, scope, managers only)]. Shops belong to a department; staff see the shops of
# their department, the centre head and the analysts see every shop of the centre.
UNIT_GRANTS = {
    "EC": [("shop-operator", "department", False), ("commerce-manager", "subtree", True)],
    # The centre's analysts and ad buyers work across every shop: they import, enter ad spend and map.
    "LC": [("commerce-manager", "subtree", True), ("shop-operator", "company", False)],
    "LS": [("commerce-reader", "company", False)],
    "CS": [("commerce-reader", "company", False)],
    "GM": [("commerce-reader", "company", True)],
    "FIN": [("commerce-reader", "company", False)],
    "MR": [("commerce-reader", "company", True)],
    "QC": [("commerce-reader", "company", True)],
}
