"""The demo company: shape, logins, governance year, idempotence."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from liveops.core.access import access_for
from liveops.core.models import AuditEntry
from liveops.org.demo import DEMO_LOGINS, DEMO_PASSWORD, demo_build
from liveops.org.models import ActionItem, Department, Meeting, OrgChange, Plan, Resolution, Staff


def snapshot_counts() -> dict[str, int]:
    models = (
        Staff,
        Department,
        Meeting,
        Resolution,
        ActionItem,
        Plan,
        AuditEntry,
        OrgChange,
        get_user_model(),
    )
    return {m.__name__: m.objects.count() for m in models}


@pytest.mark.django_db
def test_demo_company():
    result = demo_build()
    assert result["created"] == Staff.objects.count()

    kinds = {k: Department.objects.filter(kind=k).count() for k in ("centre", "department")}
    assert kinds == {"centre": 6, "department": 15}
    assert 55 <= Staff.objects.count() <= 70
    # Every department has its head, and every staff record is in a unit of the template.
    for dept in Department.objects.filter(kind__in=["centre", "department"]):
        assert Staff.objects.filter(department=dept, position__is_manager=True).exists(), dept.code
    assert Staff.objects.filter(department__code="EC").count() >= 2

    outcomes = set(Resolution.objects.values_list("outcome", flat=True))
    assert {"passed", "rejected", "proposed"} <= outcomes
    overdue = [a for a in ActionItem.objects.all() if a.is_overdue]
    assert overdue
    assert all(a.due_on < timezone.localdate() for a in overdue)
    approved = Plan.objects.filter(status="approved")
    assert approved.exists()
    assert all(
        p.resolution is not None
        and p.resolution.outcome == "passed"
        and p.resolution.meeting.body.kind == "board"
        for p in approved
    )
    assert Plan.objects.filter(status="submitted").exists()
    assert (
        AuditEntry.objects.filter(object_type="org.staff", action="create").count() == Staff.objects.count()
    )

    # The README's demo logins exist, hold their positions and can sign in with the demo password.
    User = get_user_model()
    assert User.objects.get(username="admin").is_superuser
    for login, (position, name_zh, _en) in DEMO_LOGINS.items():
        staff = Staff.objects.select_related("position", "department").get(user__username=login)
        assert staff.name == name_zh
        if position:
            assert staff.position.code == position
        c = Client()
        response = c.post(reverse("login"), {"username": login, "password": DEMO_PASSWORD})
        assert response.status_code == 302, login
        assert c.session["_auth_user_id"] == str(staff.user_id)
    assert Staff.objects.get(user__username="ec-staff").department.code == "EC"
    assert Staff.objects.get(user__username="mr-staff").department.code == "MR"
    assert access_for(User.objects.get(username="auditor")).can("core.audit_view")
    assert not access_for(User.objects.get(username="auditor")).can("org.change")
    assert access_for(User.objects.get(username="hr")).can("org.import")
    assert access_for(User.objects.get(username="chairman")).can("governance.approve")

    # Running it again changes nothing.
    before = snapshot_counts()
    again = demo_build()
    assert again["created"] == 0
    assert snapshot_counts() == before
