"""The gate every product passes before it can be approved or put on a live line-up (QC-3, QC-4):
no active block on the product or its merchant, and every required credential present, verified and
valid, including each link of the brand authorisation chain. Services in sourcing (approval) and
later in live operations (line-ups) call ``approval_blockers`` and refuse while it returns anything."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from liveops.quality.models import Block
from liveops.sourcing.models import Credential, Merchant, Product

# Every merchant needs a valid business licence, whatever it sells.
ALWAYS_REQUIRED = (Credential.Kind.BUSINESS_LICENCE,)
MAX_CHAIN_LINKS = 6


@dataclass(frozen=True)
class Blocker:
    code: str  # blocked | credential_missing | credential_expired | credential_unverified | authorisation_chain
    message: str
    credential_id: int | None = None


def _credential_problem(cred: Credential | None, label: str, day: dt.date) -> Blocker | None:
    if cred is None:
        return Blocker("credential_missing", _("Required credential missing: %(name)s.") % {"name": label})
    if cred.expires_on is not None and cred.expires_on < day:
        return Blocker(
            "credential_expired",
            _("%(name)s %(number)s expired on %(date)s.") % {"name": label, "number": cred.number, "date": cred.expires_on.isoformat()},
            cred.pk,
        )
    if cred.verification != Credential.Verification.VERIFIED:
        return Blocker("credential_unverified", _("%(name)s %(number)s is not verified by QC.") % {"name": label, "number": cred.number}, cred.pk)
    return None


def _best(creds: list[Credential], day: dt.date) -> Credential | None:
    """The most useful credential of a kind: a valid one if any, else the latest expiring."""
    valid = [c for c in creds if c.is_valid_on(day)]
    if valid:
        return valid[0]
    return max(creds, key=lambda c: (c.expires_on or dt.date.max)) if creds else None


def authorisation_chain_blockers(*, merchant: Merchant, brand, day: dt.date) -> list[Blocker]:
    """Walk the chain brand owner → … → merchant. Each link is a brand_authorisation credential held
    by the grantee and granted by the next merchant up; every link must be verified and in force."""
    if brand is None or brand.owner_id is None or brand.owner_id == merchant.pk:
        return []
    current, seen = merchant, set()
    for _i in range(MAX_CHAIN_LINKS):
        links = list(Credential.objects.filter(merchant=current, brand=brand, kind=Credential.Kind.BRAND_AUTHORISATION).select_related("grantor"))
        link = _best(links, day)
        label = _("Brand authorisation for %(brand)s held by %(merchant)s") % {"brand": brand.name, "merchant": current.name}
        problem = _credential_problem(link, label, day)
        if problem:
            return [Blocker("authorisation_chain", problem.message, problem.credential_id)]
        if link.grantor_id == brand.owner_id:
            return []
        if link.grantor_id in seen:
            break
        seen.add(current.pk)
        current = link.grantor
    return [Blocker("authorisation_chain", _("The authorisation chain for %(brand)s does not reach the brand owner.") % {"brand": brand.name})]


def approval_blockers(*, product: Product, day: dt.date | None = None) -> list[Blocker]:
    """Everything that stops ``product`` from being approved or scheduled today; empty when clear."""
    day = day or timezone.localdate()
    out: list[Blocker] = []
    for block in Block.objects.filter(lifted_at__isnull=True).filter(product=product) | Block.objects.filter(lifted_at__isnull=True, merchant_id=product.merchant_id):
        target = _("Product") if block.product_id else _("Merchant")
        out.append(Blocker("blocked", _("%(target)s is on the blocklist: %(reason)s") % {"target": target, "reason": block.reason}))
    if product.stage == "rejected":
        out.append(Blocker("rejected", _("The product was rejected: %(reason)s") % {"reason": product.reject_reason}))
    required = list(ALWAYS_REQUIRED) + [k for k in (product.category.required_credentials or []) if k not in ALWAYS_REQUIRED]
    creds = list(Credential.objects.filter(merchant_id=product.merchant_id, kind__in=required))
    for kind in required:
        # A product-specific credential (test report, cosmetics filing) counts for its product only.
        candidates = [c for c in creds if c.kind == kind and (c.product_id is None or c.product_id == product.pk)]
        problem = _credential_problem(_best(candidates, day), str(Credential.Kind(kind).label), day)
        if problem:
            out.append(problem)
    out += authorisation_chain_blockers(merchant=product.merchant, brand=product.brand, day=day)
    return out
