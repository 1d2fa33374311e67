"""The sourcing and quality demo (issue 3): every pipeline stage, sample status, deal status and
credential state is present, it is deterministic, runs once, and stays fast."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.db.models import Count, Q

from liveops.org.demo import demo_build
from liveops.quality.models import Block, Checklist, CorrectiveAction, Defect, Inspection
from liveops.sourcing.demo import MARKET_FILE, sourcing_demo_build
from liveops.sourcing.models import (
    Category,
    CategoryPlan,
    Contract,
    Credential,
    Deal,
    MarketSnapshot,
    Merchant,
    MerchantContact,
    MerchantLog,
    PipelineEvent,
    PipelineStage,
    PriceRecord,
    Product,
    Sample,
    SelectionMeeting,
    SelectionReview,
    Sku,
)

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 27)


@pytest.fixture
def demo(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    t0 = time.perf_counter()
    demo_build(today=TODAY)
    return time.perf_counter() - t0


def test_demo_shape(demo):
    assert demo < 60, f"demo build took {demo:.1f} s"
    roots = set(Category.objects.filter(parent=None).values_list("name_zh", flat=True))
    assert {"美妆护肤", "食品", "服饰", "家居", "个护"} <= roots
    standards = dict(Category.objects.values_list("code", "standards"))
    assert "GB/T 29665" in standards["skincare"] and "GB 7718" in standards["food"]
    assert "GB 28050" in standards["food"] and "GB 18401" in standards["apparel"]
    assert all(Category.objects.values_list("required_credentials", flat=True))

    assert 280 <= Merchant.objects.count() <= 320
    assert set(Merchant.objects.values_list("kind", flat=True)) == {"brand_owner", "distributor", "factory"}
    assert MerchantContact.objects.filter(is_primary=True).count() == Merchant.objects.count()
    assert MerchantLog.objects.count() >= Merchant.objects.count()
    assert 2_700 <= Product.objects.count() <= 3_300
    assert Sku.objects.count() >= Product.objects.count()
    assert PriceRecord.objects.filter(kind="competitor").exists()

    # Every stage, with its events; rejected products say why.
    assert set(Product.objects.values_list("stage", flat=True)) == set(PipelineStage.values)
    assert PipelineEvent.objects.values("product").distinct().count() == Product.objects.count()
    assert not Product.objects.filter(stage="rejected", reject_reason="").exists()

    # Credentials: authorisation chains two links deep, expiring soon, expired, unverified.
    today = TODAY
    auth = Credential.objects.filter(kind="brand_authorisation")
    assert (
        auth.filter(grantor__kind="brand_owner").exists()
        and auth.filter(grantor__kind="distributor").exists()
    )
    assert Credential.objects.filter(
        expires_on__gte=today, expires_on__lte=today + dt.timedelta(days=30)
    ).exists()
    assert Credential.objects.filter(expires_on__lt=today).exists()
    assert Credential.objects.filter(verification="pending").exists()

    # Samples in every status, overdue returns and lost ones.
    assert set(Sample.objects.values_list("status", flat=True)) == set(Sample.Status.values)
    overdue = Sample.objects.filter(must_return=True, return_due__lt=today).exclude(status="returned")
    assert overdue.exists()

    assert SelectionMeeting.objects.count() == 2 and SelectionReview.objects.count() > 0
    assert {"draft", "pending", "approved", "superseded", "rejected"} <= set(
        Deal.objects.values_list("status", flat=True)
    )
    assert (
        not Deal.objects.values("product")
        .filter(status="approved")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .exists()
    )
    assert Contract.objects.filter(status="signed").exists()

    # Quality: a checklist per leaf category (one on its second version), failed inspections with
    # defects and CAPA, blocks of which one is lifted.
    assert Checklist.objects.filter(is_active=True).count() == Category.objects.exclude(parent=None).count()
    assert Checklist.objects.filter(version=2, is_active=True).exists()
    assert {"passed", "failed", "pending"} <= set(Inspection.objects.values_list("result", flat=True))
    assert Inspection.objects.filter(kind="inbound").exists()
    assert Defect.objects.filter(inspection__result="failed").exists()
    assert CorrectiveAction.objects.exists()
    assert Block.objects.filter(lifted_at__isnull=False).count() == 1
    assert Block.objects.filter(lifted_at__isnull=True).exists()
    season = f"{today.year}Q{(today.month - 1) // 3 + 1}"
    assert CategoryPlan.objects.filter(season=season).count() == 15
    assert (
        Block.objects.filter(Q(merchant__isnull=False) | Q(product__isnull=False)).count()
        == Block.objects.count()
    )

    if MARKET_FILE.is_file():
        assert MarketSnapshot.objects.values("shop").distinct().count() == 22
    # Runs once.
    assert sourcing_demo_build(today=TODAY) == {"created": 0}


def test_demo_is_deterministic(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("admin", "admin@example.com", "x")
    from liveops.org.bootstrap import org_template_load

    org_template_load()
    first = sourcing_demo_build(today=TODAY, market_file=None)
    titles = list(Product.objects.order_by("pk").values_list("title", "stage", "regular_price")[:200])
    for model in (CorrectiveAction, Defect, Block):
        model.objects.all().delete()
    from django.db import connection

    # Start again from empty sourcing and quality tables.
    with connection.cursor() as c:
        for table in (
            "quality_inspectionitemresult",
            "quality_inspection",
            "quality_scorecard",
            "quality_checklistitem",
            "quality_checklist",
            "sourcing_selectionreview",
            "sourcing_selectionmeeting",
            "sourcing_contract",
            "sourcing_deal",
            "sourcing_sample",
            "sourcing_pipelineevent",
            "sourcing_pricerecord",
            "sourcing_sku",
            "sourcing_credential",
            "sourcing_productsearchtoken",
            "sourcing_product",
            "sourcing_brand",
            "sourcing_merchantlog",
            "sourcing_merchantcontact",
            "sourcing_merchant_categories",
            "sourcing_merchant",
            "sourcing_categoryplan",
        ):
            c.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
    second = sourcing_demo_build(today=TODAY, market_file=None)
    first.pop("created"), second.pop("created")
    assert first == second
    assert list(Product.objects.order_by("pk").values_list("title", "stage", "regular_price")[:200]) == titles
