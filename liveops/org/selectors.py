"""Reads of the org chart and governance register, scoped to the actor."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from liveops.core.access import Access, scope_queryset
from liveops.core.pinyin import pinyin_full
from liveops.org.models import (
    ActionItem,
    Department,
    Duty,
    FinancialStatement,
    MajorContract,
    Meeting,
    Plan,
    Position,
    Resolution,
    SigningAuthority,
    Staff,
    UnitKind,
)


def _tree_version() -> tuple:
    # Departments are a small table (tens of rows); the cache key changes whenever the tree does.
    from django.db.models import Max

    agg = Department.objects.aggregate(n=Count("id"), m=Max("id"))
    return (agg["n"], agg["m"], tuple(Department.objects.order_by("id").values_list("id", "parent_id")))


@lru_cache(maxsize=8)
def _children_map(version: tuple) -> dict[int | None, list[int]]:
    children: dict[int | None, list[int]] = {}
    for dept_id, parent_id in version[2]:
        children.setdefault(parent_id, []).append(dept_id)
    return children


def department_subtree_ids(department_id: int) -> set[int]:
    """The department and every unit below it."""
    children = _children_map(_tree_version())
    out, stack = set(), [department_id]
    while stack:
        current = stack.pop()
        if current in out:
            continue
        out.add(current)
        stack.extend(children.get(current, ()))
    return out


def department_list(*, access: Access) -> QuerySet[Department]:
    """All units with their active headcount. The tree itself is public inside the company; people
    and records below are scoped."""
    if not access.can("org.view"):
        return Department.objects.none()
    # A correlated COUNT per unit (index staff_dept_active_idx) instead of JOIN + GROUP BY over every staff
    # row: 38 ms -> 8 ms for the org chart with 10,000 staff on SQLite (docs/benchmarks.md).
    active = Staff.objects.filter(department=OuterRef("pk"), is_active=True).order_by().values("department")
    return (
        Department.objects.filter(is_active=True)
        .select_related("parent")
        .annotate(headcount=Coalesce(Subquery(active.annotate(n=Count("pk")).values("n")), 0))
    )


def department_tree(*, access: Access) -> list[dict]:
    """Nested dicts for the org chart: name, kind, code, headcount (own and subtree)."""
    depts = list(department_list(access=access).order_by("sort_order", "code"))
    by_parent: dict[int | None, list[Department]] = {}
    for d in depts:
        by_parent.setdefault(d.parent_id, []).append(d)

    def build(d: Department) -> dict:
        kids = [build(c) for c in by_parent.get(d.id, [])]
        total = d.headcount + sum(k["total_headcount"] for k in kids)
        return {
            "id": d.id,
            "code": d.code,
            "name": d.name,
            "kind": d.kind,
            "headcount": d.headcount,
            "total_headcount": total,
            "children": kids,
        }

    return [build(root) for root in by_parent.get(None, [])]


def department_counts() -> dict[str, int]:
    rows = Department.objects.filter(is_active=True).values("kind").annotate(n=Count("id"))
    return {r["kind"]: r["n"] for r in rows}


def duty_list() -> QuerySet[Duty]:
    return Duty.objects.select_related("department").order_by("sort_order")


def staff_list(
    *, access: Access, search: str = "", department_id: int | None = None, include_inactive: bool = False
) -> QuerySet[Staff]:
    """Staff the actor may see, searchable by Chinese name, employee number, full pinyin or pinyin
    initials (``zw`` finds 张伟)."""
    qs = scope_queryset(Staff.objects.all(), access=access, capability="org.view", owner_field="user_id")
    if not include_inactive:
        qs = qs.filter(is_active=True)
    if department_id:
        qs = qs.filter(department_id=department_id)
    if search:
        s = search.strip()
        cond = Q(name__icontains=s) | Q(employee_no__icontains=s) | Q(name_en__icontains=s)
        if s.isascii():
            low = s.lower().replace(" ", "")
            cond |= Q(name_initials__startswith=low) | Q(name_pinyin__startswith=low)
        else:
            cond |= Q(name_pinyin__startswith=pinyin_full(s))
        qs = qs.filter(cond)
    return qs.select_related("department", "position", "manager")


def staff_get(*, access: Access, pk: int) -> Staff | None:
    return staff_list(access=access, include_inactive=True).filter(pk=pk).first()


def can_see_personal(*, access: Access, staff: Staff) -> bool:
    return access.reaches_department("org.view_personal", staff.department_id) or (
        access.user_id is not None and staff.user_id == access.user_id
    )


# Governance ------------------------------------------------------------------------------------


def meeting_list(*, access: Access) -> QuerySet[Meeting]:
    if not access.can("governance.view"):
        return Meeting.objects.none()
    return Meeting.objects.select_related("body__unit").annotate(n_resolutions=Count("resolutions"))


def resolution_list(*, access: Access, outcome: str = "", search: str = "") -> QuerySet[Resolution]:
    if not access.can("governance.view"):
        return Resolution.objects.none()
    qs = Resolution.objects.select_related("meeting__body__unit")
    if outcome:
        qs = qs.filter(outcome=outcome)
    if search:
        qs = qs.filter(Q(title__icontains=search) | Q(number__icontains=search))
    return qs.annotate(
        n_actions=Count("action_items", distinct=True),
        n_overdue=Count(
            "action_items",
            filter=Q(
                action_items__status__in=["open", "in_progress"],
                action_items__due_on__lt=timezone.localdate(),
            ),
            distinct=True,
        ),
    )


def action_item_list(
    *, access: Access, overdue_only: bool = False, today: dt.date | None = None
) -> QuerySet[ActionItem]:
    """Action items the actor may see: all of them with ``governance.view``; otherwise those of the
    departments their org scope reaches, and their own."""
    base = ActionItem.objects.select_related("resolution", "department", "owner")
    if access.can("governance.view"):
        qs = base
    else:
        qs = scope_queryset(base, access=access, capability="org.view", owner_field="owner__user_id")
    if overdue_only:
        qs = qs.filter(status__in=["open", "in_progress"], due_on__lt=today or timezone.localdate())
    return qs


def plan_list(*, access: Access) -> QuerySet[Plan]:
    if not access.can("governance.view"):
        return Plan.objects.none()
    return Plan.objects.select_related("owner", "resolution")


def unit_kind_label(kind: str) -> str:
    return str(UnitKind(kind).label)


def statement_list(*, access: Access) -> QuerySet[FinancialStatement]:
    if not access.can("governance.view"):
        return FinancialStatement.objects.none()
    return FinancialStatement.objects.select_related("reviewed_by", "resolution")


def contract_list(*, access: Access) -> QuerySet[MajorContract]:
    if not access.can("governance.view"):
        return MajorContract.objects.none()
    return MajorContract.objects.select_related("department", "signed_by__position", "resolution")


def signing_authorities() -> QuerySet[SigningAuthority]:
    return SigningAuthority.objects.select_related("position").order_by("min_amount")


def senior_management(*, access: Access) -> list[dict]:
    """Heads of the executive offices and centres with who holds each post (GOV-CH-4, GOV-BD-2)."""
    if not access.can("governance.view"):
        return []
    posts = (
        Position.objects.filter(is_manager=True, department__kind__in=["office", "centre"])
        .select_related("department")
        .order_by("department__sort_order")
    )
    holders: dict[int, list[Staff]] = {}
    for st in Staff.objects.filter(position__in=posts, is_active=True).select_related("position"):
        holders.setdefault(st.position_id, []).append(st)
    return [{"position": p, "holders": holders.get(p.pk, [])} for p in posts]
