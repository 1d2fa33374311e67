"""Reads of the shop dashboards, the anchor and product sales pages: daily rollups only.

Every function here reads ``DailyShopRollup``, ``DailyDimensionRollup`` and ``PeriodBuyers`` (and
the few shops, anchors, products and merchants whose names it shows), never ``OrderLine``: a month
of a shop is 30 rows, not hundreds of thousands, so the pages stay fast over millions of lines.

Which time each figure uses (see ``liveops.commerce.models.rollups``): lines count on the local
(Asia/Shanghai) day they were paid; submitted orders count on the day they were submitted; refunds
count on the day the refunded line was paid. ``TIME_BASIS`` says so for each figure, and the pages
and the API repeat it next to the numbers.

Callers pass the ids of the shops to read, already scoped with ``shop_ids_visible``; the anchor and
product pages pass the visible shops too, so nobody sees sales of shops outside their scope."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import polars as pl
from django.core.cache import cache
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection
from django.db.models import Case, CharField, F, Func, Sum, Value, When
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from liveops.commerce.models import (
    AnchorAccount,
    DailyDimensionRollup,
    DailyShopRollup,
    PeriodBuyers,
    Shop,
)
from liveops.sourcing.models import Merchant, Product

GRAINS = ("day", "week", "month")
# The breakdowns a dashboard shows (the rollups may carry more, see ``ANCHOR_PRODUCT``).
DIMENSIONS = ("hour", "province", "source", "anchor", "product", "merchant")
# Breakdowns by product, anchor and merchant show the best sellers; the rest is one "others" row.
TOP_ROWS = 20
# The longest range a page or API call may read (per grain, in days), so one call stays cheap.
MAX_SPAN_DAYS = {"day": 400, "week": 800, "month": 1900}
DEFAULT_SPAN = {"day": 30, "week": 12, "month": 12}  # periods shown when no dates are given
# Breakdowns read one row per shop, day and key: they cover one period, or a range of at most this
# many days (a year of products over several shops would be a million rows to add up).
MAX_BREAKDOWN_DAYS = 92
# With no period chosen, a range up to this long is broken down whole; a longer one by its last
# period with sales.
WHOLE_BREAKDOWN_DAYS = 31
PERIOD_ALL = "all"
# Dates outside these are refused by the forms and clamped here (no order is older or newer).
DATE_MIN = dt.date(2000, 1, 1)
DATE_MAX = dt.date(2099, 12, 31)
# Validators for date (and date-time) inputs: the range the dashboards and day-by-day figures accept,
# far inside Python's and the databases' limits, so a day added or subtracted never overflows.
DATE_BOUNDS = [MinValueValidator(DATE_MIN), MaxValueValidator(DATE_MAX)]
DATETIME_BOUNDS = [
    MinValueValidator(dt.datetime.combine(DATE_MIN, dt.time.min, tzinfo=dt.UTC)),
    MaxValueValidator(dt.datetime.combine(DATE_MAX, dt.time.max, tzinfo=dt.UTC)),
]
# The products an anchor sold (``ANCHOR_PRODUCT``) and the anchors that sold a product
# (``PRODUCT_ANCHOR``). Not kept in the rollups: an anchor × product row per shop and day would be as
# many rows as lines when anchors sell hundreds of products (costing a million-line import seconds);
# they are computed from the lines of one anchor or product, for at most ``MAX_BREAKDOWN_DAYS``.
ANCHOR_PRODUCT = "anchorprod"
PRODUCT_ANCHOR = "prodanchor"
_PAIR_COLUMNS = {
    ANCHOR_PRODUCT: ("anchor_account_id", "product_id"),
    PRODUCT_ANCHOR: ("product_id", "anchor_account_id"),
}

SUMS = ("gmv_fen", "orders_paid", "lines_paid", "units", "refund_fen", "refund_lines")
SHOP_SUMS = (*SUMS, "buyers", "orders_submitted")

# Which time each figure uses. Shown beside the figures on every page and in the API.
TIME_BASIS = {
    "gmv": _("GMV: amount paid by buyers on lines paid in the period (pay time)."),
    "orders_paid": _("Paid orders: orders with a line paid in the period (pay time)."),
    "buyers": _(
        "Buyers: distinct buyers who paid in the period (pay time), per shop; a buyer of two shops "
        "counts in each."
    ),
    "aov": _("Average order value: GMV ÷ paid orders (pay time)."),
    "refund_rate": _(
        "Refund rate: refunds of the lines paid in the period ÷ their GMV (counted on the pay day of "
        "the refunded line, not the refund day)."
    ),
    "conversion": _(
        "Payment conversion: paid orders (pay time) ÷ orders submitted (submit time); an order "
        "submitted late one day and paid the next counts on two days, so a single day can exceed 100%."
    ),
    "hour": _("Hour: the hour of payment (Asia/Shanghai)."),
    "breakdown": _(
        "Breakdowns count paid lines by pay time; an order with lines in two products or provinces "
        "counts in each, so their order counts do not add up to the total."
    ),
}


# Periods ----------------------------------------------------------------------------------------


def period_start(day: dt.date, grain: str) -> dt.date:
    """The first day of the day, ISO week (Monday) or month that ``day`` is in."""
    if grain == "week":
        return day - dt.timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    return day


def period_end(start: dt.date, grain: str) -> dt.date:
    """The last day of the period that begins on ``start``."""
    if grain == "week":
        return start + dt.timedelta(days=6)
    if grain == "month":
        return (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return start


def period_next(start: dt.date, grain: str) -> dt.date:
    return period_end(start, grain) + dt.timedelta(days=1)


def periods(start: dt.date, end: dt.date, grain: str) -> list[dt.date]:
    """Starts of every period from the one holding ``start`` to the one holding ``end``."""
    out = []
    p = period_start(start, grain)
    while p <= end:
        out.append(p)
        p = period_next(p, grain)
    return out


def range_align(start: dt.date, end: dt.date, grain: str) -> tuple[dt.date, dt.date]:
    """Widen a range to whole weeks or months, so a period's figures and its buyers cover the same days."""
    return period_start(start, grain), period_end(period_start(end, grain), grain)


def range_default(grain: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The last ``DEFAULT_SPAN`` periods up to today (today's period included)."""
    n = DEFAULT_SPAN[grain]
    end = period_end(period_start(today, grain), grain)
    start = period_start(today, grain)
    for _i in range(n - 1):
        start = period_start(start - dt.timedelta(days=1), grain)
    return start, end


@dataclass(frozen=True)
class DashboardRange:
    """What a dashboard shows: the grain, the (aligned) range, and the period the breakdowns cover."""

    grain: str
    start: dt.date
    end: dt.date
    focus_start: dt.date
    focus_end: dt.date
    explicit: bool = False  # the period was chosen, not defaulted

    @property
    def focused(self) -> bool:
        return (self.focus_start, self.focus_end) != (self.start, self.end)

    @property
    def whole_allowed(self) -> bool:
        """Whether the whole range may be broken down at once."""
        return (self.end - self.start).days < MAX_BREAKDOWN_DAYS


def dashboard_range(
    *,
    grain: str = "day",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    period: dt.date | str | None = None,
    today: dt.date,
) -> DashboardRange:
    """Validate and align the choices of a dashboard (bad values fall back to the defaults; the
    forms reject them before this for the user). ``period``: a day in the period the breakdowns
    cover, or ``PERIOD_ALL`` for the whole range (when short enough); see ``focus_default``."""
    grain = grain if grain in GRAINS else "day"
    start, end = range_default(grain, today)
    if date_from or date_to:
        end = date_to or max(date_from, today)
        start = date_from or end - dt.timedelta(days=DEFAULT_SPAN["day"] - 1)
    start, end = (min(max(d, DATE_MIN), DATE_MAX) for d in (start, end))
    if end < start:
        start, end = end, start
    if (end - start).days > MAX_SPAN_DAYS[grain]:
        start = end - dt.timedelta(days=MAX_SPAN_DAYS[grain])
    start, end = range_align(start, end, grain)
    whole = DashboardRange(grain, start, end, start, end)
    if period == PERIOD_ALL and whole.whole_allowed:
        return dataclasses.replace(whole, explicit=True)
    if isinstance(period, dt.date) and start <= period <= end:
        focus = period_start(period, grain)
        return DashboardRange(grain, start, end, focus, period_end(focus, grain), explicit=True)
    return whole


def focus_default(rng: DashboardRange, series: list[dict]) -> DashboardRange:
    """The period the breakdowns cover when none was chosen: the whole range when it is short
    (``WHOLE_BREAKDOWN_DAYS``), else the last period of ``series`` with sales (or the last one)."""
    if rng.explicit or (rng.end - rng.start).days < WHOLE_BREAKDOWN_DAYS or not series:
        return rng
    latest = next((r for r in reversed(series) if r["gmv_fen"] or r["orders_submitted"]), series[-1])
    return dataclasses.replace(rng, focus_start=latest["period"], focus_end=latest["period_end"])


# Derived figures --------------------------------------------------------------------------------


def ratio(numerator: int, denominator: int) -> float | None:
    """``numerator / denominator``, or ``None`` when there is nothing to divide by."""
    return numerator / denominator if denominator else None


def average_fen(total_fen: int, count: int) -> int | None:
    """Average in whole fen, rounded half up; ``None`` for no count."""
    if not count:
        return None
    return (2 * total_fen + count) // (2 * count)


def derive(row: dict) -> dict:
    """Add average order value, refund rate and payment conversion to a row of sums."""
    row["aov_fen"] = average_fen(row.get("gmv_fen", 0), row.get("orders_paid", 0))
    row["refund_rate"] = ratio(row.get("refund_fen", 0), row.get("gmv_fen", 0))
    if "orders_submitted" in row:
        row["conversion"] = ratio(row.get("orders_paid", 0), row["orders_submitted"])
    return row


class _Unindexed(Func):
    """``column || ''``: the same text, but no index on the column can serve it. Keeps SQLite's
    planner (without ``ANALYZE`` statistics) from reading a breakdown through the (dimension, key,
    day) index, i.e. every row of the dimension in every day, instead of the shops' days."""

    template = "(%(expressions)s || '')"
    output_field = CharField()


def _zero(fields: Iterable[str]) -> dict:
    return dict.fromkeys(fields, 0)


def _sums(fields: Iterable[str]) -> dict:
    return {f: Sum(f) for f in fields}


def _clean(row: dict, fields: Iterable[str]) -> dict:
    """Sums of an aggregate row with ``None`` (no rows) as 0."""
    return {f: int(row.get(f) or 0) for f in fields}


# Shop figures -----------------------------------------------------------------------------------


def figures_series(*, shop_ids: Sequence[int], start: dt.date, end: dt.date, grain: str) -> list[dict]:
    """One row per period of ``grain`` from ``start`` to ``end`` (aligned by the caller, see
    ``dashboard_range``), summed over the shops: GMV, paid orders and lines, units, buyers, submitted
    orders, refunds, and the derived average order value, refund rate and conversion. Periods
    without data are rows of zeros (ratios ``None``), so charts have no gaps.

    Buyers of a day come from the day's rollup; of a week or month from ``PeriodBuyers`` (distinct
    buyers do not add up across days). Across shops buyers are added up."""
    starts = periods(start, end, grain)
    out = {p: {"period": p, "period_end": period_end(p, grain), **_zero(SHOP_SUMS)} for p in starts}
    if shop_ids and starts:
        daily = (
            DailyShopRollup.objects.filter(shop_id__in=list(shop_ids), day__gte=start, day__lte=end)
            .values("day")
            .annotate(buyers_unknown=_BUYERS_UNKNOWN, **_sums(SHOP_SUMS))  # before the sums take the names
            .order_by()
        )
        unknown: set[dt.date] = set()
        for r in daily:
            row = out.get(period_start(r["day"], grain))
            if row is None:
                continue
            if r["buyers_unknown"]:
                unknown.add(row["period"])
            for f in SHOP_SUMS:
                if f == "buyers" and grain != "day":
                    continue
                row[f] += int(r[f] or 0)
        if grain != "day":
            buyers = (
                PeriodBuyers.objects.filter(
                    shop_id__in=list(shop_ids),
                    grain=grain,
                    period_start__gte=start,
                    period_start__lte=end,
                )
                .values("period_start")
                .annotate(n=Sum("buyers"))
                .order_by()
            )
            for r in buyers:
                if r["period_start"] in out:
                    out[r["period_start"]]["buyers"] = int(r["n"] or 0)
        for p in unknown:
            # A shop's export without buyer identity (the Tmall report): the count is unknown, not 0.
            out[p]["buyers"] = None
    return [derive(out[p]) for p in starts]


# A shop-day with paid orders but no buyer counted: its platform's export names no buyer (the Tmall
# order report has no buyer ID, its address is the province only), so buyers there are unknown.
_BUYERS_UNKNOWN = Sum(Case(When(orders_paid__gt=0, buyers=0, then=Value(1)), default=Value(0)))
BUYERS_UNKNOWN_REASON = _(
    "Unknown: the platform's export of a shop in this period names no buyer (e.g. the Tmall order "
    "report), so distinct buyers cannot be counted."
)


def figures_total(series: list[dict]) -> dict:
    """The sums of a series with its derived ratios. Distinct buyers do not add up across periods:
    ``buyers`` is the period's own when the series has one period, else ``None``."""
    total = _zero(SHOP_SUMS)
    for row in series:
        for f in SHOP_SUMS:
            total[f] += row[f] or 0
    total["buyers"] = series[0]["buyers"] if len(series) == 1 else None
    return derive(total)


def shop_totals(*, shop_ids: Sequence[int], start: dt.date, end: dt.date) -> dict[int, dict]:
    """Per shop: the sums of ``start``…``end`` with their ratios (one query; shops without data absent)."""
    if not shop_ids:
        return {}
    rows = (
        DailyShopRollup.objects.filter(shop_id__in=list(shop_ids), day__gte=start, day__lte=end)
        .values("shop_id")
        .annotate(**_sums(SHOP_SUMS))
        .order_by()
    )
    out = {}
    for r in rows:
        row = derive(_clean(r, SHOP_SUMS))
        row["buyers"] = None  # summed daily buyers would count a returning buyer once a day
        out[r["shop_id"]] = row
    return out


def freshness(shops: Sequence[Shop]) -> list[dict]:
    """When each data source of each shop last brought rows, and when its rollups were last
    recomputed: platform data of the last hours is incomplete, so pages show these times."""
    return [
        {
            "shop": s,
            "orders_updated_at": s.orders_updated_at,
            "aftersales_updated_at": s.aftersales_updated_at,
            "settlements_updated_at": s.settlements_updated_at,
            "rollups_updated_at": s.rollups_updated_at,
        }
        for s in shops
    ]


# Cached figures -----------------------------------------------------------------------------------

# Figures computed from rollups are cached per process this long at most. Their key holds each shop's
# ``rollups_updated_at``, which every rollup refresh moves, so a cached figure is never older than the
# rollups; the time only bounds how long a renamed product or anchor keeps its old name.
FIGURES_CACHE_SECONDS = 600


def rollups_stamp(shops: Sequence[Shop] | None = None, *, shop_ids: Sequence[int] = ()) -> str:
    """A text that changes whenever the rollups of one of the shops are recomputed (from the shops when
    they are loaded already, else one query)."""
    if shops is None:
        shops = Shop.objects.filter(pk__in=list(shop_ids)).only("pk", "rollups_updated_at")
    stamps = sorted((s.pk, s.rollups_updated_at.isoformat() if s.rollups_updated_at else "-") for s in shops)
    return ",".join(f"{pk}@{at}" for pk, at in stamps)


def figures_cache_key(stamp: str, *parts) -> str:
    """The cache key of figures computed from the rollups of ``stamp``'s shops with ``parts``."""
    raw = "|".join([stamp, *(repr(p) for p in parts), get_language() or ""])
    return "commerce:figures:" + hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()


def figures_cached(key: str, compute):
    """``compute()``, cached under ``key`` (see ``figures_cache_key``)."""
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, FIGURES_CACHE_SECONDS)
    return value


# Breakdowns -------------------------------------------------------------------------------------


def labels_for(dimension: str, keys: Iterable[str]) -> dict[str, str]:
    """Names of the keys of a dimension: anchors, products and merchants in one query each; the
    other dimensions are their own labels. ``""`` is what the dimension did not know."""
    keys = set(keys)
    labels = {k: k for k in keys}
    ids = [int(k) for k in keys if k.isdigit()]
    if dimension == "anchor" and ids:
        for pk, nick, pid in AnchorAccount.objects.filter(pk__in=ids).values_list(
            "pk", "nickname", "platform_anchor_id"
        ):
            labels[str(pk)] = nick or pid
    elif dimension == "product" and ids:
        labels.update({str(pk): t for pk, t in Product.objects.filter(pk__in=ids).values_list("pk", "title")})
    elif dimension == "merchant" and ids:
        labels.update({str(pk): n for pk, n in Merchant.objects.filter(pk__in=ids).values_list("pk", "name")})
    if "" in labels:
        labels[""] = str(
            _("Not attributed") if dimension in ("anchor", "product", "merchant") else _("Unknown")
        )
    return labels


def _breakdown_sums(
    *, shop_ids: Sequence[int], start: dt.date, end: dt.date, dimensions: Sequence[str]
) -> dict[str, list[dict]]:
    """Per dimension, the sums per key over the shops and days: one query for all dimensions."""
    out: dict[str, list[dict]] = {d: [] for d in dimensions}
    if not shop_ids or not dimensions:
        return out
    qs = DailyDimensionRollup.objects.filter(shop_id__in=list(shop_ids), day__gte=start, day__lte=end)
    if not set(dimensions) >= set(DailyDimensionRollup.Dimension.values):
        if connection.vendor == "sqlite":
            qs = qs.alias(dim=_Unindexed(F("dimension"))).filter(dim__in=list(dimensions))
        else:
            qs = qs.filter(dimension__in=list(dimensions))  # PostgreSQL's statistics pick the index
    for r in qs.values("dimension", "key").annotate(**_sums(SUMS)).order_by():
        if r["dimension"] in out:
            out[r["dimension"]].append({"key": r["key"], **_clean(r, SUMS)})
    return out


def _breakdown_finish(dimension: str, rows: list[dict], top: int | None) -> dict:
    total = _zero(SUMS)
    for r in rows:
        for f in SUMS:
            total[f] += r[f]
    if dimension == "hour":
        have = {r["key"]: r for r in rows}
        rows = [have.get(f"{h:02d}") or {"key": f"{h:02d}", **_zero(SUMS)} for h in range(24)]
        rows += [r for k, r in have.items() if not (k.isdigit() and len(k) == 2 and int(k) < 24)]
    else:
        rows.sort(key=lambda r: (-r["gmv_fen"], r["key"]))
    others = None
    if top is not None and dimension in ("anchor", "product", "merchant") and len(rows) > top:
        rest = rows[top:]
        rows = rows[:top]
        others = _zero(SUMS)
        for r in rest:
            for f in SUMS:
                others[f] += r[f]
        others.update(key=None, label=str(_("Others (%(n)d)") % {"n": len(rest)}), count=len(rest))
        derive(others)
        others["share"] = ratio(others["gmv_fen"], total["gmv_fen"])
    labels = labels_for(dimension, [r["key"] for r in rows])
    for r in rows:
        r["label"] = labels.get(r["key"], r["key"])
        derive(r)
        r["share"] = ratio(r["gmv_fen"], total["gmv_fen"])
    return {"dimension": dimension, "rows": rows, "others": others, "total": derive(total)}


def breakdowns(
    *,
    shop_ids: Sequence[int],
    start: dt.date,
    end: dt.date,
    dimensions: Sequence[str] = DIMENSIONS,
    top: int | None = TOP_ROWS,
) -> dict[str, dict]:
    """The sales of ``start``…``end`` broken down by each of ``dimensions`` (one query for the
    sums, one per anchor/product/merchant dimension for the names). See ``breakdown``."""
    sums = _breakdown_sums(shop_ids=shop_ids, start=start, end=end, dimensions=dimensions)
    return {d: _breakdown_finish(d, sums[d], top) for d in dimensions}


def breakdown(
    *,
    shop_ids: Sequence[int],
    start: dt.date,
    end: dt.date,
    dimension: str,
    top: int | None = TOP_ROWS,
) -> dict:
    """The sales of ``start``…``end`` broken down by ``dimension``, best first (hours in clock
    order, all 24). Returns ``{"rows": [...], "others": row | None, "total": row}``; each row has
    ``key``, ``label``, the sums, ``aov_fen``, ``refund_rate`` and ``share`` (of GMV). Anchors,
    products and merchants beyond ``top`` are summed into ``others``."""
    return breakdowns(shop_ids=shop_ids, start=start, end=end, dimensions=[dimension], top=top)[dimension]


# Anchor and product sales -----------------------------------------------------------------------


def key_sales(
    *,
    dimension: str,
    key: str,
    shop_ids: Sequence[int],
    start: dt.date,
    end: dt.date,
) -> dict:
    """The attributed sales of one anchor or product (``dimension`` ``anchor`` / ``product`` and its
    id as ``key``) in the given shops: totals, one row per day (zeros included) and per shop. Reads
    the breakdown rollups through their (dimension, key, day) index."""
    base = DailyDimensionRollup.objects.filter(
        dimension=dimension, key=key, day__gte=start, day__lte=end, shop_id__in=list(shop_ids)
    )
    by_day = {d: {"day": d, **_zero(SUMS)} for d in periods(start, end, "day")}
    by_shop: list[dict] = []
    if shop_ids:
        for r in base.values("day").annotate(**_sums(SUMS)).order_by():
            if r["day"] in by_day:
                by_day[r["day"]].update(_clean(r, SUMS))
        names = {s.pk: s for s in Shop.objects.filter(pk__in=list(shop_ids))}
        for r in base.values("shop_id").annotate(**_sums(SUMS)).order_by():
            row = derive({"shop": names.get(r["shop_id"]), "shop_id": r["shop_id"], **_clean(r, SUMS)})
            by_shop.append(row)
        by_shop.sort(key=lambda r: -r["gmv_fen"])
    total = _zero(SUMS)
    for r in by_day.values():
        derive(r)
        for f in SUMS:
            total[f] += r[f]
    return {"total": derive(total), "by_day": list(by_day.values()), "by_shop": by_shop}


def pair_breakdown(
    *,
    dimension: str,
    first_id: int,
    shop_ids: Sequence[int],
    start: dt.date,
    end: dt.date,
    top: int = TOP_ROWS,
) -> list[dict] | None:
    """The products an anchor sold (``ANCHOR_PRODUCT``, ``first_id`` an anchor account) or the anchors
    that sold a product (``PRODUCT_ANCHOR``), best first, with the figures of the rollups (same
    measures, same pay-time basis). ``None`` when the range is longer than ``MAX_BREAKDOWN_DAYS``.

    Computed from the lines of that one anchor or product in the visible shops (read through the
    (shop, day) index) and cached under the shops' rollup stamp like every figure, so it is never older
    than the rollups and the lines are read once per import, not once per page view."""
    if dimension not in _PAIR_COLUMNS:
        raise ValueError(f"unknown pair breakdown {dimension!r}")
    if not shop_ids:
        return []
    if (end - start).days + 1 > MAX_BREAKDOWN_DAYS:
        return None
    ids = sorted(set(shop_ids))
    key = figures_cache_key(rollups_stamp(shop_ids=ids), "pairs", dimension, first_id, ids, start, end, top)
    return figures_cached(
        key,
        lambda: _pair_rows(
            dimension=dimension, first_id=first_id, shop_ids=ids, start=start, end=end, top=top
        ),
    )


def _pair_rows(
    *, dimension: str, first_id: int, shop_ids: list[int], start: dt.date, end: dt.date, top: int
) -> list[dict]:
    from liveops.commerce.services.rollups import line_measures, lines_read

    first, second = _PAIR_COLUMNS[dimension]
    lines = lines_read(shop_ids=shop_ids, start=start, end=end, where=f"{first} = %s", params=[first_id])
    sums = (
        lines.filter(pl.col(second).is_not_null())
        .group_by(pl.col(second).cast(pl.String).alias("key"))
        .agg(*line_measures())
        .filter(pl.col("lines_paid") > 0)
        .sort(["gmv_fen", "key"], descending=[True, False])
        .head(top)
    )
    rows = [{"key": r["key"], **{f: int(r[f] or 0) for f in SUMS}} for r in sums.iter_rows(named=True)]
    labels = labels_for("product" if dimension == ANCHOR_PRODUCT else "anchor", [r["key"] for r in rows])
    for r in rows:
        r["label"] = labels.get(r["key"], r["key"])
        derive(r)
    return rows


def anchor_ranking(
    *,
    shop_ids: Sequence[int],
    start: dt.date,
    end: dt.date,
    search: str = "",
    limit: int = 100,
) -> dict:
    """Anchor accounts by attributed GMV in the shops and days, best first, each with its account;
    ``search`` keeps the accounts whose nickname or platform ID contains it. ``unattributed`` is
    the GMV of lines with no anchor."""
    data = breakdown(shop_ids=shop_ids, start=start, end=end, dimension="anchor", top=None)
    rows = [r for r in data["rows"] if r["key"].isdigit()]
    unattributed = next((r for r in data["rows"] if r["key"] == ""), None)
    search = (search or "").strip()
    accounts = AnchorAccount.objects.all()
    if search:
        from django.db.models import Q

        accounts = accounts.filter(Q(nickname__icontains=search) | Q(platform_anchor_id__icontains=search))
        matching = set(accounts.values_list("pk", flat=True)[:5000])
        rows = [r for r in rows if int(r["key"]) in matching]
    rows = rows[:limit]
    found = AnchorAccount.objects.in_bulk([int(r["key"]) for r in rows])
    for r in rows:
        r["account"] = found.get(int(r["key"]))
    if search:
        # Matching accounts with no sales in the period are listed too (after those with sales).
        seen = {int(r["key"]) for r in rows}
        for acc in accounts.exclude(pk__in=seen).order_by("platform", "nickname")[
            : max(limit - len(rows), 0)
        ]:
            rows.append(derive({"key": str(acc.pk), "label": str(acc), "account": acc, **_zero(SUMS)}))
    return {"rows": rows, "unattributed": unattributed, "total": data["total"]}


def product_for_sales(*, access, pk: int) -> Product | None:
    """The library product whose attributed sales the actor may open: one they may see in the library,
    or one sold in a shop they see. Any other product is not found, so its title and merchant (an
    unreleased product, say) are not shown to every operator who tries its number."""
    from liveops.commerce.selectors.shops import shop_ids_visible
    from liveops.sourcing.selectors.products import product_get

    product = Product.objects.select_related("merchant").filter(pk=pk).first()
    if product is None:
        return None
    if access.can("sourcing.view") and product_get(access=access, pk=pk) is not None:
        return product
    sold_here = DailyDimensionRollup.objects.filter(
        dimension="product", key=str(pk), shop_id__in=shop_ids_visible(access=access)
    ).exists()
    return product if sold_here else None
