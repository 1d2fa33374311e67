"""Import kinds of the merchant and product library (MR-1, MR-4, QC-3): "merchants", "products" and
"credentials", on the core import framework (``liveops.core.imports``).

- merchants: matched on the unified social credit code (USCC) when given, else on the normalised
  name (spaces, brackets and 有限公司-style suffixes ignored). Only the columns in the file are written.
- products: one row per SKU. The SKU is matched on its barcode, else on (merchant, SKU merchant
  code); its product (SPU) on (merchant, normalised title), created when new.
- credentials: matched on (merchant, kind, number). A changed credential goes back to “not yet
  verified”; brand registrations create their brand (owned by the merchant) when it is new.

Every kind is idempotent (importing the same file again changes nothing) and only touches merchants
of departments the actor's ``sourcing.import`` scope reaches.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

import polars as pl
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liveops.core.access import ALL
from liveops.core.audit import snapshot
from liveops.core.imports.readers import LINE
from liveops.core.imports.registry import (
    CREATE,
    UPDATE,
    Field,
    ImportKind,
    audit_bulk,
    changes_update,
    import_kind_register,
    reject_where,
    split,
)
from liveops.core.models import ImportRun
from liveops.org.models import Department
from liveops.sourcing.models import Brand, Category, Credential, Merchant, Product, Sku
from liveops.sourcing.services.merchants import (
    merchant_name_normalise,
    merchant_names,
    uscc_error,
    uscc_normalise,
)
from liveops.sourcing.services.products import (
    product_names,
    product_title_normalise,
    product_tokens_rebuild,
)

_IN_CHUNK = 900  # under SQLite's limit on query parameters


def _chunks(values: list, size: int = _IN_CHUNK):
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _key(value: str | None) -> str:
    return (value or "").strip().casefold()


def _lookup(column: str, mapping: dict[str, object], dtype=pl.Int64) -> pl.Expr:
    """``column`` (stripped, case-folded) mapped through ``mapping``; null when unknown."""
    return (
        pl.col(column)
        .str.strip_chars()
        .str.to_lowercase()
        .replace_strict(mapping, default=None, return_dtype=dtype)
        if mapping
        else pl.lit(None, dtype=dtype)
    )


def _map_unique(frame: pl.DataFrame, column: str, fn, dtype=pl.String) -> pl.Series:
    """Apply a Python function once per distinct value of ``column`` (values repeat far more than rows)."""
    values = frame.get_column(column)
    distinct = values.drop_nulls().unique().to_list()
    table = {v: fn(v) for v in distinct}
    return (
        values.replace_strict(table, default=None, return_dtype=dtype)
        if table
        else pl.Series([None] * frame.height, dtype=dtype)
    )


def _scope_reject(frame: pl.DataFrame, scope, column: str, dept_col: str, reason: str) -> pl.DataFrame:
    if scope is ALL:
        return reject_where(frame, pl.lit(False), column=column, reason=reason)
    reach = pl.Series(sorted(scope), dtype=pl.Int64).implode()
    return reject_where(
        frame, pl.col(dept_col).is_not_null() & ~pl.col(dept_col).is_in(reach), column=column, reason=reason
    )


class _MerchantIndex:
    """Every merchant's id, department, USCC and normalised name, to resolve references in files."""

    def __init__(self):
        self.by_uscc: dict[str, int] = {}
        self.by_core: dict[str, int] = {}
        self.dept: dict[int, int] = {}
        self.uscc_of: dict[int, str | None] = {}
        for pk, name, uscc, dept in Merchant.objects.values_list(
            "id", "name", "uscc", "department_id"
        ).iterator(chunk_size=5000):
            self.add(pk, name, uscc, dept)

    def add(self, pk: int, name: str, uscc: str | None, dept: int) -> None:
        if uscc:
            self.by_uscc[uscc] = pk
        self.by_core.setdefault(merchant_name_normalise(name), pk)
        self.dept[pk] = dept
        self.uscc_of[pk] = uscc

    def resolve(self, ref: str) -> int | None:
        """A merchant by its USCC or its (normalised) name."""
        code = uscc_normalise(ref)
        if code in self.by_uscc:
            return self.by_uscc[code]
        return self.by_core.get(merchant_name_normalise(ref))


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")
_FOREVER = {"长期", "长期有效", "永久", "永久有效", "无固定期限"}


def _date_expr(column: str) -> pl.Expr:
    return pl.coalesce([pl.col(column).str.to_date(fmt, strict=False) for fmt in _DATE_FORMATS])


# Merchants ----------------------------------------------------------------------------------------

KIND_WORDS = {
    "brand_owner": ("品牌方", "品牌商", "品牌", "品牌owner", "brand owner", "brand"),
    "distributor": ("经销商", "代理商", "分销商", "经销", "代理", "distributor", "agent"),
    "factory": ("工厂", "厂家", "厂商", "生产商", "源头工厂", "factory", "manufacturer"),
}
LEVEL_WORDS = {
    "strategic": ("战略", "战略合作", "s", "strategic"),
    "key": ("重点", "核心", "a", "key"),
    "regular": ("普通", "一般", "常规", "b", "regular"),
    "trial": ("试用", "试合作", "新", "c", "trial"),
}
STATUS_WORDS = {
    "prospect": ("洽谈中", "潜在", "待合作", "prospect"),
    "active": ("合作中", "已合作", "正常", "active"),
    "paused": ("暂停", "暂停合作", "paused"),
    "ended": ("终止", "终止合作", "已终止", "ended"),
}


def _words(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    out = {}
    for code, words in table.items():
        out[code] = code
        for w in words:
            out[w.casefold()] = code
    return out


_CATEGORY_SPLIT = r"[,，、;；/|]"


@import_kind_register
class MerchantImport(ImportKind):
    """Merchants (MR-1): 商家名称 required; 统一社会信用代码, 类型, 合作等级, 状态, 城市, 类目, 部门 optional."""

    code = "merchants"
    label = gettext_lazy("Merchants")
    capability = "sourcing.import"
    natural_key = ("name",)
    duties = ("MR-1", "MR-4")
    fields: ClassVar[tuple[Field, ...]] = (
        Field(
            "name",
            gettext_lazy("Merchant name"),
            required=True,
            max_length=120,
            aliases=("名称", "商家名称", "商家", "企业名称", "公司名称", "merchant", "company"),
        ),
        Field(
            "uscc",
            gettext_lazy("Unified social credit code"),
            id_like=True,
            aliases=("统一社会信用代码", "信用代码", "社会信用代码", "uscc", "credit code"),
        ),
        Field("kind", gettext_lazy("Kind"), aliases=("类型", "商家类型", "type")),
        Field("level", gettext_lazy("Cooperation level"), aliases=("合作等级", "等级", "level")),
        Field("status", gettext_lazy("Status"), aliases=("状态", "合作状态")),
        Field("city", gettext_lazy("City"), max_length=60, aliases=("城市", "所在城市", "city")),
        Field("categories", gettext_lazy("Categories"), aliases=("类目", "主营类目", "品类", "category")),
        Field("department", gettext_lazy("Department"), aliases=("部门", "所属部门", "dept")),
    )

    def prepare(self) -> None:
        self.index = _MerchantIndex()
        depts = {}
        for pk, code, zh, en in Department.objects.values_list("id", "code", "name_zh", "name_en"):
            for k in (code, zh, en):
                if k:
                    depts.setdefault(_key(k), pk)
        self.depts = depts
        cats = {}
        for pk, code, zh, en in Category.objects.values_list("id", "code", "name_zh", "name_en"):
            for k in (code, zh, en):
                if k:
                    cats.setdefault(_key(k), pk)
        self.cats = cats
        self.scope = self.access.department_ids("sourcing.import")
        self.default_dept = self.access.staff_department_id
        self.seen_cores: dict[str, int] = {}  # normalised name → first line, across batches
        self.seen_usccs: dict[str, int] = {}

    def _existing(self, name: str | None, uscc: str | None) -> int | None:
        if uscc and uscc in self.index.by_uscc:
            return self.index.by_uscc[uscc]
        return self.index.by_core.get(merchant_name_normalise(name or ""))

    def validate(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        f = frame.with_columns(
            pl.col("uscc").str.replace_all(r"\s", "").str.to_uppercase().alias("__uscc"),
            _lookup("kind", _words(KIND_WORDS), pl.String).alias("__kind"),
            _lookup("level", _words(LEVEL_WORDS), pl.String).alias("__level"),
            _lookup("status", _words(STATUS_WORDS), pl.String).alias("__status"),
            _lookup("department", self.depts).alias("__dept"),
        )
        f = f.with_columns(
            _map_unique(f, "__uscc", lambda v: uscc_error(v) or "").alias("__uscc_err"),
            _map_unique(f, "name", merchant_name_normalise).alias("__core"),
        )
        rows = f.select(LINE, "name", "__uscc", "__core").rows()
        existing, uscc_other, file_dup, uscc_dup = [], [], [], []
        for line, name, uscc, core in rows:
            pk = self._existing(name, uscc)
            existing.append(pk)
            # Same name as a merchant on file whose credit code differs: not the same company, or a typo.
            named = self.index.by_core.get(core)
            other = (
                named is not None
                and uscc
                and self.index.uscc_of.get(named) not in (None, uscc)
                and pk == named
            )
            uscc_other.append(bool(other))
            first = self.seen_cores.setdefault(core, line)
            file_dup.append(first if first != line else None)
            if uscc:
                first_u = self.seen_usccs.setdefault(uscc, line)
                uscc_dup.append(first_u if first_u != line else None)
            else:
                uscc_dup.append(None)
        f = f.with_columns(
            pl.Series("__id", existing, dtype=pl.Int64),
            pl.Series("__uscc_other", uscc_other, dtype=pl.Boolean),
            pl.Series("__dup_line", file_dup, dtype=pl.Int64),
            pl.Series("__dup_uscc", uscc_dup, dtype=pl.Int64),
        )
        current = {pk: self.index.dept.get(pk) for pk in f.get_column("__id").drop_nulls().to_list()}
        f = f.with_columns(
            pl.col("__id").replace_strict(current, default=None, return_dtype=pl.Int64).alias("__cur_dept"),
            pl.when(pl.col("__dept").is_not_null())
            .then(pl.col("__dept"))
            .when(pl.col("__id").is_null())
            .then(pl.lit(self.default_dept, dtype=pl.Int64))
            .otherwise(pl.lit(None, dtype=pl.Int64))
            .alias("__target_dept"),
        )
        # Categories: every listed one must be known.
        cat_ids, cat_bad = [], []
        for value in f.get_column("categories").to_list():
            ids, bad = [], []
            for part in _split_cats(value):
                pk = self.cats.get(_key(part))
                (ids if pk else bad).append(pk or part)
            cat_ids.append(sorted(set(ids)))
            cat_bad.append(", ".join(bad) or None)
        f = f.with_columns(
            pl.Series("__cats", cat_ids, dtype=pl.List(pl.Int64)),
            pl.Series("__cats_bad", cat_bad, dtype=pl.String),
        )
        rejects = [
            reject_where(
                f,
                pl.col("__core") == "",
                column="name",
                reason=_("The name is empty once spaces and brackets are removed."),
            ),
            reject_where(
                f,
                pl.col("__uscc").is_not_null() & (pl.col("__uscc_err") != ""),
                column="uscc",
                reason=_(
                    "Not a valid unified social credit code (18 characters with a matching check character)."
                ),
            ),
            reject_where(
                f,
                pl.col("__uscc_other"),
                column="uscc",
                reason=_("A merchant with this name is on file with another credit code."),
            ),
            reject_where(
                f,
                pl.col("__dup_line").is_not_null(),
                column="name",
                reason=_(
                    "The same merchant (name without spaces, brackets or company suffix) is already on an earlier line of this file."
                ),
            ),
            reject_where(
                f,
                pl.col("__dup_uscc").is_not_null(),
                column="uscc",
                reason=_("This credit code is already on an earlier line of this file."),
            ),
            reject_where(
                f,
                pl.col("kind").is_not_null() & pl.col("__kind").is_null(),
                column="kind",
                reason=_("Unknown kind: use 品牌方, 经销商 or 工厂."),
            ),
            reject_where(
                f,
                pl.col("kind").is_null() & pl.col("__id").is_null(),
                column="kind",
                reason=_("A new merchant needs its kind: 品牌方, 经销商 or 工厂."),
            ),
            reject_where(
                f,
                pl.col("level").is_not_null() & pl.col("__level").is_null(),
                column="level",
                reason=_("Unknown cooperation level: use 战略, 重点, 普通 or 试用."),
            ),
            reject_where(
                f,
                pl.col("status").is_not_null() & pl.col("__status").is_null(),
                column="status",
                reason=_("Unknown status: use 洽谈中, 合作中, 暂停 or 终止."),
            ),
            reject_where(
                f,
                pl.col("department").is_not_null() & pl.col("__dept").is_null(),
                column="department",
                reason=_("Unknown department: use its code or its Chinese or English name."),
            ),
            reject_where(
                f,
                pl.col("__id").is_null() & pl.col("__target_dept").is_null(),
                column="department",
                reason=_("A new merchant needs a department: add a 部门 column."),
            ),
            reject_where(
                f,
                pl.col("__cats_bad").is_not_null(),
                column="categories",
                reason=_("Unknown category: use its code or its Chinese name."),
                value=pl.col("__cats_bad"),
            ),
            _scope_reject(
                f,
                self.scope,
                "department",
                "__target_dept",
                _("You may not change merchants of this department."),
            ),
            _scope_reject(
                f,
                self.scope,
                "name",
                "__cur_dept",
                _("This merchant belongs to a department you may not change."),
            ),
        ]
        return split(f, rejects)

    def upsert(self, valid: pl.DataFrame, *, run: ImportRun, actor) -> tuple[int, int, int]:
        present = self.present
        ids = valid.get_column("__id").drop_nulls().to_list()
        existing: dict[int, Merchant] = {}
        for chunk in _chunks(ids):
            existing.update(Merchant.objects.in_bulk(chunk))
        cats_now: dict[int, list[int]] = {}
        if "categories" in present:
            for chunk in _chunks(ids):
                for mid, cid in Merchant.categories.through.objects.filter(merchant_id__in=chunk).values_list(
                    "merchant_id", "category_id"
                ):
                    cats_now.setdefault(mid, []).append(cid)
        creates: list[tuple[Merchant, list[int]]] = []
        updates: list[tuple[Merchant, dict]] = []
        cat_changes: list[tuple[Merchant, list[int]]] = []
        unchanged = 0
        for row in valid.iter_rows(named=True):
            target: dict = {"name": row["name"]}
            if "uscc" in present:
                target["uscc"] = row["__uscc"]
            for field in ("kind", "level", "status"):
                if field in present and row[f"__{field}"] is not None:
                    target[field] = row[f"__{field}"]
            if "city" in present:
                target["city"] = row["city"] or ""
            if row["__dept"] is not None:
                target["department_id"] = row["__dept"]
            merchant = existing.get(row["__id"]) if row["__id"] is not None else None
            if merchant is None:
                target.setdefault("department_id", row["__target_dept"])
                m = Merchant(**target, **merchant_names(row["name"]))
                creates.append((m, row["__cats"] if "categories" in present else []))
                continue
            if "name" in target and target["name"] != merchant.name:
                target.update(merchant_names(target["name"]))
            changed = {k: v for k, v in target.items() if getattr(merchant, k) != v}
            cats_changed = "categories" in present and sorted(cats_now.get(merchant.pk, [])) != row["__cats"]
            if not changed and not cats_changed:
                unchanged += 1
                continue
            if changed:
                before = snapshot(merchant)
                for k, v in changed.items():
                    setattr(merchant, k, v)
                updates.append((merchant, before))
            else:
                updates.append((merchant, None))
            if cats_changed:
                cat_changes.append((merchant, row["__cats"]))
        Merchant.objects.bulk_create([m for m, _c in creates], batch_size=500)
        fields = sorted(
            {
                k
                for m, b in updates
                if b
                for k in (
                    "name",
                    "name_pinyin",
                    "name_initials",
                    "uscc",
                    "kind",
                    "level",
                    "status",
                    "city",
                    "department",
                )
            }
        )
        if fields:
            Merchant.objects.bulk_update([m for m, b in updates if b], fields, batch_size=500)
        through = Merchant.categories.through
        if cat_changes:
            through.objects.filter(merchant_id__in=[m.pk for m, _c in cat_changes]).delete()
        links = [
            through(merchant_id=m.pk, category_id=c) for m, cats in [*creates, *cat_changes] for c in cats
        ]
        through.objects.bulk_create(links, batch_size=1000)
        entries = [(CREATE, m, {"after": snapshot(m)}) for m, _c in creates]
        for m, before in updates:
            if before is not None:
                diff = changes_update(before, snapshot(m))
                if diff:
                    entries.append((UPDATE, m, diff))
        for m, cats in cat_changes:
            entries.append((UPDATE, m, {"after": {"categories": cats}}))
        audit_bulk(actor=actor, entries=entries)
        for m, _c in creates:
            self.index.add(m.pk, m.name, m.uscc, m.department_id)
        for m, _b in updates:
            self.index.add(m.pk, m.name, m.uscc, m.department_id)
        return len(creates), len(updates), unchanged


def _split_cats(value: str | None) -> list[str]:
    import re

    return [p.strip() for p in re.split(_CATEGORY_SPLIT, value or "") if p.strip()]


# Products -----------------------------------------------------------------------------------------

_PRICE = r"^\d{1,13}(\.\d{1,2})?$"


@import_kind_register
class ProductImport(ImportKind):
    """Products (MR-2, MR-4), one row per SKU: 商家 (credit code or name) and 商品标题 required; 类目编码
    (required for a new product), 品牌, SKU 商家编码, 条码, 规格, 价格 optional. A row needs a barcode or a
    SKU merchant code."""

    code = "products"
    label = gettext_lazy("Products")
    capability = "sourcing.import"
    natural_key = ("barcode",)
    duties = ("MR-2", "MR-4")
    fields: ClassVar[tuple[Field, ...]] = (
        Field(
            "merchant",
            gettext_lazy("Merchant"),
            required=True,
            aliases=(
                "商家",
                "商家名称",
                "商家统一社会信用代码",
                "统一社会信用代码",
                "商家USCC",
                "merchant uscc",
            ),
        ),
        Field(
            "title",
            gettext_lazy("Product title"),
            required=True,
            max_length=200,
            aliases=("商品标题", "商品名称", "标题", "品名", "product"),
        ),
        Field("category", gettext_lazy("Category code"), aliases=("类目编码", "类目", "品类", "category")),
        Field("brand", gettext_lazy("Brand"), aliases=("品牌", "品牌名称")),
        Field(
            "sku_code",
            gettext_lazy("SKU merchant code"),
            id_like=True,
            max_length=60,
            aliases=("SKU商家编码", "SKU 商家编码", "商家编码", "SKU编码", "货号", "sku code", "sku"),
        ),
        Field(
            "barcode",
            gettext_lazy("Barcode"),
            id_like=True,
            aliases=("条码", "条形码", "商品条码", "69码", "ean", "barcode"),
        ),
        Field("spec", gettext_lazy("Specification"), max_length=120, aliases=("规格", "SKU规格", "规格型号")),
        Field("price", gettext_lazy("Price"), aliases=("价格", "售价", "日常价", "price")),
    )

    def prepare(self) -> None:
        self.index = _MerchantIndex()
        cats = {}
        for pk, code, zh, en in Category.objects.values_list("id", "code", "name_zh", "name_en"):
            for k in (code, zh, en):
                if k:
                    cats.setdefault(_key(k), pk)
        self.cats = cats
        self.brands = {_key(n): pk for pk, n in Brand.objects.values_list("id", "name")}
        self.scope = self.access.department_ids("sourcing.import")
        self.seen_codes: dict[tuple[int, str], int] = {}
        self.products: dict[int, dict[str, Product]] = {}  # merchant → normalised title → product

    def validate(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        f = frame.with_columns(
            _map_unique(frame, "merchant", self.index.resolve, pl.Int64).alias("__mid"),
            _lookup("category", self.cats).alias("__cat"),
            _lookup("brand", self.brands).alias("__brand"),
            pl.col("price").str.replace_all(r"[¥￥,\s]|元", "").alias("__price"),
            pl.col("barcode").str.replace_all(r"\s", "").alias("__barcode"),
            _map_unique(frame, "title", product_title_normalise).alias("__tkey"),
        )
        f = f.with_columns(
            pl.col("__mid")
            .replace_strict(self.index.dept, default=None, return_dtype=pl.Int64)
            .alias("__dept")
        )
        # A barcode already on file must belong to the same merchant.
        barcodes = f.get_column("__barcode").drop_nulls().unique().to_list()
        owner: dict[str, int] = {}
        for chunk in _chunks(barcodes):
            owner.update(
                dict(Sku.objects.filter(barcode__in=chunk).values_list("barcode", "product__merchant_id"))
            )
        f = f.with_columns(
            pl.col("__barcode").replace_strict(owner, default=None, return_dtype=pl.Int64).alias("__bc_owner")
        )
        # Does the product (merchant, title) exist? New ones need a category.
        self._load_products(f.get_column("__mid").drop_nulls().unique().to_list())
        dup = []
        for line, mid, code in f.select(LINE, "__mid", "sku_code").rows():
            if mid is not None and code is not None:
                first = self.seen_codes.setdefault((mid, code), line)
                dup.append(first if first != line else None)
            else:
                dup.append(None)
        f = f.with_columns(pl.Series("__dup", dup, dtype=pl.Int64))
        rejects = [
            reject_where(
                f,
                pl.col("__mid").is_null(),
                column="merchant",
                reason=_("Unknown merchant: use its credit code or its name as on file."),
            ),
            _scope_reject(
                f,
                self.scope,
                "merchant",
                "__dept",
                _("This merchant belongs to a department you may not change."),
            ),
            reject_where(
                f,
                pl.col("__tkey") == "",
                column="title",
                reason=_("The title is empty once spaces and punctuation are removed."),
            ),
            reject_where(
                f,
                pl.col("category").is_not_null() & pl.col("__cat").is_null(),
                column="category",
                reason=_("Unknown category: use its code or its Chinese name."),
            ),
            reject_where(
                f,
                pl.col("brand").is_not_null() & pl.col("__brand").is_null(),
                column="brand",
                reason=_(
                    "Unknown brand: register it first (on the merchant's page or with a brand registration)."
                ),
            ),
            reject_where(
                f,
                pl.col("__barcode").is_not_null() & ~pl.col("__barcode").str.contains(r"^\d{8,14}$"),
                column="barcode",
                reason=_("A barcode has 8 to 14 digits."),
            ),
            reject_where(
                f,
                pl.col("__barcode").is_null() & pl.col("sku_code").is_null(),
                column="barcode",
                reason=_("Give a barcode or a SKU merchant code."),
            ),
            reject_where(
                f,
                pl.col("__bc_owner").is_not_null()
                & pl.col("__mid").is_not_null()
                & (pl.col("__bc_owner") != pl.col("__mid")),
                column="barcode",
                reason=_("This barcode belongs to another merchant's product."),
            ),
            reject_where(
                f,
                pl.col("__price").is_not_null() & ~pl.col("__price").str.contains(_PRICE),
                column="price",
                reason=_("Not a price: a number with at most two decimals."),
            ),
            reject_where(
                f,
                pl.col("__dup").is_not_null(),
                column="sku_code",
                reason=_("The same SKU merchant code of this merchant is on an earlier line of this file."),
            ),
        ]
        # A new product needs its category, unless an earlier good line of this batch creates it.
        rejected = set(pl.concat(rejects).get_column("line").to_list())
        coming: set[tuple[int, str]] = set()
        needs = []
        for line, mid, tkey, cat in f.select(LINE, "__mid", "__tkey", "__cat").rows():
            known = mid is not None and (tkey in self.products.get(mid, {}) or (mid, tkey) in coming)
            needs.append(not known and cat is None)
            if line not in rejected and mid is not None and cat is not None:
                coming.add((mid, tkey))
        f = f.with_columns(pl.Series("__needs_cat", needs, dtype=pl.Boolean))
        rejects.append(
            reject_where(
                f, pl.col("__needs_cat"), column="category", reason=_("A new product needs its category.")
            )
        )
        return split(f, rejects)

    def _load_products(self, merchant_ids: list[int]) -> None:
        wanted = [m for m in merchant_ids if m not in self.products]
        for chunk in _chunks(wanted):
            for m in chunk:
                self.products.setdefault(m, {})
            for p in Product.objects.filter(merchant_id__in=chunk).order_by("id"):
                self.products[p.merchant_id].setdefault(product_title_normalise(p.title), p)

    def upsert(self, valid: pl.DataFrame, *, run: ImportRun, actor) -> tuple[int, int, int]:
        present = self.present
        barcodes = valid.get_column("__barcode").drop_nulls().to_list()
        by_barcode: dict[str, Sku] = {}
        for chunk in _chunks(barcodes):
            by_barcode.update({s.barcode: s for s in Sku.objects.filter(barcode__in=chunk)})
        by_code: dict[tuple[int, str], Sku] = {}  # (merchant, SKU merchant code) → SKU
        for chunk in _chunks(valid.get_column("__mid").unique().to_list()):
            for sku in (
                Sku.objects.filter(product__merchant_id__in=chunk).select_related("product").order_by("id")
            ):
                by_code.setdefault((sku.product.merchant_id, sku.sku_code), sku)
        inserted = updated = unchanged = 0
        entries = []
        new_products: list[int] = []  # their search tokens are built at the end, in bulk
        for row in valid.iter_rows(named=True):
            mid = row["__mid"]
            product = self.products[mid].get(row["__tkey"])
            price = Decimal(row["__price"]) if row["__price"] is not None else None
            product_new = product is None
            product_changed = False
            if product is None:
                product = Product.objects.create(
                    merchant_id=mid,
                    category_id=row["__cat"],
                    brand_id=row["__brand"],
                    title=row["title"],
                    regular_price=price,
                    department_id=self.index.dept[mid],
                    stage_entered_at=timezone.now(),
                    **product_names(row["title"]),
                )
                self.products[mid][row["__tkey"]] = product
                new_products.append(product.pk)
                entries.append((CREATE, product, {"after": snapshot(product)}))
            else:
                change = {}
                if "category" in present and row["__cat"] is not None and product.category_id != row["__cat"]:
                    change["category_id"] = row["__cat"]
                if "brand" in present and product.brand_id != row["__brand"]:
                    change["brand_id"] = row["__brand"]
                if change:
                    before = snapshot(product)
                    for k, v in change.items():
                        setattr(product, k, v)
                    product.save(update_fields=[k.removesuffix("_id") for k in change])
                    entries.append((UPDATE, product, changes_update(before, snapshot(product))))
                    product_changed = True
            code = row["sku_code"] or row["__barcode"]
            sku = by_barcode.get(row["__barcode"]) if row["__barcode"] else None
            if sku is None:
                sku = by_code.get((mid, code))
            target = {"product_id": product.pk, "sku_code": code}
            if row["__barcode"] is not None:
                target["barcode"] = row["__barcode"]
            if "spec" in present:
                target["spec"] = row["spec"] or ""
            if "price" in present:
                target["price"] = price
            if sku is None:
                target.setdefault("spec", "")
                sku = Sku.objects.create(**target)
                by_code[(mid, code)] = sku
                if sku.barcode:
                    by_barcode[sku.barcode] = sku
                entries.append((CREATE, sku, {"after": snapshot(sku)}))
                inserted += 1
                continue
            diff = {k: v for k, v in target.items() if getattr(sku, k) != v}
            if diff:
                before = snapshot(sku)
                for k, v in diff.items():
                    setattr(sku, k, v)
                sku.save(update_fields=[k.removesuffix("_id") for k in diff])
                entries.append((UPDATE, sku, changes_update(before, snapshot(sku))))
            if product_new:
                inserted += 1
            elif diff or product_changed:
                updated += 1
            else:
                unchanged += 1
        product_tokens_rebuild(new_products)
        audit_bulk(actor=actor, entries=[e for e in entries if e[2]])
        return inserted, updated, unchanged


# Credentials ----------------------------------------------------------------------------------------

CREDENTIAL_WORDS = {
    "business_licence": ("营业执照", "执照", "business licence", "business license"),
    "brand_registration": ("商标注册证", "商标证", "商标注册", "品牌注册", "brand registration", "trademark"),
    "brand_authorisation": (
        "品牌授权书",
        "品牌授权",
        "授权书",
        "授权",
        "brand authorisation",
        "brand authorization",
    ),
    "test_report": ("检测报告", "质检报告", "检验报告", "test report"),
    "food_licence": (
        "食品经营许可证",
        "食品生产许可证",
        "食品许可证",
        "sc证",
        "food licence",
        "food license",
    ),
    "cosmetics_filing": ("化妆品备案", "化妆品备案凭证", "特殊化妆品注册证", "cosmetics filing"),
    "other": ("其他", "other"),
}


@import_kind_register
class CredentialImport(ImportKind):
    """Credentials (QC-3): 商家 (credit code), 类型, 证照编号 required; 发证日期, 到期日期 (or 长期), 品牌,
    授权方USCC optional. Brand authorisations need 品牌 and 授权方USCC."""

    code = "credentials"
    label = gettext_lazy("Merchant credentials")
    capability = "sourcing.import"
    natural_key = ("merchant", "kind", "number")
    duties = ("QC-3",)
    fields: ClassVar[tuple[Field, ...]] = (
        Field(
            "merchant",
            gettext_lazy("Merchant credit code"),
            required=True,
            id_like=True,
            aliases=(
                "商家USCC",
                "商家统一社会信用代码",
                "统一社会信用代码",
                "商家",
                "商家名称",
                "merchant uscc",
            ),
        ),
        Field("kind", gettext_lazy("Kind"), required=True, aliases=("类型", "证照类型", "资质类型", "type")),
        Field(
            "number",
            gettext_lazy("Number"),
            required=True,
            id_like=True,
            max_length=60,
            aliases=("证照编号", "编号", "证书编号", "许可证编号", "number"),
        ),
        Field("issued_on", gettext_lazy("Issued on"), aliases=("发证日期", "签发日期", "生效日期", "issued")),
        Field(
            "expires_on",
            gettext_lazy("Expires on"),
            aliases=("到期日期", "有效期至", "截止日期", "失效日期", "expires"),
        ),
        Field("brand", gettext_lazy("Brand"), aliases=("品牌", "品牌名称")),
        Field(
            "grantor",
            gettext_lazy("Grantor credit code"),
            id_like=True,
            aliases=("授权方USCC", "授权方统一社会信用代码", "授权方", "grantor"),
        ),
    )

    def prepare(self) -> None:
        self.index = _MerchantIndex()
        self.brands = {_key(n): pk for pk, n in Brand.objects.values_list("id", "name")}
        self.scope = self.access.department_ids("sourcing.import")

    def validate(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        forever = pl.col("expires_on").is_in(list(_FOREVER))
        f = frame.with_columns(
            _map_unique(frame, "merchant", self.index.resolve, pl.Int64).alias("__mid"),
            _map_unique(frame, "grantor", self.index.resolve, pl.Int64).alias("__gid"),
            _lookup("kind", _words(CREDENTIAL_WORDS), pl.String).alias("__kind"),
            _lookup("brand", self.brands).alias("__brand"),
            _date_expr("issued_on").alias("__issued"),
            pl.when(forever).then(None).otherwise(_date_expr("expires_on")).alias("__expires"),
            forever.fill_null(False).alias("__forever"),
        )
        f = f.with_columns(
            pl.col("__mid")
            .replace_strict(self.index.dept, default=None, return_dtype=pl.Int64)
            .alias("__dept")
        )
        is_auth = pl.col("__kind") == "brand_authorisation"
        rejects = [
            reject_where(
                f,
                pl.col("__mid").is_null(),
                column="merchant",
                reason=_("Unknown merchant: use its credit code as on file."),
            ),
            _scope_reject(
                f,
                self.scope,
                "merchant",
                "__dept",
                _("This merchant belongs to a department you may not change."),
            ),
            reject_where(
                f,
                pl.col("__kind").is_null(),
                column="kind",
                reason=_(
                    "Unknown kind: use 营业执照, 商标注册证, 品牌授权书, 检测报告, 食品经营许可证 or 化妆品备案."
                ),
            ),
            reject_where(
                f,
                pl.col("issued_on").is_not_null() & pl.col("__issued").is_null(),
                column="issued_on",
                reason=_("Not a date: write it as YYYY-MM-DD or YYYY/MM/DD."),
            ),
            reject_where(
                f,
                pl.col("expires_on").is_not_null() & pl.col("__expires").is_null() & ~pl.col("__forever"),
                column="expires_on",
                reason=_("Not a date: write it as YYYY-MM-DD or YYYY/MM/DD (or 长期)."),
            ),
            reject_where(
                f,
                pl.col("__expires") < pl.col("__issued"),
                column="expires_on",
                reason=_("The expiry date is before the issue date."),
            ),
            reject_where(
                f,
                is_auth & pl.col("brand").is_null(),
                column="brand",
                reason=_("A brand authorisation names the brand."),
            ),
            reject_where(
                f,
                is_auth & pl.col("grantor").is_null(),
                column="grantor",
                reason=_("A brand authorisation names who grants it (授权方USCC)."),
            ),
            reject_where(
                f,
                pl.col("grantor").is_not_null() & pl.col("__gid").is_null(),
                column="grantor",
                reason=_("Unknown grantor: import that merchant first."),
            ),
            reject_where(
                f,
                pl.col("grantor").is_not_null() & ~is_auth,
                column="grantor",
                reason=_("Only a brand authorisation has a grantor."),
            ),
            reject_where(
                f,
                pl.col("__gid").is_not_null() & (pl.col("__gid") == pl.col("__mid")),
                column="grantor",
                reason=_("A merchant cannot authorise itself."),
            ),
            reject_where(
                f,
                (pl.col("__kind") == "brand_registration") & pl.col("brand").is_null(),
                column="brand",
                reason=_("A brand registration names the brand."),
            ),
        ]
        # A brand must be on file, or registered by an earlier good line of this batch.
        rejected = set(pl.concat(rejects).get_column("line").to_list())
        registered: set[str] = set()
        unknown = []
        for line, kind, brand, brand_id in f.select(LINE, "__kind", "brand", "__brand").rows():
            key = _key(brand)
            unknown.append(
                brand is not None
                and brand_id is None
                and kind != "brand_registration"
                and key not in registered
            )
            if line not in rejected and kind == "brand_registration" and brand is not None:
                registered.add(key)
        f = f.with_columns(pl.Series("__brand_unknown", unknown, dtype=pl.Boolean))
        rejects.append(
            reject_where(
                f,
                pl.col("__brand_unknown"),
                column="brand",
                reason=_("Unknown brand: import its brand registration first."),
            )
        )
        return split(f, rejects)

    def upsert(self, valid: pl.DataFrame, *, run: ImportRun, actor) -> tuple[int, int, int]:
        present = self.present
        mids = valid.get_column("__mid").unique().to_list()
        existing: dict[tuple[int, str, str], Credential] = {}
        for chunk in _chunks(mids):
            for c in Credential.objects.filter(merchant_id__in=chunk):
                existing[(c.merchant_id, c.kind, c.number)] = c
        inserted = updated = unchanged = 0
        entries = []
        for row in valid.iter_rows(named=True):
            brand_id = row["__brand"] or (self.brands.get(_key(row["brand"])) if row["brand"] else None)
            if row["brand"] is not None and brand_id is None and row["__kind"] == "brand_registration":
                # A brand registration brings its brand, owned by the registering merchant.
                brand = Brand.objects.create(name=row["brand"].strip(), owner_id=row["__mid"])
                self.brands[_key(brand.name)] = brand.pk
                brand_id = brand.pk
                entries.append((CREATE, brand, {"after": snapshot(brand)}))
            target = {"brand_id": brand_id, "grantor_id": row["__gid"]}
            if "issued_on" in present:
                target["issued_on"] = row["__issued"]
            if "expires_on" in present:
                target["expires_on"] = row["__expires"]
            cred = existing.get((row["__mid"], row["__kind"], row["number"]))
            if cred is None:
                cred = Credential.objects.create(
                    merchant_id=row["__mid"], kind=row["__kind"], number=row["number"], **target
                )
                existing[(cred.merchant_id, cred.kind, cred.number)] = cred
                entries.append((CREATE, cred, {"after": snapshot(cred)}))
                inserted += 1
                continue
            diff = {k: v for k, v in target.items() if getattr(cred, k) != v}
            if not diff:
                unchanged += 1
                continue
            before = snapshot(cred)
            # Changed substance: QC must look at it again.
            diff.update(
                {"verification": Credential.Verification.PENDING, "verified_by_id": None, "verified_at": None}
            )
            for k, v in diff.items():
                setattr(cred, k, v)
            cred.save(update_fields=[k.removesuffix("_id") for k in diff])
            entries.append((UPDATE, cred, changes_update(before, snapshot(cred))))
            updated += 1
        audit_bulk(actor=actor, entries=[e for e in entries if e[2]])
        return inserted, updated, unchanged


# The market helper's "market-snapshots" kind lives in its own module.
try:
    from liveops.sourcing import importers_market  # noqa: E402,F401
except ModuleNotFoundError as exc:  # not written yet
    if exc.name != "liveops.sourcing.importers_market":
        raise
