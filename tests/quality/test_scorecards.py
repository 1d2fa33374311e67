"""Merchant scorecards (QC-6): numbers checked against hand-computed values, the upsert, the
threshold, the query count, and properties of the total (hypothesis)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from liveops.core.errors import DomainError, NotAllowed
from liveops.core.models import AuditEntry
from liveops.quality import scorecards
from liveops.quality.models import Defect, Inspection, Scorecard
from tests.factories import make_category, make_credential, make_merchant, make_product

PERIOD = "2026-03"
IN_PERIOD = timezone.make_aware(dt.datetime(2026, 3, 15, 10, 0))
DAY_IN_PERIOD = dt.date(2026, 3, 15)
TODAY = dt.date(2026, 6, 1)  # the period is over: credentials are judged on 2026-03-31


def inspections(product, checklist, inspector, *, passed: int, failed: int, pending: int = 0, at=IN_PERIOD):
    rows = [("passed", passed), ("failed", failed), ("pending", pending)]
    for result, n in rows:
        for _ in range(n):
            Inspection.objects.create(
                kind="inbound",
                batch_no="B",
                product=product,
                checklist=checklist,
                inspector=inspector,
                inspected_at=at,
                result=result,
            )


def defects(product, **counts):
    for severity, n in counts.items():
        for _ in range(n):
            Defect.objects.create(
                product=product,
                merchant=product.merchant,
                severity=severity,
                description="d",
                found_on=DAY_IN_PERIOD,
            )


def credential_valid_until(merchant, kind, until: dt.date):
    cred = make_credential(merchant, kind)
    type(cred).objects.filter(pk=cred.pk).update(issued_on=dt.date(2025, 1, 1), expires_on=until)
    return cred


@pytest.fixture
def scene(world, people):
    """A: 3 of 4 inspections passed, one major and one minor defect, the cosmetics filing expired
    before the period ended. B: 2 of 2 passed, all credentials valid. C: active only last month.
    D: no inspection, six critical defects."""
    cl, who = world.checklist, people.inspector
    cat = world.category
    a, b, c, d = (make_merchant(n) for n in ("商家A", "商家B", "商家C", "商家D"))
    for m in (a, b, c, d):
        credential_valid_until(m, "business_licence", dt.date(2027, 1, 1))
    credential_valid_until(a, "cosmetics_filing", dt.date(2026, 3, 20))  # expired within the period
    for m in (b, c, d):
        credential_valid_until(m, "cosmetics_filing", dt.date(2027, 1, 1))
    pa, pb, pc, pd = (make_product(m, category=cat) for m in (a, b, c, d))
    inspections(pa, cl, who, passed=3, failed=1, pending=2)
    defects(pa, major=1, minor=1)
    inspections(pb, cl, who, passed=2, failed=0)
    inspections(pc, cl, who, passed=0, failed=3, at=timezone.make_aware(dt.datetime(2026, 2, 27, 12)))
    defects(pd, critical=6)
    return a, b, c, d


def card(merchant) -> Scorecard:
    return Scorecard.objects.get(merchant=merchant, period=PERIOD)


@pytest.mark.django_db
def test_scorecards_hand_computed(scene, people):
    a, b, c, d = scene
    assert scorecards.scorecard_compute(period=PERIOD, actor=people.inspector, today=TODAY) == 3
    # A: pass rate 75 − (10 + 3) = 62; compliance 1 of 2 = 50; total (0.5·62 + 0.3·50) / 0.8 = 57.50
    ca = card(a)
    assert (ca.quality, ca.compliance, ca.after_sales, ca.delivery, ca.total, ca.flagged) == (
        Decimal("62.00"),
        Decimal("50.00"),
        None,
        None,
        Decimal("57.50"),
        True,
    )
    assert ca.details["missing_credentials"] == ["cosmetics_filing"]
    assert (ca.details["inspections"], ca.details["passed"]) == (4, 3)
    # B: 100 / 100 → 100
    cb = card(b)
    assert (cb.quality, cb.compliance, cb.total, cb.flagged) == (
        Decimal("100.00"),
        Decimal("100.00"),
        Decimal("100.00"),
        False,
    )
    # C: no activity in March → no scorecard
    assert not Scorecard.objects.filter(merchant=c).exists()
    # D: 100 − 6·20 floored at 0; compliance 100; total 0.3·100 / 0.8 = 37.50
    cd = card(d)
    assert (cd.quality, cd.compliance, cd.total, cd.flagged) == (
        Decimal("0.00"),
        Decimal("100.00"),
        Decimal("37.50"),
        True,
    )
    assert AuditEntry.objects.filter(verb="compute", object_type="quality.scorecard").exists()


@pytest.mark.django_db
def test_recompute_upserts(scene, people):
    a, *_ = scene
    scorecards.scorecard_compute(period=PERIOD, today=TODAY)
    first = card(a)
    defects(a.products.first(), minor=2)  # 62 − 6 = 56 → (28 + 15) / 0.8 = 53.75
    scorecards.scorecard_compute(period=PERIOD, today=TODAY)
    again = card(a)
    assert again.pk == first.pk
    assert (again.quality, again.total) == (Decimal("56.00"), Decimal("53.75"))
    assert Scorecard.objects.filter(period=PERIOD).count() == 3


@pytest.mark.django_db
def test_threshold_from_settings(scene, settings):
    a, *_ = scene
    settings.LIVEOPS_SCORECARD_THRESHOLD = 50
    scorecards.scorecard_compute(period=PERIOD, today=TODAY)
    assert card(a).flagged is False
    del settings.LIVEOPS_SCORECARD_THRESHOLD
    assert scorecards.threshold() == Decimal(70)


@pytest.mark.django_db
def test_running_month_judges_credentials_today(world, people):
    """For the current period credentials are judged today, not at the end of the month."""
    m = make_merchant()
    credential_valid_until(m, "business_licence", dt.date(2027, 1, 1))
    credential_valid_until(m, "cosmetics_filing", dt.date(2026, 3, 20))
    p = make_product(m, category=world.category)
    inspections(p, world.checklist, people.inspector, passed=1, failed=0)
    scorecards.scorecard_compute(period=PERIOD, today=dt.date(2026, 3, 16))
    assert card(m).compliance == Decimal("100.00")


@pytest.mark.django_db
def test_required_credentials_follow_product_categories(world, people):
    """A merchant selling food too needs the food licence; holding only the licence and filing gives 2 of 3."""
    m = make_merchant()
    credential_valid_until(m, "business_licence", dt.date(2027, 1, 1))
    credential_valid_until(m, "cosmetics_filing", dt.date(2027, 1, 1))
    make_product(m, category=make_category("food", required=["food_licence"]))
    p = make_product(m, category=world.category)
    inspections(p, world.checklist, people.inspector, passed=1, failed=0)
    scorecards.scorecard_compute(period=PERIOD, today=TODAY)
    assert card(m).compliance == Decimal("66.67")


@pytest.mark.django_db
def test_invalid_period_and_permission(org, people):
    for bad in ("2026-13", "2026-3", "March", ""):
        with pytest.raises(DomainError):
            scorecards.scorecard_compute(period=bad)
    with pytest.raises(NotAllowed):
        scorecards.scorecard_compute(period=PERIOD, actor=people.auditor)
    assert scorecards.scorecard_compute(period=PERIOD) == 0


@pytest.mark.django_db
def test_query_count_does_not_grow_with_merchants(world, people):
    def add(n):
        for _ in range(n):
            m = make_merchant()
            credential_valid_until(m, "business_licence", dt.date(2027, 1, 1))
            p = make_product(m, category=world.category)
            inspections(p, world.checklist, people.inspector, passed=1, failed=1)
            defects(p, minor=1)

    add(2)
    with CaptureQueriesContext(connection) as few:
        assert scorecards.scorecard_compute(period=PERIOD, today=TODAY) == 2
    add(20)
    with CaptureQueriesContext(connection) as many:
        assert scorecards.scorecard_compute(period=PERIOD, today=TODAY) == 22
    assert len(many) == len(few)


def test_period_bounds():
    assert scorecards.period_bounds("2024-02") == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert scorecards.period_bounds("2026-12") == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))


def test_quality_score_examples():
    assert scorecards.quality_score(inspected=4, passed=3, major=1, minor=1) == Decimal("62.00")
    assert scorecards.quality_score(inspected=3, passed=2) == Decimal("66.67")
    assert scorecards.quality_score(inspected=0, passed=0, minor=1) == Decimal("97.00")
    assert scorecards.quality_score(inspected=1, passed=0) == Decimal("0.00")
    assert scorecards.quality_score(inspected=10, passed=10, critical=5) == Decimal("0.00")


def test_weighted_total_examples():
    q, c = Decimal("62"), Decimal("50")
    assert scorecards.weighted_total(
        {"quality": q, "compliance": c, "after_sales": None, "delivery": None}
    ) == Decimal("57.50")
    assert scorecards.weighted_total(
        {"quality": q, "compliance": c, "after_sales": Decimal(90), "delivery": Decimal(80)}
    ) == Decimal("63.00")  # 31 + 15 + 9 + 8
    assert scorecards.weighted_total(
        {"quality": None, "compliance": None, "after_sales": None, "delivery": None}
    ) == Decimal(0)


scores = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)


@given(quality=scores, compliance=scores, after_sales=st.none() | scores, delivery=st.none() | scores)
def test_total_is_the_renormalised_weighted_mean(quality, compliance, after_sales, delivery):
    components = {
        "quality": quality,
        "compliance": compliance,
        "after_sales": after_sales,
        "delivery": delivery,
    }
    total = scorecards.weighted_total(components)
    assert Decimal(0) <= total <= Decimal(100)
    present = {k: v for k, v in components.items() if v is not None}
    weights = {
        "quality": Decimal("0.5"),
        "compliance": Decimal("0.3"),
        "after_sales": Decimal("0.1"),
        "delivery": Decimal("0.1"),
    }
    expected = sum(weights[k] * v for k, v in present.items()) / sum(weights[k] for k in present)
    assert abs(total - expected) <= Decimal("0.005")
    assert min(present.values()) - Decimal("0.005") <= total <= max(present.values()) + Decimal("0.005")


@given(
    inspected=st.integers(0, 500),
    data=st.data(),
    critical=st.integers(0, 10),
    major=st.integers(0, 10),
    minor=st.integers(0, 40),
)
def test_quality_score_in_range(inspected, data, critical, major, minor):
    passed = data.draw(st.integers(0, inspected))
    q = scorecards.quality_score(
        inspected=inspected, passed=passed, critical=critical, major=major, minor=minor
    )
    assert Decimal(0) <= q <= Decimal(100)
    if not (critical or major or minor):
        assert q == (Decimal(100) * passed / inspected if inspected else Decimal(100)).quantize(
            Decimal("0.01")
        )


@given(required=st.integers(0, 8), data=st.data())
def test_compliance_in_range(required, data):
    valid = data.draw(st.integers(0, required))
    c = scorecards.compliance_score(required=required, valid=valid)
    assert Decimal(0) <= c <= Decimal(100)
    assert (c == 100) == (valid == required)
