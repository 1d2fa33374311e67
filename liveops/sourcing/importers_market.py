"""The "market-snapshots" import (LC-2, MC-3): daily snapshots of competitor listings on a platform,
e.g. the Tmall cosmetics file ``update_time,id,title,price,sale_count,comment_count,店名``.

One row is one listing on one day. Rows are matched on (platform, listing ID, day): the platform
comes from the run's options (``platform``, default ``tmall``), the rest from the file, so the same
file can be imported again and changes nothing. Dates may be written 2016/11/14, 2016-11-14 or
2016.11.14 (a time after the date is ignored). Prices are CNY with at most two decimals (a leading
¥ and thousands separators are accepted); sales and comments are the platform's cumulative counters,
whole numbers ≥ 0 (``1.2万`` is read as 12000). Platforms leave the counters empty for some shops:
an empty counter is stored as 0 ("not reported"), never rejected, so the prices of those listings
still arrive.

Market data is public information about other shops, written in bulk: the run itself is audited
(who imported which file, with its counts), not each snapshot.
"""

from __future__ import annotations

import re
from typing import ClassVar

import polars as pl
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liveops.core.audit import audit_action
from liveops.core.imports.readers import LINE
from liveops.core.imports.registry import Field, ImportKind, import_kind_register, reject_where, split
from liveops.core.imports.runner import reason_with
from liveops.core.models import ImportRun
from liveops.sourcing.models import MarketSnapshot

_IN_CHUNK = 900  # stays under SQLite's limit on query parameters
_WRITE_BATCH = 1000
PLATFORM_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,19}$")
DEFAULT_PLATFORM = "tmall"
# 15 significant digits, 2 of them decimals (MONEY): at most 13 digits before the point.
_PRICE_RE = r"^\d{1,13}(\.\d{1,2})?$"
_COUNT_RE = r"^\d{1,18}$"
_WAN_RE = r"^(\d{1,14})(\.\d{1,4})?万$"
_DATE_FORMATS = ("%Y/%m/%d", "%Y-%m-%d", "%Y.%m.%d", "%Y%m%d")
_UPDATE_FIELDS = ["shop", "title", "price", "sales_cumulative", "comments_cumulative"]


def _chunks(values: list, size: int = _IN_CHUNK):
    for i in range(0, len(values), size):
        yield values[i : i + size]


def platform_of(run: ImportRun | None) -> str:
    """The platform the run's rows belong to (``options["platform"]``, lower case), default tmall."""
    value = str(((run.options or {}) if run is not None else {}).get("platform") or DEFAULT_PLATFORM)
    return value.strip().lower()


def _count_expr(name: str) -> tuple[pl.Expr, pl.Expr]:
    """(parsed Int64 or null, "is a bad value") for a cumulative counter column."""
    text = pl.col(name).str.replace_all(r"[,\s]", "")
    wan = text.str.extract_groups(_WAN_RE)
    wan_value = (
        (
            pl.concat_str([wan.struct.field("1"), wan.struct.field("2").fill_null("")]).cast(
                pl.Float64, strict=False
            )
            * 10_000
        )
        .round(0)
        .cast(pl.Int64, strict=False)
    )
    plain = pl.when(text.str.contains(_COUNT_RE)).then(text.cast(pl.Int64, strict=False))
    value = pl.coalesce([plain, wan_value])
    bad = pl.col(name).is_not_null() & value.is_null()
    return value, bad


@import_kind_register
class MarketSnapshotImport(ImportKind):
    """Competitor listings by day: 日期, 商品ID, 价格, 店铺 required; 标题, 销量, 评论数 optional."""

    code = "market-snapshots"
    label = gettext_lazy("Market snapshots")
    capability = "sourcing.import"
    # The database key is (platform, listing_id, day); the platform is one value per run.
    natural_key = ("listing_id", "day")
    duties = ("LC-2", "MC-3")
    fields: ClassVar[tuple[Field, ...]] = (
        Field(
            "day",
            gettext_lazy("Date"),
            required=True,
            aliases=("日期", "update_time", "date", "更新时间", "采集日期", "统计日期"),
        ),
        Field(
            "listing_id",
            gettext_lazy("Listing ID"),
            required=True,
            id_like=True,
            max_length=40,
            aliases=("商品ID", "商品id", "id", "item_id", "宝贝ID", "商品编号", "listing id"),
        ),
        Field(
            "title",
            gettext_lazy("Title"),
            max_length=300,
            aliases=("标题", "商品标题", "宝贝标题", "商品名称", "title"),
        ),
        Field("price", gettext_lazy("Price"), required=True, aliases=("价格", "售价", "单价", "price")),
        Field(
            "sales_cumulative",
            gettext_lazy("Sales"),
            aliases=("销量", "sale_count", "sales", "累计销量", "总销量", "月销量"),
        ),
        Field(
            "comments_cumulative",
            gettext_lazy("Comments"),
            aliases=("评论数", "comment_count", "comments", "累计评论", "评价数"),
        ),
        Field(
            "shop",
            gettext_lazy("Shop"),
            required=True,
            max_length=100,
            aliases=("店名", "店铺", "店铺名称", "店铺名", "shop_name", "shop"),
        ),
    )

    def prepare(self) -> None:
        from liveops.core.imports.readers import ImportRefused

        self.platform = platform_of(self.run)
        if not PLATFORM_RE.match(self.platform):
            raise ImportRefused(
                _("Unknown platform “%(platform)s”: use a short code such as tmall, douyin or kuaishou.")
                % {"platform": self.platform},
                code="bad_option",
            )
        self.totals = [0, 0, 0]

    # Validation (vectorised) ------------------------------------------------------------------

    def validate(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        day_text = pl.col("day").str.split(" ").list.first().str.split("T").list.first()
        day = pl.coalesce([day_text.str.to_date(fmt, strict=False) for fmt in _DATE_FORMATS])
        price_text = (
            pl.col("price").str.replace_all(r"[,\s]", "").str.strip_prefix("¥").str.strip_prefix("￥")
        )
        # Exact cents from the text (no float rounding): "38.9" → 3890.
        parts = price_text.str.split_exact(".", 1)
        price_cents = pl.when(price_text.str.contains(_PRICE_RE)).then(
            parts.struct.field("field_0").cast(pl.Int64, strict=False) * 100
            + parts.struct.field("field_1").str.pad_end(2, "0").cast(pl.Int64, strict=False).fill_null(0)
        )
        sales, bad_sales = _count_expr("sales_cumulative")
        comments, bad_comments = _count_expr("comments_cumulative")
        f = frame.with_columns(
            day.alias("__day"),
            price_cents.alias("__cents"),
            price_text.str.starts_with("-").alias("__price_negative"),
            sales.alias("__sales"),
            bad_sales.alias("__bad_sales"),
            comments.alias("__comments"),
            bad_comments.alias("__bad_comments"),
        )
        negative = _("Must not be negative.")
        rejects = [
            reject_where(
                f,
                pl.col("day").is_not_null() & pl.col("__day").is_null(),
                column="day",
                reason=_("Not a date: write it as YYYY/MM/DD or YYYY-MM-DD."),
            ),
            reject_where(
                f,
                pl.col("__price_negative"),
                column="price",
                reason=negative,
            ),
            reject_where(
                f,
                pl.col("price").is_not_null() & ~pl.col("__price_negative") & pl.col("__cents").is_null(),
                column="price",
                reason=_("Not a price: a number in CNY with at most two decimals, e.g. 139 or 38.99."),
            ),
        ]
        for name, bad in (("sales_cumulative", "__bad_sales"), ("comments_cumulative", "__bad_comments")):
            rejects += [
                reject_where(
                    f, pl.col(bad) & pl.col(name).str.contains(r"^\s*-"), column=name, reason=negative
                ),
                reject_where(
                    f,
                    pl.col(bad) & ~pl.col(name).str.contains(r"^\s*-"),
                    column=name,
                    reason=_("Not a whole number of at least 0."),
                ),
            ]
        # The runner compares keys as written; "2016/11/5" and "2016-11-05" are the same day.
        keyed = f.filter(pl.col("__day").is_not_null())
        firsts = keyed.group_by("listing_id", "__day").agg(pl.col(LINE).min().alias("__first"))
        keyed = keyed.join(firsts, on=["listing_id", "__day"], how="left")
        dup_reason = _("Duplicate %(field)s in this file: the same value is first on line %(line)s.").replace(
            "%(field)s", str(self.field_map()["listing_id"].label)
        )
        rejects.append(
            keyed.filter(pl.col("__first") < pl.col(LINE)).select(
                pl.col(LINE).alias("line"),
                pl.lit("listing_id").alias("column"),
                pl.col("listing_id").alias("value"),
                reason_with(dup_reason, pl.col("__first")).alias("reason"),
            )
        )
        valid, all_rejects = split(f, rejects)
        valid = valid.select(
            "listing_id",
            pl.col("__day").alias("day"),
            pl.col("shop"),
            pl.col("title").fill_null(""),
            pl.col("__cents").alias("price_cents"),
            pl.col("__sales").fill_null(0).alias("sales_cumulative"),
            pl.col("__comments").fill_null(0).alias("comments_cumulative"),
            LINE,
        )
        return valid, all_rejects

    # Writing (bulk upsert) --------------------------------------------------------------------

    def _existing(self, valid: pl.DataFrame) -> pl.DataFrame:
        """The stored snapshots of this slice's listings on its days (one query per 900 listings)."""
        ids = valid.get_column("listing_id").unique().to_list()
        first, last = valid.get_column("day").min(), valid.get_column("day").max()
        rows: list[tuple] = []
        for chunk in _chunks(ids):
            rows += list(
                MarketSnapshot.objects.filter(
                    platform=self.platform, listing_id__in=chunk, day__gte=first, day__lte=last
                ).values_list(
                    "listing_id", "day", "shop", "title", "price", "sales_cumulative", "comments_cumulative"
                )
            )
        schema = {
            "listing_id": pl.String,
            "day": pl.Date,
            "__shop": pl.String,
            "__title": pl.String,
            "__price": pl.Int64,
            "__sales": pl.Int64,
            "__comments": pl.Int64,
        }
        return pl.DataFrame(
            [(r[0], r[1], r[2], r[3], int(round(r[4] * 100)), r[5], r[6]) for r in rows],
            schema=schema,
            orient="row",
        )

    def upsert(self, valid: pl.DataFrame, *, run: ImportRun, actor) -> tuple[int, int, int]:
        """Compare with what is stored, then write new and changed rows in one bulk upsert
        (``INSERT … ON CONFLICT (platform, listing_id, day) DO UPDATE``)."""
        f = valid.join(self._existing(valid), on=["listing_id", "day"], how="left")
        is_new = pl.col("__price").is_null()
        same = (
            (pl.col("shop") == pl.col("__shop"))
            & (pl.col("title") == pl.col("__title"))
            & (pl.col("price_cents") == pl.col("__price"))
            & (pl.col("sales_cumulative") == pl.col("__sales"))
            & (pl.col("comments_cumulative") == pl.col("__comments"))
        )
        f = f.with_columns(
            pl.when(is_new)
            .then(pl.lit("new"))
            .when(same)
            .then(pl.lit("same"))
            .otherwise(pl.lit("changed"))
            .alias("__state")
        )
        counts = dict(f.get_column("__state").value_counts().iter_rows())
        inserted, updated, unchanged = counts.get("new", 0), counts.get("changed", 0), counts.get("same", 0)
        from decimal import Decimal

        objs = [
            MarketSnapshot(
                platform=self.platform,
                listing_id=listing_id,
                day=day,
                shop=shop,
                title=title,
                price=Decimal(cents).scaleb(-2),
                sales_cumulative=sales,
                comments_cumulative=comments,
            )
            for listing_id, day, shop, title, cents, sales, comments in f.filter(pl.col("__state") != "same")
            .select(
                "listing_id", "day", "shop", "title", "price_cents", "sales_cumulative", "comments_cumulative"
            )
            .iter_rows()
        ]
        if objs:
            MarketSnapshot.objects.bulk_create(
                objs,
                batch_size=_WRITE_BATCH,
                update_conflicts=True,
                unique_fields=["platform", "listing_id", "day"],
                update_fields=_UPDATE_FIELDS,
            )
        self.totals = [self.totals[0] + inserted, self.totals[1] + updated, self.totals[2] + unchanged]
        return inserted, updated, unchanged

    def finalize(self, *, run: ImportRun, actor) -> None:
        """One audit line for the run's market data (the rows themselves are not audited one by one)."""
        if run is None or run.pk is None:
            return
        audit_action(
            actor=actor,
            instance=run,
            verb="import_market_snapshots",
            details={
                "platform": self.platform,
                "inserted": self.totals[0],
                "updated": self.totals[1],
                "unchanged": self.totals[2],
            },
        )
