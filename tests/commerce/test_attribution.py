"""Attribution: lines linked to anchors and library products on import, the unmatched queue, mapping
rules applied to past and future lines, products added later, and live-session windows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from liveops.commerce.models import AttributionRule, DailyDimensionRollup, OrderLine
from liveops.commerce.selectors.attribution import unmatched_queue
from liveops.commerce.services.attribution import (
    attribution_rerun_for_codes,
    attribution_rule_create,
    attribution_session_apply,
)
from liveops.core.access import access_for
from liveops.core.errors import DomainError, NotAllowed
from liveops.core.models import AuditEntry
from liveops.sourcing.models import Sku
from tests.commerce.factories import orders_import as _import
from tests.factories import make_merchant, make_product

pytestmark = pytest.mark.django_db
PID_A, PID_B, PID_C = "3580000000000000001", "3580000000000000002", "3580000000000000003"


@pytest.fixture
def library(org):
    """A library product whose SKU code is the export's SKU-A1 (matched on import without a mapping)."""
    merchant = make_merchant()
    product = make_product(merchant, title="玻尿酸补水面膜")
    Sku.objects.filter(product=product).update(sku_code="SKU-A1")
    return product


def test_library_sku_code_matches_on_import(library, douyin_shop, douyin_file):
    path, _ = douyin_file(200)
    _import(path, douyin_shop)
    matched = OrderLine.objects.filter(platform_product_id=PID_A)
    assert matched.exists()
    assert set(matched.values_list("product_id", "merchant_id").distinct()) == {
        (library.pk, library.merchant_id)
    }
    assert not OrderLine.objects.filter(platform_product_id=PID_A, sku__isnull=True).exists()
    # Every line has an anchor account (both export anchors exist now).
    assert not OrderLine.objects.filter(anchor_account__isnull=True).exists()


def test_unmatched_queue_lists_keys_of_visible_shops(library, douyin_shop, douyin_file, personas):
    path, _ = douyin_file(200)
    _import(path, douyin_shop)
    keys = {
        (k.platform_product_id, k.merchant_code)
        for k in unmatched_queue(access=access_for(personas["member"]))
    }
    assert (PID_B, "SKU-B2") in keys and (PID_C, "") in keys
    assert (PID_A, "SKU-A1") not in keys
    assert unmatched_queue(access=access_for(personas["other"])) == []


def test_rule_applies_to_past_and_future_lines(library, douyin_shop, douyin_file, personas):
    path, _ = douyin_file(200)
    _import(path, douyin_shop)
    target = make_product(library.merchant, title="无编码赠品礼盒")
    before = OrderLine.objects.filter(platform_product_id=PID_C).count()
    rule, matched = attribution_rule_create(
        actor=personas["member"], platform="douyin", key_kind="product_id", key_value=PID_C, product=target
    )
    assert matched == before > 0
    assert OrderLine.objects.filter(platform_product_id=PID_C, product=target).count() == before
    rolled = DailyDimensionRollup.objects.filter(dimension="product", key=str(target.pk))
    assert sum(r.lines_paid for r in rolled) > 0
    assert AuditEntry.objects.filter(verb="attribution_applied", object_id=str(rule.pk)).exists()
    # A later export with new lines of that product uses the rule.
    path2, _ = douyin_file(300, name="later.csv", order_base=6_917_926_800_000_000_000)
    _import(path2, douyin_shop)
    assert not OrderLine.objects.filter(platform_product_id=PID_C, product__isnull=True).exists()


def test_rule_needs_change_capability_and_a_unique_key(library, personas):
    with pytest.raises(NotAllowed):
        attribution_rule_create(
            actor=personas["auditor"],
            platform="douyin",
            key_kind="product_id",
            key_value="1",
            product=library,
        )
    attribution_rule_create(
        actor=None, platform="douyin", key_kind="product_id", key_value="1", product=library
    )
    with pytest.raises(DomainError):
        attribution_rule_create(
            actor=None, platform="douyin", key_kind="product_id", key_value="1", product=library
        )
    assert AttributionRule.objects.count() == 1


def test_product_added_later_matches_waiting_lines(
    library, douyin_shop, douyin_file, django_capture_on_commit_callbacks
):
    path, _ = douyin_file(200)
    _import(path, douyin_shop)
    assert OrderLine.objects.filter(merchant_code="SKU-B2", product__isnull=True).exists()
    with django_capture_on_commit_callbacks(execute=True):
        newcomer = make_product(library.merchant, title="氨基酸洗面奶")
        Sku.objects.filter(product=newcomer).update(sku_code="SKU-B2")
        Sku.objects.get(product=newcomer).save()  # the signal fires on save, as the services save
    assert not OrderLine.objects.filter(merchant_code="SKU-B2", product__isnull=True).exists()
    assert attribution_rerun_for_codes(codes=["SKU-B2"]) == 0  # nothing left to match


def test_session_window_links_and_relinks_lines(douyin_shop, douyin_file):
    path, _ = douyin_file(400)
    _import(path, douyin_shop)
    tz = dt.timezone(dt.timedelta(hours=8))
    start, end = dt.datetime(2026, 10, 2, 0, 0, tzinfo=tz), dt.datetime(2026, 10, 3, 0, 0, tzinfo=tz)
    linked = attribution_session_apply(
        actor=None, session_id=77, starts_at=start, ends_at=end, shop_ids=[douyin_shop.pk]
    )
    inside = OrderLine.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
    assert linked == inside.count() > 0
    assert set(OrderLine.objects.filter(session_id=77).values_list("pk", flat=True)) == set(
        inside.values_list("pk", flat=True)
    )
    # The session's times are corrected: lines outside the new window lose it.
    attribution_session_apply(
        actor=None,
        session_id=77,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=6),
        shop_ids=[douyin_shop.pk],
    )
    assert not OrderLine.objects.filter(
        session_id=77, submitted_at__gte=start + dt.timedelta(hours=6)
    ).exists()
    with pytest.raises(DomainError):
        attribution_session_apply(
            actor=None, session_id=1, starts_at=end, ends_at=start, shop_ids=[douyin_shop.pk]
        )


@pytest.mark.parametrize(
    ("persona", "status"),
    [("member", 200), ("manager", 200), ("auditor", 200), ("other", 403), ("outsider", 403)],
)
def test_unmatched_page_personas(client_for, persona, status, douyin_shop):
    assert client_for(persona).get(reverse("commerce-unmatched")).status_code == status
    assert client_for(persona).get(reverse("commerce-rules")).status_code == status


def test_mapping_from_the_page(client_for, library, douyin_shop, douyin_file):
    path, _ = douyin_file(100)
    _import(path, douyin_shop)
    target = make_product(library.merchant, title="礼盒")
    r = client_for("member").post(
        reverse("commerce-unmatched"),
        {"platform": "douyin", "key_kind": "product_id", "key_value": PID_C, "product_ref": str(target.pk)},
    )
    assert r.status_code == 302
    assert not OrderLine.objects.filter(platform_product_id=PID_C, product__isnull=True).exists()
    assert client_for("auditor").post(reverse("commerce-unmatched"), {}).status_code == 403


def test_shop_new_page(client_for, org):
    from liveops.commerce.models import Shop
    from liveops.org.models import Department

    ec = Department.objects.get(code="EC")
    assert client_for("auditor").get(reverse("commerce-shop-new")).status_code == 403
    r = client_for("manager").post(
        reverse("commerce-shop-new"), {"platform": "kuaishou", "name": "快手店", "department": ec.pk}
    )
    assert r.status_code == 302
    r = client_for("manager").post(
        reverse("commerce-shop-new"), {"platform": "kuaishou", "name": "快手店", "department": ec.pk}
    )
    assert r.status_code == 200
    assert Shop.objects.filter(platform="kuaishou", name="快手店").count() == 1


@pytest.mark.parametrize(
    ("persona", "status"), [("member", 200), ("auditor", 200), ("other", 403), ("outsider", 403)]
)
def test_attribution_api_reads(client_for, persona, status, douyin_shop):
    assert client_for(persona).get("/api/v1/commerce/attribution/unmatched/").status_code == status
    assert client_for(persona).get("/api/v1/commerce/attribution/rules/").status_code == status


def test_attribution_api_creates_rule(client_for, library, douyin_shop, douyin_file):
    path, _ = douyin_file(100)
    _import(path, douyin_shop)
    target = make_product(library.merchant, title="礼盒")
    body = {"platform": "douyin", "key_kind": "product_id", "key_value": PID_C, "product": target.pk}
    assert client_for("auditor").post("/api/v1/commerce/attribution/rules/", body).status_code == 403
    r = client_for("member").post("/api/v1/commerce/attribution/rules/", body)
    assert r.status_code == 201, r.content
    assert r.json()["lines_matched"] == OrderLine.objects.filter(platform_product_id=PID_C).count() > 0
    again = client_for("member").post("/api/v1/commerce/attribution/rules/", body)
    assert again.status_code == 400


def test_rule_refused_when_its_key_is_on_lines_of_another_departments_shop(library, personas, client_for):
    """A rule holds for the whole platform, so it may not re-link lines of shops the mapper cannot
    change: refused (403), and those lines keep their links."""
    from tests.commerce.factories import make_line, make_shop

    other_product = make_product(library.merchant, title="直播部的商品")
    ls_shop = make_shop(platform="douyin", name="直播部抖店", department_code="LS")
    their_line = make_line(ls_shop, platform_product_id="LS-PID-1", product=other_product)
    with pytest.raises(NotAllowed):
        attribution_rule_create(
            actor=personas["member"],
            platform="douyin",
            key_kind="product_id",
            key_value="LS-PID-1",
            product=library,
        )
    body = {"platform": "douyin", "key_kind": "product_id", "key_value": "LS-PID-1", "product": library.pk}
    assert client_for("member").post("/api/v1/commerce/attribution/rules/", body).status_code == 403
    page = client_for("member").post(
        reverse("commerce-unmatched"),
        {
            "platform": "douyin",
            "key_kind": "product_id",
            "key_value": "LS-PID-1",
            "product_ref": str(library.pk),
        },
    )
    assert page.status_code == 200 and "请由负责这些店铺的部门来映射" in page.content.decode()
    their_line.refresh_from_db()
    assert their_line.product_id == other_product.pk
    assert not AttributionRule.objects.filter(key_value="LS-PID-1").exists()
    # The department's own manager may not either; an administrator over every shop may.
    with pytest.raises(NotAllowed):
        attribution_rule_create(
            actor=personas["manager"],
            platform="douyin",
            key_kind="product_id",
            key_value="LS-PID-1",
            product=library,
        )
    rule, matched = attribution_rule_create(
        actor=personas["admin"],
        platform="douyin",
        key_kind="product_id",
        key_value="LS-PID-1",
        product=library,
    )
    assert matched == 1 and rule.pk
