"""Roles of quality control (直播品控部)."""

from liveops.org.roles import RoleT

ROLES = [
    RoleT(
        "qc-inspector",
        "品控专员",
        "QC inspector",
        ("quality.view", "quality.change", "quality.block", "quality.export"),
    ),
    RoleT(
        "qc-manager",
        "品控负责人",
        "Head of QC",
        ("quality.view", "quality.change", "quality.block", "quality.export", "quality.approve"),
    ),
    RoleT("quality-reader", "品控查阅", "Quality reader", ("quality.view",)),
]

UNIT_GRANTS = {
    "QC": [("qc-inspector", "company", False), ("qc-manager", "company", True)],
    "MC": [("qc-manager", "company", True)],
    "GM": [("quality-reader", "company", True)],
}
