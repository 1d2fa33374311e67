"""Keeping the daily rollups in step with the order lines.

``rollups_refresh`` recomputes, for the given shops and days, the shop's daily figures, the daily
breakdowns (hour, province, traffic source, anchor, product, merchant) and the distinct buyers of the
weeks and months those days fall in. It reads the lines of the affected range once into a columnar
frame and aggregates there: one pass over the data for every dimension, whatever the size.

Imports call it once at the end with the days they touched; after-sales, settlements and attribution
call it with the days of the lines they changed. Rollups are derived data, so they are replaced, not
audited: the changes that caused them are."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import polars as pl
from django.db import connection, transaction
from django.utils import timezone

from liveops.commerce.bulk import fetch_frame, insert_frame, keys_in
from liveops.commerce.models import DailyDimensionRollup, DailyShopRollup, PeriodBuyers, Shop
from liveops.commerce.parsing import SHANGHAI

# Orders are counted as submitted on the day they were submitted, but lines are stored by the day
# they were paid: reading this many days past a range catches orders paid after midnight.
_PAY_LAG_DAYS = 7

_LINE_SCHEMA = {
    "day": pl.Date,
    "order_id": pl.Int64,
    "paid_at": pl.Datetime("us", "UTC"),
    "submitted_at": pl.Datetime("us", "UTC"),
    "amount_paid_fen": pl.Int64,
    "quantity": pl.Int64,
    "refund_fen": pl.Int64,
    "aftersale_state": pl.String,
    "province": pl.String,
    "traffic_source": pl.String,
    "anchor_account_id": pl.Int64,
    "product_id": pl.Int64,
    "merchant_id": pl.Int64,
    "buyer_key": pl.String,
}

ROLLUP_COLUMNS = list(_LINE_SCHEMA)

_DIMENSIONS = {
    DailyDimensionRollup.Dimension.HOUR: pl.col("__hour"),
    DailyDimensionRollup.Dimension.PROVINCE: pl.col("province").fill_null(""),
    DailyDimensionRollup.Dimension.SOURCE: pl.col("traffic_source").fill_null(""),
    DailyDimensionRollup.Dimension.ANCHOR: pl.col("anchor_account_id").cast(pl.String).fill_null(""),
    DailyDimensionRollup.Dimension.PRODUCT: pl.col("product_id").cast(pl.String).fill_null(""),
    DailyDimensionRollup.Dimension.MERCHANT: pl.col("merchant_id").cast(pl.String).fill_null(""),
}


def _runs(days: list[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Consecutive runs of sorted days: [(first, last), …]."""
    runs: list[tuple[dt.date, dt.date]] = []
    for d in days:
        if runs and (d - runs[-1][1]).days <= 1:
            runs[-1] = (runs[-1][0], d)
        else:
            runs.append((d, d))
    return runs


def _week_start(d: dt.date) -> dt.date:
    return d - dt.timedelta(days=d.weekday())


def _month_end(d: dt.date) -> dt.date:
    nxt = (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)


def _read_lines(
    shop_id: int, first: dt.date, last: dt.date, known: tuple[pl.DataFrame, set[dt.date]] | None = None
) -> pl.DataFrame:
    """The lines of a shop from ``first`` to ``last``: from ``known`` (a frame holding every line of
    its days) where it can, from the database for the other days."""
    cols = ", ".join(_LINE_SCHEMA)
    if known is None:
        return fetch_frame(
            f"SELECT {cols} FROM commerce_orderline WHERE shop_id = %s AND day >= %s AND day <= %s",
            [shop_id, first, last],
            _LINE_SCHEMA,
        )
    frame, known_days = known
    span = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    wanted = [d for d in span if d not in known_days]
    parts = [
        frame.filter((pl.col("day") >= first) & (pl.col("day") <= last)).select(
            [pl.col(c).cast(t) for c, t in _LINE_SCHEMA.items()]
        )
    ]
    if wanted:
        cond, params = keys_in("day", [d.isoformat() for d in wanted], sql_type="date")
        parts.append(
            fetch_frame(
                f"SELECT {cols} FROM commerce_orderline WHERE shop_id = %s AND {cond}",
                [shop_id, *params],
                _LINE_SCHEMA,
            )
        )
    return pl.concat(parts)


def lines_read(
    *, shop_ids: list[int], start: dt.date, end: dt.date, where: str = "", params: list | None = None
) -> pl.DataFrame:
    """The lines (``ROLLUP_COLUMNS``) of the shops from ``start`` to ``end``, narrowed by the SQL
    condition ``where`` with its ``params``: for figures the rollups do not keep (anchor × product)."""
    cond, shop_params = keys_in("shop_id", shop_ids)
    extra = f" AND ({where})" if where else ""
    return fetch_frame(
        f"SELECT {', '.join(_LINE_SCHEMA)} FROM commerce_orderline "  # noqa: S608 - fixed columns
        f"WHERE {cond} AND day >= %s AND day <= %s{extra}",
        [*shop_params, start, end, *(params or [])],
        _LINE_SCHEMA,
    )


def line_measures() -> list[pl.Expr]:
    """The summed figures of every rollup, as polars aggregations over lines (``ROLLUP_COLUMNS``)."""
    paid = pl.col("paid_at").is_not_null()
    refunded = paid & ((pl.col("refund_fen") > 0) | (pl.col("aftersale_state") == "refunded"))
    refund_amount = (
        pl.when(pl.col("refund_fen") > 0).then(pl.col("refund_fen")).otherwise(pl.col("amount_paid_fen"))
    )
    return [
        pl.col("amount_paid_fen").filter(paid).sum().alias("gmv_fen"),
        pl.col("order_id").filter(paid).n_unique().alias("orders_paid"),
        paid.sum().alias("lines_paid"),
        pl.col("quantity").filter(paid).sum().alias("units"),
        refund_amount.filter(refunded).sum().alias("refund_fen"),
        refunded.sum().alias("refund_lines"),
    ]


def _shop_figures(
    shop_id: int, lines: pl.DataFrame, days: list[dt.date]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(daily shop rows, daily dimension rows) for ``days``."""
    in_days = lines.filter(pl.col("day").is_in(days))
    paid = pl.col("paid_at").is_not_null()
    shop_rows = in_days.group_by("day").agg(
        *line_measures(),
        pl.col("buyer_key").filter(paid & (pl.col("buyer_key") != "")).n_unique().alias("buyers"),
    )
    submitted = (
        lines.filter(pl.col("submitted_at").is_not_null())
        .with_columns(pl.col("submitted_at").dt.convert_time_zone(SHANGHAI).dt.date().alias("__sday"))
        .filter(pl.col("__sday").is_in(days))
        .group_by("__sday")
        .agg(pl.col("order_id").n_unique().alias("orders_submitted"))
        .rename({"__sday": "day"})
    )
    shop_rows = (
        pl.DataFrame({"day": days}, schema={"day": pl.Date})
        .join(shop_rows, on="day", how="left")
        .join(submitted, on="day", how="left")
        .fill_null(0)
        .filter((pl.col("lines_paid") > 0) | (pl.col("orders_submitted") > 0) | (pl.col("refund_lines") > 0))
        .with_columns(pl.lit(shop_id).alias("shop_id"), pl.lit(timezone.now()).alias("updated_at"))
    )
    with_hour = in_days.filter(paid).with_columns(
        pl.col("paid_at")
        .dt.convert_time_zone(SHANGHAI)
        .dt.hour()
        .cast(pl.String)
        .str.zfill(2)
        .alias("__hour")
    )
    parts = []
    for dimension, key in _DIMENSIONS.items():
        parts.append(
            with_hour.group_by("day", key.alias("key"))
            .agg(*line_measures())
            .with_columns(pl.lit(str(dimension)).alias("dimension"))
        )
    dim_rows = pl.concat(parts) if parts else pl.DataFrame()
    dim_rows = dim_rows.with_columns(pl.lit(shop_id).alias("shop_id"))
    return shop_rows, dim_rows


def _period_buyers(shop_id: int, lines: pl.DataFrame, days: list[dt.date]) -> pl.DataFrame:
    paid = lines.filter(pl.col("paid_at").is_not_null() & (pl.col("buyer_key") != ""))
    weeks = {_week_start(d) for d in days}
    months = {d.replace(day=1) for d in days}
    week = (
        paid.with_columns(
            (pl.col("day") - pl.duration(days=pl.col("day").dt.weekday() - 1)).alias("period_start")
        )
        .filter(pl.col("period_start").is_in(list(weeks)))
        .group_by("period_start")
        .agg(pl.col("buyer_key").n_unique().alias("buyers"))
        .with_columns(pl.lit("week").alias("grain"))
    )
    month = (
        paid.with_columns(pl.col("day").dt.truncate("1mo").alias("period_start"))
        .filter(pl.col("period_start").is_in(list(months)))
        .group_by("period_start")
        .agg(pl.col("buyer_key").n_unique().alias("buyers"))
        .with_columns(pl.lit("month").alias("grain"))
    )
    return pl.concat([week, month]).with_columns(pl.lit(shop_id).alias("shop_id"))


@transaction.atomic
def rollups_refresh(
    *,
    shop_days: dict[int, Iterable[dt.date]],
    known: dict[int, tuple[pl.DataFrame, set[dt.date]]] | None = None,
) -> None:
    """Recompute the rollups of these shops on these days (and the weeks and months around them).
    ``known`` may hand over, per shop, a frame (``ROLLUP_COLUMNS``) holding *every* line of the given
    days, e.g. the lines an import just inserted into days that had none: those are not read back."""
    refreshed = [shop_id for shop_id, day_set in shop_days.items() if day_set]
    if refreshed:
        Shop.objects.filter(pk__in=refreshed).update(rollups_updated_at=timezone.now())
    for shop_id, day_set in shop_days.items():
        days = sorted(set(day_set))
        if not days:
            continue
        for first, last in _runs(days):
            run_days = [d for d in days if first <= d <= last]
            # Whole weeks and months, so their distinct buyers are right; plus the payment lag.
            read_from = min(first.replace(day=1), _week_start(first))
            read_to = max(_month_end(last), _week_start(last) + dt.timedelta(days=6)) + dt.timedelta(
                days=_PAY_LAG_DAYS
            )
            lines = _read_lines(shop_id, read_from, read_to, (known or {}).get(shop_id))
            shop_rows, dim_rows = _shop_figures(shop_id, lines, run_days)
            buyers = _period_buyers(shop_id, lines, run_days)
            cond, params = keys_in("day", [d.isoformat() for d in run_days], sql_type="date")
            with connection.cursor() as cursor:
                cursor.execute(
                    f"DELETE FROM {DailyShopRollup._meta.db_table} WHERE shop_id = %s AND {cond}",
                    [shop_id, *params],
                )
                cursor.execute(
                    f"DELETE FROM {DailyDimensionRollup._meta.db_table} WHERE shop_id = %s AND {cond}",
                    [shop_id, *params],
                )
                weeks = {_week_start(d) for d in run_days}
                months = {d.replace(day=1) for d in run_days}
                for grain, starts in (("week", weeks), ("month", months)):
                    pcond, pparams = keys_in("period_start", [d.isoformat() for d in starts], sql_type="date")
                    cursor.execute(
                        f"DELETE FROM {PeriodBuyers._meta.db_table} WHERE shop_id = %s AND grain = %s AND {pcond}",
                        [shop_id, grain, *pparams],
                    )
            insert_frame(
                DailyShopRollup._meta.db_table,
                shop_rows.select(
                    "shop_id",
                    "day",
                    "gmv_fen",
                    "orders_paid",
                    "lines_paid",
                    "units",
                    "buyers",
                    "orders_submitted",
                    "refund_fen",
                    "refund_lines",
                    "updated_at",
                ),
            )
            # In the order of the (dimension, key, day) index: appending to it in order costs a third
            # less than inserting at random places (271,000 rows: 1.7 s against 2.4 s on PostgreSQL).
            insert_frame(
                DailyDimensionRollup._meta.db_table,
                dim_rows.sort("dimension", "key", "day").select(
                    "shop_id",
                    "day",
                    "dimension",
                    "key",
                    "gmv_fen",
                    "orders_paid",
                    "lines_paid",
                    "units",
                    "refund_fen",
                    "refund_lines",
                ),
            )
            insert_frame(
                PeriodBuyers._meta.db_table, buyers.select("shop_id", "grain", "period_start", "buyers")
            )
