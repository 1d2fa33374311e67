"""Deals (MC-5): drafts, approval by a manager, versions that supersede, contracts; who may do what."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from liveops.core.access import access_for
from liveops.core.errors import Conflict, DomainError, NotAllowed
from liveops.core.models import AuditEntry
from liveops.quality.models import Block
from liveops.sourcing.models import Contract, Deal
from liveops.sourcing.selectors import deals as deal_sel
from liveops.sourcing.services import deals as svc
from tests.factories import make_clear_product, make_merchant, make_product
from tests.sourcing.test_pipeline_support import client_as, sourcing_people, terms

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(org):
    return sourcing_people()


def approved_deal(product, people, **overrides) -> Deal:
    deal = svc.deal_create(actor=people.recruiter, product=product, **terms(**overrides))
    svc.deal_submit(actor=people.recruiter, deal=deal)
    return svc.deal_approve(actor=people.head, deal=deal)


def test_draft_submit_approve(people):
    product = make_clear_product()
    deal = svc.deal_create(actor=people.recruiter, product=product, **terms())
    assert (deal.status, deal.version, deal.merchant_id) == ("draft", 1, product.merchant_id)
    deal = svc.deal_submit(actor=people.recruiter, deal=deal)
    assert deal.status == "pending"
    deal = svc.deal_approve(actor=people.head, deal=deal)
    assert deal.status == "approved" and deal.approved_by == people.head and deal.approved_at
    assert AuditEntry.objects.filter(
        object_type="sourcing.deal", object_id=str(deal.pk), verb="approve"
    ).exists()
    assert deal_sel.deal_current(product=product) == deal


def test_approval_needs_a_manager(people):
    product = make_clear_product()
    deal = svc.deal_submit(
        actor=people.recruiter, deal=svc.deal_create(actor=people.recruiter, product=product, **terms())
    )
    for actor in (people.recruiter, people.qc, people.ec, people.auditor, people.outsider):
        with pytest.raises(NotAllowed):
            svc.deal_approve(actor=actor, deal=deal)
    with pytest.raises(NotAllowed):
        svc.deal_reject(actor=people.recruiter, deal=deal, reason="太贵")
    deal.refresh_from_db()
    assert deal.status == "pending"


def test_qc_cannot_change_deal_terms(people):
    product = make_clear_product()
    with pytest.raises(NotAllowed):
        svc.deal_create(actor=people.qc, product=product, **terms())
    deal = svc.deal_create(actor=people.recruiter, product=product, **terms())
    with pytest.raises(NotAllowed):
        svc.deal_update(actor=people.qc, deal=deal, data={"live_price": Decimal("1.00")})
    with pytest.raises(NotAllowed):
        svc.deal_submit(actor=people.qc, deal=deal)
    deal = svc.deal_approve(actor=people.head, deal=svc.deal_submit(actor=people.recruiter, deal=deal))
    with pytest.raises(NotAllowed):
        svc.deal_revise(actor=people.qc, deal=deal, changes={"live_price": Decimal("1.00")})
    deal.refresh_from_db()
    assert deal.live_price == Decimal("79.00")
    # Nor through the API
    r = client_as(people.qc).post(
        f"/api/v1/sourcing/deals/{deal.pk}/revise/", {"live_price": "1.00"}, content_type="application/json"
    )
    assert r.status_code == 403


def test_revision_supersedes_on_approval(people):
    product = make_clear_product()
    v1 = approved_deal(product, people)
    v2 = svc.deal_revise(actor=people.recruiter, deal=v1, changes={"live_price": Decimal("69.00")})
    assert (v2.version, v2.status, v2.live_price, v2.slot_fee) == (
        2,
        "pending",
        Decimal("69.00"),
        Decimal("5000.00"),
    )
    v1.refresh_from_db()
    assert v1.status == "approved"  # still in force until v2 is approved
    with pytest.raises(Conflict):  # one negotiation at a time
        svc.deal_revise(actor=people.recruiter, deal=v1, changes={"live_price": Decimal("59.00")})
    svc.deal_approve(actor=people.head, deal=v2)
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.status, v2.status) == ("superseded", "approved")
    assert Deal.objects.filter(product=product, status="approved").count() == 1
    assert AuditEntry.objects.filter(
        object_type="sourcing.deal", object_id=str(v1.pk), verb="supersede"
    ).exists()
    history = list(deal_sel.deal_history(access=access_for(people.head), product_id=product.pk))
    assert [d.version for d in history] == [1, 2]


def test_approved_terms_cannot_be_edited(people):
    deal = approved_deal(make_clear_product(), people)
    with pytest.raises(Conflict):
        svc.deal_update(actor=people.recruiter, deal=deal, data={"live_price": Decimal("1.00")})
    with pytest.raises(DomainError):
        svc.deal_revise(actor=people.recruiter, deal=deal, changes={})


def test_database_allows_one_approved_deal_per_product(people):
    deal = approved_deal(make_clear_product(), people)
    with pytest.raises(IntegrityError), transaction.atomic():
        Deal.objects.create(
            **{
                **terms(),
                "product": deal.product,
                "merchant": deal.merchant,
                "version": 2,
                "status": "approved",
                "approved_by": people.head,
            }
        )


def test_invalid_terms_are_refused_with_fields(people):
    product = make_clear_product()
    today = timezone.localdate()
    with pytest.raises(DomainError) as exc:
        svc.deal_create(
            actor=people.recruiter,
            product=product,
            **terms(commission_rate=Decimal("1.5"), valid_to=today - dt.timedelta(days=1)),
        )
    assert {"commission_rate", "valid_to"} <= set(exc.value.fields)


def test_reject_needs_reason_and_blocked_product_cannot_be_approved(people):
    product = make_clear_product()
    deal = svc.deal_submit(
        actor=people.recruiter, deal=svc.deal_create(actor=people.recruiter, product=product, **terms())
    )
    with pytest.raises(DomainError):
        svc.deal_reject(actor=people.head, deal=deal, reason=" ")
    Block.objects.create(merchant=product.merchant, reason="假货投诉", blocked_by=people.qc)
    with pytest.raises(DomainError) as exc:
        svc.deal_approve(actor=people.head, deal=deal)
    assert "假货投诉" in str(exc.value.message)
    deal = svc.deal_reject(actor=people.head, deal=deal, reason="商家在黑名单")
    assert deal.status == "rejected"


def test_manager_of_another_department_cannot_approve(people):
    from tests.conftest import make_person

    ec_head = make_person("ec-head", "ec-head")
    deal = svc.deal_submit(
        actor=people.recruiter,
        deal=svc.deal_create(actor=people.recruiter, product=make_clear_product(), **terms()),
    )
    with pytest.raises(NotAllowed):
        svc.deal_approve(actor=ec_head, deal=deal)


def test_contract_signing(people):
    product = make_clear_product()
    draft = svc.deal_create(actor=people.recruiter, product=product, **terms())
    contract = svc.contract_create(actor=people.recruiter, deal=draft, number="HT-2026-001")
    contract = svc.contract_set_status(actor=people.recruiter, contract=contract, status="sent")
    with pytest.raises(Conflict):  # terms not approved yet
        svc.contract_set_status(
            actor=people.recruiter, contract=contract, status="signed", signed_on=timezone.localdate()
        )
    svc.deal_approve(actor=people.head, deal=svc.deal_submit(actor=people.recruiter, deal=draft))
    with pytest.raises(DomainError):
        svc.contract_set_status(actor=people.recruiter, contract=contract, status="signed")
    contract = svc.contract_set_status(
        actor=people.recruiter, contract=contract, status="signed", signed_on=timezone.localdate()
    )
    assert (contract.status, contract.signed_on) == ("signed", timezone.localdate())
    with pytest.raises(Conflict):
        svc.contract_create(actor=people.recruiter, deal=draft, number="HT-2026-001")
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.create(deal=draft, number="HT-X", status="signed")


def test_deal_list_is_scoped(people):
    mine = approved_deal(make_clear_product(), people)
    other_merchant = make_merchant(department="EC")
    other_product = make_product(other_merchant)
    other = Deal.objects.create(**terms(), product=other_product, merchant=other_merchant)
    seen = set(deal_sel.deal_list(access=access_for(people.recruiter)).values_list("id", flat=True))
    assert mine.pk in seen and other.pk not in seen
    assert set(deal_sel.deal_list(access=access_for(people.auditor)).values_list("id", flat=True)) >= {
        mine.pk,
        other.pk,
    }
    assert not deal_sel.deal_list(access=access_for(people.ec)).exists()
    assert not deal_sel.deal_list(access=access_for(people.outsider)).exists()


# Pages -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [("recruiter", 200), ("head", 200), ("auditor", 200), ("qc", 200), ("ec", 403), ("outsider", 403)],
)
def test_deal_pages_per_persona(people, who, expected):
    deal = approved_deal(make_clear_product(), people)
    c = client_as(getattr(people, who))
    for url in (
        "/sourcing/deals/",
        f"/sourcing/deals/{deal.pk}/",
        f"/sourcing/deals/product/{deal.product_id}/",
        f"/sourcing/deals/merchant/{deal.merchant_id}/",
    ):
        assert c.get(url).status_code == expected, url


def test_deal_page_flow(people):
    product = make_clear_product()
    rec, head = client_as(people.recruiter), client_as(people.head)
    r = rec.get(f"/sourcing/deals/new/?product={product.pk}")
    assert r.status_code == 200
    data = {k: str(v) for k, v in terms().items() if k != "exclusive"} | {"product": product.pk}
    r = rec.post("/sourcing/deals/new/", data)
    assert r.status_code == 302
    deal = Deal.objects.get(product=product)
    assert rec.post(f"/sourcing/deals/{deal.pk}/", {"action": "submit"}).status_code == 302
    assert rec.post(f"/sourcing/deals/{deal.pk}/", {"action": "approve"}).status_code == 403
    assert head.post(f"/sourcing/deals/{deal.pk}/", {"action": "approve"}).status_code == 302
    deal.refresh_from_db()
    assert deal.status == "approved"
    r = rec.post(
        f"/sourcing/deals/{deal.pk}/",
        {"action": "revise", **{k: v for k, v in data.items() if k != "product"}, "live_price": "59.00"},
    )
    assert r.status_code == 302
    assert Deal.objects.get(product=product, version=2).status == "pending"
    page = head.get(f"/sourcing/deals/product/{product.pk}/").content.decode()
    assert "v2" in page and "59.00" in page
    # QC reads but cannot create or act
    assert client_as(people.qc).get(f"/sourcing/deals/new/?product={product.pk}").status_code == 403
    assert (
        client_as(people.auditor).post(f"/sourcing/deals/{deal.pk}/", {"action": "submit"}).status_code == 403
    )


# API -------------------------------------------------------------------------------------------


def test_deal_api_create_submit_approve(people):
    product = make_clear_product()
    rec, head = client_as(people.recruiter), client_as(people.head)
    body = {k: str(v) for k, v in terms().items()} | {"product": product.pk, "exclusive": True}
    r = rec.post("/api/v1/sourcing/deals/", body, content_type="application/json")
    assert r.status_code == 201, r.json()
    pk = r.json()["id"]
    assert rec.post(f"/api/v1/sourcing/deals/{pk}/submit/").status_code == 200
    assert rec.post(f"/api/v1/sourcing/deals/{pk}/approve/").status_code == 403
    r = head.post(f"/api/v1/sourcing/deals/{pk}/approve/")
    assert r.status_code == 200 and r.json()["status"] == "approved"
    r = rec.post(
        f"/api/v1/sourcing/deals/{pk}/revise/", {"slot_fee": "0.00"}, content_type="application/json"
    )
    assert r.status_code == 201 and r.json()["version"] == 2
    assert [
        d["version"] for d in rec.get(f"/api/v1/sourcing/deals/?product={product.pk}").json()["results"]
    ] == [2, 1]
    r = rec.post(
        f"/api/v1/sourcing/deals/{pk}/revise/", {"slot_fee": "1.00"}, content_type="application/json"
    )
    assert r.status_code == 409 and set(r.json()) == {"code", "message", "fields"}
    assert client_as(people.ec).get("/api/v1/sourcing/deals/").status_code == 403
    assert client_as(people.auditor).get(f"/api/v1/sourcing/deals/{pk}/").status_code == 200
    assert client_as(people.auditor).post(f"/api/v1/sourcing/deals/{pk}/approve/").status_code == 403
