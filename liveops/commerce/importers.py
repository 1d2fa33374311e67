"""Order import kinds (EC-1): the Douyin 抖店 order export here, the Taobao/Tmall and Kuaishou
families and the generic mapped importer in ``importers_taobao``; after-sales, settlements and ad
spend in their own modules (imported below so the framework's autodiscovery finds every kind).

Every order kind runs into one shop, named by the run's ``shop`` option (``--shop NAME`` on the
command line, a select on the upload page), and refuses before reading a row when the shop is
unknown, on another platform, or outside what the actor may import into. Each kind only maps its
platform's columns to the canonical line frame; ``liveops.commerce.ingest`` does the rest."""

from __future__ import annotations

from typing import ClassVar

import polars as pl
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liveops.commerce.import_shops import shop_for_run, shop_lock_key, shop_option_field  # noqa: F401  (re-exported)
from liveops.commerce.ingest import OrderIngest, canonical, ingest_audit_run, source_fingerprint
from liveops.commerce.models.orders import AfterSaleState, LineStatus
from liveops.commerce.parsing import money_fen, parse_datetimes, quantity
from liveops.core.imports.registry import (
    Field,
    ImportKind,
    import_kind_register,
    reject_where,
    rejects_frame,
    split,
)
from liveops.core.models import ImportRun

# The file row's source fingerprint, from ``skip_unchanged`` to ``validate``.
SOURCE = "__source_hash"

# Platform words → normalised status. Unknown words import as "other" (the text is kept).
STATUS_WORDS = {
    "已完成": LineStatus.COMPLETED,
    "交易成功": LineStatus.COMPLETED,
    "已签收": LineStatus.COMPLETED,
    "已发货": LineStatus.SHIPPED,
    "部分发货": LineStatus.SHIPPED,
    "卖家已发货，等待买家确认": LineStatus.SHIPPED,
    "卖家已发货/等待买家确认": LineStatus.SHIPPED,
    "卖家已发货": LineStatus.SHIPPED,
    "待收货": LineStatus.SHIPPED,
    "已关闭": LineStatus.CLOSED,
    "交易关闭": LineStatus.CLOSED,
    "已取消": LineStatus.CLOSED,
    "订单关闭": LineStatus.CLOSED,
    "待发货": LineStatus.PAID,
    "备货中": LineStatus.PAID,
    "已支付": LineStatus.PAID,
    "买家已付款，等待卖家发货": LineStatus.PAID,
    "买家已付款/等待卖家发货": LineStatus.PAID,
    "买家已付款": LineStatus.PAID,
    "待支付": LineStatus.UNPAID,
    "待付款": LineStatus.UNPAID,
    "等待买家付款": LineStatus.UNPAID,
}
AFTERSALE_WORDS = {
    "退款成功": AfterSaleState.REFUNDED,
    "售后完成": AfterSaleState.REFUNDED,
    "退货退款成功": AfterSaleState.REFUNDED,
    "已退款": AfterSaleState.REFUNDED,
    "退款完成": AfterSaleState.REFUNDED,
    "售后关闭": AfterSaleState.CLOSED,
    "退款关闭": AfterSaleState.CLOSED,
    "售后已关闭": AfterSaleState.CLOSED,
    "无退款申请": AfterSaleState.NONE,
    "没有申请退款": AfterSaleState.NONE,
}


def status_code(col: str) -> pl.Expr:
    return (
        pl.col(col)
        .replace_strict(STATUS_WORDS, default=str(LineStatus.OTHER), return_dtype=pl.String)
        .fill_null(str(LineStatus.OTHER))
    )


def aftersale_code(col: str) -> pl.Expr:
    return (
        pl.when(pl.col(col).is_null())
        .then(pl.lit(str(AfterSaleState.NONE)))
        .otherwise(
            pl.col(col).replace_strict(
                AFTERSALE_WORDS, default=str(AfterSaleState.IN_PROGRESS), return_dtype=pl.String
            )
        )
    )


class OrderImportKind(ImportKind):
    """Base of order import kinds: shop resolution, the shared checks (quantity, dates, money) and the
    hand-over to ``OrderIngest``. Subclasses set ``platform`` and the fields, and implement
    ``to_lines`` (file fields → canonical columns, as polars expressions)."""

    capability = "commerce.import"
    duties = ("EC-1",)
    natural_key = ("sub_order_no",)
    group_field = "order_no"
    upsert_slice = None
    # Each order's rows are in one batch and sub-order numbers are unique in a file, so no batch reads
    # what another batch of the run writes: the runner may write behind (PostgreSQL).
    write_behind = True
    platform: ClassVar[str | None] = None
    money_fields: ClassVar[tuple[str, ...]] = ()
    time_fields: ClassVar[tuple[str, ...]] = ()
    quantity_field: ClassVar[str | None] = "quantity"
    # Optional canonical columns this kind fills (see ``liveops.commerce.ingest.OPTIONAL_IMPORTED``).
    provides: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def option_fields(cls, access) -> dict:
        return {"shop": shop_option_field(access, platform=cls.platform)}

    @classmethod
    def lock_key_for(cls, options: dict) -> str | None:
        """One import at a time into a shop: concurrent ones would race on its orders and rollups."""
        return shop_lock_key(options, platform=cls.platform)

    def prepare(self) -> None:
        self.shop = shop_for_run(self.run, platform=self.platform, access=self.access)
        self.engine = OrderIngest(
            shop=self.shop, actor=self.actor, run_id=self.run.pk if self.run else None, provides=self.provides
        )

    def to_lines(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The canonical columns of ``frame`` (validated rows only). Override per platform."""
        raise NotImplementedError

    # Parsed values, computed once in ``validate`` and read again by ``to_lines``.
    @staticmethod
    def fen(name: str) -> pl.Expr:
        return pl.col(f"__m_{name}")

    @staticmethod
    def at(name: str) -> pl.Expr:
        return pl.col(f"__t_{name}")

    def validate(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        frame = parse_datetimes(frame, [n for n in self.time_fields if n in frame.columns])
        parsed = [money_fen(n).alias(f"__m_{n}") for n in self.money_fields]
        q = self.quantity_field if self.quantity_field in frame.columns else None
        if q:
            parsed.append(quantity(q).alias("__q"))
        f = frame.with_columns(parsed)
        checks: list[tuple[pl.Expr, str, str]] = []
        if q:
            negative = pl.col(q).str.contains(r"^\s*-\s*\d")
            checks += [
                (pl.col(q).is_not_null() & negative, q, _("The quantity must not be negative.")),
                (
                    pl.col(q).is_not_null() & pl.col("__q").is_null() & ~negative,
                    q,
                    _("The quantity is not a whole number."),
                ),
            ]
        for n in self.time_fields:
            checks.append(
                (
                    pl.col(n).is_not_null() & self.at(n).is_null(),
                    n,
                    _("Not a possible date and time (write it as 2026-01-03 09:33:16)."),
                )
            )
        if "submitted_at" in self.time_fields and "paid_at" in self.time_fields:
            checks.append(
                (
                    self.at("submitted_at").is_null()
                    & self.at("paid_at").is_null()
                    & pl.col("submitted_at").is_null(),
                    "submitted_at",
                    _("The order has neither a submission nor a payment time."),
                )
            )
        for n in self.money_fields:
            checks += [
                (
                    pl.col(n).is_not_null() & self.fen(n).is_null(),
                    n,
                    _("Not an amount: a number in CNY with at most two decimals."),
                ),
                (self.fen(n) < 0, n, _("The amount must not be negative.")),
            ]
        # One pass tells which checks hit anything; only those build reject rows.
        hits = f.select(
            [c.fill_null(False).any().alias(str(i)) for i, (c, _col, _r) in enumerate(checks)]
        ).row(0)
        rejects = [
            reject_where(f, cond, column=col, reason=reason)
            for hit, (cond, col, reason) in zip(hits, checks, strict=True)
            if hit
        ]
        valid, all_rejects = split(f, rejects) if rejects else (f, rejects_frame())
        lines = self.to_lines(valid)
        if SOURCE in valid.columns:
            # ``to_lines`` maps row to row, in order.
            lines = lines.with_columns(valid.get_column(SOURCE).alias("source_hash"))
        return canonical(lines), all_rejects

    def skip_unchanged(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, int]:
        """Leave out the orders whose every row has exactly the fields last imported into the shop
        (a re-import of the same export: nothing to parse, derive or write); the rows left carry their
        source fingerprint on to ``validate``. Returns (rows to import, rows left out as unchanged)."""
        fields = [f.name for f in self.fields if f.name in frame.columns]
        key = self.natural_key[0]
        f = frame.with_columns(source_fingerprint(fields).alias(SOURCE))
        stored = self.engine.stored_sources(f.get_column(key))
        if stored.height == 0:
            return f, 0
        f = f.join(stored, left_on=key, right_on="__key", how="left", maintain_order="left")
        same = (pl.col("__stored") == pl.col(SOURCE)).fill_null(False)
        if self.group_field:
            # An order is left out only whole: its order row is derived from all of its lines.
            same = same.all().over(self.group_field)
        mask = f.select(same.alias("same")).get_column("same")
        skipped = int(mask.sum())
        return (f.filter(~mask) if skipped else f).drop("__stored"), skipped

    def upsert(self, valid: pl.DataFrame, *, run: ImportRun, actor) -> tuple[int, int, int]:
        counts = self.engine.ingest(valid)
        return counts.inserted, counts.updated, counts.unchanged

    def writes_defer(self) -> None:
        self.engine.defer_writes = True

    def writes_take(self) -> list:
        return self.engine.writes_take()

    def finalize(self, *, run: ImportRun, actor) -> None:
        self.engine.finish()
        ingest_audit_run(actor=actor, run=run, shop=self.shop, totals=self.engine.totals, kind=self.code)


def _f(
    name: str, label: str, *aliases: str, required: bool = False, id_like: bool = False, max_length=None
) -> Field:
    return Field(name, label, required=required, aliases=aliases, id_like=id_like, max_length=max_length)


@import_kind_register
class DouyinOrderImport(OrderImportKind):
    """抖店 order export (订单导出), one row per sub-order, all 65 columns of the formats file and the
    variants seen in the wild (商品金额 for 商品单价, the older …实际承担优惠金额 headers, 快递信息)."""

    code = "douyin-orders"
    label = gettext_lazy("Douyin orders (抖店)")
    platform = "douyin"
    fields: ClassVar[tuple[Field, ...]] = (
        _f("order_no", "主订单编号", "订单编号", "主订单号", required=True, id_like=True, max_length=40),
        _f("sub_order_no", "子订单编号", "子订单号", required=True, id_like=True, max_length=40),
        _f("product_title", "选购商品", "商品名称"),
        _f("sku_spec", "商品规格"),
        _f("quantity", "商品数量", required=True),
        _f("platform_product_id", "商品ID", "商品id", id_like=True, max_length=40),
        _f("merchant_code", "商家编码", "货号", id_like=True, max_length=60),
        _f("unit_price", "商品单价", "商品金额"),
        _f("amount_due", "订单应付金额", required=True),
        _f("freight", "运费"),
        _f("discount_total", "优惠总金额"),
        _f("discount_platform", "平台优惠"),
        _f("discount_merchant", "商家优惠"),
        _f("discount_anchor", "达人优惠"),
        _f("buyer_name", "收件人"),
        _f("buyer_phone", "收件人手机号", id_like=True),
        _f("province", "省"),
        _f("city", "市"),
        _f("district", "区"),
        _f("street", "街道"),
        _f("address_detail", "详细地址"),
        _f("buyer_note", "买家留言"),
        _f("submitted_at", "订单提交时间", "下单时间", required=True),
        _f("finished_at", "订单完成时间"),
        _f("paid_at", "支付完成时间", "支付时间"),
        _f("app_channel", "APP渠道"),
        _f("traffic_source", "流量来源"),
        _f("status_text", "订单状态", required=True),
        _f("order_type", "订单类型"),
        _f("anchor_platform_id", "达人ID", id_like=True, max_length=40),
        _f("anchor_nickname", "达人昵称"),
        _f("aftersale_text", "售后状态"),
        _f("shipped_at", "发货时间"),
        _f("platform_actual", "平台实际优惠", "平台实际承担优惠金额"),
        _f("merchant_actual", "商家实际优惠", "商家实际承担优惠金额"),
        _f("anchor_actual", "达人实际优惠", "达人实际承担优惠金额"),
    )
    # Read past: the file's other columns (支付方式, 旗帜颜色, 仓库名称, 车型…) carry nothing the company
    # keeps. They are listed so a test can show that the full 65-column layout is recognised.
    other_columns: ClassVar[tuple[str, ...]] = (
        "商家改价",
        "支付优惠",
        "红包抵扣",
        "支付方式",
        "手续费",
        "是否修改过地址",
        "旗帜颜色",
        "商家备注",
        "承诺发货时间",
        "鲁班落地页ID",
        "所属门店ID",
        "取消原因",
        "预约发货时间",
        "仓库ID",
        "仓库名称",
        "是否安心购",
        "广告渠道",
        "流量类型",
        "流量体裁",
        "流量渠道",
        "发货主体",
        "发货主体明细",
        "降价类优惠",
        "预计送达时间",
        "是否平台仓自流转",
        "车型",
        "预约送达时间",
        "建议发货时间（起）",
        "建议发货时间（止）",
    )
    money_fields = (
        "unit_price",
        "amount_due",
        "platform_actual",
        "merchant_actual",
        "anchor_actual",
        "freight",
        "discount_total",
        "discount_platform",
        "discount_merchant",
        "discount_anchor",
    )
    time_fields = ("submitted_at", "paid_at", "finished_at", "shipped_at")

    def to_lines(self, f: pl.DataFrame) -> pl.DataFrame:
        due = self.fen("amount_due")
        unpaid = status_code("status_text") == str(LineStatus.UNPAID)
        address = pl.concat_str(
            [pl.col(c).fill_null("") for c in ("province", "city", "district", "street", "address_detail")]
        )
        return f.select(
            "order_no",
            "sub_order_no",
            "product_title",
            "sku_spec",
            "platform_product_id",
            "merchant_code",
            pl.col("__q").alias("quantity"),
            self.fen("unit_price").alias("unit_price_fen"),
            due.alias("amount_due_fen"),
            self.fen("freight").alias("freight_fen"),
            self.fen("discount_total").alias("discount_total_fen"),
            # Older exports only have the …实际承担优惠金额 columns.
            pl.coalesce(self.fen("discount_platform"), self.fen("platform_actual")).alias(
                "discount_platform_fen"
            ),
            pl.coalesce(self.fen("discount_merchant"), self.fen("merchant_actual")).alias(
                "discount_merchant_fen"
            ),
            pl.coalesce(self.fen("discount_anchor"), self.fen("anchor_actual")).alias("discount_anchor_fen"),
            # The buyer paid what was due once the order is paid (抖店 has no separate column).
            pl.when(unpaid | self.at("paid_at").is_null()).then(0).otherwise(due).alias("amount_paid_fen"),
            status_code("status_text").alias("status"),
            "status_text",
            aftersale_code("aftersale_text").alias("aftersale_state"),
            "aftersale_text",
            "traffic_source",
            "app_channel",
            "order_type",
            "anchor_platform_id",
            "anchor_nickname",
            self.at("submitted_at").alias("submitted_at"),
            self.at("paid_at").alias("paid_at"),
            self.at("shipped_at").alias("shipped_at"),
            self.at("finished_at").alias("finished_at"),
            "buyer_name",
            "buyer_phone",
            # A platform-encrypted detail address stays one opaque value; province and city are kept
            # in their own columns either way.
            pl.when(pl.col("address_detail").str.contains(r"^(##|\$\$)"))
            .then(pl.col("address_detail"))
            .when(address == "")
            .then(None)
            .otherwise(address)
            .alias("buyer_address"),
            "province",
            "city",
            "district",
            "buyer_note",
            pl.col("__liveops_line"),
        )


# The other kinds register themselves on import.
from liveops.commerce import importers_adspend, importers_aftersales, importers_taobao  # noqa: E402, F401
