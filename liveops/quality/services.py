"""Writes of quality control (直播品控部): checklists (QC-1), inspections (QC-2), defects and CAPA
(QC-2, QC-4), the blocklist (QC-4). Every function is keyword-only, runs in one transaction, checks
the actor's capability and writes the audit log. Scorecards (QC-6) live in ``scorecards.py``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from liveops.core.access import access_for
from liveops.core.audit import audit_action, audit_log, audit_update, model_create, model_update
from liveops.core.errors import Conflict, DomainError, NotAllowed
from liveops.core.models import AuditAction
from liveops.quality.models import (
    Block,
    Checklist,
    ChecklistItem,
    CorrectiveAction,
    Defect,
    Inspection,
    InspectionItemResult,
)
from liveops.sourcing.models import Category, Merchant, Product, Sample

MAX_CATEGORY_DEPTH = 10


def _require(actor, capability: str) -> None:
    if not access_for(actor).can(capability):
        raise NotAllowed(_("You are not allowed to do this."))


# Checklists (QC-1) -----------------------------------------------------------------------------


def _clean_items(items: Iterable[dict]) -> list[dict]:
    out = []
    for raw in items:
        text = str(raw.get("text", "")).strip()
        if text:
            out.append({"text": text[:300], "is_critical": bool(raw.get("is_critical", True))})
    if not out:
        raise DomainError(
            _("A checklist needs at least one check."), fields={"items": [_("Add at least one check.")]}
        )
    return out


def _add_items(*, checklist: Checklist, items: list[dict]) -> None:
    ChecklistItem.objects.bulk_create(
        [
            ChecklistItem(checklist=checklist, order=i, text=it["text"], is_critical=it["is_critical"])
            for i, it in enumerate(items, 1)
        ]
    )


@transaction.atomic
def checklist_create(*, actor, category: Category, title: str, items: Iterable[dict]) -> Checklist:
    """The first checklist of a category (version 1). A category that already has one in use gets a
    new version through ``checklist_revise``."""
    _require(actor, "quality.change")
    items = _clean_items(items)
    if not title.strip():
        raise DomainError(_("Enter a title."), fields={"title": [_("This field is required.")]})
    # Lock the category row so two people creating at once cannot both pass the check.
    Category.objects.select_for_update().filter(pk=category.pk).first()
    if Checklist.objects.filter(category=category, is_active=True).exists():
        raise Conflict(
            _("%(category)s already has a checklist in use: revise it to make a new version.")
            % {"category": category},
            fields={"category": [_("Already has a checklist in use.")]},
        )
    version = (Checklist.objects.filter(category=category).aggregate(m=Max("version"))["m"] or 0) + 1
    checklist = model_create(
        actor=actor, model=Checklist, category=category, version=version, title=title.strip(), is_active=True
    )
    _add_items(checklist=checklist, items=items)
    audit_action(actor=actor, instance=checklist, verb="items", details={"items": items})
    return checklist


@transaction.atomic
def checklist_revise(*, actor, checklist: Checklist, title: str, items: Iterable[dict]) -> Checklist:
    """Edit the checklist in use: the edit becomes a new version and the old one is taken out of use
    in the same transaction (inspections keep pointing at the version they were made with)."""
    _require(actor, "quality.change")
    items = _clean_items(items)
    Category.objects.select_for_update().filter(pk=checklist.category_id).first()
    current = Checklist.objects.select_for_update().get(pk=checklist.pk)
    if not current.is_active:
        raise Conflict(
            _("Only the version in use can be revised."), fields={"checklist": [_("Not the version in use.")]}
        )
    version = (
        Checklist.objects.filter(category_id=current.category_id).aggregate(m=Max("version"))["m"] or 0
    ) + 1
    # Deactivate first: the database allows one active version per category.
    model_update(actor=actor, instance=current, data={"is_active": False})
    new = model_create(
        actor=actor,
        model=Checklist,
        category_id=current.category_id,
        version=version,
        title=(title.strip() or current.title),
        is_active=True,
    )
    _add_items(checklist=new, items=items)
    audit_action(
        actor=actor,
        instance=new,
        verb="revise",
        details={"replaces": current.pk, "from_version": current.version, "items": items},
    )
    return new


def active_checklist_for(category: Category) -> Checklist | None:
    """The checklist in use for ``category``, or for its nearest ancestor that has one."""
    current, depth = category, 0
    while current is not None and depth < MAX_CATEGORY_DEPTH:
        found = Checklist.objects.filter(category=current, is_active=True).first()
        if found:
            return found
        current = current.parent if current.parent_id else None
        depth += 1
    return None


# Inspections (QC-2) ----------------------------------------------------------------------------


@transaction.atomic
def inspection_start(
    *, actor, product: Product, kind: str, sample: Sample | None = None, batch_no: str = "", notes: str = ""
) -> Inspection:
    """Start inspecting a sample or an inbound batch of ``product`` with its category's checklist in use."""
    _require(actor, "quality.change")
    batch_no = batch_no.strip()
    if kind == Inspection.Kind.SAMPLE:
        if sample is None:
            raise DomainError(
                _("A sample inspection needs the sample."), fields={"sample": [_("This field is required.")]}
            )
        if sample.product_id != product.pk:
            raise DomainError(
                _("The sample is of another product."),
                fields={"sample": [_("Not a sample of this product.")]},
            )
        batch_no = ""
    elif kind == Inspection.Kind.INBOUND:
        if not batch_no:
            raise DomainError(
                _("An inbound inspection needs the batch number."),
                fields={"batch_no": [_("This field is required.")]},
            )
        sample = None
    else:
        raise DomainError(_("Unknown inspection kind."), fields={"kind": [_("Choose sample or inbound.")]})
    checklist = active_checklist_for(product.category)
    if checklist is None:
        raise DomainError(
            _("%(category)s has no checklist in use: write one first.") % {"category": product.category},
            code="no_checklist",
            fields={"product": [_("No checklist for this category.")]},
        )
    return model_create(
        actor=actor,
        model=Inspection,
        kind=kind,
        product=product,
        sample=sample,
        batch_no=batch_no,
        checklist=checklist,
        inspector=actor,
        notes=notes,
    )


def _lock_pending(inspection: Inspection) -> Inspection:
    current = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if current.result != Inspection.Result.PENDING:
        raise Conflict(_("This inspection is already completed."))
    return current


@transaction.atomic
def inspection_record_item(
    *, actor, inspection: Inspection, item: ChecklistItem, passed: bool, note: str = "", photo=None
) -> InspectionItemResult:
    """Record pass or fail of one checklist item, with a note and an optional photo; recording again
    replaces the earlier answer (while the inspection is in progress)."""
    _require(actor, "quality.change")
    inspection = _lock_pending(inspection)
    if item.checklist_id != inspection.checklist_id:
        raise DomainError(
            _("This check is not on the inspection's checklist."),
            fields={"item": [_("Not on this checklist.")]},
        )
    existing = InspectionItemResult.objects.filter(inspection=inspection, item=item).first()
    row = existing or InspectionItemResult(inspection=inspection, item=item)
    # The audit snapshot cannot hold a file object: log the photo by its stored name.
    before = _item_result_state(row) if existing else None
    row.passed = bool(passed)
    row.note = (note or "")[:300]
    if photo:
        _check_photo(photo)
        row.photo = photo
    row.full_clean()
    row.save()
    after = _item_result_state(row)
    if before is None:
        audit_log(actor=actor, action=AuditAction.CREATE, instance=row, changes={"after": after})
    else:
        audit_update(actor=actor, instance=row, before=before, after=after)
    return row


PHOTO_EXTENSIONS = ("jpg", "jpeg", "png", "webp", "heic", "gif")
PHOTO_MAX_BYTES = 15 * 1024 * 1024


def _check_photo(photo) -> None:
    name = str(getattr(photo, "name", "") or "")
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in PHOTO_EXTENSIONS:
        raise DomainError(
            _("Upload a photo (JPG, PNG, WebP, HEIC or GIF)."), fields={"photo": [_("Not a photo.")]}
        )
    if (getattr(photo, "size", 0) or 0) > PHOTO_MAX_BYTES:
        raise DomainError(_("The photo is larger than 15 MB."), fields={"photo": [_("Too large.")]})


def _item_result_state(row: InspectionItemResult) -> dict:
    return {
        "inspection": row.inspection_id,
        "item": row.item_id,
        "passed": row.passed,
        "note": row.note,
        "photo": row.photo.name or "",
    }


def inspection_outcome(results: Iterable[tuple[bool, bool]]) -> str:
    """The result from (is_critical, passed) pairs: failed when a critical item failed — or, on a
    checklist without critical items, when any item failed — else passed."""
    results = list(results)
    has_critical = any(critical for critical, _passed in results)
    if has_critical:
        failed = any(critical and not passed for critical, passed in results)
    else:
        failed = any(not passed for _critical, passed in results)
    return Inspection.Result.FAILED if failed else Inspection.Result.PASSED


def sample_mark_in_qc(*, actor, sample: Sample) -> Sample:
    """The one sample transition quality control makes: a received sample whose inspection is done
    moves to "in QC". Every other sample status change belongs to the samples module."""
    sample = Sample.objects.select_for_update().get(pk=sample.pk)
    if sample.status != Sample.Status.RECEIVED:
        return sample
    sample, _changed = model_update(actor=actor, instance=sample, data={"status": Sample.Status.IN_QC})
    audit_action(
        actor=actor,
        instance=sample,
        verb="in_qc",
        details={"from": Sample.Status.RECEIVED, "to": Sample.Status.IN_QC},
    )
    return sample


@transaction.atomic
def inspection_complete(
    *,
    actor,
    inspection: Inspection,
    open_defect: bool = True,
    defect_severity: str | None = None,
    notes: str | None = None,
) -> Inspection:
    """Complete an inspection once every checklist item has an answer. A failed inspection opens a
    defect (unless ``open_defect`` is false); a completed sample inspection moves a received sample
    to "in QC"."""
    _require(actor, "quality.change")
    inspection = _lock_pending(inspection)
    items = list(inspection.checklist.items.all())
    answers = {r.item_id: r for r in inspection.item_results.all()}
    missing = [it.text for it in items if it.pk not in answers]
    if missing:
        raise DomainError(
            _("Record every check before completing. Missing: %(items)s")
            % {"items": "; ".join(missing[:10])},
            code="incomplete",
            fields={"items": missing},
        )
    result = inspection_outcome((it.is_critical, answers[it.pk].passed) for it in items)
    data = {"result": result}
    if notes is not None:
        data["notes"] = notes
    inspection, _changed = model_update(actor=actor, instance=inspection, data=data)
    failed_items = [it for it in items if not answers[it.pk].passed]
    audit_action(
        actor=actor,
        instance=inspection,
        verb="pass" if result == Inspection.Result.PASSED else "fail",
        details={"failed_items": [it.pk for it in failed_items]},
    )
    if inspection.kind == Inspection.Kind.SAMPLE and inspection.sample_id:
        sample_mark_in_qc(actor=actor, sample=inspection.sample)
    if result == Inspection.Result.FAILED and open_defect:
        severity = defect_severity or (
            Defect.Severity.CRITICAL if any(it.is_critical for it in failed_items) else Defect.Severity.MAJOR
        )
        lines = [
            f"{it.text}" + (f": {answers[it.pk].note}" if answers[it.pk].note else "") for it in failed_items
        ]
        description = _("Failed checks of inspection #%(id)s: %(items)s") % {
            "id": inspection.pk,
            "items": "; ".join(lines),
        }
        defect_create(
            actor=actor,
            product=inspection.product,
            severity=severity,
            description=description,
            inspection=inspection,
        )
    return inspection


# Defects and CAPA (QC-2, QC-4) -----------------------------------------------------------------


@transaction.atomic
def defect_create(
    *,
    actor,
    product: Product,
    severity: str,
    description: str,
    inspection: Inspection | None = None,
    found_on: dt.date | None = None,
) -> Defect:
    """Register a quality problem found on a product (the merchant is the product's)."""
    _require(actor, "quality.change")
    if severity not in Defect.Severity.values:
        raise DomainError(
            _("Choose a severity."), fields={"severity": [_("Choose critical, major or minor.")]}
        )
    if not description.strip():
        raise DomainError(_("Describe the defect."), fields={"description": [_("This field is required.")]})
    if inspection is not None and inspection.product_id != product.pk:
        raise DomainError(
            _("The inspection is of another product."), fields={"inspection": [_("Not of this product.")]}
        )
    return model_create(
        actor=actor,
        model=Defect,
        product=product,
        merchant_id=product.merchant_id,
        inspection=inspection,
        severity=severity,
        description=description.strip(),
        found_on=found_on or timezone.localdate(),
    )


def _open_defect(defect: Defect) -> Defect:
    current = Defect.objects.select_for_update().get(pk=defect.pk)
    if current.status == Defect.Status.CLOSED:
        raise Conflict(_("This defect is closed."))
    return current


@transaction.atomic
def capa_add(
    *, actor, defect: Defect, kind: str, action: str, due_on: dt.date, owner=None
) -> CorrectiveAction:
    """Add a corrective or preventive action with its owner and due date; the defect moves to
    "corrective action under way"."""
    _require(actor, "quality.change")
    defect = _open_defect(defect)
    if kind not in CorrectiveAction.Kind.values:
        raise DomainError(
            _("Choose corrective or preventive."), fields={"kind": [_("Choose corrective or preventive.")]}
        )
    if not action.strip():
        raise DomainError(_("Describe the action."), fields={"action": [_("This field is required.")]})
    capa = model_create(
        actor=actor,
        model=CorrectiveAction,
        defect=defect,
        kind=kind,
        action=action.strip(),
        due_on=due_on,
        owner=owner,
    )
    if defect.status == Defect.Status.OPEN:
        model_update(actor=actor, instance=defect, data={"status": Defect.Status.IN_CAPA})
    return capa


CAPA_TRANSITIONS = {
    CorrectiveAction.Status.OPEN: {CorrectiveAction.Status.DONE},
    CorrectiveAction.Status.DONE: {CorrectiveAction.Status.VERIFIED, CorrectiveAction.Status.OPEN},
    CorrectiveAction.Status.VERIFIED: set(),
}


@transaction.atomic
def capa_update(
    *, actor, capa: CorrectiveAction, status: str | None = None, follow_up: str | None = None
) -> CorrectiveAction:
    """Record the follow-up of an action and move it along: open → done → verified effective (or back
    to open when the check finds it did not work)."""
    _require(actor, "quality.change")
    _open_defect(capa.defect)
    capa = CorrectiveAction.objects.select_for_update().get(pk=capa.pk)
    data: dict = {}
    if status is not None and status != capa.status:
        if status not in CAPA_TRANSITIONS.get(capa.status, set()):
            raise Conflict(
                _("An action cannot go from %(a)s to %(b)s.") % {"a": capa.get_status_display(), "b": status},
                fields={"status": [_("Not allowed from the current status.")]},
            )
        data["status"] = status
    if follow_up is not None:
        data["follow_up"] = follow_up
    capa, changed = model_update(actor=actor, instance=capa, data=data)
    if "status" in data:
        audit_action(actor=actor, instance=capa, verb=data["status"])
    return capa


def capa_is_overdue(capa: CorrectiveAction, today: dt.date | None = None) -> bool:
    return capa.status == CorrectiveAction.Status.OPEN and capa.due_on < (today or timezone.localdate())


@transaction.atomic
def defect_close(*, actor, defect: Defect, today: dt.date | None = None) -> Defect:
    """Close a defect. Every corrective and preventive action on it must be done or verified."""
    _require(actor, "quality.change")
    defect = _open_defect(defect)
    open_actions = list(
        defect.actions.filter(status=CorrectiveAction.Status.OPEN).values_list("action", flat=True)
    )
    if open_actions:
        raise Conflict(
            _("Finish every action before closing the defect. Still open: %(actions)s")
            % {"actions": "; ".join(a[:60] for a in open_actions[:10])},
            code="capa_open",
            fields={"actions": [a[:60] for a in open_actions]},
        )
    defect, _changed = model_update(
        actor=actor,
        instance=defect,
        data={"status": Defect.Status.CLOSED, "closed_on": today or timezone.localdate()},
    )
    audit_action(actor=actor, instance=defect, verb="close")
    return defect


# Blocklist (QC-4) ------------------------------------------------------------------------------


def _block_create(
    *, actor, reason: str, merchant: Merchant | None = None, product: Product | None = None
) -> Block:
    _require(actor, "quality.block")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            _("Give the reason for the block."), fields={"reason": [_("This field is required.")]}
        )
    if merchant is not None:
        Merchant.objects.select_for_update().filter(pk=merchant.pk).first()
        already = Block.objects.filter(merchant=merchant, lifted_at__isnull=True).exists()
    else:
        Product.objects.select_for_update().filter(pk=product.pk).first()
        already = Block.objects.filter(product=product, lifted_at__isnull=True).exists()
    if already:
        raise Conflict(_("Already on the blocklist."), code="already_blocked")
    try:
        with transaction.atomic():
            block = model_create(
                actor=actor, model=Block, merchant=merchant, product=product, reason=reason, blocked_by=actor
            )
    except IntegrityError as exc:  # a concurrent block of the same target won the race
        raise Conflict(_("Already on the blocklist."), code="already_blocked") from exc
    audit_action(actor=actor, instance=block, verb="block", details={"reason": reason})
    return block


@transaction.atomic
def block_merchant(*, actor, merchant: Merchant, reason: str) -> Block:
    """Put a merchant on the blocklist: none of its products can be approved or scheduled."""
    return _block_create(actor=actor, merchant=merchant, reason=reason)


@transaction.atomic
def block_product(*, actor, product: Product, reason: str) -> Block:
    """Put a product on the blocklist: it cannot be approved or scheduled."""
    return _block_create(actor=actor, product=product, reason=reason)


@transaction.atomic
def block_lift(*, actor, block: Block, reason: str) -> Block:
    """Lift a block. Needs a manager's approval (``quality.approve``: head of QC or of the merchant
    recruitment centre); QC staff who may block may not lift."""
    _require(actor, "quality.approve")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            _("Give the reason for lifting the block."), fields={"reason": [_("This field is required.")]}
        )
    block = Block.objects.select_for_update().get(pk=block.pk)
    if block.lifted_at is not None:
        raise Conflict(_("This block has already been lifted."))
    block, _changed = model_update(
        actor=actor,
        instance=block,
        data={"lifted_at": timezone.now(), "lifted_by": actor, "lift_reason": reason},
    )
    audit_action(actor=actor, instance=block, verb="lift", details={"reason": reason})
    return block
