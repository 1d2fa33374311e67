"""A shop whose export names no buyer (the Tmall report) has buyers "unknown", never 0: on the
series, the totals, the dashboard page and its chart data (issue 15, item 5)."""

from __future__ import annotations

import datetime as dt

import pytest

from liveops.commerce.selectors import dashboards as sel
from liveops.commerce.services.rollups import rollups_refresh
from tests.commerce.factories import SHANGHAI, make_line, make_shop

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 2)  # a Monday
PAID = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def two_shops(org):
    tmall = make_shop(platform="taobao", name="无买家身份的天猫店")
    douyin = make_shop(platform="douyin", name="有买家身份的抖店")
    make_line(tmall, paid_at=PAID)  # no buyer_key: the Tmall report gives none
    make_line(douyin, paid_at=PAID, buyer_key="b1")
    make_line(douyin, paid_at=PAID + dt.timedelta(days=1), buyer_key="b2")
    rollups_refresh(shop_days={tmall.pk: {DAY}, douyin.pk: {DAY, DAY + dt.timedelta(days=1)}})
    return tmall, douyin


def test_buyers_of_a_shop_without_buyer_identity_are_unknown(two_shops):
    tmall, douyin = two_shops
    series = sel.figures_series(shop_ids=[tmall.pk], start=DAY, end=DAY, grain="day")
    assert series[0]["orders_paid"] == 1
    assert series[0]["buyers"] is None
    assert sel.figures_total(series)["buyers"] is None
    week = sel.figures_series(shop_ids=[tmall.pk], start=DAY, end=DAY + dt.timedelta(days=6), grain="week")
    assert week[0]["buyers"] is None


def test_known_buyers_stay_counted_and_a_mix_is_unknown(two_shops):
    tmall, douyin = two_shops
    known = sel.figures_series(shop_ids=[douyin.pk], start=DAY, end=DAY + dt.timedelta(days=1), grain="day")
    assert [r["buyers"] for r in known] == [1, 1]
    mixed = sel.figures_series(
        shop_ids=[tmall.pk, douyin.pk], start=DAY, end=DAY + dt.timedelta(days=1), grain="day"
    )
    # Day 1 adds a shop whose buyers nobody knows: the sum would undercount, so it is unknown.
    assert [r["buyers"] for r in mixed] == [None, 1]


def test_a_day_without_orders_has_zero_buyers_not_unknown(two_shops):
    tmall, _douyin = two_shops
    quiet = DAY + dt.timedelta(days=3)
    series = sel.figures_series(shop_ids=[tmall.pk], start=quiet, end=quiet, grain="day")
    assert series[0]["orders_paid"] == 0
    assert series[0]["buyers"] == 0


def test_dashboard_shows_a_dash_with_the_reason_and_charts_no_zero(two_shops, client_for):
    tmall, _douyin = two_shops
    response = client_for("manager").get(
        f"/commerce/shops/{tmall.pk}/dashboard/", {"date_from": DAY.isoformat(), "date_to": DAY.isoformat()}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert str(sel.BUYERS_UNKNOWN_REASON) in html
    assert response.context["chart_data"]["buyers"] == [None]
