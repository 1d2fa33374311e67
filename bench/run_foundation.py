"""Foundation benchmark: page and API latency of LiveOps with a realistic amount of data.

    .venv/bin/python bench/run_foundation.py [--staff 10000 --audit 200000 --concurrency 8 --requests 400]
    .venv/bin/python bench/run_foundation.py --database-url postgres://postgres@127.0.0.1:5432/postgres

What it does:

1. A fresh database: SQLite in a new temporary LIVEOPS_DATA_DIR, or, with ``--database-url``, a new
   PostgreSQL database ``liveops_bench_<pid>`` created on that server (dropped at the end; the database
   named in the URL is only used to create and drop it).
2. ``migrate``, the org template, ``--staff`` staff spread over the departments and ``--audit`` audit
   entries (``bulk_create``), then ANALYZE. The benchmark user is the supervisory-board chair (the
   auditor role: every read capability, company-wide) — a real role holder, not a superuser, so the
   scope checks run as in production.
3. gunicorn (``--workers 2 --threads 4``) on a free loopback port with that environment; a real login
   (GET the form, POST with the CSRF token) gives the session cookie; an API token is issued through
   ``api_token_create``.
4. A bounded load generator (``--concurrency`` threads, keep-alive ``http.client`` connections, at most
   ``--requests`` requests and ``--time-limit`` seconds per target, loopback only) measures each target
   after a short warm-up: requests/s, p50/p95/p99 latency in ms, errors.
5. Queries per request of each target, counted in-process with ``CaptureQueriesContext``.

Prints a markdown table and writes JSON to bench/out/ (gitignored). ``--runs 3`` repeats the load
phase against the same server and data and reports the median of each figure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import random
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "bench" / "out"
BENCH_USER = "bench-auditor"
BENCH_PASSWORD = "Bench-password-2026"  # noqa: S105 - throwaway database

# name → (path, authentication). Pages use the session cookie, the API the Bearer token.
TARGETS: dict[str, tuple[str, str]] = {
    "org chart /org/": ("/org/", "session"),
    "staff list /org/staff/": ("/org/staff/", "session"),
    "department /org/units/EC/": ("/org/units/EC/", "session"),
    "audit log /audit/": ("/audit/", "session"),
    "API staff /api/v1/org/staff/": ("/api/v1/org/staff/", "token"),
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--staff", type=int, default=10_000)
    p.add_argument("--audit", type=int, default=200_000)
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--requests", type=int, default=400, help="requests per target and run")
    p.add_argument("--time-limit", type=float, default=60.0, help="seconds per target and run, at most")
    p.add_argument("--warmup", type=int, default=16, help="requests per target before measuring")
    p.add_argument("--runs", type=int, default=1, help="repeat the load phase; medians are reported")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--threads", type=int, default=4)
    p.add_argument("--database-url", default="", help="PostgreSQL server to create the benchmark database on")
    p.add_argument("--only", default="", help="comma-separated substrings of target names to measure")
    p.add_argument("--keep", action="store_true", help="keep the temporary data folder / database")
    p.add_argument("--seed", type=int, default=2026)
    return p.parse_args(argv)


# Database set-up ------------------------------------------------------------------------------


def postgres_create(url: str) -> tuple[str, str]:
    """Create a fresh database next to the one in ``url``; returns (new URL, new name)."""
    import psycopg

    name = f"liveops_bench_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}")), name


def postgres_drop(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def load_data(args: argparse.Namespace) -> dict:
    """Migrate and fill the database. Runs in this process (Django set up from the environment)."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from liveops.core.models import AuditAction, AuditEntry
    from liveops.org.bootstrap import org_template_load
    from liveops.org.models import Department, Position, Staff
    from liveops.org.services import staff_names

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    call_command("migrate", "--no-input", verbosity=0)
    org_template_load()
    timings["migrate_and_template_s"] = time.perf_counter() - t0

    rng = random.Random(args.seed)
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    given = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚华玉萍红娥玲芬燕彬鹏辉斌宇浩凯健俊帆帅旭宁雪琳晨欣怡佳慧颖婷倩瑶雯琪"
    User = get_user_model()

    t0 = time.perf_counter()
    with transaction.atomic():
        # The benchmark user: the supervisory-board chair (auditor role: every read, company-wide).
        user = User.objects.create_user(BENCH_USER, f"{BENCH_USER}@example.com", BENCH_PASSWORD)
        sv_chair = Position.objects.select_related("department").get(code="sv-chair")
        Staff.objects.create(
            employee_no="B000000",
            user=user,
            name="赵文静",
            department=sv_chair.department,
            position=sv_chair,
            **staff_names("赵文静"),
        )
        positions = list(
            Position.objects.select_related("department").filter(
                is_manager=False, department__kind__in=["department", "centre", "office"]
            )
        )
        if not positions:
            positions = list(Position.objects.select_related("department"))
        batch: list[Staff] = []
        pinyin_cache: dict[str, dict[str, str]] = {}
        for i in range(args.staff):
            pos = positions[i % len(positions)]
            name = rng.choice(surnames) + "".join(rng.choice(given) for _ in range(rng.choice((1, 2))))
            names = pinyin_cache.get(name) or pinyin_cache.setdefault(name, staff_names(name))
            batch.append(
                Staff(
                    employee_no=f"B{i + 1:06d}",
                    name=name,
                    department=pos.department,
                    position=pos,
                    email=f"staff{i + 1}@example.com",
                    phone="1" + "".join(rng.choice("0123456789") for _ in range(10)),
                    id_number="330106199001011234",
                    address="浙江省杭州市西湖区文三路1号",
                    hired_on=dt.date(2020, 1, 1) + dt.timedelta(days=rng.randint(0, 2000)),
                    **names,
                )
            )
            if len(batch) == 2000:
                Staff.objects.bulk_create(batch)
                batch = []
        Staff.objects.bulk_create(batch)
    timings["staff_s"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    actions = [a.value for a in AuditAction]
    object_types = [
        "org.staff",
        "org.resolution",
        "org.meeting",
        "org.actionitem",
        "core.apitoken",
        "org.plan",
    ]
    actors = list(User.objects.values_list("pk", "username")) + [(None, "system")]
    start = timezone.now() - dt.timedelta(days=365)
    step = dt.timedelta(days=365) / max(args.audit, 1)
    batch_a: list[AuditEntry] = []
    for i in range(args.audit):
        actor_id, actor_label = rng.choice(actors)
        batch_a.append(
            AuditEntry(
                at=start + step * i,
                actor_id=actor_id,
                actor_label=actor_label,
                action=rng.choice(actions),
                verb=rng.choice(["", "", "approve", "submit", "export"]),
                object_type=rng.choice(object_types),
                object_id=str(rng.randint(1, args.staff or 1)),
                object_repr=f"对象 {i}",
                changes={"name": ["旧值", "新值"], "phone": ["138****0000", "139****1111"]},
                request_id=secrets.token_hex(16),
                ip_address="127.0.0.1",
            )
        )
        if len(batch_a) == 5000:
            with transaction.atomic():
                AuditEntry.objects.bulk_create(batch_a)
            batch_a = []
    with transaction.atomic():
        AuditEntry.objects.bulk_create(batch_a)
    timings["audit_s"] = time.perf_counter() - t0

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    counts = {
        "departments": Department.objects.count(),
        "staff": Staff.objects.count(),
        "audit_entries": AuditEntry.objects.count(),
    }
    connection.close()
    return {"timings": {k: round(v, 2) for k, v in timings.items()}, "counts": counts}


def api_token() -> str:
    from django.contrib.auth import get_user_model

    from liveops.core.services import api_token_create

    user = get_user_model().objects.get(username=BENCH_USER)
    _token, key = api_token_create(actor=user, name="bench")
    return key


def queries_per_request() -> dict[str, int]:
    """Number of SQL queries each target runs, counted in-process with the test client."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    user = get_user_model().objects.get(username=BENCH_USER)
    key = api_token()
    out = {}
    for name, (path, auth) in TARGETS.items():
        client = Client()
        headers = {}
        if auth == "session":
            client.force_login(user)
        else:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {key}"
        client.get(path, **headers)  # warm caches (navigation, tree version) as the server's would be
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path, **headers)
        out[name] = len(ctx.captured_queries) if response.status_code == 200 else -response.status_code
    connection.close()
    return out


# Server ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(
    args: argparse.Namespace, env: dict[str, str], port: int, log_path: Path
) -> subprocess.Popen:
    log = log_path.open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "liveops.wsgi:application",
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--bind",
            f"127.0.0.1:{port}",
            "--graceful-timeout",
            "5",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}; see {log_path}")
        try:
            status, _, _ = request(port, "/healthz")
            if status == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.2)
    proc.terminate()
    raise RuntimeError(f"gunicorn did not answer /healthz within 30 s; see {log_path}")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def request(
    port: int,
    path: str,
    *,
    method: str = "GET",
    headers: dict | None = None,
    body: bytes | None = None,
    conn: http.client.HTTPConnection | None = None,
) -> tuple[int, dict[str, str], bytes]:
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        return (
            resp.status,
            {k.lower(): v for k, v in resp.getheaders() if k.lower() != "set-cookie"}
            | {"set-cookie": "; ".join(resp.headers.get_all("Set-Cookie") or [])},
            data,
        )
    finally:
        if own:
            conn.close()


def _cookie(set_cookie: str, name: str) -> str | None:
    m = re.search(rf"(?:^|[;,]\s*){re.escape(name)}=([^;]+)", set_cookie)
    return m.group(1) if m else None


def login(port: int) -> str:
    """A real login through the form; returns the session cookie value."""
    status, headers, body = request(port, "/accounts/login/")
    if status != 200:
        raise RuntimeError(f"login form answered {status}")
    csrf_cookie = _cookie(headers["set-cookie"], "csrftoken")
    m = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if not csrf_cookie or not m:
        raise RuntimeError("no CSRF token on the login form")
    form = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": m.group(1).decode(),
            "username": BENCH_USER,
            "password": BENCH_PASSWORD,
            "next": "/",
        }
    ).encode()
    status, headers, _ = request(
        port,
        "/accounts/login/",
        method="POST",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf_cookie}",
            "Referer": f"http://127.0.0.1:{port}/accounts/login/",
            "Host": f"127.0.0.1:{port}",
        },
    )
    session = _cookie(headers["set-cookie"], "sessionid")
    if status != 302 or not session:
        raise RuntimeError(f"login failed: HTTP {status}")
    return session


# Load generator -------------------------------------------------------------------------------


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    k = max(0, min(len(sorted_values) - 1, int(round(q / 100 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[k]


def load(
    port: int, path: str, headers: dict[str, str], *, total: int, concurrency: int, time_limit: float
) -> dict:
    """``total`` GETs of ``path`` from ``concurrency`` threads, each on its own keep-alive connection;
    stops early at ``time_limit`` seconds."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    remaining = [total]
    deadline = time.monotonic() + time_limit

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            while True:
                with lock:
                    if remaining[0] <= 0 or time.monotonic() > deadline:
                        return
                    remaining[0] -= 1
                t0 = time.perf_counter()
                try:
                    status, _, _ = request(port, path, headers=headers, conn=conn)
                    ok = status == 200
                    err = None if ok else f"HTTP {status}"
                except (OSError, http.client.HTTPException) as exc:
                    err = type(exc).__name__
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                elapsed = (time.perf_counter() - t0) * 1000
                with lock:
                    if err:
                        errors.append(err)
                    else:
                        latencies.append(elapsed)
        finally:
            conn.close()

    t_start = time.perf_counter()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t_start
    latencies.sort()
    done = len(latencies) + len(errors)
    return {
        "requests": done,
        "errors": len(errors),
        "error_kinds": sorted(set(errors)),
        "rps": round(done / wall, 1) if wall else 0.0,
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "wall_s": round(wall, 2),
    }


def median_of(runs: list[dict]) -> dict:
    keys = ["rps", "p50_ms", "p95_ms", "p99_ms"]
    out = {k: round(statistics.median(r[k] for r in runs), 1) for k in keys}
    out["errors"] = sum(r["errors"] for r in runs)
    out["requests"] = sum(r["requests"] for r in runs)
    return out


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    except (OSError, AttributeError):
        mem_kb = 0
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    data_dir = Path(tempfile.mkdtemp(prefix="liveops-bench-"))
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
    env.pop("LIVEOPS_DEBUG", None)
    env.pop("LIVEOPS_SQLITE_PATH", None)
    env.pop("DATABASE_URL", None)
    pg_name = None
    if args.database_url:
        env["DATABASE_URL"], pg_name = postgres_create(args.database_url)
    os.environ.clear()
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    backend = "postgresql" if pg_name else "sqlite"
    print(
        f"==> {backend} database in {pg_name or data_dir}; loading {args.staff} staff and {args.audit} audit entries",
        flush=True,
    )
    proc = None
    try:
        loaded = load_data(args)
        print(f"    loaded in {loaded['timings']}", flush=True)
        token = api_token()
        queries = queries_per_request()
        from django.db import connection

        connection.close()
        port = free_port()
        proc = start_server(args, env, port, data_dir / "gunicorn.log")
        session = login(port)
        auth = {"session": {"Cookie": f"sessionid={session}"}, "token": {"Authorization": f"Bearer {token}"}}
        targets = {
            n: t for n, t in TARGETS.items() if not args.only or any(s in n for s in args.only.split(","))
        }
        for name, (path, kind) in targets.items():
            status, _, _ = request(port, path, headers=auth[kind])
            if status != 200:
                raise RuntimeError(
                    f"{name}: HTTP {status} before the benchmark; see {data_dir / 'gunicorn.log'}"
                )
        runs: dict[str, list[dict]] = {name: [] for name in targets}
        for run in range(args.runs):
            for name, (path, kind) in targets.items():
                load(
                    port,
                    path,
                    auth[kind],
                    total=args.warmup,
                    concurrency=min(args.concurrency, args.warmup or 1),
                    time_limit=10,
                )
                result = load(
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
            stop_server(proc)
        if pg_name and not args.keep:
            postgres_drop(args.database_url, pg_name)
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)

    summary = {name: median_of(r) for name, r in runs.items()}
    report = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "backend": backend,
        "machine": machine(),
        "args": {k: v for k, v in vars(args).items() if k != "database_url"}
        | {"database_url": bool(args.database_url)},
        "data": loaded,
        "queries_per_request": queries,
        "runs": runs,
        "median": summary,
    }
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    out = OUT_DIR / f"foundation-{backend}-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False))

    title = f"LiveOps foundation benchmark — {backend}, {loaded['counts']['staff']} staff, {loaded['counts']['audit_entries']} audit entries, "
    title += f"gunicorn {args.workers}×{args.threads}, concurrency {args.concurrency}, {args.requests} requests × {args.runs} run(s)"
    print(f"\n{title}\n")
    print("| target | req/s | p50 ms | p95 ms | p99 ms | errors | queries/request | p95 < 100 ms |")
    print("|---|---:|---:|---:|---:|---:|---:|:---:|")
    for name, s in summary.items():
        ok = "yes" if s["p95_ms"] < 100 and not s["errors"] else "**no**"
        print(
            f"| {name} | {s['rps']} | {s['p50_ms']} | {s['p95_ms']} | {s['p99_ms']} | {s['errors']} | {queries[name]} | {ok} |"
        )
    print(f"\nJSON: {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
