"""Two nodes on one machine: two gunicorn web servers and two workers, each with its own data folder,
sharing PostgreSQL (the test database), Redis (cache) and an S3 API server (moto in server mode).

- An import uploaded through node A runs on whichever worker takes it, and its rejects report is
  downloaded through node B (the files live in the S3 bucket, not in a node's folder).
- A login lock-out that starts on node A also holds on node B.
- The market dashboard cached on node A (in Redis) is invalidated by an import through node B.

Runs on PostgreSQL only (SQLite is one machine's file). Needs Redis on ``LIVEOPS_TEST_REDIS_URL``
(default ``redis://127.0.0.1:6379/7``; ``scripts/test`` starts it with ``scripts/ensure-redis``).
Ports: free ones, or ``LIVEOPS_TEST_NODE_PORTS=8171,8172,9100`` (node A, node B, S3).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection

pytestmark = [pytest.mark.nodes, pytest.mark.django_db(transaction=True)]

PASSWORD = "Two-nodes-2026!"
SECRET = "two-nodes-" + uuid.uuid4().hex * 2
BUCKET = "liveops-two-nodes"
HEADER = "update_time,id,title,price,sale_count,comment_count,店名"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ports() -> tuple[int, int, int]:
    if value := os.environ.get("LIVEOPS_TEST_NODE_PORTS"):
        a, b, s3 = (int(p) for p in value.split(","))
        return a, b, s3
    return _free_port(), _free_port(), _free_port()


def _wait(url: str, proc: subprocess.Popen, log: Path, timeout: float = 300) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise AssertionError(f"{proc.args} exited ({proc.returncode}):\n{log.read_text()[-4000:]}")
        try:
            # A long timeout: the first request of a node loads the URL conf and templates.
            if requests.get(url, timeout=60).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} did not answer in {timeout} s:\n{log.read_text()[-4000:]}")


def _database_url() -> str:
    db = connection.settings_dict
    auth = quote(db["USER"] or "postgres", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Cluster:
    """The processes of the two nodes and the S3 server (stopped together)."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.procs: list[subprocess.Popen] = []
        self.port_a, self.port_b, self.port_s3 = _ports()
        self.s3_endpoint = f"http://127.0.0.1:{self.port_s3}"
        self.redis_url = os.environ.get("LIVEOPS_TEST_REDIS_URL", "redis://127.0.0.1:6379/7")
        self.cache_prefix = f"two-nodes-{uuid.uuid4().hex[:8]}"

    def start(self, name: str, args: list[str], env: dict[str, str]) -> tuple[subprocess.Popen, Path]:
        log = self.tmp / f"{name}.log"
        fh = open(log, "wb")  # noqa: SIM115 - kept open for the process's life
        proc = subprocess.Popen(args, env=env, cwd=settings.BASE_DIR, stdout=fh, stderr=subprocess.STDOUT)
        self.procs.append(proc)
        return proc, log

    def node_env(self, node: str) -> dict[str, str]:
        data = self.tmp / f"node-{node}"
        data.mkdir(exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("LIVEOPS_", "PYTEST", "DJANGO_"))}
        return env | {
            "DATABASE_URL": _database_url(),
            "LIVEOPS_DATA_DIR": str(data),
            "LIVEOPS_SECRET_KEY": SECRET,  # every node signs sessions and cookies alike
            "LIVEOPS_STORAGE_URL": f"s3://{BUCKET}?endpoint={self.s3_endpoint}",
            "LIVEOPS_CACHE_URL": self.redis_url,
            "LIVEOPS_CACHE_PREFIX": self.cache_prefix,
            "LIVEOPS_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LIVEOPS_WORKER_HEARTBEAT_SECONDS": "1",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "DJANGO_SETTINGS_MODULE": "liveops.settings",
        }

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture
def cluster(transactional_db, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("two nodes share a PostgreSQL database (SQLite is one machine's file)")
    import boto3
    import redis

    c = Cluster(tmp_path)
    redis_client = redis.Redis.from_url(c.redis_url)
    try:
        redis_client.ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis is needed at {c.redis_url} (scripts/ensure-redis starts it): {exc}")
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LIVEOPS_")}
        s3, s3_log = c.start(
            "s3", [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(c.port_s3)], env
        )
        _wait(f"{c.s3_endpoint}/moto-api/", s3, s3_log)
        boto3.client(
            "s3",
            endpoint_url=c.s3_endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            region_name="us-east-1",
        ).create_bucket(Bucket=BUCKET)
        for node, port in (("a", c.port_a), ("b", c.port_b)):
            env = c.node_env(node)
            web, web_log = c.start(
                f"web-{node}",
                [sys.executable, "-m", "gunicorn", "liveops.wsgi:application"]
                + ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "4", "--timeout", "300"]
                # Each node its own control socket (the default one is per user, shared otherwise).
                + ["--control-socket", str(c.tmp / f"gunicorn-{node}.ctl")],
                env,
            )
            c.start(
                f"worker-{node}", [sys.executable, "manage.py", "liveops_worker", "--interval", "0.2"], env
            )
            _wait(f"http://127.0.0.1:{port}/healthz", web, web_log)
        c.s3 = boto3.client(
            "s3",
            endpoint_url=c.s3_endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            region_name="us-east-1",
        )
        c.redis = redis_client
        yield c
    finally:
        c.stop()
        for key in redis_client.scan_iter(f"{c.cache_prefix}:*"):
            redis_client.delete(key)
        connection.close()


def _url(port: int, path: str) -> str:
    return f"http://127.0.0.1:{port}{path}"


def _login(session: requests.Session, port: int, username: str, password: str) -> requests.Response:
    page = session.get(_url(port, "/accounts/login/"), timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return session.post(
        _url(port, "/accounts/login/"),
        data={"username": username, "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": _url(port, "/accounts/login/")},
        allow_redirects=False,
        timeout=30,
    )


def _upload(session: requests.Session, port: int, name: str, text: str) -> dict:
    response = session.post(
        _url(port, "/api/v1/imports/kinds/market-snapshots/"),
        files={"file": (name, text.encode(), "text/csv")},
        headers={"X-CSRFToken": session.cookies["csrftoken"], "Referer": _url(port, "/")},
        timeout=60,
    )
    assert response.status_code == 201, response.text
    return response.json()


def _finished(session: requests.Session, port: int, run_id: int, timeout: float = 180) -> dict:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        run = session.get(_url(port, f"/api/v1/imports/{run_id}/"), timeout=30).json()
        if run["status"] not in ("queued", "running"):
            return run
        time.sleep(0.3)
    raise AssertionError(f"import {run_id} did not finish: {run}")


def _market_keys(cluster: Cluster) -> set[bytes]:
    return set(cluster.redis.scan_iter(f"{cluster.cache_prefix}:*market-summary:*"))


def test_two_nodes_share_files_cache_lockouts_and_jobs(cluster):
    User = get_user_model()
    # The nodes know the product's hashers only (the tests' own fast one is not among them).
    hashed = make_password(PASSWORD, hasher="argon2")
    User.objects.create_superuser("boss", "boss@example.com", password=None)
    User.objects.create_user("victim", "victim@example.com", password=None)
    User.objects.filter(username__in=["boss", "victim"]).update(password=hashed)
    a, b = cluster.port_a, cluster.port_b
    browser = requests.Session()
    assert _login(browser, a, "boss", PASSWORD).status_code == 302
    # The session started on A is valid on B (sessions in the database, one secret key).
    assert browser.get(_url(b, "/accounts/me/"), allow_redirects=False, timeout=30).status_code == 200

    # 1. Upload through A (one bad row), rejects report downloaded through B.
    first = "\n".join(
        [HEADER, "2016/11/14,A1,面霜,139,100,10,甲店", "2016/11/14,A2,乳液,not-a-price,100,10,甲店"]
    )
    run = _finished(browser, b, _upload(browser, a, "market-a.csv", first)["id"])
    assert (run["status"], run["inserted"], run["rejected"]) == ("succeeded", 1, 1), run
    rejects = browser.get(_url(b, f"/jobs/{run['id']}/rejects.csv"), timeout=30)
    assert rejects.status_code == 200
    assert "not-a-price" in rejects.content.decode("utf-8-sig")
    stored = {o["Key"] for o in cluster.s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])}
    assert f"imports/rejects/run-{run['id']}-rejects.csv" in stored
    assert any(k.startswith(f"imports/files/run-{run['id']}-") for k in stored)
    for node in "ab":  # nothing stays in a node's own folder
        kept = Path(cluster.tmp, f"node-{node}", "imports")
        assert not [p for p in kept.rglob("*") if p.is_file() and "rejects" in p.parts], node
    # Anonymous on B: no report (served only through the permission-checked view).
    anonymous = requests.get(_url(b, f"/jobs/{run['id']}/rejects.csv"), allow_redirects=False, timeout=30)
    assert anonymous.status_code in (302, 403, 404)

    # 2. Lock-out started on A holds on B.
    attacker = requests.Session()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(attacker, a, "victim", "wrong-password-1")
    locked = _login(requests.Session(), b, "victim", PASSWORD)
    assert locked.status_code == 429, locked.status_code

    # 3. The market page cached on A is invalidated by an import through B.
    page = browser.get(_url(a, "/sourcing/market/"), timeout=60)
    assert page.status_code == 200 and "甲店" in page.text and "乙新店" not in page.text
    cached = _market_keys(cluster)
    assert cached, "node A cached the market figures in Redis"
    second = "\n".join([HEADER, "2016/11/15,B1,精华,99,500,50,乙新店"])
    run2 = _finished(browser, a, _upload(browser, b, "market-b.csv", second)["id"])
    assert run2["status"] == "succeeded", run2
    page = browser.get(_url(a, "/sourcing/market/"), timeout=60)
    assert page.status_code == 200 and "乙新店" in page.text
    assert _market_keys(cluster) - cached, "new figures were cached under the new data version"
