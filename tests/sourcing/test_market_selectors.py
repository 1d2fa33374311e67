"""Market intelligence series (LC-2, MC-3) checked against hand-computed numbers, and the page and
API with the personas: MR member allowed, EC member (another department) refused, auditor reads,
outsider refused."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from liveops.core.access import Access
from liveops.sourcing.models import MarketSnapshot
from liveops.sourcing.selectors.market import MarketFilters, market_summary

pytestmark = pytest.mark.django_db

D = dt.date
SYSTEM = Access(user_id=None, is_superuser=True)

# listing, shop, day, price, cumulative sales
ROWS = [
    ("A1", "甲店", D(2016, 11, 9), "100", 10),
    ("A1", "甲店", D(2016, 11, 10), "100", 15),
    ("A1", "甲店", D(2016, 11, 11), "80", 40),
    ("A2", "甲店", D(2016, 11, 10), "50", 100),
    ("A2", "甲店", D(2016, 11, 11), "45", 103),
    ("B1", "乙店", D(2016, 11, 9), "200", 7),
    ("B1", "乙店", D(2016, 11, 11), "220", 9),  # no snapshot on 11-10: the change is since 11-09
    ("B2", "乙店", D(2016, 11, 11), "60", 500),  # only one snapshot: no change at all
    ("C1", "丙店", D(2016, 11, 10), "30", 90),
    ("C1", "丙店", D(2016, 11, 11), "30", 80),  # the counter went down
    ("X1", "外店", D(2016, 11, 11), "10", 5),  # another platform
]


@pytest.fixture(autouse=True)
def _no_cached_summaries():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def market(db):
    MarketSnapshot.objects.bulk_create(
        MarketSnapshot(
            platform="douyin" if listing == "X1" else "tmall",
            listing_id=listing,
            shop=shop,
            title=f"商品{listing}",
            day=day,
            price=Decimal(price),
            sales_cumulative=sales,
        )
        for listing, shop, day, price, sales in ROWS
    )


def series(summary, key):
    return {s["shop"]: s["values"] for s in summary[key]}


def test_series_by_hand(market):
    s = market_summary(access=SYSTEM, filters=MarketFilters())
    assert s["days"] == [D(2016, 11, 9), D(2016, 11, 10), D(2016, 11, 11)]
    assert s["shops"] == sorted(["甲店", "乙店", "丙店"])
    assert (s["rows"], s["listings"]) == (10, 5)
    # Average price per shop and day.
    assert series(s, "price_history") == {
        "甲店": [100.0, 75.0, 62.5],
        "乙店": [200.0, None, 140.0],
        "丙店": [None, 30.0, 30.0],
    }
    # Sales added: A1 +5 on 11-10, A1 +25 and A2 +3 on 11-11; B1 +2 on 11-11; C1 -10 on 11-11.
    assert series(s, "velocity") == {
        "甲店": [None, 5, 28],
        "乙店": [None, None, 2],
        "丙店": [None, None, -10],
    }
    # Increase over the window: 甲 33, 乙 2, 丙 -10 (counts as 0 in the share).
    assert s["share"] == [
        {"shop": "甲店", "increase": 33, "share_pct": round(33 / 35 * 100, 2)},
        {"shop": "乙店", "increase": 2, "share_pct": round(2 / 35 * 100, 2)},
        {"shop": "丙店", "increase": -10, "share_pct": 0.0},
    ]
    top = s["top_listings"]
    assert [(t["listing_id"], t["increase"]) for t in top[:2]] == [("A1", 30), ("A2", 3)]
    assert top[0]["title"] == "商品A1"


def test_promotion_moves_by_hand(market):
    s = market_summary(access=SYSTEM, filters=MarketFilters(pre_days=2))
    promo = s["promotion"]
    assert promo["available"] and promo["day"] == D(2016, 11, 11)
    assert (promo["pre_from"], promo["pre_to"]) == (D(2016, 11, 9), D(2016, 11, 10))
    rows = {r["shop"]: r for r in promo["rows"]}
    # 甲: before = mean(100, 100, 50) = 83.33; on the day mean(80, 45) = 62.5 → -25 %.
    # Same listings: A1 100 → 80 (-20 %), A2 50 → 45 (-10 %) → -15 %.
    assert rows["甲店"] == {
        "shop": "甲店",
        "avg_before": 83.33,
        "avg_promo": 62.5,
        "change_pct": -25.0,
        "like_for_like_pct": -15.0,
        "listings_compared": 2,
    }
    # 乙: before 200 (B1); on the day mean(220, 60) = 140 → -30 %; same listings: B1 +10 %.
    assert (
        rows["乙店"]["change_pct"],
        rows["乙店"]["like_for_like_pct"],
        rows["乙店"]["listings_compared"],
    ) == (
        -30.0,
        10.0,
        1,
    )
    assert (rows["丙店"]["change_pct"], rows["丙店"]["like_for_like_pct"]) == (0.0, 0.0)
    # Sorted by change, biggest cut first.
    assert [r["shop"] for r in promo["rows"]] == ["乙店", "甲店", "丙店"]


def test_filters_dates_shops_platform_listing(market):
    s = market_summary(
        access=SYSTEM,
        filters=MarketFilters(
            date_from=D(2016, 11, 10), date_to=D(2016, 11, 11), shops=["甲店"], listing_id="A1"
        ),
    )
    assert s["shops"] == ["甲店"]
    assert series(s, "price_history") == {"甲店": [75.0, 62.5]}
    # A1's first snapshot in the window is 11-10: no change that day.
    assert series(s, "velocity") == {"甲店": [None, 28]}
    assert s["listing"]["price"] == [100.0, 80.0] and s["listing"]["sales"] == [15, 40]
    # The promotion needs days before it inside the window.
    no_pre = market_summary(access=SYSTEM, filters=MarketFilters(date_from=D(2016, 11, 11)))
    assert no_pre["promotion"]["available"] is False
    other = market_summary(access=SYSTEM, filters=MarketFilters(platform="douyin"))
    assert other["shops"] == ["外店"] and other["rows"] == 1
    nothing = market_summary(access=SYSTEM, filters=MarketFilters(platform="kuaishou"))
    assert nothing["rows"] == 0 and nothing["days"] == []


def test_no_capability_sees_nothing(market):
    s = market_summary(access=Access(user_id=1), filters=MarketFilters())
    assert s["rows"] == 0 and s["all_shops"] == []


# Page and API with the personas ----------------------------------------------------------------

PAGE = "market-dashboard"
API = "api-market-summary"


@pytest.mark.parametrize(
    ("persona", "status"),
    [("other", 200), ("auditor", 200), ("member", 403), ("outsider", 403), ("manager", 403)],
)
def test_page_personas(client_for, market, persona, status):
    # "other" is the MR recruiter (sourcing.view); "member"/"manager" are EC (no sourcing grant).
    response = client_for(persona).get(reverse(PAGE))
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert 'id="market-data"' in html and "<script>" not in html.replace('<script id="market-data"', "")
        data = json.loads(response.context["chart_data"] and json.dumps(response.context["chart_data"]))
        assert data["days"][0] == "2016-11-09"


def test_page_filters_and_errors(client_for, market):
    c = client_for("other")
    r = c.get(
        reverse(PAGE),
        {"date_from": "2016-11-10", "date_to": "2016-11-11", "shops": ["乙店"], "listing": "B1"},
    )
    assert r.status_code == 200
    assert r.context["summary"]["shops"] == ["乙店"]
    assert r.context["summary"]["listing"]["listing_id"] == "B1"
    bad = c.get(reverse(PAGE), {"date_from": "2016-11-11", "date_to": "2016-11-01"})
    assert bad.status_code == 200 and 'id="market-errors"' in bad.content.decode()


def test_page_in_navigation(client_for, market):
    html = client_for("other").get(reverse("home")).content.decode()
    assert reverse(PAGE) in html


@pytest.mark.parametrize(
    ("persona", "status"),
    [("other", 200), ("auditor", 200), ("member", 403), ("outsider", 403)],
)
def test_api_personas(client_for, market, persona, status):
    response = client_for(persona).get(reverse(API))
    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert body["days"] == ["2016-11-09", "2016-11-10", "2016-11-11"]
        assert {s["shop"]: s["values"] for s in body["velocity"]}["甲店"] == [None, 5, 28]


def test_api_is_read_only_for_the_auditor(client_for, market):
    assert client_for("auditor").post(reverse(API), {}).status_code in (403, 405)


def test_api_filters_and_validation(client_for, market):
    c = client_for("other")
    r = c.get(reverse(API), {"shops": ["甲店", "乙店"], "promo_day": "2016-11-11", "pre_days": "1"})
    body = r.json()
    assert body["shops"] == ["乙店", "甲店"] or body["shops"] == sorted(["甲店", "乙店"])
    assert body["promotion"]["pre_from"] == "2016-11-10"
    bad = c.get(reverse(API), {"date_from": "not a date"})
    assert bad.status_code == 400
    assert set(bad.json()) == {"code", "message", "fields"} and "date_from" in bad.json()["fields"]


def test_views_declare_duties():
    from django.urls import resolve

    from liveops.core.duties import view_duties

    assert set(view_duties(resolve(reverse(PAGE)).func)[0]) == {"LC-2", "MC-3"}
    assert set(view_duties(resolve(reverse(API)).func)[0]) == {"LC-2", "MC-3"}


def test_summary_cache_follows_new_data(market):
    first = market_summary(access=SYSTEM, filters=MarketFilters())
    assert market_summary(access=SYSTEM, filters=MarketFilters()) == first
    MarketSnapshot.objects.create(
        platform="tmall", listing_id="D1", shop="丁店", title="新", day=D(2016, 11, 11), price=Decimal("5")
    )
    again = market_summary(access=SYSTEM, filters=MarketFilters())
    assert again["rows"] == first["rows"] + 1 and "丁店" in again["shops"]
