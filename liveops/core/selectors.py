"""Reads for company-wide pages: duty coverage and the audit log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext

from liveops.core.access import Access
from liveops.core.directory import directory
from liveops.core.duties import collect_features
from liveops.core.forms import int_or_none
from liveops.core.models import AuditEntry

AUDIT_PAGE_SIZE = 50


def duty_coverage() -> list[dict]:
    """Every duty of the template with the features (pages, API endpoints) that declare it."""
    features: dict[str, list] = {}
    for f in collect_features():
        features.setdefault(f.duty_id, []).append(f)
    rows = []
    for duty in directory().duties():
        fs = features.get(duty["code"], [])
        rows.append(
            {
                "id": duty["code"],
                "title": duty["title"],
                "department": duty["department_code"],
                "department_name": duty["department_name"],
                "provides": duty["provides_en"],
                "covered": bool(fs),
                "features": [
                    {"kind": f.kind, "route": f.route, "url_name": f.url_name, "title": gettext(f.title)}
                    for f in fs
                ],
            }
        )
    return rows


def duty_coverage_summary() -> dict:
    rows = duty_coverage()
    covered = sum(1 for r in rows if r["covered"])
    return {
        "total": len(rows),
        "covered": covered,
        "open": len(rows) - covered,
        "percent": int(covered * 100 / len(rows)) if rows else 0,
    }


@dataclass
class AuditPage:
    entries: list[AuditEntry]
    next_before: int | None


def _parse_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def audit_page(
    *,
    access: Access,
    actor: str = "",
    action: str = "",
    object_type: str = "",
    date_from: str = "",
    date_to: str = "",
    before_id: str = "",
    size: int = AUDIT_PAGE_SIZE,
) -> AuditPage:
    """One page of the audit log, newest first, keyset-paginated on id (no COUNT of the table)."""
    if not access.can("core.audit_view"):
        return AuditPage(entries=[], next_before=None)
    qs = AuditEntry.objects.all()
    if actor:
        qs = qs.filter(actor_label__startswith=actor)
    if action:
        qs = qs.filter(action=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    tz = timezone.get_current_timezone()
    if d := _parse_date(date_from):
        qs = qs.filter(at__gte=dt.datetime.combine(d, dt.time.min, tzinfo=tz))
    if d := _parse_date(date_to):
        qs = qs.filter(at__lt=dt.datetime.combine(d + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    if (before := int_or_none(before_id)) is not None:
        qs = qs.filter(id__lt=before)
    entries = list(qs.order_by("-id")[: size + 1])
    next_before = entries[size - 1].id if len(entries) > size else None
    return AuditPage(entries=entries[:size], next_before=next_before)


def object_history(*, access: Access, user, object_type: str, object_id: str) -> list[AuditEntry] | None:
    """Audit entries of one object, or None when the actor may not see that object."""
    from liveops.core.history import can_view_object

    if not can_view_object(access=access, user=user, object_type=object_type, object_id=object_id):
        return None
    return list(AuditEntry.objects.filter(object_type=object_type, object_id=object_id).order_by("-id")[:200])
