"""Writes to the product library (MR-2, MR-4, MC-3, MC-4): products (SPU) with duplicate detection
on the normalised title within a merchant, SKUs with unique barcodes, price history, and the
category tree with its standards register."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liveops.core.audit import model_create, model_update
from liveops.core.errors import Conflict, DomainError
from liveops.core.pinyin import pinyin_full, pinyin_initials
from liveops.sourcing.models import (
    Brand,
    Category,
    Credential,
    Merchant,
    PriceRecord,
    Product,
    ProductSearchToken,
    Sku,
)
from liveops.sourcing.services.merchants import require

_TITLE_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)
BARCODE = re.compile(r"^\d{8,14}$")


def product_title_normalise(title: str) -> str:
    """Comparable title: full-width folded, lower case, without spaces and punctuation."""
    return _TITLE_NOISE.sub("", unicodedata.normalize("NFKC", title or "").lower())


def product_names(title: str) -> dict[str, str]:
    """Search columns derived from a title (within the column sizes)."""
    return {"title_pinyin": pinyin_full(title)[:200], "title_initials": pinyin_initials(title)[:100]}


def product_title_tokens(title: str) -> set[str]:
    """Search tokens of a title (``ProductSearchToken``): the distinct character bigrams of the
    normalised title, plus its last character so that every character starts at least one token (a
    one-character search is a prefix range on the tokens)."""
    core = product_title_normalise(title)
    if not core:
        return set()
    return {core[i : i + 2] for i in range(len(core) - 1)} | {core[-1]}


TOKEN_CHUNK = 1000


def product_tokens_rebuild(product_ids) -> int:
    """Recompute the search tokens of the given products from their stored titles (bulk: chunks of
    ``TOKEN_CHUNK`` products, one delete, one read and one ``bulk_create`` each). Returns the number
    of tokens written. Call after any write of ``Product.title`` that bypasses ``product_create`` /
    ``product_update`` (bulk loads, importers)."""
    ids = list(dict.fromkeys(int(pk) for pk in product_ids))
    written = 0
    for start in range(0, len(ids), TOKEN_CHUNK):
        chunk = ids[start : start + TOKEN_CHUNK]
        ProductSearchToken.objects.filter(product_id__in=chunk).delete()
        rows = [
            ProductSearchToken(product_id=pk, token=token)
            for pk, title in Product.objects.filter(pk__in=chunk).values_list("pk", "title")
            for token in sorted(product_title_tokens(title))
        ]
        ProductSearchToken.objects.bulk_create(rows, batch_size=2000)
        written += len(rows)
    return written


def product_title_duplicate(
    *, merchant: Merchant, title: str, exclude_pk: int | None = None
) -> Product | None:
    """A product of ``merchant`` with the same normalised title, if any."""
    core = product_title_normalise(title)
    qs = Product.objects.filter(merchant=merchant).exclude(pk=exclude_pk).only("id", "title")
    for p in qs.iterator(chunk_size=2000):
        if product_title_normalise(p.title) == core:
            return p
    return None


def _money(value, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except Exception as exc:
        raise DomainError(_("Not an amount."), code="invalid", fields={field: [_("Not an amount.")]}) from exc
    if amount < 0 or amount.adjusted() >= 13:
        raise DomainError(
            _("The amount is out of range."), code="invalid", fields={field: [_("Out of range.")]}
        )
    return amount


def _check_title(*, merchant: Merchant, title: str, exclude_pk: int | None = None) -> str:
    title = re.sub(r"\s+", " ", (title or "").strip())
    if not product_title_normalise(title):
        raise DomainError(
            _("Give the product a title."), code="invalid", fields={"title": [_("This field is required.")]}
        )
    dup = product_title_duplicate(merchant=merchant, title=title, exclude_pk=exclude_pk)
    if dup is not None:
        raise Conflict(
            _("This merchant already has the product “%(title)s”.") % {"title": dup.title},
            code="duplicate",
            fields={"title": [_("Already on file for this merchant (#%(id)s).") % {"id": dup.pk}]},
        )
    return title


@transaction.atomic
def product_create(
    *,
    actor,
    merchant: Merchant,
    category: Category,
    title: str,
    brand: Brand | None = None,
    merchant_code: str = "",
    selling_points: str = "",
    target_audience: str = "",
    regular_price: Decimal | None = None,
    competitor_price: Decimal | None = None,
) -> Product:
    """Add a candidate product of ``merchant`` (MR-2). Prices given are also recorded in the price history."""
    require(actor, "sourcing.change", merchant.department_id)
    title = _check_title(merchant=merchant, title=title)
    regular_price = _money(regular_price, "regular_price")
    competitor_price = _money(competitor_price, "competitor_price")
    product = model_create(
        actor=actor,
        model=Product,
        merchant=merchant,
        category=category,
        brand=brand,
        title=title,
        merchant_code=(merchant_code or "").strip(),
        selling_points=selling_points or "",
        target_audience=target_audience or "",
        regular_price=regular_price,
        competitor_price=competitor_price,
        department_id=merchant.department_id,
        **product_names(title),
    )
    product_tokens_rebuild([product.pk])
    today = timezone.localdate()
    if regular_price is not None:
        PriceRecord.objects.create(
            product=product, kind=PriceRecord.Kind.REGULAR, price=regular_price, recorded_on=today
        )
    if competitor_price is not None:
        PriceRecord.objects.create(
            product=product, kind=PriceRecord.Kind.COMPETITOR, price=competitor_price, recorded_on=today
        )
    return product


@transaction.atomic
def product_update(*, actor, product: Product, data: dict) -> Product:
    """Change a product's library fields. A new regular or competitor price is also added to the price
    history. The pipeline stage is not changed here (that is the selection pipeline's job)."""
    require(actor, "sourcing.change", product.department_id)
    data = {
        k: v
        for k, v in data.items()
        if k not in ("stage", "stage_entered_at", "reject_reason", "department", "merchant")
    }
    old_title = product.title
    if "title" in data:
        data["title"] = _check_title(merchant=product.merchant, title=data["title"], exclude_pk=product.pk)
        data.update(product_names(data["title"]))
    new_prices = {}
    for field, kind in (
        ("regular_price", PriceRecord.Kind.REGULAR),
        ("competitor_price", PriceRecord.Kind.COMPETITOR),
    ):
        if field in data:
            data[field] = _money(data[field], field)
            if data[field] is not None and data[field] != getattr(product, field):
                new_prices[kind] = data[field]
    product, _changed = model_update(actor=actor, instance=product, data=data)
    if product.title != old_title:
        product_tokens_rebuild([product.pk])
    for kind, price in new_prices.items():
        PriceRecord.objects.create(product=product, kind=kind, price=price, recorded_on=timezone.localdate())
    return product


def _check_sku(
    *, product: Product, sku_code: str, barcode: str | None, exclude_pk: int | None = None
) -> None:
    fields: dict[str, list[str]] = {}
    if not sku_code:
        fields["sku_code"] = [_("This field is required.")]
    if barcode and not BARCODE.match(barcode):
        fields["barcode"] = [_("A barcode has 8 to 14 digits.")]
    if fields:
        raise DomainError(_("Some values are not valid."), code="invalid", fields=fields)
    if barcode:
        other = Sku.objects.filter(barcode=barcode).exclude(pk=exclude_pk).select_related("product").first()
        if other is not None:
            raise Conflict(
                _("Barcode %(barcode)s is already used by “%(title)s”.")
                % {"barcode": barcode, "title": other.product.title},
                code="duplicate",
                fields={"barcode": [_("Already on file.")]},
            )
    if Sku.objects.filter(product=product, sku_code=sku_code).exclude(pk=exclude_pk).exists():
        raise Conflict(
            _("This product already has a SKU with this merchant code."),
            code="duplicate",
            fields={"sku_code": [_("Already on file.")]},
        )


@transaction.atomic
def sku_save(
    *,
    actor,
    product: Product,
    sku_code: str,
    sku: Sku | None = None,
    barcode: str | None = None,
    spec: str = "",
    price: Decimal | None = None,
) -> Sku:
    """Add a SKU to ``product`` (or change ``sku``). Barcodes are unique across the library."""
    require(actor, "sourcing.change", product.department_id)
    sku_code = (sku_code or "").strip()
    barcode = (barcode or "").strip() or None
    _check_sku(product=product, sku_code=sku_code, barcode=barcode, exclude_pk=getattr(sku, "pk", None))
    values = {
        "sku_code": sku_code,
        "barcode": barcode,
        "spec": (spec or "").strip(),
        "price": _money(price, "price"),
    }
    if sku is None:
        return model_create(actor=actor, model=Sku, product=product, **values)
    if sku.product_id != product.pk:
        raise DomainError(_("The SKU belongs to another product."))
    sku, _changed = model_update(actor=actor, instance=sku, data=values)
    return sku


@transaction.atomic
def price_record_add(
    *,
    actor,
    product: Product,
    kind: str,
    price: Decimal,
    recorded_on: dt.date | None = None,
    source: str = "",
) -> PriceRecord:
    """Add a price seen on a day: ours (regular, live) or a competitor's (MC-3)."""
    require(actor, "sourcing.change", product.department_id)
    amount = _money(price, "price")
    if amount is None:
        raise DomainError(
            _("Give the price."), code="invalid", fields={"price": [_("This field is required.")]}
        )
    if kind not in PriceRecord.Kind.values:
        raise DomainError(_("Unknown kind of price."), code="invalid", fields={"kind": [_("Unknown.")]})
    recorded_on = recorded_on or timezone.localdate()
    if recorded_on > timezone.localdate():
        raise DomainError(
            _("A price cannot be recorded for a future day."),
            code="invalid",
            fields={"recorded_on": [_("In the future.")]},
        )
    return model_create(
        actor=actor,
        model=PriceRecord,
        product=product,
        kind=kind,
        price=amount,
        recorded_on=recorded_on,
        source=(source or "").strip(),
    )


# Category tree and standards register (MC-4) ------------------------------------------------------

_GB = re.compile(r"^(GB|GB/T|GB/Z|QB|QB/T|SB/T|NY/T|T/[A-Z]+|[A-Z]{2}(/T)?)\s?[\d.]+(-\d{4})?(\s.*)?$")


def _clean_standards(text: str) -> str:
    lines = [re.sub(r"\s+", " ", line.strip()) for line in (text or "").splitlines()]
    lines = [line for line in lines if line]
    bad = [line for line in lines if not _GB.match(line.upper())]
    if bad:
        raise DomainError(
            _("Not a standard number: %(lines)s. Write one per line, e.g. GB/T 29665-2013.")
            % {"lines": ", ".join(bad[:3])},
            code="invalid",
            fields={"standards": [_("One standard number per line, e.g. GB/T 29665-2013.")]},
        )
    return "\n".join(lines)


def _clean_required(kinds) -> list[str]:
    kinds = list(dict.fromkeys(kinds or []))
    unknown = [k for k in kinds if k not in Credential.Kind.values]
    if unknown:
        raise DomainError(
            _("Unknown credential kinds: %(kinds)s.") % {"kinds": ", ".join(unknown)},
            code="invalid",
            fields={"required_credentials": [_("Unknown.")]},
        )
    return kinds


@transaction.atomic
def category_save(
    *,
    actor,
    code: str,
    name_zh: str,
    category: Category | None = None,
    name_en: str = "",
    parent: Category | None = None,
    standards: str = "",
    required_credentials: list[str] | None = None,
) -> Category:
    """Add or change a category with its standards (GB numbers) and required credential kinds. The
    register is company-wide: heads of recruitment (``sourcing.approve``) keep it."""
    require(actor, "sourcing.approve")
    values = {
        "code": (code or "").strip(),
        "name_zh": (name_zh or "").strip(),
        "name_en": (name_en or "").strip(),
        "parent": parent,
        "standards": _clean_standards(standards),
        "required_credentials": _clean_required(required_credentials),
    }
    if parent is not None and category is not None:
        node = parent
        while node is not None:
            if node.pk == category.pk:
                raise DomainError(
                    _("A category cannot sit below itself."),
                    code="invalid",
                    fields={"parent": [_("Would make a loop.")]},
                )
            node = node.parent
    if Category.objects.filter(code=values["code"]).exclude(pk=getattr(category, "pk", None)).exists():
        raise Conflict(
            _("Category code %(code)s is already in use.") % {"code": values["code"]},
            code="duplicate",
            fields={"code": [_("Already in use.")]},
        )
    if category is None:
        return model_create(actor=actor, model=Category, **values)
    category, _changed = model_update(actor=actor, instance=category, data=values)
    return category
