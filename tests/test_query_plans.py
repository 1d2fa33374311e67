"""Every GET route, as every demo persona, reads the large tables through an index (issue 18).

A CI-sized version of the scale walk (``bench/run_scale_walk.py``): the demo company with a few
thousand order lines, every GET route of the URL conf and every GET operation of the OpenAPI schema
with real IDs, every query captured, and each query that reads a large table explained. SQLite:
``SCAN <large table>`` or ``USE TEMP B-TREE`` fails; PostgreSQL: a ``Seq Scan`` of a large table or a
``Sort`` above one fails (planned with sequential scans and sorts disabled, so that only plans that
cannot use an index remain). At a million rows those are the reads that take seconds."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from django.test import Client

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import walk  # noqa: E402  (bench/walk.py, shared with the benchmark)

# Tables that grow with the business (orders, their lines and money, rollups, the library and its
# search tokens, the audit log): no route may sort or scan them.
LARGE_TABLES = [
    "commerce_order",
    "commerce_orderline",
    "commerce_aftersale",
    "commerce_settlemententry",
    "commerce_dailydimensionrollup",
    "core_auditentry",
    "sourcing_product",
    "sourcing_sku",
    "sourcing_productsearchtoken",
    "sourcing_pricerecord",
]


def _explainable(sql: str) -> bool:
    head = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
    return head in ("SELECT", "WITH")


@pytest.mark.django_db
def test_plan_check_catches_a_sort_and_a_scan(settings):
    """The checker itself: a list sorted on an unindexed column of a large table fails."""
    from django.db import connection

    from liveops.commerce.models import Order

    sql = str(Order.objects.order_by("buyer_note").values("id")[:50].query)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")  # a connection for explain()
    problems = walk.plan_problems(sql, walk.explain(sql), LARGE_TABLES)
    assert problems, "sorting orders by an unindexed column should be reported"
    assert walk.plan_problems(sql, walk.explain(sql), ["sourcing_merchant"]) == []


# Not yet met (2026-12-08, found by this test, see docs/benchmarks.md "Every GET route at scale"):
# routes of the after-sales, settlements, dashboards (GROUP BY over the rollups), campaigns, sourcing
# samples and product pages, and the audit API still sort or scan a large table. Remove the marker
# when the test passes, so that CI keeps it.
# Until then it runs on request only (``LIVEOPS_PLAN_WALK=1``): a test known to fail would only cost
# CI minutes on both databases, and the list of what it finds is kept in docs/benchmarks.md.
@pytest.mark.skipif(
    os.environ.get("LIVEOPS_PLAN_WALK") != "1",
    reason="issue 18: routes outside the orders and unmatched lists still sort or scan large tables; "
    "LIVEOPS_PLAN_WALK=1 runs the walk",
)
@pytest.mark.django_db
def test_every_get_route_reads_large_tables_through_indexes():
    from liveops.org.demo import demo_build

    demo_build()  # the conftest keeps the demo's orders to a few thousand lines
    ids = walk.Ids()
    routes = [walk.fill(r, ids) for r in walk.routes()]
    walked = [r for r in routes if r.path]
    assert len(walked) > 100, [r.pattern for r in routes if r.skipped]

    explained: dict[str, list[str]] = {}
    failures: dict[str, set[str]] = {}
    ok_responses = 0
    errors: list[str] = []
    for user in walk.personas():
        client = Client(raise_request_exception=False)
        client.force_login(user)
        for route in walked:
            if route.pattern in walk.ONE_PERSONA_ROUTES:
                continue  # the schema, generated from the code: no table of the business is read
            status, _ms, queries = walk.timed_get(client, route.path, capture=True)
            if status >= 500:
                errors.append(f"{route.path} as {user.username}: HTTP {status}")
            ok_responses += status == 200
            for q in queries:
                sql = q["sql"]
                if not _explainable(sql) or not walk._tables_in(sql, LARGE_TABLES):
                    continue
                if sql not in explained:
                    explained[sql] = walk.plan_problems(sql, walk.explain(sql), LARGE_TABLES)
                if explained[sql]:
                    failures.setdefault(f"{route.pattern} ({user.username})", set()).update(
                        f"{p} :: {sql[:300]}" for p in explained[sql]
                    )
    assert not errors, errors
    assert ok_responses > 300
    report = "\n".join(f"{k}:\n  " + "\n  ".join(sorted(v)) for k, v in sorted(failures.items()))
    assert not failures, f"{len(failures)} route/persona pairs sort or scan a large table:\n{report}"


@pytest.mark.django_db
def test_orders_and_unmatched_queue_follow_an_index(org):
    """The two lists issue 18 found slow: the orders API (several shops, one shop) and the unmatched
    queue read one index range per shop; nothing is sorted or scanned."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from liveops.commerce.selectors.attribution import _shop_unmatched_keys
    from tests.commerce.factories import make_line, make_shop

    shops = [make_shop(name=f"规模店{i}") for i in range(3)]
    for shop in shops:
        make_line(shop=shop)
    admin = get_user_model().objects.create_superuser("plans-admin", "plans@example.com", "x")
    client = APIClient()
    client.force_authenticate(admin)
    problems = []
    for query in ("", f"?shop={shops[1].pk}"):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/api/v1/commerce/orders/{query}").status_code == 200
        for q in ctx.captured_queries:
            if "commerce_order" in q["sql"] and q["sql"].lstrip().upper().startswith("SELECT"):
                problems += walk.plan_problems(q["sql"], walk.explain(q["sql"]), LARGE_TABLES)
    with CaptureQueriesContext(connection) as ctx:
        _shop_unmatched_keys(shops[0].pk)
    sql = ctx.captured_queries[-1]["sql"]
    problems += walk.plan_problems(sql, walk.explain(sql), LARGE_TABLES)
    assert not problems, problems
