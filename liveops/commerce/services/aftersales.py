"""After-sales and settlement figures on order lines (issue 4 §5).

What a line carries from after-sales and settlements, recomputed set-based from the rows linked to it:

- ``refund_fen``: the refunds of its after-sales cases that ended refunded; when the settlement rows
  show a larger refund (``订单退款``, absolute sum) that one, since both report the same money;
- ``aftersale_state``: refunded if a case was refunded, else in progress if one is open, else closed
  (lines without a case keep what the order export said);
- ``platform_fee_fen`` and ``commission_fen`` (佣金 / 达人佣金): absolute sums of the settlement rows,
  whatever sign the export used (reversals of a fee cancel out);
- ``promotion_fee_fen``: 招商服务费 + 站外推广费 together (both are paid for bringing the sale; the
  settlement rows keep them apart for the settlement page).

Imports call ``lines_figures_refresh`` for the lines their rows touch, and ``rollups_refresh_safe`` for
the days of the lines that changed. Order imports call ``aftersales_relink_shop`` after writing lines,
so cases and settlements that arrived before their order get linked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import polars as pl
from django.db import transaction
from django.utils.translation import gettext as _

from liveops.commerce.bulk import fetch_frame, keys_in, update_frame
from liveops.commerce.models import AfterSale, OrderLine, SettlementEntry, Shop
from liveops.core.access import access_for
from liveops.core.audit import audit_action
from liveops.core.errors import NotAllowed

_CHUNK = 20_000
_LINE_FIGURES = ["refund_fen", "platform_fee_fen", "commission_fen", "promotion_fee_fen", "aftersale_state"]


def rollups_refresh_safe(*, shop_days: dict[int, set[dt.date]]) -> None:
    """Refresh the daily rollups of these shop days (no-op while the rollups module is missing)."""
    shop_days = {k: v for k, v in shop_days.items() if v}
    if not shop_days:
        return
    try:
        from liveops.commerce.services.rollups import rollups_refresh
    except ImportError:  # pragma: no cover - the rollups module ships with the order imports
        return
    rollups_refresh(shop_days=shop_days)


def _figures(chunk: list[int]) -> pl.DataFrame:
    """Current and recomputed figures of the lines in ``chunk``."""
    cond, params = keys_in("id", chunk)
    current = fetch_frame(
        f"SELECT id, shop_id, day, {', '.join(_LINE_FIGURES)} FROM {OrderLine._meta.db_table} WHERE {cond}",  # noqa: S608
        params,
        {
            "id": pl.Int64,
            "shop_id": pl.Int64,
            "day": pl.Date,
            **{f"__old_{c}": pl.Int64 for c in _LINE_FIGURES[:-1]},
            "__old_aftersale_state": pl.String,
        },
    )
    lcond, lparams = keys_in("line_id", chunk)
    cases = fetch_frame(
        "SELECT line_id, SUM(CASE WHEN state = 'refunded' THEN refund_fen ELSE 0 END), "  # noqa: S608
        "SUM(CASE WHEN state = 'refunded' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN state = 'in_progress' THEN 1 ELSE 0 END), COUNT(*) "
        f"FROM {AfterSale._meta.db_table} WHERE {lcond} GROUP BY line_id",
        lparams,
        {
            "id": pl.Int64,
            "__a_refund": pl.Int64,
            "__a_refunded": pl.Int64,
            "__a_open": pl.Int64,
            "__a_n": pl.Int64,
        },
    )
    money = fetch_frame(
        "SELECT line_id, SUM(refund_fen), SUM(platform_fee_fen), SUM(commission_fen), "  # noqa: S608
        "SUM(merchant_service_fee_fen + promotion_fee_fen) "
        f"FROM {SettlementEntry._meta.db_table} WHERE {lcond} GROUP BY line_id",
        lparams,
        {
            "id": pl.Int64,
            "__s_refund": pl.Int64,
            "__s_fee": pl.Int64,
            "__s_comm": pl.Int64,
            "__s_promo": pl.Int64,
        },
    )
    f = current.join(cases, on="id", how="left").join(money, on="id", how="left")
    has_case = pl.col("__a_n").fill_null(0) > 0
    return f.with_columns(
        # Lines without after-sales or settlement rows keep the refund their order export gave
        # (Taobao's 退款金额); the others take what those rows say.
        pl.when(has_case | pl.col("__s_refund").is_not_null())
        .then(pl.max_horizontal(pl.col("__a_refund").fill_null(0), pl.col("__s_refund").fill_null(0).abs()))
        .otherwise(pl.col("__old_refund_fen"))
        .alias("refund_fen"),
        pl.col("__s_fee").fill_null(0).abs().alias("platform_fee_fen"),
        pl.col("__s_comm").fill_null(0).abs().alias("commission_fen"),
        pl.col("__s_promo").fill_null(0).abs().alias("promotion_fee_fen"),
        pl.when(has_case & (pl.col("__a_refunded") > 0))
        .then(pl.lit("refunded"))
        .when(has_case & (pl.col("__a_open") > 0))
        .then(pl.lit("in_progress"))
        .when(has_case)
        .then(pl.lit("closed"))
        .otherwise(pl.col("__old_aftersale_state"))
        .alias("aftersale_state"),
    )


def lines_figures_refresh(*, line_ids: Iterable[int]) -> dict[int, set[dt.date]]:
    """Recompute the after-sales and settlement figures of these lines; write those that changed
    (one UPDATE per 20,000 lines) and return their shops and days, for ``rollups_refresh``.
    Call inside the transaction of the change."""
    ids = sorted({int(i) for i in line_ids})
    dirty: dict[int, set[dt.date]] = {}
    for start in range(0, len(ids), _CHUNK):
        f = _figures(ids[start : start + _CHUNK])
        changed = f.filter(
            ~pl.all_horizontal([pl.col(c).eq_missing(pl.col(f"__old_{c}")) for c in _LINE_FIGURES])
        )
        if changed.height == 0:
            continue
        update_frame(OrderLine._meta.db_table, changed.select("id", *_LINE_FIGURES))
        for shop_id, day in changed.select("shop_id", "day").unique().iter_rows():
            dirty.setdefault(shop_id, set()).add(day)
    return dirty


def resolve_lines(shop_id: int, frame: pl.DataFrame) -> pl.Series:
    """The order line of each row (``line_id``, null when none): by sub-order number; else the order
    number taken as a sub-order number (single-line Douyin orders use the same number); else the
    order's only line."""
    subs = frame.get_column("sub_order_no").drop_nulls()
    orders = frame.get_column("order_no").drop_nulls()
    wanted = pl.concat([subs, orders]).unique().to_list()
    by_sub = pl.DataFrame(schema={"no": pl.String, "__lid": pl.Int64})
    single = pl.DataFrame(schema={"no": pl.String, "__oid": pl.Int64})
    if wanted:
        cond, params = keys_in("sub_order_no", wanted)
        by_sub = fetch_frame(
            f"SELECT sub_order_no, id FROM commerce_orderline WHERE shop_id = %s AND {cond}",  # noqa: S608
            [shop_id, *params],
            {"no": pl.String, "__lid": pl.Int64},
        )
    order_list = orders.unique().to_list()
    if order_list:
        cond, params = keys_in("o.order_no", order_list)
        single = fetch_frame(
            "SELECT o.order_no, MIN(l.id) FROM commerce_order o JOIN commerce_orderline l ON l.order_id = o.id "  # noqa: S608
            f"WHERE o.shop_id = %s AND {cond} GROUP BY o.order_no HAVING COUNT(*) = 1",
            [shop_id, *params],
            {"no": pl.String, "__oid": pl.Int64},
        )
    f = frame.select("sub_order_no", "order_no")
    f = f.join(by_sub.rename({"no": "sub_order_no", "__lid": "__a"}), on="sub_order_no", how="left")
    f = f.join(by_sub.rename({"no": "order_no", "__lid": "__b"}), on="order_no", how="left")
    f = f.join(single.rename({"no": "order_no", "__oid": "__c"}), on="order_no", how="left")
    # Joins keep the left order (keys are unique on the right), so the result lines up with ``frame``.
    return f.select(pl.coalesce("__a", "__b", "__c").alias("line_id")).get_column("line_id")


def _relink(model, shop_id: int) -> tuple[list[int], int]:
    """Link this shop's rows of ``model`` that have no line yet; returns (line ids now linked, rows linked)."""
    table = model._meta.db_table
    waiting = fetch_frame(
        f"SELECT id, order_no, sub_order_no FROM {table} "  # noqa: S608
        "WHERE shop_id = %s AND line_id IS NULL AND (order_no <> '' OR sub_order_no <> '')",
        [shop_id],
        {"id": pl.Int64, "order_no": pl.String, "sub_order_no": pl.String},
    )
    if waiting.height == 0:
        return [], 0
    links = waiting.select(pl.col("order_no").replace("", None), pl.col("sub_order_no").replace("", None))
    found = waiting.with_columns(resolve_lines(shop_id, links).alias("line_id")).filter(
        pl.col("line_id").is_not_null()
    )
    update_frame(table, found.select("id", "line_id"))
    return found.get_column("line_id").unique().to_list(), found.height


@transaction.atomic
def aftersales_relink_shop(*, shop_id: int, refresh_rollups: bool = True) -> dict[int, set[dt.date]]:
    """Link the shop's after-sales cases and settlement rows that wait for their order line (they
    arrived before the order), roll their figures onto the lines and refresh the rollups of the
    days that moved (unless ``refresh_rollups`` is False: then the caller refreshes the returned days).
    Trusted code (imports); people use ``aftersales_relink``."""
    line_ids: list[int] = []
    for model in (AfterSale, SettlementEntry):
        ids, _n = _relink(model, shop_id)
        line_ids += ids
    shop_days = lines_figures_refresh(line_ids=line_ids)
    if refresh_rollups:
        rollups_refresh_safe(shop_days=shop_days)
    return shop_days


@transaction.atomic
def aftersales_relink(*, actor, shop: Shop) -> int:
    """Link the shop's waiting after-sales cases and settlement rows to order lines imported since
    (EC-1). Needs ``commerce.import`` over the shop's department; audited. Returns rows linked."""
    if actor is not None and not access_for(actor).reaches_department("commerce.import", shop.department_id):
        raise NotAllowed(_("You are not allowed to do this."))
    linked = 0
    line_ids: list[int] = []
    for model in (AfterSale, SettlementEntry):
        ids, n = _relink(model, shop.pk)
        line_ids += ids
        linked += n
    rollups_refresh_safe(shop_days=lines_figures_refresh(line_ids=line_ids))
    audit_action(actor=actor, instance=shop, verb="aftersales_relink", details={"linked": linked})
    return linked
