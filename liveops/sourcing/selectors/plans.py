"""The category plan and its gap analysis (MC-1, MR-3): targets per category and season compared with
the approved products and distinct brands in that category (and its sub-categories, and price band)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from liveops.core.access import Access, scope_queryset
from liveops.sourcing.models import CategoryPlan, PipelineStage, Product
from liveops.sourcing.selectors.products import category_descendant_ids


def plan_list(*, access: Access, season: str = "") -> QuerySet[CategoryPlan]:
    """The plan is company-wide: anyone with ``sourcing.view`` reads it."""
    if not access.can("sourcing.view"):
        return CategoryPlan.objects.none()
    qs = CategoryPlan.objects.select_related("category")
    if season:
        qs = qs.filter(season=season)
    return qs.order_by("season", "category__code", "price_min")


def plan_seasons(*, access: Access) -> list[str]:
    if not access.can("sourcing.view"):
        return []
    return list(CategoryPlan.objects.order_by("-season").values_list("season", flat=True).distinct())


@dataclass(frozen=True)
class Gap:
    plan: CategoryPlan
    products: int
    brands: int

    @property
    def products_short(self) -> int:
        return max(0, self.plan.target_products - self.products)

    @property
    def brands_short(self) -> int:
        return max(0, self.plan.target_brands - self.brands)

    @property
    def below_plan(self) -> bool:
        return self.products_short > 0 or self.brands_short > 0


def plan_gaps(*, access: Access, season: str) -> list[Gap]:
    """Each plan line of ``season`` with the approved products and distinct brands the actor's
    ``sourcing.view`` scope reaches in that category (sub-categories included) and price band.
    Categories furthest below plan come first."""
    out: list[Gap] = []
    approved = scope_queryset(
        Product.objects.filter(stage=PipelineStage.APPROVED), access=access, capability="sourcing.view"
    )
    for plan in plan_list(access=access, season=season):
        qs = approved.filter(category_id__in=category_descendant_ids(plan.category))
        if plan.price_min is not None:
            qs = qs.filter(regular_price__gte=plan.price_min)
        if plan.price_max is not None:
            qs = qs.filter(regular_price__lte=plan.price_max)
        agg = qs.aggregate(products=Count("id"), brands=Count("brand", distinct=True))
        out.append(Gap(plan=plan, products=agg["products"], brands=agg["brands"]))
    out.sort(key=lambda g: (not g.below_plan, -(g.products_short + g.brands_short), g.plan.category.code))
    return out
