"""Orders benchmark (issue 4): a million-line Douyin export imported end to end, re-imported, and the
shop dashboard over five million order lines.

    .venv/bin/python bench/run_orders.py                       # SQLite only
    .venv/bin/python bench/run_orders.py --database-url postgres://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/run_orders.py --runs 3 --database-url …   # medians of 3 imports per database
    .venv/bin/python bench/run_orders.py --profile 100000      # cProfile of a 100k-line import, SQLite

What it does:

1. Generates a ``--lines`` (1,000,000) line 抖店 order export with all 65 columns, in the back
   office's layout and quirks (``liveops.commerce.samples.douyin_export_frame``: BOM, tab-prefixed
   IDs, ``-`` for empty, thousands separators, platform-encrypted contacts, notes with a newline
   inside a quoted field): ``--products`` (2,000) products, ``--anchors`` (40) anchors, ``--days``
   (180) days ending today. Prints its size and the generation time.
2. Times a bare columnar parse of the file (polars ``read_csv``, every column as a string).
3. For each database — SQLite in a fresh temporary LIVEOPS_DATA_DIR, and PostgreSQL in a fresh
   database ``liveops_bench_orders_<pid>`` on the server of ``--database-url`` (dropped at the end) —
   and each of ``--runs`` runs (a fresh database every time): ``migrate``, the org template, the
   benchmark user (a shop operator of the EC department), a Douyin shop, and a product library
   whose SKU codes are three quarters of the export's 商家编码 (so attribution matches and leaves a
   real unmatched queue). Then ``import_start(actor=None, kind="douyin-orders", file=…,
   options={"shop": …}, run_now=True)`` end to end (store the file, parse, validate, upsert,
   attribute, roll up), and the same file again (must insert and update nothing). Every import runs in
   its own process: wall time, CPU time and peak memory (``ru_maxrss`` of that process, from
   ``wait4``; the PostgreSQL server's own memory is not in it) are measured from outside.
4. The dashboard: a second shop of the same database gets ``--dashboard-lines`` (5,000,000) order
   lines (2 per order, over ``--days`` days, attributed to the library's products and the anchors)
   written straight into the tables with ``liveops.commerce.bulk.insert_frame`` (executemany on
   SQLite, COPY on PostgreSQL), and its rollups computed by ``rollups_refresh`` from those lines —
   the dashboard reads the rollups only, so this is the state a shop with 5 million imported lines is
   in. Then gunicorn (``--workers 2 --threads 4``), a real login, and at most ``--requests`` GETs per
   target from ``--concurrency`` connections: p50/p95/p99. Targets whose URL answers 404 are
   reported as missing (edit ``TARGETS``) and skipped.

Goals (issue 4): import ≤ 30 s and ≤ 1.5 GB peak on each database; re-import ≤ 15 s with 0 rows
changed; dashboard p95 < 500 ms. Prints markdown tables; JSON goes to bench/out/ (gitignored).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import run_foundation as fb  # noqa: E402  (server, login, load generator, machine info)

OUT_DIR = ROOT / "bench" / "out"
SHOP = "bench-douyin"
DASHBOARD_SHOP = "bench-5m"
GOALS = {"import_s": 30.0, "import_peak_mb": 1536.0, "reimport_s": 15.0, "dashboard_p95_ms": 500.0}

# name → (path, authentication). ``{shop}`` is the 5-million-line shop's ID. Pages use the session
# cookie, the API the Bearer token. A target answering 404 is reported as missing and skipped.
TARGETS: dict[str, tuple[str, str]] = {
    "shop dashboard, 30 days by day": ("/commerce/shops/{shop}/dashboard/", "session"),
    "shop dashboard, 6 months by month": (
        "/commerce/shops/{shop}/dashboard/?grain=month&date_from={from6m}&date_to={today}",
        "session",
    ),
    "shop dashboard, 6 months by week": (
        "/commerce/shops/{shop}/dashboard/?grain=week&date_from={from6m}&date_to={today}",
        "session",
    ),
    "company dashboard /commerce/dashboard/": ("/commerce/dashboard/", "session"),
    "shops list /commerce/shops/": ("/commerce/shops/", "session"),
    "API dashboard figures, 30 days": ("/api/v1/commerce/dashboard/figures/?shop={shop}", "token"),
    "API dashboard figures, 6 months by month": (
        "/api/v1/commerce/dashboard/figures/?shop={shop}&grain=month&date_from={from6m}&date_to={today}",
        "token",
    ),
    "API breakdown by product, 30 days": (
        "/api/v1/commerce/dashboard/breakdown/?shop={shop}&dimension=product",
        "token",
    ),
    "API shop daily figures": ("/api/v1/commerce/shops/{shop}/daily/", "token"),
    # Not from the rollups: the products of one anchor and the anchors of one product are read from that
    # anchor's (product's) lines once, then cached until the next refresh ("first ms" is that read).
    "anchor page (its products), 30 days": ("/commerce/anchors/{anchor}/", "session"),
    "product page (its anchors), 30 days": ("/commerce/products/{product}/sales/", "session"),
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--lines", type=int, default=1_000_000, help="lines of the generated export")
    p.add_argument("--products", type=int, default=2_000)
    p.add_argument("--anchors", type=int, default=40)
    p.add_argument("--days", type=int, default=180)
    p.add_argument("--runs", type=int, default=1, help="imports per database (fresh each time); medians")
    p.add_argument("--database-url", default="", help="PostgreSQL server to create the benchmark database on")
    p.add_argument(
        "--backends", default="", help="comma-separated: sqlite,postgresql (default: both if a URL)"
    )
    p.add_argument("--dashboard-lines", type=int, default=5_000_000)
    p.add_argument("--no-dashboard", action="store_true")
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--requests", type=int, default=200, help="requests per dashboard target")
    p.add_argument("--time-limit", type=float, default=60.0, help="seconds per target, at most")
    p.add_argument("--warmup", type=int, default=8)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--threads", type=int, default=4)
    p.add_argument("--only", default="", help="comma-separated substrings of dashboard target names")
    p.add_argument("--profile", type=int, default=0, help="only: cProfile an import of this many lines")
    p.add_argument("--keep", action="store_true", help="keep the temporary folders / databases")
    p.add_argument("--seed", type=int, default=2026)
    # Internal: run one phase in this (child) process and write its result as JSON.
    p.add_argument("--phase", default="", help=argparse.SUPPRESS)
    p.add_argument("--file", default="", help=argparse.SUPPRESS)
    p.add_argument("--result", default="", help=argparse.SUPPRESS)
    return p.parse_args(argv)


# Shared by the phases: the export's products and anchors, and which of them the library knows.


def sample_products(n: int):
    from liveops.commerce.samples import SampleProduct

    nouns = ["精华液", "面膜", "洗面奶", "坚果礼盒", "牛肉干", "龙井茶", "连衣裙", "保温杯", "洗发水", "口红"]
    return [
        SampleProduct(
            f"35800{i:014d}",
            f"BM{i:05d}",
            f"澜星{nouns[i % len(nouns)]} {i:04d}",
            ["30ml", "50ml", "礼盒装", "M", "L"][i % 5],
            990 + (i * 3719) % 30_000,
        )
        for i in range(n)
    ]


def in_library(i: int) -> bool:
    """Three products in four are in the library (matched by SKU code); the rest are unmatched."""
    return i % 4 != 3


def library_products_create(*, samples, merchants, category, department, code_prefix: str, now) -> int:
    """Put the export's products that ``in_library`` picks into the product library, approved, with
    their SKU code as the export's 商家编码 (attribution matches those lines; the rest stay unmatched).
    Shared by this benchmark and ``run_scale_walk``."""
    from liveops.sourcing.models import PipelineStage, Product, Sku

    known = [(i, p) for i, p in enumerate(samples) if in_library(i)]
    products = Product.objects.bulk_create(
        [
            Product(
                merchant=merchants[i % len(merchants)],
                category=category,
                title=p.title,
                merchant_code=f"{code_prefix}{i:05d}",
                regular_price=p.price_fen / 100,
                stage=PipelineStage.APPROVED,
                stage_entered_at=now,
                department=department,
            )
            for i, p in known
        ],
        batch_size=1000,
    )
    Sku.objects.bulk_create(
        [
            Sku(product=prod, sku_code=p.merchant_code, spec=p.spec, price=p.price_fen / 100)
            for prod, (_i, p) in zip(products, known, strict=True)
        ],
        batch_size=1000,
    )
    return len(known)


def sample_anchors(n: int):
    from liveops.commerce.samples import SampleAnchor

    return [SampleAnchor(str(71_000_000 + i), f"主播{i:02d}号") for i in range(n)]


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=8))).date()


# Child phases ---------------------------------------------------------------------------------


def phase_generate(args) -> dict:
    import polars as pl  # noqa: F401

    from liveops.commerce.samples import douyin_export_frame, export_write

    t0 = time.perf_counter()
    end = today()
    frame = douyin_export_frame(
        lines=args.lines,
        start=dt.datetime.combine(end - dt.timedelta(days=args.days), dt.time(0, 0)),
        days=args.days,
        products=sample_products(args.products),
        anchors=sample_anchors(args.anchors),
        seed=args.seed,
        now=dt.datetime.combine(end, dt.time(0, 0)),
    )
    t_frame = time.perf_counter() - t0
    path = export_write(frame, args.file)
    return {
        "seconds": round(time.perf_counter() - t0, 2),
        "frame_s": round(t_frame, 2),
        "rows": frame.height,
        "columns": frame.width,
        "bytes": path.stat().st_size,
    }


def phase_parse(args) -> dict:
    import polars as pl

    t0 = time.perf_counter()
    frame = pl.read_csv(args.file, infer_schema=False)
    return {"seconds": round(time.perf_counter() - t0, 2), "rows": frame.height, "columns": frame.width}


def _django():
    import django

    django.setup()


def phase_setup(args) -> dict:
    """Migrate, the org template, the benchmark user, the shop and the product library."""
    _django()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import transaction

    from liveops.commerce.models import Shop
    from liveops.org.bootstrap import org_template_load
    from liveops.org.models import Department, Position, Staff
    from liveops.org.services import staff_names
    from liveops.sourcing.demo import _categories
    from liveops.sourcing.models import Merchant

    t0 = time.perf_counter()
    call_command("migrate", "--no-input", verbosity=0)
    org_template_load()
    migrate_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    with transaction.atomic():
        user = get_user_model().objects.create_user(
            fb.BENCH_USER, f"{fb.BENCH_USER}@example.com", fb.BENCH_PASSWORD
        )
        # A shop operator of the EC department: sees the shops of EC, as the people who use them.
        pos = Position.objects.select_related("department").get(code="ec-shop-operator")
        Staff.objects.create(
            employee_no="B000000",
            user=user,
            name="张伟",
            department=pos.department,
            position=pos,
            **staff_names("张伟"),
        )
        ec = Department.objects.get(code="EC")
        Shop.objects.create(platform="douyin", name=SHOP, department=ec)
        mr = Department.objects.get(code="MR")
        leaf = next(c for c in _categories().values() if c.parent_id)
        merchants = Merchant.objects.bulk_create(
            [
                Merchant(
                    name=f"澜星{i:02d}商贸有限公司",
                    kind="brand_owner",
                    uscc=f"91330100MB{i:08d}",
                    department=mr,
                    status="active",
                )
                for i in range(20)
            ]
        )
        now = dt.datetime.now(dt.UTC)
        samples = sample_products(args.products)
        library_skus = library_products_create(
            samples=samples, merchants=merchants, category=leaf, department=mr, code_prefix="BMP", now=now
        )
    return {
        "migrate_s": round(migrate_s, 2),
        "data_s": round(time.perf_counter() - t0, 2),
        "library_skus": library_skus,
    }


def phase_import(args) -> dict:
    """One end-to-end import of the export into the benchmark shop."""
    _django()
    from liveops.commerce.models import AnchorAccount, OrderLine
    from liveops.core.imports.services import import_start

    server_cpu = _server_cpu_seconds()
    t0 = time.perf_counter()
    run = import_start(
        actor=None,
        kind="douyin-orders",
        file=args.file,
        file_name=Path(args.file).name,
        options={"shop": SHOP},
        run_now=True,
    )
    seconds = time.perf_counter() - t0
    if server_cpu is not None:
        server_cpu = round(_server_cpu_seconds() - server_cpu, 2)
    lines = OrderLine.objects.filter(shop__name=SHOP)
    return {
        "seconds": round(seconds, 2),
        "server_cpu_s": server_cpu,
        "run_seconds": round((run.finished_at - run.created_at).total_seconds(), 2)
        if run.finished_at
        else None,
        "status": str(run.status),
        "error": run.error[:500],
        "read": run.rows_read,
        "inserted": run.rows_inserted,
        "updated": run.rows_updated,
        "unchanged": run.rows_unchanged,
        "rejected": run.rows_rejected,
        "lines_in_shop": lines.count(),
        "lines_with_product": lines.filter(product__isnull=False).count(),
        "lines_with_anchor": lines.filter(anchor_account__isnull=False).count(),
        "anchor_accounts": AnchorAccount.objects.count(),
    }


def _server_cpu_seconds() -> float | None:
    """CPU seconds used so far by the PostgreSQL server for this process's work (same machine only,
    read from /proc), or None on SQLite or when the server runs elsewhere: this connection's backend,
    plus the backends that have already exited (the postmaster's reaped children), such as the one the
    import's writer thread opens and closes. The difference around an import is the server's share of
    it; the WAL writer and checkpointer, which live on, are not counted."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        backend = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        # Field 4 of stat is the parent: the postmaster, which adds up the CPU of its exited children.
        postmaster = Path(f"/proc/{backend[1]}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # Counted after the ")" that ends the command name: utime, stime are fields 14 and 15 of stat,
    # cutime, cstime (children that exited) 16 and 17.
    ticks = int(backend[11]) + int(backend[12]) + int(postmaster[13]) + int(postmaster[14])
    return ticks / os.sysconf("SC_CLK_TCK")


def phase_profile(args) -> dict:
    """A fresh database, then the import and the re-import, each under cProfile."""
    import cProfile
    import io
    import pstats

    phase_setup(args)
    from liveops.core.imports.services import import_start

    out = {}
    for label in ("import", "reimport"):
        prof = cProfile.Profile()
        t0 = time.perf_counter()
        prof.enable()
        run = import_start(
            actor=None,
            kind="douyin-orders",
            file=args.file,
            file_name="p.csv",
            options={"shop": SHOP},
            run_now=True,
        )
        prof.disable()
        texts = {}
        for key in ("cumulative", "tottime"):
            buf = io.StringIO()
            pstats.Stats(prof, stream=buf).sort_stats(key).print_stats(40)
            texts[key] = buf.getvalue()
        out[label] = {
            "seconds": round(time.perf_counter() - t0, 2),
            "status": str(run.status),
            "inserted": run.rows_inserted,
            "unchanged": run.rows_unchanged,
            "profile": texts,
        }
    return out


def phase_dashboard_data(args) -> dict:
    """A second shop with ``--dashboard-lines`` lines written straight into the tables, its rollups,
    an API token, and the queries and single-request time of each target (in-process)."""
    _django()
    import polars as pl
    from django.db import connection, transaction

    from liveops.commerce.bulk import ids_allocate, insert_frame
    from liveops.commerce.models import AnchorAccount, Order, OrderLine, Shop
    from liveops.commerce.samples import PLACES, SOURCES
    from liveops.commerce.services.rollups import ROLLUP_COLUMNS, rollups_refresh
    from liveops.org.models import Department
    from liveops.sourcing.models import Sku

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    if connection.vendor == "sqlite":
        # Set-up, not the measured part: no fsync per chunk, and the indexes' pages in memory.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA cache_size = -524288")
    shop = Shop.objects.create(
        platform="douyin", name=DASHBOARD_SHOP, department=Department.objects.get(code="EC")
    )
    samples = sample_products(args.products)
    lib = {
        code: (pid, sid, mid)
        for code, pid, sid, mid in Sku.objects.values_list(
            "sku_code", "product_id", "id", "product__merchant_id"
        )
    }
    products = pl.DataFrame(
        {
            "__p": list(range(len(samples))),
            "merchant_code": [p.merchant_code for p in samples],
            "product_title": [p.title for p in samples],
            "sku_spec": [p.spec for p in samples],
            "platform_product_id": [p.platform_product_id for p in samples],
            "unit_price_fen": [p.price_fen for p in samples],
            "product_id": [lib.get(p.merchant_code, (None, None, None))[0] for p in samples],
            "sku_id": [lib.get(p.merchant_code, (None, None, None))[1] for p in samples],
            "merchant_id": [lib.get(p.merchant_code, (None, None, None))[2] for p in samples],
        },
        schema_overrides={"product_id": pl.Int64, "sku_id": pl.Int64, "merchant_id": pl.Int64},
    )
    anchors = sample_anchors(args.anchors)
    AnchorAccount.objects.bulk_create(
        [
            AnchorAccount(platform="douyin", platform_anchor_id=a.anchor_id, nickname=a.nickname)
            for a in anchors
        ],
        ignore_conflicts=True,
    )
    ids = dict(AnchorAccount.objects.filter(platform="douyin").values_list("platform_anchor_id", "id"))
    anchor_frame = pl.DataFrame(
        {
            "__a": list(range(len(anchors))),
            "anchor_platform_id": [a.anchor_id for a in anchors],
            "anchor_nickname": [a.nickname for a in anchors],
            "anchor_account_id": [ids[a.anchor_id] for a in anchors],
        }
    )
    places = pl.DataFrame(
        {"__pl": list(range(len(PLACES))), "province": [p[0] for p in PLACES], "city": [p[1] for p in PLACES]}
    )
    total = args.dashboard_lines
    end = today()
    start = dt.datetime.combine(end - dt.timedelta(days=args.days), dt.time(0, 0))
    span = args.days * 86_400
    orders_total = (total + 1) // 2
    chunk = 250_000  # even: an order's two lines never straddle chunks
    rollup_parts = []
    fmt_utc = pl.Datetime("us", "UTC")
    for c0 in range(0, total, chunk):
        n = min(chunk, total - c0)
        f = pl.DataFrame({"__i": pl.int_range(c0, c0 + n, eager=True, dtype=pl.Int64)})
        f = f.with_columns((pl.col("__i") // 2).alias("__o"))
        h = lambda salt, m, base="__o": (pl.col(base).hash(args.seed * 100 + salt) % m).cast(pl.Int64)  # noqa: E731
        f = f.with_columns(
            (pl.lit(start) + pl.duration(seconds=pl.col("__o") * span // orders_total + h(1, 600))).alias(
                "__submit"
            ),
            h(2, 100).alias("__state"),
            h(3, args.products, "__i").alias("__p"),
            h(4, len(anchors)).alias("__a"),
            h(5, len(PLACES)).alias("__pl"),
            h(6, len(SOURCES)).alias("traffic_source_i"),
            (h(7, 10, "__i") // 8 + 1).alias("quantity"),
            h(8, 1_500_000).cast(pl.String).alias("buyer_key"),
        )
        f = (
            f.join(products, on="__p", how="left")
            .join(anchor_frame, on="__a", how="left")
            .join(places, on="__pl", how="left")
        )
        paid = pl.col("__state") >= 3
        refunded = (pl.col("__state") >= 3) & (pl.col("__state") < 9)
        local = lambda e: e.dt.replace_time_zone("Asia/Shanghai").dt.convert_time_zone("UTC").cast(fmt_utc)  # noqa: E731
        f = f.with_columns(
            local(pl.col("__submit")).alias("submitted_at"),
            pl.when(paid).then(local(pl.col("__submit") + pl.duration(seconds=90))).alias("paid_at"),
            pl.when(paid & ~refunded)
            .then(local(pl.col("__submit") + pl.duration(hours=20)))
            .alias("shipped_at"),
            pl.when(paid & ~refunded)
            .then(local(pl.col("__submit") + pl.duration(days=6)))
            .alias("finished_at"),
            (pl.col("__submit") + pl.duration(seconds=pl.when(paid).then(90).otherwise(0)))
            .dt.date()
            .alias("day"),
            (pl.col("unit_price_fen") * pl.col("quantity")).alias("amount_due_fen"),
            pl.when(refunded | ~paid).then(pl.lit("closed")).otherwise(pl.lit("completed")).alias("status"),
            pl.when(refunded | ~paid).then(pl.lit("已关闭")).otherwise(pl.lit("已完成")).alias("status_text"),
            pl.when(refunded).then(pl.lit("refunded")).otherwise(pl.lit("none")).alias("aftersale_state"),
            pl.when(refunded).then(pl.lit("退款成功")).otherwise(pl.lit("")).alias("aftersale_text"),
            pl.col("traffic_source_i")
            .replace_strict(list(range(len(SOURCES))), SOURCES)
            .alias("traffic_source"),
        )
        f = f.with_columns(
            pl.when(paid).then(pl.col("amount_due_fen")).otherwise(0).alias("amount_paid_fen"),
            pl.when(refunded).then(pl.col("amount_due_fen")).otherwise(0).alias("refund_fen"),
        )
        orders = (
            f.group_by("__o", maintain_order=True)
            .agg(
                pl.col("submitted_at").min(),
                pl.col("paid_at").min(),
                pl.len().alias("line_count"),
                pl.col("amount_paid_fen").sum(),
                pl.col("buyer_key").first(),
                pl.col("province").first(),
                pl.col("city").first(),
            )
            .with_columns(
                pl.Series(
                    "id", ids_allocate(Order._meta.db_table, f.get_column("__o").n_unique()), dtype=pl.Int64
                )
            )
        )
        with transaction.atomic():
            insert_frame(
                Order._meta.db_table,
                orders.select(
                    pl.lit(shop.pk).alias("shop_id"),
                    "id",
                    pl.concat_str([pl.lit("D"), pl.col("__o").cast(pl.String)]).alias("order_no"),
                    "submitted_at",
                    "paid_at",
                    "line_count",
                    "amount_paid_fen",
                    "buyer_key",
                    *[
                        pl.lit("").alias(c)
                        for c in ("buyer_name_masked", "buyer_phone_masked", "buyer_address_masked")
                    ],
                    pl.lit("").alias("contact_sealed"),
                    pl.lit(True).alias("contact_platform_encrypted"),
                    "province",
                    "city",
                    pl.lit("").alias("district"),
                    pl.lit("").alias("buyer_note"),
                    pl.lit("").alias("row_hash"),
                ),
            )
            f = f.join(orders.select("__o", pl.col("id").alias("order_id")), on="__o", how="left")
            insert_frame(
                OrderLine._meta.db_table,
                f.select(
                    pl.lit(shop.pk).alias("shop_id"),
                    "order_id",
                    pl.concat_str([pl.lit("D"), pl.col("__i").cast(pl.String)]).alias("sub_order_no"),
                    "product_title",
                    "sku_spec",
                    "platform_product_id",
                    "merchant_code",
                    "quantity",
                    "unit_price_fen",
                    "amount_due_fen",
                    *[
                        pl.lit(0, dtype=pl.Int64).alias(c)
                        for c in (
                            "freight_fen",
                            "discount_total_fen",
                            "discount_platform_fen",
                            "discount_merchant_fen",
                            "discount_anchor_fen",
                            "platform_fee_fen",
                            "commission_fen",
                            "promotion_fee_fen",
                        )
                    ],
                    "amount_paid_fen",
                    "status",
                    "status_text",
                    "aftersale_state",
                    "aftersale_text",
                    "traffic_source",
                    pl.lit("抖音").alias("app_channel"),
                    pl.lit("普通订单").alias("order_type"),
                    "province",
                    "anchor_platform_id",
                    "anchor_nickname",
                    "submitted_at",
                    "paid_at",
                    "shipped_at",
                    "finished_at",
                    "day",
                    "buyer_key",
                    "refund_fen",
                    "anchor_account_id",
                    "product_id",
                    "sku_id",
                    "merchant_id",
                    pl.lit("").alias("row_hash"),
                    pl.lit("").alias("source_hash"),
                ),
            )
        rollup_parts.append(f.select(ROLLUP_COLUMNS))
        print(f"    dashboard data: {c0 + n:,} lines", flush=True)
    timings["insert_s"] = time.perf_counter() - t0

    # Rollups, a calendar month per call, from the frame of every line (nothing read back).
    t0 = time.perf_counter()
    frame = pl.concat(rollup_parts)
    rollup_parts.clear()
    days = sorted(frame.get_column("day").unique().to_list())
    every_day = {days[0] + dt.timedelta(days=k) for k in range(-40, (days[-1] - days[0]).days + 41)}
    months: dict[tuple[int, int], set[dt.date]] = {}
    for d in days:
        months.setdefault((d.year, d.month), set()).add(d)
    for month_days in months.values():
        rollups_refresh(shop_days={shop.pk: month_days}, known={shop.pk: (frame, every_day)})
    Shop.objects.filter(pk=shop.pk).update(orders_updated_at=dt.datetime.now(dt.UTC))
    timings["rollups_s"] = time.perf_counter() - t0
    del frame
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    timings["analyze_s"] = time.perf_counter() - t0

    from django.db.models import Sum

    from liveops.commerce.models import DailyDimensionRollup, DailyShopRollup

    counts = {
        "lines_in_dashboard_shop": OrderLine.objects.filter(shop=shop).count(),
        "lines_total": OrderLine.objects.count(),
        "orders_total": Order.objects.count(),
        "daily_shop_rollups": DailyShopRollup.objects.filter(shop=shop).count(),
        "dimension_rollups": DailyDimensionRollup.objects.filter(shop=shop).count(),
    }
    token = fb.api_token()
    # The best-selling anchor and product of the shop: the pages that read the most lines.
    best = {
        dim: DailyDimensionRollup.objects.filter(shop=shop, dimension=dim)
        .exclude(key="")
        .values("key")
        .annotate(gmv=Sum("gmv_fen"))
        .order_by("-gmv")
        .values_list("key", flat=True)
        .first()
        for dim in ("anchor", "product")
    }
    ids = {"shop": shop.pk, "anchor": best["anchor"], "product": best["product"]}
    targets = {n: (_fill(p, ids), a) for n, (p, a) in TARGETS.items()}
    probes = _probe(targets, token)
    connection.close()
    return {
        "shop_id": shop.pk,
        "ids": ids,
        "token": token,
        "timings": {k: round(v, 2) for k, v in timings.items()},
        "counts": counts,
        "probes": probes,
    }


def _fill(path: str, ids: dict) -> str:
    """A target's path with the shop, anchor and product IDs and the dates filled in."""
    end = today()
    return path.format(**ids, today=end.isoformat(), from6m=(end - dt.timedelta(days=180)).isoformat())


def _probe(targets: dict, token: str) -> dict:
    """Per target, in-process: status, queries per request, the median of 5 single requests, and the
    profile of one."""
    import cProfile
    import io
    import pstats

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    user = get_user_model().objects.get(username=fb.BENCH_USER)
    out = {}
    for name, (path, auth) in targets.items():
        client = Client()
        headers = {}
        if auth == "session":
            client.force_login(user)
        else:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        t0 = time.perf_counter()
        first = client.get(path, **headers)
        first_ms = (time.perf_counter() - t0) * 1000
        count = [0]

        def counter(execute, sql, params, many, context, count=count):
            count[0] += 1
            return execute(sql, params, many, context)

        # (CaptureQueriesContext reads the query log, which each request's start clears.)
        with connection.execute_wrapper(counter):
            response = client.get(path, **headers)
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            client.get(path, **headers)
            times.append((time.perf_counter() - t0) * 1000)
        # Where one request's time goes (the project's own functions, by cumulative time).
        prof = cProfile.Profile()
        prof.enable()
        client.get(path, **headers)
        prof.disable()
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(r"liveops/", 15)
        out[name] = {
            "profile": buf.getvalue(),
            "status": response.status_code,
            "first_status": first.status_code,
            "queries": count[0],
            "single_ms": round(statistics.median(times), 1),
            "first_ms": round(first_ms, 1),
        }
    return out


PHASES = {
    "generate": phase_generate,
    "parse": phase_parse,
    "setup": phase_setup,
    "import": phase_import,
    "profile": phase_profile,
    "dashboard-data": phase_dashboard_data,
}


# Parent: processes, databases, load ----------------------------------------------------------


def child(phase: str, args: argparse.Namespace, env: dict, *, file: Path, workdir: Path) -> dict:
    """Run ``phase`` in a new process; its result, plus wall time, CPU time and peak memory (MB)."""
    result = workdir / f"result-{phase}-{secrets.token_hex(4)}.json"
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--phase",
        phase,
        "--file",
        str(file),
        "--result",
        str(result),
    ]
    for name in ("lines", "products", "anchors", "days", "dashboard_lines", "seed"):
        cmd += [f"--{name.replace('_', '-')}", str(getattr(args, name))]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT)  # noqa: S603
    # wait4, not proc.wait(): it hands over the resource usage of this one process.
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"phase {phase} failed with exit code {proc.returncode}")
    data = json.loads(result.read_text())
    result.unlink()
    data["process"] = {
        "wall_s": round(wall, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_mb": round(usage.ru_maxrss / 1024, 1),  # Linux: KiB
    }
    return data


def base_env(data_dir: Path) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "liveops.settings",
            "LIVEOPS_DATA_DIR": str(data_dir),
            "LIVEOPS_SECRET_KEY": secrets.token_urlsafe(50),
            "LIVEOPS_LOG_LEVEL": "ERROR",
            "LIVEOPS_STATIC_ROOT": str(data_dir / "static"),
        }
    )
    (data_dir / "static").mkdir(parents=True, exist_ok=True)
    for name in ("LIVEOPS_DEBUG", "LIVEOPS_SQLITE_PATH", "DATABASE_URL"):
        env.pop(name, None)
    return env


def pg_name() -> str:
    return f"liveops_bench_orders_{os.getpid()}"


def pg_create(url: str) -> str:
    import psycopg

    name = pg_name()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def pg_drop(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{pg_name()}" WITH (FORCE)')


def run_backend(backend: str, args, export: Path, workdir: Path) -> dict:
    """``--runs`` fresh databases, each: set-up, import, re-import; then the dashboard on the last."""
    runs = []
    dashboard = None
    for run_no in range(args.runs):
        data_dir = Path(tempfile.mkdtemp(prefix=f"liveops-bench-orders-{backend}-"))
        env = base_env(data_dir)
        if backend == "postgresql":
            env["DATABASE_URL"] = pg_create(args.database_url)
        proc = None
        try:
            setup = child("setup", args, env, file=export, workdir=workdir)
            print(f"==> {backend} run {run_no + 1}/{args.runs}: set-up {setup}", flush=True)
            first = child("import", args, env, file=export, workdir=workdir)
            print(f"    import: {_brief(first)}", flush=True)
            again = child("import", args, env, file=export, workdir=workdir)
            print(f"    re-import: {_brief(again)}", flush=True)
            runs.append({"setup": setup, "import": first, "reimport": again})
            if run_no == args.runs - 1 and not args.no_dashboard:
                data = child("dashboard-data", args, env, file=export, workdir=workdir)
                print(f"    dashboard data: {data['timings']} {data['counts']}", flush=True)
                dashboard = {"data": {k: v for k, v in data.items() if k != "token"}}
                port = fb.free_port()
                proc = fb.start_server(args, env, port, data_dir / "gunicorn.log")
                dashboard["load"] = load_dashboard(args, port, data)
        finally:
            if proc is not None:
                fb.stop_server(proc)
            if backend == "postgresql" and not args.keep:
                pg_drop(args.database_url)
            if not args.keep:
                shutil.rmtree(data_dir, ignore_errors=True)
    return {"runs": runs, "dashboard": dashboard}


def _brief(r: dict) -> str:
    p = r["process"]
    return (
        f"{r['seconds']} s (CPU {p['cpu_s']} s"
        + (f", server CPU {r['server_cpu_s']} s" if r.get("server_cpu_s") is not None else "")
        + f", peak {p['peak_mb']} MB) {r['status']} read {r['read']} "
        f"inserted {r['inserted']} updated {r['updated']} unchanged {r['unchanged']} rejected {r['rejected']}"
        + (f" error {r['error']}" if r["error"] else "")
    )


def load_dashboard(args, port: int, data: dict) -> dict:
    session = fb.login(port)
    auth = {
        "session": {"Cookie": f"sessionid={session}"},
        "token": {"Authorization": f"Bearer {data['token']}"},
    }
    out = {}
    for name, (path, kind) in TARGETS.items():
        if args.only and not any(s in name for s in args.only.split(",")):
            continue
        url = _fill(path, data["ids"])
        status, _, _ = fb.request(port, url, headers=auth[kind])
        if status != 200:
            out[name] = {"missing": status, "path": url}
            print(f"    {name}: HTTP {status} — skipped (update TARGETS)", flush=True)
            continue
        fb.load(
            port,
            url,
            auth[kind],
            total=args.warmup,
            concurrency=min(args.concurrency, args.warmup or 1),
            time_limit=20,
        )
        result = fb.load(
            port,
            url,
            auth[kind],
            total=args.requests,
            concurrency=args.concurrency,
            time_limit=args.time_limit,
        )
        result["path"] = url
        result["queries"] = data["probes"].get(name, {}).get("queries")
        result["single_ms"] = data["probes"].get(name, {}).get("single_ms")
        result["first_ms"] = data["probes"].get(name, {}).get("first_ms")
        out[name] = result
        print(f"    {name}: {result}", flush=True)
    return out


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 2)


def summarise(backend: str, res: dict) -> dict:
    runs = res["runs"]
    imp = [r["import"] for r in runs]
    re = [r["reimport"] for r in runs]
    return {
        "import_s": _median([r["seconds"] for r in imp]),
        "import_cpu_s": _median([r["process"]["cpu_s"] for r in imp]),
        "import_peak_mb": _median([r["process"]["peak_mb"] for r in imp]),
        "reimport_s": _median([r["seconds"] for r in re]),
        "reimport_cpu_s": _median([r["process"]["cpu_s"] for r in re]),
        "reimport_peak_mb": _median([r["process"]["peak_mb"] for r in re]),
        "reimport_changed": max(r["inserted"] + r["updated"] for r in re),
        "import_counts": {k: imp[-1][k] for k in ("read", "inserted", "updated", "unchanged", "rejected")},
        "reimport_counts": {k: re[-1][k] for k in ("read", "inserted", "updated", "unchanged", "rejected")},
        "attributed": {k: imp[-1][k] for k in ("lines_in_shop", "lines_with_product", "lines_with_anchor")},
        "statuses": sorted({r["status"] for r in imp + re}),
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.phase:
        result = PHASES[args.phase](args)
        Path(args.result).write_text(json.dumps(result, default=str, ensure_ascii=False))
        return 0
    backends = [b for b in args.backends.split(",") if b] or (
        ["sqlite", "postgresql"] if args.database_url else ["sqlite"]
    )
    if "postgresql" in backends and not args.database_url:
        raise SystemExit("--database-url is needed for PostgreSQL")
    workdir = Path(tempfile.mkdtemp(prefix="liveops-bench-orders-"))
    export = workdir / "douyin-orders.csv"
    try:
        if args.profile:
            return profile(args, export, workdir)
        print(f"==> generating a {args.lines:,}-line Douyin export in {workdir}", flush=True)
        gen = child("generate", args, base_env(workdir / "gen"), file=export, workdir=workdir)
        size_mb = gen["bytes"] / 1024**2
        print(
            f"    {gen['rows']:,} rows × {gen['columns']} columns, {size_mb:.0f} MiB, generated and written in "
            f"{gen['seconds']} s (peak {gen['process']['peak_mb']} MB)",
            flush=True,
        )
        parses = [
            child("parse", args, base_env(workdir / "gen"), file=export, workdir=workdir)
            for _ in range(max(1, args.runs))
        ]
        parse_s = _median([p["seconds"] for p in parses])
        print(f"    bare columnar parse (polars read_csv, all strings): {parse_s} s", flush=True)
        results = {b: run_backend(b, args, export, workdir) for b in backends}
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    summary = {b: summarise(b, r) for b, r in results.items()}
    report = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": fb.machine(),
        "load_average_at_end": os.getloadavg(),
        "args": {k: v for k, v in vars(args).items() if k not in ("database_url", "phase", "file", "result")}
        | {"database_url": bool(args.database_url)},
        "export": {**gen, "mib": round(size_mb, 1)},
        "bare_parse_s": parse_s,
        "parse_runs": parses,
        "results": results,
        "summary": summary,
        "goals": GOALS,
    }
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    out = OUT_DIR / f"orders-{'-'.join(backends)}-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str))

    print(
        f"\nLiveOps orders benchmark — {args.lines:,}-line Douyin export ({size_mb:.0f} MiB, 65 columns), "
        f"{args.runs} run(s) per database, medians\n"
    )
    print(f"Generating the export: {gen['seconds']} s. Bare columnar parse: {parse_s} s.\n")
    print(
        "| database | import s | CPU s | peak MB | × bare parse | re-import s | re-import peak MB | changed on re-import | goals met |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|:---:|")
    for b, s in summary.items():
        ok = (
            s["import_s"] <= GOALS["import_s"]
            and s["import_peak_mb"] <= GOALS["import_peak_mb"]
            and s["reimport_s"] <= GOALS["reimport_s"]
            and s["reimport_changed"] == 0
        )
        print(
            f"| {b} | {s['import_s']} | {s['import_cpu_s']} | {s['import_peak_mb']} | "
            f"{s['import_s'] / parse_s:.1f} | {s['reimport_s']} | {s['reimport_peak_mb']} | {s['reimport_changed']} | "
            f"{'yes' if ok else '**no**'} |"
        )
    for b, s in summary.items():
        print(
            f"\n{b}: import {s['import_counts']}; re-import {s['reimport_counts']}; attributed {s['attributed']}"
        )
    for b, r in results.items():
        d = r.get("dashboard")
        if not d:
            continue
        print(
            f"\nDashboard, {b}: {d['data']['counts']['lines_in_dashboard_shop']:,} lines in the shop; set-up {d['data']['timings']}\n"
        )
        print(
            "| target | req/s | p50 ms | p95 ms | p99 ms | errors | first ms | single ms | queries | p95 < 500 ms |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|:---:|")
        for name, x in d["load"].items():
            if "missing" in x:
                print(f"| {name} | — | — | — | — | HTTP {x['missing']} | — | — | — | missing |")
                continue
            ok = x["p95_ms"] < GOALS["dashboard_p95_ms"] and not x["errors"]
            print(
                f"| {name} | {x['rps']} | {x['p50_ms']} | {x['p95_ms']} | {x['p99_ms']} | {x['errors']} | "
                f"{x.get('first_ms')} | {x['single_ms']} | {x['queries']} | {'yes' if ok else '**no**'} |"
            )
    print(f"\nJSON: {out.relative_to(ROOT)}")
    return 0


def profile(args, export: Path, workdir: Path) -> int:
    """``--profile N``: an N-line export, a fresh database (SQLite, or PostgreSQL with
    ``--database-url``), the import and the re-import under cProfile."""
    args.lines = args.profile
    gen = child("generate", args, base_env(workdir / "gen"), file=export, workdir=workdir)
    print(f"==> {gen['rows']:,}-line export, {gen['bytes'] / 1024**2:.0f} MiB", flush=True)
    data_dir = Path(tempfile.mkdtemp(prefix="liveops-bench-orders-profile-"))
    try:
        env = base_env(data_dir)
        if args.database_url:
            env["DATABASE_URL"] = pg_create(args.database_url)
        res = child("profile", args, env, file=export, workdir=workdir)
    finally:
        if args.database_url and not args.keep:
            pg_drop(args.database_url)
        if args.keep:
            print(f"kept {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
    for label in ("import", "reimport"):
        r = res[label]
        print(
            f"{label} under cProfile: {r['seconds']} s, {r['status']}, inserted {r['inserted']}, "
            f"unchanged {r['unchanged']}"
        )
        print(r["profile"]["cumulative"])
        print(r["profile"]["tottime"])
    print(f"peak memory of the process: {res['process']['peak_mb']} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
