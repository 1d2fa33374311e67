"""``model_update`` judges changes on values: the same instant in another time zone, or the same
amount with other trailing zeros, is no change and writes no audit entry (a form saved unchanged
changes nothing)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from liveops.core.audit import model_update
from liveops.core.models import AuditEntry
from liveops.org.models import GovernanceBody, Meeting


@pytest.mark.django_db
def test_same_instant_in_another_zone_is_no_change(org, personas):
    held = dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.UTC)
    meeting = Meeting.objects.create(
        body=GovernanceBody.objects.get(kind="board"), title="例会", held_at=held
    )
    meeting.refresh_from_db()
    before = AuditEntry.objects.count()
    shanghai = held.astimezone(ZoneInfo("Asia/Shanghai"))  # 15:00+08:00
    with transaction.atomic():
        _, changed = model_update(actor=personas["admin"], instance=meeting, data={"held_at": shanghai})
    assert changed is False
    assert AuditEntry.objects.count() == before
    with transaction.atomic():
        _, changed = model_update(
            actor=personas["admin"], instance=meeting, data={"held_at": shanghai + dt.timedelta(hours=1)}
        )
    assert changed is True
    entry = AuditEntry.objects.latest("id")
    assert set(entry.changes["after"]) == {"held_at"}
