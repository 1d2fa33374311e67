"""Douyin after-sales (售后) and fund-movement / settlement (动账, 结算明细) imports (issue 4 §5, EC-1).

Both kinds import into one shop, named by the run's ``options["shop"]`` (a shop name or id; the CLI
passes ``--shop NAME``). The run is refused before anything is written when the shop is missing or
unknown, is not a Douyin shop, or is not one the actor may import into (``commerce.import`` over the
shop's department).

- ``douyin-aftersales``: one row per after-sales case, keyed on (shop, 售后单号). Besides the columns
  of the formats file it reads what real exports carry to link a case: 订单号/主订单编号,
  子订单号/子订单编号, 售后状态 and 退款金额 (else 申请退款金额). The platform status and the times
  give the normalised state: refunded, closed without refund, or in progress.
- ``douyin-settlements``: the newer 动账 export (keyed on 动帐流水号, sic) and the older 结算明细
  (no entry number: the key is built from 子订单号 + 结算时间 + 结算单类型; its second row is a
  sub-header ``" , , ,收入+支出,…"``, rejected with a reason like any row that is not an entry).

Rows are validated with polars expressions (no Python per row) and written set-based: new rows in one
``INSERT``/``COPY``, changed rows in one ``UPDATE`` per batch, each changed row audited with its
before/after values; new rows are audited once per run with their count. Importing the same file
again changes nothing. Each batch links its rows to order lines, rolls the figures onto the lines and
refreshes the daily rollups of the days those lines count on, in the batch's own transaction, so an
interrupted import leaves lines and rollups consistent with what was written.
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liveops.commerce.bulk import fetch_frame, insert_frame, keys_in, update_frame
from liveops.commerce.import_shops import shop_for_run, shop_lock_key, shop_option_field
from liveops.commerce.models import AfterSale, SettlementEntry, Shop
from liveops.commerce.models.orders import AfterSaleState, Platform
from liveops.commerce.parsing import SHANGHAI, local_datetime, money_fen, money_text
from liveops.commerce.services.aftersales import (
    aftersales_relink_shop,
    lines_figures_refresh,
    resolve_lines,
    rollups_refresh_safe,
)
from liveops.core.audit import audit_action
from liveops.core.imports.readers import LINE, ImportRefused
from liveops.core.imports.registry import (
    UPDATE,
    Field,
    ImportKind,
    audit_bulk,
    changes_update,
    import_kind_register,
    reject_where,
    rejects_frame,
    split,
)
from liveops.core.imports.runner import reason_with
from liveops.core.models import ImportRun

UTC_DT = pl.Datetime("us", "UTC")


# The shop of a run ---------------------------------------------------------------------------------


# Shared validation helpers -------------------------------------------------------------------------


def _money_rejects(frame: pl.DataFrame, column: str, *, negative_ok: bool) -> list[pl.DataFrame]:
    bad = pl.col(column).is_not_null() & money_fen(column).is_null()
    out = [
        reject_where(
            frame,
            bad,
            column=column,
            reason=_("Not an amount: a number of yuan with at most two decimals, e.g. 39.90."),
        )
    ]
    if not negative_ok:
        out.append(
            reject_where(
                frame,
                ~bad & money_text(column).str.starts_with("-") & (money_fen(column) != 0),
                column=column,
                reason=_("Must not be negative."),
            )
        )
    return out


def _time_rejects(frame: pl.DataFrame, columns: list[str]) -> list[pl.DataFrame]:
    return [
        reject_where(
            frame,
            pl.col(c).is_not_null() & local_datetime(c).is_null(),
            column=c,
            reason=_("Not a date and time that exists: write it as 2026-01-03 09:33:16."),
        )
        for c in columns
    ]


def _same(a: str, b: str) -> pl.Expr:
    """Null-safe equality of two columns."""
    return pl.col(a).eq_missing(pl.col(b))


def _jsonable(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


class _ShopRowsImport(ImportKind):
    """Common writing path of the two kinds: compare with what is stored, insert new rows, update
    changed ones (audited), relink, roll up onto lines and refresh daily rollups."""

    capability = "commerce.import"
    duties = ("EC-1",)
    upsert_slice: ClassVar[int | None] = None
    model: ClassVar[type] = AfterSale
    key_column: ClassVar[str] = ""
    # Columns written from the file (besides shop_id, the key, line_id and row_hash), with their dtypes.
    data_schema: ClassVar[dict[str, pl.DataType]] = {}
    audit_verb: ClassVar[str] = ""
    shop_stamp: ClassVar[str] = ""

    @classmethod
    def option_fields(cls, access) -> dict:
        """The upload page's shop choice (Douyin shops the actor may import into)."""
        return {"shop": shop_option_field(access, platform=Platform.DOUYIN)}

    @classmethod
    def lock_key_for(cls, options: dict) -> str | None:
        """One import at a time into a shop (its lines' after-sales totals and rollups)."""
        return shop_lock_key(options, platform=Platform.DOUYIN)

    def prepare(self) -> None:
        self.shop = shop_for_run(self.run, access=self.access, platform=Platform.DOUYIN)
        self.totals = [0, 0, 0]
        self.lines_changed = 0
        self.linked = 0

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    def _existing(self, keys: list[str]) -> pl.DataFrame:
        cols = ["id", self.key_column, "line_id", *self.data_schema]
        schema = {
            "__id": pl.Int64,
            self.key_column: pl.String,
            "__line": pl.Int64,
            **{f"__old_{c}": t for c, t in self.data_schema.items()},
        }
        cond, params = keys_in(self.key_column, keys)
        return fetch_frame(
            f"SELECT {', '.join(cols)} FROM {self.table} WHERE shop_id = %s AND {cond}",  # noqa: S608
            [self.shop.pk, *params],
            schema,
        )

    def upsert(self, valid: pl.DataFrame, *, run: ImportRun, actor) -> tuple[int, int, int]:
        rows = valid.select(self.key_column, *self.data_schema)
        links = rows.select(pl.col("order_no").replace("", None), pl.col("sub_order_no").replace("", None))
        rows = rows.with_columns(resolve_lines(self.shop.pk, links).alias("line_id"))
        f = rows.join(
            self._existing(rows.get_column(self.key_column).to_list()),
            on=self.key_column,
            how="left",
            maintain_order="left",
        )
        is_new = pl.col("__id").is_null()
        same = pl.all_horizontal([_same(c, f"__old_{c}") for c in self.data_schema])
        f = f.with_columns(
            pl.when(is_new)
            .then(pl.lit("new"))
            .when(same)
            .then(pl.lit("same"))
            .otherwise(pl.lit("changed"))
            .alias("__state"),
            (~is_new & ~_same("line_id", "__line")).alias("__relinked"),
        )
        counts = dict(f.get_column("__state").value_counts().iter_rows())
        inserted, updated, unchanged = counts.get("new", 0), counts.get("changed", 0), counts.get("same", 0)

        new = f.filter(pl.col("__state") == "new").select(
            pl.lit(self.shop.pk, dtype=pl.Int64).alias("shop_id"),
            self.key_column,
            "line_id",
            *self.data_schema,
            pl.lit("").alias("row_hash"),
        )
        insert_frame(self.table, new)
        changed = f.filter((pl.col("__state") == "changed") | pl.col("__relinked"))
        update_frame(
            self.table,
            changed.select(pl.col("__id").alias("id"), "line_id", *self.data_schema),
        )
        self._audit_changes(f.filter(pl.col("__state") == "changed"), actor)

        # Lines whose figures may move: those of new and changed rows, and both ends of a relink.
        touched = f.filter((pl.col("__state") != "same") | pl.col("__relinked"))
        line_ids = (
            pl.concat([touched.get_column("line_id"), touched.get_column("__line")]).drop_nulls().unique()
        )
        shop_days = lines_figures_refresh(line_ids=line_ids.to_list())
        self.lines_changed += sum(len(v) for v in shop_days.values())
        self.linked += int(f.filter(pl.col("line_id").is_not_null()).height)
        rollups_refresh_safe(shop_days=shop_days)
        self.totals = [self.totals[0] + inserted, self.totals[1] + updated, self.totals[2] + unchanged]
        return inserted, updated, unchanged

    def _audit_changes(self, changed: pl.DataFrame, actor) -> None:
        if changed.height == 0:
            return
        cols = list(self.data_schema)
        entries = []
        for row in changed.select("__id", self.key_column, *cols, *[f"__old_{c}" for c in cols]).iter_rows(
            named=True
        ):
            before = {c: _jsonable(row[f"__old_{c}"]) for c in cols}
            after = {c: _jsonable(row[c]) for c in cols}
            diff = changes_update(before, after)
            if diff is None:
                continue
            instance = self.model(
                pk=row["__id"], shop_id=self.shop.pk, **{self.key_column: row[self.key_column]}
            )
            entries.append((UPDATE, instance, diff))
        audit_bulk(actor=actor, entries=entries)

    def finalize(self, *, run: ImportRun, actor) -> None:
        # Rows imported before their orders: link whatever has arrived since.
        aftersales_relink_shop(shop_id=self.shop.pk)
        Shop.objects.filter(pk=self.shop.pk).update(**{self.shop_stamp: timezone.now()})
        if run is None or run.pk is None:
            return
        audit_action(
            actor=actor,
            instance=run,
            verb=self.audit_verb,
            details={
                "shop": self.shop.pk,
                "inserted": self.totals[0],
                "updated": self.totals[1],
                "unchanged": self.totals[2],
                "linked": self.linked,
                "line_days_changed": self.lines_changed,
            },
        )


# After-sales -----------------------------------------------------------------------------------

_AFTERSALE_TIMES = [
    "applied_at",
    "return_shipped_at",
    "agreed_at",
    "merchant_refunded_at",
    "buyer_received_at",
    "closed_at",
    "completed_at",
]
_AFTERSALE_TEXT = [
    "kind",
    "status_text",
    "reason",
    "reason_tag",
    "return_tracking_no",
    "arbitration_status",
    "responsible_party",
    "buyer_explanation",
    "note",
]
# Platform wording of the status, normalised. Checked in this order.
REFUNDED_WORDS = r"退款成功|已退款|退款完成|退款已到账|已到账"
CLOSED_WORDS = r"关闭|撤销|取消|拒绝|驳回|失败|换货成功|补寄成功|维修完成"
DONE_WORDS = r"售后完成|售后成功|已完成|完结"


def aftersale_state_expr() -> pl.Expr:
    """The normalised state of a case, from the platform status and the times (vectorised).

    Refunded: the status says the money went back (退款成功…), or a done status (售后完成…) on a
    refund type or with a refund time, or (without a status) a refund time; closed: the status says
    closed, withdrawn, refused or exchanged, or a done status without refund, or (without a status) a
    close or completion time without refund; otherwise in progress."""
    status = pl.col("status_text").fill_null("")
    refund_time = pl.col("merchant_refunded_at").is_not_null() | pl.col("buyer_received_at").is_not_null()
    refund_kind = pl.col("kind").fill_null("").str.contains("退款|退货")
    return (
        pl.when(status.str.contains(REFUNDED_WORDS))
        .then(pl.lit(AfterSaleState.REFUNDED.value))
        .when(status.str.contains(CLOSED_WORDS))
        .then(pl.lit(AfterSaleState.CLOSED.value))
        .when(status.str.contains(DONE_WORDS) & (refund_time | refund_kind))
        .then(pl.lit(AfterSaleState.REFUNDED.value))
        .when(status.str.contains(DONE_WORDS))
        .then(pl.lit(AfterSaleState.CLOSED.value))
        .when((status == "") & refund_time)
        .then(pl.lit(AfterSaleState.REFUNDED.value))
        .when((status == "") & pl.col("completed_at").is_not_null() & refund_kind)
        .then(pl.lit(AfterSaleState.REFUNDED.value))
        .when((status == "") & (pl.col("closed_at").is_not_null() | pl.col("completed_at").is_not_null()))
        .then(pl.lit(AfterSaleState.CLOSED.value))
        .otherwise(pl.lit(AfterSaleState.IN_PROGRESS.value))
    )


def _text(name: str, label, *aliases: str, max_length: int, id_like: bool = False) -> Field:
    return Field(name, label, aliases=aliases, max_length=max_length, id_like=id_like)


@import_kind_register
class DouyinAfterSalesImport(_ShopRowsImport):
    """Douyin 抖店 after-sales export: 售后单号 required; 订单号 or 子订单号 to link the case."""

    code = "douyin-aftersales"
    label = gettext_lazy("Douyin after-sales")
    natural_key = ("aftersale_no",)
    model = AfterSale
    key_column = "aftersale_no"
    audit_verb = "import_aftersales"
    shop_stamp = "aftersales_updated_at"
    data_schema: ClassVar[dict[str, pl.DataType]] = {
        "order_no": pl.String,
        "sub_order_no": pl.String,
        **{c: pl.String for c in _AFTERSALE_TEXT},
        "state": pl.String,
        "refund_fen": pl.Int64,
        **dict.fromkeys(_AFTERSALE_TIMES, UTC_DT),
    }
    fields: ClassVar[tuple[Field, ...]] = (
        Field(
            "aftersale_no",
            gettext_lazy("After-sales number"),
            required=True,
            id_like=True,
            max_length=40,
            aliases=("售后单号", "售后单编号", "售后ID", "售后id", "退款单号"),
        ),
        _text(
            "order_no",
            gettext_lazy("Order number"),
            "订单号",
            "主订单编号",
            "主订单号",
            "订单编号",
            "订单ID",
            max_length=40,
            id_like=True,
        ),
        _text(
            "sub_order_no",
            gettext_lazy("Sub-order number"),
            "子订单号",
            "子订单编号",
            "商品单号",
            "子订单ID",
            max_length=40,
            id_like=True,
        ),
        _text("kind", gettext_lazy("After-sales type"), "售后类型", "退款类型", max_length=40),
        _text("status_text", gettext_lazy("After-sales status"), "售后状态", "退款状态", max_length=40),
        Field("applied_at", gettext_lazy("Applied"), aliases=("售后申请时间", "申请时间", "退款申请时间")),
        _text("reason", gettext_lazy("Reason"), "售后原因", "退款原因", max_length=200),
        _text("reason_tag", gettext_lazy("Reason tag"), "售后原因标签", "原因标签", max_length=100),
        Field(
            "refund",
            gettext_lazy("Refund amount"),
            aliases=("退款金额", "实际退款金额", "退款金额(元)", "退款金额（元）"),
        ),
        Field("refund_applied", gettext_lazy("Refund applied for"), aliases=("申请退款金额", "申请金额")),
        _text(
            "return_tracking_no",
            gettext_lazy("Return tracking number"),
            "退货物流单号",
            "退货运单号",
            max_length=60,
            id_like=True,
        ),
        Field("return_shipped_at", gettext_lazy("Return shipped"), aliases=("退货发货时间",)),
        Field("agreed_at", gettext_lazy("Agreed"), aliases=("同意售后申请时间", "同意时间")),
        Field(
            "merchant_refunded_at", gettext_lazy("Refunded by merchant"), aliases=("商家退款时间", "退款时间")
        ),
        Field("buyer_received_at", gettext_lazy("Refund received"), aliases=("用户到账时间", "到账时间")),
        Field("closed_at", gettext_lazy("Closed"), aliases=("售后关闭时间", "关闭时间")),
        _text("arbitration_status", gettext_lazy("Arbitration"), "仲裁状态", max_length=40),
        _text("responsible_party", gettext_lazy("Responsible party"), "纠纷责任方", "责任方", max_length=40),
        Field("completed_at", gettext_lazy("Completed"), aliases=("售后完结时间", "完结时间")),
        _text(
            "buyer_explanation",
            gettext_lazy("Buyer's explanation"),
            "用户售后说明",
            "售后说明",
            max_length=500,
        ),
        _text("note", gettext_lazy("Note"), "售后备注", "商家备注", "备注", max_length=500),
    )

    def prepare(self) -> None:
        if not ({"order_no", "sub_order_no"} & self.present):
            raise ImportRefused(
                _(
                    "The file has no order number or sub-order number column (订单号 / 子订单号): "
                    "the after-sales cases could not be linked to orders."
                ),
                code="missing_columns",
            )
        super().prepare()

    def validate(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        rejects = [
            reject_where(
                frame,
                pl.col("order_no").is_null() & pl.col("sub_order_no").is_null(),
                column="sub_order_no",
                reason=_("No order or sub-order number: the case cannot be linked to an order."),
            ),
            *_money_rejects(frame, "refund", negative_ok=False),
            *_money_rejects(frame, "refund_applied", negative_ok=False),
            *_time_rejects(frame, _AFTERSALE_TIMES),
        ]
        valid, all_rejects = split(frame, rejects)
        valid = valid.with_columns(
            *[local_datetime(c).alias(c) for c in _AFTERSALE_TIMES],
            pl.coalesce(money_fen("refund"), money_fen("refund_applied"), pl.lit(0, dtype=pl.Int64)).alias(
                "refund_fen"
            ),
        ).with_columns(
            aftersale_state_expr().alias("state"),
            *[pl.col(c).fill_null("") for c in _AFTERSALE_TEXT],
            pl.col("order_no").fill_null(""),
            pl.col("sub_order_no").fill_null(""),
        )
        return valid, all_rejects


# Settlements -----------------------------------------------------------------------------------

_SETTLEMENT_MONEY = {
    "order_paid": "order_paid_fen",
    "freight": "freight_fen",
    "platform_subsidy": "platform_subsidy_fen",
    "refund": "refund_fen",
    "platform_fee": "platform_fee_fen",
    "commission": "commission_fen",
    "merchant_service_fee": "merchant_service_fee_fen",
    "promotion_fee": "promotion_fee_fen",
}
_IN_WORDS = ("入账", "收入", "入", "in", "income", "+")
_OUT_WORDS = ("出账", "支出", "出", "out", "expense", "-")
# The older export's columns that tell it apart (its rows have no entry number).
_OLDER_NEEDS = ("occurred_at", "sub_order_no", "amount")


@import_kind_register
class DouyinSettlementsImport(_ShopRowsImport):
    """Douyin fund movements (动账明细, keyed on 动帐流水号) or the older 结算明细 (keyed on
    子订单号 + 结算时间 + 结算单类型)."""

    code = "douyin-settlements"
    label = gettext_lazy("Douyin settlements and fund movements")
    natural_key = ("entry_no",)
    model = SettlementEntry
    key_column = "entry_no"
    audit_verb = "import_settlements"
    shop_stamp = "settlements_updated_at"
    data_schema: ClassVar[dict[str, pl.DataType]] = {
        "order_no": pl.String,
        "sub_order_no": pl.String,
        "occurred_at": UTC_DT,
        "direction": pl.String,
        "amount_fen": pl.Int64,
        "account": pl.String,
        "scene": pl.String,
        "billing_type": pl.String,
        **dict.fromkeys(_SETTLEMENT_MONEY.values(), pl.Int64),
        "note": pl.String,
    }
    fields: ClassVar[tuple[Field, ...]] = (
        Field(
            "entry_no",
            gettext_lazy("Entry number"),
            id_like=True,
            max_length=80,
            aliases=("动帐流水号", "动账流水号", "流水号", "资金流水号"),
        ),
        Field("occurred_at", gettext_lazy("Time"), aliases=("动账时间", "动帐时间", "结算时间")),
        _text("direction", gettext_lazy("Direction"), "动账方向", "动帐方向", "收支方向", max_length=10),
        Field("amount", gettext_lazy("Amount"), aliases=("动账金额", "动帐金额", "结算金额")),
        _text("account", gettext_lazy("Account"), "动账账户", "动帐账户", "结算账户", max_length=40),
        _text("scene", gettext_lazy("Scene"), "动账场景", "动帐场景", max_length=60),
        _text("billing_type", gettext_lazy("Billing type"), "计费类型", "结算单类型", max_length=60),
        _text(
            "sub_order_no",
            gettext_lazy("Sub-order number"),
            "子订单号",
            "子订单编号",
            max_length=40,
            id_like=True,
        ),
        _text(
            "order_no",
            gettext_lazy("Order number"),
            "订单号",
            "主订单编号",
            "订单编号",
            max_length=40,
            id_like=True,
        ),
        Field("order_paid", gettext_lazy("Order paid (to settle)"), aliases=("订单实付应结", "订单实付")),
        Field("freight", gettext_lazy("Freight paid"), aliases=("运费实付", "运费")),
        Field("platform_subsidy", gettext_lazy("Platform subsidy"), aliases=("实际平台补贴", "平台补贴")),
        Field("refund", gettext_lazy("Order refund"), aliases=("订单退款", "退款金额")),
        Field("platform_fee", gettext_lazy("Platform service fee"), aliases=("平台服务费", "技术服务费")),
        Field("commission", gettext_lazy("Commission"), aliases=("佣金", "达人佣金", "作者佣金")),
        Field("merchant_service_fee", gettext_lazy("Recruitment service fee"), aliases=("招商服务费",)),
        Field("promotion_fee", gettext_lazy("Off-site promotion fee"), aliases=("站外推广费",)),
        Field(
            "refund_before", gettext_lazy("Refund before settlement"), aliases=("有结算前退款", "结算前退款")
        ),
        _text("note", gettext_lazy("Note"), "备注", max_length=300),
    )

    def prepare(self) -> None:
        self.newer = "entry_no" in self.present
        if not self.newer:
            missing = [self.field_map()[n] for n in _OLDER_NEEDS if n not in self.present]
            if missing:
                raise ImportRefused(
                    _(
                        "This is not a Douyin fund-movement or settlement export: it needs 动帐流水号 "
                        "(动账明细), or 结算时间, 子订单号 and 结算金额 (结算明细). Missing: %(missing)s."
                    )
                    % {"missing": ", ".join(str(f.label) for f in missing)},
                    code="missing_columns",
                )
        elif "amount" not in self.present:
            raise ImportRefused(
                _("Required columns are missing: %(missing)s.")
                % {"missing": self.field_map()["amount"].label},
                code="missing_columns",
            )
        super().prepare()
        self.seen = pl.DataFrame(schema={"entry_no": pl.String, "__first": pl.Int64})

    def validate(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        money_cols = ["amount", *_SETTLEMENT_MONEY]
        direction = pl.col("direction").str.to_lowercase()
        dir_in, dir_out = direction.is_in(list(_IN_WORDS)), direction.is_in(list(_OUT_WORDS))
        f = frame.with_columns(
            (dir_in.fill_null(False) | dir_out.fill_null(False) | pl.col("direction").is_null()).alias(
                "__dir_ok"
            )
        )
        # A row with neither a time nor any number: a sub-header (“ , , ,收入+支出,…”) or a note line.
        subheader = (
            pl.col("occurred_at").is_null()
            & pl.col("sub_order_no").is_null()
            & pl.col("order_no").is_null()
            & pl.col("entry_no").is_null()
            & money_fen("amount").is_null()
        )
        rejects = [
            reject_where(
                f,
                subheader,
                column="amount",
                reason=_("Not an entry: a sub-header or note row of the export, skipped."),
            )
        ]
        f = f.filter(~subheader.fill_null(False))
        if self.newer:
            rejects.append(
                reject_where(
                    f, pl.col("entry_no").is_null(), column="entry_no", reason=_("A value is required.")
                )
            )
        else:
            for name in ("occurred_at", "sub_order_no"):
                rejects.append(
                    reject_where(
                        f,
                        pl.col(name).is_null(),
                        column=name,
                        reason=_("A value is required: the entry is identified by sub-order, time and type."),
                    )
                )
        rejects.append(
            reject_where(f, pl.col("amount").is_null(), column="amount", reason=_("A value is required."))
        )
        for c in money_cols:
            rejects += _money_rejects(f, c, negative_ok=True)
        rejects += _time_rejects(f, ["occurred_at"])
        rejects.append(
            reject_where(
                f,
                ~pl.col("__dir_ok"),
                column="direction",
                reason=_("Unknown direction: use 入账 or 出账."),
            )
        )
        valid, all_rejects = split(f, rejects)
        amount = money_fen("amount")
        valid = valid.with_columns(
            local_datetime("occurred_at").alias("occurred_at"),
            # Signed: into the account positive, out negative.
            pl.when(dir_out.fill_null(False))
            .then(-amount.abs())
            .when(dir_in.fill_null(False))
            .then(amount.abs())
            .otherwise(amount)
            .alias("amount_fen"),
            *[money_fen(src).fill_null(0).alias(dst) for src, dst in _SETTLEMENT_MONEY.items()],
        )
        valid = valid.with_columns(
            pl.when(pl.col("amount_fen") < 0)
            .then(pl.lit(SettlementEntry.Direction.OUT.value))
            .otherwise(pl.lit(SettlementEntry.Direction.IN.value))
            .alias("direction"),
            pl.concat_str(
                [
                    pl.col("note").fill_null(""),
                    pl.when(pl.col("refund_before").is_not_null())
                    .then(pl.concat_str([pl.lit("有结算前退款: "), pl.col("refund_before")]))
                    .otherwise(pl.lit("")),
                ],
                separator=" ",
            )
            .str.strip_chars()
            .str.slice(0, 300)
            .alias("note"),
            *[pl.col(c).fill_null("") for c in ("account", "scene", "billing_type")],
            pl.col("order_no").fill_null(""),
            pl.col("sub_order_no").fill_null(""),
        )
        if not self.newer:
            local = pl.col("occurred_at").dt.convert_time_zone(SHANGHAI).dt.strftime("%Y%m%d%H%M%S")
            valid = valid.with_columns(
                pl.concat_str(
                    [
                        pl.lit("S:"),
                        pl.col("sub_order_no"),
                        pl.lit(":"),
                        local,
                        pl.lit(":"),
                        pl.col("billing_type"),
                    ]
                )
                .str.slice(0, 80)
                .alias("entry_no")
            )
            valid, dups = self._file_duplicates(valid)
            all_rejects = pl.concat([all_rejects, rejects_frame(dups)])
        return valid, all_rejects

    def _file_duplicates(self, valid: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Built keys seen earlier in the file (this batch or an earlier one) are duplicates."""
        firsts = valid.group_by("entry_no").agg(pl.col(LINE).min().alias("__first"))
        self.seen = pl.concat([self.seen, firsts]).group_by("entry_no").agg(pl.col("__first").min())
        keyed = valid.join(self.seen, on="entry_no", how="left", maintain_order="left")
        reason = _(
            "Duplicate entry in this file (same sub-order, settlement time and type): first on line %(line)s."
        )
        dup = keyed.filter(pl.col("__first") < pl.col(LINE))
        rejects = dup.select(
            pl.col(LINE).alias("line"),
            pl.lit("sub_order_no").alias("column"),
            pl.col("sub_order_no").alias("value"),
            reason_with(reason, pl.col("__first")).alias("reason"),
        )
        return keyed.filter(~(pl.col("__first") < pl.col(LINE))).drop("__first"), rejects
