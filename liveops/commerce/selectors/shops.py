"""Reads of shops, scoped to the actor: ``commerce.view`` over the shop's department. Every other
read of orders, after-sales, rollups and ad spend goes through ``shops_visible`` so the scope rule
lives in one place."""

from __future__ import annotations

from django.db.models import QuerySet

from liveops.commerce.models import Shop
from liveops.core.access import Access, scope_queryset


def shops_visible(*, access: Access, capability: str = "commerce.view") -> QuerySet[Shop]:
    """Shops whose data the actor may see (or act on, with another ``capability``)."""
    return scope_queryset(Shop.objects.all(), access=access, capability=capability).select_related(
        "department"
    )


def shop_ids_visible(*, access: Access, capability: str = "commerce.view") -> list[int]:
    """IDs of the visible shops, for filtering big tables by ``shop_id IN (...)`` (shops are few)."""
    return list(shops_visible(access=access, capability=capability).values_list("id", flat=True))


def shop_get(*, access: Access, pk: int, capability: str = "commerce.view") -> Shop | None:
    return shops_visible(access=access, capability=capability).filter(pk=pk).first()
