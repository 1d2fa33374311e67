"""Org and governance services: rules, conflicts, database constraints and money safety."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liveops.core.access import access_for
from liveops.core.errors import Conflict, DomainError, NotAllowed
from liveops.core.models import Role, RoleGrant
from liveops.org import services
from liveops.org.models import (
    ActionItem,
    Department,
    GovernanceBody,
    OrgChange,
    Plan,
    Position,
    Resolution,
    Staff,
)
from liveops.org.selectors import action_item_list, department_subtree_ids

_numbers = itertools.count(1)


def test_staff_create_duplicate_is_conflict(personas):
    ec = Department.objects.get(code="EC")
    services.staff_create(actor=personas["admin"], employee_no="D1", name="甲", department=ec)
    with pytest.raises(Conflict) as exc:
        services.staff_create(actor=personas["admin"], employee_no="D1", name="乙", department=ec)
    assert exc.value.status == 409 and "employee_no" in exc.value.fields
    assert Staff.objects.filter(employee_no="D1").count() == 1


def test_staff_position_of_other_department_refused(personas):
    ec = Department.objects.get(code="EC")
    with pytest.raises(DomainError) as exc:
        services.staff_create(
            actor=personas["admin"],
            employee_no="D2",
            name="甲",
            department=ec,
            position=Position.objects.get(code="mr-recruiter"),
        )
    assert "position" in exc.value.fields
    st_ = services.staff_create(actor=personas["admin"], employee_no="D3", name="甲", department=ec)
    with pytest.raises(DomainError):
        services.staff_update(
            actor=personas["admin"], staff=st_, data={"position": Position.objects.get(code="qc-head")}
        )


def test_staff_create_needs_rights_over_department(personas):
    with pytest.raises(NotAllowed):
        services.staff_create(
            actor=personas["manager"],
            employee_no="D4",
            name="甲",
            department=Department.objects.get(code="MR"),
        )
    with pytest.raises(NotAllowed):
        services.staff_create(
            actor=personas["member"],
            employee_no="D5",
            name="甲",
            department=Department.objects.get(code="EC"),
        )
    assert not Staff.objects.filter(employee_no__in=["D4", "D5"]).exists()


def test_staff_move_needs_rights_over_both_departments(personas, colleague):
    with pytest.raises(NotAllowed):
        services.staff_update(
            actor=personas["manager"],
            staff=colleague,
            data={"department": Department.objects.get(code="MR"), "position": None},
        )
    colleague.refresh_from_db()
    assert colleague.department.code == "EC"
    services.staff_update(
        actor=personas["hr"],
        staff=colleague,
        data={"department": Department.objects.get(code="MR"), "position": None},
    )
    colleague.refresh_from_db()
    assert colleague.department.code == "MR"


def test_staff_invalid_values_refused_by_model(personas):
    with pytest.raises(ValidationError):
        services.staff_create(
            actor=personas["admin"],
            employee_no="D6",
            name="甲",
            department=Department.objects.get(code="EC"),
            email="nope",
        )


# Org tree -------------------------------------------------------------------------------------


def test_department_update_needs_passed_board_org_resolution(personas, gov):
    ls = Department.objects.get(code="LS")
    original = ls.name_en
    for res in (gov.rejected, gov.proposed, gov.plan_res):
        with pytest.raises(DomainError) as exc:
            services.department_update(
                actor=personas["admin"], department=ls, resolution=res, data={"name_en": "Live rooms"}
            )
        assert exc.value.code == "resolution_required"
    ls.refresh_from_db()
    assert ls.name_en != "Live rooms"
    assert not OrgChange.objects.exists()
    services.department_update(
        actor=personas["admin"], department=ls, resolution=gov.org_res, data={"name_en": "Live rooms"}
    )
    change = OrgChange.objects.get()
    assert change.kind == OrgChange.Kind.RENAME and change.resolution == gov.org_res
    assert change.before == {"name_en": original}
    assert change.after == {"name_en": "Live rooms"}


def test_department_update_needs_org_change(personas, gov):
    with pytest.raises(NotAllowed):
        services.department_update(
            actor=personas["auditor"],
            department=Department.objects.get(code="LS"),
            resolution=gov.org_res,
            data={"name_en": "x"},
        )


def test_supervisory_resolution_does_not_count(personas, gov):
    sv = GovernanceBody.objects.get(kind="supervisory")
    meeting = services.meeting_create(
        actor=personas["admin"], body=sv, title="监事会", held_at=timezone.now()
    )
    res = services.resolution_propose(
        actor=personas["admin"], meeting=meeting, number="SV-T-1", title="x", topic="org_structure"
    )
    services.resolution_decide(actor=personas["admin"], resolution=res, votes_for=3, votes_against=0)
    with pytest.raises(DomainError):
        services.department_update(
            actor=personas["admin"],
            department=Department.objects.get(code="LS"),
            resolution=res,
            data={"name_en": "x"},
        )


def test_move_and_close_recorded(personas, gov):
    ls, mc = Department.objects.get(code="LS"), Department.objects.get(code="MC")
    services.department_update(
        actor=personas["admin"], department=ls, resolution=gov.org_res, data={"parent": mc}
    )
    services.department_update(
        actor=personas["admin"], department=ls, resolution=gov.org_res, data={"is_active": False}
    )
    kinds = list(OrgChange.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == ["move", "close"]
    assert ls.pk in department_subtree_ids(mc.pk)


def test_moving_unit_under_own_child_refused(personas, gov):
    lc, ec = Department.objects.get(code="LC"), Department.objects.get(code="EC")
    for target in (ec, lc):
        with pytest.raises(DomainError) as exc:
            services.department_update(
                actor=personas["admin"], department=lc, resolution=gov.org_res, data={"parent": target}
            )
        assert "parent" in exc.value.fields
    gm = Department.objects.get(code="GM")
    with pytest.raises(DomainError):
        services.department_update(
            actor=personas["admin"], department=gm, resolution=gov.org_res, data={"parent": ec}
        )
    lc.refresh_from_db()
    assert lc.parent.code == "GM"


def test_department_create_records_change(personas, gov):
    dept = services.department_create(
        actor=personas["admin"],
        code="NEW",
        kind="department",
        name_zh="新部",
        name_en="New",
        parent=Department.objects.get(code="CC"),
        resolution=gov.org_res,
    )
    assert OrgChange.objects.get(department=dept).kind == "create"
    with pytest.raises(DomainError):
        services.department_create(
            actor=personas["admin"],
            code="NEW2",
            kind="department",
            name_zh="新部",
            name_en="New",
            parent=Department.objects.get(code="CC"),
            resolution=gov.rejected,
        )


# Resolutions -----------------------------------------------------------------------------------


def test_resolution_majority_and_double_decide(personas, gov):
    assert gov.org_res.outcome == "passed" and gov.org_res.decided_at is not None
    assert gov.rejected.outcome == "rejected"
    tie = services.resolution_propose(
        actor=personas["admin"], meeting=gov.meeting, number="BD-T-TIE", title="平票"
    )
    tie = services.resolution_decide(
        actor=personas["admin"], resolution=tie, votes_for=2, votes_against=2, votes_abstain=1
    )
    assert tie.outcome == "rejected"
    with pytest.raises(Conflict):
        services.resolution_decide(actor=personas["admin"], resolution=tie, votes_for=5, votes_against=0)
    tie.refresh_from_db()
    assert (tie.votes_for, tie.outcome) == (2, "rejected")


def test_resolution_decide_negative_votes_and_rights(personas, gov):
    with pytest.raises(DomainError):
        services.resolution_decide(
            actor=personas["admin"], resolution=gov.proposed, votes_for=-1, votes_against=0
        )
    with pytest.raises(NotAllowed):
        services.resolution_decide(
            actor=personas["auditor"], resolution=gov.proposed, votes_for=3, votes_against=0
        )
    gov.proposed.refresh_from_db()
    assert gov.proposed.outcome == "proposed"


def test_resolution_number_unique(personas, gov):
    with pytest.raises(Conflict):
        services.resolution_propose(
            actor=personas["admin"], meeting=gov.meeting, number=gov.org_res.number, title="重复"
        )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(votes_for=st.integers(0, 50), votes_against=st.integers(0, 50), votes_abstain=st.integers(0, 10))
def test_outcome_passed_iff_majority(personas, gov, votes_for, votes_against, votes_abstain):
    res = services.resolution_propose(
        actor=personas["admin"], meeting=gov.meeting, number=f"H-{next(_numbers)}", title="随机"
    )
    res = services.resolution_decide(
        actor=personas["admin"],
        resolution=res,
        votes_for=votes_for,
        votes_against=votes_against,
        votes_abstain=votes_abstain,
    )
    stored = Resolution.objects.get(pk=res.pk)
    assert (stored.outcome == "passed") == (votes_for > votes_against)
    assert stored.outcome in ("passed", "rejected")
    assert (stored.votes_for, stored.votes_against, stored.votes_abstain) == (
        votes_for,
        votes_against,
        votes_abstain,
    )


# Database constraints ---------------------------------------------------------------------------


def test_passed_without_majority_refused_by_database(gov):
    res = Resolution.objects.get(pk=gov.rejected.pk)
    res.outcome = "passed"
    with pytest.raises(IntegrityError), transaction.atomic():
        res.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        Resolution.objects.filter(pk=gov.proposed.pk).update(votes_for=3)  # votes on an undecided proposal


def test_action_done_without_date_refused_by_database(gov):
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionItem.objects.filter(pk=gov.overdue.pk).update(status="done", completed_on=None)


def test_grant_with_position_and_user_refused_by_database(personas):
    role = Role.objects.get(code="employee")
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleGrant.objects.create(
            role=role, position=Position.objects.get(code="qc-inspector"), user=personas["outsider"]
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleGrant.objects.create(role=role, scope="department")
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleGrant.objects.create(role=role, user=personas["outsider"], scope="galaxy")


def test_department_own_parent_refused_by_database(org):
    with pytest.raises(IntegrityError), transaction.atomic():
        Department.objects.filter(code="EC").update(parent=Department.objects.get(code="EC"))


def test_approved_plan_without_resolution_refused_by_database(gov):
    with pytest.raises(IntegrityError), transaction.atomic():
        Plan.objects.filter(pk=gov.plan.pk).update(status="approved")


# Action items -----------------------------------------------------------------------------------


def test_action_items_overdue_selector(personas, gov):
    today = timezone.localdate()
    admin_access = access_for(personas["admin"])
    assert list(action_item_list(access=admin_access, overdue_only=True)) == [gov.overdue]
    assert set(
        action_item_list(access=admin_access, overdue_only=True, today=today + dt.timedelta(days=30))
    ) == {gov.overdue, gov.later}
    services.action_item_set_status(actor=personas["member"], item=gov.overdue, status="done")
    assert list(action_item_list(access=admin_access, overdue_only=True)) == []
    gov.overdue.refresh_from_db()
    assert gov.overdue.completed_on == today and not gov.overdue.is_overdue
    services.action_item_set_status(actor=personas["admin"], item=gov.overdue, status="open")
    gov.overdue.refresh_from_db()
    assert gov.overdue.completed_on is None and gov.overdue.is_overdue


def test_action_item_rules(personas, gov):
    with pytest.raises(DomainError):
        services.action_item_create(
            actor=personas["admin"],
            resolution=gov.rejected,
            title="x",
            department=gov.ec,
            due_on=timezone.localdate(),
        )
    with pytest.raises(DomainError):
        services.action_item_create(
            actor=personas["admin"],
            resolution=gov.org_res,
            title="x",
            department=gov.mr,
            due_on=timezone.localdate(),
            owner=Staff.objects.get(user=personas["member"]),
        )
    with pytest.raises(DomainError):
        services.action_item_set_status(actor=personas["admin"], item=gov.overdue, status="finished")
    with pytest.raises(NotAllowed):
        services.action_item_set_status(actor=personas["other"], item=gov.overdue, status="done")
    # The head of the item's department may move it.
    services.action_item_set_status(actor=personas["manager"], item=gov.overdue, status="in_progress")
    gov.overdue.refresh_from_db()
    assert gov.overdue.status == "in_progress"


# Plans -------------------------------------------------------------------------------------------


def test_plan_submit_and_approve(personas, gov):
    plan = gov.plan
    with pytest.raises(Conflict):
        services.plan_approve(actor=personas["admin"], plan=plan, resolution=gov.plan_res)  # still a draft
    with pytest.raises(NotAllowed):
        services.plan_submit(actor=personas["member"], plan=plan)
    plan = services.plan_submit(actor=personas["gm"], plan=plan)
    assert plan.status == "submitted"
    with pytest.raises(Conflict):
        services.plan_submit(actor=personas["gm"], plan=plan)
    with pytest.raises(NotAllowed):
        services.plan_approve(
            actor=personas["gm"], plan=plan, resolution=gov.plan_res
        )  # the GM cannot approve own plan
    for res in (gov.rejected, gov.proposed):
        with pytest.raises(DomainError):
            services.plan_approve(actor=personas["admin"], plan=plan, resolution=res)
    plan.refresh_from_db()
    assert plan.status == "submitted" and plan.resolution is None
    plan = services.plan_approve(actor=personas["admin"], plan=plan, resolution=gov.plan_res)
    plan.refresh_from_db()
    assert plan.status == "approved" and plan.resolution == gov.plan_res


def test_plan_return_and_resubmit(personas, gov):
    services.plan_submit(actor=personas["gm"], plan=gov.plan)
    services.plan_return(actor=personas["admin"], plan=gov.plan, reason="补充成本")
    gov.plan.refresh_from_db()
    assert gov.plan.status == "returned"
    services.plan_submit(actor=personas["gm"], plan=gov.plan)
    gov.plan.refresh_from_db()
    assert gov.plan.status == "submitted"


def test_plan_negative_amount_refused(personas, gov):
    with pytest.raises(ValidationError):
        services.plan_create(
            actor=personas["admin"], kind="budget", year=2030, title="负数", cost_budget=Decimal("-0.01")
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Plan.objects.filter(pk=gov.plan.pk).update(gmv_target=Decimal("-1.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Plan.objects.create(kind="budget", year=2030, title="负数", cost_budget=Decimal("-5.00"))


def _max_amount() -> Decimal:
    field = Plan._meta.get_field("gmv_target")
    return Decimal(10) ** (field.max_digits - field.decimal_places) - Decimal(1).scaleb(-field.decimal_places)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    amount=st.decimals(min_value=0, max_value=_max_amount(), places=2, allow_nan=False, allow_infinity=False)
)
def test_plan_amounts_round_trip_exactly(personas, gov, amount):
    """Every amount the field accepts comes back from the database exactly (money is never a float)."""
    plan = services.plan_create(
        actor=personas["admin"],
        kind="targets",
        year=2030,
        title="金额",
        gmv_target=amount,
        cost_budget=amount,
    )
    stored = Plan.objects.get(pk=plan.pk)
    assert stored.gmv_target == amount and stored.cost_budget == amount
    assert isinstance(stored.gmv_target, Decimal)
    assert str(stored.gmv_target) == f"{amount:.2f}"


def test_plan_amounts_extremes_round_trip(personas, gov):
    for text in (str(_max_amount()), "0.01", "1234567890123.45", "0.10"):
        plan = services.plan_create(
            actor=personas["admin"], kind="targets", year=2030, title=text, gmv_target=Decimal(text)
        )
        assert str(Plan.objects.get(pk=plan.pk).gmv_target) == text
    with pytest.raises(ValidationError):
        services.plan_create(
            actor=personas["admin"], kind="targets", year=2030, title="too big", gmv_target=_max_amount() + 1
        )
