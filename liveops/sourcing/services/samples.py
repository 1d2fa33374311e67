"""The samples ledger: what each merchant sent, who holds it, where it is, what it cost, and whether
it has to go back. Losing a sample is a named, audited event carrying its cost."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liveops.core.audit import audit_action, model_create, model_update
from liveops.core.errors import Conflict, DomainError
from liveops.org.models import Staff
from liveops.sourcing.models import Product, Sample
from liveops.sourcing.services.deals import require_capability

S = Sample.Status
OPEN_STATUSES = (S.RECEIVED, S.IN_QC, S.IN_LIVE_ROOM)
CLOSED_STATUSES = (S.RETURNED, S.CONSUMED, S.LOST)
# Open samples move freely between the office, QC and the live rooms; returned, consumed and lost
# are final.
SAMPLE_TRANSITIONS: dict[str, set[str]] = {
    S.RECEIVED: {S.IN_QC, S.IN_LIVE_ROOM, S.RETURNED, S.CONSUMED, S.LOST},
    S.IN_QC: {S.RECEIVED, S.IN_LIVE_ROOM, S.RETURNED, S.CONSUMED, S.LOST},
    S.IN_LIVE_ROOM: {S.RECEIVED, S.IN_QC, S.RETURNED, S.CONSUMED, S.LOST},
    S.RETURNED: set(),
    S.CONSUMED: set(),
    S.LOST: set(),
}


def sample_cost(sample: Sample) -> Decimal:
    return (Decimal(sample.quantity) * sample.unit_cost).quantize(Decimal("0.01"))


@transaction.atomic
def sample_record(
    *,
    actor,
    product: Product,
    quantity: int,
    unit_cost: Decimal = Decimal(0),
    must_return: bool = False,
    return_due: dt.date | None = None,
    holder: Staff | None = None,
    location: str = "",
    received_on: dt.date | None = None,
) -> Sample:
    """Record the receipt of a sample of ``product`` from its merchant."""
    require_capability(actor, "sourcing.change", product.department_id)
    errors: dict[str, list[str]] = {}
    if quantity is None or quantity <= 0:
        errors["quantity"] = [_("Must be at least 1.")]
    if unit_cost is None or Decimal(unit_cost) < 0:
        errors["unit_cost"] = [_("Must be zero or more.")]
    if must_return and return_due is None:
        errors["return_due"] = [_("A sample that must go back needs a return date.")]
    received_on = received_on or timezone.localdate()
    if received_on > timezone.localdate():
        errors["received_on"] = [_("Not in the future.")]
    if must_return and return_due is not None and return_due < received_on:
        errors["return_due"] = [_("The return date is before the receipt.")]
    if errors:
        raise DomainError(_("Some values are not valid."), fields=errors)
    return model_create(
        actor=actor,
        model=Sample,
        merchant_id=product.merchant_id,
        product=product,
        quantity=quantity,
        unit_cost=unit_cost,
        must_return=must_return,
        return_due=return_due if must_return else None,
        holder=holder,
        location=location,
        received_on=received_on,
        department_id=product.department_id,
    )


@transaction.atomic
def sample_set_status(
    *,
    actor,
    sample: Sample,
    status: str,
    tracking_no: str = "",
    location: str | None = None,
    holder: Staff | None = None,
    note: str = "",
) -> Sample:
    """Move a sample along: received → in QC → in a live room → returned (with the courier's
    tracking number) / consumed / lost. Losing one writes a ``lose`` audit entry with its cost."""
    require_capability(actor, "sourcing.change", sample.department_id)
    sample = Sample.objects.select_for_update().get(pk=sample.pk)
    if status not in S.values:
        raise DomainError(_("Unknown status."), fields={"status": [_("Unknown status.")]})
    if status not in SAMPLE_TRANSITIONS[sample.status]:
        raise Conflict(
            _("A sample cannot go from %(a)s to %(b)s.")
            % {"a": sample.get_status_display(), "b": S(status).label},
            fields={"status": [_("Not allowed from the current status.")]},
        )
    data: dict[str, Any] = {"status": status}
    if status == S.RETURNED:
        tracking_no = (tracking_no or "").strip()
        if not tracking_no:
            raise DomainError(
                _("Enter the tracking number of the return shipment."),
                fields={"tracking_no": [_("This field is required.")]},
            )
        data["return_tracking_no"] = tracking_no
    if location is not None:
        data["location"] = location
    if holder is not None:
        data["holder"] = holder
    sample, _changed = model_update(actor=actor, instance=sample, data=data)
    if status == S.LOST:
        audit_action(
            actor=actor,
            instance=sample,
            verb="lose",
            details={
                "quantity": sample.quantity,
                "unit_cost": str(sample.unit_cost),
                "cost": str(sample_cost(sample)),
                "merchant": sample.merchant_id,
                "note": note,
            },
        )
    return sample
