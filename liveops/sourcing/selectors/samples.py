"""Reads of the samples ledger: lists, the overdue-return list and sample cost per merchant and per
product (exact Decimal CNY, rounded to fen)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, QuerySet, Sum
from django.utils import timezone

from liveops.core.access import Access, scope_queryset
from liveops.sourcing.models import Sample

CENT = Decimal("0.01")
_COST = ExpressionWrapper(
    F("quantity") * F("unit_cost"), output_field=DecimalField(max_digits=20, decimal_places=2)
)
CLOSED = (Sample.Status.RETURNED, Sample.Status.CONSUMED, Sample.Status.LOST)


def sample_list(
    *,
    access: Access,
    status: str = "",
    merchant_id: int | None = None,
    product_id: int | None = None,
) -> QuerySet[Sample]:
    qs = scope_queryset(
        Sample.objects.select_related("merchant", "product", "holder"),
        access=access,
        capability="sourcing.view",
    )
    if status:
        qs = qs.filter(status=status)
    if merchant_id:
        qs = qs.filter(merchant_id=merchant_id)
    if product_id:
        qs = qs.filter(product_id=product_id)
    return qs.order_by("-received_on", "-id")


def sample_get(*, access: Access, pk: int) -> Sample | None:
    return sample_list(access=access).filter(pk=pk).first()


def sample_overdue_list(*, access: Access, today: dt.date | None = None) -> QuerySet[Sample]:
    """Samples that must go back, whose return date has passed, and that are still with us
    (not returned, consumed or lost). Oldest due first."""
    today = today or timezone.localdate()
    return (
        sample_list(access=access)
        .filter(must_return=True, return_due__lt=today)
        .exclude(status__in=CLOSED)
        .order_by("return_due", "id")
    )


def _money(value) -> Decimal:
    # SQLite sums NUMERIC as floats (exact to 15 digits): round to fen to get the exact amount back.
    return Decimal(value or 0).quantize(CENT)


def sample_cost_by_merchant(*, access: Access) -> list[dict]:
    """Sample cost (quantity × unit cost) per merchant, highest first: one GROUP BY query."""
    rows = (
        sample_list(access=access)
        .order_by()
        .values("merchant_id", "merchant__name")
        .annotate(samples=Count("id"), cost=Sum(_COST))
        .order_by("-cost", "merchant_id")
    )
    return [
        {
            "merchant_id": r["merchant_id"],
            "merchant": r["merchant__name"],
            "samples": r["samples"],
            "cost": _money(r["cost"]),
        }
        for r in rows
    ]


def sample_cost_by_product(*, access: Access, merchant_id: int | None = None) -> list[dict]:
    """Sample cost per product, highest first: one GROUP BY query."""
    rows = (
        sample_list(access=access, merchant_id=merchant_id)
        .order_by()
        .values("product_id", "product__title", "merchant__name")
        .annotate(samples=Count("id"), cost=Sum(_COST))
        .order_by("-cost", "product_id")
    )
    return [
        {
            "product_id": r["product_id"],
            "product": r["product__title"],
            "merchant": r["merchant__name"],
            "samples": r["samples"],
            "cost": _money(r["cost"]),
        }
        for r in rows
    ]


def sample_cost_total(*, access: Access) -> Decimal:
    return _money(sample_list(access=access).order_by().aggregate(total=Sum(_COST))["total"])
