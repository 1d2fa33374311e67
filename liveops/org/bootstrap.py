"""Load the default org template (units, duties, positions, built-in roles and their grants).
Idempotent: run again, it updates names and adds what is missing, never deletes."""

from __future__ import annotations

from django.db import transaction

from liveops.core.models import RoleGrant
from liveops.org import template_data as T
from liveops.org.models import Department, Duty, GovernanceBody, Position
from liveops.org.roles import POSITION_GRANTS, roles_sync, unit_grants

_BODY_KINDS = {"GOV-SH": "shareholders", "GOV-BD": "board", "GOV-SV": "supervisory"}


@transaction.atomic
def org_template_load() -> dict[str, int]:
    """Write the template; returns counts of units, duties and positions."""
    units: dict[str, Department] = {d.code: d for d in Department.objects.all()}
    for order, u in enumerate(T.UNITS):
        defaults = {
            "kind": u.kind,
            "name_zh": u.name_zh,
            "name_en": u.name_en,
            "summary_zh": u.summary_zh,
            "summary_en": u.summary_en,
            "sort_order": order * 10,
            "parent": units.get(u.parent) if u.parent else None,
        }
        units[u.code], _ = Department.objects.update_or_create(code=u.code, defaults=defaults)
    for code, kind in _BODY_KINDS.items():
        GovernanceBody.objects.get_or_create(kind=kind, defaults={"unit": units[code]})
    for order, d in enumerate(T.DUTIES):
        Duty.objects.update_or_create(
            code=d.code,
            defaults={
                "department": units[d.unit],
                "title_zh": d.title_zh,
                "title_en": d.title_en,
                "provides_en": d.provides_en,
                "sort_order": order,
            },
        )
    positions: dict[str, Position] = {p.code: p for p in Position.objects.all()}
    for p in T.POSITIONS:
        positions[p.code], _ = Position.objects.update_or_create(
            code=p.code,
            defaults={
                "department": units[p.unit],
                "title_zh": p.title_zh,
                "title_en": p.title_en,
                "is_manager": p.is_manager,
                "headcount_plan": p.headcount_plan,
            },
        )
    for p in T.POSITIONS:
        if p.reports_to:
            Position.objects.filter(pk=positions[p.code].pk).update(reports_to=positions[p.reports_to])
    roles = roles_sync()
    by_unit = unit_grants()
    # Every position gets the employee role over its own department; unit heads get theirs over the subtree;
    # HR staff get the HR role company-wide; IT staff administer the system. Positions that hold the
    # read-only auditor role (the supervisory board) change nothing, so their head gets no unit-head role.
    for p in T.POSITIONS:
        pos = positions[p.code]
        grants = [("employee", "department")]
        auditor = any(role_code == "auditor" for role_code, _scope in POSITION_GRANTS.get(p.code, []))
        if p.is_manager and not auditor:
            grants.append(("unit-head", "subtree"))
        if p.unit == "HR":
            grants.append(("hr", "company"))
        if p.unit == "IT" and p.is_manager:
            grants.append(("it-admin", "company"))
        grants += POSITION_GRANTS.get(p.code, [])
        grants += [
            (role, scope)
            for role, scope, managers_only in by_unit.get(p.unit, [])
            if p.is_manager or not managers_only
        ]
        for role_code, scope in grants:
            RoleGrant.objects.get_or_create(role=roles[role_code], position=pos, defaults={"scope": scope})
    return {"units": len(T.UNITS), "duties": len(T.DUTIES), "positions": len(T.POSITIONS)}
