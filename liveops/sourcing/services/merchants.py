"""Writes to the merchant library (MR-1, MR-4): merchants with duplicate detection on the name and
the unified social credit code (USCC), their contacts, the communication and negotiation log (MR-5),
and brands. Keyword-only, one transaction each, capability checked, audited."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from liveops.core.access import access_for
from liveops.core.audit import audit_action, model_create, model_update
from liveops.core.errors import Conflict, DomainError, NotAllowed
from liveops.core.pinyin import pinyin_full, pinyin_initials
from liveops.org.models import Department, Staff
from liveops.sourcing.models import Brand, Category, Merchant, MerchantContact, MerchantLog

# Permissions -------------------------------------------------------------------------------------


def require(actor, capability: str, department_id: int | None = None) -> None:
    """Refuse (``NotAllowed``) unless ``actor`` holds ``capability`` (over ``department_id`` if given).
    ``actor=None`` is the system itself (importers run from the CLI) and may do everything."""
    if actor is None:
        return
    access = access_for(actor)
    ok = (
        access.can(capability)
        if department_id is None
        else access.reaches_department(capability, department_id)
    )
    if not ok:
        raise NotAllowed(_("You are not allowed to do this."))


# Unified social credit code (GB 32100-2015) -----------------------------------------------------

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def uscc_check_char(first17: str) -> str:
    """The 18th (check) character for the first 17 characters of a USCC."""
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31]


def uscc_normalise(value: str | None) -> str:
    """Upper case without spaces; empty when nothing was given."""
    return re.sub(r"\s+", "", value or "").upper()


def uscc_error(value: str) -> str | None:
    """Why ``value`` (already normalised) is not a valid USCC, or None when it is."""
    if len(value) != 18:
        return _("A unified social credit code has 18 characters.")
    if not _USCC_SHAPE.match(value):
        return _(
            "Not a unified social credit code: digits and capital letters except I, O, S, V and Z, with the area code in characters 3 to 8."
        )
    if uscc_check_char(value[:17]) != value[17]:
        return _("The check character (the 18th) does not match: the code has a typing error.")
    return None


def uscc_is_valid(value: str | None) -> bool:
    return bool(value) and uscc_error(uscc_normalise(value)) is None


# Names --------------------------------------------------------------------------------------------

_BRACKETS = "()（）[]【】〔〕{}<>《》「」"
_SPACES_PUNCT = re.compile(r"[\s·.,，。、_\-—/\\'\"“”‘’]+")
# Longest first: “股份有限公司” must not leave “股份” behind.
_COMPANY_SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "总公司",
    "公司",
    "coltd",
    "limited",
    "ltd",
    "inc",
)


def merchant_name_normalise(name: str) -> str:
    """The comparable core of a company name: full-width folded, lower case, without spaces,
    brackets and punctuation, and without a company-form suffix (有限公司, 有限责任公司, Co., Ltd.…).
    ``杭州 自然堂（集团）有限公司`` and ``杭州自然堂集团有限责任公司`` give the same core."""
    text = unicodedata.normalize("NFKC", name or "").lower()
    text = text.translate({ord(c): None for c in _BRACKETS})
    text = _SPACES_PUNCT.sub("", text)
    changed = True
    while changed:
        changed = False
        for suffix in _COMPANY_SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix):
                text = text[: -len(suffix)]
                changed = True
                break
    return text


def merchant_names(name: str) -> dict[str, str]:
    """Search columns derived from a merchant name (full pinyin and initials, within the column sizes)."""
    return {"name_pinyin": pinyin_full(name)[:400], "name_initials": pinyin_initials(name)[:120]}


@dataclass(frozen=True)
class Similar:
    merchant: Merchant
    exact: bool
    ratio: float


def merchant_similar(*, name: str, exclude_pk: int | None = None, limit: int = 10) -> list[Similar]:
    """Merchants whose normalised name equals (``exact``) or resembles ``name``. Candidates are found
    with two bounded ``LIKE`` lookups on pieces of the normalised name, then compared in Python."""
    core = merchant_name_normalise(name)
    if not core:
        return []
    pieces = {core[:2], core[-2:]} if len(core) >= 2 else {core}
    cond = Q()
    for piece in pieces:
        cond |= Q(name__icontains=piece)
    qs = Merchant.objects.filter(cond)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    out: list[Similar] = []
    for m in qs.order_by("id")[:500]:
        other = merchant_name_normalise(m.name)
        if other == core:
            out.append(Similar(m, True, 1.0))
            continue
        ratio = difflib.SequenceMatcher(None, core, other).ratio()
        contained = len(other) >= 2 and len(core) >= 2 and (other in core or core in other)
        if ratio >= 0.75 or contained:
            out.append(Similar(m, False, max(ratio, 0.75 if contained else ratio)))
    out.sort(key=lambda s: (not s.exact, -s.ratio, s.merchant.pk))
    return out[:limit]


def _check_duplicates(*, name: str, uscc: str | None, exclude_pk: int | None = None) -> None:
    fields: dict[str, list[str]] = {}
    if uscc:
        other = Merchant.objects.filter(uscc=uscc).exclude(pk=exclude_pk).first()
        if other is not None:
            fields["uscc"] = [_("Already on file for merchant “%(name)s”.") % {"name": other.name}]
    exact = [s for s in merchant_similar(name=name, exclude_pk=exclude_pk) if s.exact]
    if exact:
        fields["name"] = [
            _("Merchant “%(name)s” is already on file with the same name.") % {"name": exact[0].merchant.name}
        ]
    if fields:
        raise Conflict(_("This merchant is already on file."), code="duplicate", fields=fields)


def _clean_uscc(uscc: str | None) -> str | None:
    value = uscc_normalise(uscc)
    if not value:
        return None
    problem = uscc_error(value)
    if problem:
        raise DomainError(problem, code="invalid", fields={"uscc": [problem]})
    return value


def _clean_name(name: str) -> str:
    name = re.sub(r"\s+", " ", (name or "").strip())
    if not merchant_name_normalise(name):
        raise DomainError(
            _("Give the merchant a name."), code="invalid", fields={"name": [_("This field is required.")]}
        )
    return name


# Merchants ----------------------------------------------------------------------------------------


@transaction.atomic
def merchant_create(
    *,
    actor,
    name: str,
    kind: str,
    department: Department,
    uscc: str | None = None,
    level: str = Merchant.Level.TRIAL,
    status: str = Merchant.Status.PROSPECT,
    city: str = "",
    notes: str = "",
    owner: Staff | None = None,
    categories: Iterable[Category] = (),
) -> Merchant:
    """Add a merchant to the library (MR-1). Refuses an invalid USCC and exact duplicates (same USCC,
    or the same name once spaces, brackets and the company-form suffix are ignored)."""
    require(actor, "sourcing.change", department.pk)
    name = _clean_name(name)
    uscc = _clean_uscc(uscc)
    _check_duplicates(name=name, uscc=uscc)
    merchant = model_create(
        actor=actor,
        model=Merchant,
        name=name,
        uscc=uscc,
        kind=kind,
        level=level,
        status=status,
        department=department,
        owner=owner,
        city=city,
        notes=notes,
        **merchant_names(name),
    )
    cats = list(categories)
    if cats:
        merchant.categories.set(cats)
        audit_action(
            actor=actor, instance=merchant, verb="categories", details={"after": sorted(c.code for c in cats)}
        )
    return merchant


@transaction.atomic
def merchant_update(*, actor, merchant: Merchant, data: dict) -> Merchant:
    """Change a merchant; moving it to another department needs rights over both. ``categories`` in
    ``data`` replaces the merchant's categories."""
    require(actor, "sourcing.change", merchant.department_id)
    data = dict(data)
    if "department" in data and data["department"].pk != merchant.department_id:
        require(actor, "sourcing.change", data["department"].pk)
    categories = data.pop("categories", None)
    if "name" in data:
        data["name"] = _clean_name(data["name"])
        data.update(merchant_names(data["name"]))
    if "uscc" in data:
        data["uscc"] = _clean_uscc(data["uscc"])
    if "name" in data or "uscc" in data:
        _check_duplicates(
            name=data.get("name", merchant.name), uscc=data.get("uscc", merchant.uscc), exclude_pk=merchant.pk
        )
    merchant, _changed = model_update(actor=actor, instance=merchant, data=data)
    if categories is not None:
        before = sorted(merchant.categories.values_list("code", flat=True))
        after = sorted(c.code for c in categories)
        if before != after:
            merchant.categories.set(list(categories))
            audit_action(
                actor=actor, instance=merchant, verb="categories", details={"before": before, "after": after}
            )
    return merchant


# Contacts -----------------------------------------------------------------------------------------

_PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$")


def _clean_phone(phone: str) -> str:
    value = re.sub(r"[\s]", "", phone or "")
    value = re.sub(r"^\+?86(?=1\d{10}$)", "", value)
    if value and not _PHONE.match(value):
        raise DomainError(
            _("Not a phone number: 11 digits starting with 1, or a landline with area code."),
            code="invalid",
            fields={"phone": [_("Not a phone number.")]},
        )
    return value


@transaction.atomic
def contact_save(
    *,
    actor,
    merchant: Merchant,
    name: str,
    contact: MerchantContact | None = None,
    title: str = "",
    phone: str = "",
    email: str = "",
    wechat: str = "",
    is_primary: bool = False,
) -> MerchantContact:
    """Add a contact person (or change ``contact``). Making one primary un-marks the previous one."""
    require(actor, "sourcing.change", merchant.department_id)
    if contact is not None and contact.merchant_id != merchant.pk:
        raise DomainError(_("The contact belongs to another merchant."))
    if not (name or "").strip():
        raise DomainError(
            _("Give the contact a name."), code="invalid", fields={"name": [_("This field is required.")]}
        )
    values = {
        "name": name.strip(),
        "title": title.strip(),
        "phone": _clean_phone(phone),
        "email": (email or "").strip(),
        "wechat": (wechat or "").strip(),
        "is_primary": bool(is_primary),
    }
    if is_primary:
        for previous in merchant.contacts.filter(is_primary=True).exclude(pk=getattr(contact, "pk", None)):
            model_update(actor=actor, instance=previous, data={"is_primary": False})
    if contact is None:
        return model_create(actor=actor, model=MerchantContact, merchant=merchant, **values)
    contact, _changed = model_update(actor=actor, instance=contact, data=values)
    return contact


# Communication and negotiation log (MR-5) -------------------------------------------------------


@transaction.atomic
def merchant_log_add(
    *, actor, merchant: Merchant, kind: str, summary: str, at: dt.datetime | None = None
) -> MerchantLog:
    """Record a call, visit, WeChat exchange, meeting or negotiation round with a merchant."""
    require(actor, "sourcing.change", merchant.department_id)
    if not (summary or "").strip():
        raise DomainError(
            _("Write what was discussed."), code="invalid", fields={"summary": [_("This field is required.")]}
        )
    if at is not None and at > timezone.now() + dt.timedelta(minutes=5):
        raise DomainError(
            _("A log entry cannot be in the future."), code="invalid", fields={"at": [_("In the future.")]}
        )
    return model_create(
        actor=actor,
        model=MerchantLog,
        merchant=merchant,
        kind=kind,
        summary=summary.strip(),
        at=at or timezone.now(),
        by=actor if actor is not None and actor.is_authenticated else None,
    )


# Brands -------------------------------------------------------------------------------------------


@transaction.atomic
def brand_create(
    *, actor, name: str, owner: Merchant | None = None, name_en: str = "", trademark_no: str = ""
) -> Brand:
    """Register a brand, owned by a brand-owner merchant (whose department the actor must reach)."""
    if owner is not None:
        require(actor, "sourcing.change", owner.department_id)
    else:
        require(actor, "sourcing.change")
    name = (name or "").strip()
    if not name:
        raise DomainError(
            _("Give the brand a name."), code="invalid", fields={"name": [_("This field is required.")]}
        )
    if Brand.objects.filter(name__iexact=name).exists():
        raise Conflict(
            _("Brand “%(name)s” is already on file.") % {"name": name},
            code="duplicate",
            fields={"name": [_("Already on file.")]},
        )
    return model_create(
        actor=actor,
        model=Brand,
        name=name,
        owner=owner,
        name_en=name_en.strip(),
        trademark_no=trademark_no.strip(),
    )
