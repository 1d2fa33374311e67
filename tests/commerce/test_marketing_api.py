"""Marketing API with every persona: campaigns, budgets (and the overspent list), ad spend, ROI, KPIs
(definitions, targets, measurements, tracking), lifecycle and product performance."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from liveops.commerce.models import AdSpend, Budget, Campaign, Kpi
from liveops.commerce.services import kpis as kpi_services
from liveops.commerce.services import marketing as services
from liveops.commerce.services.lifecycle import lifecycle_recompute
from tests.commerce.marketing_support import mworld_fixture, product_day, shop_day  # noqa: F401

pytestmark = pytest.mark.django_db
BASE = "/api/v1/commerce/"
GETS = [
    "campaigns/",
    "budgets/",
    "budgets/overspent/",
    "ad-spend/",
    "roi/",
    "kpis/",
    "kpi-targets/",
    "kpi-measurements/",
    "kpi-tracking/",
    "lifecycle/",
    "product-performance/",
]


def today() -> dt.date:
    return timezone.localdate()


def api(user) -> APIClient:
    c = APIClient()
    if user is not None:
        c.force_authenticate(user)
    c.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return c


@pytest.mark.parametrize("path", GETS)
@pytest.mark.parametrize(
    ("who", "code"),
    [("member", 200), ("manager", 200), ("auditor", 200), ("admin", 200), ("other", 403), ("outsider", 403)],
)
def test_reads_per_persona(mworld, path, who, code):
    r = api(getattr(mworld, who)).get(BASE + path)
    assert r.status_code == code, r.content
    if code != 200:
        assert set(r.json()) == {"code", "message", "fields"}


def test_anonymous_refused(mworld):
    assert api(None).get(BASE + "campaigns/").status_code in (401, 403)


def test_campaign_create_patch_and_performance(mworld):
    body = {
        "name": "618",
        "kind": "618",
        "starts_on": today().isoformat(),
        "ends_on": (today() + dt.timedelta(days=3)).isoformat(),
        "goal_gmv_fen": 100_000,
        "shops": [mworld.douyin.pk],
        "products": [mworld.p1.pk],
    }
    assert api(mworld.auditor).post(BASE + "campaigns/", body, format="json").status_code == 403
    r = api(mworld.member).post(BASE + "campaigns/", body, format="json")
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert r.json()["shops"] == [mworld.douyin.pk] and r.json()["products"] == [mworld.p1.pk]
    bad_shop = api(mworld.member).post(
        BASE + "campaigns/", {**body, "name": "x", "shops": [mworld.ls_shop.pk]}, format="json"
    )
    assert bad_shop.status_code == 400 and "shop" in bad_shop.json()["fields"]
    bad_product = api(mworld.member).post(
        BASE + "campaigns/", {**body, "name": "y", "products": [999999]}, format="json"
    )
    assert bad_product.status_code == 400
    product_day(mworld.douyin, mworld.p1, today(), 40_000)
    services.ad_spend_record(
        actor=mworld.member, shop=mworld.douyin, channel="qianchuan", day=today(), spend_fen=10_000
    )
    detail = api(mworld.member).get(f"{BASE}campaigns/{pk}/").json()
    assert detail["performance"]["attributed_gmv_fen"] == 40_000
    assert detail["performance"]["spend_fen"] == 10_000
    assert detail["performance"]["roi"] == "4.00"
    assert detail["performance"]["goal_pct"] == "40.00"
    r = api(mworld.member).patch(
        f"{BASE}campaigns/{pk}/", {"status": "running", "goal_gmv_fen": 80_000}, format="json"
    )
    assert (
        r.status_code == 200
        and r.json()["status"] == "running"
        and r.json()["performance"]["goal_pct"] == "50.00"
    )
    assert (
        api(mworld.auditor).patch(f"{BASE}campaigns/{pk}/", {"status": "finished"}, format="json").status_code
        == 403
    )
    assert api(mworld.other).get(f"{BASE}campaigns/{pk}/").status_code == 403
    listed = api(mworld.member).get(BASE + "campaigns/", {"date_from": today().isoformat()}).json()
    assert [c["id"] for c in listed["results"]] == [pk]
    none = (
        api(mworld.member)
        .get(BASE + "campaigns/", {"date_to": (today() - dt.timedelta(days=1)).isoformat()})
        .json()
    )
    assert none["results"] == []


def test_budgets_api_managers_only_and_overspent(mworld):
    c = services.campaign_create(
        actor=mworld.member, name="c", starts_on=today(), ends_on=today(), shops=[mworld.douyin]
    )
    body = {"campaign": c.pk, "amount_fen": 1_000}
    assert api(mworld.member).post(BASE + "budgets/", body, format="json").status_code == 403
    assert api(mworld.auditor).post(BASE + "budgets/", body, format="json").status_code == 403
    r = api(mworld.manager).post(BASE + "budgets/", body, format="json")
    assert r.status_code == 201, r.content
    budget = r.json()
    assert (budget["period_start"], budget["spend_fen"], budget["overspent"]) == (
        today().isoformat(),
        0,
        False,
    )
    neg = api(mworld.manager).post(BASE + "budgets/", {"amount_fen": -1, "campaign": c.pk}, format="json")
    assert neg.status_code == 400 and "amount_fen" in neg.json()["fields"]
    services.ad_spend_record(
        actor=mworld.member, shop=mworld.douyin, channel="qianchuan", day=today(), spend_fen=1_500
    )
    over = api(mworld.auditor).get(BASE + "budgets/overspent/").json()
    assert [b["id"] for b in over] == [budget["id"]] and over[0]["remaining_fen"] == -500
    assert over[0]["overspent_at"] is not None
    r = api(mworld.manager).patch(f"{BASE}budgets/{budget['id']}/", {"amount_fen": 2_000}, format="json")
    assert r.status_code == 200 and r.json()["overspent"] is False and r.json()["overspent_at"] is None
    assert (
        api(mworld.member)
        .patch(f"{BASE}budgets/{budget['id']}/", {"amount_fen": 1}, format="json")
        .status_code
        == 403
    )
    assert api(mworld.member).delete(f"{BASE}budgets/{budget['id']}/").status_code == 403
    assert api(mworld.manager).delete(f"{BASE}budgets/{budget['id']}/").status_code == 204
    assert not Budget.objects.exists()
    assert api(mworld.manager).get(f"{BASE}budgets/{budget['id']}/").status_code == 404


def test_ad_spend_api_and_roi(mworld):
    body = {
        "shop": mworld.douyin.pk,
        "channel": "qianchuan",
        "day": today().isoformat(),
        "plan_id": "A",
        "spend_fen": 5_000,
    }
    assert api(mworld.auditor).post(BASE + "ad-spend/", body, format="json").status_code == 403
    r = api(mworld.member).post(BASE + "ad-spend/", body, format="json")
    assert r.status_code == 201, r.content
    again = api(mworld.member).post(BASE + "ad-spend/", {**body, "spend_fen": 6_000}, format="json")
    assert again.status_code == 200 and again.json()["spend_fen"] == 6_000
    assert AdSpend.objects.count() == 1
    hidden = api(mworld.member).post(BASE + "ad-spend/", {**body, "shop": mworld.ls_shop.pk}, format="json")
    assert hidden.status_code == 400
    future = api(mworld.member).post(
        BASE + "ad-spend/", {**body, "day": (today() + dt.timedelta(days=3)).isoformat()}, format="json"
    )
    assert future.status_code == 400 and "day" in future.json()["fields"]
    listed = api(mworld.member).get(BASE + "ad-spend/", {"channel": "qianchuan"}).json()["results"]
    assert [a["plan_id"] for a in listed] == ["A"]
    assert api(mworld.member).get(BASE + "ad-spend/", {"channel": "douplus"}).json()["results"] == []
    shop_day(mworld.douyin, today(), gmv_fen=18_000)
    roi = {r["shop"]: r for r in api(mworld.member).get(BASE + "roi/").json()}
    assert roi[mworld.douyin.pk]["roi"] == "3.00" and roi[mworld.taobao.pk]["roi"] is None
    assert mworld.ls_shop.pk not in roi
    bad = api(mworld.member).get(BASE + "roi/", {"date_from": "2026-02-30"})
    assert bad.status_code == 400 and "date_from" in bad.json()["fields"]


def test_kpi_api(mworld):
    kpi_services.kpi_defaults_ensure()
    body = {"code": "fans", "name": "粉丝数", "unit": "count"}
    assert api(mworld.member).post(BASE + "kpis/", body, format="json").status_code == 403
    r = api(mworld.manager).post(BASE + "kpis/", body, format="json")
    assert r.status_code == 201 and r.json()["metric"] == ""
    gmv = Kpi.objects.get(code="gmv")
    visitors = Kpi.objects.get(code="visitors")
    first = today().replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    target = {
        "kpi": gmv.pk,
        "shop": mworld.douyin.pk,
        "period_start": first.isoformat(),
        "period_end": last.isoformat(),
        "target": "100000",
    }
    assert api(mworld.member).post(BASE + "kpi-targets/", target, format="json").status_code == 403
    assert api(mworld.manager).post(BASE + "kpi-targets/", target, format="json").status_code == 201
    assert (
        api(mworld.manager)
        .post(BASE + "kpi-targets/", {**target, "target": "200000"}, format="json")
        .status_code
        == 200
    )
    m = {"kpi": visitors.pk, "shop": mworld.douyin.pk, "day": first.isoformat(), "value": "321"}
    assert api(mworld.auditor).post(BASE + "kpi-measurements/", m, format="json").status_code == 403
    assert api(mworld.member).post(BASE + "kpi-measurements/", m, format="json").status_code == 201
    computed = api(mworld.member).post(BASE + "kpi-measurements/", {**m, "kpi": gmv.pk}, format="json")
    assert computed.status_code == 400 and computed.json()["code"] == "computed_kpi"
    shop_day(mworld.douyin, first, gmv_fen=50_000)
    rows = api(mworld.member).get(BASE + "kpi-tracking/").json()
    row = next(r for r in rows if r["kpi_code"] == "gmv")
    assert row["actual"] == "50000.0000" and row["progress_pct"] == "25.00" and row["met"] is False
    assert (
        api(mworld.member).get(BASE + "kpi-measurements/", {"kpi": visitors.pk}).json()["results"][0]["value"]
        == "321.0000"
    )


def test_lifecycle_and_product_performance_api(mworld):
    product_day(mworld.douyin, mworld.p1, today(), 2_000_000, lines=4, refund_lines=1)
    product_day(mworld.douyin, mworld.p2, today(), 1_000, lines=1)
    lifecycle_recompute(as_of=today())
    tags = api(mworld.member).get(BASE + "lifecycle/", {"tag": "hit"}).json()["results"]
    assert [t["product"] for t in tags] == [mworld.p1.pk]
    rows = api(mworld.member).get(BASE + "product-performance/").json()
    assert [r["product_id"] for r in rows] == [mworld.p1.pk, mworld.p2.pk]
    assert rows[0]["refund_rate"] == "25.00" and rows[0]["tag"] == "hit" and rows[0]["lineup"] == "keep"
    asc = api(mworld.member).get(BASE + "product-performance/", {"sort": "gmv"}).json()
    assert asc[0]["product_id"] == mworld.p2.pk
    assert api(mworld.member).get(BASE + "product-performance/", {"sort": "price"}).status_code == 400
    assert api(mworld.member).get(BASE + "product-performance/", {"tag": "nope"}).status_code == 400
    only_new = api(mworld.member).get(BASE + "product-performance/", {"tag": "new"}).json()
    assert [r["product_id"] for r in only_new] == [mworld.p2.pk]


def test_campaign_list_is_scoped(mworld):
    services.campaign_create(
        actor=None, name="LS", starts_on=today(), ends_on=today(), department=mworld.ls_shop.department
    )
    assert api(mworld.member).get(BASE + "campaigns/").json()["results"] == []
    assert len(api(mworld.auditor).get(BASE + "campaigns/").json()["results"]) == 1
    assert Campaign.objects.count() == 1
