"""The selection pipeline (MR-5, MC-2): candidate → sample requested → sample received → QC →
selection meeting → approved / rejected.

``pipeline_move`` enforces the allowed transitions and their conditions (a sample on the ledger
before "sample received", a passed latest inspection before the meeting). Approval happens only at
a selection meeting through ``selection_decide``, by a manager, and only while the quality gate
(``liveops.quality.gates.approval_blockers``) has nothing against the product. Every move writes a
``PipelineEvent`` (for time in stage) and the audit log.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Avg
from django.utils import timezone
from django.utils.translation import gettext as _

from liveops.core.access import access_for
from liveops.core.audit import audit_action, audit_create, model_create, model_update
from liveops.core.errors import Conflict, DomainError, NotAllowed
from liveops.sourcing.models import (
    PipelineEvent,
    PipelineStage,
    Product,
    Sample,
    SelectionMeeting,
    SelectionReview,
)
from liveops.sourcing.services.deals import require_capability

P = PipelineStage

# Moves a recruiter makes with ``pipeline_move``. Approval is not here: it is a meeting decision.
# Rejection from the meeting stage is also a meeting decision (``selection_decide``).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    P.CANDIDATE: (P.SAMPLE_REQUESTED, P.REJECTED),
    P.SAMPLE_REQUESTED: (P.SAMPLE_RECEIVED, P.CANDIDATE, P.REJECTED),
    P.SAMPLE_RECEIVED: (P.QC, P.REJECTED),
    # A failed inspection sends the product back for a new sample.
    P.QC: (P.MEETING, P.SAMPLE_REQUESTED, P.REJECTED),
    # The meeting may send a product back to QC; its approval or rejection is selection_decide.
    P.MEETING: (P.QC,),
    P.APPROVED: (),
    # A manager may reopen a rejected product as a candidate.
    P.REJECTED: (P.CANDIDATE,),
}


def allowed_moves(stage: str) -> tuple[str, ...]:
    return TRANSITIONS.get(stage, ())


def latest_inspection(product: Product):
    from liveops.quality.models import Inspection

    return Inspection.objects.filter(product=product).order_by("-inspected_at", "-id").first()


def _set_stage(*, actor, product: Product, to_stage: str, note: str = "", reject_reason: str = "") -> Product:
    from_stage = product.stage
    now = timezone.now()
    product, _changed = model_update(
        actor=actor,
        instance=product,
        data={
            "stage": to_stage,
            "stage_entered_at": now,
            "reject_reason": reject_reason if to_stage == P.REJECTED else "",
        },
    )
    PipelineEvent.objects.create(
        product=product, from_stage=from_stage, to_stage=to_stage, at=now, by=actor, note=note
    )
    return product


@transaction.atomic
def pipeline_move(*, actor, product: Product, to_stage: str, note: str = "") -> Product:
    """Move ``product`` to ``to_stage`` if the pipeline allows it (MR-5)."""
    require_capability(actor, "sourcing.change", product.department_id)
    product = Product.objects.select_for_update(of=("self",)).select_related("merchant").get(pk=product.pk)
    note = (note or "").strip()
    if to_stage not in P.values:
        raise DomainError(_("Unknown stage."), fields={"to_stage": [_("Unknown stage.")]})
    if to_stage == P.APPROVED:
        raise DomainError(
            _("Products are approved only by a decision of a selection meeting."),
            code="decision_required",
            fields={"to_stage": [_("Decide at a selection meeting.")]},
        )
    if to_stage not in allowed_moves(product.stage):
        raise Conflict(
            _("A product cannot move from %(a)s to %(b)s.")
            % {"a": P(product.stage).label, "b": P(to_stage).label},
            fields={"to_stage": [_("Not allowed from the current stage.")]},
        )
    if to_stage == P.SAMPLE_RECEIVED and not Sample.objects.filter(product=product).exists():
        raise DomainError(
            _("Record the sample on the samples ledger first."),
            code="sample_required",
            fields={"to_stage": [_("No sample recorded for this product.")]},
        )
    if product.stage == P.QC and to_stage == P.MEETING:
        inspection = latest_inspection(product)
        if inspection is None or inspection.result != inspection.Result.PASSED:
            message = (
                _("The product has no inspection yet.")
                if inspection is None
                else _("The latest inspection (%(date)s) is %(result)s, not passed.")
                % {
                    "date": timezone.localtime(inspection.inspected_at).date().isoformat(),
                    "result": inspection.get_result_display(),
                }
            )
            raise DomainError(message, code="inspection_required", fields={"to_stage": [message]})
    if to_stage == P.REJECTED and not note:
        raise DomainError(
            _("Give a reason for the rejection."), fields={"note": [_("This field is required.")]}
        )
    if product.stage == P.REJECTED and not access_for(actor).reaches_department(
        "sourcing.approve", product.department_id
    ):
        raise NotAllowed(_("Only a manager can reopen a rejected product."))
    return _set_stage(actor=actor, product=product, to_stage=to_stage, note=note, reject_reason=note)


# Selection meetings ----------------------------------------------------------------------------


@transaction.atomic
def selection_meeting_create(*, actor, title: str, held_at: dt.datetime, chair=None) -> SelectionMeeting:
    """Schedule a selection meeting (选品会)."""
    access = access_for(actor)
    if not (access.can("sourcing.change") or access.can("sourcing.approve")):
        raise NotAllowed(_("You are not allowed to do this."))
    if not (title or "").strip():
        raise DomainError(_("Enter a title."), fields={"title": [_("This field is required.")]})
    if not 2000 <= held_at.year <= 2100:
        raise DomainError(_("Enter a date between 2000 and 2100."), fields={"held_at": [_("Out of range.")]})
    return model_create(
        actor=actor, model=SelectionMeeting, title=title.strip(), held_at=held_at, chair=chair or actor
    )


def _may_review(actor, product: Product) -> bool:
    access = access_for(actor)
    # Recruiters and managers over the product's department, and QC (who score quality), review.
    return (
        access.reaches_department("sourcing.change", product.department_id)
        or access.reaches_department("sourcing.approve", product.department_id)
        or access.can("quality.change")
    )


@transaction.atomic
def selection_review_add(
    *,
    actor,
    meeting: SelectionMeeting,
    product: Product,
    score_quality: int,
    score_price: int,
    score_demand: int,
    vote: str,
    comment: str = "",
) -> SelectionReview:
    """A named reviewer scores a product at a meeting (quality, price, demand: 1-5) and votes; scoring
    again replaces their earlier scores. The product's selection score is the mean of all scores."""
    if not _may_review(actor, product):
        raise NotAllowed(_("You are not allowed to do this."))
    product = Product.objects.select_for_update().get(pk=product.pk)
    if product.stage != P.MEETING:
        raise Conflict(_("Only a product at the selection-meeting stage can be scored."))
    errors = {
        name: [_("Score from 1 to 5.")]
        for name, value in (
            ("score_quality", score_quality),
            ("score_price", score_price),
            ("score_demand", score_demand),
        )
        if not isinstance(value, int) or not 1 <= value <= 5
    }
    if vote not in ("approve", "reject"):
        errors["vote"] = [_("Vote approve or reject.")]
    if errors:
        raise DomainError(_("Some values are not valid."), fields=errors)
    scores = {
        "score_quality": score_quality,
        "score_price": score_price,
        "score_demand": score_demand,
        "vote": vote,
        "comment": comment,
    }
    review = SelectionReview.objects.filter(meeting=meeting, product=product, reviewer=actor).first()
    if review is None:
        review = SelectionReview(meeting=meeting, product=product, reviewer=actor, **scores)
        review.full_clean()
        review.save()
        audit_create(actor=actor, instance=review)
    else:
        review, _changed = model_update(actor=actor, instance=review, data=scores)
    agg = SelectionReview.objects.filter(product=product).aggregate(
        q=Avg("score_quality"), p=Avg("score_price"), d=Avg("score_demand")
    )
    score = (Decimal(str(agg["q"] + agg["p"] + agg["d"])) / 3).quantize(Decimal("0.01"))
    model_update(actor=actor, instance=product, data={"score": score})
    return review


@transaction.atomic
def selection_decide(
    *, actor, meeting: SelectionMeeting, product: Product, decision: str, reason: str = ""
) -> Product:
    """The manager's decision on a product at a selection meeting (MR-5, MC-2). Approval needs at
    least one review at this meeting and nothing from the quality gate; rejection needs a reason."""
    require_capability(actor, "sourcing.approve", product.department_id)
    product = (
        Product.objects.select_for_update(of=("self",))
        .select_related("merchant", "category", "brand")
        .get(pk=product.pk)
    )
    reason = (reason or "").strip()
    if decision not in ("approve", "reject"):
        raise DomainError(_("Decide approve or reject."), fields={"decision": [_("Unknown decision.")]})
    if product.stage != P.MEETING:
        raise Conflict(_("Only a product at the selection-meeting stage can be decided."))
    reviews = SelectionReview.objects.filter(meeting=meeting, product=product)
    if decision == "reject":
        if not reason:
            raise DomainError(
                _("Give a reason for the rejection."), fields={"reason": [_("This field is required.")]}
            )
        product = _set_stage(
            actor=actor,
            product=product,
            to_stage=P.REJECTED,
            note=f"{meeting.title}: {reason}",
            reject_reason=reason,
        )
        audit_action(
            actor=actor, instance=product, verb="reject", details={"meeting": meeting.pk, "reason": reason}
        )
        return product
    if not reviews.exists():
        raise DomainError(
            _("No reviewer has scored this product at this meeting yet."), code="reviews_required"
        )
    from liveops.quality.gates import approval_blockers

    blockers = approval_blockers(product=product)
    if blockers:
        messages = [b.message for b in blockers]
        raise DomainError(
            _("The product cannot be approved: %(reasons)s") % {"reasons": " ".join(messages)},
            code="approval_blocked",
            fields={"product": messages},
        )
    product = _set_stage(
        actor=actor,
        product=product,
        to_stage=P.APPROVED,
        note=f"{meeting.title}: {reason}" if reason else meeting.title,
    )
    votes = list(reviews.values_list("vote", flat=True))
    audit_action(
        actor=actor,
        instance=product,
        verb="approve",
        details={
            "meeting": meeting.pk,
            "reason": reason,
            "votes_approve": votes.count("approve"),
            "votes_reject": votes.count("reject"),
            "score": str(product.score) if product.score is not None else None,
        },
    )
    return product
