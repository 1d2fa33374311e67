"""Refund rates from the rollups (per shop, merchant, product; scoped), quality returns, the
after-sales and settlement lists, and the QC scorecard's after-sales score from the refund rate."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from liveops.commerce.models import AfterSale, DailyDimensionRollup, SettlementEntry
from liveops.commerce.selectors import aftersales as sel
from liveops.commerce.services.aftersales import lines_figures_refresh
from liveops.commerce.services.rollups import rollups_refresh
from liveops.core.access import access_for
from liveops.quality import scorecards
from liveops.quality.models import Scorecard
from tests.commerce.factories import SHANGHAI, make_line, make_shop
from tests.factories import make_merchant, make_product

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 10)
PAID = dt.datetime(2026, 3, 10, 20, 0, tzinfo=SHANGHAI)


@pytest.fixture
def sales(personas, douyin_shop):
    """Merchant M1 (product P1) sells 4 lines of 100.00 in the EC shop, one refunded in full; M2 sells
    2 lines of 50.00 in a shop of another department (LS), one refunded 20.00 and a quality case."""
    m1, m2 = make_merchant("退款测试商家一"), make_merchant("退款测试商家二")
    p1, p2 = make_product(m1, title="面膜"), make_product(m2, title="洗面奶")
    other_shop = make_shop(name="直播运营部的店", department_code="LS")
    ec_lines = [
        make_line(douyin_shop, paid_at=PAID, amount_paid_fen=10000, product=p1, merchant=m1) for _ in range(4)
    ]
    ls_lines = [
        make_line(other_shop, paid_at=PAID, amount_paid_fen=5000, product=p2, merchant=m2) for _ in range(2)
    ]
    AfterSale.objects.create(
        shop=douyin_shop,
        aftersale_no="A1",
        line=ec_lines[0],
        state="refunded",
        refund_fen=10000,
        applied_at=PAID,
        reason="不想要了",
    )
    AfterSale.objects.create(
        shop=other_shop,
        aftersale_no="A2",
        line=ls_lines[0],
        state="refunded",
        refund_fen=2000,
        applied_at=PAID,
        reason="商品有瑕疵",
        reason_tag="质量问题",
    )
    AfterSale.objects.create(
        shop=douyin_shop,
        aftersale_no="A3",
        line=ec_lines[1],
        state="closed",
        refund_fen=0,
        applied_at=PAID,
        reason="其他",
    )
    days = lines_figures_refresh(line_ids=[x.pk for x in ec_lines + ls_lines])
    rollups_refresh(shop_days=days)
    return {"m1": m1, "m2": m2, "p1": p1, "p2": p2, "ec": douyin_shop, "ls": other_shop}


def test_refund_rates_per_dimension_and_scope(personas, sales):
    admin = access_for(personas["admin"])
    by_merchant = {
        r.key: r for r in sel.refund_rates(access=admin, dimension="merchant", date_from=DAY, date_to=DAY)
    }
    m1, m2 = by_merchant[str(sales["m1"].pk)], by_merchant[str(sales["m2"].pk)]
    assert (m1.gmv_fen, m1.refund_fen, m1.lines_paid, m1.refund_lines) == (40000, 10000, 4, 1)
    assert (m1.rate, m1.line_rate, m1.label) == (Decimal("25.00"), Decimal("25.00"), "退款测试商家一")
    assert (m2.rate, m2.line_rate) == (Decimal("20.00"), Decimal("50.00"))
    products = sel.refund_rates(access=admin, dimension="product", date_from=DAY, date_to=DAY)
    assert [(r.label, r.rate) for r in products] == [("面膜", Decimal("25.00")), ("洗面奶", Decimal("20.00"))]
    shops = sel.refund_rates(access=admin, dimension="shop", date_from=DAY, date_to=DAY)
    assert [(r.label, r.refund_fen) for r in shops] == [("抖音旗舰店", 10000), ("直播运营部的店", 2000)]
    # The EC member sees the EC shop only; an outsider nothing; a day without sales nothing.
    member = access_for(personas["member"])
    assert [
        r.key for r in sel.refund_rates(access=member, dimension="merchant", date_from=DAY, date_to=DAY)
    ] == [str(sales["m1"].pk)]
    assert (
        sel.refund_rates(
            access=access_for(personas["outsider"]), dimension="shop", date_from=DAY, date_to=DAY
        )
        == []
    )
    assert (
        sel.refund_rates(
            access=admin,
            dimension="shop",
            date_from=DAY + dt.timedelta(days=1),
            date_to=DAY + dt.timedelta(days=9),
        )
        == []
    )
    one = sel.refund_rates(
        access=admin, dimension="merchant", date_from=DAY, date_to=DAY, shop_id=sales["ls"].pk
    )
    assert [r.key for r in one] == [str(sales["m2"].pk)]
    with pytest.raises(ValueError):
        sel.refund_rates(access=admin, dimension="hour", date_from=DAY, date_to=DAY)


def test_merchant_refund_rates_skip_merchants_no_longer_on_file(sales):
    DailyDimensionRollup.objects.create(
        shop=sales["ec"], day=DAY, dimension="merchant", key="999999", gmv_fen=100, lines_paid=1
    )
    rates = sel.merchant_refund_rates(date_from=DAY, date_to=DAY)
    assert set(rates) == {sales["m1"].pk, sales["m2"].pk}


def test_quality_returns_count_quality_reasons_only(sales):
    merchants = sel.quality_returns(by="merchant", date_from=DAY, date_to=DAY)
    assert [(r.label, r.cases, r.lines_paid, r.rate, r.flagged) for r in merchants] == [
        ("退款测试商家二", 1, 2, Decimal("50.00"), True)
    ]
    products = sel.quality_returns(by="product", date_from=DAY, date_to=DAY)
    assert [(r.label, r.refund_rate) for r in products] == [("洗面奶", Decimal("20.00"))]
    assert (
        sel.quality_returns(
            by="merchant", date_from=DAY + dt.timedelta(days=1), date_to=DAY + dt.timedelta(days=2)
        )
        == []
    )


def test_aftersale_page_is_keyset_paginated_and_scoped(personas, sales):
    for i in range(5):
        AfterSale.objects.create(shop=sales["ec"], aftersale_no=f"B{i}", kind="退货退款", state="in_progress")
    member = access_for(personas["member"])
    first = sel.aftersale_page(access=member, size=3)
    assert [c.aftersale_no for c in first.rows] == ["B4", "B3", "B2"]
    second = sel.aftersale_page(access=member, size=3, before_id=first.next_before)
    assert [c.aftersale_no for c in second.rows] == ["B1", "B0", "A3"]
    third = sel.aftersale_page(access=member, size=3, before_id=second.next_before)
    assert [c.aftersale_no for c in third.rows] == ["A1"] and third.next_before is None
    assert [c.aftersale_no for c in sel.aftersale_page(access=member, kind="退货退款", size=2).rows] == [
        "B4",
        "B3",
    ]
    assert [c.aftersale_no for c in sel.aftersale_page(access=member, state="closed").rows] == ["A3"]
    assert sel.aftersale_page(access=member, number="A2").rows == []  # another department's shop
    admin = access_for(personas["admin"])
    assert [c.aftersale_no for c in sel.aftersale_page(access=admin, reason_tag="质量问题").rows] == ["A2"]
    assert sel.aftersale_get(access=member, pk=AfterSale.objects.get(aftersale_no="A2").pk) is None


def test_settlement_totals(personas, douyin_shop):
    at = dt.datetime(2026, 3, 5, 10, tzinfo=SHANGHAI)
    rows = [
        ("E1", 8000, "订单", -495, -990),
        ("E2", -9900, "退款", 495, 990),
        ("E3", 12000, "订单", -600, -1200),
    ]
    for no, amount, kind, fee, comm in rows:
        SettlementEntry.objects.create(
            shop=douyin_shop,
            entry_no=no,
            occurred_at=at,
            amount_fen=amount,
            billing_type=kind,
            platform_fee_fen=fee,
            commission_fen=comm,
        )
    SettlementEntry.objects.create(
        shop=douyin_shop, entry_no="OLD", occurred_at=at - dt.timedelta(days=30), amount_fen=1
    )
    member = access_for(personas["member"])
    t = sel.settlement_totals(
        access=member, shop_id=douyin_shop.pk, date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31)
    )
    assert (
        t["total"]["entries"],
        t["total"]["income_fen"],
        t["total"]["expense_fen"],
        t["total"]["net_fen"],
    ) == (3, 20000, -9900, 10100)
    assert t["total"]["platform_fee_fen"] == -600
    assert [(r["billing_type"], r["net_fen"], r["commission_fen"]) for r in t["by_type"]] == [
        ("订单", 20000, -2190),
        ("退款", -9900, 990),
    ]
    other = access_for(personas["other"])
    assert (
        sel.settlement_totals(
            access=other, shop_id=douyin_shop.pk, date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31)
        )["total"]["entries"]
        == 0
    )
    page = sel.settlement_page(
        access=member,
        shop_id=douyin_shop.pk,
        date_from=dt.date(2026, 3, 1),
        date_to=dt.date(2026, 3, 31),
        size=2,
    )
    assert [e.entry_no for e in page.rows] == ["E3", "E2"] and page.next_before is not None


# QC scorecards -------------------------------------------------------------------------------------


def test_scorecard_after_sales_component_from_refund_rate(sales):
    assert scorecards.scorecard_compute(period="2026-03", today=dt.date(2026, 6, 1)) == 2
    c1 = Scorecard.objects.get(merchant=sales["m1"], period="2026-03")
    c2 = Scorecard.objects.get(merchant=sales["m2"], period="2026-03")
    assert c1.after_sales == Decimal("75.00") and c2.after_sales == Decimal("80.00")
    assert c1.details["sales"] == {
        "gmv_fen": 40000,
        "refund_fen": 10000,
        "lines_paid": 4,
        "refund_lines": 1,
        "refund_rate": "25.00",
    }
    assert "after_sales" in c1.details["weights"]
    # Quality 100 (nothing inspected), compliance 0 (no licence), after-sales 75: (50 + 0 + 7.5) / 0.9.
    assert c1.total == scorecards.weighted_total(
        {"quality": Decimal(100), "compliance": c1.compliance, "after_sales": Decimal(75), "delivery": None}
    )
    # No sales in April: no scorecard from sales alone.
    assert scorecards.scorecard_compute(period="2026-04", today=dt.date(2026, 6, 1)) == 0


def test_scorecard_query_count_does_not_grow_with_sales(personas, douyin_shop):
    def add(n):
        for _ in range(n):
            m = make_merchant()
            make_line(douyin_shop, paid_at=PAID, product=make_product(m), merchant=m)
        rollups_refresh(shop_days={douyin_shop.pk: {DAY}})

    add(2)
    with CaptureQueriesContext(connection) as few:
        assert scorecards.scorecard_compute(period="2026-03", today=dt.date(2026, 6, 1)) == 2
    add(15)
    with CaptureQueriesContext(connection) as many:
        assert scorecards.scorecard_compute(period="2026-03", today=dt.date(2026, 6, 1)) == 17
    assert len(many) == len(few)


@given(
    gmv=st.integers(min_value=0, max_value=10**15),
    refund=st.integers(min_value=0, max_value=10**15),
    lines=st.integers(min_value=0, max_value=10**6),
    refunded=st.integers(min_value=0, max_value=10**6),
)
@settings(max_examples=200, deadline=None)
def test_after_sales_score_bounds(gmv, refund, lines, refunded):
    score = scorecards.after_sales_score(
        refund_fen=refund, gmv_fen=gmv, refund_lines=refunded, lines_paid=lines
    )
    if gmv == 0 and lines == 0:
        assert score is None
        return
    assert Decimal(0) <= score <= Decimal(100)
    if gmv and refund == 0:
        assert score == Decimal(100)
    if gmv and refund >= gmv:
        assert score == Decimal(0)


@given(part=st.integers(min_value=0, max_value=10**15), whole=st.integers(min_value=1, max_value=10**15))
@settings(max_examples=200, deadline=None)
def test_refund_rate_is_exact_percentage(part, whole):
    rate = sel.RefundRate(key="1", gmv_fen=whole, refund_fen=part, lines_paid=0, refund_lines=0).rate
    assert abs(rate - Decimal(part) * 100 / Decimal(whole)) <= Decimal("0.005")
    assert sel.RefundRate(key="1", gmv_fen=0, refund_fen=part, lines_paid=0, refund_lines=0).rate is None
