"""Library services: USCC validation, merchant and product dedupe, contacts, log, credentials and
their verification, expiry lists, SKUs, price history, categories and the category plan."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liveops.core.errors import Conflict, DomainError, NotAllowed
from liveops.core.models import AuditEntry
from liveops.org.models import Department
from liveops.sourcing.models import Credential, PriceRecord
from liveops.sourcing.selectors.credentials import credential_expiry_split
from liveops.sourcing.selectors.plans import plan_gaps
from liveops.sourcing.services import credentials as cred_svc
from liveops.sourcing.services import merchants as svc
from liveops.sourcing.services import plans as plan_svc
from liveops.sourcing.services import products as product_svc
from liveops.sourcing.services.merchants import (
    USCC_CHARS,
    merchant_name_normalise,
    uscc_check_char,
    uscc_error,
)
from tests.factories import make_brand, make_category, make_credential, make_product
from tests.sourcing import test_library_support as support

pytestmark = pytest.mark.django_db
people, world = support.people, support.world  # shared fixtures

VALID = "91350100M000100Y43"  # the example code of GB 32100-2015


# USCC --------------------------------------------------------------------------------------------


def test_uscc_known_valid_and_typo():
    assert uscc_error(VALID) is None
    assert uscc_error(VALID[:-1] + "E") is not None
    assert uscc_error(VALID[:17]) is not None  # 17 characters
    assert uscc_error("91350100M000100YO3") is not None  # O is not in the alphabet


_body = st.tuples(
    st.text(alphabet=USCC_CHARS, min_size=2, max_size=2),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet=USCC_CHARS, min_size=9, max_size=9),
).map("".join)


@given(body=_body, wrong=st.sampled_from(USCC_CHARS))
def test_uscc_never_accepts_a_wrong_check_character(body, wrong):
    right = uscc_check_char(body)
    assert uscc_error(body + right) is None
    if wrong != right:
        assert uscc_error(body + wrong) is not None


@given(body=_body, pos=st.integers(0, 16), other=st.sampled_from(USCC_CHARS))
def test_uscc_detects_any_single_character_typo(body, pos, other):
    code = body + uscc_check_char(body)
    typo = code[:pos] + other + code[pos + 1 :]
    if typo != code and uscc_error(typo) is None:
        # A single changed character always changes the weighted sum mod 31 (weights are units mod 31).
        raise AssertionError(typo)


# Merchants ---------------------------------------------------------------------------------------


def test_name_normalisation():
    assert merchant_name_normalise("杭州 自然堂（集团）有限公司") == merchant_name_normalise(
        "杭州自然堂集团有限责任公司"
    )
    assert merchant_name_normalise("ABC Co., Ltd.") == "abc"
    assert merchant_name_normalise("自然堂股份有限公司") == "自然堂"


def test_merchant_create_audits_and_refuses_duplicates(people, world):
    mr = Department.objects.get(code="MR")
    m = svc.merchant_create(
        actor=people.mr, name="上海新品牌有限公司", kind="brand_owner", department=mr, uscc=VALID.lower()
    )
    assert m.uscc == VALID and m.name_initials.startswith("shxpp")
    assert AuditEntry.objects.filter(
        object_type="sourcing.merchant", object_id=str(m.pk), action="create"
    ).exists()
    with pytest.raises(Conflict) as exc:
        svc.merchant_create(actor=people.mr, name="上海新品牌（有限责任公司）", kind="factory", department=mr)
    assert "name" in exc.value.fields
    with pytest.raises(Conflict) as exc:
        svc.merchant_create(actor=people.mr, name="完全不同的公司", kind="factory", department=mr, uscc=VALID)
    assert "uscc" in exc.value.fields
    with pytest.raises(DomainError) as exc:
        svc.merchant_create(
            actor=people.mr, name="另一家公司", kind="factory", department=mr, uscc=VALID[:-1] + "E"
        )
    assert "uscc" in exc.value.fields


def test_near_duplicates_are_listed_not_refused(people, world):
    mr = Department.objects.get(code="MR")
    similar = svc.merchant_similar(name="自然堂化妆品集团有限公司")
    assert [s.merchant for s in similar] == [world.mr_merchant] and not similar[0].exact
    m = svc.merchant_create(
        actor=people.mr, name="自然堂化妆品集团有限公司", kind="distributor", department=mr
    )
    assert m.pk


def test_merchant_rights(people, world):
    ec = Department.objects.get(code="EC")
    mr = Department.objects.get(code="MR")
    with pytest.raises(NotAllowed):
        svc.merchant_create(actor=people.mr, name="越权公司", kind="factory", department=ec)
    for actor in (people.qc, people.auditor, people.ec, people.outsider):
        with pytest.raises(NotAllowed):
            svc.merchant_create(actor=actor, name="越权公司", kind="factory", department=mr)
    with pytest.raises(NotAllowed):
        svc.merchant_update(actor=people.mr, merchant=world.ec_merchant, data={"city": "杭州"})


def test_merchant_update_logs_changed_fields_and_categories(people, world):
    cat = make_category("food", name_zh="食品", required=["food_licence"])
    m = svc.merchant_update(
        actor=people.mr, merchant=world.mr_merchant, data={"city": "上海", "categories": [cat]}
    )
    assert m.city == "上海" and list(m.categories.all()) == [cat]
    entries = AuditEntry.objects.filter(object_type="sourcing.merchant", object_id=str(m.pk))
    assert entries.filter(action="update", changes__after__city="上海").exists()
    assert entries.filter(verb="categories").exists()


def test_contacts_and_log(people, world):
    m = world.mr_merchant
    a = svc.contact_save(actor=people.mr, merchant=m, name="王经理", phone="+86 13912345678", is_primary=True)
    assert a.phone == "13912345678"
    b = svc.contact_save(actor=people.mr, merchant=m, name="李助理", phone="0571-88886666", is_primary=True)
    a.refresh_from_db()
    assert b.is_primary and not a.is_primary
    with pytest.raises(DomainError):
        svc.contact_save(actor=people.mr, merchant=m, name="错号", phone="12345")
    entry = svc.merchant_log_add(actor=people.mr, merchant=m, kind="negotiation", summary="谈佣金 20%")
    assert entry.by == people.mr
    with pytest.raises(DomainError):
        svc.merchant_log_add(actor=people.mr, merchant=m, kind="call", summary="  ")
    with pytest.raises(NotAllowed):
        svc.merchant_log_add(actor=people.qc, merchant=m, kind="call", summary="x")


# Credentials -------------------------------------------------------------------------------------


def test_credential_create_verify_and_reset(people, world):
    m = world.mr_merchant
    today = timezone.localdate()
    c = cred_svc.credential_create(
        actor=people.mr,
        merchant=m,
        kind="business_licence",
        number=" BL-1 ",
        issued_on=today - dt.timedelta(days=10),
        expires_on=today + dt.timedelta(days=300),
    )
    assert c.number == "BL-1" and c.verification == "pending"
    with pytest.raises(Conflict):
        cred_svc.credential_create(actor=people.mr, merchant=m, kind="business_licence", number="BL-1")
    with pytest.raises(NotAllowed):
        cred_svc.credential_verify(actor=people.mr, credential=c, verified=True)
    c = cred_svc.credential_verify(actor=people.qc, credential=c, verified=True, note="原件核对")
    assert c.verification == "verified" and c.verified_by == people.qc and c.verified_at
    assert AuditEntry.objects.filter(
        object_type="sourcing.credential", object_id=str(c.pk), verb="verify", changes__note="原件核对"
    ).exists()
    c = cred_svc.credential_update(
        actor=people.mr, credential=c, data={"expires_on": today + dt.timedelta(days=400)}
    )
    assert c.verification == "pending" and c.verified_by is None
    with pytest.raises(DomainError):
        cred_svc.credential_verify(actor=people.qc, credential=c, verified=False, note="")
    c = cred_svc.credential_verify(actor=people.qc, credential=c, verified=False, note="照片模糊")
    assert c.verification == "rejected" and c.verified_by == people.qc


def test_credential_validation(people, world):
    m = world.mr_merchant
    brand = make_brand(world.ec_merchant, "欧莱雅")
    with pytest.raises(DomainError) as exc:
        cred_svc.credential_create(actor=people.mr, merchant=m, kind="brand_authorisation", number="A1")
    assert {"brand", "grantor"} <= set(exc.value.fields)
    with pytest.raises(DomainError):
        cred_svc.credential_create(
            actor=people.mr, merchant=m, kind="brand_authorisation", number="A1", brand=brand, grantor=m
        )
    with pytest.raises(DomainError):
        cred_svc.credential_create(
            actor=people.mr,
            merchant=m,
            kind="test_report",
            number="T1",
            issued_on=dt.date(2026, 1, 2),
            expires_on=dt.date(2026, 1, 1),
        )
    link = cred_svc.credential_create(
        actor=people.qc,
        merchant=m,
        kind="brand_authorisation",
        number="A1",
        brand=brand,
        grantor=world.ec_merchant,
    )
    assert link.grantor == world.ec_merchant
    with pytest.raises(NotAllowed):
        cred_svc.credential_create(actor=people.auditor, merchant=m, kind="other", number="X")


def test_expired_credential_cannot_be_verified(people, world):
    c = make_credential(world.mr_merchant, "food_licence", verified=False, expires_in_days=-1)
    with pytest.raises(DomainError):
        cred_svc.credential_verify(actor=people.qc, credential=c, verified=True)


def test_expiry_lists(people, world):
    from liveops.core.access import access_for

    soon = make_credential(world.mr_merchant, "business_licence", expires_in_days=10)
    gone = make_credential(world.mr_merchant, "food_licence", expires_in_days=-3)
    make_credential(world.mr_merchant, "test_report", expires_in_days=90)
    other = make_credential(world.ec_merchant, "business_licence", expires_in_days=5)
    split = credential_expiry_split(access=access_for(people.mr), within_days=30)
    assert split["expiring"] == [soon] and split["expired"] == [gone]
    qc = credential_expiry_split(access=access_for(people.qc), within_days=30)
    assert set(qc["expiring"]) == {soon, other}
    assert credential_expiry_split(access=access_for(people.ec))["expiring"] == []


# Products ----------------------------------------------------------------------------------------


def test_product_create_dedupe_and_prices(people, world):
    m = world.mr_merchant
    p = product_svc.product_create(
        actor=people.mr,
        merchant=m,
        category=world.category,
        title="自然堂 雪域精粹 面霜 50g",
        regular_price=Decimal("199"),
        competitor_price="189.5",
    )
    assert p.title_initials.startswith("zrt") and p.department_id == m.department_id
    assert set(p.prices.values_list("kind", "price")) == {
        ("regular", Decimal("199.00")),
        ("competitor", Decimal("189.50")),
    }
    with pytest.raises(Conflict) as exc:
        product_svc.product_create(
            actor=people.mr, merchant=m, category=world.category, title="自然堂雪域精粹面霜50G"
        )
    assert "title" in exc.value.fields
    # The same title at another merchant is fine.
    assert product_svc.product_create(
        actor=people.admin, merchant=world.ec_merchant, category=world.category, title="自然堂雪域精粹面霜50g"
    )
    p = product_svc.product_update(
        actor=people.mr, product=p, data={"regular_price": Decimal("179"), "stage": "approved"}
    )
    assert p.stage == "candidate" and p.prices.filter(kind="regular").count() == 2
    with pytest.raises(DomainError):
        product_svc.product_create(
            actor=people.mr, merchant=m, category=world.category, title="负价", regular_price=Decimal("-1")
        )


def test_skus_barcode_unique(people, world):
    p = product_svc.product_create(
        actor=people.mr, merchant=world.mr_merchant, category=world.category, title="爽肤水"
    )
    product_svc.sku_save(
        actor=people.mr,
        product=p,
        sku_code="ZRT-001",
        barcode="6901234567892",
        spec="100ml",
        price=Decimal("59"),
    )
    q = product_svc.product_create(
        actor=people.mr, merchant=world.mr_merchant, category=world.category, title="乳液"
    )
    with pytest.raises(Conflict) as exc:
        product_svc.sku_save(actor=people.mr, product=q, sku_code="ZRT-002", barcode="6901234567892")
    assert "barcode" in exc.value.fields
    with pytest.raises(Conflict):
        product_svc.sku_save(actor=people.mr, product=p, sku_code="ZRT-001", barcode="6901234567809")
    with pytest.raises(DomainError):
        product_svc.sku_save(actor=people.mr, product=p, sku_code="ZRT-003", barcode="69-01")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cents=st.integers(min_value=0, max_value=10**13 - 1))
def test_price_records_round_trip_decimal(people, world, cents):
    price = Decimal(cents) / 100
    p = world.mr_merchant.products.first() or make_product(world.mr_merchant, category=world.category)
    rec = product_svc.price_record_add(actor=people.mr, product=p, kind="live", price=price, source="测试")
    assert PriceRecord.objects.get(pk=rec.pk).price == price.quantize(Decimal("0.01"))


def test_price_record_rules(people, world):
    p = make_product(world.mr_merchant, category=world.category)
    with pytest.raises(DomainError):
        product_svc.price_record_add(
            actor=people.mr,
            product=p,
            kind="live",
            price=Decimal("1"),
            recorded_on=timezone.localdate() + dt.timedelta(days=1),
        )
    with pytest.raises(NotAllowed):
        product_svc.price_record_add(actor=people.qc, product=p, kind="live", price=Decimal("1"))


def test_category_register(people, world):
    with pytest.raises(NotAllowed):
        product_svc.category_save(actor=people.mr, code="food", name_zh="食品")
    food = product_svc.category_save(
        actor=people.head,
        code="food",
        name_zh="食品",
        standards="GB 7718-2011\n GB 28050-2011 ",
        required_credentials=["food_licence"],
    )
    assert food.standards == "GB 7718-2011\nGB 28050-2011"
    with pytest.raises(DomainError):
        product_svc.category_save(actor=people.head, code="bad", name_zh="坏", standards="不是标准")
    snack = product_svc.category_save(actor=people.head, code="snack", name_zh="零食", parent=food)
    with pytest.raises(DomainError):
        product_svc.category_save(actor=people.head, category=food, code="food", name_zh="食品", parent=snack)


# Plan and gaps -------------------------------------------------------------------------------------


def test_plan_and_gaps(people, world):
    from liveops.core.access import access_for

    food = make_category("food", name_zh="食品", required=[])
    snack = product_svc.category_save(actor=people.head, code="snack", name_zh="零食", parent=food)
    with pytest.raises(NotAllowed):
        plan_svc.plan_save(
            actor=people.mr, category=food, season="2026Q4", target_products=3, target_brands=2
        )
    plan = plan_svc.plan_save(
        actor=people.head, category=food, season="2026Q4", target_products=3, target_brands=2
    )
    banded = plan_svc.plan_save(
        actor=people.head,
        category=world.category,
        season="2026Q4",
        target_products=1,
        target_brands=1,
        price_min=Decimal("100"),
        price_max=Decimal("300"),
    )
    with pytest.raises(Conflict):
        plan_svc.plan_save(
            actor=people.head, category=food, season="2026Q4", target_products=1, target_brands=1
        )
    b1 = make_brand(world.mr_merchant)
    make_product(world.mr_merchant, category=snack, brand=b1, stage="approved")
    make_product(world.mr_merchant, category=food, brand=b1, stage="approved")
    make_product(world.mr_merchant, category=food, stage="candidate")
    make_product(
        world.mr_merchant, category=world.category, stage="approved", price="99.00"
    )  # below the band
    gaps = {g.plan.pk: g for g in plan_gaps(access=access_for(people.head), season="2026Q4")}
    assert (gaps[plan.pk].products, gaps[plan.pk].brands) == (2, 1)
    assert (gaps[plan.pk].products_short, gaps[plan.pk].brands_short) == (1, 1)
    assert gaps[banded.pk].products == 0 and gaps[banded.pk].below_plan
    make_product(world.mr_merchant, category=world.category, brand=b1, stage="approved", price="150.00")
    gaps = {g.plan.pk: g for g in plan_gaps(access=access_for(people.head), season="2026Q4")}
    assert not gaps[banded.pk].below_plan
    assert Credential.objects.count() == 0
