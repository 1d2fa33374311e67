"""Dashboard and order API with the personas: the EC operator sees EC shops only, another
department's recruiter is refused, the EC manager reaches EC, the auditor reads every shop, the
outsider nothing; buyers masked, revealed only with ``commerce.view_personal`` and logged."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from liveops.core.models import AuditAction, AuditEntry
from tests.commerce import test_dashboards_data as world
from tests.commerce.test_dashboards_data import D1, D2, D3

pytestmark = pytest.mark.django_db
dash = world.dash  # the shared fixture

BASE = "/api/v1/commerce/"
RANGE = {"date_from": D1.isoformat(), "date_to": D3.isoformat()}
READERS = {"member": 200, "manager": 200, "auditor": 200, "admin": 200, "other": 403, "outsider": 403}


def api(user=None) -> APIClient:
    c = APIClient()
    if user is not None:
        c.force_authenticate(user)
    return c


def paths(dash) -> list[str]:
    return [
        "shops/",
        f"shops/{dash.ec.pk}/daily/",
        "dashboard/figures/",
        "dashboard/breakdown/?dimension=product",
        f"anchors/{dash.a1.pk}/sales/",
        f"products/{dash.p1.pk}/sales/",
        "orders/",
        f"orders/{dash.order_a.pk}/",
    ]


@pytest.mark.parametrize(("who", "expected"), READERS.items())
def test_read_matrix(dash, personas, who, expected):
    c = api(personas[who])
    for path in paths(dash):
        assert c.get(BASE + path).status_code == expected, path


def test_anonymous_is_refused(dash):
    for path in paths(dash):
        assert api().get(BASE + path).status_code in (401, 403), path


def test_shops_are_scoped(dash, personas):
    member = api(personas["member"]).get(BASE + "shops/").json()["results"]
    assert [s["id"] for s in member] == [dash.ec.pk]
    assert set(member[0]) >= {"orders_updated_at", "aftersales_updated_at", "settlements_updated_at"}
    auditor = api(personas["auditor"]).get(BASE + "shops/").json()["results"]
    assert {s["id"] for s in auditor} == {dash.ec.pk, dash.ls.pk}
    assert api(personas["member"]).get(BASE + f"shops/{dash.ls.pk}/daily/").status_code == 404
    assert api(personas["auditor"]).get(BASE + f"shops/{dash.ls.pk}/daily/").status_code == 200


def test_shop_daily_figures(dash, personas):
    rows = api(personas["member"]).get(BASE + f"shops/{dash.ec.pk}/daily/").json()["results"]
    assert [r["day"] for r in rows] == [D3.isoformat(), D2.isoformat(), D1.isoformat()]
    d1 = rows[-1]
    assert (d1["gmv_fen"], d1["orders_paid"], d1["buyers"], d1["aov_fen"]) == (35000, 2, 2, 17500)
    assert d1["conversion"] == pytest.approx(2 / 3)
    one = api(personas["member"]).get(
        BASE + f"shops/{dash.ec.pk}/daily/", {"date_from": D2.isoformat(), "date_to": D2.isoformat()}
    )
    assert [r["day"] for r in one.json()["results"]] == [D2.isoformat()]


def test_figures_by_week_for_one_shop_and_all(dash, personas):
    c = api(personas["member"])
    data = c.get(BASE + "dashboard/figures/", {**RANGE, "grain": "week", "shop": dash.ec.pk}).json()
    assert data["grain"] == "week" and data["shops"] == [dash.ec.pk]
    assert [(p["period"], p["buyers"], p["gmv_fen"]) for p in data["series"]] == [
        ("2026-03-02", 2, 43000),
        ("2026-03-09", 1, 1000),
    ]
    assert data["total"]["gmv_fen"] == 44000 and data["total"]["buyers"] is None
    assert set(data["time_basis"]) >= {"gmv", "buyers", "refund_rate", "conversion", "hour"}
    # Every visible shop: for the member, EC only; for the auditor, both.
    assert c.get(BASE + "dashboard/figures/", RANGE).json()["total"]["gmv_fen"] == 44000
    auditor = api(personas["auditor"]).get(BASE + "dashboard/figures/", RANGE).json()
    assert auditor["total"]["gmv_fen"] == 44000 + 99900
    # Another department's shop is not found.
    assert c.get(BASE + "dashboard/figures/", {"shop": dash.ls.pk}).status_code == 404


def test_breakdown(dash, personas):
    c = api(personas["member"])
    data = c.get(BASE + "dashboard/breakdown/", {**RANGE, "dimension": "anchor"}).json()
    assert [(r["key"], r["gmv_fen"]) for r in data["rows"]] == [
        (str(dash.a2.pk), 20000),
        (str(dash.a1.pk), 15000),
        ("", 9000),
    ]
    assert data["rows"][0]["label"] == "阿强好物"
    top = c.get(BASE + "dashboard/breakdown/", {**RANGE, "dimension": "product", "top": 1}).json()
    assert len(top["rows"]) == 1 and top["others"]["gmv_fen"] == 14000
    hours = c.get(BASE + "dashboard/breakdown/", {**RANGE, "dimension": "hour"}).json()
    assert len(hours["rows"]) == 24


@pytest.mark.parametrize(
    "params",
    [
        {"dimension": "colour"},
        {"dimension": "hour", "date_from": "2026-13-40"},
        {"dimension": "hour", "date_from": "1900-01-01"},
        {"dimension": "hour", "shop": "x"},
        {"dimension": "hour", "top": 0},
        {"dimension": "product", "date_from": "2025-01-01", "date_to": "2026-03-01"},
    ],
)
def test_breakdown_refuses_bad_parameters(dash, personas, params):
    r = api(personas["member"]).get(BASE + "dashboard/breakdown/", params)
    assert r.status_code == 400 and r.json()["code"] == "invalid"


def test_anchor_and_product_sales(dash, personas):
    member = api(personas["member"]).get(BASE + f"anchors/{dash.a1.pk}/sales/", RANGE).json()
    assert member["name"] == "小美直播间" and member["total"]["gmv_fen"] == 15000
    # The anchor's products, in the member's shops only.
    assert [(p["key"], p["label"], p["gmv_fen"]) for p in member["pairs"]] == [
        (str(dash.p1.pk), "玻尿酸补水面膜", 10000),
        (str(dash.p2.pk), "氨基酸洗面奶", 5000),
    ]
    assert len(member["by_day"]) == 9
    auditor = api(personas["auditor"]).get(BASE + f"anchors/{dash.a1.pk}/sales/", RANGE).json()
    assert auditor["total"]["gmv_fen"] == 15000 + 99900
    assert auditor["pairs"][0]["gmv_fen"] == 10000 + 99900
    product = api(personas["member"]).get(BASE + f"products/{dash.p1.pk}/sales/", RANGE).json()
    assert product["total"]["gmv_fen"] == 30000
    assert [s["shop_id"] for s in product["by_shop"]] == [dash.ec.pk]
    assert api(personas["member"]).get(BASE + "anchors/999999/sales/").status_code == 404


def test_orders_are_scoped_masked_and_filtered(dash, personas):
    c = api(personas["member"])
    rows = c.get(BASE + "orders/").json()["results"]
    assert {r["order_no"] for r in rows} == {
        getattr(dash, f"order_{x}").order_no for x in "abcde"
    }  # the LS order is not the member's
    a = next(r for r in rows if r["id"] == dash.order_a.pk)
    assert a["buyer_phone_masked"] == "138****5678" and "contact_sealed" not in a
    b = next(r for r in rows if r["id"] == dash.order_b.pk)
    assert b["contact_platform_encrypted"] is True

    def ids(**params):
        return [r["id"] for r in c.get(BASE + "orders/", params).json()["results"]]

    assert ids(status="closed") == [dash.order_b.pk]
    assert ids(aftersale="refunded") == [dash.order_b.pk]
    assert ids(aftersale="any") == [dash.order_b.pk]
    assert ids(sub_order_no=dash.line_a1.sub_order_no) == [dash.order_a.pk]
    assert ids(paid_from=D2.isoformat(), paid_to=D2.isoformat()) == [dash.order_d.pk]
    assert ids(shop=dash.ls.pk) == []
    auditor = api(personas["auditor"]).get(BASE + "orders/", {"shop": dash.ls.pk}).json()["results"]
    assert [r["id"] for r in auditor] == [dash.order_f.pk]


def test_orders_page_with_a_cursor(dash, personas):
    c = api(personas["member"])
    first = c.get(BASE + "orders/", {"page_size": 2}).json()
    assert len(first["results"]) == 2 and first["next"]
    second = c.get(first["next"]).json()
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}


def test_order_detail(dash, personas):
    data = api(personas["member"]).get(BASE + f"orders/{dash.order_a.pk}/").json()
    assert len(data["lines"]) == 2
    line = data["lines"][0]
    assert line["anchor_nickname_matched"] == "小美直播间"
    assert line["product_title_matched"] == "玻尿酸补水面膜"
    assert line["merchant_name"] == "测试品牌方"
    assert "张三丰" not in str(data)
    assert api(personas["member"]).get(BASE + f"orders/{dash.order_f.pk}/").status_code == 404


def test_contact_reveal_needs_the_capability_and_is_logged(dash, personas):
    url = BASE + f"orders/{dash.order_a.pk}/contact/"
    for who in ("member", "auditor", "other", "outsider"):
        assert api(personas[who]).post(url).status_code == 403, who
    assert not AuditEntry.objects.filter(action=AuditAction.VIEW_PERSONAL).exists()
    r = api(personas["manager"]).post(url)
    assert r.status_code == 200
    assert r.json()["phone"] == {"value": "13812345678", "platform_encrypted": False}
    entry = AuditEntry.objects.get(action=AuditAction.VIEW_PERSONAL)
    assert entry.object_id == str(dash.order_a.pk) and entry.actor == personas["manager"]
    # Out of the manager's departments: not found, nothing logged.
    assert api(personas["manager"]).post(BASE + f"orders/{dash.order_f.pk}/contact/").status_code == 404
    assert AuditEntry.objects.filter(action=AuditAction.VIEW_PERSONAL).count() == 1


def test_breakdown_is_cached_until_the_rollups_are_recomputed(dash, personas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from liveops.commerce.services.rollups import rollups_refresh
    from tests.commerce.factories import make_line
    from tests.commerce.test_dashboards_data import at

    c = api(personas["member"])
    params = {**RANGE, "dimension": "province", "shop": dash.ec.pk}
    first = c.get(BASE + "dashboard/breakdown/", params).json()
    with CaptureQueriesContext(connection) as ctx:
        second = c.get(BASE + "dashboard/breakdown/", params).json()
    assert second == first
    assert "dailydimensionrollup" not in " ".join(q["sql"] for q in ctx.captured_queries).lower()
    make_line(dash.ec, paid_at=at(D1, 9), amount_paid_fen=700, quantity=1, province="西藏", buyer_key="bx")
    rollups_refresh(shop_days={dash.ec.pk: {D1}})
    third = c.get(BASE + "dashboard/breakdown/", params).json()
    assert (
        "西藏" in {r["key"] for r in third["rows"]}
        and third["total"]["gmv_fen"] == first["total"]["gmv_fen"] + 700
    )
