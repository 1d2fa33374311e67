"""Capabilities and data scopes: who reaches which departments' records."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from liveops.core.access import ALL, Access, access_for, scope_queryset
from liveops.core.capabilities import CAPABILITIES
from liveops.core.errors import DomainError, NotAllowed
from liveops.core.models import DataScope, Role, RoleCapability, RoleGrant
from liveops.core.services import role_capability_add, role_grant
from liveops.org.models import Department, Staff
from liveops.org.selectors import department_subtree_ids, staff_list
from tests.conftest import make_person


def codes(qs) -> set[str]:
    return set(qs.values_list("department__code", flat=True))


@pytest.fixture
def everyone(personas):
    """One staff record in every department, so scopes have something to reach."""
    for dept in Department.objects.exclude(code__in=["EC", "MR"]):
        Staff.objects.create(employee_no=f"X-{dept.code}", name=f"员工{dept.code}", department=dept)
    return personas


def test_member_department_scope(everyone):
    access = access_for(everyone["member"])
    assert access.widest_scope("org.view") == DataScope.DEPARTMENT
    qs = scope_queryset(Staff.objects.all(), access=access, capability="org.view")
    assert codes(qs) == {"EC"}


def test_unit_head_subtree_scope(everyone):
    lc_head = make_person("lc-head", "lc-head")
    qs = scope_queryset(Staff.objects.all(), access=access_for(lc_head), capability="org.view")
    assert codes(qs) == {"LC", "EC", "LS", "MB", "CS"}
    assert access_for(lc_head).department_ids("org.view") == department_subtree_ids(
        Department.objects.get(code="LC").pk
    )
    # Personal data reaches the same subtree, nothing outside it.
    access = access_for(lc_head)
    assert access.reaches_department("org.view_personal", Department.objects.get(code="CS").pk)
    assert not access.reaches_department("org.view_personal", Department.objects.get(code="MR").pk)


def test_company_scope(everyone):
    qs = scope_queryset(Staff.objects.all(), access=access_for(everyone["hr"]), capability="org.view")
    assert codes(qs) == set(Department.objects.values_list("code", flat=True))
    assert access_for(everyone["hr"]).department_ids("org.view") is ALL


def test_own_scope_reaches_only_own_records(everyone):
    user = make_person(None, "solo")
    Staff.objects.create(
        employee_no="OWN-1", name="独行", department=Department.objects.get(code="FIN"), user=user
    )
    role = Role.objects.create(code="self-service", name_zh="自助", name_en="Self service")
    RoleCapability.objects.create(role=role, capability="org.view")
    RoleGrant.objects.create(role=role, user=user, scope=DataScope.OWN)
    access = access_for(user)
    assert access.can("org.view") and access.department_ids("org.view") == set()
    qs = scope_queryset(Staff.objects.all(), access=access, capability="org.view", owner_field="user_id")
    assert list(qs.values_list("employee_no", flat=True)) == ["OWN-1"]
    assert scope_queryset(Staff.objects.all(), access=access, capability="org.view").count() == 0


def test_direct_user_grant_anchors_at_primary_position(everyone):
    member = everyone["member"]
    role = Role.objects.get(code="unit-head")
    role_grant(actor=everyone["admin"], role=role, scope=DataScope.SUBTREE, user=member)
    access = access_for(member)
    assert access.can("org.change")
    assert access.department_ids("org.change") == {Department.objects.get(code="EC").pk}


def test_outsider_and_anonymous_reach_nothing(everyone):
    for user in (everyone["outsider"], AnonymousUser(), None):
        access = access_for(user)
        assert not access.can("org.view")
        assert scope_queryset(Staff.objects.all(), access=access, capability="org.view").count() == 0
        assert staff_list(access=access).count() == 0


def test_unknown_capability_denied(everyone):
    access = access_for(everyone["gm"])
    assert not access.can("nothing.at_all")
    assert scope_queryset(Staff.objects.all(), access=access, capability="nothing.at_all").count() == 0


def test_auditor_holds_only_read_capabilities(everyone):
    access = access_for(everyone["auditor"])
    auditor_role = Role.objects.get(code="auditor")
    assert auditor_role.is_read_only
    auditor_caps = set(auditor_role.capabilities.values_list("capability", flat=True))
    assert auditor_caps == {c for c, cap in CAPABILITIES.items() if cap.is_read}
    assert {"org.view", "governance.view", "core.audit_view"} <= auditor_caps
    for cap in (
        "org.change",
        "org.view_personal",
        "org.import",
        "governance.change",
        "governance.approve",
        "core.admin",
    ):
        assert not access.can(cap), cap
    assert access.widest_scope("org.view") == DataScope.COMPANY
    # The supervisor role (sv-chair) adds the right to file questions, nothing that changes records.
    assert access.can("governance.question")


def test_read_only_role_refuses_change_capability(everyone):
    role = Role.objects.get(code="auditor")
    for cap in ("org.change", "org.view_personal", "governance.approve", "core.admin"):
        with pytest.raises(DomainError):
            role_capability_add(actor=everyone["admin"], role=role, capability=cap)
    assert not role.capabilities.filter(
        capability__in=["org.change", "org.view_personal", "governance.approve", "core.admin"]
    ).exists()
    with pytest.raises(DomainError):
        role_capability_add(actor=everyone["admin"], role=role, capability="no.such")
    # A normal role takes a change capability; a non-admin cannot change roles at all.
    employee = Role.objects.get(code="employee")
    role_capability_add(actor=everyone["admin"], role=employee, capability="org.change")
    assert employee.capabilities.filter(capability="org.change").exists()
    with pytest.raises(NotAllowed):
        role_capability_add(actor=everyone["manager"], role=employee, capability="org.export")


def test_role_grant_needs_admin(everyone):
    with pytest.raises(NotAllowed):
        role_grant(
            actor=everyone["manager"],
            role=Role.objects.get(code="hr"),
            scope="company",
            user=everyone["member"],
        )
    assert not access_for(everyone["member"]).can("org.view_personal")


def test_superuser_can_everything(everyone):
    access = access_for(everyone["admin"])
    assert all(access.can(c) for c in CAPABILITIES)
    assert access.can("anything.new")
    assert access.department_ids("org.view") is ALL
    assert (
        scope_queryset(Staff.objects.all(), access=access, capability="org.view").count()
        == Staff.objects.count()
    )


def test_gm_subtree_covers_centres(everyone):
    access = access_for(everyone["gm"])
    ids = access.department_ids("org.view_personal")
    assert Department.objects.get(code="EC").pk in ids
    assert Department.objects.get(code="GOV-BD").pk not in ids
    assert access.can("governance.change") and not access.can("governance.approve")


def test_access_dataclass_scope_rules():
    access = Access(
        user_id=1,
        grants={
            "x.view": {(DataScope.DEPARTMENT, 5), (DataScope.OWN, 5)},
            "y.view": {(DataScope.COMPANY, None)},
        },
    )
    assert access.widest_scope("x.view") == DataScope.DEPARTMENT
    assert access.department_ids("x.view") == {5}
    assert access.reaches_department("x.view", 5) and not access.reaches_department("x.view", 6)
    assert not access.reaches_department("x.view", None)
    assert access.department_ids("y.view") is ALL and access.reaches_department("y.view", 123)
    assert access.widest_scope("z.view") is None and access.department_ids("z.view") == set()


def test_access_cached_per_user_object(everyone):
    member = everyone["member"]
    first = access_for(member)
    assert access_for(member) is first
