"""Product lifecycle tags computed from sales (EC-5): new, rising, hit (爆款), long tail, clearance.

``lifecycle_recompute(as_of=D)`` reads the product breakdown of the daily rollups (dimension
``product``, every shop together: a product's tag is the company's view of it) and stores one
``ProductLifecycle`` row per product that has ever sold, in bulk. The rules, applied in this order
(the first that holds decides), with days counted in Asia/Shanghai and D included in every window:

1. **clearance** (dormant) — it sold before, but has no sale in the 28 days D-27…D.
2. **hit** (爆款) — its GMV over D-27…D is at least ``hit_floor_fen`` (default ¥10,000) and it ranks
   within the top ``hit_share`` (default 5 %) of the products that sold in those 28 days: rank ≤
   ceil(N × share), at least 1, ranked by GMV descending, ties broken by the smaller product ID.
3. **new** — its first sale ever is within the 14 days D-13…D.
4. **rising** — GMV of the last 7 days (D-6…D) is greater than 0 and at least 1.5 × the GMV of the
   7 days before (D-13…D-7); exact integer maths: 2 × last ≥ 3 × before.
5. **clearance** (falling) — weekly GMV fell four weeks in a row: with week k = D-7k-6…D-7k,
   week4 > week3 > week2 > week1 > week0 (strictly).
6. **long tail** — everything else that sold in the 28 days: it sells, but is not a hit, not new,
   not rising and not in decline.

"Sold on a day" means at least one paid line that day (``lines_paid`` > 0); GMV is paid GMV in fen.
Products that never sold get no row (a stale row is removed). ``since`` keeps the day a product got
its current tag: unchanged when the tag stays, ``as_of`` when it changes. The figures behind each
decision are kept in ``metrics``.

The rules are in the pure function ``lifecycle_classify`` (tested with hypothesis); the recompute
only reads the rollups and writes the results. Tags are derived data like the rollups: they are
replaced, not audited.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from fractions import Fraction

from django.db import transaction
from django.db.models import Max, Min, Sum
from django.utils import timezone

from liveops.commerce.models import DailyDimensionRollup, ProductLifecycle

PRODUCT = DailyDimensionRollup.Dimension.PRODUCT
Tag = ProductLifecycle.Tag


@dataclass(frozen=True)
class LifecycleRules:
    new_days: int = 14
    window_days: int = 28
    rising_ratio: Fraction = Fraction(3, 2)
    hit_share: Fraction = Fraction(5, 100)
    hit_floor_fen: int = 1_000_000
    falling_weeks: int = 4

    @property
    def history_days(self) -> int:
        """Days of daily GMV the rules read back from D (the falling rule's weeks plus one)."""
        return max(self.window_days, 7 * (self.falling_weeks + 1))


@dataclass
class ProductSales:
    """What the rules know of one product: its first and last day with a sale (ever, up to D) and its
    GMV per day over the last ``history_days`` days (days without GMV may be left out)."""

    first_sale: dt.date | None
    last_sale: dt.date | None
    daily_gmv: dict[dt.date, int] = field(default_factory=dict)


def _window(daily: dict[dt.date, int], end: dt.date, days: int) -> int:
    start = end - dt.timedelta(days=days - 1)
    return sum(v for d, v in daily.items() if start <= d <= end)


def lifecycle_classify(
    sales: dict[int, ProductSales], *, as_of: dt.date, rules: LifecycleRules | None = None
) -> dict[int, tuple[str, dict]]:
    """Tag every product that has sold (see the module docstring for the rules). Returns
    product id → (tag, figures). Deterministic: the same input gives the same output."""
    rules = rules or LifecycleRules()
    window_start = as_of - dt.timedelta(days=rules.window_days - 1)
    figures: dict[int, dict] = {}
    for pid, s in sales.items():
        if s.first_sale is None or s.first_sale > as_of:
            continue
        weeks = [
            _window(s.daily_gmv, as_of - dt.timedelta(days=7 * k), 7) for k in range(rules.falling_weeks + 1)
        ]
        last_sale = s.last_sale or s.first_sale
        figures[pid] = {
            "first_sale": s.first_sale.isoformat(),
            "last_sale": last_sale.isoformat(),
            "gmv_28d_fen": _window(s.daily_gmv, as_of, rules.window_days),
            "gmv_7d_fen": weeks[0],
            "gmv_prev_7d_fen": weeks[1],
            "weeks_fen": weeks,
            "sold_in_window": last_sale >= window_start,
        }
    ranked = sorted(
        (pid for pid, f in figures.items() if f["sold_in_window"] and f["gmv_28d_fen"] > 0),
        key=lambda pid: (-figures[pid]["gmv_28d_fen"], pid),
    )
    hit_slots = max(1, math.ceil(len(ranked) * rules.hit_share)) if ranked else 0
    rank = {pid: i + 1 for i, pid in enumerate(ranked)}
    new_start = as_of - dt.timedelta(days=rules.new_days - 1)
    out: dict[int, tuple[str, dict]] = {}
    for pid, f in figures.items():
        f["rank_28d"] = rank.get(pid)
        f["ranked"] = len(ranked)
        f["hit_slots"] = hit_slots
        weeks = f["weeks_fen"]
        if not f["sold_in_window"]:
            tag, rule = Tag.CLEARANCE, "no_sale_28d"
        elif pid in rank and rank[pid] <= hit_slots and f["gmv_28d_fen"] >= rules.hit_floor_fen:
            tag, rule = Tag.HIT, "top_gmv_28d"
        elif dt.date.fromisoformat(f["first_sale"]) >= new_start:
            tag, rule = Tag.NEW, "first_sale_14d"
        elif (
            weeks[0] > 0
            and weeks[0] * rules.rising_ratio.denominator >= weeks[1] * rules.rising_ratio.numerator
        ):
            tag, rule = Tag.RISING, "last_7d_vs_before"
        elif all(weeks[k + 1] > weeks[k] for k in range(rules.falling_weeks)):
            tag, rule = Tag.CLEARANCE, "falling_4_weeks"
        else:
            tag, rule = Tag.LONG_TAIL, "selling"
        f["rule"] = rule
        out[pid] = (str(tag), f)
    return out


def _read_sales(*, as_of: dt.date, rules: LifecycleRules) -> dict[int, ProductSales]:
    """Every product's first/last sale up to D and its daily GMV over the rules' history, from the
    product breakdown rollups of every shop."""
    base = DailyDimensionRollup.objects.filter(dimension=PRODUCT, day__lte=as_of).exclude(key="")
    sales: dict[int, ProductSales] = {}
    for r in (
        base.filter(lines_paid__gt=0).values("key").annotate(first=Min("day"), last=Max("day")).order_by()
    ):
        if r["key"].isdigit():
            sales[int(r["key"])] = ProductSales(first_sale=r["first"], last_sale=r["last"])
    start = as_of - dt.timedelta(days=rules.history_days - 1)
    for r in base.filter(day__gte=start).values("key", "day").annotate(gmv=Sum("gmv_fen")).order_by():
        if not r["key"].isdigit():
            continue
        s = sales.get(int(r["key"]))
        if s is None:
            continue
        s.daily_gmv[r["day"]] = s.daily_gmv.get(r["day"], 0) + int(r["gmv"] or 0)
    return sales


def lifecycle_recompute(*, as_of: dt.date, rules: LifecycleRules | None = None) -> dict[str, int]:
    """Recompute every product's lifecycle tag as of ``as_of`` from the rollups and store them in
    bulk. Returns the number of products per tag (and ``removed``: stale rows of products with no
    sale). Safe to run again: the same rollups give the same rows."""
    from liveops.sourcing.models import Product

    rules = rules or LifecycleRules()
    sales = _read_sales(as_of=as_of, rules=rules)
    existing_products = set(Product.objects.filter(pk__in=list(sales)).values_list("pk", flat=True))
    sales = {pid: s for pid, s in sales.items() if pid in existing_products}
    result = lifecycle_classify(sales, as_of=as_of, rules=rules)
    now = timezone.now()
    with transaction.atomic():
        current = dict(ProductLifecycle.objects.values_list("product_id", "tag"))
        since = dict(ProductLifecycle.objects.values_list("product_id", "since"))
        objs = [
            ProductLifecycle(
                product_id=pid,
                tag=tag,
                since=since[pid] if current.get(pid) == tag else as_of,
                computed_at=now,
                metrics=figures,
            )
            for pid, (tag, figures) in sorted(result.items())
        ]
        if objs:
            ProductLifecycle.objects.bulk_create(
                objs,
                batch_size=1000,
                update_conflicts=True,
                unique_fields=["product"],
                update_fields=["tag", "since", "computed_at", "metrics"],
            )
        stale = [pid for pid in current if pid not in result]
        removed = 0
        for i in range(0, len(stale), 900):
            removed += ProductLifecycle.objects.filter(product_id__in=stale[i : i + 900]).delete()[0]
    counts = {t: 0 for t in Tag.values}
    for tag, _f in result.values():
        counts[tag] += 1
    counts["removed"] = removed
    return counts
