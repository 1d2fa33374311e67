"""KPIs (EC-4): default definitions, definitions and targets by managers only, measurements of entered
KPIs, the computed metrics from the rollups and the tracking rows (actual against target)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from liveops.commerce.models import Kpi, KpiMeasurement, KpiTarget, PeriodBuyers
from liveops.commerce.selectors import marketing as sel
from liveops.commerce.selectors.marketing import RollupSums, metric_value
from liveops.commerce.services import kpis as services
from liveops.core.access import access_for
from liveops.core.errors import Conflict, DomainError, NotAllowed
from liveops.core.models import AuditEntry
from tests.commerce.marketing_support import mworld_fixture, shop_day  # noqa: F401

pytestmark = pytest.mark.django_db


def today() -> dt.date:
    return timezone.localdate()


def month() -> tuple[dt.date, dt.date]:
    first = today().replace(day=1)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    return first, nxt - dt.timedelta(days=1)


def test_defaults_are_created_once(mworld):
    created = services.kpi_defaults_ensure()
    codes = {k.code for k in created}
    assert {"gmv", "payment-conversion", "refund-rate", "visitors", "page-ctr", "member-signup-rate"} <= codes
    assert Kpi.objects.get(code="refund-rate").higher_is_better is False
    assert Kpi.objects.get(code="aov").unit == Kpi.Unit.FEN
    assert Kpi.objects.get(code="visitors").metric == ""
    assert services.kpi_defaults_ensure() == []
    assert AuditEntry.objects.filter(object_type="commerce.kpi", action="create").count() == len(created)


@pytest.mark.parametrize("who", ["member", "other", "auditor", "outsider"])
def test_only_managers_define_kpis_and_set_targets(mworld, who):
    services.kpi_defaults_ensure()
    with pytest.raises(NotAllowed):
        services.kpi_create(actor=getattr(mworld, who), code="x", name="X", unit="count")
    start, end = month()
    with pytest.raises(NotAllowed):
        services.kpi_target_set(
            actor=getattr(mworld, who),
            kpi=Kpi.objects.get(code="gmv"),
            shop=mworld.douyin,
            period_start=start,
            period_end=end,
            target=1,
        )
    assert not KpiTarget.objects.exists()


def test_kpi_create_validation(mworld):
    with pytest.raises(DomainError):
        services.kpi_create(actor=mworld.manager, code="x", name="X", metric="gmv", unit="percent")
    with pytest.raises(DomainError):
        services.kpi_create(actor=mworld.manager, code="x", name="X")  # entered KPI without unit
    with pytest.raises(DomainError):
        services.kpi_create(actor=mworld.manager, code="x", name="X", metric="nonsense")
    kpi = services.kpi_create(actor=mworld.manager, code="GMV-2", name="GMV", metric="gmv")
    assert (kpi.code, kpi.unit) == ("gmv-2", Kpi.Unit.FEN)
    with pytest.raises(Conflict):
        services.kpi_create(actor=mworld.manager, code="gmv-2", name="again", metric="gmv")


def test_target_set_replaces_and_validates(mworld):
    services.kpi_defaults_ensure()
    gmv = Kpi.objects.get(code="gmv")
    start, end = month()
    t, created = services.kpi_target_set(
        actor=mworld.manager,
        kpi=gmv,
        shop=mworld.douyin,
        period_start=start,
        period_end=end,
        target=1_000_000,
    )
    assert created and t.set_by == mworld.manager
    t2, created = services.kpi_target_set(
        actor=mworld.manager,
        kpi=gmv,
        shop=mworld.douyin,
        period_start=start,
        period_end=end,
        target=2_000_000,
    )
    assert not created and t2.pk == t.pk and t2.target == Decimal("2000000")
    upd = AuditEntry.objects.get(object_type="commerce.kpitarget", action="update")
    assert upd.changes["after"]["target"] == "2000000.0000"
    # Company total: the manager reaches every shop's department? No: the LS shop is outside EC.
    with pytest.raises(NotAllowed):
        services.kpi_target_set(
            actor=mworld.manager, kpi=gmv, shop=None, period_start=start, period_end=end, target=1
        )
    services.kpi_target_set(
        actor=mworld.admin, kpi=gmv, shop=None, period_start=start, period_end=end, target=1
    )
    with pytest.raises(DomainError) as exc:
        services.kpi_target_set(
            actor=mworld.manager,
            kpi=gmv,
            shop=mworld.douyin,
            period_start=start,
            period_end=end,
            target="12.5",
        )  # fen are whole
    assert "target" in exc.value.fields
    with pytest.raises(DomainError):
        services.kpi_target_set(
            actor=mworld.manager, kpi=gmv, shop=mworld.douyin, period_start=start, period_end=end, target=-1
        )
    with pytest.raises(DomainError):
        services.kpi_target_set(
            actor=mworld.manager, kpi=gmv, shop=mworld.douyin, period_start=end, period_end=start, target=1
        )
    with pytest.raises(NotAllowed):
        services.kpi_target_set(
            actor=mworld.manager, kpi=gmv, shop=mworld.ls_shop, period_start=start, period_end=end, target=1
        )


def test_measurements_for_entered_kpis_only(mworld):
    services.kpi_defaults_ensure()
    visitors = Kpi.objects.get(code="visitors")
    gmv = Kpi.objects.get(code="gmv")
    day = today() - dt.timedelta(days=1)
    with pytest.raises(DomainError) as exc:
        services.kpi_measurement_record(actor=mworld.member, kpi=gmv, shop=mworld.douyin, day=day, value=1)
    assert exc.value.code == "computed_kpi"
    for who in ("other", "auditor", "outsider"):
        with pytest.raises(NotAllowed):
            services.kpi_measurement_record(
                actor=getattr(mworld, who), kpi=visitors, shop=mworld.douyin, day=day, value=1
            )
    with pytest.raises(NotAllowed):
        services.kpi_measurement_record(
            actor=mworld.member, kpi=visitors, shop=mworld.ls_shop, day=day, value=1
        )
    m, created = services.kpi_measurement_record(
        actor=mworld.member, kpi=visitors, shop=mworld.douyin, day=day, value=1200
    )
    assert created
    m, created = services.kpi_measurement_record(
        actor=mworld.member, kpi=visitors, shop=mworld.douyin, day=day, value=1300
    )
    assert not created and KpiMeasurement.objects.get().value == Decimal("1300")
    with pytest.raises(DomainError):
        services.kpi_measurement_record(
            actor=mworld.member, kpi=visitors, shop=mworld.douyin, day=today() + dt.timedelta(days=2), value=1
        )
    with pytest.raises(DomainError):
        services.kpi_measurement_record(
            actor=mworld.member, kpi=visitors, shop=mworld.douyin, day=day, value="abc"
        )
    with pytest.raises(DomainError):
        services.kpi_measurement_record(
            actor=mworld.member, kpi=visitors, shop=mworld.douyin, day=day, value="1.00001"
        )


def test_metric_values():
    sums = RollupSums(
        gmv_fen=10_000, orders_paid=4, orders_submitted=5, lines_paid=8, refund_lines=1, buyers=3
    )
    assert metric_value("gmv", sums) == 10_000
    assert metric_value("orders", sums) == 4
    assert metric_value("aov", sums) == 2_500
    assert metric_value("buyers", sums) == 3
    assert metric_value("payment_conversion", sums) == Decimal("80.00")
    assert metric_value("refund_rate", sums) == Decimal("12.50")
    assert metric_value("aov", RollupSums()) is None
    assert metric_value("payment_conversion", RollupSums()) is None


@given(
    gmv=st.integers(min_value=0, max_value=10**12),
    orders=st.integers(min_value=1, max_value=10**6),
)
def test_aov_is_gmv_over_orders_rounded_to_the_fen(gmv, orders):
    aov = metric_value("aov", RollupSums(gmv_fen=gmv, orders_paid=orders))
    assert aov == aov.to_integral_value()
    assert abs(aov * orders - gmv) <= Decimal(orders) / 2


def test_tracking_actual_against_target(mworld):
    services.kpi_defaults_ensure()
    start, end = month()
    kpis = {k.code: k for k in Kpi.objects.all()}
    first = start
    shop_day(
        mworld.douyin,
        first,
        gmv_fen=600_000,
        orders_paid=6,
        orders_submitted=8,
        lines_paid=10,
        refund_lines=1,
        buyers=5,
    )
    shop_day(mworld.taobao, first, gmv_fen=400_000, orders_paid=4, orders_submitted=4, lines_paid=4, buyers=4)
    PeriodBuyers.objects.create(shop=mworld.douyin, grain="month", period_start=start, buyers=4)
    set_ = services.kpi_target_set
    set_(
        actor=mworld.manager,
        kpi=kpis["gmv"],
        shop=mworld.douyin,
        period_start=start,
        period_end=end,
        target=1_000_000,
    )
    set_(
        actor=mworld.manager,
        kpi=kpis["refund-rate"],
        shop=mworld.douyin,
        period_start=start,
        period_end=end,
        target=5,
    )
    set_(
        actor=mworld.manager,
        kpi=kpis["payment-conversion"],
        shop=mworld.douyin,
        period_start=start,
        period_end=end,
        target=70,
    )
    set_(
        actor=mworld.manager,
        kpi=kpis["buyers"],
        shop=mworld.douyin,
        period_start=start,
        period_end=end,
        target=4,
    )
    set_(
        actor=mworld.manager,
        kpi=kpis["page-ctr"],
        shop=mworld.douyin,
        period_start=start,
        period_end=end,
        target=4,
    )
    services.kpi_measurement_record(
        actor=mworld.member, kpi=kpis["page-ctr"], shop=mworld.douyin, day=first, value=3
    )
    if first < today():
        services.kpi_measurement_record(
            actor=mworld.member,
            kpi=kpis["page-ctr"],
            shop=mworld.douyin,
            day=first + dt.timedelta(days=1),
            value=5,
        )
    set_(actor=mworld.admin, kpi=kpis["gmv"], shop=None, period_start=start, period_end=end, target=2_000_000)
    rows = sel.kpi_tracking(access=access_for(mworld.member), date_from=start, date_to=end, today=today())
    by = {(r["kpi"].code, r["shop"].pk if r["shop"] else None): r for r in rows}
    gmv = by[("gmv", mworld.douyin.pk)]
    assert gmv["actual"] == 600_000 and gmv["progress_pct"] == Decimal("60.00") and not gmv["met"]
    assert gmv["actual_display"] == "¥6,000.00"
    refund = by[("refund-rate", mworld.douyin.pk)]
    assert (
        refund["actual"] == Decimal("10.00")
        and not refund["met"]
        and refund["progress_pct"] == Decimal("50.00")
    )
    conv = by[("payment-conversion", mworld.douyin.pk)]
    assert conv["actual"] == Decimal("75.00") and conv["met"]
    assert by[("buyers", mworld.douyin.pk)]["actual"] == 4  # distinct buyers of the month, not the daily sum
    ctr = by[("page-ctr", mworld.douyin.pk)]
    assert ctr["actual"] == (Decimal(4) if first < today() else Decimal(3))  # rates average over days
    # The company total: the member sees every shop? No (the LS shop): totals are not shown.
    assert ("gmv", None) not in by
    auditor_rows = sel.kpi_tracking(
        access=access_for(mworld.auditor), date_from=start, date_to=end, today=today()
    )
    total = next(r for r in auditor_rows if r["shop"] is None)
    assert total["actual"] == 1_000_000 and total["progress_pct"] == Decimal("50.00")
    assert sel.kpi_tracking(access=access_for(mworld.other), date_from=start, date_to=end) == []


def test_kpi_display():
    fen = Kpi(unit=Kpi.Unit.FEN)
    assert sel.kpi_display(fen, Decimal("123456")) == "¥1,234.56"
    assert sel.kpi_display(Kpi(unit=Kpi.Unit.PERCENT), Decimal("3.456")) == "3.46%"
    assert sel.kpi_display(Kpi(unit=Kpi.Unit.COUNT), Decimal("12000")) == "12,000"
    assert sel.kpi_display(fen, None) == "–"
