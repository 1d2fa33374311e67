"""The demo company: shape, logins, governance year, idempotence."""

from __future__ import annotations

import contextlib
import io
import json
import pathlib
import re
import shlex

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from liveops.cli import CLI_VERBS
from liveops.commerce.models import Shop
from liveops.core.access import access_for
from liveops.core.capabilities import CAPABILITIES
from liveops.core.models import AuditEntry
from liveops.org.demo import DEMO_LOGINS, DEMO_PASSWORD, demo_build
from liveops.org.models import ActionItem, Department, Meeting, OrgChange, Plan, Resolution, Staff


def readme_demo_logins() -> set[str]:
    """The logins of the README's demo table (rows that start with a login in backticks)."""
    readme = (pathlib.Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| `([a-z-]+)` \|", readme, flags=re.MULTILINE))


REPO = pathlib.Path(__file__).resolve().parent.parent


def readme_import_commands_run() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    named = re.findall(r"liveops import [^`\n]*--shop (\S+?)(?:\s|`)|-F shop=(\S+)", readme)
    for shop in {a or b for a, b in named}:
        assert Shop.objects.filter(name=shop).exists(), f"README names shop {shop!r}, the demo has none"
    commands = re.findall(r"`\.venv/bin/liveops (import [^`]*\.\./shared/data/[^`]*)`", readme)
    assert commands, "the README shows how to import the real data"
    for command in commands:
        argv = shlex.split(command)
        if not (REPO / argv[2]).exists():
            continue  # shared/ lies beside the checkout; without it there is nothing to import
        out = io.StringIO()
        # ``liveops import …`` is the ``liveops_import`` command (liveops.cli); called in-process,
        # since a command run from argv closes the test's database connection when it ends.
        assert argv[0] == "import" and CLI_VERBS["import"] == "liveops_import"
        with contextlib.chdir(REPO):
            call_command("liveops_import", *argv[1:], stdout=out)
        summary = json.loads(out.getvalue().strip().splitlines()[-1])
        assert summary["status"] == "succeeded", (command, summary)
        assert summary["rows_read"] > 0, (command, summary)


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

    # Every approval the product asks for can be made by a demo login that the README lists.
    listed = readme_demo_logins()
    assert set(DEMO_LOGINS) <= listed
    approvers = [access_for(u) for u in User.objects.filter(username__in=listed - {"admin"})]
    for code, cap in CAPABILITIES.items():
        if cap.kind == "approve":
            assert any(a.can(code) for a in approvers), f"no listed demo login may {code}"

    # A plausible company (issue 15): work in progress is recent, KPIs have targets and entered KPIs
    # have values, each resolution's follow-up is its own.
    from liveops.commerce.models import Kpi, KpiMeasurement, KpiTarget
    from liveops.sourcing.models import PipelineStage, Product

    in_progress = Product.objects.exclude(stage__in=[PipelineStage.APPROVED, PipelineStage.REJECTED])
    oldest = min(in_progress.values_list("stage_entered_at", flat=True))
    assert (timezone.now() - oldest).days <= 60
    assert KpiTarget.objects.filter(kpi__code="gmv", shop__isnull=True).exists()
    assert KpiTarget.objects.filter(kpi__code="gmv", shop__isnull=False).exists()
    assert Kpi.objects.filter(metric="", is_active=True).exists()
    assert KpiMeasurement.objects.exists()
    for item in ActionItem.objects.select_related("resolution"):
        assert item.resolution.outcome == "passed"
        assert item.due_on > item.resolution.decided_at.date()

    # The README's import commands on the real data run as written against the demo company, and
    # every shop the README names exists in it.
    readme_import_commands_run()

    # Running it again changes nothing.
    before = snapshot_counts()
    again = demo_build()
    assert again["created"] == 0
    assert snapshot_counts() == before
