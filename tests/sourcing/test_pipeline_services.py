"""The selection pipeline: allowed transitions and their conditions, events and time in stage,
selection meetings, the manager's decision and the quality gate, line-up availability."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from liveops.core.access import access_for
from liveops.core.errors import Conflict, DomainError, NotAllowed
from liveops.core.models import AuditEntry
from liveops.quality.models import Block
from liveops.sourcing.models import PipelineEvent, Product, SelectionReview
from liveops.sourcing.selectors import pipeline as sel
from liveops.sourcing.selectors.pipeline import BOARD_CARDS
from liveops.sourcing.services import pipeline as svc
from tests.factories import (
    make_brand,
    make_clear_product,
    make_credential,
    make_merchant,
    make_product,
    make_sample,
)
from tests.sourcing.test_pipeline_support import inspect, sourcing_people, to_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(org):
    return sourcing_people()


def meeting(actor):
    return svc.selection_meeting_create(actor=actor, title="十月选品会", held_at=timezone.now())


def review(m, product, actor, vote="approve", scores=(4, 5, 3)):
    q, p, d = scores
    return svc.selection_review_add(
        actor=actor, meeting=m, product=product, score_quality=q, score_price=p, score_demand=d, vote=vote
    )


def test_moves_write_events_and_audit(people):
    product = make_clear_product()
    before = product.stage_entered_at
    product = svc.pipeline_move(
        actor=people.recruiter, product=product, to_stage="sample_requested", note="要样 2 件"
    )
    assert product.stage == "sample_requested" and product.stage_entered_at > before
    ev = PipelineEvent.objects.get(product=product)
    assert (ev.from_stage, ev.to_stage, ev.by, ev.note) == (
        "candidate",
        "sample_requested",
        people.recruiter,
        "要样 2 件",
    )
    assert AuditEntry.objects.filter(
        object_type="sourcing.product", object_id=str(product.pk), action="update"
    ).exists()


def test_transitions_are_enforced(people):
    product = make_clear_product()
    with pytest.raises(Conflict):
        svc.pipeline_move(actor=people.recruiter, product=product, to_stage="qc")
    with pytest.raises(DomainError) as exc:
        svc.pipeline_move(actor=people.recruiter, product=product, to_stage="approved")
    assert exc.value.code == "decision_required"
    with pytest.raises(DomainError):
        svc.pipeline_move(actor=people.recruiter, product=product, to_stage="nonsense")
    for stage, allowed in svc.TRANSITIONS.items():
        assert "approved" not in allowed, stage


def test_sample_received_requires_a_sample(people):
    product = svc.pipeline_move(
        actor=people.recruiter, product=make_clear_product(), to_stage="sample_requested"
    )
    with pytest.raises(DomainError) as exc:
        svc.pipeline_move(actor=people.recruiter, product=product, to_stage="sample_received")
    assert exc.value.code == "sample_required"
    make_sample(product)
    assert (
        svc.pipeline_move(actor=people.recruiter, product=product, to_stage="sample_received").stage
        == "sample_received"
    )


def test_meeting_requires_latest_inspection_passed(people):
    product = make_clear_product()
    svc.pipeline_move(actor=people.recruiter, product=product, to_stage="sample_requested")
    make_sample(product)
    svc.pipeline_move(actor=people.recruiter, product=product, to_stage="sample_received")
    product = svc.pipeline_move(actor=people.recruiter, product=product, to_stage="qc")
    with pytest.raises(DomainError) as exc:
        svc.pipeline_move(actor=people.recruiter, product=product, to_stage="meeting")
    assert exc.value.code == "inspection_required"
    inspect(product, "passed", minutes_ago=60)
    inspect(product, "failed", minutes_ago=5)  # the latest one counts
    with pytest.raises(DomainError):
        svc.pipeline_move(actor=people.recruiter, product=product, to_stage="meeting")
    inspect(product, "passed", minutes_ago=1)
    assert svc.pipeline_move(actor=people.recruiter, product=product, to_stage="meeting").stage == "meeting"


def test_rejecting_needs_a_reason_and_reopening_a_manager(people):
    product = make_clear_product()
    with pytest.raises(DomainError):
        svc.pipeline_move(actor=people.recruiter, product=product, to_stage="rejected")
    product = svc.pipeline_move(
        actor=people.recruiter, product=product, to_stage="rejected", note="价格没有竞争力"
    )
    assert product.reject_reason == "价格没有竞争力"
    with pytest.raises(NotAllowed):
        svc.pipeline_move(actor=people.recruiter, product=product, to_stage="candidate")
    product = svc.pipeline_move(actor=people.head, product=product, to_stage="candidate", note="商家降价")
    assert (product.stage, product.reject_reason) == ("candidate", "")
    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(pk=product.pk).update(stage="rejected", reject_reason="")


def test_who_may_move(people):
    product = make_clear_product()
    for actor in (people.qc, people.ec, people.auditor, people.outsider):
        with pytest.raises(NotAllowed):
            svc.pipeline_move(actor=actor, product=product, to_stage="sample_requested")
    ec_product = make_product(make_merchant(department="EC"))
    with pytest.raises(NotAllowed):  # recruiters reach their own department only
        svc.pipeline_move(actor=people.recruiter, product=ec_product, to_stage="sample_requested")


def test_selection_meeting_scores_and_approval(people):
    product = to_meeting(make_clear_product(), people.recruiter)
    m = meeting(people.head)
    review(m, product, people.recruiter, scores=(4, 4, 4))
    review(m, product, people.qc, scores=(5, 2, 3))  # QC reviews too
    review(m, product, people.recruiter, scores=(3, 3, 3))  # again: replaces
    assert SelectionReview.objects.filter(meeting=m, product=product).count() == 2
    product.refresh_from_db()
    assert str(product.score) == "3.17"  # mean of (3,3,3,5,2,3)
    for actor in (people.auditor, people.ec, people.outsider):
        with pytest.raises(NotAllowed):
            review(m, product, actor)
    with pytest.raises(DomainError):
        review(m, product, people.head, scores=(0, 6, 3))
    with pytest.raises(NotAllowed):
        svc.selection_decide(actor=people.recruiter, meeting=m, product=product, decision="approve")
    product = svc.selection_decide(
        actor=people.head, meeting=m, product=product, decision="approve", reason="评分高"
    )
    assert product.stage == "approved"
    assert PipelineEvent.objects.filter(product=product, to_stage="approved", by=people.head).exists()
    assert AuditEntry.objects.filter(
        object_type="sourcing.product", object_id=str(product.pk), verb="approve"
    ).exists()
    assert sel.product_available_for_lineup(product)


def test_approval_needs_reviews_and_reject_needs_reason(people):
    product = to_meeting(make_clear_product(), people.recruiter)
    m = meeting(people.head)
    with pytest.raises(DomainError) as exc:
        svc.selection_decide(actor=people.head, meeting=m, product=product, decision="approve")
    assert exc.value.code == "reviews_required"
    with pytest.raises(DomainError):
        svc.selection_decide(actor=people.head, meeting=m, product=product, decision="reject", reason="")
    product = svc.selection_decide(
        actor=people.head, meeting=m, product=product, decision="reject", reason="同质化严重"
    )
    assert (product.stage, product.reject_reason) == ("rejected", "同质化严重")
    assert not sel.product_available_for_lineup(product)
    with pytest.raises(Conflict):
        svc.selection_decide(actor=people.head, meeting=m, product=product, decision="approve")


def test_expired_authorisation_link_blocks_approval(people):
    """A distributor sells a brand through an authorisation from the brand owner; that link has
    expired: the decision is refused with a message naming the credential number."""
    owner = make_merchant(kind="brand_owner")
    brand = make_brand(owner)
    distributor = make_merchant(kind="distributor")
    make_credential(distributor, "business_licence")
    make_credential(distributor, "cosmetics_filing")
    link = make_credential(distributor, "brand_authorisation", brand=brand, grantor=owner, expires_in_days=-3)
    product = to_meeting(make_product(distributor, brand=brand), people.recruiter)
    m = meeting(people.head)
    review(m, product, people.recruiter)
    with pytest.raises(DomainError) as exc:
        svc.selection_decide(actor=people.head, meeting=m, product=product, decision="approve")
    assert exc.value.code == "approval_blocked"
    assert link.number in str(exc.value.message)
    assert any(link.number in msg for msg in exc.value.fields["product"])
    product.refresh_from_db()
    assert product.stage == "meeting"
    # Renewed: approval goes through.
    link.expires_on = timezone.localdate() + dt.timedelta(days=100)
    link.save()
    assert (
        svc.selection_decide(actor=people.head, meeting=m, product=product, decision="approve").stage
        == "approved"
    )


def test_block_after_approval_takes_product_off_lineups(people):
    product = to_meeting(make_clear_product(), people.recruiter)
    m = meeting(people.head)
    review(m, product, people.recruiter)
    product = svc.selection_decide(actor=people.head, meeting=m, product=product, decision="approve")
    assert sel.product_available_for_lineup(product)
    Block.objects.create(product=product, reason="抽检不合格", blocked_by=people.qc)
    assert not sel.product_available_for_lineup(product)
    assert not sel.product_available_for_lineup(make_clear_product())  # a candidate is not available


# Selectors -------------------------------------------------------------------------------------


def test_board_counts_in_one_group_by(people, django_assert_max_num_queries):
    merchant = make_clear_product().merchant
    now = timezone.now()
    Product.objects.bulk_create(
        [
            Product(
                merchant=merchant,
                category=merchant.products.first().category,
                title=f"候选{i}",
                department=merchant.department,
                stage="candidate",
                stage_entered_at=now - dt.timedelta(days=i),
            )
            for i in range(120)
        ]
    )
    access = access_for(people.recruiter)
    with django_assert_max_num_queries(10):  # grants + 1 GROUP BY + one query per non-empty column
        columns = sel.pipeline_board(access=access)
    cand = next(c for c in columns if c["stage"] == "candidate")
    assert cand["count"] == 121 and len(cand["cards"]) == BOARD_CARDS
    assert cand["cards"][0].days_in_stage == 119  # oldest in stage first
    assert [c["stage"] for c in columns] == [
        "candidate",
        "sample_requested",
        "sample_received",
        "qc",
        "meeting",
        "approved",
        "rejected",
    ]
    assert sel.stage_counts(access=access_for(people.ec)) == dict.fromkeys(sel.stage_counts(access=access), 0)


def test_time_in_stages(people):
    product = make_clear_product()
    t0 = timezone.now() - dt.timedelta(days=10)
    Product.objects.filter(pk=product.pk).update(created_at=t0, stage_entered_at=t0)
    product.refresh_from_db()
    PipelineEvent.objects.create(
        product=product, from_stage="candidate", to_stage="sample_requested", at=t0 + dt.timedelta(days=2)
    )
    PipelineEvent.objects.create(
        product=product, from_stage="sample_requested", to_stage="candidate", at=t0 + dt.timedelta(days=3)
    )
    PipelineEvent.objects.create(
        product=product, from_stage="candidate", to_stage="sample_requested", at=t0 + dt.timedelta(days=4)
    )
    spent = sel.time_in_stages([product], now=t0 + dt.timedelta(days=10))[product.pk]
    assert spent["candidate"] == dt.timedelta(days=3)
    assert spent["sample_requested"] == dt.timedelta(days=7)


def test_selection_report(people):
    product = to_meeting(make_clear_product(), people.recruiter)
    m = meeting(people.head)
    review(m, product, people.recruiter)
    product = svc.selection_decide(actor=people.head, meeting=m, product=product, decision="approve")
    report = sel.selection_report(product=product)
    assert report["standards"] == ["GB/T 29665-2013"]
    assert report["inspection"].result == "passed"
    assert len(report["reviews"]) == 1 and report["decision"].to_stage == "approved"
    assert {c["credential"].kind for c in report["credentials"]} == {"business_licence", "cosmetics_filing"}
    assert report["available_for_lineup"] and report["blockers"] == []
