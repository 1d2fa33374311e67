"""Roles of live-stream operations. Operators, field controllers and assistants of the live-stream
department manage its rooms, accounts, schedules and line-ups; its manager and the centre's head
publish schedules and sign off reviews; anchors (AB) see their own published sessions."""

from liveops.org.roles import RoleT

_STAFF = ("live.view", "live.view_own", "live.change", "live.import", "live.export")

ROLES = [
    RoleT("live-operator", "直播运营", "Live-stream operator", _STAFF),
    RoleT("live-manager", "直播运营负责人", "Head of live-stream operations", (*_STAFF, "live.approve")),
    RoleT("live-reader", "直播数据查阅", "Live data reader", ("live.view", "live.view_own")),
    RoleT("live-own", "本人直播场次", "Own live sessions", ("live.view_own",)),
]

UNIT_GRANTS = {
    "LS": [("live-operator", "department", False), ("live-manager", "subtree", True)],
    "LC": [("live-manager", "subtree", True), ("live-reader", "company", False)],
    "AB": [("live-own", "own", False)],
    "GM": [("live-reader", "company", True)],
}
