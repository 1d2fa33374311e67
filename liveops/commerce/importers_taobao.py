"""Taobao/Tmall and Kuaishou order import kinds, and the generic mapped order importer (EC-1).

- ``taobao-orders``: the classic 订单报表 (``ExportOrderList*.csv``, GBK) and the newer 千牛 XLSX
  order list, one row per order. Each order becomes one line whose sub-order number is the order
  number. Quirks read as they come: headers ending with a space, 订单编号 as ``="…"``, phones
  with a leading ``'``, amounts with ``元``, times like ``2016/5/23 22:02``.
- ``taobao-order-lines``: the line-item XLSX (子订单编号, 主订单编号, …), one row per sub-order;
  its 退款金额 may hold a word (``无退款申请``) instead of an amount.
- ``kuaishou-orders``: 快手小店 orders through the headers tools use (快手订单编号, 订单商品名称,
  商家实收…) and the open platform's API names (``oid``, ``pay_time``, ``total_fee``…; amounts in
  whole fen, times as millisecond timestamps, numeric status codes). ``kuaishou_mapping_ensure``
  saves the column-mapping template of the API layout.
- ``orders``: any other export, through the mapping screen: the canonical fields with English and
  Chinese labels, amounts in yuan. The platform is the shop's.

Money in the classic 订单报表 (established on the real Tmall file, 28,010 orders, Feb 2020):
买家实际支付金额 is what the buyer paid *net of refunds*. For every paid order of that file
买家实际支付金额 + 退款金额 = 总金额 to the fen; the 5,132 orders with a payment time and
买家实际支付金额 = 0 are the fully refunded ones (退款金额 = 总金额), and the 514 with
0 < 买家实际支付金额 < 总金额 are partly refunded. So the amount paid stored on the line (the
GMV measure) is 买家实际支付金额 + 退款金额, never more than what was due (总金额), and 退款金额
goes to ``refund_fen`` with the after-sales state "refunded". An order with 0 paid and a payment
time is therefore GMV and a refund of the same amount, not an unpaid order; an order without a
payment time is unpaid and counts for nothing. Line-item files are read with the same rule (capped at
买家应付货款), which is right whichever way the platform writes 买家实付金额.

Files that do not say when an order was paid (no payment-time column) count an order whose status
says it was paid (paid, shipped, completed) as paid when it was submitted; when there is no status
column either, Taobao orders are paid if they have a payment time, else unpaid.
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from liveops.commerce.importers import (
    AFTERSALE_WORDS,
    STATUS_WORDS,
    OrderImportKind,
    _f,
)
from liveops.commerce.models.orders import AfterSaleState, LineStatus
from liveops.commerce.parsing import SHANGHAI
from liveops.core.imports.readers import LINE, ImportRefused
from liveops.core.imports.registry import Field, import_kind_register, reject_where, rejects_frame, split
from liveops.core.imports.runner import reason_with

PAID_LIKE = (str(LineStatus.PAID), str(LineStatus.SHIPPED), str(LineStatus.COMPLETED))

# Provinces as written in addresses (short forms included), normalised to the names Douyin uses.
_PROVINCE_RE = (
    r"^(北京市?|天津市?|上海市?|重庆市?|内蒙古(?:自治区)?|广西(?:壮族自治区)?|西藏(?:自治区)?|"
    r"宁夏(?:回族自治区)?|新疆(?:维吾尔自治区)?|香港(?:特别行政区)?|澳门(?:特别行政区)?|台湾省?|"
    r"[^\s\d]{2,3}省)"
)
_PROVINCE_FULL = {
    "北京": "北京市",
    "天津": "天津市",
    "上海": "上海市",
    "重庆": "重庆市",
    "内蒙古": "内蒙古自治区",
    "广西": "广西壮族自治区",
    "西藏": "西藏自治区",
    "宁夏": "宁夏回族自治区",
    "新疆": "新疆维吾尔自治区",
    "香港": "香港特别行政区",
    "澳门": "澳门特别行政区",
    "台湾": "台湾省",
}


def province_of(col: str) -> pl.Expr:
    """The province at the start of an address (``上海`` → 上海市, ``浙江省 杭州市 …`` → 浙江省)."""
    found = pl.col(col).str.strip_chars().str.extract(_PROVINCE_RE, 1)
    return found.replace(_PROVINCE_FULL)


# A place name, not a street: a few Chinese characters ending in an administrative unit. Why checked: an
# address without a district (``广东省 东莞市 鸿福路100号…``) or with the district run into the street
# (``浙江省 杭州市 西湖区文三路100号``) would otherwise put the street, personal data, in a region field
# that every operator sees unmasked.
_REGION_RE = r"^\p{Han}{1,12}(?:市|州|盟|地区|区|县|旗|镇|乡|街道)$"


def address_part(col: str, index: int) -> pl.Expr:
    """City (1) or district (2) of a Taobao address written with spaces (``浙江省 杭州市 西湖区 …``);
    null when the address is not written that way or that part is not a place name."""
    parts = pl.col(col).str.strip_chars().str.split(" ").list.eval(pl.element().filter(pl.element() != ""))
    part = parts.list.get(index, null_on_oob=True)
    return pl.when((parts.list.len() >= 3) & part.str.contains(_REGION_RE)).then(part)


def epoch_as_text(col: str) -> pl.Expr:
    """API timestamps (13 digits: milliseconds, 10: seconds) as local ``YYYY-MM-DD HH:MM:SS`` text, so
    the shared time check reads them; any other value unchanged."""
    c = pl.col(col)
    ms = c.str.contains(r"^\d{13}$")
    s = c.str.contains(r"^\d{10}$")
    v = c.cast(pl.Int64, strict=False)
    when = pl.when(ms).then(pl.from_epoch(v, time_unit="ms")).when(s).then(pl.from_epoch(v, time_unit="s"))
    text = when.dt.replace_time_zone("UTC").dt.convert_time_zone(SHANGHAI).dt.strftime("%Y-%m-%d %H:%M:%S")
    return pl.when(ms | s).then(text).otherwise(c)


class _MoreOrderKind(OrderImportKind):
    """What the kinds of this module share on top of ``OrderImportKind``: columns of which at least
    one must be present, amounts in whole fen (API layouts), API timestamps and status codes, status
    words beyond ``STATUS_WORDS``, refund amounts that may be words, the payment time when the file
    has none, and one line per sub-order number when the sub-order number comes from the order's."""

    # Groups of fields of which the file must have at least one column (refused otherwise).
    any_of: ClassVar[tuple[tuple[str, ...], ...]] = ()
    # Amount fields written in whole fen (API names); parsed into the same ``fen(name)`` columns.
    fen_fields: ClassVar[tuple[str, ...]] = ()
    # Extra platform words → normalised status, and codes → words (Kuaishou API).
    status_extra: ClassVar[dict[str, str]] = {}
    status_codes: ClassVar[dict[str, str]] = {}
    aftersale_extra: ClassVar[dict[str, str]] = {}
    # The field whose amount goes to ``refund_fen`` (only when its column is in the file).
    refund_field: ClassVar[str | None] = None

    def prepare(self) -> None:
        missing = [group for group in self.any_of if not any(n in self.present for n in group)]
        if missing:
            fields = self.field_map()
            groups = [
                _("one of %(columns)s") % {"columns": ", ".join(f"{fields[n].label} ({n})" for n in group)}
                for group in missing
            ]
            raise ImportRefused(
                _("Required columns are missing: %(missing)s.") % {"missing": "; ".join(groups)},
                code="missing_columns",
            )
        # Only a file with the refund column says anything about refunds; otherwise leave them alone.
        if not (self.refund_field and self.refund_field in self.present):
            self.provides = ()
        super().prepare()

    # Validation --------------------------------------------------------------------------------

    def normalise(self, frame: pl.DataFrame) -> pl.DataFrame:
        exprs = [epoch_as_text(n).alias(n) for n in self.time_fields]
        if self.status_codes:
            exprs.append(pl.col("status_text").replace(self.status_codes).alias("status_text"))
        refund = self.refund_field
        if refund:
            # 退款金额 of line-item files may say 无退款申请 instead of 0: a word, not an amount.
            word = pl.col(refund).is_not_null() & ~pl.col(refund).str.contains(r"\d")
            exprs += [
                pl.when(word).then(pl.col(refund)).alias("__refund_word"),
                pl.when(word).then(None).otherwise(pl.col(refund)).alias(refund),
            ]
        return frame.with_columns(exprs) if exprs else frame

    def validate(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        f = self.normalise(frame)
        rejects = []
        for n in self.fen_fields:
            text = pl.col(n).str.replace_all(r"[,\s]", "")
            f = f.with_columns(
                pl.when(text.str.contains(r"^\d{1,15}$"))
                .then(text.cast(pl.Int64, strict=False))
                .alias(f"__m_{n}")
            )
            rejects.append(
                reject_where(
                    f,
                    pl.col(n).is_not_null() & self.fen(n).is_null(),
                    column=n,
                    reason=_("Not an amount in whole fen (分) as the platform's API writes it, e.g. 3990."),
                )
            )
        f, pre = split(f, rejects)
        lines, more = super().validate(f)
        lines, dup = _one_line_per_sub_order(lines)
        return lines, pl.concat([pre, more, dup])

    # Expressions for ``to_lines`` ----------------------------------------------------------------

    def has(self, name: str) -> bool:
        return name in self.present

    def status_from_text(self) -> pl.Expr:
        words = {k: str(v) for k, v in STATUS_WORDS.items()} | self.status_extra
        text = pl.col("status_text")
        return pl.when(text.is_not_null()).then(
            text.replace_strict(words, default=str(LineStatus.OTHER), return_dtype=pl.String)
        )

    def paid_at(self) -> pl.Expr:
        if self.has("paid_at"):
            return self.at("paid_at")
        return pl.when(self.status_from_text().is_in(PAID_LIKE)).then(self.at("submitted_at"))

    def status(self) -> pl.Expr:
        by_time = pl.when(self.paid_at().is_not_null()).then(pl.lit(str(LineStatus.PAID)))
        return pl.coalesce(self.status_from_text(), by_time.otherwise(pl.lit(str(LineStatus.UNPAID))))

    def aftersale_text(self) -> pl.Expr:
        text = pl.col("aftersale_text") if "aftersale_text" in self.field_map() else pl.lit(None, pl.String)
        return pl.coalesce(text, pl.col("__refund_word")) if self.refund_field else text

    def aftersale_state(self) -> pl.Expr:
        words = {k: str(v) for k, v in AFTERSALE_WORDS.items()} | self.aftersale_extra
        text = self.aftersale_text()
        refund = self.fen(self.refund_field) if self.refund_field else pl.lit(None, pl.Int64)
        return (
            pl.when(text.is_not_null())
            .then(text.replace_strict(words, default=str(AfterSaleState.IN_PROGRESS), return_dtype=pl.String))
            .when(refund > 0)
            .then(pl.lit(str(AfterSaleState.REFUNDED)))
            .otherwise(pl.lit(str(AfterSaleState.NONE)))
        )

    def refund_fen(self) -> pl.Expr:
        """The refunded amount: counted once the refund went through."""
        if not self.refund_field:
            return pl.lit(None, pl.Int64)
        done = self.aftersale_state() == str(AfterSaleState.REFUNDED)
        return pl.when(done).then(self.fen(self.refund_field).fill_null(0)).otherwise(0)

    def amount_paid(self, due: pl.Expr, paid: pl.Expr) -> pl.Expr:
        """What the buyer paid (GMV): nothing unless paid; the file's amount plus what was refunded
        from it (Taobao writes the amount net of refunds), at most what was due; what was due when
        the file has no paid amount."""
        gross = pl.min_horizontal(paid + self.refund_fen().fill_null(0), due)
        unpaid = self.paid_at().is_null() | (self.status() == str(LineStatus.UNPAID))
        return pl.when(unpaid).then(0).when(paid.is_null()).then(due.fill_null(0)).otherwise(gross)

    def quantity(self) -> pl.Expr:
        # Order-level exports without a quantity column count one unit per line.
        return pl.col("__q").fill_null(1)

    def address_columns(self, address: str = "buyer_address") -> list[pl.Expr]:
        fields = self.field_map()
        own = {
            n: (pl.col(n) if n in fields else pl.lit(None, pl.String))
            for n in ("province", "city", "district")
        }
        return [
            pl.coalesce(own["province"].replace(_PROVINCE_FULL), province_of(address)).alias("province"),
            pl.coalesce(own["city"], address_part(address, 1)).alias("city"),
            pl.coalesce(own["district"], address_part(address, 2)).alias("district"),
        ]

    def common(self) -> list[pl.Expr]:
        """Status, after-sales, times and refunds: the same for every kind of this module."""
        return [
            self.status().alias("status"),
            "status_text",
            self.aftersale_state().alias("aftersale_state"),
            self.aftersale_text().alias("aftersale_text"),
            self.refund_fen().alias("refund_fen"),
            self.at("submitted_at").alias("submitted_at"),
            self.paid_at().alias("paid_at"),
            (self.at("shipped_at") if "shipped_at" in self.time_fields else pl.lit(None)).alias("shipped_at"),
            (self.at("finished_at") if "finished_at" in self.time_fields else pl.lit(None)).alias(
                "finished_at"
            ),
            pl.col(LINE),
        ]


def _one_line_per_sub_order(lines: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Reject lines whose sub-order number (the order's own, when the file has none) is already on an
    earlier line of the batch (an order's lines are always in one batch)."""
    if lines.height == 0:
        return lines, rejects_frame()
    first = pl.col(LINE).min().over("sub_order_no")
    marked = lines.with_columns(first.alias("__first"))
    dup = marked.filter(pl.col(LINE) > pl.col("__first"))
    if dup.height == 0:
        return lines, rejects_frame()
    reason = _("Duplicate sub-order number in this file: the same value is first on line %(line)s.")
    rejects = rejects_frame(
        dup.select(
            pl.col(LINE).alias("line"),
            pl.lit("sub_order_no").alias("column"),
            pl.col("sub_order_no").alias("value"),
            reason_with(reason, pl.col("__first")).alias("reason"),
        )
    )
    return marked.filter(pl.col(LINE) == pl.col("__first")).drop("__first"), rejects


# Taobao / Tmall ---------------------------------------------------------------------------------


@import_kind_register
class TaobaoOrderImport(_MoreOrderKind):
    """淘宝/天猫 订单报表 (ExportOrderList, one row per order) and the 千牛 XLSX order list."""

    code = "taobao-orders"
    label = gettext_lazy("Taobao / Tmall orders (订单报表)")
    platform = "taobao"
    natural_key = ("order_no",)
    provides = ("refund_fen",)
    refund_field = "refund"
    fields: ClassVar[tuple[Field, ...]] = (
        _f("order_no", "订单编号", "订单号", required=True, id_like=True, max_length=40),
        _f("total", "总金额"),
        _f("amount_goods", "买家应付货款"),
        _f("freight", "买家应付邮费"),
        _f("amount_paid", "买家实际支付金额", "买家实付金额", "实付金额"),
        _f("refund", "退款金额"),
        _f("status_text", "订单状态"),
        _f("buyer_note", "买家留言"),
        _f("buyer_name", "收货人姓名", "收货人"),
        _f("buyer_address", "收货地址"),
        _f("buyer_phone", "联系手机", "手机号", id_like=True),
        _f("buyer_tel", "联系电话", id_like=True),
        _f("submitted_at", "订单创建时间", "买家下单时间", "下单时间", required=True),
        _f("paid_at", "订单付款时间", "买家付款时间", "付款时间"),
        _f("shipped_at", "发货时间"),
        _f("finished_at", "确认收货时间", "交易结束时间"),
        _f("product_title", "宝贝标题", "商品标题"),
        _f("sku_spec", "宝贝规格", "商品属性"),
        _f("quantity", "宝贝总数量", "宝贝数量", "购买数量"),
    )
    any_of = (("total", "amount_goods", "amount_paid"),)
    money_fields = ("total", "amount_goods", "freight", "amount_paid", "refund")
    time_fields = ("submitted_at", "paid_at", "shipped_at", "finished_at")

    def to_lines(self, f: pl.DataFrame) -> pl.DataFrame:
        goods = self.fen("amount_goods")
        due = pl.coalesce(self.fen("total"), goods + self.fen("freight").fill_null(0))
        return f.select(
            "order_no",
            pl.col("order_no").alias("sub_order_no"),
            "product_title",
            "sku_spec",
            self.quantity().alias("quantity"),
            due.alias("amount_due_fen"),
            self.fen("freight").alias("freight_fen"),
            self.amount_paid(due, self.fen("amount_paid")).alias("amount_paid_fen"),
            *self.common(),
            "buyer_name",
            pl.coalesce("buyer_phone", "buyer_tel").alias("buyer_phone"),
            "buyer_address",
            *self.address_columns(),
            "buyer_note",
        )


@import_kind_register
class TaobaoOrderLineImport(_MoreOrderKind):
    """淘宝/天猫 line-item XLSX: one row per sub-order (子订单编号), joined to its order (主订单编号)."""

    code = "taobao-order-lines"
    label = gettext_lazy("Taobao / Tmall order lines (子订单)")
    platform = "taobao"
    provides = ("refund_fen",)
    refund_field = "refund"
    fields: ClassVar[tuple[Field, ...]] = (
        _f("sub_order_no", "子订单编号", "子订单号", required=True, id_like=True, max_length=40),
        _f("order_no", "主订单编号", "主订单号", required=True, id_like=True, max_length=40),
        _f("product_title", "商品标题", "宝贝标题"),
        _f("unit_price", "商品价格", "商品单价"),
        _f("quantity", "购买数量", "宝贝数量", required=True),
        _f("sku_spec", "商品属性", "宝贝规格"),
        _f("package", "套餐信息"),
        _f("status_text", "订单状态"),
        _f("merchant_code", "商家编码", id_like=True, max_length=60),
        _f("amount_due", "买家应付货款"),
        _f("amount_paid", "买家实付金额", "买家实际支付金额"),
        _f("aftersale_text", "退款状态"),
        _f("refund", "退款金额"),
        _f("submitted_at", "订单创建时间", "买家下单时间", required=True),
        _f("paid_at", "订单付款时间", "买家付款时间"),
        _f("platform_product_id", "商品ID", "宝贝ID", id_like=True, max_length=40),
    )
    # 商家备注 (the seller's own note) is read past: it is not the buyer's.
    any_of = (("amount_due", "amount_paid", "unit_price"),)
    money_fields = ("unit_price", "amount_due", "amount_paid", "refund")
    time_fields = ("submitted_at", "paid_at")

    def to_lines(self, f: pl.DataFrame) -> pl.DataFrame:
        price = self.fen("unit_price")
        due = pl.coalesce(self.fen("amount_due"), price * pl.col("__q"))
        spec = pl.concat_str([pl.col("sku_spec"), pl.col("package")], separator="；", ignore_nulls=True)
        return f.select(
            "order_no",
            "sub_order_no",
            "product_title",
            pl.when(spec != "").then(spec).alias("sku_spec"),
            "platform_product_id",
            "merchant_code",
            self.quantity().alias("quantity"),
            price.alias("unit_price_fen"),
            due.alias("amount_due_fen"),
            self.amount_paid(due, self.fen("amount_paid")).alias("amount_paid_fen"),
            *self.common(),
        )


# Kuaishou ---------------------------------------------------------------------------------------

# Order status codes of the Kuaishou open platform, as the words its back office shows.
KUAISHOU_STATUS_CODES = {
    "10": "待付款",
    "30": "已付款",
    "40": "已发货",
    "50": "已收货",
    "70": "交易成功",
    "80": "交易关闭",
}
KUAISHOU_STATUS_WORDS = {
    "已付款": str(LineStatus.PAID),
    "已收货": str(LineStatus.COMPLETED),
    "订单成功": str(LineStatus.COMPLETED),
    "订单失败": str(LineStatus.CLOSED),
}


@import_kind_register
class KuaishouOrderImport(_MoreOrderKind):
    """快手小店 orders: one row per order (or per sub-order when the file has 子订单号). Headers
    seen in tools and the open platform's API names are both recognised; API amounts are whole fen
    and API times millisecond timestamps. Read past: buyer_id, seller_id, cps_type, commission_rate,
    refund_time (commissions and refunds come with settlements and after-sales)."""

    code = "kuaishou-orders"
    label = gettext_lazy("Kuaishou orders (快手小店)")
    platform = "kuaishou"
    fields: ClassVar[tuple[Field, ...]] = (
        _f(
            "order_no",
            "订单号",
            "快手订单编号",
            "订单编号",
            "订单ID",
            "oid",
            required=True,
            id_like=True,
            max_length=40,
        ),
        _f("sub_order_no", "子订单号", "子订单编号", id_like=True, max_length=40),
        _f("product_title", "订单商品名称", "商品名称", "商品标题", "item_title", "itemTitle"),
        _f("sku_spec", "商品规格", "规格", "sku_desc", "skuDesc"),
        _f("platform_product_id", "商品ID", "item_id", "itemId", id_like=True, max_length=40),
        _f("merchant_code", "商家编码", "SKU编码", "sku_nick", "skuNick", id_like=True, max_length=60),
        _f("quantity", "商品数量", "购买数量", "数量", "num"),
        _f("unit_price", "商品单价", "单价"),
        _f("amount_due", "订单金额", "订单总金额", "应付金额"),
        _f("amount_paid", "实付款", "实付金额", "买家实付", "买家实付金额"),
        _f("seller_received", "商家实收"),
        _f("freight", "运费"),
        _f("discount_total", "优惠金额"),
        _f("discount_platform", "平台补贴", "平台优惠"),
        _f("discount_merchant", "商家优惠"),
        _f("total_fee", "订单总金额（分）", "totalFee"),
        _f("buyer_pay", "买家实付（分）", "buyerPay"),
        _f("express_fee", "运费（分）", "expressFee"),
        _f("discount_fee", "优惠金额（分）", "discountFee"),
        _f("platform_allowance", "平台补贴（分）", "platformAllowance"),
        _f("seller_recv", "商家实收（分）", "sellerRecv"),
        _f("status_text", "订单状态", "order_status", "status"),
        _f("submitted_at", "下单时间", "订单创建时间", "创建时间", "create_time", "createTime"),
        _f("paid_at", "支付时间", "付款时间", "pay_time", "payTime"),
        _f("shipped_at", "发货时间", "send_time", "sendTime"),
        _f("finished_at", "完成时间", "成交时间"),
        _f("anchor_platform_id", "主播ID", "anchor_id", "anchorId", id_like=True, max_length=40),
        _f("talent_id", "达人ID", "talent_id", "talentId", id_like=True, max_length=40),
        _f(
            "distributor_id",
            "分销推广者ID",
            "推广者ID",
            "distributor_id",
            "distributorId",
            id_like=True,
            max_length=40,
        ),
        _f("anchor_nickname", "主播昵称", "达人昵称", "anchor_name"),
        _f("traffic_source", "流量来源", "订单来源"),
        _f("buyer_name", "收货人", "收件人", "收货人姓名"),
        _f("buyer_phone", "收货人手机号", "收件人手机号", "手机号", "联系电话", id_like=True),
        _f("buyer_address", "收货地址", "详细地址"),
        _f("province", "省", "省份"),
        _f("city", "市", "城市"),
        _f("district", "区", "区县"),
        _f("buyer_note", "买家留言", "买家备注", "remark"),
    )
    any_of = (
        ("amount_due", "amount_paid", "seller_received", "total_fee", "buyer_pay", "seller_recv"),
        ("submitted_at", "paid_at"),
    )
    money_fields = (
        "unit_price",
        "amount_due",
        "amount_paid",
        "seller_received",
        "freight",
        "discount_total",
        "discount_platform",
        "discount_merchant",
    )
    fen_fields = (
        "total_fee",
        "buyer_pay",
        "express_fee",
        "discount_fee",
        "platform_allowance",
        "seller_recv",
    )
    time_fields = ("submitted_at", "paid_at", "shipped_at", "finished_at")
    status_codes: ClassVar[dict[str, str]] = KUAISHOU_STATUS_CODES
    status_extra: ClassVar[dict[str, str]] = KUAISHOU_STATUS_WORDS

    def to_lines(self, f: pl.DataFrame) -> pl.DataFrame:
        m = self.fen
        due = pl.coalesce(m("amount_due"), m("total_fee"))
        # 商家实收 (what the shop receives) stands in when the file has no buyer-paid amount.
        paid = pl.coalesce(m("amount_paid"), m("buyer_pay"), m("seller_received"), m("seller_recv"))
        due = pl.coalesce(due, paid)
        return f.select(
            "order_no",
            pl.coalesce("sub_order_no", "order_no").alias("sub_order_no"),
            "product_title",
            "sku_spec",
            "platform_product_id",
            "merchant_code",
            self.quantity().alias("quantity"),
            m("unit_price").alias("unit_price_fen"),
            due.alias("amount_due_fen"),
            pl.coalesce(m("freight"), m("express_fee")).alias("freight_fen"),
            pl.coalesce(m("discount_total"), m("discount_fee")).alias("discount_total_fen"),
            pl.coalesce(m("discount_platform"), m("platform_allowance")).alias("discount_platform_fen"),
            m("discount_merchant").alias("discount_merchant_fen"),
            self.amount_paid(due, paid).alias("amount_paid_fen"),
            *self.common(),
            "traffic_source",
            pl.coalesce("anchor_platform_id", "talent_id", "distributor_id").alias("anchor_platform_id"),
            "anchor_nickname",
            "buyer_name",
            "buyer_phone",
            "buyer_address",
            *self.address_columns(),
            "buyer_note",
        )


# The API layout's mapping template: source header → field.
KUAISHOU_API_MAPPING_NAME = "快手 API 字段 (Kuaishou API fields)"
KUAISHOU_API_MAPPING = {
    "oid": "order_no",
    "item_title": "product_title",
    "item_id": "platform_product_id",
    "sku_nick": "merchant_code",
    "num": "quantity",
    "total_fee": "total_fee",
    "buyer_pay": "buyer_pay",
    "express_fee": "express_fee",
    "discount_fee": "discount_fee",
    "platform_allowance": "platform_allowance",
    "seller_recv": "seller_recv",
    "order_status": "status_text",
    "create_time": "submitted_at",
    "pay_time": "paid_at",
    "send_time": "shipped_at",
    "anchor_id": "anchor_platform_id",
    "talent_id": "talent_id",
    "distributor_id": "distributor_id",
    "remark": "buyer_note",
}


def kuaishou_mapping_ensure(*, actor=None):
    """The saved column mapping of the Kuaishou API layout (``oid``, ``pay_time``, ``total_fee``…),
    created when missing (audited); an existing template of that name is left as the users keep it."""
    from liveops.core.imports.services import mapping_list, mapping_save

    existing = mapping_list(kind=KuaishouOrderImport.code).filter(name=KUAISHOU_API_MAPPING_NAME).first()
    if existing is not None:
        return existing
    return mapping_save(
        actor=actor,
        kind=KuaishouOrderImport.code,
        name=KUAISHOU_API_MAPPING_NAME,
        columns=KUAISHOU_API_MAPPING,
    )


# Generic ----------------------------------------------------------------------------------------

GENERIC_STATUS = {
    **{str(s): str(s) for s in LineStatus},
    "awaiting payment": str(LineStatus.UNPAID),
    "pending": str(LineStatus.UNPAID),
    "delivered": str(LineStatus.COMPLETED),
    "cancelled": str(LineStatus.CLOSED),
    "canceled": str(LineStatus.CLOSED),
    **KUAISHOU_STATUS_WORDS,
}
GENERIC_AFTERSALE = {str(s): str(s) for s in AfterSaleState}


def _g(name: str, english: str, *aliases: str, **kwargs) -> Field:
    """A field of the generic kind: its English label (translated on screen; marked with
    ``gettext_noop`` at the call) and, as aliases, the English words and the Chinese headers, so a
    file's headers match whatever the language of the page."""
    return Field(name, gettext_lazy(english), aliases=(english, *aliases), **kwargs)


@import_kind_register
class GenericOrderImport(_MoreOrderKind):
    """Orders from any platform's export: map its columns to these fields on the mapping screen (and
    save the mapping for the next file). Amounts in yuan; the platform is the shop's."""

    code = "orders"
    label = gettext_lazy("Orders (any platform, mapped columns)")
    platform = None
    provides = ("refund_fen",)
    refund_field = "refund"
    fields: ClassVar[tuple[Field, ...]] = (
        _g(
            "order_no",
            gettext_noop("Order number"),
            "订单号",
            "订单编号",
            "主订单编号",
            required=True,
            id_like=True,
            max_length=40,
        ),
        _g(
            "sub_order_no",
            gettext_noop("Sub-order number"),
            "子订单号",
            "子订单编号",
            id_like=True,
            max_length=40,
        ),
        _g("product_title", gettext_noop("Product"), "商品名称", "商品标题"),
        _g("sku_spec", gettext_noop("Specification"), "商品规格", "规格"),
        _g("platform_product_id", gettext_noop("Platform product ID"), "商品ID", id_like=True, max_length=40),
        _g("merchant_code", gettext_noop("Merchant code"), "商家编码", id_like=True, max_length=60),
        _g("quantity", gettext_noop("Quantity"), "商品数量", "数量", "购买数量"),
        _g("unit_price", gettext_noop("Unit price"), "商品单价", "单价"),
        _g("amount_due", gettext_noop("Amount due"), "应付金额", "订单应付金额"),
        _g("freight", gettext_noop("Freight"), "运费"),
        _g("discount_total", gettext_noop("Discounts"), "优惠总金额", "优惠金额"),
        _g("discount_platform", gettext_noop("Platform discount"), "平台优惠"),
        _g("discount_merchant", gettext_noop("Merchant discount"), "商家优惠"),
        _g("discount_anchor", gettext_noop("Anchor discount"), "达人优惠"),
        _g("amount_paid", gettext_noop("Amount paid"), "实付金额", "买家实付金额"),
        _g("refund", gettext_noop("Amount refunded"), "退款金额"),
        _g("status_text", gettext_noop("Status"), "订单状态"),
        _g("aftersale_text", gettext_noop("After-sales status"), "售后状态", "退款状态"),
        _g("traffic_source", gettext_noop("Traffic source"), "流量来源"),
        _g("app_channel", gettext_noop("App channel"), "APP渠道"),
        _g("order_type", gettext_noop("Order type"), "订单类型"),
        _g("anchor_platform_id", gettext_noop("Anchor ID"), "达人ID", "主播ID", id_like=True, max_length=40),
        _g("anchor_nickname", gettext_noop("Anchor nickname"), "达人昵称", "主播昵称"),
        _g("submitted_at", gettext_noop("Submitted at"), "下单时间", "订单创建时间", "订单提交时间"),
        _g("paid_at", gettext_noop("Paid at"), "支付时间", "付款时间"),
        _g("shipped_at", gettext_noop("Shipped at"), "发货时间"),
        _g("finished_at", gettext_noop("Completed at"), "完成时间"),
        _g("buyer_name", gettext_noop("Recipient"), "收件人", "收货人"),
        _g("buyer_phone", gettext_noop("Recipient phone"), "收件人手机号", "手机号", id_like=True),
        _g("buyer_address", gettext_noop("Address"), "收货地址", "详细地址"),
        _g("province", gettext_noop("Province"), "省", "省份"),
        _g("city", gettext_noop("City"), "市", "城市"),
        _g("district", gettext_noop("District"), "区", "区县"),
        _g("buyer_note", gettext_noop("Buyer's note"), "买家留言"),
    )
    any_of = (("amount_due", "amount_paid", "unit_price"), ("submitted_at", "paid_at"))
    money_fields = (
        "unit_price",
        "amount_due",
        "freight",
        "discount_total",
        "discount_platform",
        "discount_merchant",
        "discount_anchor",
        "amount_paid",
        "refund",
    )
    time_fields = ("submitted_at", "paid_at", "shipped_at", "finished_at")
    status_extra: ClassVar[dict[str, str]] = GENERIC_STATUS
    aftersale_extra: ClassVar[dict[str, str]] = GENERIC_AFTERSALE

    def normalise(self, frame: pl.DataFrame) -> pl.DataFrame:
        # English words in any case (Paid, COMPLETED) match the canonical codes.
        f = super().normalise(frame)
        lower = {w for w in GENERIC_STATUS if w.isascii()}
        text = pl.col("status_text")
        return f.with_columns(
            pl.when(text.str.to_lowercase().is_in(list(lower)))
            .then(text.str.to_lowercase())
            .otherwise(text)
            .alias("status_text")
        )

    def to_lines(self, f: pl.DataFrame) -> pl.DataFrame:
        m = self.fen
        price = m("unit_price")
        due = pl.coalesce(m("amount_due"), price * self.quantity(), m("amount_paid"))
        return f.select(
            "order_no",
            pl.coalesce("sub_order_no", "order_no").alias("sub_order_no"),
            "product_title",
            "sku_spec",
            "platform_product_id",
            "merchant_code",
            self.quantity().alias("quantity"),
            price.alias("unit_price_fen"),
            due.alias("amount_due_fen"),
            m("freight").alias("freight_fen"),
            m("discount_total").alias("discount_total_fen"),
            m("discount_platform").alias("discount_platform_fen"),
            m("discount_merchant").alias("discount_merchant_fen"),
            m("discount_anchor").alias("discount_anchor_fen"),
            self.amount_paid(due, m("amount_paid")).alias("amount_paid_fen"),
            *self.common(),
            "traffic_source",
            "app_channel",
            "order_type",
            "anchor_platform_id",
            "anchor_nickname",
            "buyer_name",
            "buyer_phone",
            "buyer_address",
            *self.address_columns(),
            "buyer_note",
        )
