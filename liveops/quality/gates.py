"""The gate every product passes before it can be approved or put on a live line-up (QC-3, QC-4):
no active block on the product or its merchant, and every required credential present, verified and
valid, including each link of the brand authorisation chain. Services in sourcing (approval) and
later in live operations (line-ups) call ``approval_blockers`` and refuse while it returns anything."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from liveops.quality.models import Block
from liveops.sourcing.models import Category, Credential, Merchant, Product

# Every merchant needs a valid business licence, whatever it sells.
ALWAYS_REQUIRED = (Credential.Kind.BUSINESS_LICENCE,)
# Kinds checked by walking the brand authorisation chain, not as a plain "has one" requirement: the
# brand owner itself holds no authorisation, and a distributor needs one link per hop.
CHAIN_KINDS = (Credential.Kind.BRAND_AUTHORISATION,)
MAX_CHAIN_LINKS = 6
MAX_CATEGORY_DEPTH = 10


@dataclass(frozen=True)
class Blocker:
    """One reason a product cannot be approved. ``code`` is one of: blocked, rejected,
    credential_missing, credential_expired, credential_not_yet_valid, credential_unverified,
    authorisation_chain."""

    code: str
    message: str
    credential_id: int | None = None


def required_kinds(category: Category | None) -> list[str]:
    """Credential kinds a product of ``category`` needs: the business licence, plus the kinds named by
    the category and each of its ancestors (a face cream under skincare needs the skincare filing).
    Brand authorisation is left out: the chain check covers it."""
    kinds: list[str] = list(ALWAYS_REQUIRED)
    current, depth = category, 0
    while current is not None and depth < MAX_CATEGORY_DEPTH:
        for kind in current.required_credentials or []:
            if kind not in kinds and kind not in CHAIN_KINDS and kind in Credential.Kind.values:
                kinds.append(kind)
        current = current.parent if current.parent_id else None
        depth += 1
    return kinds


def _credential_problem(cred: Credential | None, label: str, day: dt.date) -> Blocker | None:
    if cred is None:
        return Blocker("credential_missing", _("Required credential missing: %(name)s.") % {"name": label})
    if cred.expires_on is not None and cred.expires_on < day:
        return Blocker(
            "credential_expired",
            _("%(name)s %(number)s expired on %(date)s.")
            % {"name": label, "number": cred.number, "date": cred.expires_on.isoformat()},
            cred.pk,
        )
    if cred.issued_on is not None and cred.issued_on > day:
        return Blocker(
            "credential_not_yet_valid",
            _("%(name)s %(number)s is not in force before %(date)s.")
            % {"name": label, "number": cred.number, "date": cred.issued_on.isoformat()},
            cred.pk,
        )
    if cred.verification == Credential.Verification.REJECTED:
        return Blocker(
            "credential_unverified",
            _("%(name)s %(number)s was rejected by QC.") % {"name": label, "number": cred.number},
            cred.pk,
        )
    if cred.verification != Credential.Verification.VERIFIED:
        return Blocker(
            "credential_unverified",
            _("%(name)s %(number)s is not verified by QC.") % {"name": label, "number": cred.number},
            cred.pk,
        )
    return None


def _best(creds: list[Credential], day: dt.date) -> Credential | None:
    """The most useful credential of a kind: a valid one if any, else the latest expiring."""
    valid = [c for c in creds if c.is_valid_on(day)]
    if valid:
        return valid[0]
    return max(creds, key=lambda c: (c.expires_on or dt.date.max, c.pk)) if creds else None


def authorisation_chain_blockers(*, merchant: Merchant, brand, day: dt.date) -> list[Blocker]:
    """Walk the chain brand owner → … → merchant. Each link is a brand_authorisation credential held
    by the grantee and granted by the next merchant up; every link must be verified and in force."""
    if brand is None or brand.owner_id is None or brand.owner_id == merchant.pk:
        return []
    current, seen = merchant, set()
    for _i in range(MAX_CHAIN_LINKS):
        links = list(
            Credential.objects.filter(
                merchant=current, brand=brand, kind=Credential.Kind.BRAND_AUTHORISATION
            ).select_related("grantor")
        )
        link = _best(links, day)
        label = _("Brand authorisation for %(brand)s held by %(merchant)s") % {
            "brand": brand.name,
            "merchant": current.name,
        }
        problem = _credential_problem(link, label, day)
        if problem:
            return [Blocker("authorisation_chain", problem.message, problem.credential_id)]
        if link.grantor_id == brand.owner_id:
            return []
        seen.add(current.pk)
        if link.grantor_id in seen:  # a loop: A authorised by B authorised by A
            break
        current = link.grantor
    return [
        Blocker(
            "authorisation_chain",
            _("The authorisation chain for %(brand)s does not reach the brand owner.")
            % {"brand": brand.name},
        )
    ]


def active_blocks(*, product: Product):
    """Active (not lifted) blocks on ``product`` or on its merchant."""
    return Block.objects.filter(
        Q(product_id=product.pk) | Q(merchant_id=product.merchant_id), lifted_at__isnull=True
    ).order_by("blocked_at", "pk")


def approval_blockers(*, product: Product, day: dt.date | None = None) -> list[Blocker]:
    """Everything that stops ``product`` from being approved or scheduled today; empty when clear."""
    day = day or timezone.localdate()
    out: list[Blocker] = []
    for block in active_blocks(product=product):
        target = _("Product") if block.product_id else _("Merchant")
        out.append(
            Blocker(
                "blocked",
                _("%(target)s is on the blocklist: %(reason)s") % {"target": target, "reason": block.reason},
            )
        )
    if product.stage == "rejected":
        out.append(
            Blocker("rejected", _("The product was rejected: %(reason)s") % {"reason": product.reject_reason})
        )
    required = required_kinds(product.category)
    brand_owner_id = product.brand.owner_id if product.brand_id else None
    creds = list(
        Credential.objects.filter(kind__in=required).filter(
            Q(merchant_id=product.merchant_id)
            # The brand registration is held by the brand owner; a distributor relies on the owner's.
            | Q(
                merchant_id=brand_owner_id, kind=Credential.Kind.BRAND_REGISTRATION, brand_id=product.brand_id
            )
        )
    )
    for kind in required:
        # A product-specific credential (test report, cosmetics filing) counts for its product only;
        # a brand-specific one (brand registration) for that brand only.
        candidates = [
            c
            for c in creds
            if c.kind == kind
            and (c.product_id is None or c.product_id == product.pk)
            and (c.brand_id is None or c.brand_id == product.brand_id)
        ]
        problem = _credential_problem(_best(candidates, day), str(Credential.Kind(kind).label), day)
        if problem:
            out.append(problem)
    out += authorisation_chain_blockers(merchant=product.merchant, brand=product.brand, day=day)
    return out
