"""The category plan (MC-1): target numbers of products and brands per category per season,
optionally within a price band. Kept by heads of recruitment (``sourcing.approve``)."""

from __future__ import annotations

import re
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from liveops.core.audit import audit_delete, model_create, model_update
from liveops.core.errors import Conflict, DomainError
from liveops.sourcing.models import Category, CategoryPlan
from liveops.sourcing.services.merchants import require
from liveops.sourcing.services.products import _money

_SEASON = re.compile(r"^[0-9A-Za-z\u4e00-\u9fff\-_. ]{2,20}$")


@transaction.atomic
def plan_save(
    *,
    actor,
    category: Category,
    season: str,
    target_products: int,
    target_brands: int,
    price_min: Decimal | None = None,
    price_max: Decimal | None = None,
    plan: CategoryPlan | None = None,
) -> CategoryPlan:
    """Set (or change) the target for a category in a season and price band."""
    require(actor, "sourcing.approve")
    season = (season or "").strip()
    fields: dict[str, list[str]] = {}
    if not _SEASON.match(season):
        fields["season"] = [_("Name the season, e.g. 2026Q4 or 2026-双11.")]
    if target_products is None or target_products < 0:
        fields["target_products"] = [_("Zero or more.")]
    if target_brands is None or target_brands < 0:
        fields["target_brands"] = [_("Zero or more.")]
    price_min, price_max = _money(price_min, "price_min"), _money(price_max, "price_max")
    if price_min is not None and price_max is not None and price_max < price_min:
        fields["price_max"] = [_("The band ends below where it starts.")]
    if fields:
        raise DomainError(_("Some values are not valid."), code="invalid", fields=fields)
    clash = CategoryPlan.objects.filter(
        category=category, season=season, price_min=price_min, price_max=price_max
    ).exclude(pk=getattr(plan, "pk", None))
    if clash.exists():
        raise Conflict(
            _("There is already a plan for this category, season and price band."),
            code="duplicate",
            fields={"season": [_("Already planned.")]},
        )
    values = {
        "category": category,
        "season": season,
        "target_products": target_products,
        "target_brands": target_brands,
        "price_min": price_min,
        "price_max": price_max,
    }
    if plan is None:
        return model_create(actor=actor, model=CategoryPlan, **values)
    plan, _changed = model_update(actor=actor, instance=plan, data=values)
    return plan


@transaction.atomic
def plan_delete(*, actor, plan: CategoryPlan) -> None:
    require(actor, "sourcing.approve")
    audit_delete(actor=actor, instance=plan)
    plan.delete()
