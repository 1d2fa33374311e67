"""Reads of the product library, scoped on the product's department (``sourcing.view``).

Search must stay fast over 100,000+ products, so it only uses lookups an index serves or a bounded
scan: pinyin-initials and pinyin prefixes (indexed ``LIKE 'x%'``), exact barcode (unique index) and
exact merchant code (indexed), or the title containing the text — always the newest 50 by id, never a
``COUNT(*)`` of the table (pages show “50+”)."""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet

from liveops.core.access import Access, scope_queryset
from liveops.core.pinyin import pinyin_full
from liveops.sourcing.models import Category, PriceRecord, Product, Sku

SEARCH_LIMIT = 50
_DIGITS = re.compile(r"^\d{6,14}$")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-_.]{0,59}$")


def product_search_condition(q: str) -> Q | None:
    """The filter for a search text, built from indexed lookups only (plus ``title`` containment)."""
    s = (q or "").strip()
    if not s:
        return None
    cond = Q(title__contains=s)
    if _CODE.match(s):
        cond |= Q(merchant_code=s) | Q(
            pk__in=Sku.objects.filter(Q(sku_code=s) | Q(barcode=s)).values("product_id")
        )
    if _DIGITS.match(s):
        return cond
    if s.isascii():
        low = s.lower().replace(" ", "")
        if low.isalpha():
            cond |= Q(title_initials__startswith=low) | Q(title_pinyin__startswith=low)
    else:
        cond |= Q(title_pinyin__startswith=pinyin_full(s)[:200])
    return cond


def product_list(
    *,
    access: Access,
    q: str = "",
    merchant_id: int | None = None,
    category: str = "",
    stage: str = "",
    brand_id: int | None = None,
) -> QuerySet[Product]:
    """Products the actor may see, newest first; filters are all indexed columns."""
    qs = scope_queryset(Product.objects.all(), access=access, capability="sourcing.view")
    cond = product_search_condition(q)
    if cond is not None:
        qs = qs.filter(cond)
    if merchant_id:
        qs = qs.filter(merchant_id=merchant_id)
    if category:
        qs = qs.filter(category__code=category)
    if stage:
        qs = qs.filter(stage=stage)
    if brand_id:
        qs = qs.filter(brand_id=brand_id)
    return qs.select_related("merchant", "brand", "category").order_by("-id")


def product_search(
    *, access: Access, q: str = "", limit: int = SEARCH_LIMIT, **filters
) -> tuple[list[Product], bool]:
    """The first ``limit`` matches (newest first) and whether there are more — one bounded query.
    A code-like text (barcode, merchant code) is first looked up exactly, on the indexes alone."""
    s = (q or "").strip()
    if _CODE.match(s) and any(ch.isdigit() for ch in s):
        # Indexed columns only: the product's merchant code and the SKU barcode (unique).
        exact = Q(merchant_code=s) | Q(pk__in=Sku.objects.filter(barcode=s).values("product_id"))
        rows = list(product_list(access=access, **filters).filter(exact)[: limit + 1])
        if rows:
            return rows[:limit], len(rows) > limit
    rows = list(product_list(access=access, q=q, **filters)[: limit + 1])
    return rows[:limit], len(rows) > limit


def product_get(*, access: Access, pk: int) -> Product | None:
    return product_list(access=access).filter(pk=pk).first()


def price_series(*, product: Product) -> dict:
    """Price history for the line chart: dates, and one series per kind of price (None where absent)."""
    rows = list(product.prices.order_by("recorded_on", "id").values_list("recorded_on", "kind", "price"))
    days = sorted({d for d, _k, _p in rows})
    index = {d: i for i, d in enumerate(days)}
    series = []
    for kind, label in PriceRecord.Kind.choices:
        values: list[str | None] = [None] * len(days)
        for d, k, p in rows:
            if k == kind:
                values[index[d]] = str(p)
        if any(v is not None for v in values):
            series.append({"name": str(label), "data": values})
    return {"days": [d.isoformat() for d in days], "series": series}


def category_tree() -> list[dict]:
    """The category tree with each category's standards and required credential kinds (MC-4)."""
    from liveops.sourcing.models import Credential

    cats = list(Category.objects.select_related("parent").order_by("code"))
    by_parent: dict[int | None, list[Category]] = {}
    for c in cats:
        by_parent.setdefault(c.parent_id, []).append(c)
    labels = dict(Credential.Kind.choices)

    def build(c: Category, depth: int) -> list[dict]:
        row = {
            "category": c,
            "depth": depth,
            "standards": [line for line in (c.standards or "").splitlines() if line.strip()],
            "required": [str(labels.get(k, k)) for k in (c.required_credentials or [])],
        }
        out = [row]
        for child in by_parent.get(c.pk, []):
            out += build(child, depth + 1)
        return out

    rows: list[dict] = []
    for root in by_parent.get(None, []):
        rows += build(root, 0)
    return rows


def category_descendant_ids(category: Category) -> set[int]:
    children: dict[int | None, list[int]] = {}
    for pk, parent in Category.objects.values_list("id", "parent_id"):
        children.setdefault(parent, []).append(pk)
    out, stack = set(), [category.pk]
    while stack:
        cur = stack.pop()
        if cur in out:
            continue
        out.add(cur)
        stack.extend(children.get(cur, ()))
    return out
