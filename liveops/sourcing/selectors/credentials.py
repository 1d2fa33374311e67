"""Reads of merchant credentials (QC-3), scoped like their merchants: ``sourcing.view`` over the
merchant's department (QC reads company-wide)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from liveops.core.access import Access, scope_queryset
from liveops.quality.gates import Blocker, authorisation_chain_blockers
from liveops.sourcing.models import Brand, Credential, Merchant


def credential_list(
    *, access: Access, merchant: Merchant | None = None, kind: str = ""
) -> QuerySet[Credential]:
    qs = scope_queryset(
        Credential.objects.all(),
        access=access,
        capability="sourcing.view",
        department_field="merchant__department_id",
    )
    if merchant is not None:
        qs = qs.filter(merchant=merchant)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.select_related("merchant", "brand", "grantor", "product", "verified_by")


def credential_get(*, access: Access, pk: int) -> Credential | None:
    return credential_list(access=access).filter(pk=pk).first()


def credential_expiring(
    *, access: Access, within_days: int = 30, today: dt.date | None = None
) -> QuerySet[Credential]:
    """Credentials that expired already or expire within ``within_days`` days, soonest first
    (the credential expiry index keeps this cheap)."""
    today = today or timezone.localdate()
    limit = today + dt.timedelta(days=max(0, within_days))
    return credential_list(access=access).filter(expires_on__lte=limit).order_by("expires_on", "id")


def credential_expiry_split(*, access: Access, within_days: int = 30, today: dt.date | None = None) -> dict:
    """The expiry page: ``expired`` (before today) and ``expiring`` (today … today + within_days)."""
    today = today or timezone.localdate()
    rows = list(credential_expiring(access=access, within_days=within_days, today=today)[:2000])
    return {
        "expired": [c for c in rows if c.expires_on < today],
        "expiring": [c for c in rows if c.expires_on >= today],
        "today": today,
        "within_days": within_days,
        "truncated": len(rows) == 2000,
    }


@dataclass(frozen=True)
class ChainView:
    """A brand the merchant sells or is authorised for, with the links of its authorisation chain."""

    brand: Brand
    owned: bool
    links: list[Credential]
    blockers: list[Blocker]


def authorisation_chains(*, merchant: Merchant, day: dt.date | None = None) -> list[ChainView]:
    """For every brand the merchant owns, sells or holds an authorisation for: the chain of
    authorisation links up to the brand owner and what (if anything) breaks it."""
    day = day or timezone.localdate()
    brand_ids = set(
        Credential.objects.filter(merchant=merchant, kind=Credential.Kind.BRAND_AUTHORISATION).values_list(
            "brand_id", flat=True
        )
    )
    brand_ids |= set(merchant.products.exclude(brand=None).values_list("brand_id", flat=True))
    brand_ids |= set(merchant.brands_owned.values_list("id", flat=True))
    out = []
    for brand in Brand.objects.filter(pk__in=brand_ids).select_related("owner").order_by("name"):
        links: list[Credential] = []
        current, seen = merchant, set()
        while brand.owner_id and current.pk != brand.owner_id and current.pk not in seen and len(links) < 6:
            seen.add(current.pk)
            link = (
                Credential.objects.filter(
                    merchant=current, brand=brand, kind=Credential.Kind.BRAND_AUTHORISATION
                )
                .select_related("grantor", "merchant")
                .order_by("-expires_on", "-id")
                .first()
            )
            if link is None:
                break
            links.append(link)
            current = link.grantor
        out.append(
            ChainView(
                brand=brand,
                owned=brand.owner_id == merchant.pk,
                links=links,
                blockers=authorisation_chain_blockers(merchant=merchant, brand=brand, day=day),
            )
        )
    return out


def brand_list(*, access: Access, search: str = "") -> QuerySet[Brand]:
    """Brands are a company-wide register: anyone with ``sourcing.view`` reads it."""
    if not access.can("sourcing.view"):
        return Brand.objects.none()
    qs = Brand.objects.select_related("owner")
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(name_en__icontains=search))
    return qs
