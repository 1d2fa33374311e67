"""Merchant credentials (QC-3): licences, brand registrations, brand authorisation links, test
reports, food licences and cosmetics filings. Recruiters (``sourcing.change`` over the merchant's
department) and QC (``quality.change``) record them; only QC verifies. Any change to a credential's
substance sends it back to “not yet verified”."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liveops.core.access import access_for
from liveops.core.audit import audit_action, model_create, model_update
from liveops.core.errors import Conflict, DomainError, NotAllowed
from liveops.sourcing.models import Brand, Credential, Merchant, Product


def _require_record(actor, merchant: Merchant) -> None:
    if actor is None:
        return
    access = access_for(actor)
    if not (
        access.reaches_department("sourcing.change", merchant.department_id)
        or access.reaches_department("quality.change", merchant.department_id)
    ):
        raise NotAllowed(_("You are not allowed to do this."))


def _validate(
    *,
    merchant: Merchant,
    kind: str,
    number: str,
    brand: Brand | None,
    grantor: Merchant | None,
    product: Product | None,
    issued_on: dt.date | None,
    expires_on: dt.date | None,
    exclude_pk: int | None = None,
) -> None:
    fields: dict[str, list[str]] = {}
    if kind not in Credential.Kind.values:
        fields["kind"] = [_("Unknown kind of credential.")]
    if not number:
        fields["number"] = [_("This field is required.")]
    if kind == Credential.Kind.BRAND_AUTHORISATION:
        if brand is None:
            fields["brand"] = [_("A brand authorisation names the brand.")]
        if grantor is None:
            fields["grantor"] = [_("A brand authorisation names who grants it.")]
        elif grantor.pk == merchant.pk:
            fields["grantor"] = [_("A merchant cannot authorise itself.")]
    elif grantor is not None:
        fields["grantor"] = [_("Only a brand authorisation has a grantor.")]
    if kind == Credential.Kind.BRAND_REGISTRATION and brand is None:
        fields["brand"] = [_("A brand registration names the brand.")]
    if product is not None and product.merchant_id != merchant.pk:
        fields["product"] = [_("The product belongs to another merchant.")]
    if issued_on and expires_on and expires_on < issued_on:
        fields["expires_on"] = [_("The expiry date is before the issue date.")]
    if fields:
        raise DomainError(_("Some values are not valid."), code="invalid", fields=fields)
    if Credential.objects.filter(merchant=merchant, kind=kind, number=number).exclude(pk=exclude_pk).exists():
        raise Conflict(
            _("This merchant already has a %(kind)s numbered %(number)s.")
            % {"kind": Credential.Kind(kind).label, "number": number},
            code="duplicate",
            fields={"number": [_("Already on file.")]},
        )


@transaction.atomic
def credential_create(
    *,
    actor,
    merchant: Merchant,
    kind: str,
    number: str,
    issued_on: dt.date | None = None,
    expires_on: dt.date | None = None,
    brand: Brand | None = None,
    grantor: Merchant | None = None,
    product: Product | None = None,
    file=None,
) -> Credential:
    """Record a credential of ``merchant``; it starts as not yet verified."""
    _require_record(actor, merchant)
    number = (number or "").strip()
    _validate(
        merchant=merchant,
        kind=kind,
        number=number,
        brand=brand,
        grantor=grantor,
        product=product,
        issued_on=issued_on,
        expires_on=expires_on,
    )
    data = {
        "merchant": merchant,
        "kind": kind,
        "number": number,
        "brand": brand,
        "grantor": grantor,
        "product": product,
        "issued_on": issued_on,
        "expires_on": expires_on,
    }
    if file:
        data["file"] = file
    return model_create(actor=actor, model=Credential, **data)


@transaction.atomic
def credential_update(*, actor, credential: Credential, data: dict) -> Credential:
    """Change a credential. A change to its substance (number, dates, brand, grantor, file…) resets
    the verification: QC must look at it again."""
    _require_record(actor, credential.merchant)
    data = dict(data)
    if "number" in data:
        data["number"] = (data["number"] or "").strip()
    merged = {
        k: data.get(k, getattr(credential, k))
        for k in ("kind", "number", "brand", "grantor", "product", "issued_on", "expires_on")
    }
    _validate(merchant=credential.merchant, exclude_pk=credential.pk, **merged)
    current = {
        "kind": credential.kind,
        "number": credential.number,
        "brand": credential.brand_id,
        "grantor": credential.grantor_id,
        "product": credential.product_id,
        "issued_on": credential.issued_on,
        "expires_on": credential.expires_on,
    }
    substance_changed = any(
        k in data and getattr(data[k], "pk", data[k]) != v for k, v in current.items()
    ) or bool(data.get("file"))
    if "file" in data and not data["file"]:
        data.pop("file")
    if substance_changed and credential.verification != Credential.Verification.PENDING:
        data.update(
            {"verification": Credential.Verification.PENDING, "verified_by": None, "verified_at": None}
        )
    credential, _changed = model_update(actor=actor, instance=credential, data=data)
    return credential


@transaction.atomic
def credential_verify(*, actor, credential: Credential, verified: bool, note: str = "") -> Credential:
    """QC's verdict on a credential (QC-3): verified, or rejected with a reason. Records who and when."""
    if actor is None or not access_for(actor).reaches_department(
        "quality.change", credential.merchant.department_id
    ):
        raise NotAllowed(_("Only quality control may verify credentials."))
    note = (note or "").strip()
    if not verified and not note:
        raise DomainError(
            _("Say why the credential is rejected."),
            code="invalid",
            fields={"note": [_("This field is required.")]},
        )
    if verified and credential.expires_on is not None and credential.expires_on < timezone.localdate():
        raise DomainError(
            _("An expired credential cannot be verified."),
            code="expired",
            fields={"expires_on": [_("Expired.")]},
        )
    status = Credential.Verification.VERIFIED if verified else Credential.Verification.REJECTED
    credential, _changed = model_update(
        actor=actor,
        instance=credential,
        data={"verification": status, "verified_by": actor, "verified_at": timezone.now()},
    )
    audit_action(
        actor=actor, instance=credential, verb="verify" if verified else "reject", details={"note": note}
    )
    return credential
