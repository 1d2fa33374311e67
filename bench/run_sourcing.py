"""Sourcing benchmark (issue 3): product search over 100,000 products and the selection board.

    .venv/bin/python bench/run_sourcing.py [--products 100000 --candidates 5000 --concurrency 8 --requests 400 --runs 3]
    .venv/bin/python bench/run_sourcing.py --database-url postgres://postgres@127.0.0.1:5432/postgres

What it does (same machinery as ``bench/run_foundation.py``, whose server, login and load-generator
functions it reuses):

1. A fresh database: SQLite in a new temporary LIVEOPS_DATA_DIR, or a new PostgreSQL database
   ``liveops_bench_<pid>`` created on the server of ``--database-url`` (dropped at the end).
2. ``migrate``, the org template, the benchmark user (the supervisory-board chair: the auditor role,
   every read capability company-wide — a real role holder, not a superuser), the demo category tree,
   1,000 merchants and ``--products`` products with one SKU each (``bulk_create``): ``--candidates``
   of them are candidates on the selection board, about 2 % in the other open stages, the rest
   already approved or rejected. Titles are brand + product + spec, with pinyin and initials computed
   by ``liveops.core.pinyin`` as the services do, and the title n-gram search tokens
   (``product_tokens_rebuild``). If ``../shared/data/cosmetic.csv`` is present, the
   Tmall market data is imported through the import framework. Then ANALYZE.
3. gunicorn (``--workers 2 --threads 4``) on a free loopback port; a real login for the pages, an API
   token for the API.
4. Each target: a short warm-up, then at most ``--requests`` GETs from ``--concurrency`` keep-alive
   connections (``--time-limit`` seconds at most), loopback only. Requests/s, p50/p95/p99 ms, errors.
5. Queries per request of each target, counted in-process with ``CaptureQueriesContext``.

Goals: product search p95 < 100 ms (pinyin initials included); selection board p95 < 200 ms.
Prints a markdown table and writes JSON to bench/out/ (gitignored); ``--runs 3`` reports medians.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import secrets
import shutil
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import run_foundation as fb  # noqa: E402  (server, login, load generator, machine info)

OUT_DIR = ROOT / "bench" / "out"
MARKET_FILE = ROOT.parent / "shared" / "data" / "cosmetic.csv"

# Search texts: a brand's pinyin initials, a product's initials, full-pinyin prefix, Chinese words, a
# barcode and a merchant code. The brand and noun words below are the ones the loader uses.
BRANDS = [
    "沐澜",
    "芷若",
    "清妍",
    "雪颜",
    "素语",
    "花漾",
    "初见",
    "森屿",
    "南枝",
    "拾光",
    "檀木",
    "悦己",
    "青禾",
    "小鹿",
    "云栖",
    "星野",
    "桃气",
    "橙心",
    "锦瑞",
    "恒泰",
]
NOUNS = [
    "精华液",
    "保湿面霜",
    "眼霜",
    "面膜",
    "洁面乳",
    "防晒霜",
    "口红",
    "粉底液",
    "气垫BB",
    "眼影盘",
    "坚果礼盒",
    "牛肉干",
    "龙井茶",
    "挂耳咖啡",
    "连衣裙",
    "羽绒服",
    "四件套",
    "保温杯",
    "洗发水",
    "沐浴露",
]
SPECS = ["30ml", "50ml", "100ml", "250g", "500g", "礼盒装", "M", "L", "3件套", "单支"]

# name → (path, authentication, goal p95 ms). Pages use the session cookie, the API the Bearer token.
TARGETS: dict[str, tuple[str, str, int]] = {
    "product search, pinyin initials": ("/sourcing/products/?q=ml", "session", 100),
    "product search, initials of a title": ("/sourcing/products/?q=mljhy", "session", 100),
    "product search, full pinyin prefix": ("/sourcing/products/?q=mulanjing", "session", 100),
    "product search, Chinese text": ("/sourcing/products/?q=" + urllib.parse.quote("精华液"), "session", 100),
    "product search, barcode": ("/sourcing/products/?q=6900000050000", "session", 100),
    "product search, no match": ("/sourcing/products/?q=zzzq", "session", 100),
    "API product search, initials": ("/api/v1/sourcing/products/?q=ml", "token", 100),
    "selection board /sourcing/pipeline/": ("/sourcing/pipeline/", "session", 200),
    "API selection board": ("/api/v1/sourcing/pipeline/board/", "token", 200),
    "market intelligence /sourcing/market/": ("/sourcing/market/", "session", 0),
    "API market summary": ("/api/v1/sourcing/market/summary/", "token", 0),
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--products", type=int, default=100_000)
    p.add_argument("--candidates", type=int, default=5_000)
    p.add_argument("--merchants", type=int, default=1_000)
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--requests", type=int, default=400, help="requests per target and run")
    p.add_argument("--time-limit", type=float, default=60.0, help="seconds per target and run, at most")
    p.add_argument("--warmup", type=int, default=16, help="requests per target before measuring")
    p.add_argument("--runs", type=int, default=1, help="repeat the load phase; medians are reported")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--threads", type=int, default=4)
    p.add_argument("--database-url", default="", help="PostgreSQL server to create the benchmark database on")
    p.add_argument("--only", default="", help="comma-separated substrings of target names to measure")
    p.add_argument("--no-market", action="store_true", help="skip the market data import and targets")
    p.add_argument("--keep", action="store_true", help="keep the temporary data folder / database")
    p.add_argument("--seed", type=int, default=2026)
    return p.parse_args(argv)


def load_data(args: argparse.Namespace) -> dict:
    """Migrate and fill the database (runs in this process, Django set up from the environment)."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from liveops.core.pinyin import pinyin_full, pinyin_initials
    from liveops.org.bootstrap import org_template_load
    from liveops.org.models import Department, Position, Staff
    from liveops.org.services import staff_names
    from liveops.sourcing.demo import _categories
    from liveops.sourcing.models import Brand, Merchant, PipelineStage, Product, Sku
    from liveops.sourcing.services.products import product_tokens_rebuild

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    call_command("migrate", "--no-input", verbosity=0)
    org_template_load()
    timings["migrate_and_template_s"] = time.perf_counter() - t0

    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    with transaction.atomic():
        User = get_user_model()
        user = User.objects.create_user(fb.BENCH_USER, f"{fb.BENCH_USER}@example.com", fb.BENCH_PASSWORD)
        sv_chair = Position.objects.select_related("department").get(code="sv-chair")
        Staff.objects.create(
            employee_no="B000000",
            user=user,
            name="赵文静",
            department=sv_chair.department,
            position=sv_chair,
            **staff_names("赵文静"),
        )
        mr = Department.objects.get(code="MR")
        cats = [c for c in _categories().values() if c.parent_id]
        merchants = Merchant.objects.bulk_create(
            [
                Merchant(
                    name=f"{rng.choice(BRANDS)}{i:04d}商贸有限公司",
                    kind=rng.choice(["brand_owner", "distributor", "factory"]),
                    uscc=f"91330100MA{i:08d}",
                    department=mr,
                    status="active",
                )
                for i in range(args.merchants)
            ],
            batch_size=1000,
        )
        for m in merchants:
            m.name_pinyin, m.name_initials = pinyin_full(m.name)[:400], pinyin_initials(m.name)[:120]
        Merchant.objects.bulk_update(merchants, ["name_pinyin", "name_initials"], batch_size=1000)
        brands = Brand.objects.bulk_create(
            [Brand(name=b, owner=merchants[i]) for i, b in enumerate(BRANDS)], batch_size=1000
        )
        names: dict[str, tuple[str, str]] = {}
        open_stages = [
            PipelineStage.SAMPLE_REQUESTED,
            PipelineStage.SAMPLE_RECEIVED,
            PipelineStage.QC,
            PipelineStage.MEETING,
        ]
        now = timezone.now()
        created = 0
        while created < args.products:
            batch = []
            for i in range(created, min(created + 5000, args.products)):
                b = brands[i % len(brands)]
                title = f"{b.name}{rng.choice(NOUNS)} {rng.choice(SPECS)}"
                if title not in names:
                    names[title] = (pinyin_full(title)[:200], pinyin_initials(title)[:100])
                if i < args.candidates:
                    stage = PipelineStage.CANDIDATE
                elif i < args.candidates + args.products // 50:
                    stage = rng.choice(open_stages)
                else:
                    stage = PipelineStage.APPROVED if rng.random() < 0.7 else PipelineStage.REJECTED
                m = merchants[i % len(merchants)]
                batch.append(
                    Product(
                        merchant=m,
                        brand=b,
                        category=cats[i % len(cats)],
                        title=title,
                        title_pinyin=names[title][0],
                        title_initials=names[title][1],
                        merchant_code=f"M{m.pk:04d}-{i:06d}",
                        regular_price=rng.randint(9, 999),
                        stage=stage,
                        stage_entered_at=now - dt.timedelta(minutes=rng.randint(0, 200_000)),
                        reject_reason="选品会否决" if stage == PipelineStage.REJECTED else "",
                        department=mr,
                    )
                )
            products = Product.objects.bulk_create(batch, batch_size=1000)
            Sku.objects.bulk_create(
                [
                    Sku(
                        product=p,
                        sku_code=p.merchant_code,
                        barcode=f"69{p.pk:011d}",
                        spec="标准装",
                        price=p.regular_price,
                    )
                    for p in products
                ],
                batch_size=1000,
            )
            created += len(batch)
    timings["products_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    with transaction.atomic():
        # The title n-gram index of product search, as the services keep it.
        tokens = product_tokens_rebuild(Product.objects.values_list("pk", flat=True))
    timings["search_tokens_s"] = time.perf_counter() - t0

    market = {}
    if not args.no_market and MARKET_FILE.is_file():
        t0 = time.perf_counter()
        from liveops.sourcing.services.market import market_snapshots_import

        run = market_snapshots_import(actor=None, path=MARKET_FILE)
        timings["market_import_s"] = time.perf_counter() - t0
        market = {"status": run.status, "rows_read": run.rows_read, "inserted": run.rows_inserted}

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    from liveops.sourcing.models import MarketSnapshot

    counts = {
        "products": Product.objects.count(),
        "skus": Sku.objects.count(),
        "candidates": Product.objects.filter(stage="candidate").count(),
        "merchants": Merchant.objects.count(),
        "market_snapshots": MarketSnapshot.objects.count(),
        "distinct_titles": len(names),
        "search_tokens": tokens,
    }
    connection.close()
    return {
        "timings": {k: round(v, 2) for k, v in timings.items()},
        "counts": counts,
        "market_import": market,
    }


def queries_per_request(targets: dict) -> dict[str, int]:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    user = get_user_model().objects.get(username=fb.BENCH_USER)
    key = fb.api_token()
    out = {}
    for name, (path, auth, _goal) in targets.items():
        client = Client()
        headers = {}
        if auth == "session":
            client.force_login(user)
        else:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {key}"
        client.get(path, **headers)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path, **headers)
        out[name] = len(ctx.captured_queries) if response.status_code == 200 else -response.status_code
    connection.close()
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    data_dir = Path(tempfile.mkdtemp(prefix="liveops-bench-sourcing-"))
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
    (data_dir / "static").mkdir()
    for name in ("LIVEOPS_DEBUG", "LIVEOPS_SQLITE_PATH", "DATABASE_URL"):
        env.pop(name, None)
    pg_name = None
    if args.database_url:
        env["DATABASE_URL"], pg_name = fb.postgres_create(args.database_url)
    os.environ.clear()
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    backend = "postgresql" if pg_name else "sqlite"
    print(f"==> {backend} database in {pg_name or data_dir}; loading {args.products} products", flush=True)
    targets = {
        n: t
        for n, t in TARGETS.items()
        if (not args.only or any(s in n for s in args.only.split(",")))
        and not (args.no_market and "market" in n)
    }
    proc = None
    try:
        loaded = load_data(args)
        print(f"    loaded: {loaded}", flush=True)
        if not loaded["counts"]["market_snapshots"]:
            targets = {n: t for n, t in targets.items() if "market" not in n}
        token = fb.api_token()
        queries = queries_per_request(targets)
        from django.db import connection

        connection.close()
        port = fb.free_port()
        proc = fb.start_server(args, env, port, data_dir / "gunicorn.log")
        session = fb.login(port)
        auth = {"session": {"Cookie": f"sessionid={session}"}, "token": {"Authorization": f"Bearer {token}"}}
        for name, (path, kind, _goal) in targets.items():
            status, _, _ = fb.request(port, path, headers=auth[kind])
            if status != 200:
                raise RuntimeError(
                    f"{name}: HTTP {status} before the benchmark; see {data_dir / 'gunicorn.log'}"
                )
        runs: dict[str, list[dict]] = {name: [] for name in targets}
        for run in range(args.runs):
            for name, (path, kind, _goal) in targets.items():
                fb.load(
                    port,
                    path,
                    auth[kind],
                    total=args.warmup,
                    concurrency=min(args.concurrency, args.warmup or 1),
                    time_limit=10,
                )
                result = fb.load(
                    port,
                    path,
                    auth[kind],
                    total=args.requests,
                    concurrency=args.concurrency,
                    time_limit=args.time_limit,
                )
                runs[name].append(result)
                print(f"    run {run + 1}/{args.runs} {name}: {result}", flush=True)
    finally:
        if proc is not None:
            fb.stop_server(proc)
        if pg_name and not args.keep:
            fb.postgres_drop(args.database_url, pg_name)
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)

    summary = {name: fb.median_of(r) for name, r in runs.items()}
    report = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "backend": backend,
        "machine": fb.machine(),
        "args": {k: v for k, v in vars(args).items() if k != "database_url"}
        | {"database_url": bool(args.database_url)},
        "data": loaded,
        "queries_per_request": queries,
        "runs": runs,
        "median": summary,
    }
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    out = OUT_DIR / f"sourcing-{backend}-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False))

    c = loaded["counts"]
    title = (
        f"LiveOps sourcing benchmark — {backend}, {c['products']} products ({c['candidates']} candidates), "
    )
    title += f"{c['market_snapshots']} market snapshots, gunicorn {args.workers}×{args.threads}, "
    title += f"concurrency {args.concurrency}, {args.requests} requests × {args.runs} run(s)"
    print(f"\n{title}\n")
    print("| target | req/s | p50 ms | p95 ms | p99 ms | errors | queries/request | goal |")
    print("|---|---:|---:|---:|---:|---:|---:|:---:|")
    for name, s in summary.items():
        goal = targets[name][2]
        verdict = (
            "—"
            if not goal
            else (f"p95 < {goal} ms: " + ("yes" if s["p95_ms"] < goal and not s["errors"] else "**no**"))
        )
        print(
            f"| {name} | {s['rps']} | {s['p50_ms']} | {s['p95_ms']} | {s['p99_ms']} | {s['errors']} | {queries[name]} | {verdict} |"
        )
    print(f"\nJSON: {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
