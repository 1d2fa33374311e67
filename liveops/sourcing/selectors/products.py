"""Reads of the product library, scoped on the product's department (``sourcing.view``).

Search must stay fast over 100,000+ products, so every access path is an index lookup, each bounded
to the newest ``SEARCH_LIMIT + 1`` ids, never a scan of the product table nor a ``COUNT(*)`` of it
(pages show “50+”):

- exact barcode and SKU merchant code (``Sku`` indexes), exact product merchant code;
- pinyin initials and full-pinyin prefixes as half-open ranges (``col >= p AND col < p + U+10FFFF``)
  on the lower-case ``title_initials`` / ``title_pinyin`` columns — a B-tree range on SQLite (whose
  case-insensitive ``LIKE 'p%'`` cannot use an ordinary index) and on PostgreSQL (the range is a
  prefix under a code-point collation such as the C.UTF-8 of our databases);
- the title containing the text, through the n-gram index ``ProductSearchToken``: the text's
  bigrams are looked up, the products having all of them are walked newest first from the rarest
  bigram's postings, and each candidate is verified with ``title ICONTAINS text``.

The ids of the paths are merged in Python, newest first, and the page is fetched by primary key."""

from __future__ import annotations

import re

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from liveops.core.access import Access, scope_queryset
from liveops.core.pinyin import pinyin_full
from liveops.sourcing.models import Category, PriceRecord, Product, ProductSearchToken, Sku
from liveops.sourcing.services.products import product_title_normalise

SEARCH_LIMIT = 50
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-_.]{0,59}$")
_TOP = "\U0010ffff"  # above every character: ``p <= x < p + _TOP`` is "x starts with p"


def _prefix(field: str, prefix: str) -> Q:
    """``field`` starts with ``prefix``, as a range an ordinary B-tree index serves."""
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + _TOP})


def _newest(qs: QuerySet, limit: int, order: str = "-id") -> list[int]:
    return list(qs.order_by(order).values_list("id", flat=True)[:limit])


def _title_ids(base: QuerySet[Product], s: str, limit: int) -> list[int]:
    """Newest ``limit`` products of ``base`` whose title contains ``s``, through the n-gram index."""
    core = product_title_normalise(s)
    if not core:
        return []
    tokens = ProductSearchToken.objects
    if len(core) == 1:
        # Every character of a title starts one of its tokens (bigrams plus the last character).
        hits = tokens.filter(_prefix("token", core)).values("product_id")
        return _newest(base.filter(pk__in=hits, title__icontains=s), limit)
    grams = sorted({core[i : i + 2] for i in range(len(core) - 1)})
    if len(grams) > 1:
        # Postings per bigram (index-only); a missing bigram means no match at all.
        postings = dict(
            tokens.filter(token__in=grams).order_by().values_list("token").annotate(n=Count("id"))
        )
        if len(postings) < len(grams):
            return []
        grams.sort(key=lambda g: postings[g])
    # Walk the rarest bigram's postings newest first; the product must hold the other bigrams too.
    qs = base.filter(search_tokens__token=grams[0], title__icontains=s)
    for g in grams[1:]:
        qs = qs.filter(Exists(tokens.filter(product_id=OuterRef("pk"), token=g)))
    return _newest(qs, limit, order="-search_tokens__product_id")


def _search_ids(base: QuerySet[Product], q: str, limit: int, *, exact_first: bool = False) -> list[int]:
    """Ids of the newest ``limit`` matches of ``q`` in ``base``: each indexed path bounded to
    ``limit`` ids, merged newest first. With ``exact_first`` a code with digits (barcode, merchant
    code) that matches exactly returns those products alone."""
    s = (q or "").strip()
    ids: set[int] = set()
    if _CODE.match(s):
        ids.update(_newest(base.filter(merchant_code=s), limit))
        skus = Sku.objects.filter(Q(sku_code=s) | Q(barcode=s)).values("product_id")
        ids.update(_newest(base.filter(pk__in=skus), limit))
        if ids and exact_first and any(ch.isdigit() for ch in s):
            return sorted(ids, reverse=True)[:limit]
    if s.isascii():
        low = s.lower().replace(" ", "")
        if low.isalpha():
            ids.update(_newest(base.filter(_prefix("title_initials", low)), limit))
            ids.update(_newest(base.filter(_prefix("title_pinyin", low)), limit))
    else:
        full = pinyin_full(s)[:200]
        if full:
            ids.update(_newest(base.filter(_prefix("title_pinyin", full)), limit))
    ids.update(_title_ids(base, s, limit))
    return sorted(ids, reverse=True)[:limit]


def _products(
    *,
    access: Access,
    q: str = "",
    limit: int = SEARCH_LIMIT,
    exact_first: bool = False,
    merchant_id: int | None = None,
    category: str = "",
    stage: str = "",
    brand_id: int | None = None,
) -> QuerySet[Product]:
    qs = scope_queryset(Product.objects.all(), access=access, capability="sourcing.view")
    if merchant_id:
        qs = qs.filter(merchant_id=merchant_id)
    if category:
        qs = qs.filter(category__code=category)
    if stage:
        qs = qs.filter(stage=stage)
    if brand_id:
        qs = qs.filter(brand_id=brand_id)
    if (q or "").strip():
        qs = qs.filter(pk__in=_search_ids(qs, q, limit + 1, exact_first=exact_first))
    return qs.select_related("merchant", "brand", "category").order_by("-id")


def product_list(
    *,
    access: Access,
    q: str = "",
    merchant_id: int | None = None,
    category: str = "",
    stage: str = "",
    brand_id: int | None = None,
) -> QuerySet[Product]:
    """Products the actor may see, newest first; filters are all indexed columns. With a search text
    ``q`` the matches are bounded to the newest ``SEARCH_LIMIT + 1`` (the extra row is the "more"
    flag), found through the indexed paths of ``_search_ids`` when this is called."""
    return _products(
        access=access,
        q=q,
        merchant_id=merchant_id,
        category=category,
        stage=stage,
        brand_id=brand_id,
    )


def product_search(
    *, access: Access, q: str = "", limit: int = SEARCH_LIMIT, **filters
) -> tuple[list[Product], bool]:
    """The first ``limit`` matches (newest first) and whether there are more — bounded queries only,
    never a ``COUNT(*)``. A code-like text with digits that matches a barcode or merchant code
    exactly shows just those products."""
    rows = list(_products(access=access, q=q, limit=limit, exact_first=True, **filters)[: limit + 1])
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
