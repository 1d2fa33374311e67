"""Market and competitor intelligence (LC-2, MC-3): series over the competitor snapshots.

Everything is computed from one bounded query (at most ``MAX_ROWS`` snapshots, five columns) with
polars, never with Python loops over rows:

- price history: each shop's average listing price per day;
- sales velocity: per listing, the change of the platform's cumulative sales counter since the
  listing's previous snapshot in the window (the first snapshot of a listing has no change), summed
  per shop and day;
- brand share: each shop's sales increase over the window (last minus first counter of each
  listing) as a share of all shops' increases; a shop whose counters went down counts as 0;
- promotion price moves: each shop's average price over the ``pre_days`` days before the promotion
  day (11-11 by default) against its average price on that day, and the like-for-like change
  (listings seen on both sides, average of each listing's own change).

Market snapshots are public information about other shops and have no department: whoever holds
``sourcing.view`` sees all of them.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import hashlib
from dataclasses import dataclass, field

import polars as pl
from django.core.cache import cache
from django.db import connections
from django.db.models import CharField, FloatField, Max, Min
from django.db.models.functions import Cast

from liveops.core.access import Access
from liveops.core.models import ImportRun
from liveops.sourcing.models import MarketSnapshot

CAPABILITY = "sourcing.view"
MAX_ROWS = 300_000
TOP_LISTINGS = 20
DEFAULT_PRE_DAYS = 7
CACHE_SECONDS = 600


@dataclass
class MarketFilters:
    """What the page or API asks for; ``None`` means "all" / "the whole span of the data"."""

    platform: str = "tmall"
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    shops: list[str] = field(default_factory=list)
    promo_day: dt.date | None = None
    pre_days: int = DEFAULT_PRE_DAYS
    listing_id: str = ""


def market_snapshots(*, access: Access):
    """All snapshots the actor may read (all of them with ``sourcing.view``, none without)."""
    if not access.can(CAPABILITY):
        return MarketSnapshot.objects.none()
    return MarketSnapshot.objects.all()


def market_platforms(*, access: Access) -> list[str]:
    return list(market_snapshots(access=access).order_by().values_list("platform", flat=True).distinct())


def market_bounds(*, access: Access, platform: str) -> dict:
    """First and last day and the shops of a platform's data (for the filter form)."""
    qs = market_snapshots(access=access).filter(platform=platform)
    span = qs.aggregate(first=Min("day"), last=Max("day"))
    shops = sorted(qs.order_by().values_list("shop", flat=True).distinct())
    return {"first": span["first"], "last": span["last"], "shops": shops}


_FRAME_SCHEMA = {
    "listing_id": pl.String,
    "shop": pl.String,
    "day": pl.Date,
    "price": pl.Float64,
    "sales": pl.Int64,
}


def _frame(qs) -> pl.DataFrame:
    """The snapshots of ``qs`` as a frame, read with a plain cursor: Django's per-row converters
    would cost more than everything polars does afterwards. The day comes as text (the same on
    SQLite and PostgreSQL) and is parsed by polars."""
    query = qs.annotate(price_f=Cast("price", FloatField()), day_s=Cast("day", CharField())).values_list(
        "listing_id", "shop", "day_s", "price_f", "sales_cumulative"
    )[: MAX_ROWS + 1]
    if query.query.is_empty():
        return pl.DataFrame(schema=_FRAME_SCHEMA)
    sql, params = query.query.sql_with_params()
    with connections[query.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in _FRAME_SCHEMA]
    frame = pl.DataFrame(
        {
            name: pl.Series(name, values, dtype=pl.String if name == "day" else dtype, strict=False)
            for (name, dtype), values in zip(_FRAME_SCHEMA.items(), columns, strict=True)
        }
    )
    return frame.with_columns(pl.col("day").str.slice(0, 10).str.to_date("%Y-%m-%d"))


def _aligned(
    frame: pl.DataFrame, value: str, days: list[dt.date], shops: list[str], digits: int | None
) -> list[dict]:
    """One series per shop with a value (or None) for every day."""
    lookup = {
        (shop, day): v for shop, day, v in frame.select("shop", "day", value).iter_rows()
    }  # at most shops × days entries
    out = []
    for shop in shops:
        values = [lookup.get((shop, d)) for d in days]
        if digits is not None:
            values = [None if v is None else round(v, digits) for v in values]
        out.append({"shop": shop, "values": values})
    return out


def _pct(new: float | None, old: float | None) -> float | None:
    if new is None or old is None or old == 0:
        return None
    return round((new - old) / old * 100, 2)


def _data_version() -> tuple:
    """Changes whenever snapshots are written: by an import run (upserts keep ids) or directly."""
    latest_run = ImportRun.objects.filter(kind="market-snapshots").aggregate(
        pk=Max("pk"), at=Max("finished_at")
    )
    return (MarketSnapshot.objects.aggregate(m=Max("pk"))["m"], latest_run["pk"], str(latest_run["at"]))


def market_summary(*, access: Access, filters: MarketFilters) -> dict:
    """The series of the market page and ``/api/v1/sourcing/market/summary/`` (same dict for both).
    Market data only changes when snapshots are imported, so results are cached (per process, ten
    minutes) under the filters and the data version."""
    if not access.can(CAPABILITY):
        return _summary(access=access, filters=filters)
    key = (
        "market-summary:"
        + hashlib.sha256(repr((dataclasses.astuple(filters), _data_version())).encode()).hexdigest()
    )
    cached = cache.get(key)
    if cached is None:
        cached = _summary(access=access, filters=filters)
        cache.set(key, cached, CACHE_SECONDS)
    return copy.deepcopy(cached)


def _summary(*, access: Access, filters: MarketFilters) -> dict:
    bounds = market_bounds(access=access, platform=filters.platform)
    date_from = filters.date_from or bounds["first"]
    date_to = filters.date_to or bounds["last"]
    selected = [s for s in filters.shops if s in bounds["shops"]] or bounds["shops"]
    result: dict = {
        "platform": filters.platform,
        "date_from": date_from,
        "date_to": date_to,
        "shops": selected,
        "all_shops": bounds["shops"],
        "days": [],
        "rows": 0,
        "listings": 0,
        "truncated": False,
        "price_history": [],
        "velocity": [],
        "share": [],
        "promotion": None,
        "top_listings": [],
        "listing": None,
    }
    if date_from is None or date_to is None:
        return result  # no data for this platform
    qs = market_snapshots(access=access).filter(
        platform=filters.platform, day__gte=date_from, day__lte=date_to
    )
    if filters.shops:
        qs = qs.filter(shop__in=selected)
    df = _frame(qs)
    if df.height > MAX_ROWS:
        result["truncated"] = True
        df = df.head(MAX_ROWS)
    if filters.listing_id:
        result["listing"] = market_listing(
            access=access,
            platform=filters.platform,
            listing_id=filters.listing_id,
            date_from=date_from,
            date_to=date_to,
        )
    if df.height == 0:
        return result
    days = [date_from + dt.timedelta(days=i) for i in range((date_to - date_from).days + 1)]
    shops = sorted(df.get_column("shop").unique().to_list())
    result.update(days=days, shops=shops, rows=df.height, listings=df.get_column("listing_id").n_unique())

    prices = df.group_by("shop", "day").agg(pl.col("price").mean().alias("avg_price"))
    result["price_history"] = _aligned(prices, "avg_price", days, shops, 2)

    deltas = df.sort("listing_id", "day").with_columns(
        (pl.col("sales") - pl.col("sales").shift(1).over("listing_id")).alias("delta")
    )
    velocity = deltas.drop_nulls("delta").group_by("shop", "day").agg(pl.col("delta").sum())
    result["velocity"] = _aligned(velocity, "delta", days, shops, None)

    per_listing = deltas.group_by("listing_id", "shop").agg(pl.col("delta").sum().alias("increase"))
    per_shop = (
        per_listing.group_by("shop")
        .agg(pl.col("increase").sum())
        .sort("increase", "shop", descending=[True, False])
    )
    positive = per_shop.get_column("increase").clip(lower_bound=0).sum()
    result["share"] = [
        {
            "shop": shop,
            "increase": int(inc),
            "share_pct": round(max(inc, 0) / positive * 100, 2) if positive else 0.0,
        }
        for shop, inc in per_shop.iter_rows()
    ]

    result["promotion"] = _promotion(df, filters, date_from, date_to, shops)
    result["top_listings"] = _top_listings(per_listing, filters.platform)
    return result


def _promotion(df: pl.DataFrame, filters: MarketFilters, date_from, date_to, shops: list[str]) -> dict | None:
    promo = filters.promo_day or dt.date(date_to.year, 11, 11)
    pre_from = max(promo - dt.timedelta(days=max(filters.pre_days, 1)), date_from)
    pre_to = promo - dt.timedelta(days=1)
    info = {"day": promo, "pre_from": pre_from, "pre_to": pre_to, "rows": []}
    if not (date_from <= promo <= date_to) or pre_from > pre_to:
        return info | {"available": False}
    before = df.filter(pl.col("day").is_between(pre_from, pre_to))
    on_day = df.filter(pl.col("day") == promo)
    shop_before = before.group_by("shop").agg(pl.col("price").mean().alias("avg_before"))
    shop_promo = on_day.group_by("shop").agg(pl.col("price").mean().alias("avg_promo"))
    listing_before = before.group_by("listing_id").agg(pl.col("price").mean().alias("lb"))
    matched = (
        on_day.join(listing_before, on="listing_id", how="inner")
        .filter(pl.col("lb") > 0)
        .with_columns(((pl.col("price") - pl.col("lb")) / pl.col("lb") * 100).alias("pct"))
        .group_by("shop")
        .agg(pl.col("pct").mean().alias("like_for_like_pct"), pl.len().alias("listings_compared"))
    )
    table = (
        pl.DataFrame({"shop": shops}, schema={"shop": pl.String})
        .join(shop_before, on="shop", how="left")
        .join(shop_promo, on="shop", how="left")
        .join(matched, on="shop", how="left")
    )
    rows = []
    for shop, avg_before, avg_promo, lfl, n in table.iter_rows():
        rows.append(
            {
                "shop": shop,
                "avg_before": None if avg_before is None else round(avg_before, 2),
                "avg_promo": None if avg_promo is None else round(avg_promo, 2),
                "change_pct": _pct(avg_promo, avg_before),
                "like_for_like_pct": None if lfl is None else round(lfl, 2),
                "listings_compared": int(n or 0),
            }
        )
    rows.sort(
        key=lambda r: (
            r["change_pct"] is None,
            r["change_pct"] if r["change_pct"] is not None else 0,
            r["shop"],
        )
    )
    return info | {"available": True, "rows": rows}


def _top_listings(per_listing: pl.DataFrame, platform: str) -> list[dict]:
    top = (
        per_listing.drop_nulls("increase")
        .sort("increase", "listing_id", descending=[True, False])
        .head(TOP_LISTINGS)
    )
    ids = top.get_column("listing_id").to_list()
    titles: dict[str, str] = {}
    for listing_id, title in (
        MarketSnapshot.objects.filter(platform=platform, listing_id__in=ids)
        .order_by("listing_id", "-day")
        .values_list("listing_id", "title")
    ):
        titles.setdefault(listing_id, title)
    return [
        {"listing_id": lid, "shop": shop, "title": titles.get(lid, ""), "increase": int(inc)}
        for lid, shop, inc in top.iter_rows()
    ]


def market_listing(
    *, access: Access, platform: str, listing_id: str, date_from=None, date_to=None
) -> dict | None:
    """One listing's daily price and cumulative sales (a few dozen rows at most)."""
    qs = market_snapshots(access=access).filter(platform=platform, listing_id=listing_id)
    if date_from:
        qs = qs.filter(day__gte=date_from)
    if date_to:
        qs = qs.filter(day__lte=date_to)
    rows = list(qs.order_by("day").values_list("day", "price", "sales_cumulative", "shop", "title")[:400])
    if not rows:
        return None
    return {
        "listing_id": listing_id,
        "shop": rows[-1][3],
        "title": rows[-1][4],
        "days": [r[0] for r in rows],
        "price": [float(r[1]) for r in rows],
        "sales": [r[2] for r in rows],
    }
