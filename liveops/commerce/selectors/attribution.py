"""Reads of attribution: the unmatched queue and the mapping rules, scoped to the actor's shops."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from django.db.models import QuerySet

from liveops.commerce.bulk import fetch_frame, keys_in
from liveops.commerce.models import AttributionRule, OrderLine, Shop
from liveops.commerce.selectors.shops import shop_ids_visible
from liveops.core.access import Access

QUEUE_LIMIT = 100


@dataclass(frozen=True)
class UnmatchedKey:
    """One key (platform product ID, 商家编码) of lines no product matched, with what it sold."""

    platform: str
    platform_product_id: str
    merchant_code: str
    title: str
    lines: int
    gmv_fen: int


def unmatched_queue(*, access: Access, limit: int = QUEUE_LIMIT) -> list[UnmatchedKey]:
    """The keys of the visible shops' unmatched lines, the biggest first (at most ``limit``). Reads
    only unmatched lines, through the partial indexes that hold nothing else."""
    shop_ids = shop_ids_visible(access=access)
    if not shop_ids:
        return []
    cond, params = keys_in("l.shop_id", shop_ids)
    frame = fetch_frame(
        f"SELECT s.platform, l.platform_product_id, l.merchant_code, MAX(l.product_title), COUNT(*), "
        f"SUM(l.amount_paid_fen) FROM {OrderLine._meta.db_table} l JOIN {Shop._meta.db_table} s ON s.id = l.shop_id "
        f"WHERE l.product_id IS NULL AND {cond} GROUP BY s.platform, l.platform_product_id, l.merchant_code "
        f"ORDER BY COUNT(*) DESC, l.platform_product_id LIMIT %s",
        [*params, limit],
        {
            "platform": pl.String,
            "platform_product_id": pl.String,
            "merchant_code": pl.String,
            "title": pl.String,
            "lines": pl.Int64,
            "gmv_fen": pl.Int64,
        },
    )
    return [UnmatchedKey(*row) for row in frame.iter_rows()]


def rule_list(*, access: Access) -> QuerySet[AttributionRule]:
    """Mapping rules (platform-wide, so readable by anyone who reads orders)."""
    if not access.can("commerce.view"):
        return AttributionRule.objects.none()
    return AttributionRule.objects.select_related("product", "sku", "created_by").order_by(
        "-created_at", "-id"
    )
