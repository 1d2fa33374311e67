"""The approval gate (QC-3, QC-4): blocks, credentials and the brand authorisation chain."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django.utils.translation import override

from liveops.quality import gates, services
from liveops.sourcing.models import Credential
from tests.factories import (
    make_brand,
    make_category,
    make_clear_product,
    make_credential,
    make_merchant,
    make_product,
)

pytestmark = pytest.mark.django_db


def codes(product, **kw):
    return [b.code for b in gates.approval_blockers(product=product, **kw)]


@pytest.fixture(autouse=True)
def english():
    with override("en"):
        yield


# Blocks ----------------------------------------------------------------------------------------


def test_clear_product_has_no_blockers(org):
    assert gates.approval_blockers(product=make_clear_product()) == []


def test_blocked_product(people):
    product = make_clear_product()
    services.block_product(actor=people.inspector, product=product, reason="假冒嫌疑")
    blockers = gates.approval_blockers(product=product)
    assert [b.code for b in blockers] == ["blocked"]
    assert "假冒嫌疑" in blockers[0].message and "Product" in blockers[0].message


def test_blocked_merchant_blocks_every_product(people):
    product = make_clear_product()
    other = make_product(product.merchant, brand=product.brand)
    services.block_merchant(actor=people.inspector, merchant=product.merchant, reason="多次抽检不合格")
    assert codes(product) == ["blocked"]
    assert codes(other) == ["blocked"]
    assert "Merchant" in gates.approval_blockers(product=product)[0].message


def test_block_of_another_product_or_merchant_does_not_block(people):
    product, unrelated = make_clear_product(), make_clear_product()
    services.block_product(actor=people.inspector, product=unrelated, reason="x")
    services.block_merchant(actor=people.inspector, merchant=unrelated.merchant, reason="y")
    assert codes(product) == []


def test_product_and_merchant_blocked_gives_two_blockers(people):
    product = make_clear_product()
    services.block_product(actor=people.inspector, product=product, reason="a")
    services.block_merchant(actor=people.inspector, merchant=product.merchant, reason="b")
    assert codes(product) == ["blocked", "blocked"]


def test_lifted_block_no_longer_blocks(people):
    product = make_clear_product()
    block = services.block_product(actor=people.inspector, product=product, reason="待复检")
    mblock = services.block_merchant(actor=people.inspector, merchant=product.merchant, reason="待复检")
    services.block_lift(actor=people.head, block=block, reason="复检合格")
    assert codes(product) == ["blocked"]
    services.block_lift(actor=people.mc_head, block=mblock, reason="复检合格")
    assert codes(product) == []


def test_rejected_product_is_a_blocker(org):
    product = make_clear_product()
    product.stage, product.reject_reason = "rejected", "价格无优势"
    product.save()
    assert codes(product) == ["rejected"]


# Credentials -----------------------------------------------------------------------------------


def test_missing_business_licence(org):
    m = make_merchant()
    make_credential(m, "cosmetics_filing")
    blockers = gates.approval_blockers(product=make_product(m))
    assert [b.code for b in blockers] == ["credential_missing"]
    assert "Business licence" in blockers[0].message


def test_missing_category_credential(org):
    m = make_merchant()
    make_credential(m, "business_licence")
    assert codes(make_product(m)) == ["credential_missing"]


def test_expired_credential_names_number_and_date(org):
    m = make_merchant()
    make_credential(m, "business_licence")
    cred = make_credential(m, "cosmetics_filing", expires_in_days=-3)
    blockers = gates.approval_blockers(product=make_product(m))
    assert [b.code for b in blockers] == ["credential_expired"]
    assert cred.number in blockers[0].message
    assert cred.expires_on.isoformat() in blockers[0].message
    assert blockers[0].credential_id == cred.pk


def test_unverified_and_rejected_credentials(org, people):
    m = make_merchant()
    make_credential(m, "business_licence")
    cred = make_credential(m, "cosmetics_filing", verified=False)
    product = make_product(m)
    blockers = gates.approval_blockers(product=product)
    assert [b.code for b in blockers] == ["credential_unverified"]
    assert cred.number in blockers[0].message
    Credential.objects.filter(pk=cred.pk).update(verification="rejected")
    blockers = gates.approval_blockers(product=product)
    assert [b.code for b in blockers] == ["credential_unverified"]
    assert "rejected" in blockers[0].message


def test_credential_not_yet_in_force(org):
    m = make_merchant()
    make_credential(m, "business_licence")
    cred = make_credential(m, "cosmetics_filing")
    Credential.objects.filter(pk=cred.pk).update(issued_on=timezone.localdate() + dt.timedelta(days=5))
    blockers = gates.approval_blockers(product=make_product(m))
    assert [b.code for b in blockers] == ["credential_not_yet_valid"]
    assert cred.number in blockers[0].message


def test_valid_credential_wins_over_expired_one(org):
    m = make_merchant()
    make_credential(m, "business_licence")
    make_credential(m, "cosmetics_filing", expires_in_days=-30)
    make_credential(m, "cosmetics_filing", expires_in_days=30)
    assert codes(make_product(m)) == []


def test_gate_on_a_given_day(org):
    m = make_merchant()
    make_credential(m, "business_licence", expires_in_days=400)
    make_credential(m, "cosmetics_filing", expires_in_days=10)
    product = make_product(m)
    assert codes(product) == []
    assert codes(product, day=timezone.localdate() + dt.timedelta(days=11)) == ["credential_expired"]


def test_product_specific_credential_counts_for_its_product_only(org):
    m = make_merchant()
    make_credential(m, "business_licence")
    p1, p2 = make_product(m), make_product(m)
    make_credential(m, "cosmetics_filing", product=p1)
    assert codes(p1) == []
    assert codes(p2) == ["credential_missing"]


def test_subcategory_inherits_required_credentials(org):
    parent = make_category("food", name_zh="食品", required=["food_licence"])
    child = make_category("snacks", name_zh="零食", required=["test_report"])
    child.parent = parent
    child.save()
    m = make_merchant()
    make_credential(m, "business_licence")
    make_credential(m, "test_report")
    assert codes(make_product(m, category=child)) == ["credential_missing"]  # the parent's food licence
    make_credential(m, "food_licence")
    assert codes(make_product(m, category=child)) == []


def test_required_kinds_ignore_unknown_and_chain_kinds(org):
    cat = make_category("odd", required=["brand_authorisation", "no_such_kind", "test_report"])
    assert gates.required_kinds(cat) == ["business_licence", "test_report"]
    assert gates.required_kinds(None) == ["business_licence"]


def test_distributor_relies_on_the_owners_brand_registration(org):
    cat = make_category("apparel", required=["brand_registration"])
    owner, dist = make_merchant(), make_merchant(kind="distributor")
    brand = make_brand(owner)
    make_credential(dist, "business_licence")
    make_credential(dist, "brand_authorisation", brand=brand, grantor=owner)
    product = make_product(dist, brand=brand, category=cat)
    assert codes(product) == ["credential_missing"]
    make_credential(owner, "brand_registration", brand=brand)
    assert codes(product) == []


def test_brand_registration_of_another_brand_does_not_count(org):
    cat = make_category("apparel", required=["brand_registration"])
    m = make_merchant()
    b1, b2 = make_brand(m), make_brand(m)
    make_credential(m, "business_licence")
    make_credential(m, "brand_registration", brand=b2)
    assert codes(make_product(m, brand=b1, category=cat)) == ["credential_missing"]


# Authorisation chain ---------------------------------------------------------------------------


@pytest.fixture
def chain(org):
    """Brand owner O → distributor D → merchant M: two links, both valid."""
    owner, dist, merchant = (
        make_merchant("品牌方"),
        make_merchant("总代理", kind="distributor"),
        make_merchant("经销商", kind="distributor"),
    )
    brand = make_brand(owner, "测试品牌")
    make_credential(merchant, "business_licence")
    make_credential(merchant, "cosmetics_filing")
    upper = make_credential(dist, "brand_authorisation", brand=brand, grantor=owner)
    lower = make_credential(merchant, "brand_authorisation", brand=brand, grantor=dist)
    product = make_product(merchant, brand=brand)
    return owner, dist, merchant, brand, upper, lower, product


def test_two_link_chain_passes(chain):
    *_, product = chain
    assert codes(product) == []


def test_expired_middle_link_names_that_credential(chain):
    _owner, dist, _m, brand, upper, _lower, product = chain
    Credential.objects.filter(pk=upper.pk).update(expires_on=timezone.localdate() - dt.timedelta(days=1))
    blockers = gates.approval_blockers(product=product)
    assert [b.code for b in blockers] == ["authorisation_chain"]
    assert upper.number in blockers[0].message
    assert dist.name in blockers[0].message and brand.name in blockers[0].message
    assert blockers[0].credential_id == upper.pk


def test_unverified_first_link(chain):
    *_, lower, product = chain
    Credential.objects.filter(pk=lower.pk).update(verification="pending", verified_by=None)
    blockers = gates.approval_blockers(product=product)
    assert [b.code for b in blockers] == ["authorisation_chain"]
    assert lower.number in blockers[0].message


def test_missing_upper_link(chain):
    _owner, dist, *_rest, upper, _lower, product = chain
    Credential.objects.filter(pk=upper.pk).delete()
    blockers = gates.approval_blockers(product=product)
    assert [b.code for b in blockers] == ["authorisation_chain"]
    assert dist.name in blockers[0].message


def test_chain_that_does_not_reach_the_owner(chain):
    """D's authorisation comes from M (a loop), not from the brand owner."""
    _owner, dist, merchant, brand, upper, _lower, product = chain
    Credential.objects.filter(pk=upper.pk).delete()
    make_credential(dist, "brand_authorisation", brand=brand, grantor=merchant)
    blockers = gates.approval_blockers(product=product)
    assert [b.code for b in blockers] == ["authorisation_chain"]
    assert "does not reach the brand owner" in blockers[0].message


def test_chain_longer_than_the_limit_does_not_reach(org):
    owner = make_merchant()
    brand = make_brand(owner)
    merchants = [make_merchant(kind="distributor") for _ in range(gates.MAX_CHAIN_LINKS + 1)]
    grantor = owner
    for m in reversed(merchants):
        make_credential(m, "brand_authorisation", brand=brand, grantor=grantor)
        grantor = m
    seller = merchants[0]
    make_credential(seller, "business_licence")
    make_credential(seller, "cosmetics_filing")
    assert codes(make_product(seller, brand=brand)) == ["authorisation_chain"]


def test_brand_owner_needs_no_authorisation(org):
    product = make_clear_product()
    assert product.brand.owner_id == product.merchant_id
    assert (
        gates.authorisation_chain_blockers(
            merchant=product.merchant, brand=product.brand, day=timezone.localdate()
        )
        == []
    )


def test_chain_link_of_another_brand_does_not_count(chain):
    owner, dist, merchant, _brand, _upper, lower, product = chain
    other_brand = make_brand(owner)
    Credential.objects.filter(pk=lower.pk).update(brand=other_brand)
    assert codes(product) == ["authorisation_chain"]
