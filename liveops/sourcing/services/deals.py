"""Deal terms per product and their contracts (MC-5).

A deal is negotiated as a draft, submitted, and approved or rejected by a manager
(``sourcing.approve``). Approved terms are never edited: ``deal_revise`` makes a new version waiting
for approval, and approving it supersedes the old one in the same transaction (the database allows
one approved deal per product). QC and everyone else without ``sourcing.change`` over the product's
department cannot touch terms.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from liveops.core.access import access_for
from liveops.core.audit import audit_action, model_create, model_update
from liveops.core.errors import Conflict, DomainError, NotAllowed
from liveops.sourcing.models import Contract, Deal, Product

# The negotiated terms: what a revision may change.
TERM_FIELDS = (
    "live_price",
    "regular_price",
    "commission_rate",
    "slot_fee",
    "guaranteed_stock",
    "exclusive",
    "valid_from",
    "valid_to",
    "gifts",
)


def require_capability(actor, capability: str, department_id: int | None) -> None:
    """Refuse unless ``actor`` holds ``capability`` over ``department_id``."""
    if not access_for(actor).reaches_department(capability, department_id):
        raise NotAllowed(_("You are not allowed to do this."))


def _check_terms(terms: dict[str, Any]) -> None:
    """Readable field errors before the database constraints would refuse the row."""
    errors: dict[str, list[str]] = {}
    for money in ("live_price", "regular_price", "slot_fee"):
        value = terms.get(money)
        if value is not None and Decimal(value) < 0:
            errors[money] = [_("Must be zero or more.")]
    rate = terms.get("commission_rate")
    if rate is not None and not (Decimal(0) <= Decimal(rate) <= Decimal(1)):
        errors["commission_rate"] = [_("Enter a rate between 0 and 1 (0.2 = 20%).")]
    if terms.get("valid_from") and terms.get("valid_to") and terms["valid_to"] < terms["valid_from"]:
        errors["valid_to"] = [_("The validity window ends before it starts.")]
    if errors:
        raise DomainError(_("Some deal terms are not valid."), fields=errors)


def _next_version(product: Product) -> int:
    return (Deal.objects.filter(product=product).aggregate(m=Max("version"))["m"] or 0) + 1


@transaction.atomic
def deal_create(
    *,
    actor,
    product: Product,
    live_price: Decimal,
    regular_price: Decimal,
    commission_rate: Decimal,
    valid_from: dt.date,
    valid_to: dt.date,
    slot_fee: Decimal = Decimal(0),
    guaranteed_stock: int = 0,
    exclusive: bool = False,
    gifts: str = "",
) -> Deal:
    """Record negotiated terms for a product as a draft (MC-5)."""
    require_capability(actor, "sourcing.change", product.department_id)
    terms = {
        "live_price": live_price,
        "regular_price": regular_price,
        "commission_rate": commission_rate,
        "slot_fee": slot_fee,
        "guaranteed_stock": guaranteed_stock,
        "exclusive": exclusive,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "gifts": gifts,
    }
    _check_terms(terms)
    Product.objects.select_for_update().filter(pk=product.pk).first()  # serialise version numbers
    if Deal.objects.filter(product=product, status__in=[Deal.Status.DRAFT, Deal.Status.PENDING]).exists():
        raise Conflict(_("This product already has a deal in negotiation; change that one instead."))
    return model_create(
        actor=actor,
        model=Deal,
        product=product,
        merchant_id=product.merchant_id,
        version=_next_version(product),
        status=Deal.Status.DRAFT,
        **terms,
    )


@transaction.atomic
def deal_update(*, actor, deal: Deal, data: dict[str, Any]) -> Deal:
    """Change the terms of a draft. Approved terms are changed with ``deal_revise``."""
    require_capability(actor, "sourcing.change", deal.product.department_id)
    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    if deal.status != Deal.Status.DRAFT:
        raise Conflict(_("Only a draft deal can be edited; revise an approved deal to change its terms."))
    unknown = set(data) - set(TERM_FIELDS)
    if unknown:
        raise DomainError(_("These fields cannot be changed: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    _check_terms({**{f: getattr(deal, f) for f in TERM_FIELDS}, **data})
    deal, _changed = model_update(actor=actor, instance=deal, data=data)
    return deal


@transaction.atomic
def deal_submit(*, actor, deal: Deal) -> Deal:
    """Send a draft for approval."""
    require_capability(actor, "sourcing.change", deal.product.department_id)
    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    if deal.status != Deal.Status.DRAFT:
        raise Conflict(_("Only a draft deal can be submitted."))
    deal, _changed = model_update(actor=actor, instance=deal, data={"status": Deal.Status.PENDING})
    audit_action(actor=actor, instance=deal, verb="submit")
    return deal


@transaction.atomic
def deal_approve(*, actor, deal: Deal) -> Deal:
    """A manager approves terms waiting for approval. The approved version of the product so far
    becomes superseded first, in this transaction (one approved deal per product). A product or
    merchant on the blocklist cannot get approved terms."""
    require_capability(actor, "sourcing.approve", deal.product.department_id)
    # Lock the product: two approvals of the same product's versions queue up here.
    product = Product.objects.select_for_update().get(pk=deal.product_id)
    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    if deal.status != Deal.Status.PENDING:
        raise Conflict(_("Only a deal waiting for approval can be approved."))
    from liveops.quality.gates import approval_blockers

    blocked = [b.message for b in approval_blockers(product=product) if b.code == "blocked"]
    if blocked:
        raise DomainError(
            _("These terms cannot be approved: %(reasons)s") % {"reasons": " ".join(blocked)},
            code="approval_blocked",
            fields={"product": blocked},
        )
    for old in Deal.objects.select_for_update().filter(product=product, status=Deal.Status.APPROVED):
        model_update(actor=actor, instance=old, data={"status": Deal.Status.SUPERSEDED})
        audit_action(actor=actor, instance=old, verb="supersede", details={"by_version": deal.version})
    deal, _changed = model_update(
        actor=actor,
        instance=deal,
        data={"status": Deal.Status.APPROVED, "approved_by": actor, "approved_at": timezone.now()},
    )
    audit_action(actor=actor, instance=deal, verb="approve", details={"version": deal.version})
    return deal


@transaction.atomic
def deal_reject(*, actor, deal: Deal, reason: str) -> Deal:
    """A manager sends terms back; the reason goes to the audit log."""
    require_capability(actor, "sourcing.approve", deal.product.department_id)
    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    if deal.status != Deal.Status.PENDING:
        raise Conflict(_("Only a deal waiting for approval can be rejected."))
    if not (reason or "").strip():
        raise DomainError(
            _("Give a reason for the rejection."), fields={"reason": [_("This field is required.")]}
        )
    deal, _changed = model_update(actor=actor, instance=deal, data={"status": Deal.Status.REJECTED})
    audit_action(actor=actor, instance=deal, verb="reject", details={"reason": reason.strip()})
    return deal


@transaction.atomic
def deal_revise(*, actor, deal: Deal, changes: dict[str, Any]) -> Deal:
    """Change approved (or rejected) terms: a new version, copied from ``deal`` with ``changes``,
    goes straight to approval. The approved version stays in force until the new one is approved."""
    require_capability(actor, "sourcing.change", deal.product.department_id)
    Product.objects.select_for_update().filter(pk=deal.product_id).first()
    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    if deal.status not in (Deal.Status.APPROVED, Deal.Status.REJECTED):
        raise Conflict(_("Only approved or rejected terms are revised; edit the draft instead."))
    unknown = set(changes) - set(TERM_FIELDS)
    if unknown:
        raise DomainError(_("These fields cannot be changed: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    if Deal.objects.filter(
        product_id=deal.product_id, status__in=[Deal.Status.DRAFT, Deal.Status.PENDING]
    ).exists():
        raise Conflict(_("This product already has a deal in negotiation; change that one instead."))
    terms = {**{f: getattr(deal, f) for f in TERM_FIELDS}, **changes}
    if all(terms[f] == getattr(deal, f) for f in TERM_FIELDS):
        raise DomainError(_("Nothing changed: change at least one term."))
    _check_terms(terms)
    new = model_create(
        actor=actor,
        model=Deal,
        product_id=deal.product_id,
        merchant_id=deal.merchant_id,
        version=_next_version(deal.product),
        status=Deal.Status.PENDING,
        **terms,
    )
    audit_action(actor=actor, instance=new, verb="submit", details={"revises_version": deal.version})
    return new


# Contracts -------------------------------------------------------------------------------------


@transaction.atomic
def contract_create(*, actor, deal: Deal, number: str) -> Contract:
    """Record the contract behind a deal (draft)."""
    require_capability(actor, "sourcing.change", deal.product.department_id)
    number = (number or "").strip()
    if not number:
        raise DomainError(_("Enter the contract number."), fields={"number": [_("This field is required.")]})
    if Contract.objects.filter(number=number).exists():
        raise Conflict(
            _("Contract number %(no)s is already in use.") % {"no": number},
            fields={"number": [_("Already in use.")]},
        )
    if deal.status in (Deal.Status.REJECTED, Deal.Status.SUPERSEDED):
        raise Conflict(_("A rejected or superseded deal gets no new contract."))
    return model_create(actor=actor, model=Contract, deal=deal, number=number)


CONTRACT_TRANSITIONS = {
    Contract.Status.DRAFT: {Contract.Status.SENT, Contract.Status.CANCELLED},
    Contract.Status.SENT: {Contract.Status.SIGNED, Contract.Status.CANCELLED, Contract.Status.DRAFT},
    Contract.Status.SIGNED: {Contract.Status.CANCELLED},
    Contract.Status.CANCELLED: set(),
}


@transaction.atomic
def contract_set_status(
    *, actor, contract: Contract, status: str, signed_on: dt.date | None = None
) -> Contract:
    """Draft → sent → signed (with the signing date); any open contract may be cancelled. Only an
    approved deal's contract can be signed."""
    require_capability(actor, "sourcing.change", contract.deal.product.department_id)
    contract = Contract.objects.select_for_update(of=("self",)).select_related("deal").get(pk=contract.pk)
    if status not in Contract.Status.values:
        raise DomainError(_("Unknown status."), fields={"status": [_("Unknown status.")]})
    if status not in CONTRACT_TRANSITIONS[contract.status]:
        raise Conflict(
            _("A contract cannot go from %(a)s to %(b)s.")
            % {"a": contract.get_status_display(), "b": Contract.Status(status).label}
        )
    data: dict[str, Any] = {"status": status}
    if status == Contract.Status.SIGNED:
        if signed_on is None:
            raise DomainError(
                _("Enter the signing date."), fields={"signed_on": [_("This field is required.")]}
            )
        if signed_on > timezone.localdate():
            raise DomainError(
                _("The signing date is in the future."), fields={"signed_on": [_("Not in the future.")]}
            )
        if contract.deal.status != Deal.Status.APPROVED:
            raise Conflict(_("Only the contract of approved terms can be signed."))
        data["signed_on"] = signed_on
    contract, _changed = model_update(actor=actor, instance=contract, data=data)
    audit_action(actor=actor, instance=contract, verb=status)
    return contract
