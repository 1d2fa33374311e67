"""Selectors of the marketing side: ROI and budget maths (hypothesis), a campaign's attributed GMV,
budgets with their spend and the overspent list, ROI per shop, the calendar and the product
performance table — each scoped to what the actor may see."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from liveops.commerce.models import Campaign
from liveops.commerce.selectors import marketing as sel
from liveops.commerce.selectors.marketing import (
    BudgetScope,
    SpendRow,
    kpi_progress,
    percent,
    roi,
    spend_in_scope,
)
from liveops.commerce.services import marketing as services
from liveops.core.access import access_for
from tests.commerce.marketing_support import mworld_fixture, product_day, shop_day  # noqa: F401

FEN = st.integers(min_value=0, max_value=10**13)


def today() -> dt.date:
    return timezone.localdate()


# Pure maths (hypothesis) --------------------------------------------------------------------------


@given(gmv=FEN, spend=st.integers(min_value=1, max_value=10**13))
def test_roi_is_gmv_over_spend_rounded_half_up(gmv, spend):
    r = roi(gmv, spend)
    exact = Decimal(gmv) / Decimal(spend)
    assert r == r.quantize(Decimal("0.01"))
    assert abs(r - exact) <= Decimal("0.005")
    # Half-up: the exact value is never more than half a cent above the rounded one.
    assert exact - r < Decimal("0.005")


@given(gmv=FEN)
def test_roi_without_spend_is_none(gmv):
    assert roi(gmv, 0) is None


@given(gmv=FEN, a=st.integers(min_value=1, max_value=10**9), b=st.integers(min_value=1, max_value=10**9))
def test_roi_falls_as_spend_grows(gmv, a, b):
    low, high = sorted((a, b))
    assert roi(gmv, high) <= roi(gmv, low)


def test_roi_examples():
    assert roi(325, 100) == Decimal("3.25")
    assert roi(1, 3) == Decimal("0.33")
    assert roi(2, 3) == Decimal("0.67")
    assert roi(1, 200) == Decimal("0.01")  # 0.005 rounds up
    assert percent(1, 3) == Decimal("33.33")
    assert percent(5, 0) is None


DAYS = st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2026, 3, 31))
ROWS = st.lists(
    st.builds(
        SpendRow,
        shop_id=st.sampled_from([1, 2, 3]),
        department_id=st.sampled_from([10, 20]),
        channel=st.sampled_from(["qianchuan", "zhitongche", "douplus"]),
        campaign_id=st.sampled_from([None, 100, 200]),
        day=DAYS,
        spend_fen=FEN,
    ),
    max_size=40,
)


@st.composite
def scopes(draw):
    a, b = sorted((draw(DAYS), draw(DAYS)))
    return BudgetScope(
        period_start=a,
        period_end=b,
        department_id=draw(st.sampled_from([10, 20])),
        campaign_id=draw(st.sampled_from([None, 100, 200])),
        shop_id=draw(st.sampled_from([None, 1, 2, 3])),
        channel=draw(st.sampled_from(["", "qianchuan", "douplus"])),
    )


@given(scope=scopes(), rows=ROWS)
def test_budget_spend_is_the_sum_of_rows_in_scope(scope, rows):
    def brute(r):
        return (
            scope.period_start <= r.day <= scope.period_end
            and (not scope.channel or r.channel == scope.channel)
            and (scope.campaign_id is None or r.campaign_id == scope.campaign_id)
            and (
                r.shop_id == scope.shop_id
                if scope.shop_id is not None
                else scope.campaign_id is not None or r.department_id == scope.department_id
            )
        )

    assert spend_in_scope(scope, rows) == sum(r.spend_fen for r in rows if brute(r))


@given(scope=scopes(), rows=ROWS)
def test_narrower_budget_never_sees_more_spend(scope, rows):
    if scope.channel:
        wider = BudgetScope(**{**scope.__dict__, "channel": ""})
        assert spend_in_scope(scope, rows) <= spend_in_scope(wider, rows)
    assert 0 <= spend_in_scope(scope, rows) <= sum(r.spend_fen for r in rows)


@given(scope=scopes(), rows=ROWS, split=st.integers(min_value=0, max_value=40))
def test_budget_spend_adds_up_over_parts_of_the_rows(scope, rows, split):
    assert spend_in_scope(scope, rows) == spend_in_scope(scope, rows[:split]) + spend_in_scope(
        scope, rows[split:]
    )


@given(
    actual=st.decimals(min_value=0, max_value=10**9, places=2),
    target=st.decimals(min_value=0, max_value=10**9, places=2),
    higher=st.booleans(),
)
@settings(max_examples=200)
def test_kpi_progress(actual, target, higher):
    progress, met = kpi_progress(actual, target, higher_is_better=higher)
    if higher:
        assert met == (actual >= target)
    else:
        assert met == (actual <= target)
        assert progress <= 100
    if met:
        assert progress >= 100 or (higher and target > 0 and progress >= Decimal("99.995"))
    assert kpi_progress(None, target, higher_is_better=higher) == (None, False)


# Campaign performance ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_campaign_performance_from_rollups(mworld):
    start, end = today() - dt.timedelta(days=5), today() + dt.timedelta(days=5)
    c = services.campaign_create(
        actor=mworld.member,
        name="年货节",
        starts_on=start,
        ends_on=end,
        goal_gmv_fen=100_000,
        shops=[mworld.douyin],
        products=[mworld.p1],
    )
    shop_day(mworld.douyin, today(), gmv_fen=30_000)
    shop_day(mworld.douyin, start - dt.timedelta(days=1), gmv_fen=99_999)  # before the campaign
    shop_day(mworld.taobao, today(), gmv_fen=77_777)  # not a campaign shop
    product_day(mworld.douyin, mworld.p1, today(), 20_000)
    product_day(mworld.douyin, mworld.p2, today(), 10_000)  # not a campaign product
    product_day(mworld.taobao, mworld.p1, today(), 5_000)  # campaign product, other shop
    services.ad_spend_record(
        actor=mworld.member, shop=mworld.douyin, channel="qianchuan", day=today(), spend_fen=8_000
    )
    access = access_for(mworld.member)
    perf = sel.campaign_performance(access=access, campaign=c, today=today())
    assert perf["shop_gmv_fen"] == 30_000
    assert perf["product_gmv_fen"] == 20_000
    assert perf["attributed_gmv_fen"] == 20_000 and perf["attributed_from"] == "products"
    assert perf["spend_fen"] == 8_000
    assert perf["roi"] == Decimal("2.50")
    assert perf["goal_pct"] == Decimal("20.00")
    assert perf["elapsed_pct"] == percent(6, 11)
    assert sum(d["gmv_fen"] for d in perf["daily"]) == 20_000
    assert sum(d["spend_fen"] for d in perf["daily"]) == 8_000
    # Without products: credited with the shops' GMV.
    services.campaign_update(actor=mworld.member, campaign=c, data={"products": []})
    perf = sel.campaign_performance(access=access, campaign=c, today=today())
    assert perf["attributed_gmv_fen"] == 30_000 and perf["roi"] == Decimal("3.75")


@pytest.mark.django_db
def test_campaign_performance_leaves_out_shops_the_viewer_cannot_see(mworld):
    c = services.campaign_create(
        actor=None,
        name="跨部门活动",
        starts_on=today(),
        ends_on=today(),
        department=mworld.douyin.department,
        shops=[mworld.douyin, mworld.ls_shop],
    )
    shop_day(mworld.douyin, today(), gmv_fen=100)
    shop_day(mworld.ls_shop, today(), gmv_fen=1_000)
    member = sel.campaign_performance(access=access_for(mworld.member), campaign=c)
    auditor = sel.campaign_performance(access=access_for(mworld.auditor), campaign=c)
    assert (member["shop_gmv_fen"], member["hidden_shops"]) == (100, 1)
    assert (auditor["shop_gmv_fen"], auditor["hidden_shops"]) == (1_100, 0)


@pytest.mark.django_db
def test_campaigns_scoped_by_department(mworld):
    c = services.campaign_create(actor=mworld.member, name="38节", starts_on=today(), ends_on=today())
    assert sel.campaign_get(access=access_for(mworld.member), pk=c.pk) == c
    assert sel.campaign_get(access=access_for(mworld.auditor), pk=c.pk) == c
    assert sel.campaign_get(access=access_for(mworld.other), pk=c.pk) is None
    assert sel.campaign_get(access=access_for(mworld.outsider), pk=c.pk) is None


@pytest.mark.django_db
def test_calendar_month_places_campaigns_on_their_days(mworld):
    services.campaign_create(
        actor=mworld.member, name="618", starts_on=dt.date(2026, 6, 1), ends_on=dt.date(2026, 6, 18)
    )
    services.campaign_create(
        actor=mworld.member,
        name="取消的",
        starts_on=dt.date(2026, 6, 5),
        ends_on=dt.date(2026, 6, 6),
        status=Campaign.Status.CANCELLED,
    )
    cal = sel.calendar_month(access=access_for(mworld.member), year=2026, month=6)
    days = {d["day"]: d for week in cal["weeks"] for d in week}
    assert cal["weeks"][0][0]["day"] == dt.date(2026, 6, 1)  # a Monday
    assert [c.name for c in days[dt.date(2026, 6, 18)]["campaigns"]] == ["618"]
    assert days[dt.date(2026, 6, 19)]["campaigns"] == []
    assert [c.name for c in days[dt.date(2026, 6, 5)]["campaigns"]] == ["618"]  # cancelled left out
    assert (cal["prev"], cal["next"]) == ({"year": 2026, "month": 5}, {"year": 2026, "month": 7})
    dec = sel.calendar_month(access=access_for(mworld.member), year=2026, month=12)
    assert dec["next"] == {"year": 2027, "month": 1}
    year = sel.calendar_year(access=access_for(mworld.member), year=2026)
    assert [c.name for c in year["months"][5]["campaigns"]] == ["618"]
    assert year["months"][6]["campaigns"] == []
    assert sel.calendar_month(access=access_for(mworld.other), year=2026, month=6)["campaigns"] == []


# Budgets, overspend, ROI ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_budget_list_spend_and_overspent(mworld):
    day = today()
    whole = services.budget_create(actor=mworld.manager, amount_fen=1_000, period_start=day, period_end=day)
    douyin_qc = services.budget_create(
        actor=mworld.manager,
        shop=mworld.douyin,
        channel="qianchuan",
        amount_fen=500,
        period_start=day,
        period_end=day,
    )
    taobao_exact = services.budget_create(
        actor=mworld.manager, shop=mworld.taobao, amount_fen=300, period_start=day, period_end=day
    )
    services.ad_spend_record(
        actor=mworld.member, shop=mworld.douyin, channel="qianchuan", day=day, spend_fen=600
    )
    services.ad_spend_record(
        actor=mworld.member, shop=mworld.taobao, channel="zhitongche", day=day, spend_fen=300
    )
    services.ad_spend_record(
        actor=None, shop=mworld.ls_shop, channel="cixi", day=day, spend_fen=9_999
    )  # another department: not in the EC budget
    rows = {r.budget.pk: r for r in sel.budget_list(access=access_for(mworld.member))}
    assert rows[whole.pk].spend_fen == 900 and not rows[whole.pk].overspent
    assert rows[douyin_qc.pk].spend_fen == 600 and rows[douyin_qc.pk].overspent
    assert rows[taobao_exact.pk].spend_fen == 300 and not rows[taobao_exact.pk].overspent  # equal: not passed
    assert rows[douyin_qc.pk].remaining_fen == -100 and rows[douyin_qc.pk].used_pct == Decimal("120.00")
    over = sel.budgets_overspent(access=access_for(mworld.member))
    assert [s.budget.pk for s in over] == [douyin_qc.pk]
    assert [s.budget.pk for s in sel.budgets_overspent(access=access_for(mworld.auditor))] == [douyin_qc.pk]
    assert sel.budgets_overspent(access=access_for(mworld.other)) == []
    assert sel.budgets_overspent(access=access_for(mworld.outsider)) == []


@pytest.mark.django_db
def test_roi_by_shop_and_channel(mworld):
    day = today()
    shop_day(mworld.douyin, day, gmv_fen=50_000)
    shop_day(mworld.douyin, day - dt.timedelta(days=40), gmv_fen=1_000_000)  # outside the period
    services.ad_spend_record(
        actor=mworld.member,
        shop=mworld.douyin,
        channel="qianchuan",
        day=day,
        spend_fen=20_000,
        impressions=1000,
        clicks=25,
        platform_gmv_fen=60_000,
    )
    rows = {
        r["shop"].pk: r
        for r in sel.roi_by_shop(
            access=access_for(mworld.member), date_from=day - dt.timedelta(days=6), date_to=day
        )
    }
    assert set(rows) == {mworld.douyin.pk, mworld.taobao.pk}  # the LS shop is not visible
    assert rows[mworld.douyin.pk]["roi"] == Decimal("2.50")
    assert rows[mworld.douyin.pk]["platform_roi"] == Decimal("3.00")
    assert rows[mworld.taobao.pk]["roi"] is None
    channels = sel.spend_by_channel(access=access_for(mworld.member), date_from=day, date_to=day)
    assert channels[0]["channel"] == "qianchuan" and channels[0]["ctr_pct"] == Decimal("2.50")


# Product performance --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_product_performance_sorted_and_scoped(mworld):
    day = today()
    product_day(mworld.douyin, mworld.p1, day, 30_000, lines=3, refund_lines=1, refund_fen=10_000)
    product_day(mworld.taobao, mworld.p1, day, 10_000, lines=1)
    product_day(mworld.douyin, mworld.p2, day, 50_000, lines=2)
    product_day(mworld.douyin, None, day, 7_000, lines=1)  # unmatched lines
    product_day(mworld.ls_shop, mworld.p2, day, 999_999, lines=9)  # not visible to EC
    access = access_for(mworld.member)
    rows = sel.product_performance(access=access, date_from=day, date_to=day)
    assert [r["product_id"] for r in rows] == [mworld.p2.pk, mworld.p1.pk, None]
    p1 = rows[1]
    assert (p1["gmv_fen"], p1["lines_paid"], p1["refund_rate"]) == (40_000, 4, Decimal("25.00"))
    by_rate = sel.product_performance(access=access, date_from=day, date_to=day, sort="-refund_rate")
    assert by_rate[0]["product_id"] == mworld.p1.pk
    one_shop = sel.product_performance(access=access, date_from=day, date_to=day, shop_id=mworld.taobao.pk)
    assert [(r["product_id"], r["gmv_fen"]) for r in one_shop] == [(mworld.p1.pk, 10_000)]
    assert sel.product_performance(access=access, date_from=day, date_to=day, shop_id=mworld.ls_shop.pk) == []
    auditor = sel.product_performance(access=access_for(mworld.auditor), date_from=day, date_to=day)
    assert auditor[0]["gmv_fen"] == 50_000 + 999_999
