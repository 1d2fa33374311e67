"""Reads of quality control, scoped to the actor. QC staff and the auditor read company-wide; a
recruiter who may read quality records sees those of the products and merchants of their own
department (the department that recruited them)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from liveops.core.access import ALL, Access
from liveops.quality.models import Block, Checklist, CorrectiveAction, Defect, Inspection, Scorecard

VIEW = "quality.view"


def _scoped(queryset: QuerySet, *, access: Access, fields: tuple[str, ...]) -> QuerySet:
    """Rows whose department (through any of ``fields``) the actor's ``quality.view`` reaches."""
    if not access.can(VIEW):
        return queryset.none()
    ids = access.department_ids(VIEW)
    if ids is ALL:
        return queryset
    if not ids:
        return queryset.none()
    cond = Q()
    for f in fields:
        cond |= Q(**{f"{f}__in": ids})
    return queryset.filter(cond)


def checklist_list(
    *, access: Access, category_id: int | None = None, include_old: bool = False
) -> QuerySet[Checklist]:
    """Checklists are company reference data: everyone who reads quality records reads them."""
    if not access.can(VIEW):
        return Checklist.objects.none()
    qs = Checklist.objects.select_related("category").annotate(item_count=Count("items", distinct=True))
    if category_id:
        qs = qs.filter(category_id=category_id)
    if not include_old:
        qs = qs.filter(is_active=True)
    return qs.order_by("category__code", "-version")


def checklist_versions(*, access: Access, category_id: int) -> QuerySet[Checklist]:
    return checklist_list(access=access, category_id=category_id, include_old=True).prefetch_related("items")


def inspection_list(
    *,
    access: Access,
    result: str = "",
    product_id: int | None = None,
    merchant_id: int | None = None,
    kind: str = "",
) -> QuerySet[Inspection]:
    qs = _scoped(Inspection.objects.all(), access=access, fields=("product__department_id",))
    if result:
        qs = qs.filter(result=result)
    if product_id:
        qs = qs.filter(product_id=product_id)
    if merchant_id:
        qs = qs.filter(product__merchant_id=merchant_id)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.select_related("product", "product__merchant", "sample", "checklist", "inspector").order_by(
        "-inspected_at", "-id"
    )


def inspection_get(*, access: Access, pk: int) -> Inspection | None:
    return inspection_list(access=access).filter(pk=pk).first()


def defect_list(
    *,
    access: Access,
    status: str = "",
    severity: str = "",
    open_only: bool = False,
    merchant_id: int | None = None,
    product_id: int | None = None,
) -> QuerySet[Defect]:
    qs = _scoped(
        Defect.objects.all(), access=access, fields=("product__department_id", "merchant__department_id")
    )
    if status:
        qs = qs.filter(status=status)
    if open_only:
        qs = qs.exclude(status=Defect.Status.CLOSED)
    if severity:
        qs = qs.filter(severity=severity)
    if merchant_id:
        qs = qs.filter(merchant_id=merchant_id)
    if product_id:
        qs = qs.filter(product_id=product_id)
    return qs.select_related("product", "merchant", "inspection").order_by("-found_on", "-id")


def defect_get(*, access: Access, pk: int) -> Defect | None:
    return defect_list(access=access).filter(pk=pk).first()


def capa_list(
    *, access: Access, overdue_only: bool = False, today: dt.date | None = None
) -> QuerySet[CorrectiveAction]:
    qs = _scoped(
        CorrectiveAction.objects.all(),
        access=access,
        fields=("defect__product__department_id", "defect__merchant__department_id"),
    )
    if overdue_only:
        qs = qs.filter(status=CorrectiveAction.Status.OPEN, due_on__lt=today or timezone.localdate())
    return qs.select_related("defect", "defect__product", "owner").order_by("due_on", "id")


def block_list(*, access: Access, active: bool | None = None) -> QuerySet[Block]:
    qs = _scoped(
        Block.objects.all(), access=access, fields=("merchant__department_id", "product__department_id")
    )
    if active is True:
        qs = qs.filter(lifted_at__isnull=True)
    elif active is False:
        qs = qs.filter(lifted_at__isnull=False)
    return qs.select_related("merchant", "product", "product__merchant", "blocked_by", "lifted_by").order_by(
        "-blocked_at", "-id"
    )


def block_get(*, access: Access, pk: int) -> Block | None:
    return block_list(access=access).filter(pk=pk).first()


def scorecard_list(*, access: Access, period: str = "") -> QuerySet[Scorecard]:
    """Flagged merchants first, then the lowest totals."""
    qs = _scoped(Scorecard.objects.all(), access=access, fields=("merchant__department_id",))
    if period:
        qs = qs.filter(period=period)
    return qs.select_related("merchant").order_by("-period", "-flagged", "total", "merchant_id")


def scorecard_periods(*, access: Access) -> list[str]:
    return list(
        _scoped(Scorecard.objects.all(), access=access, fields=("merchant__department_id",))
        .order_by("-period")
        .values_list("period", flat=True)
        .distinct()[:24]
    )
