"""Reads of the marketing side of e-commerce operations (EC-2..5, LC-3, LC-4): the campaign calendar
and a campaign's results, budgets with their spend and the overspend alert, ad spend and ROI, KPI
tracking, product performance and lifecycle tags.

Every read is scoped to the actor: campaigns and budgets by their department, ad spend, rollups and
KPI figures by the shops the actor may see (``shops_visible``). Figures come from the daily rollups,
never from the order lines. Money is whole fen in and out; ``fen_to_cny`` is for display only.

The money maths (ROI, a budget's spend, KPI progress) are small pure functions here so that tests can
check them exhaustively (hypothesis), apart from the queries that feed them.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import CharField, Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Cast
from django.utils import timezone

from liveops.commerce.models import (
    AdSpend,
    Budget,
    Campaign,
    DailyDimensionRollup,
    DailyShopRollup,
    Kpi,
    KpiMeasurement,
    KpiTarget,
    PeriodBuyers,
    ProductLifecycle,
    Shop,
)
from liveops.commerce.selectors.shops import shop_ids_visible, shops_visible
from liveops.core.access import Access, scope_queryset

PRODUCT = DailyDimensionRollup.Dimension.PRODUCT
CENT = Decimal("0.01")
MAX_CALENDAR_CAMPAIGNS = 500
PERFORMANCE_SORTS = {
    "gmv": "gmv_fen",
    "units": "units",
    "orders": "orders_paid",
    "refund_rate": "refund_rate",
    "title": "title",
}


# Pure maths ---------------------------------------------------------------------------------------


def fen_to_cny(fen: int | None) -> Decimal | None:
    """Whole fen → CNY with two decimals, exactly (for display and the API's ``*_cny`` fields)."""
    if fen is None:
        return None
    return (Decimal(int(fen)) / 100).quantize(CENT)


def roi(gmv_fen: int, spend_fen: int) -> Decimal | None:
    """Return on ad spend: attributed GMV divided by spend, rounded half-up to two decimals.
    ``None`` when nothing was spent (no ROI, rather than infinity)."""
    if spend_fen <= 0:
        return None
    return (Decimal(int(gmv_fen)) / Decimal(int(spend_fen))).quantize(CENT, rounding=ROUND_HALF_UP)


def percent(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """``part / whole`` in percent points with two decimals (half-up); ``None`` when whole is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class SpendRow:
    """Ad spend summed per shop, channel, campaign link and day (what budgets are compared with)."""

    shop_id: int
    department_id: int
    channel: str
    campaign_id: int | None
    day: dt.date
    spend_fen: int


@dataclass(frozen=True)
class BudgetScope:
    """What a budget covers (see ``Budget``): period, and optionally campaign, shop and channel; a
    budget with neither shop nor campaign covers every shop of its department."""

    period_start: dt.date
    period_end: dt.date
    department_id: int
    campaign_id: int | None = None
    shop_id: int | None = None
    channel: str = ""

    @classmethod
    def of(cls, budget: Budget) -> BudgetScope:
        return cls(
            period_start=budget.period_start,
            period_end=budget.period_end,
            department_id=budget.department_id,
            campaign_id=budget.campaign_id,
            shop_id=budget.shop_id,
            channel=budget.channel or "",
        )

    def covers(self, row: SpendRow) -> bool:
        if not (self.period_start <= row.day <= self.period_end):
            return False
        if self.channel and row.channel != self.channel:
            return False
        if self.campaign_id is not None and row.campaign_id != self.campaign_id:
            return False
        if self.shop_id is not None:
            return row.shop_id == self.shop_id
        if self.campaign_id is None:
            return row.department_id == self.department_id
        return True


def spend_in_scope(scope: BudgetScope, rows: Iterable[SpendRow]) -> int:
    """The spend (fen) of ``rows`` that falls in the budget's scope."""
    return sum(r.spend_fen for r in rows if scope.covers(r))


def kpi_progress(
    actual: Decimal | None, target: Decimal, *, higher_is_better: bool
) -> tuple[Decimal | None, bool]:
    """(progress in percent, target met). Higher is better: actual / target (met when actual ≥
    target; a zero target is met at once). Lower is better (refund rate): met when actual ≤ target,
    and progress is target / actual when it is not (100 when met). ``None`` progress without an actual."""
    if actual is None:
        return None, False
    if higher_is_better:
        if target <= 0:
            return Decimal(100), True
        return percent(actual, target), actual >= target
    if actual <= target:
        return Decimal(100), True
    return percent(target, actual), False


# Campaigns and the calendar -----------------------------------------------------------------------


def campaign_list(
    *,
    access: Access,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    status: str = "",
    kind: str = "",
) -> QuerySet[Campaign]:
    """Campaigns of the departments the actor sees, overlapping [date_from, date_to] when given."""
    qs = scope_queryset(Campaign.objects.all(), access=access, capability="commerce.view")
    if date_from:
        qs = qs.filter(ends_on__gte=date_from)
    if date_to:
        qs = qs.filter(starts_on__lte=date_to)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.select_related("department", "owner")


def campaign_get(*, access: Access, pk: int) -> Campaign | None:
    return campaign_list(access=access).filter(pk=pk).first()


def _month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def _shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def calendar_month(*, access: Access, year: int, month: int, today: dt.date | None = None) -> dict:
    """A month of the activity calendar: weeks (Monday first) of days, each with the campaigns
    running that day, plus the previous and next month."""
    first, last = _month_bounds(year, month)
    grid_start = first - dt.timedelta(days=first.weekday())
    grid_end = last + dt.timedelta(days=6 - last.weekday())
    campaigns = list(
        campaign_list(access=access, date_from=grid_start, date_to=grid_end)
        .exclude(status=Campaign.Status.CANCELLED)
        .order_by("starts_on", "name")[:MAX_CALENDAR_CAMPAIGNS]
    )
    weeks: list[list[dict]] = []
    day = grid_start
    while day <= grid_end:
        week = []
        for _i in range(7):
            week.append(
                {
                    "day": day,
                    "in_month": day.month == month,
                    "is_today": day == today,
                    "campaigns": [c for c in campaigns if c.starts_on <= day <= c.ends_on],
                }
            )
            day += dt.timedelta(days=1)
        weeks.append(week)
    prev_y, prev_m = _shift_month(year, month, -1)
    next_y, next_m = _shift_month(year, month, 1)
    return {
        "year": year,
        "month": month,
        "first": first,
        "last": last,
        "weeks": weeks,
        "campaigns": [c for c in campaigns if c.starts_on <= last and c.ends_on >= first],
        "prev": {"year": prev_y, "month": prev_m},
        "next": {"year": next_y, "month": next_m},
    }


def calendar_year(*, access: Access, year: int) -> dict:
    """A year of the activity calendar: the campaigns of each month (a campaign spanning months
    shows in each), and the year's GMV goals."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    campaigns = list(
        campaign_list(access=access, date_from=start, date_to=end)
        .exclude(status=Campaign.Status.CANCELLED)
        .order_by("starts_on", "name")[:MAX_CALENDAR_CAMPAIGNS]
    )
    months = []
    for m in range(1, 13):
        first, last = _month_bounds(year, m)
        months.append(
            {
                "month": m,
                "first": first,
                "campaigns": [c for c in campaigns if c.starts_on <= last and c.ends_on >= first],
            }
        )
    return {
        "year": year,
        "months": months,
        "campaigns": campaigns,
        "goal_gmv_fen": sum(c.goal_gmv_fen for c in campaigns),
        "prev": year - 1,
        "next": year + 1,
    }


def _visible_shop_ids(access: Access, shop_ids: Iterable[int] | None = None) -> list[int]:
    visible = shop_ids_visible(access=access)
    if shop_ids is None:
        return visible
    wanted = set(shop_ids)
    return [s for s in visible if s in wanted]


def shop_gmv(*, shop_ids: Sequence[int], date_from: dt.date, date_to: dt.date) -> int:
    """GMV (fen) of the shops over the days, from the daily shop rollups."""
    if not shop_ids:
        return 0
    total = DailyShopRollup.objects.filter(
        shop_id__in=list(shop_ids), day__gte=date_from, day__lte=date_to
    ).aggregate(v=Sum("gmv_fen"))["v"]
    return int(total or 0)


def product_gmv_by_product(
    *, product_ids: Sequence[int], shop_ids: Sequence[int], date_from: dt.date, date_to: dt.date
) -> dict[int, dict]:
    """Per product: GMV, units and paid lines in the shops over the days (product breakdown rollups)."""
    if not product_ids or not shop_ids:
        return {}
    rows = (
        DailyDimensionRollup.objects.filter(
            dimension=PRODUCT,
            key__in=[str(p) for p in product_ids],
            shop_id__in=list(shop_ids),
            day__gte=date_from,
            day__lte=date_to,
        )
        .values("key")
        .annotate(gmv=Sum("gmv_fen"), units=Sum("units"), lines=Sum("lines_paid"))
    )
    return {
        int(r["key"]): {
            "gmv_fen": int(r["gmv"] or 0),
            "units": int(r["units"] or 0),
            "lines": int(r["lines"] or 0),
        }
        for r in rows
    }


def campaign_spend(*, campaign: Campaign, shop_ids: Sequence[int] | None = None) -> int:
    """Ad spend (fen) linked to the campaign (in the given shops, when given)."""
    qs = AdSpend.objects.filter(campaign=campaign)
    if shop_ids is not None:
        qs = qs.filter(shop_id__in=list(shop_ids))
    return int(qs.aggregate(v=Sum("spend_fen"))["v"] or 0)


def campaign_performance(*, access: Access, campaign: Campaign, today: dt.date | None = None) -> dict:
    """A campaign's goal against its results, read from the rollups over its dates:

    - ``shop_gmv_fen``: GMV of the campaign's shops over its dates;
    - ``product_gmv_fen``: GMV of the campaign's products over its dates, in its shops (or in every
      shop the actor sees when the campaign names no shop);
    - ``attributed_gmv_fen``: the product GMV when the campaign names products, else the shop GMV;
    - ``spend_fen``: ad spend linked to the campaign; ``roi`` = attributed GMV / spend;
    - ``goal_pct``: attributed GMV / GMV goal, in percent; ``elapsed_pct``: share of its days gone.

    Only shops the actor may see are counted (``hidden_shops`` says how many were left out)."""
    linked_shops = list(campaign.shops.values_list("id", flat=True))
    shop_ids = _visible_shop_ids(access, linked_shops)
    product_ids = list(campaign.products.values_list("id", flat=True))
    product_shop_ids = shop_ids if linked_shops else _visible_shop_ids(access)
    start, end = campaign.starts_on, campaign.ends_on
    s_gmv = shop_gmv(shop_ids=shop_ids, date_from=start, date_to=end)
    per_product = product_gmv_by_product(
        product_ids=product_ids, shop_ids=product_shop_ids, date_from=start, date_to=end
    )
    p_gmv = sum(v["gmv_fen"] for v in per_product.values())
    attributed = p_gmv if product_ids else s_gmv
    visible_spend_shops = _visible_shop_ids(access)
    spend = campaign_spend(campaign=campaign, shop_ids=visible_spend_shops)
    today = today or timezone.localdate()
    total_days = (end - start).days + 1
    elapsed = 0 if today < start else total_days if today > end else (today - start).days + 1
    daily = _campaign_daily(
        campaign=campaign,
        shop_ids=shop_ids,
        product_ids=product_ids,
        product_shop_ids=product_shop_ids,
        spend_shop_ids=visible_spend_shops,
    )
    return {
        "shop_gmv_fen": s_gmv,
        "product_gmv_fen": p_gmv,
        "attributed_gmv_fen": attributed,
        "attributed_from": "products" if product_ids else "shops",
        "spend_fen": spend,
        "roi": roi(attributed, spend),
        "goal_pct": percent(attributed, campaign.goal_gmv_fen),
        "elapsed_pct": percent(elapsed, total_days),
        "per_product": per_product,
        "hidden_shops": len(linked_shops) - len(shop_ids),
        "daily": daily,
    }


def _campaign_daily(
    *,
    campaign: Campaign,
    shop_ids: list[int],
    product_ids: list[int],
    product_shop_ids: list[int],
    spend_shop_ids: list[int],
) -> list[dict]:
    """Attributed GMV and spend per day of the campaign (for its chart and table)."""
    start, end = campaign.starts_on, campaign.ends_on
    gmv: dict[dt.date, int] = defaultdict(int)
    if product_ids:
        if product_shop_ids:
            for r in (
                DailyDimensionRollup.objects.filter(
                    dimension=PRODUCT,
                    key__in=[str(p) for p in product_ids],
                    shop_id__in=product_shop_ids,
                    day__gte=start,
                    day__lte=end,
                )
                .values("day")
                .annotate(v=Sum("gmv_fen"))
            ):
                gmv[r["day"]] += int(r["v"] or 0)
    elif shop_ids:
        for r in (
            DailyShopRollup.objects.filter(shop_id__in=shop_ids, day__gte=start, day__lte=end)
            .values("day")
            .annotate(v=Sum("gmv_fen"))
        ):
            gmv[r["day"]] += int(r["v"] or 0)
    spend: dict[dt.date, int] = defaultdict(int)
    for r in (
        AdSpend.objects.filter(campaign=campaign, shop_id__in=spend_shop_ids)
        .values("day")
        .annotate(v=Sum("spend_fen"))
    ):
        spend[r["day"]] += int(r["v"] or 0)
    out = []
    day = start
    while day <= end:
        out.append({"day": day, "gmv_fen": gmv.get(day, 0), "spend_fen": spend.get(day, 0)})
        day += dt.timedelta(days=1)
    return out


# Ad spend, budgets and ROI ------------------------------------------------------------------------


def ad_spend_list(
    *,
    access: Access,
    shop_id: int | None = None,
    channel: str = "",
    campaign_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AdSpend]:
    """Ad spend rows of the shops the actor sees, newest day first."""
    qs = AdSpend.objects.filter(shop_id__in=shop_ids_visible(access=access))
    if shop_id:
        qs = qs.filter(shop_id=shop_id)
    if channel:
        qs = qs.filter(channel=channel)
    if campaign_id:
        qs = qs.filter(campaign_id=campaign_id)
    if date_from:
        qs = qs.filter(day__gte=date_from)
    if date_to:
        qs = qs.filter(day__lte=date_to)
    return qs.select_related("shop", "campaign").order_by("-day", "shop_id", "channel", "plan_id")


def spend_rows(
    *, date_from: dt.date, date_to: dt.date, shop_ids: Iterable[int] | None = None
) -> list[SpendRow]:
    """Ad spend summed per (shop, channel, campaign, day) over the days (all shops unless given)."""
    qs = AdSpend.objects.filter(day__gte=date_from, day__lte=date_to)
    if shop_ids is not None:
        qs = qs.filter(shop_id__in=list(shop_ids))
    return [
        SpendRow(
            shop_id=r["shop_id"],
            department_id=r["shop__department_id"],
            channel=r["channel"],
            campaign_id=r["campaign_id"],
            day=r["day"],
            spend_fen=int(r["v"] or 0),
        )
        for r in qs.values("shop_id", "shop__department_id", "channel", "campaign_id", "day").annotate(
            v=Sum("spend_fen")
        )
    ]


def budget_spend(budgets: Sequence[Budget]) -> dict[int, int]:
    """Spend (fen) in each budget's scope, with one query for all of them."""
    if not budgets:
        return {}
    first = min(b.period_start for b in budgets)
    last = max(b.period_end for b in budgets)
    rows = sorted(spend_rows(date_from=first, date_to=last), key=lambda r: r.day)
    days = [r.day for r in rows]
    out = {}
    for b in budgets:
        # Only the rows of the budget's own period are looked at (rows are sorted by day).
        lo, hi = bisect.bisect_left(days, b.period_start), bisect.bisect_right(days, b.period_end)
        out[b.pk] = spend_in_scope(BudgetScope.of(b), rows[lo:hi])
    return out


@dataclass
class BudgetStatus:
    """A budget with its spend: remaining amount, share used, overspent or not."""

    budget: Budget
    spend_fen: int
    remaining_fen: int = field(init=False)
    used_pct: Decimal | None = field(init=False)
    overspent: bool = field(init=False)

    def __post_init__(self) -> None:
        self.remaining_fen = self.budget.amount_fen - self.spend_fen
        self.used_pct = percent(self.spend_fen, self.budget.amount_fen)
        self.overspent = self.spend_fen > self.budget.amount_fen


def budget_queryset(*, access: Access) -> QuerySet[Budget]:
    return scope_queryset(Budget.objects.all(), access=access, capability="commerce.view").select_related(
        "campaign", "shop", "department", "set_by"
    )


def budget_list(
    *,
    access: Access,
    campaign_id: int | None = None,
    shop_id: int | None = None,
    active_on: dt.date | None = None,
    limit: int = 500,
) -> list[BudgetStatus]:
    """Budgets the actor sees (by department), newest period first, each with its spend."""
    qs = budget_queryset(access=access)
    if campaign_id:
        qs = qs.filter(campaign_id=campaign_id)
    if shop_id:
        qs = qs.filter(shop_id=shop_id)
    if active_on:
        qs = qs.filter(period_start__lte=active_on, period_end__gte=active_on)
    budgets = list(qs.order_by("-period_start", "-id")[:limit])
    spend = budget_spend(budgets)
    return [BudgetStatus(budget=b, spend_fen=spend[b.pk]) for b in budgets]


def budgets_overspent(*, access: Access) -> list[BudgetStatus]:
    """Budgets the actor sees whose spend has passed their amount (for the budgets page, campaign
    pages and the dashboards' alert list), largest overrun first."""
    rows = [s for s in budget_list(access=access, limit=5000) if s.overspent]
    return sorted(rows, key=lambda s: (s.remaining_fen, -s.budget.pk))


def roi_by_shop(*, access: Access, date_from: dt.date, date_to: dt.date) -> list[dict]:
    """Per visible shop over the days: attributed GMV (daily rollups), ad spend, ROI, and the GMV
    the ad platforms report for the spend (their own attribution, for comparison)."""
    shops = list(shops_visible(access=access).order_by("platform", "name"))
    ids = [s.pk for s in shops]
    gmv = dict(
        DailyShopRollup.objects.filter(shop_id__in=ids, day__gte=date_from, day__lte=date_to)
        .values("shop_id")
        .annotate(v=Sum("gmv_fen"))
        .values_list("shop_id", "v")
    )
    spend = {
        r["shop_id"]: r
        for r in AdSpend.objects.filter(shop_id__in=ids, day__gte=date_from, day__lte=date_to)
        .values("shop_id")
        .annotate(spend=Sum("spend_fen"), platform_gmv=Sum("platform_gmv_fen"))
    }
    rows = []
    for shop in shops:
        g = int(gmv.get(shop.pk) or 0)
        s = int((spend.get(shop.pk) or {}).get("spend") or 0)
        pg = int((spend.get(shop.pk) or {}).get("platform_gmv") or 0)
        rows.append(
            {
                "shop": shop,
                "gmv_fen": g,
                "spend_fen": s,
                "roi": roi(g, s),
                "platform_gmv_fen": pg,
                "platform_roi": roi(pg, s),
            }
        )
    return rows


def spend_by_channel(*, access: Access, date_from: dt.date, date_to: dt.date) -> list[dict]:
    """Per channel over the days (visible shops): spend, impressions, clicks, CTR, the GMV the
    platform reports and its ROI (GMV is not split by channel in our rollups)."""
    rows = (
        AdSpend.objects.filter(
            shop_id__in=shop_ids_visible(access=access), day__gte=date_from, day__lte=date_to
        )
        .values("channel")
        .annotate(
            spend=Sum("spend_fen"),
            impressions=Sum("impressions"),
            clicks=Sum("clicks"),
            platform_gmv=Sum("platform_gmv_fen"),
        )
        .order_by("channel")
    )
    labels = dict(AdSpend._meta.get_field("channel").choices)
    return [
        {
            "channel": r["channel"],
            "label": labels.get(r["channel"], r["channel"]),
            "spend_fen": int(r["spend"] or 0),
            "impressions": int(r["impressions"] or 0),
            "clicks": int(r["clicks"] or 0),
            "ctr_pct": percent(int(r["clicks"] or 0), int(r["impressions"] or 0)),
            "platform_gmv_fen": int(r["platform_gmv"] or 0),
            "platform_roi": roi(int(r["platform_gmv"] or 0), int(r["spend"] or 0)),
        }
        for r in rows
    ]


# KPIs ---------------------------------------------------------------------------------------------


def kpi_list(*, access: Access, active_only: bool = False) -> QuerySet[Kpi]:
    """KPI definitions (company-wide; anyone who reads e-commerce data may read them)."""
    if not access.can("commerce.view"):
        return Kpi.objects.none()
    qs = Kpi.objects.all()
    return qs.filter(is_active=True) if active_only else qs


def sees_all_shops(access: Access) -> bool:
    """Whether the actor sees every shop (company totals are shown only to them)."""
    return not Shop.objects.exclude(pk__in=shop_ids_visible(access=access)).exists()


def kpi_target_list(
    *,
    access: Access,
    kpi_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[KpiTarget]:
    """Targets of visible shops (and company totals for actors who see every shop), overlapping the days."""
    if not access.can("commerce.view"):
        return KpiTarget.objects.none()
    cond = Q(shop_id__in=shop_ids_visible(access=access))
    if sees_all_shops(access):
        cond |= Q(shop__isnull=True)
    qs = KpiTarget.objects.filter(cond)
    if kpi_id:
        qs = qs.filter(kpi_id=kpi_id)
    if date_from:
        qs = qs.filter(period_end__gte=date_from)
    if date_to:
        qs = qs.filter(period_start__lte=date_to)
    return qs.select_related("kpi", "shop", "set_by").order_by("-period_start", "kpi__code", "shop_id")


def kpi_measurement_list(
    *,
    access: Access,
    kpi_id: int | None = None,
    shop_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[KpiMeasurement]:
    if not access.can("commerce.view"):
        return KpiMeasurement.objects.none()
    cond = Q(shop_id__in=shop_ids_visible(access=access))
    if sees_all_shops(access):
        cond |= Q(shop__isnull=True)
    qs = KpiMeasurement.objects.filter(cond)
    if kpi_id:
        qs = qs.filter(kpi_id=kpi_id)
    if shop_id:
        qs = qs.filter(shop_id=shop_id)
    if date_from:
        qs = qs.filter(day__gte=date_from)
    if date_to:
        qs = qs.filter(day__lte=date_to)
    return qs.select_related("kpi", "shop").order_by("-day", "kpi__code")


@dataclass(frozen=True)
class RollupSums:
    """Sums of the daily shop rollups over some shops and days (what computed KPIs are made of)."""

    gmv_fen: int = 0
    orders_paid: int = 0
    orders_submitted: int = 0
    lines_paid: int = 0
    refund_lines: int = 0
    buyers: int = 0


def metric_value(metric: str, sums: RollupSums) -> Decimal | None:
    """A computed KPI from rollup sums, in its unit: GMV and AOV in fen, rates in percent points.
    ``None`` when the rate has no denominator (no orders)."""
    if metric == Kpi.Metric.GMV:
        return Decimal(sums.gmv_fen)
    if metric == Kpi.Metric.ORDERS:
        return Decimal(sums.orders_paid)
    if metric == Kpi.Metric.BUYERS:
        return Decimal(sums.buyers)
    if metric == Kpi.Metric.AOV:
        if not sums.orders_paid:
            return None
        return (Decimal(sums.gmv_fen) / sums.orders_paid).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if metric == Kpi.Metric.PAYMENT_CONVERSION:
        return percent(sums.orders_paid, sums.orders_submitted)
    if metric == Kpi.Metric.REFUND_RATE:
        return percent(sums.refund_lines, sums.lines_paid)
    return None


def rollup_sums(*, shop_ids: Sequence[int], date_from: dt.date, date_to: dt.date) -> dict[int, RollupSums]:
    """Per shop, the rollup sums over the days. Buyers: the distinct buyers of the month (or ISO
    week) when the period is exactly one, else the sum of daily distinct buyers (an upper bound:
    a buyer who came back on two days counts twice)."""
    if not shop_ids:
        return {}
    rows = (
        DailyShopRollup.objects.filter(shop_id__in=list(shop_ids), day__gte=date_from, day__lte=date_to)
        .values("shop_id")
        .annotate(
            gmv=Sum("gmv_fen"),
            op=Sum("orders_paid"),
            os=Sum("orders_submitted"),
            lp=Sum("lines_paid"),
            rl=Sum("refund_lines"),
            b=Sum("buyers"),
        )
    )
    grain = _exact_grain(date_from, date_to)
    period_buyers = {}
    if grain:
        period_buyers = dict(
            PeriodBuyers.objects.filter(
                shop_id__in=list(shop_ids), grain=grain, period_start=date_from
            ).values_list("shop_id", "buyers")
        )
    out = {}
    for r in rows:
        buyers = period_buyers.get(r["shop_id"], int(r["b"] or 0)) if grain else int(r["b"] or 0)
        out[r["shop_id"]] = RollupSums(
            gmv_fen=int(r["gmv"] or 0),
            orders_paid=int(r["op"] or 0),
            orders_submitted=int(r["os"] or 0),
            lines_paid=int(r["lp"] or 0),
            refund_lines=int(r["rl"] or 0),
            buyers=buyers,
        )
    return out


def _exact_grain(date_from: dt.date, date_to: dt.date) -> str | None:
    if date_from.day == 1 and date_to == _month_bounds(date_from.year, date_from.month)[1]:
        return PeriodBuyers.Grain.MONTH
    if date_from.weekday() == 0 and (date_to - date_from).days == 6:
        return PeriodBuyers.Grain.WEEK
    return None


def add_sums(parts: Iterable[RollupSums]) -> RollupSums:
    total = RollupSums()
    for p in parts:
        total = RollupSums(
            gmv_fen=total.gmv_fen + p.gmv_fen,
            orders_paid=total.orders_paid + p.orders_paid,
            orders_submitted=total.orders_submitted + p.orders_submitted,
            lines_paid=total.lines_paid + p.lines_paid,
            refund_lines=total.refund_lines + p.refund_lines,
            buyers=total.buyers + p.buyers,
        )
    return total


def entered_value(kpi: Kpi, values: Sequence[Decimal]) -> Decimal | None:
    """Entered KPIs over a period: counts and amounts add up; percentages and ratios are averaged
    over the days that have a value (4 decimals, half-up)."""
    if not values:
        return None
    if kpi.unit in (Kpi.Unit.COUNT, Kpi.Unit.FEN):
        return sum(values, Decimal(0))
    return (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def kpi_actual(
    *, kpi: Kpi, shop_ids: Sequence[int] | None, date_from: dt.date, date_to: dt.date
) -> Decimal | None:
    """A KPI's actual over the days: for one shop (a one-element list) or, with ``shop_ids=None``,
    for the company (every shop; entered KPIs prefer values entered for the company as a whole)."""
    if kpi.metric:
        ids = list(shop_ids) if shop_ids is not None else list(Shop.objects.values_list("id", flat=True))
        sums = add_sums(rollup_sums(shop_ids=ids, date_from=date_from, date_to=date_to).values())
        return metric_value(kpi.metric, sums)
    qs = KpiMeasurement.objects.filter(kpi=kpi, day__gte=date_from, day__lte=date_to)
    if shop_ids is None:
        total = list(qs.filter(shop__isnull=True).values_list("value", flat=True))
        if total:
            return entered_value(kpi, total)
        if kpi.unit in (Kpi.Unit.COUNT, Kpi.Unit.FEN):
            return entered_value(kpi, list(qs.values_list("value", flat=True)))
        return entered_value(kpi, list(qs.exclude(shop__isnull=True).values_list("value", flat=True)))
    return entered_value(kpi, list(qs.filter(shop_id__in=list(shop_ids)).values_list("value", flat=True)))


def kpi_display(kpi: Kpi, value: Decimal | None) -> str:
    """A KPI value as people read it: CNY for amounts, ``3.50%`` for percentages."""
    if value is None:
        return "–"
    if kpi.unit == Kpi.Unit.FEN:
        return f"¥{fen_to_cny(int(value.to_integral_value(rounding=ROUND_HALF_UP))):,}"
    if kpi.unit == Kpi.Unit.PERCENT:
        return f"{value.quantize(CENT, rounding=ROUND_HALF_UP)}%"
    if kpi.unit == Kpi.Unit.COUNT:
        return f"{value.to_integral_value(rounding=ROUND_HALF_UP):,}"
    return str(value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP).normalize())


def kpi_tracking(
    *,
    access: Access,
    date_from: dt.date,
    date_to: dt.date,
    shop_id: int | None = None,
    today: dt.date | None = None,
) -> list[dict]:
    """Targets overlapping [date_from, date_to] with their actual over the target's own period (so
    far; none before it starts), progress and whether they are met, and how much of the period has gone by."""
    today = today or timezone.localdate()
    targets = kpi_target_list(access=access, date_from=date_from, date_to=date_to)
    if shop_id:
        targets = targets.filter(shop_id=shop_id)
    rows = []
    for t in targets[:500]:
        # The whole period (days to come have no data yet), so that a month's target reads the
        # month's distinct buyers.
        actual = (
            kpi_actual(
                kpi=t.kpi,
                shop_ids=[t.shop_id] if t.shop_id else None,
                date_from=t.period_start,
                date_to=t.period_end,
            )
            if today >= t.period_start
            else None
        )
        progress, met = kpi_progress(actual, t.target, higher_is_better=t.kpi.higher_is_better)
        days = (t.period_end - t.period_start).days + 1
        gone = (
            0
            if today < t.period_start
            else days
            if today > t.period_end
            else (today - t.period_start).days + 1
        )
        rows.append(
            {
                "target": t,
                "kpi": t.kpi,
                "shop": t.shop,
                "actual": actual,
                "actual_display": kpi_display(t.kpi, actual),
                "target_display": kpi_display(t.kpi, t.target),
                "progress_pct": progress,
                "bar_pct": min(int(progress or 0), 100),
                "met": met,
                "elapsed_pct": percent(gone, days),
            }
        )
    return rows


# Product performance and lifecycle (LC-4, EC-5) ---------------------------------------------------


def product_performance(
    *,
    access: Access,
    date_from: dt.date,
    date_to: dt.date,
    shop_id: int | None = None,
    sort: str = "-gmv",
    tag: str = "",
    limit: int | None = 500,
) -> list[dict]:
    """Per product over the days, in the shops the actor sees (or one of them): GMV, units, paid
    orders and lines, refunded lines and amount, refund rate, lifecycle tag and what it suggests for
    the next session's line-up. Lines not yet matched to a product come as one row (``product_id``
    None). ``sort`` is one of gmv, units, orders, refund_rate, title, with ``-`` for descending."""
    shop_ids = shop_ids_visible(access=access)
    if shop_id:
        shop_ids = [s for s in shop_ids if s == shop_id]
    if not shop_ids:
        return []
    agg = (
        DailyDimensionRollup.objects.filter(
            dimension=PRODUCT, shop_id__in=shop_ids, day__gte=date_from, day__lte=date_to
        )
        .values("key")
        .annotate(
            gmv=Sum("gmv_fen"),
            units=Sum("units"),
            orders=Sum("orders_paid"),
            lines=Sum("lines_paid"),
            refund_lines=Sum("refund_lines"),
            refund_fen=Sum("refund_fen"),
        )
    )
    from liveops.commerce.selectors.dashboards import figures_cache_key, figures_cached, rollups_stamp
    from liveops.sourcing.models import Product

    # The sums are read from the rollups only, so they are cached under the shops' rollup stamp,
    # which every refresh moves (as the dashboards' figures are).
    cache_key = figures_cache_key(rollups_stamp(shop_ids=shop_ids), "product-performance", date_from, date_to)
    rows_raw = figures_cached(cache_key, lambda: list(agg))
    ids = [int(r["key"]) for r in rows_raw if r["key"].isdigit()]
    products = {p.pk: p for p in Product.objects.filter(pk__in=ids).select_related("merchant")}
    tags = {pl.product_id: pl for pl in ProductLifecycle.objects.filter(product_id__in=ids)}
    rows = []
    for r in rows_raw:
        pid = int(r["key"]) if r["key"].isdigit() else None
        product = products.get(pid) if pid else None
        if pid and product is None:
            continue  # a product deleted since
        lifecycle = tags.get(pid) if pid else None
        if tag and (lifecycle is None or lifecycle.tag != tag):
            continue
        lines = int(r["lines"] or 0)
        rows.append(
            {
                "product_id": pid,
                "product": product,
                "title": product.title if product else "",
                "merchant": product.merchant.name if product else "",
                "gmv_fen": int(r["gmv"] or 0),
                "units": int(r["units"] or 0),
                "orders_paid": int(r["orders"] or 0),
                "lines_paid": lines,
                "refund_lines": int(r["refund_lines"] or 0),
                "refund_fen": int(r["refund_fen"] or 0),
                "refund_rate": percent(int(r["refund_lines"] or 0), lines),
                "tag": lifecycle.tag if lifecycle else "",
                "tag_label": lifecycle.get_tag_display() if lifecycle else "",
                "lineup": LINEUP_ADVICE.get(lifecycle.tag, "") if lifecycle else "",
            }
        )
    desc = sort.startswith("-")
    key = PERFORMANCE_SORTS.get(sort.lstrip("-"), "gmv_fen")

    def sort_key(row):
        value = row[key]
        if value is None:
            value = Decimal(-1)
        return (value, -(row["product_id"] or 0)) if desc else (value, row["product_id"] or 0)

    rows.sort(key=sort_key, reverse=desc)
    return rows[:limit] if limit else rows


# What each tag suggests for the next session's line-up (LC-4). English msgids, translated in views.
LINEUP_ADVICE = {
    ProductLifecycle.Tag.HIT: "keep",
    ProductLifecycle.Tag.RISING: "push",
    ProductLifecycle.Tag.NEW: "test",
    ProductLifecycle.Tag.LONG_TAIL: "rotate",
    ProductLifecycle.Tag.CLEARANCE: "clear",
}


def lifecycle_list(*, access: Access, tag: str = "") -> QuerySet[ProductLifecycle]:
    """Products with their lifecycle tag, limited to products sold in shops the actor sees."""
    if not access.can("commerce.view"):
        return ProductLifecycle.objects.none()
    qs = ProductLifecycle.objects.select_related("product", "product__merchant")
    if tag:
        qs = qs.filter(tag=tag)
    if not sees_all_shops(access):
        sold_here = DailyDimensionRollup.objects.filter(
            dimension=PRODUCT,
            shop_id__in=shop_ids_visible(access=access),
            key=Cast(OuterRef("product_id"), output_field=CharField()),
        )
        qs = qs.filter(Exists(sold_here))
    return qs.order_by("tag", "-computed_at", "product_id")


def lifecycle_counts(*, access: Access) -> dict[str, int]:
    counts = {t: 0 for t in ProductLifecycle.Tag.values}
    for row in lifecycle_list(access=access).order_by().values("tag").annotate(n=Count("id")):
        counts[row["tag"]] = int(row["n"] or 0)
    return counts
