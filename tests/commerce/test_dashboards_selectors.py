"""Dashboard selectors: the periods, the maths (AOV, refund rate, conversion), day/week/month grains,
breakdowns with their names, anchor and product sales, empty data, and that nothing but the anchor ×
product breakdowns reads the lines."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext as _
from hypothesis import given
from hypothesis import strategies as st

from liveops.commerce.models import DailyShopRollup, PeriodBuyers
from liveops.commerce.selectors import dashboards as sel
from liveops.commerce.services.rollups import rollups_refresh
from tests.commerce import test_dashboards_data as world
from tests.commerce.factories import make_line
from tests.commerce.test_dashboards_data import D1, D2, D3

dash = world.dash  # the shared fixture

pytestmark = pytest.mark.django_db

MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))


# Periods and maths (no database) ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "grain", "start", "end"),
    [
        (dt.date(2026, 3, 4), "day", dt.date(2026, 3, 4), dt.date(2026, 3, 4)),
        (dt.date(2026, 3, 4), "week", dt.date(2026, 3, 2), dt.date(2026, 3, 8)),
        (dt.date(2026, 3, 8), "week", dt.date(2026, 3, 2), dt.date(2026, 3, 8)),
        (dt.date(2026, 2, 14), "month", dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
        (dt.date(2028, 2, 29), "month", dt.date(2028, 2, 1), dt.date(2028, 2, 29)),
        (dt.date(2026, 12, 31), "month", dt.date(2026, 12, 1), dt.date(2026, 12, 31)),
    ],
)
def test_period_bounds(day, grain, start, end):
    assert sel.period_start(day, grain) == start
    assert sel.period_end(start, grain) == end


def test_periods_cover_the_range_in_order():
    assert sel.periods(dt.date(2026, 1, 15), dt.date(2026, 4, 1), "month") == [
        dt.date(2026, 1, 1),
        dt.date(2026, 2, 1),
        dt.date(2026, 3, 1),
        dt.date(2026, 4, 1),
    ]
    assert len(sel.periods(dt.date(2026, 3, 1), dt.date(2026, 3, 31), "day")) == 31


def test_dashboard_range_defaults_and_alignment():
    today = dt.date(2026, 3, 18)  # a Wednesday
    r = sel.dashboard_range(grain="day", today=today)
    assert (r.start, r.end) == (today - dt.timedelta(days=29), today)
    r = sel.dashboard_range(grain="week", today=today)
    assert r.start.weekday() == 0 and r.end == dt.date(2026, 3, 22)
    assert len(sel.periods(r.start, r.end, "week")) == sel.DEFAULT_SPAN["week"]
    r = sel.dashboard_range(
        grain="month", date_from=dt.date(2026, 1, 20), date_to=dt.date(2026, 3, 3), today=today
    )
    assert (r.start, r.end) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    # Reversed dates are swapped, a bad grain is a day, an out-of-range period is ignored.
    r = sel.dashboard_range(grain="year", date_from=D2, date_to=D1, period=dt.date(2020, 1, 1), today=today)
    assert (r.grain, r.start, r.end, r.focused) == ("day", D1, D2, False)
    # A period inside the range narrows the breakdowns to that period.
    r = sel.dashboard_range(grain="week", date_from=D1, date_to=D3, period=D3, today=today)
    assert (r.focus_start, r.focus_end, r.focused) == (dt.date(2026, 3, 9), dt.date(2026, 3, 15), True)


def test_dashboard_range_is_bounded():
    r = sel.dashboard_range(grain="day", date_from=dt.date(1990, 1, 1), date_to=dt.date(2026, 3, 1), today=D1)
    assert (r.end - r.start).days <= sel.MAX_SPAN_DAYS["day"]
    r = sel.dashboard_range(grain="month", date_from=dt.date(9999, 1, 1), today=D1)
    assert r.end <= dt.date(2099, 12, 31)


def test_derived_figures():
    row = sel.derive({"gmv_fen": 35000, "orders_paid": 2, "refund_fen": 20000, "orders_submitted": 3})
    assert row["aov_fen"] == 17500
    assert row["refund_rate"] == pytest.approx(20000 / 35000)
    assert row["conversion"] == pytest.approx(2 / 3)
    empty = sel.derive({"gmv_fen": 0, "orders_paid": 0, "refund_fen": 0, "orders_submitted": 0})
    assert (empty["aov_fen"], empty["refund_rate"], empty["conversion"]) == (None, None, None)


def test_average_rounds_half_up_in_fen():
    assert sel.average_fen(10, 4) == 3  # 2.5 → 3
    assert sel.average_fen(10, 3) == 3  # 3.33 → 3
    assert sel.average_fen(20, 3) == 7  # 6.67 → 7
    assert sel.average_fen(5, 0) is None


@given(total=st.integers(min_value=0, max_value=10**13), count=st.integers(min_value=1, max_value=10**7))
def test_average_is_the_nearest_fen(total, count):
    avg = sel.average_fen(total, count)
    # No other whole fen is nearer to the exact average (ties go up).
    assert abs(2 * (avg * count - total)) <= count
    assert 2 * (avg * count - total) != -count


# Figures from the rollups -----------------------------------------------------------------------


def test_daily_series(dash):
    series = sel.figures_series(shop_ids=[dash.ec.pk], start=D1, end=D3, grain="day")
    assert [r["period"] for r in series][:2] == [D1, D2] and len(series) == 9
    d1, d2 = series[0], series[1]
    assert (d1["gmv_fen"], d1["orders_paid"], d1["buyers"], d1["orders_submitted"]) == (35000, 2, 2, 3)
    assert d1["aov_fen"] == 17500
    assert d1["refund_rate"] == pytest.approx(20000 / 35000)
    assert d1["conversion"] == pytest.approx(2 / 3)
    assert (d2["gmv_fen"], d2["buyers"], d2["refund_rate"]) == (8000, 1, 0.0)
    # Days without data are zeros, their ratios None (charts have no gaps, nothing divides by 0).
    quiet = series[2]
    assert (quiet["gmv_fen"], quiet["aov_fen"], quiet["refund_rate"], quiet["conversion"]) == (
        0,
        None,
        None,
        None,
    )


def test_weekly_series_takes_buyers_from_period_buyers(dash):
    series = sel.figures_series(shop_ids=[dash.ec.pk], start=D1, end=dt.date(2026, 3, 15), grain="week")
    assert [r["period"] for r in series] == [dt.date(2026, 3, 2), dt.date(2026, 3, 9)]
    w1, w2 = series
    assert (w1["gmv_fen"], w1["orders_paid"], w1["units"], w1["orders_submitted"]) == (43000, 3, 5, 4)
    # b1 bought on two days: 2 distinct buyers, not the 3 the daily rows add up to.
    assert w1["buyers"] == 2
    assert (w2["gmv_fen"], w2["buyers"]) == (1000, 1)
    assert w1["aov_fen"] == sel.average_fen(43000, 3)


def test_monthly_series_and_total(dash):
    series = sel.figures_series(shop_ids=[dash.ec.pk], start=MARCH[0], end=MARCH[1], grain="month")
    assert len(series) == 1
    m = series[0]
    assert (m["gmv_fen"], m["orders_paid"], m["buyers"], m["refund_fen"]) == (44000, 4, 3, 20000)
    total = sel.figures_total(series)
    assert total["buyers"] == 3 and total["gmv_fen"] == 44000
    # Over several periods distinct buyers are unknown, not a misleading sum.
    days = sel.figures_series(shop_ids=[dash.ec.pk], start=D1, end=D3, grain="day")
    assert sel.figures_total(days)["buyers"] is None
    assert sel.figures_total(days)["gmv_fen"] == 44000


def test_series_adds_up_the_shops(dash):
    both = sel.figures_series(shop_ids=[dash.ec.pk, dash.ls.pk], start=D1, end=D1, grain="day")[0]
    assert (both["gmv_fen"], both["orders_paid"], both["buyers"]) == (35000 + 99900, 3, 3)


def test_empty_data_and_no_shops(org):
    assert sel.figures_series(shop_ids=[], start=D1, end=D2, grain="day") == sel.figures_series(
        shop_ids=[999999], start=D1, end=D2, grain="day"
    )
    series = sel.figures_series(shop_ids=[], start=MARCH[0], end=MARCH[1], grain="week")
    assert all(r["gmv_fen"] == 0 and r["aov_fen"] is None for r in series)
    total = sel.figures_total([])
    assert total["gmv_fen"] == 0 and total["aov_fen"] is None
    assert sel.breakdown(shop_ids=[], start=D1, end=D2, dimension="product")["rows"] == []
    assert len(sel.breakdown(shop_ids=[], start=D1, end=D2, dimension="hour")["rows"]) == 24
    assert sel.shop_totals(shop_ids=[], start=D1, end=D2) == {}


def test_shop_totals(dash):
    totals = sel.shop_totals(shop_ids=[dash.ec.pk, dash.ls.pk], start=D1, end=D3)
    assert totals[dash.ec.pk]["gmv_fen"] == 44000 and totals[dash.ls.pk]["gmv_fen"] == 99900
    assert totals[dash.ec.pk]["buyers"] is None


# Breakdowns ---------------------------------------------------------------------------------------


def test_breakdown_by_hour_is_in_clock_order(dash):
    hours = sel.breakdown(shop_ids=[dash.ec.pk], start=D1, end=D1, dimension="hour")
    assert [r["key"] for r in hours["rows"]] == [f"{h:02d}" for h in range(24)]
    by = {r["key"]: r for r in hours["rows"]}
    assert (by["10"]["gmv_fen"], by["10"]["orders_paid"], by["20"]["gmv_fen"]) == (15000, 1, 20000)
    assert by["03"]["gmv_fen"] == 0
    assert hours["total"]["gmv_fen"] == 35000


def test_breakdown_by_anchor_resolves_names_in_one_query(dash):
    with CaptureQueriesContext(connection) as ctx:
        data = sel.breakdown(shop_ids=[dash.ec.pk], start=D1, end=D3, dimension="anchor")
    assert len(ctx.captured_queries) == 2  # the sums, the names
    rows = data["rows"]
    assert [(r["key"], r["gmv_fen"]) for r in rows] == [
        (str(dash.a2.pk), 20000),
        (str(dash.a1.pk), 15000),
        ("", 9000),
    ]
    assert [r["label"] for r in rows[:2]] == ["阿强好物", "小美直播间"]
    assert rows[2]["label"] == str(_("Not attributed"))
    assert rows[0]["share"] == pytest.approx(20000 / 44000)
    assert rows[0]["refund_rate"] == 1.0


def test_breakdown_by_product_merchant_province_source(dash):
    products = sel.breakdown(shop_ids=[dash.ec.pk], start=D1, end=D3, dimension="product")["rows"]
    assert {r["label"]: r["gmv_fen"] for r in products if r["key"]} == {
        "玻尿酸补水面膜": 30000,
        "氨基酸洗面奶": 13000,
    }
    merchants = sel.breakdown(shop_ids=[dash.ec.pk], start=D1, end=D3, dimension="merchant")["rows"]
    assert merchants[0]["label"] == "测试品牌方" and merchants[0]["gmv_fen"] == 43000
    provinces = sel.breakdown(shop_ids=[dash.ec.pk], start=D1, end=D3, dimension="province")["rows"]
    assert [(r["key"], r["gmv_fen"]) for r in provinces][:2] == [("浙江", 23000), ("广东", 20000)]
    sources = sel.breakdown(shop_ids=[dash.ec.pk], start=D1, end=D3, dimension="source")["rows"]
    assert {r["key"]: r["gmv_fen"] for r in sources} == {"短视频": 20000, "直播": 15000, "": 9000}


def test_breakdown_sums_the_tail_into_others(dash):
    data = sel.breakdown(shop_ids=[dash.ec.pk], start=D1, end=D3, dimension="product", top=1)
    assert len(data["rows"]) == 1 and data["rows"][0]["gmv_fen"] == 30000
    assert data["others"]["gmv_fen"] == 14000 and data["others"]["count"] == 2
    assert data["rows"][0]["share"] + data["others"]["share"] == pytest.approx(1.0)


# Anchor and product sales -----------------------------------------------------------------------


def test_anchor_sales_count_only_the_given_shops(dash):
    ec_only = sel.key_sales(dimension="anchor", key=str(dash.a1.pk), shop_ids=[dash.ec.pk], start=D1, end=D3)
    assert (ec_only["total"]["gmv_fen"], ec_only["total"]["orders_paid"], ec_only["total"]["units"]) == (
        15000,
        1,
        3,
    )
    assert [r["gmv_fen"] for r in ec_only["by_day"]][:2] == [15000, 0]
    assert [r["shop"].pk for r in ec_only["by_shop"]] == [dash.ec.pk]
    both = sel.key_sales(
        dimension="anchor", key=str(dash.a1.pk), shop_ids=[dash.ec.pk, dash.ls.pk], start=D1, end=D3
    )
    assert both["total"]["gmv_fen"] == 15000 + 99900
    assert [r["shop_id"] for r in both["by_shop"]] == [dash.ls.pk, dash.ec.pk]
    none = sel.key_sales(dimension="anchor", key=str(dash.a1.pk), shop_ids=[], start=D1, end=D3)
    assert none["total"]["gmv_fen"] == 0 and none["by_shop"] == []


def test_product_sales_and_refund_rate(dash):
    sales = sel.key_sales(dimension="product", key=str(dash.p1.pk), shop_ids=[dash.ec.pk], start=D1, end=D2)
    assert sales["total"]["gmv_fen"] == 30000
    assert sales["total"]["refund_rate"] == pytest.approx(20000 / 30000)
    assert len(sales["by_day"]) == 2


def _pairs(dash, dimension, first_id, shops, start=D1, end=D3):
    return sel.pair_breakdown(
        dimension=dimension, first_id=first_id, shop_ids=[s.pk for s in shops], start=start, end=end
    )


def test_products_of_an_anchor(dash):
    rows = _pairs(dash, sel.ANCHOR_PRODUCT, dash.a1.pk, [dash.ec])
    assert [(r["label"], r["gmv_fen"], r["units"], r["orders_paid"]) for r in rows] == [
        ("玻尿酸补水面膜", 10000, 2, 1),
        ("氨基酸洗面奶", 5000, 1, 1),
    ]
    assert rows[0]["key"] == str(dash.p1.pk)
    # The Taobao shop's line of the same anchor and product adds to it.
    both = _pairs(dash, sel.ANCHOR_PRODUCT, dash.a1.pk, [dash.ec, dash.ls])
    assert [(r["key"], r["gmv_fen"], r["orders_paid"]) for r in both][0] == (str(dash.p1.pk), 109900, 2)


def test_anchors_of_a_product_with_refunds(dash):
    rows = _pairs(dash, sel.PRODUCT_ANCHOR, dash.p1.pk, [dash.ec])
    assert [(r["label"], r["gmv_fen"], r["refund_fen"]) for r in rows] == [
        ("阿强好物", 20000, 20000),
        ("小美直播间", 10000, 0),
    ]
    assert rows[0]["refund_rate"] == pytest.approx(1.0)


def test_pairs_add_up_to_the_anchor_total_of_the_rollups(dash):
    """Same measures as the rollups: an anchor's products add up to its attributed sales (every line
    of the test anchor has a product)."""
    shops = [dash.ec, dash.ls]
    rows = _pairs(dash, sel.ANCHOR_PRODUCT, dash.a1.pk, shops)
    total = sel.key_sales(
        dimension="anchor", key=str(dash.a1.pk), shop_ids=[s.pk for s in shops], start=D1, end=D3
    )["total"]
    for field in ("gmv_fen", "units", "lines_paid", "refund_fen"):
        assert sum(r[field] for r in rows) == total[field], field


def test_pairs_only_for_short_ranges_and_visible_shops(dash):
    long_end = D1 + dt.timedelta(days=sel.MAX_BREAKDOWN_DAYS)
    assert _pairs(dash, sel.ANCHOR_PRODUCT, dash.a1.pk, [dash.ec], end=long_end) is None
    assert _pairs(dash, sel.ANCHOR_PRODUCT, dash.a1.pk, []) == []
    # The Taobao shop alone: only its line.
    assert [r["gmv_fen"] for r in _pairs(dash, sel.ANCHOR_PRODUCT, dash.a1.pk, [dash.ls])] == [99900]
    with pytest.raises(ValueError):
        _pairs(dash, "province", dash.a1.pk, [dash.ec])


def test_pairs_are_cached_until_the_rollups_move(dash):
    _pairs(dash, sel.ANCHOR_PRODUCT, dash.a1.pk, [dash.ec])
    with CaptureQueriesContext(connection) as ctx:
        again = _pairs(dash, sel.ANCHOR_PRODUCT, dash.a1.pk, [dash.ec])
    assert "commerce_orderline" not in " ".join(q["sql"] for q in ctx.captured_queries)
    assert again[0]["gmv_fen"] == 10000
    # A new line, and the refresh that every change of lines runs, show up at once.
    make_line(
        dash.ec, paid_at=world.at(D2, 10, 0), amount_paid_fen=70000, product=dash.p2, anchor_account=dash.a1
    )
    rollups_refresh(shop_days={dash.ec.pk: {D2}})
    fresh = _pairs(dash, sel.ANCHOR_PRODUCT, dash.a1.pk, [dash.ec])
    assert [(r["key"], r["gmv_fen"]) for r in fresh][0] == (str(dash.p2.pk), 75000)


def test_anchor_ranking_and_search(dash):
    data = sel.anchor_ranking(shop_ids=[dash.ec.pk], start=D1, end=D3)
    assert [r["account"].nickname for r in data["rows"]] == ["阿强好物", "小美直播间"]
    assert data["unattributed"]["gmv_fen"] == 9000
    found = sel.anchor_ranking(shop_ids=[dash.ec.pk], start=D1, end=D3, search="小美")
    assert [r["account"].pk for r in found["rows"]] == [dash.a1.pk]
    # An account without sales in the period is still found by search.
    quiet = sel.anchor_ranking(shop_ids=[dash.ec.pk], start=D3, end=D3, search="71000002")
    assert [(r["account"].pk, r["gmv_fen"]) for r in quiet["rows"]] == [(dash.a2.pk, 0)]


def test_freshness_reports_each_source(dash):
    for shop in (dash.ec, dash.ls):
        shop.refresh_from_db()  # the rollups were computed after the fixture made the shops
    rows = sel.freshness([dash.ec, dash.ls])
    assert rows[0]["shop"] == dash.ec and rows[0]["rollups_updated_at"] is not None
    assert rows[0]["orders_updated_at"] is None  # written straight, not imported


# Only rollups -----------------------------------------------------------------------------------


def test_selectors_never_read_order_lines(dash):
    ids = [dash.ec.pk, dash.ls.pk]
    with CaptureQueriesContext(connection) as ctx:
        for grain in sel.GRAINS:
            sel.figures_series(shop_ids=ids, start=MARCH[0], end=MARCH[1], grain=grain)
        for d in sel.DIMENSIONS:
            sel.breakdown(shop_ids=ids, start=MARCH[0], end=MARCH[1], dimension=d)
        sel.key_sales(dimension="anchor", key=str(dash.a1.pk), shop_ids=ids, start=D1, end=D3)
        sel.anchor_ranking(shop_ids=ids, start=D1, end=D3)
        sel.shop_totals(shop_ids=ids, start=D1, end=D3)
        sel.freshness([dash.ec, dash.ls])
    sql = " ".join(q["sql"] for q in ctx.captured_queries).lower()
    assert "commerce_orderline" not in sql
    assert "commerce_order " not in sql and '"commerce_order"' not in sql
    assert "dailyshoprollup" in sql and "dailydimensionrollup" in sql


def test_rollup_models_are_what_the_selectors_read(dash):
    # Guards the test world itself: the rollups exist for both shops and the week.
    assert DailyShopRollup.objects.filter(shop=dash.ls).count() == 1
    assert PeriodBuyers.objects.filter(shop=dash.ec, grain="week", period_start=D1).get().buyers == 2


def test_breakdowns_default_to_the_last_period_with_sales_on_long_ranges():
    today = dt.date(2026, 3, 18)
    series = [
        {
            "period": dt.date(2026, 1, 1),
            "period_end": dt.date(2026, 1, 31),
            "gmv_fen": 5,
            "orders_submitted": 1,
        },
        {
            "period": dt.date(2026, 2, 1),
            "period_end": dt.date(2026, 2, 28),
            "gmv_fen": 7,
            "orders_submitted": 1,
        },
        {
            "period": dt.date(2026, 3, 1),
            "period_end": dt.date(2026, 3, 31),
            "gmv_fen": 0,
            "orders_submitted": 0,
        },
    ]
    rng = sel.dashboard_range(grain="month", date_from=dt.date(2026, 1, 5), date_to=today, today=today)
    focused = sel.focus_default(rng, series)
    assert (focused.focus_start, focused.focus_end) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    # A short range is broken down whole; a chosen period is kept.
    short = sel.dashboard_range(grain="day", date_from=D1, date_to=D3, today=today)
    assert sel.focus_default(short, series) == short
    chosen = sel.dashboard_range(
        grain="month", date_from=dt.date(2026, 1, 5), date_to=today, period=D1, today=today
    )
    assert sel.focus_default(chosen, series).focus_start == dt.date(2026, 3, 1)
    # "all" breaks the whole range down when it is short enough, not a year.
    assert sel.dashboard_range(
        grain="month", date_from=dt.date(2026, 1, 5), date_to=today, period="all", today=today
    ).explicit
    year = sel.dashboard_range(
        grain="month", date_from=dt.date(2025, 1, 5), date_to=today, period="all", today=today
    )
    assert not year.explicit and not year.whole_allowed
