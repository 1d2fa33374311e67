"""Shared fixtures: the org template and the personas every permission test uses
(a member of the department, a member of another department, the department's manager, the
auditor, an outsider with a login but no position), plus HR, the general manager and IT admin."""

from __future__ import annotations

import itertools

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from liveops.org.bootstrap import org_template_load
from liveops.org.models import Position, Staff
from liveops.org.services import staff_names

PASSWORD = "Test-password-2026"
_counter = itertools.count(1)


@pytest.fixture
def org(db):
    """The default org template (units, duties, positions, roles, grants)."""
    return org_template_load()


def make_person(position_code: str | None, username: str, *, superuser: bool = False, name: str | None = None) -> object:
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
        Staff.objects.create(employee_no=f"T{n:05d}", user=user, name=nm, department=pos.department, position=pos,
                             phone="13800138000", id_number="330106199001011234", address="浙江省杭州市西湖区文三路1号", **staff_names(nm))
    return user


@pytest.fixture
def personas(org):
    """username → user for every persona."""
    return {
        "member": make_person("ec-shop-operator", "member"),
        "other": make_person("mr-recruiter", "other") if Position.objects.filter(code="mr-recruiter").exists()
        else make_person(Position.objects.filter(department__code="MR", is_manager=False).values_list("code", flat=True).first(), "other"),
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
