"""Dashboard, anchor and product pages with the personas: EC shop operator (member), MR recruiter
(other department, no commerce capability), EC manager, supervisory-board chair (auditor, reads
all), outsider, admin. Only rollups are read; every page states its time basis and freshness."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from liveops.core.navigation import navigation_for
from tests.commerce import test_dashboards_data as world
from tests.commerce.test_dashboards_data import D1, D3
from tests.conftest import make_person

pytestmark = pytest.mark.django_db
dash = world.dash  # the shared fixture

RANGE = {"date_from": D1.isoformat(), "date_to": D3.isoformat()}
EXPECTED = {"member": 200, "manager": 200, "auditor": 200, "admin": 200, "other": 403, "outsider": 403}


def urls(dash) -> list[str]:
    return [
        reverse("commerce-shop-list"),
        reverse("commerce-dashboard"),
        reverse("commerce-shop-dashboard", args=[dash.ec.pk]),
        reverse("commerce-anchor-list"),
        reverse("commerce-anchor-detail", args=[dash.a1.pk]),
        reverse("commerce-product-sales", args=[dash.p1.pk]),
    ]


@pytest.mark.parametrize(("who", "expected"), EXPECTED.items())
def test_page_matrix(dash, client_for, who, expected):
    c = client_for(who)
    for url in urls(dash):
        assert c.get(url, RANGE).status_code == expected, url


def test_anonymous_is_sent_to_login(dash, client_for):
    for url in urls(dash):
        response = client_for(None).get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_member_sees_only_the_shops_of_the_department(dash, client_for):
    member = client_for("member")
    html = member.get(reverse("commerce-shop-list")).content.decode()
    assert dash.ec.name in html and dash.ls.name not in html
    assert member.get(reverse("commerce-shop-dashboard", args=[dash.ls.pk])).status_code == 404
    # The manager of EC reaches EC's subtree only; the auditor reads every shop.
    assert client_for("manager").get(reverse("commerce-shop-dashboard", args=[dash.ls.pk])).status_code == 404
    html = client_for("auditor").get(reverse("commerce-shop-list")).content.decode()
    assert dash.ec.name in html and dash.ls.name in html
    assert client_for("auditor").get(reverse("commerce-shop-dashboard", args=[dash.ls.pk])).status_code == 200


def test_company_dashboard_adds_up_only_visible_shops(dash, client_for):
    member = client_for("member").get(reverse("commerce-dashboard"), RANGE)
    assert member.context["total"]["gmv_fen"] == 44000
    assert [s.pk for s, _t in member.context["per_shop"]] == [dash.ec.pk]
    auditor = client_for("auditor").get(reverse("commerce-dashboard"), RANGE)
    assert auditor.context["total"]["gmv_fen"] == 44000 + 99900
    assert {s.pk for s, _t in auditor.context["per_shop"]} == {dash.ec.pk, dash.ls.pk}


def test_shop_dashboard_by_day(dash, client_for):
    r = client_for("member").get(reverse("commerce-shop-dashboard", args=[dash.ec.pk]), RANGE)
    html = r.content.decode()
    assert r.context["rng"].grain == "day" and len(r.context["series"]) == 9
    assert r.context["series"][0]["gmv_fen"] == 35000
    assert 'id="fig-gmv">440.00<' in html  # 44,000 fen
    assert 'id="fig-aov">110.00<' in html  # 44,000 / 4 orders
    assert 'id="fig-buyers">–<' in html  # distinct buyers do not add up over days
    assert "45.5%" in html  # refund rate 20,000 / 44,000
    # Time basis of each figure, and freshness.
    for key in ("gmv", "refund_rate", "conversion"):
        assert str(r.context["time_basis"][key]) in html
    assert 'id="freshness"' in html
    # The chart data is embedded as JSON, never as an inline script.
    assert 'id="dashboard-data" type="application/json"' in html
    assert r.context["chart_data"]["gmv"][0] == 350.0


def test_shop_dashboard_by_week_and_month(dash, client_for):
    c = client_for("member")
    url = reverse("commerce-shop-dashboard", args=[dash.ec.pk])
    week = c.get(url, {**RANGE, "grain": "week"})
    assert [r["buyers"] for r in week.context["series"]] == [2, 1]
    month = c.get(url, {**RANGE, "grain": "month"})
    assert month.context["total"]["buyers"] == 3
    assert 'id="fig-buyers">3<' in month.content.decode()


def test_breakdowns_link_anchors_and_products_and_follow_the_period(dash, client_for):
    c = client_for("member")
    url = reverse("commerce-shop-dashboard", args=[dash.ec.pk])
    html = c.get(url, RANGE).content.decode()
    assert reverse("commerce-anchor-detail", args=[dash.a1.pk]) in html
    assert reverse("commerce-product-sales", args=[dash.p1.pk]) in html
    assert "小美直播间" in html and "玻尿酸补水面膜" in html and "测试品牌方" in html and "广东" in html
    # Narrowed to the third day's period: only what sold then.
    r = c.get(url, {**RANGE, "period": D3.isoformat()})
    assert r.context["rng"].focused
    assert r.context["breakdowns"]["province"]["total"]["gmv_fen"] == 1000
    assert r.context["total"]["gmv_fen"] == 44000  # the trend keeps the whole range


def test_long_ranges_break_down_the_last_period_with_sales(dash, client_for):
    url = reverse("commerce-shop-dashboard", args=[dash.ec.pk])
    params = {"grain": "month", "date_from": "2025-12-01", "date_to": "2026-05-31"}
    r = client_for("member").get(url, params)
    assert (r.context["rng"].focus_start, r.context["rng"].focus_end) == (
        dt.date(2026, 3, 1),
        dt.date(2026, 3, 31),
    )
    assert r.context["breakdowns"]["product"]["total"]["gmv_fen"] == 44000
    # Six months may not be broken down at once: "all" keeps the default.
    r = client_for("member").get(url, {**params, "period": "all"})
    assert r.context["rng"].focus_start == dt.date(2026, 3, 1)
    r = client_for("member").get(url, {"grain": "week", **RANGE, "period": "all"})
    assert (r.context["rng"].focus_start, r.context["rng"].explicit) == (dt.date(2026, 3, 2), True)


def test_dashboard_form_errors_are_shown(dash, client_for):
    r = client_for("member").get(
        reverse("commerce-shop-dashboard", args=[dash.ec.pk]),
        {"date_from": D3.isoformat(), "date_to": D1.isoformat(), "grain": "decade"},
    )
    assert r.status_code == 200 and 'id="dashboard-errors"' in r.content.decode()
    assert r.context["rng"].grain == "day"


def test_dashboards_read_only_rollups(dash, client_for):
    c = client_for("auditor")
    pages = [
        (reverse("commerce-dashboard"), {**RANGE, "grain": "week"}),
        (reverse("commerce-shop-dashboard", args=[dash.ec.pk]), RANGE),
        (reverse("commerce-shop-list"), {}),
        (reverse("commerce-anchor-list"), RANGE),
    ]
    for url, params in pages:
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url, params).status_code == 200
        sql = "\n".join(q["sql"] for q in ctx.captured_queries)
        assert "commerce_orderline" not in sql, url
        assert len(ctx.captured_queries) <= 40, (url, len(ctx.captured_queries))


def test_anchor_and_product_pages_read_only_their_own_lines_once(dash, client_for):
    """The products of an anchor (the anchors of a product) are not in the rollups: the page reads the
    lines of that one anchor (product), once; the next view comes from the cache."""
    c = client_for("auditor")
    for url, column, name in (
        (reverse("commerce-anchor-detail", args=[dash.a1.pk]), "anchor_account_id", "玻尿酸补水面膜"),
        (reverse("commerce-product-sales", args=[dash.p1.pk]), "product_id", "阿强好物"),
    ):
        with CaptureQueriesContext(connection) as ctx:
            r = c.get(url, RANGE)
        assert r.status_code == 200 and name in r.content.decode()
        reads = [q["sql"] for q in ctx.captured_queries if "commerce_orderline" in q["sql"]]
        assert len(reads) == 1 and f"{column} = " in reads[0], reads
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url, RANGE).status_code == 200
        assert not [q for q in ctx.captured_queries if "commerce_orderline" in q["sql"]], url


def test_pages_have_no_inline_scripts(dash, client_for):
    c = client_for("admin")
    for url in urls(dash):
        html = c.get(url, RANGE).content.decode()
        assert re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html) == [], url


def test_anchor_page(dash, client_for):
    r = client_for("member").get(reverse("commerce-anchor-detail", args=[dash.a1.pk]), RANGE)
    html = r.content.decode()
    assert r.context["sales"]["total"]["gmv_fen"] == 15000  # the LS shop's sale is not the member's
    assert "小美直播间" in html and "71000001" in html
    # The anchor's products, from the member's shops only.
    assert 'id="pairs"' in html and "玻尿酸补水面膜" in html and "氨基酸洗面奶" in html
    assert [(p["key"], p["gmv_fen"]) for p in r.context["products"]] == [
        (str(dash.p1.pk), 10000),
        (str(dash.p2.pk), 5000),
    ]
    r = client_for("auditor").get(reverse("commerce-anchor-detail", args=[dash.a1.pk]), RANGE)
    assert r.context["sales"]["total"]["gmv_fen"] == 15000 + 99900
    assert r.context["products"][0]["gmv_fen"] == 10000 + 99900
    # Over more than 92 days the page says to choose a shorter range.
    long = {"date_from": D1.isoformat(), "date_to": (D1 + dt.timedelta(days=120)).isoformat()}
    html = (
        client_for("auditor").get(reverse("commerce-anchor-detail", args=[dash.a1.pk]), long).content.decode()
    )
    assert 'id="pairs-unavailable"' in html
    assert client_for("member").get(reverse("commerce-anchor-detail", args=[999999])).status_code == 404


def test_anchor_list_ranks_and_searches(dash, client_for):
    c = client_for("member")
    r = c.get(reverse("commerce-anchor-list"), RANGE)
    assert [row["account"].pk for row in r.context["data"]["rows"]] == [dash.a2.pk, dash.a1.pk]
    r = c.get(reverse("commerce-anchor-list"), {**RANGE, "q": "阿强"})
    assert [row["account"].pk for row in r.context["data"]["rows"]] == [dash.a2.pk]


def test_product_sales_page(dash, client_for):
    r = client_for("member").get(reverse("commerce-product-sales", args=[dash.p1.pk]), RANGE)
    html = r.content.decode()
    assert r.context["sales"]["total"]["gmv_fen"] == 30000
    assert [row["shop"].pk for row in r.context["sales"]["by_shop"]] == [dash.ec.pk]
    assert "玻尿酸补水面膜" in html and "测试品牌方" in html
    # The EC operator does not read the MR product library: no link there.
    assert reverse("sourcing-product-detail", args=[dash.p1.pk]) not in html
    admin = client_for("admin").get(reverse("commerce-product-sales", args=[dash.p1.pk]), RANGE)
    assert reverse("sourcing-product-detail", args=[dash.p1.pk]) in admin.content.decode()
    assert client_for("member").get(reverse("commerce-product-sales", args=[999999])).status_code == 404


def test_product_library_page_links_to_sales(dash, client_for):
    url = reverse("sourcing-product-detail", args=[dash.p1.pk])
    sales = reverse("commerce-product-sales", args=[dash.p1.pk])
    assert sales in client_for("admin").get(url).content.decode()
    # The MR recruiter reads the library but not the shops' sales: no link.
    page = client_for("other").get(url)
    assert page.status_code == 200 and sales not in page.content.decode()


def test_navigation_lists_the_tools(dash, rf, personas):
    request = rf.get("/")
    request.user = personas["member"]
    nav = navigation_for(request)
    ec = [d for u in nav["units"] for d in u["departments"] if d["code"] == "EC"][0]
    assert {t["url"] for t in ec["tools"]} >= {
        reverse("commerce-shop-list"),
        reverse("commerce-order-list"),
        reverse("commerce-anchor-list"),
    }
    request = rf.get("/")
    request.user = make_person("lc-head", "lchead")
    nav = navigation_for(request)
    lc = [u for u in nav["units"] if u["code"] == "LC"][0]
    assert reverse("commerce-dashboard") in {t["url"] for t in lc["tools"]}
    request = rf.get("/")
    request.user = personas["other"]
    nav = navigation_for(request)
    urls_seen = {t["url"] for u in nav["units"] for t in u["tools"]} | {
        t["url"] for u in nav["units"] for d in u["departments"] for t in d["tools"]
    }
    assert reverse("commerce-shop-list") not in urls_seen


def test_dashboard_figures_are_cached_until_the_rollups_are_recomputed(dash, client_for):
    """The second view of the same dashboard reads no rollups; recomputing the shop's rollups (as
    every import does) changes the key, and the page shows the new figures."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from liveops.commerce.services.rollups import rollups_refresh
    from tests.commerce.factories import make_line
    from tests.commerce.test_dashboards_data import D1, at

    client = client_for("member")
    url = reverse("commerce-shop-dashboard", args=[dash.ec.pk])
    first = client.get(url, RANGE)
    with CaptureQueriesContext(connection) as ctx:
        second = client.get(url, RANGE)
    sql = " ".join(q["sql"] for q in ctx.captured_queries).lower()
    assert "dailyshoprollup" not in sql and "dailydimensionrollup" not in sql
    assert second.context["series"] == first.context["series"]
    make_line(dash.ec, paid_at=at(D1, 11), amount_paid_fen=5000, quantity=1, buyer_key="b-new")
    rollups_refresh(shop_days={dash.ec.pk: {D1}})
    third = client.get(url, RANGE)
    assert third.context["series"][0]["gmv_fen"] == first.context["series"][0]["gmv_fen"] + 5000


def test_product_sales_page_hides_products_neither_in_the_library_nor_sold_here(dash, client_for):
    """An operator who does not read the library opens the sales of products sold in their shops only:
    a product still being recruited (no sales) is not found, page and API, so its title stays hidden."""
    from tests.factories import make_merchant, make_product

    secret = make_product(make_merchant("保密品牌方", department="MR"), title="未公开新品")
    for url in (
        reverse("commerce-product-sales", args=[secret.pk]),
        f"/api/v1/commerce/products/{secret.pk}/sales/",
    ):
        response = client_for("member").get(url)
        assert response.status_code == 404 and "未公开新品" not in response.content.decode()
    # Sold in the member's shop: found.
    assert client_for("member").get(reverse("commerce-product-sales", args=[dash.p1.pk])).status_code == 200
    # Whoever reads the library (the administrator) opens it, sales or not.
    assert client_for("admin").get(reverse("commerce-product-sales", args=[secret.pk])).status_code == 200
