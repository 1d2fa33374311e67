"""Reads of deals and contracts, scoped to the product's department."""

from __future__ import annotations

from django.db.models import QuerySet

from liveops.core.access import Access, scope_queryset
from liveops.sourcing.models import Contract, Deal, Product


def deal_list(
    *,
    access: Access,
    product_id: int | None = None,
    merchant_id: int | None = None,
    status: str = "",
) -> QuerySet[Deal]:
    """Deals the actor may see (``sourcing.view`` over the product's department), newest first."""
    qs = scope_queryset(
        Deal.objects.select_related("product", "merchant", "approved_by"),
        access=access,
        capability="sourcing.view",
        department_field="product__department_id",
    )
    if product_id:
        qs = qs.filter(product_id=product_id)
    if merchant_id:
        qs = qs.filter(merchant_id=merchant_id)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def deal_get(*, access: Access, pk: int) -> Deal | None:
    return deal_list(access=access).filter(pk=pk).first()


def deal_current(*, product: Product) -> Deal | None:
    """The terms in force for a product: its approved version (at most one, by constraint)."""
    return Deal.objects.filter(product=product, status=Deal.Status.APPROVED).first()


def deal_history(
    *, access: Access, product_id: int | None = None, merchant_id: int | None = None
) -> QuerySet[Deal]:
    """Every version, oldest first: how the terms of a product (or all products of a merchant) moved."""
    qs = deal_list(access=access, product_id=product_id, merchant_id=merchant_id)
    return qs.prefetch_related("contracts").order_by("product_id", "version")


def contract_list(*, access: Access, deal_id: int | None = None) -> QuerySet[Contract]:
    qs = scope_queryset(
        Contract.objects.select_related("deal", "deal__product"),
        access=access,
        capability="sourcing.view",
        department_field="deal__product__department_id",
    )
    if deal_id:
        qs = qs.filter(deal_id=deal_id)
    return qs.order_by("-id")
