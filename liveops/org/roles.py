"""Built-in roles and who gets them. ``roles_sync`` writes them to the database (idempotent); the
auditor role is rebuilt from every read capability registered, so new modules' reads reach it."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from liveops.core.capabilities import CAPABILITIES
from liveops.core.models import Role, RoleCapability


@dataclass(frozen=True)
class RoleT:
    code: str
    name_zh: str
    name_en: str
    capabilities: tuple[str, ...]
    read_only: bool = False


ROLES: list[RoleT] = [
    RoleT("employee", "员工", "Employee", ("org.view",)),
    RoleT(
        "unit-head",
        "部门负责人",
        "Head of unit",
        ("org.view", "org.change", "org.export", "org.view_personal"),
    ),
    RoleT(
        "hr",
        "人事",
        "Human resources",
        ("org.view", "org.change", "org.import", "org.export", "org.view_personal", "core.jobs_view"),
    ),
    RoleT(
        "executive",
        "高管",
        "Executive",
        (
            "org.view",
            "org.export",
            "governance.view",
            "governance.change",
            "governance.export",
            "core.jobs_view",
        ),
    ),
    RoleT(
        "board",
        "董事会",
        "Board",
        ("org.view", "governance.view", "governance.change", "governance.approve", "governance.export"),
    ),
    RoleT("supervisor", "监事", "Supervisor", ("governance.question",)),
    RoleT(
        "it-admin",
        "系统管理员",
        "System administrator",
        ("org.view", "core.admin", "core.jobs_view", "core.audit_view"),
    ),
    # Filled from every registered read capability at sync time.
    RoleT("auditor", "审计", "Auditor", (), read_only=True),
]

# Role grants to positions of the template: position code → [(role code, scope)].
POSITION_GRANTS: dict[str, list[tuple[str, str]]] = {
    "board-chair": [("board", "company"), ("executive", "company")],
    "director": [("board", "company")],
    "shareholder-rep": [("board", "company")],
    "sv-chair": [("auditor", "company"), ("supervisor", "company")],
    "supervisor": [("auditor", "company"), ("supervisor", "company")],
    "gm": [("executive", "company"), ("unit-head", "subtree")],
    "deputy-gm": [("executive", "company")],
    "chairman-office": [("executive", "company")],
}


def _app_role_modules():
    """Each domain app may ship ``<app>/roles.py`` with ``ROLES`` (RoleT list) and ``UNIT_GRANTS``
    (unit code → [(role code, scope, managers_only)]), so a module brings its own roles."""
    import importlib

    from django.apps import apps

    for cfg in apps.get_app_configs():
        if not cfg.name.startswith("liveops.") or cfg.label == "org":
            continue
        try:
            yield importlib.import_module(f"{cfg.name}.roles")
        except ModuleNotFoundError:
            continue


def all_roles() -> list[RoleT]:
    roles = list(ROLES)
    for mod in _app_role_modules():
        roles += list(getattr(mod, "ROLES", []))
    return roles


def unit_grants() -> dict[str, list[tuple[str, str, bool]]]:
    out: dict[str, list[tuple[str, str, bool]]] = {}
    for mod in _app_role_modules():
        for unit, grants in getattr(mod, "UNIT_GRANTS", {}).items():
            out.setdefault(unit, []).extend(grants)
    return out


def auditor_capabilities() -> list[str]:
    return sorted(code for code, cap in CAPABILITIES.items() if cap.is_read)


@transaction.atomic
def roles_sync() -> dict[str, Role]:
    """Create or refresh the built-in roles and their capabilities."""
    out: dict[str, Role] = {}
    for t in all_roles():
        role, _ = Role.objects.update_or_create(
            code=t.code, defaults={"name_zh": t.name_zh, "name_en": t.name_en, "is_read_only": t.read_only}
        )
        caps = auditor_capabilities() if t.code == "auditor" else list(t.capabilities)
        RoleCapability.objects.filter(role=role).exclude(capability__in=caps).delete()
        existing = set(RoleCapability.objects.filter(role=role).values_list("capability", flat=True))
        RoleCapability.objects.bulk_create(
            [RoleCapability(role=role, capability=c) for c in caps if c not in existing]
        )
        out[t.code] = role
    return out
