"""Dashboard speed over the rollups of about 5,000,000 order lines (opt-in: set
``LIVEOPS_BENCH_DASHBOARD=1``; prints the timings, fails above the goal of p95 < 500 ms).

The dashboards read only the rollups, so the lines themselves are not written: 4 shops × 365 days
of rollups shaped like 5M lines (≈3,400 lines a shop-day): every hour, 31 provinces, 8 traffic
sources, 40 anchors, 400 products and 120 merchants a shop-day, i.e. about 900,000 breakdown rows,
a pessimistic count (real shops sell fewer distinct products a day)."""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import time

import polars as pl
import pytest
from django.urls import reverse
from django.utils import timezone

from liveops.commerce.bulk import insert_frame
from liveops.commerce.models import AnchorAccount, DailyDimensionRollup, DailyShopRollup, PeriodBuyers
from liveops.commerce.selectors.dashboards import period_start
from liveops.sourcing.models import Merchant, Product
from tests.commerce.factories import make_shop
from tests.factories import make_category, make_merchant, make_product

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not os.environ.get("LIVEOPS_BENCH_DASHBOARD"), reason="benchmark: LIVEOPS_BENCH_DASHBOARD=1"
    ),
]

SHOPS, DAYS, LINES = 4, 365, 5_000_000
KEYS = {"hour": 24, "province": 31, "source": 8, "anchor": 40, "product": 400, "merchant": 120}
GOAL_MS = 500


def _world():
    rnd = random.Random(7)
    shops = [make_shop(name=f"压测店铺{i}") for i in range(SHOPS)]
    merchant = make_merchant("压测商家")
    category = make_category()
    first = make_product(merchant, category=category)
    Product.objects.bulk_create(
        [
            Product(
                merchant=merchant,
                category=category,
                title=f"压测商品{i}",
                department=merchant.department,
            )
            for i in range(KEYS["product"] * 2)
        ]
    )
    product_ids = list(Product.objects.exclude(pk=first.pk).values_list("pk", flat=True))
    Merchant.objects.bulk_create(
        [
            Merchant(
                name=f"压测商家{i}",
                kind="brand_owner",
                department=merchant.department,
                uscc=f"91BENCH{i:08d}",
            )
            for i in range(KEYS["merchant"])
        ]
    )
    merchant_ids = list(Merchant.objects.values_list("pk", flat=True))
    AnchorAccount.objects.bulk_create(
        [
            AnchorAccount(platform="douyin", platform_anchor_id=f"9{i:07d}", nickname=f"主播{i}")
            for i in range(160)
        ]
    )
    anchor_ids = list(AnchorAccount.objects.values_list("pk", flat=True))
    keys = {
        "hour": [f"{h:02d}" for h in range(24)],
        "province": [f"省{i}" for i in range(KEYS["province"])],
        "source": [f"来源{i}" for i in range(KEYS["source"])],
        "anchor": [str(i) for i in anchor_ids],
        "product": [str(i) for i in product_ids],
        "merchant": [str(i) for i in merchant_ids],
    }
    today = timezone.localdate()
    days = [today - dt.timedelta(days=i) for i in range(DAYS)]
    per_day = LINES // (SHOPS * DAYS)
    shop_rows, dim_cols, buyer_rows = (
        [],
        {c: [] for c in ("shop_id", "day", "dimension", "key", "gmv_fen")},
        [],
    )
    for shop in shops:
        for day in days:
            gmv = per_day * 9900
            shop_rows.append(
                {
                    "shop_id": shop.pk,
                    "day": day,
                    "gmv_fen": gmv,
                    "orders_paid": per_day * 8 // 10,
                    "lines_paid": per_day,
                    "units": per_day * 12 // 10,
                    "buyers": per_day * 7 // 10,
                    "orders_submitted": per_day,
                    "refund_fen": gmv // 20,
                    "refund_lines": per_day // 20,
                    "updated_at": timezone.now(),
                }
            )
            for dimension, n in KEYS.items():
                for key in keys[dimension] if len(keys[dimension]) <= n else rnd.sample(keys[dimension], n):
                    dim_cols["shop_id"].append(shop.pk)
                    dim_cols["day"].append(day)
                    dim_cols["dimension"].append(dimension)
                    dim_cols["key"].append(key)
                    dim_cols["gmv_fen"].append(rnd.randint(100, gmv // n + 100))
        for grain in ("week", "month"):
            for start in sorted({period_start(d, grain) for d in days}):
                buyer_rows.append(
                    {"shop_id": shop.pk, "grain": grain, "period_start": start, "buyers": per_day * 5}
                )
    insert_frame(DailyShopRollup._meta.db_table, pl.DataFrame(shop_rows))
    dims = pl.DataFrame(dim_cols).with_columns(
        (pl.col("gmv_fen") // 9900 + 1).alias("orders_paid"),
        (pl.col("gmv_fen") // 9900 + 1).alias("lines_paid"),
        (pl.col("gmv_fen") // 8000 + 1).alias("units"),
        (pl.col("gmv_fen") // 20).alias("refund_fen"),
        pl.lit(1).alias("refund_lines"),
    )
    insert_frame(DailyDimensionRollup._meta.db_table, dims)
    insert_frame(PeriodBuyers._meta.db_table, pl.DataFrame(buyer_rows))
    return shops, anchor_ids, product_ids


def test_dashboard_p95_over_5m_lines(client_for, personas):
    t0 = time.perf_counter()
    shops, anchor_ids, product_ids = _world()
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(  # noqa: T201
        f"\n[{connection.vendor}] rollups written in {time.perf_counter() - t0:.1f} s: "
        f"{DailyShopRollup.objects.count()} daily rows, {DailyDimensionRollup.objects.count()} breakdown rows"
    )
    c = client_for("auditor")
    shop = shops[0]
    pages = {
        "shop dashboard, 30 days": (reverse("commerce-shop-dashboard", args=[shop.pk]), {}),
        "shop dashboard, 12 weeks": (reverse("commerce-shop-dashboard", args=[shop.pk]), {"grain": "week"}),
        "shop dashboard, 12 months": (reverse("commerce-shop-dashboard", args=[shop.pk]), {"grain": "month"}),
        "company dashboard, 30 days": (reverse("commerce-dashboard"), {}),
        "company dashboard, 12 months": (reverse("commerce-dashboard"), {"grain": "month"}),
        "shops index": (reverse("commerce-shop-list"), {}),
        "anchor page, 30 days": (reverse("commerce-anchor-detail", args=[anchor_ids[0]]), {}),
        "anchors index, 30 days": (reverse("commerce-anchor-list"), {}),
        "product page, 30 days": (reverse("commerce-product-sales", args=[product_ids[0]]), {}),
    }
    worst = 0.0
    for name, (url, params) in pages.items():
        assert c.get(url, params).status_code == 200  # warm up
        times = []
        for _ in range(20):
            t = time.perf_counter()
            assert c.get(url, params).status_code == 200
            times.append((time.perf_counter() - t) * 1000)
        p95 = statistics.quantiles(times, n=20)[-1]
        worst = max(worst, p95)
        print(f"  {name:32s} median {statistics.median(times):6.0f} ms   p95 {p95:6.0f} ms")  # noqa: T201
    assert worst < GOAL_MS
