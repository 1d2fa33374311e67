"""Reads of attribution: the unmatched queue and the mapping rules, scoped to the actor's shops."""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet

from liveops.commerce.models import AttributionRule, OrderLine, Shop
from liveops.commerce.selectors.dashboards import figures_cache_key, figures_cached, rollups_stamp
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


def _shop_unmatched_keys(shop_id: int) -> list[tuple[str, str, int, int, int]]:
    """(platform product ID, 商家编码, lines, GMV, newest line id) of one shop's unmatched lines.

    One pass over the covering partial index ``line_unmatched_queue``: only unmatched lines are in
    it, every column read is in it, and its key order is the GROUP BY's, so the table is not read
    and nothing is sorted. Ranking the keys (a few thousand at most) is left to Python."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT platform_product_id, merchant_code, COUNT(*), SUM(amount_paid_fen), MAX(id) "
            f"FROM {OrderLine._meta.db_table} WHERE shop_id = %s AND product_id IS NULL "
            f"GROUP BY platform_product_id, merchant_code",
            [shop_id],
        )
        return [tuple(row) for row in cursor.fetchall()]


def unmatched_queue(*, access: Access, limit: int = QUEUE_LIMIT) -> list[UnmatchedKey]:
    """The keys of the visible shops' unmatched lines, the biggest first (at most ``limit``).

    Each shop's keys come from the covering index of its unmatched lines and are cached under the
    shop's rollup stamp: every import and every mapping refreshes the rollups of the lines it
    touched, so a cached queue is never older than the lines' attribution."""
    shop_ids = shop_ids_visible(access=access)
    if not shop_ids:
        return []
    shops = list(Shop.objects.filter(pk__in=shop_ids).only("pk", "platform", "rollups_updated_at"))
    totals: dict[tuple[str, str, str], list[int]] = {}
    for shop in shops:
        key = figures_cache_key(rollups_stamp([shop]), "unmatched-keys")
        for product_id, code, lines, gmv, newest in figures_cached(
            key, lambda s=shop.pk: _shop_unmatched_keys(s)
        ):
            total = totals.setdefault((shop.platform, product_id, code), [0, 0, 0])
            total[0] += lines
            total[1] += gmv or 0
            total[2] = max(total[2], newest)
    top = heapq.nsmallest(limit, totals.items(), key=lambda kv: (-kv[1][0], kv[0][1], kv[0][0], kv[0][2]))
    # The title a key sold under most recently: one primary-key read for the page's keys.
    titles = dict(OrderLine.objects.filter(pk__in=[t[2] for _k, t in top]).values_list("pk", "product_title"))
    return [
        UnmatchedKey(platform, product_id, code, titles.get(newest, ""), lines, gmv)
        for (platform, product_id, code), (lines, gmv, newest) in top
    ]


def rule_list(*, access: Access) -> QuerySet[AttributionRule]:
    """Mapping rules (platform-wide, so readable by anyone who reads orders)."""
    if not access.can("commerce.view"):
        return AttributionRule.objects.none()
    # Newest first by id (the order they were created in), the products read by primary key in a
    # second query: with the product in an inner join, SQLite walked the whole library and sorted.
    return (
        AttributionRule.objects.select_related("sku", "created_by")
        .prefetch_related("product")
        .order_by("-id")
    )
