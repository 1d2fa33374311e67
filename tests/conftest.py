"""Shared fixtures: the org template and the personas every permission test uses
(a member of the department, a member of another department, the department's manager, the
auditor, an outsider with a login but no position), plus HR, the general manager and IT admin."""

from __future__ import annotations

import itertools

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import translation

from liveops.org.bootstrap import org_template_load
from liveops.org.models import Position, Staff
from liveops.org.services import staff_names

PASSWORD = "Test-password-2026"
_counter = itertools.count(1)


@pytest.fixture
def org(db):
    """The default org template (units, duties, positions, roles, grants)."""
    return org_template_load()


def make_person(
    position_code: str | None, username: str, *, superuser: bool = False, name: str | None = None
) -> object:
    """A login, and (unless position_code is None) a staff record holding that position."""
    User = get_user_model()
    if superuser:
        user = User.objects.create_superuser(username, f"{username}@example.com", PASSWORD)
    else:
        user = User.objects.create_user(username, f"{username}@example.com", PASSWORD)
    if position_code:
        pos = Position.objects.select_related("department").get(code=position_code)
        n = next(_counter)
        nm = name or f"测试{username}"
        Staff.objects.create(
            employee_no=f"T{n:05d}",
            user=user,
            name=nm,
            department=pos.department,
            position=pos,
            phone="13800138000",
            id_number="330106199001011234",
            address="浙江省杭州市西湖区文三路1号",
            **staff_names(nm),
        )
    return user


@pytest.fixture
def personas(org):
    """username → user for every persona."""
    return {
        "member": make_person("ec-shop-operator", "member"),
        "other": make_person("mr-recruiter", "other")
        if Position.objects.filter(code="mr-recruiter").exists()
        else make_person(
            Position.objects.filter(department__code="MR", is_manager=False)
            .values_list("code", flat=True)
            .first(),
            "other",
        ),
        "manager": make_person("ec-head", "manager"),
        "auditor": make_person("sv-chair", "auditor"),
        "outsider": make_person(None, "outsider"),
        "hr": make_person("hr-head", "hr"),
        "gm": make_person("gm", "gm"),
        "admin": make_person(None, "admin", superuser=True),
    }


@pytest.fixture
def client_for(personas):
    """A logged-in test client per persona name (None → anonymous)."""

    def make(name: str | None, *, enforce_csrf: bool = False) -> Client:
        c = Client(enforce_csrf_checks=enforce_csrf)
        if name:
            c.force_login(personas[name])
        return c

    return make


@pytest.fixture
def colleague(personas):
    """A staff record in EC (the member's and manager's department) without a login, with personal data."""
    pos = Position.objects.select_related("department").get(code="ec-campaign-planner")
    nm = "测试同事"
    return Staff.objects.create(
        employee_no="T-COLL-1",
        name=nm,
        department=pos.department,
        position=pos,
        phone="13800138000",
        id_number="330106199001011234",
        address="浙江省杭州市西湖区文三路1号",
        **staff_names(nm),
    )


@pytest.fixture
def gov(personas):
    """A small governance register written through the services by the superuser: one board meeting
    with a passed org-structure resolution, a passed plan resolution, a rejected and a proposed one;
    an overdue action item in EC owned by the member, one in MR due later; a draft plan."""
    import datetime as dt
    from decimal import Decimal
    from types import SimpleNamespace

    from django.utils import timezone

    from liveops.org import services
    from liveops.org.models import Department, GovernanceBody

    admin = personas["admin"]
    today = timezone.localdate()
    board = GovernanceBody.objects.get(kind="board")
    meeting = services.meeting_create(
        actor=admin, body=board, title="董事会测试会议", held_at=timezone.now() - dt.timedelta(days=30)
    )

    def resolution(number, topic, votes_for=None, votes_against=0):
        res = services.resolution_propose(
            actor=admin, meeting=meeting, number=number, title=f"议案 {number}", topic=topic
        )
        if votes_for is not None:
            res = services.resolution_decide(
                actor=admin, resolution=res, votes_for=votes_for, votes_against=votes_against
            )
        return res

    org_res = resolution("BD-T-001", "org_structure", 5, 0)
    plan_res = resolution("BD-T-002", "plan", 4, 1)
    rejected = resolution("BD-T-003", "general", 1, 3)
    proposed = resolution("BD-T-004", "budget")
    ec, mr = Department.objects.get(code="EC"), Department.objects.get(code="MR")
    member_staff = Staff.objects.get(user=personas["member"])
    overdue = services.action_item_create(
        actor=admin,
        resolution=org_res,
        title="逾期事项",
        department=ec,
        due_on=today - dt.timedelta(days=10),
        owner=member_staff,
    )
    later = services.action_item_create(
        actor=admin,
        resolution=plan_res,
        title="招商事项",
        department=mr,
        due_on=today + dt.timedelta(days=10),
    )
    plan = services.plan_create(
        actor=admin,
        kind="annual_plan",
        year=today.year,
        title="年度经营计划",
        gmv_target=Decimal("1000000.50"),
        cost_budget=Decimal("200000.25"),
    )
    return SimpleNamespace(
        board=board,
        meeting=meeting,
        org_res=org_res,
        plan_res=plan_res,
        rejected=rejected,
        proposed=proposed,
        overdue=overdue,
        later=later,
        plan=plan,
        ec=ec,
        mr=mr,
    )


@pytest.fixture
def imp_data(settings, tmp_path):
    """Stored files, rejects reports and staging in a temporary data folder; messages in English (the
    default language is Chinese). Import tests use it for every test through ``usefixtures``."""
    settings.DATA_DIR = tmp_path / "data"
    with translation.override("en"):
        yield tmp_path


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Argon2 (the product's hasher, see test_security) costs ~0.2 s a user; tests hash with MD5 first."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *settings.PASSWORD_HASHERS]


# The browser fixture of the e2e tests (Debian Chromium through Playwright), shared by every e2e module.
from tests.e2e_support import browser_page  # noqa: E402,F401


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (the sidebar is cached per user id, and ids repeat
    between tests)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _small_commerce_demo(settings):
    """Tests that build the demo company build it with a few thousand order lines, not 300,000."""
    settings.LIVEOPS_DEMO_ORDER_LINES = 3000
