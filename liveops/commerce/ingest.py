"""Writing order lines from any platform export: the engine every order importer shares.

A platform importer turns its file's columns into the *canonical line frame* (``LINE_SCHEMA``: one
row per sub-order, money in fen, times as UTC datetimes) and hands it to ``OrderIngest.ingest``,
which, set-based and inside the caller's transaction:

1. derives the order rows (one per order number), masks and seals buyer contacts, computes the
   local day and a fingerprint (``row_hash``) of every order and line;
2. attributes each line: anchor account (created on first sight), product, SKU and merchant
   (``AttributionRule`` first, then the library's SKU 商家编码), live session (through the resolvers
   the live module registers);
3. inserts new orders and lines, and updates the ones whose fingerprint changed; every changed
   field of an existing line or order is written to the audit log with its before and after;
4. marks the (shop, day) pairs it touched as dirty (``RollupDirty``) in the batch's transaction, so
   ``finish`` (or, after a kill, any later run or the scheduled check) recomputes them from the
   stored lines: a committed batch always leaves its mark.

Idempotent on (shop, order number) and (shop, sub-order number): importing the same export again
compares fingerprints and writes nothing. The polars hash behind the fingerprint is only stable
within one polars version; when it differs, the fields themselves are compared before anything is
called a change, so an upgrade costs a slower re-import, never a false audit line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import polars as pl
from django.db import connection
from django.utils import timezone

from liveops.commerce.bulk import (
    fetch_frame,
    ids_allocate,
    insert_frame,
    insert_frame_later,
    is_postgres,
    keys_absent,
    keys_in,
    stage_cleanup,
    update_frame,
)
from liveops.commerce.contacts import (
    buyer_keys,
    contacts_seal_column,
    is_platform_encrypted,
    mask_address_expr,
    mask_name_expr,
    mask_phone_expr,
)
from liveops.commerce.models import AnchorAccount, AttributionRule, Order, OrderLine, Shop
from liveops.commerce.parsing import local_day
from liveops.core.audit import audit_action
from liveops.core.imports.readers import LINE
from liveops.core.imports.registry import CREATE, UPDATE, audit_bulk  # noqa: F401

UTC = pl.Datetime("us", "UTC")
_HASH_SEED = 20261127

# The canonical line frame platform importers produce.
LINE_SCHEMA: dict[str, pl.DataType] = {
    "order_no": pl.String,
    "sub_order_no": pl.String,
    "product_title": pl.String,
    "sku_spec": pl.String,
    "platform_product_id": pl.String,
    "merchant_code": pl.String,
    "quantity": pl.Int64,
    "unit_price_fen": pl.Int64,
    "amount_due_fen": pl.Int64,
    "freight_fen": pl.Int64,
    "discount_total_fen": pl.Int64,
    "discount_platform_fen": pl.Int64,
    "discount_merchant_fen": pl.Int64,
    "discount_anchor_fen": pl.Int64,
    "amount_paid_fen": pl.Int64,
    "status": pl.String,
    "status_text": pl.String,
    "aftersale_state": pl.String,
    "aftersale_text": pl.String,
    "traffic_source": pl.String,
    "app_channel": pl.String,
    "order_type": pl.String,
    "anchor_platform_id": pl.String,
    "anchor_nickname": pl.String,
    "submitted_at": UTC,
    "paid_at": UTC,
    "shipped_at": UTC,
    "finished_at": UTC,
    "buyer_name": pl.String,
    "buyer_phone": pl.String,
    "buyer_address": pl.String,
    "province": pl.String,
    "city": pl.String,
    "district": pl.String,
    "buyer_note": pl.String,
    # Only some exports carry refunds (Taobao's 退款金额); for the others after-sales imports set them.
    "refund_fen": pl.Int64,
    # Fingerprint of the file row's fields (``source_fingerprint``), when the importer computed one.
    "source_hash": pl.String,
}
# Canonical columns an importer may declare it fills (``OrderIngest.provides``); otherwise the
# stored value is left alone.
OPTIONAL_IMPORTED = ("refund_fen",)

# Columns of commerce_orderline written from the file (compared on re-import; audited when changed).
LINE_IMPORTED = [
    "product_title",
    "sku_spec",
    "platform_product_id",
    "merchant_code",
    "quantity",
    "unit_price_fen",
    "amount_due_fen",
    "freight_fen",
    "discount_total_fen",
    "discount_platform_fen",
    "discount_merchant_fen",
    "discount_anchor_fen",
    "amount_paid_fen",
    "status",
    "status_text",
    "aftersale_state",
    "aftersale_text",
    "traffic_source",
    "app_channel",
    "order_type",
    "province",
    "anchor_platform_id",
    "anchor_nickname",
    "submitted_at",
    "paid_at",
    "shipped_at",
    "finished_at",
    "day",
    "buyer_key",
]
LINE_ATTRIBUTION = ["anchor_account_id", "product_id", "sku_id", "merchant_id", "session_id"]
ORDER_IMPORTED = [
    "submitted_at",
    "paid_at",
    "buyer_key",
    "buyer_name_masked",
    "buyer_phone_masked",
    "buyer_address_masked",
    "contact_platform_encrypted",
    "province",
    "city",
    "district",
    "buyer_note",
]
_TEXT_LIMITS = {
    "product_title": 300,
    "sku_spec": 200,
    "platform_product_id": 40,
    "merchant_code": 60,
    "status_text": 40,
    "aftersale_text": 40,
    "traffic_source": 40,
    "app_channel": 40,
    "order_type": 40,
    "province": 20,
    "city": 40,
    "district": 40,
    "anchor_platform_id": 40,
    "anchor_nickname": 100,
    "buyer_note": 500,
}

# Functions the live module registers to find the session of lines: called with a frame of
# (shop_id, anchor_account_id, submitted_at) and returning a ``session_id`` column (or nulls).
SessionResolver = Callable[[pl.DataFrame], pl.Series]
SESSION_RESOLVERS: list[SessionResolver] = []


def session_resolver_register(resolver: SessionResolver) -> SessionResolver:
    """Register a function that attributes lines to live sessions during imports."""
    SESSION_RESOLVERS.append(resolver)
    return resolver


def canonical(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with every canonical column (missing ones null), typed, texts trimmed to their
    column's length, plus ``LINE`` when present."""
    exprs = []
    for name, dtype in LINE_SCHEMA.items():
        e = pl.col(name).cast(dtype) if name in frame.columns else pl.lit(None, dtype=dtype)
        if name in _TEXT_LIMITS:
            e = e.str.slice(0, _TEXT_LIMITS[name])
        exprs.append(e.alias(name))
    if LINE in frame.columns:
        exprs.append(pl.col(LINE))
    return frame.select(exprs)


# Bump when a change to the importers means the same file row now gives different lines: the next
# re-import then derives every row again instead of skipping the unchanged ones.
SOURCE_VERSION = 1


def source_fingerprint(columns: list[str]) -> pl.Expr:
    """Fingerprint of a file row's field values (normalised strings), before any parsing."""
    return _fingerprint(columns, seed=_HASH_SEED + SOURCE_VERSION)


def _fingerprint(columns: list[str], seed: int = _HASH_SEED) -> pl.Expr:
    # Hashing a struct hashes each column in its own type: no text conversion of dates and numbers.
    return pl.struct(columns).hash(seed=seed).cast(pl.String)


def _secret_seed() -> int:
    """A seed derived from the data key: the order fingerprint covers the clear contact, and a
    secret seed keeps that fingerprint from being tested against guessed phone numbers."""
    from liveops.commerce.contacts import _key

    return int.from_bytes(_key()[:8], "big") >> 1


@dataclass
class IngestCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class OrderIngest:
    """Writes canonical line frames into one shop. Make one per import run; call ``ingest`` per
    batch (inside a transaction) and ``finish`` once at the end."""

    shop: Shop
    actor: object = None
    run_id: int | None = None
    provides: tuple[str, ...] = ()
    totals: IngestCounts = field(default_factory=IngestCounts)
    # The days this run's batches touched (informational: the dirty marks are what ``finish`` uses).
    shop_days: set[dt.date] = field(default_factory=set)
    # Write-behind (``writes_defer``): writes are collected for the import runner's writer thread.
    defer_writes: bool = False
    _writes: list = field(default_factory=list)

    def __post_init__(self) -> None:
        self.line_cols = LINE_IMPORTED + [c for c in OPTIONAL_IMPORTED if c in self.provides]
        stage_cleanup()  # scratch files a rolled-back import left attached
        if connection.vendor == "sqlite":
            # SQLite's default page cache is 2 MB; index pages of a million-line table do not fit, and
            # every insert would re-read them. 128 MB for the length of the import, then back.
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -131072")
        if is_postgres():
            # Each batch is idempotent and the run can be repeated, so a crash losing the last
            # committed batch costs a re-run, not data: no need to wait for the WAL flush per batch.
            with connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit = off")
        self._anchors: dict[str, int] = dict(
            AnchorAccount.objects.filter(platform=self.shop.platform).values_list("platform_anchor_id", "id")
        )
        self._rules = self._load_rules()

    # Attribution tables -------------------------------------------------------------------------

    def _load_rules(self) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
        """(rules by platform product ID, rules by 商家编码, library SKUs by 商家编码)."""
        from liveops.sourcing.models import Product, Sku

        schema = {"key": pl.String, "__product": pl.Int64, "__sku": pl.Int64}
        rules = list(
            AttributionRule.objects.filter(platform=self.shop.platform).values_list(
                "key_kind", "key_value", "product_id", "sku_id"
            )
        )
        by_pid = pl.DataFrame(
            [(v, p, s) for k, v, p, s in rules if k == AttributionRule.KeyKind.PRODUCT_ID],
            schema=schema,
            orient="row",
        )
        by_code = pl.DataFrame(
            [(v, p, s) for k, v, p, s in rules if k == AttributionRule.KeyKind.MERCHANT_CODE],
            schema=schema,
            orient="row",
        )
        # A 商家编码 that names exactly one SKU of the library is a match without anyone mapping it.
        skus = pl.DataFrame(
            list(Sku.objects.values_list("sku_code", "product_id", "id")), schema=schema, orient="row"
        )
        products = pl.DataFrame(
            [
                (c, p, None)
                for c, p in Product.objects.exclude(merchant_code="").values_list("merchant_code", "id")
            ],
            schema=schema,
            orient="row",
        )
        library = pl.concat([skus, products]).filter(pl.col("key") != "")
        library = library.filter(pl.col("key").is_unique()) if library.height else library
        self._merchant_of = pl.DataFrame(
            list(Product.objects.values_list("id", "merchant_id")),
            schema={"__product": pl.Int64, "__merchant": pl.Int64},
            orient="row",
        )
        return by_pid, by_code, library

    def _attribute_products(self, lines: pl.DataFrame) -> pl.DataFrame:
        by_pid, by_code, library = self._rules
        f = lines
        for table, column, tag in (
            (by_pid, "platform_product_id", "a"),
            (by_code, "merchant_code", "b"),
            (library, "merchant_code", "c"),
        ):
            renamed = table.rename({"key": column, "__product": f"__p{tag}", "__sku": f"__s{tag}"})
            f = f.join(renamed, on=column, how="left", maintain_order="left")
        f = f.with_columns(
            pl.coalesce("__pa", "__pb", "__pc").alias("product_id"),
            pl.when(pl.col("__pa").is_not_null())
            .then(pl.col("__sa"))
            .when(pl.col("__pb").is_not_null())
            .then(pl.col("__sb"))
            .otherwise(pl.col("__sc"))
            .alias("sku_id"),
        ).drop("__pa", "__pb", "__pc", "__sa", "__sb", "__sc")
        f = f.join(
            self._merchant_of.rename({"__product": "product_id", "__merchant": "merchant_id"}),
            on="product_id",
            how="left",
            maintain_order="left",
        )
        return f

    def _attribute_anchors(self, lines: pl.DataFrame) -> pl.DataFrame:
        seen = (
            lines.filter(pl.col("anchor_platform_id").is_not_null())
            .group_by("anchor_platform_id")
            .agg(pl.col("anchor_nickname").drop_nulls().first())
        )
        new = [(a, n) for a, n in seen.iter_rows() if a not in self._anchors]
        if new:
            AnchorAccount.objects.bulk_create(
                [
                    AnchorAccount(platform=self.shop.platform, platform_anchor_id=a, nickname=(n or "")[:100])
                    for a, n in new
                ],
                ignore_conflicts=True,
            )
            self._anchors.update(
                AnchorAccount.objects.filter(
                    platform=self.shop.platform, platform_anchor_id__in=[a for a, _n in new]
                ).values_list("platform_anchor_id", "id")
            )
        table = pl.DataFrame(
            list(self._anchors.items()),
            schema={"anchor_platform_id": pl.String, "anchor_account_id": pl.Int64},
            orient="row",
        )
        return lines.join(table, on="anchor_platform_id", how="left", maintain_order="left")

    def _attribute_sessions(self, lines: pl.DataFrame) -> pl.DataFrame:
        session = pl.Series("session_id", [None] * lines.height, dtype=pl.Int64)
        if SESSION_RESOLVERS and lines.height:
            probe = lines.select(pl.lit(self.shop.pk).alias("shop_id"), "anchor_account_id", "submitted_at")
            for resolver in SESSION_RESOLVERS:
                found = resolver(probe).cast(pl.Int64)
                session = session.fill_null(found) if session.null_count() else session
        return lines.with_columns(session.alias("session_id"))

    # Derivation ----------------------------------------------------------------------------------

    def _derive(self, lines: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        """(order rows, line rows) ready to compare and write."""
        f = lines.with_columns(
            local_day(pl.coalesce("paid_at", "submitted_at")).alias("day"),
            pl.coalesce(
                pl.col("buyer_phone"),
                pl.concat_str([pl.col("buyer_name"), pl.col("buyer_address")], separator="|"),
            ).alias("__identity"),
        )
        # Order-level values: the order's first line speaks for the order.
        orders = f.group_by("order_no", maintain_order=True).agg(
            pl.col("submitted_at").min(),
            pl.col("paid_at").min(),
            pl.len().alias("line_count"),
            pl.col("amount_paid_fen").sum(),
            *[
                pl.col(c).first()
                for c in (
                    "buyer_name",
                    "buyer_phone",
                    "buyer_address",
                    "province",
                    "city",
                    "district",
                    "buyer_note",
                    "__identity",
                )
            ],
        )
        orders = orders.with_columns(
            pl.Series("buyer_key", buyer_keys(orders.get_column("__identity").to_list()), dtype=pl.String),
            mask_name_expr("buyer_name").alias("buyer_name_masked"),
            mask_phone_expr("buyer_phone").alias("buyer_phone_masked"),
            mask_address_expr("buyer_address").str.slice(0, 300).alias("buyer_address_masked"),
            (
                is_platform_encrypted("buyer_name")
                | is_platform_encrypted("buyer_phone")
                | is_platform_encrypted("buyer_address")
            ).alias("contact_platform_encrypted"),
            # Keyed digest of the clear contact, so a changed address counts as a change without keeping it.
            _fingerprint(["buyer_name", "buyer_phone", "buyer_address"], seed=_secret_seed()).alias(
                "__contact_key"
            ),
        )
        orders = orders.with_columns(
            pl.col(c).fill_null("") for c in ("province", "city", "district", "buyer_note")
        ).with_columns(_fingerprint([*ORDER_IMPORTED, "__contact_key"]).alias("row_hash"))
        f = f.join(orders.select("order_no", "buyer_key"), on="order_no", how="left", maintain_order="left")
        f = self._attribute_anchors(f)
        f = self._attribute_products(f)
        f = self._attribute_sessions(f)
        text_cols = [c for c in self.line_cols if LINE_SCHEMA.get(c) == pl.String]
        f = f.with_columns(pl.col(c).fill_null("") for c in text_cols).with_columns(
            pl.col(c).fill_null(0) for c in self.line_cols if c.endswith("_fen") or c == "quantity"
        )
        f = f.with_columns(_fingerprint(self.line_cols).alias("row_hash"))
        return orders, f

    def stored_sources(self, keys: pl.Series) -> pl.DataFrame:
        """(``__key``, ``__stored``): the source fingerprint stored for each of these sub-order numbers
        of the shop that has one."""
        keys = keys.drop_nulls().to_list()
        table = OrderLine._meta.db_table
        if keys_absent(table, "sub_order_no", keys, where="shop_id = %s", params=[self.shop.pk]):
            return pl.DataFrame(schema={"__key": pl.String, "__stored": pl.String})
        cond, params = keys_in("sub_order_no", keys)
        return fetch_frame(
            f"SELECT sub_order_no, source_hash FROM {table} "
            f"WHERE shop_id = %s AND source_hash != '' AND {cond}",
            [self.shop.pk, *params],
            {"__key": pl.String, "__stored": pl.String},
        )

    # Writing -------------------------------------------------------------------------------------

    def _write(self, fn: Callable[..., object], *args, **kwargs) -> None:
        """Make a write now, or collect it for ``writes_take`` (write-behind). Nothing a batch reads
        depends on its own writes: new IDs are reserved up front, and the runner keeps each key's rows
        in one batch, so no later batch reads them either."""
        if self.defer_writes:
            if fn is insert_frame:
                # The rows are made ready here (CSV for COPY); the writer thread only sends them.
                self._writes.append(insert_frame_later(*args, **kwargs))
            else:
                self._writes.append(partial(fn, *args, **kwargs))
        else:
            fn(*args, **kwargs)

    def writes_take(self) -> list[Callable[[], object]]:
        """The writes collected since the last call, to run in order in one transaction."""
        writes, self._writes = self._writes, []
        if writes and is_postgres():
            # The writer's connection is not this one: the engine's session setting does not reach it.
            writes.insert(0, _commit_without_flush_wait)
        return writes

    def _existing(self, table: str, key: str, keys: list, columns: list[str], schema: dict) -> pl.DataFrame:
        if keys_absent(table, key, keys, where="shop_id = %s", params=[self.shop.pk]):
            return pl.DataFrame(schema={key: pl.String, **schema})
        cond, params = keys_in(key, keys)
        return fetch_frame(
            f"SELECT {', '.join([key, *columns])} FROM {table} WHERE shop_id = %s AND {cond}",
            [self.shop.pk, *params],
            {key: pl.String, **schema},
        )

    def _audit_changes(
        self, model, changed: pl.DataFrame, old: pl.DataFrame, columns: list[str], key: str
    ) -> int:
        """Compare old and new values of ``columns``; audit real changes; return the changed keys' frame
        height (rows whose fingerprint moved but whose fields are equal are not changes)."""
        both = changed.join(old, on=key, how="inner", suffix="__old")
        diffs = [
            pl.col(c).cast(pl.String).fill_null("").ne(pl.col(f"{c}__old").cast(pl.String).fill_null(""))
            for c in columns
        ]
        both = both.with_columns(pl.any_horizontal(diffs).alias("__differs"))
        real = both.filter(pl.col("__differs"))
        entries = []
        for row in real.iter_rows(named=True):
            before = {c: _json(row[f"{c}__old"]) for c in columns if _json(row[f"{c}__old"]) != _json(row[c])}
            after = {c: _json(row[c]) for c in before}
            instance = model(pk=row["id"], shop_id=self.shop.pk, **{key: row[key]})
            entries.append((UPDATE, instance, {"before": before, "after": after, "import_run": self.run_id}))
        if entries:
            self._write(audit_bulk, actor=self.actor, entries=entries)
        return real

    def _write_orders(self, orders: pl.DataFrame) -> tuple[pl.DataFrame, pl.Series]:
        """Insert new orders, update changed ones; return (order_no, order_id) for the batch and the IDs
        of the stored orders whose imported fields really changed."""
        table = Order._meta.db_table
        keys = orders.get_column("order_no").to_list()
        existing = self._existing(
            table, "order_no", keys, ["id", "row_hash"], {"id": pl.Int64, "__hash": pl.String}
        )
        f = orders.join(existing, on="order_no", how="left", maintain_order="left")
        new = f.filter(pl.col("id").is_null())
        if new.height:
            new = new.with_columns(pl.Series("id", ids_allocate(table, new.height), dtype=pl.Int64))
            self._write(
                insert_frame,
                table,
                new.with_columns(pl.lit(self.shop.pk).alias("shop_id"), _sealed(new)).select(
                    "id",
                    "shop_id",
                    "order_no",
                    "line_count",
                    "amount_paid_fen",
                    "contact_sealed",
                    "row_hash",
                    *ORDER_IMPORTED,
                ),
            )
        moved = f.filter(pl.col("id").is_not_null() & (pl.col("__hash") != pl.col("row_hash")))
        changed_ids = pl.Series("id", [], dtype=pl.Int64)
        if moved.height:
            old = self._existing(
                table,
                "order_no",
                moved.get_column("order_no").to_list(),
                ORDER_IMPORTED,
                {c: Order._meta.get_field(c) and _polars_type(Order, c) for c in ORDER_IMPORTED},
            )
            changed_ids = self._audit_changes(Order, moved, old, ORDER_IMPORTED, "order_no").get_column("id")
            self._write(
                update_frame,
                table,
                moved.with_columns(_sealed(moved)).select(
                    "id", "contact_sealed", "row_hash", *ORDER_IMPORTED
                ),
            )
        ids = pl.concat(
            [
                f.filter(pl.col("id").is_not_null()).select("order_no", "id", __order_new=pl.lit(False)),
                new.select("order_no", "id", __order_new=pl.lit(True)),
            ]
        ).rename({"id": "order_id"})
        return ids, changed_ids

    def ingest(self, lines: pl.DataFrame) -> IngestCounts:
        """Write one batch of canonical lines (all lines of each order in it). Call inside a transaction."""
        if lines.height == 0:
            return IngestCounts()
        orders, f = self._derive(canonical(lines) if set(lines.columns) != set(LINE_SCHEMA) else lines)
        order_ids, changed_orders = self._write_orders(orders)
        f = f.join(order_ids, on="order_no", how="left", maintain_order="left")
        table = OrderLine._meta.db_table
        existing = self._existing(
            table,
            "sub_order_no",
            f.get_column("sub_order_no").to_list(),
            ["id", "row_hash", "day", "source_hash"],
            {"id": pl.Int64, "__hash": pl.String, "__day": pl.Date, "__source": pl.String},
        )
        f = f.join(existing, on="sub_order_no", how="left", maintain_order="left").with_columns(
            pl.col("source_hash").fill_null("")
        )
        new = f.filter(pl.col("id").is_null())
        moved = f.filter(pl.col("id").is_not_null() & (pl.col("__hash") != pl.col("row_hash")))
        # Same lines from a file row written differently (or by an older importer): only the source
        # fingerprint is brought up to date, so the next re-import can skip them.
        resourced = f.filter(
            pl.col("id").is_not_null()
            & (pl.col("__hash") == pl.col("row_hash"))
            & (pl.col("source_hash") != pl.col("__source"))
        )
        if resourced.height:
            self._write(update_frame, table, resourced.select("id", "source_hash"))
        counts = IngestCounts()
        touched_days: set[dt.date] = set()
        real = f.clear().select("sub_order_no")
        if new.height:
            self._write(
                insert_frame,
                table,
                new.with_columns(
                    pl.lit(self.shop.pk).alias("shop_id"),
                    pl.lit(self.run_id, dtype=pl.Int64).alias("import_run_id"),
                    pl.col("refund_fen").fill_null(0),
                    *[
                        pl.lit(0, dtype=pl.Int64).alias(c)
                        for c in ("platform_fee_fen", "commission_fen", "promotion_fee_fen")
                    ],
                ).select(
                    "shop_id",
                    "order_id",
                    "sub_order_no",
                    *self.line_cols,
                    *LINE_ATTRIBUTION,
                    *[c for c in ("refund_fen",) if c not in self.line_cols],
                    "platform_fee_fen",
                    "commission_fen",
                    "promotion_fee_fen",
                    "row_hash",
                    "source_hash",
                    "import_run_id",
                ),
            )
            counts.inserted = new.height
            touched_days.update(new.get_column("day").unique().to_list())
            # New lines of orders stored before (a line rejected last time, now corrected): the order's
            # line count and paid total are recounted from its lines, as for changed lines.
            joined = new.filter(~pl.col("__order_new")).get_column("order_id").unique().to_list()
            if joined:
                self._write(self._order_totals_refresh, joined)
        changed_n = 0
        if moved.height:
            old = self._existing(
                table,
                "sub_order_no",
                moved.get_column("sub_order_no").to_list(),
                self.line_cols,
                {c: _polars_type(OrderLine, c) for c in self.line_cols},
            )
            real = self._audit_changes(OrderLine, moved, old, self.line_cols, "sub_order_no")
            changed_n = real.height
            self._write(
                update_frame,
                table,
                moved.with_columns(pl.lit(self.run_id, dtype=pl.Int64).alias("import_run_id")).select(
                    "id", *self.line_cols, *LINE_ATTRIBUTION, "row_hash", "source_hash", "import_run_id"
                ),
            )
            touched_days.update(moved.get_column("day").unique().to_list())
            touched_days.update(d for d in moved.get_column("__day").unique().to_list() if d)
            self._write(self._order_totals_refresh, moved.get_column("order_id").unique().to_list())
            # The export's values replaced the after-sales figures (aftersale_state…) of these lines:
            # they are recomputed from the after-sales rows in this batch's transaction, not at the
            # end of the run, which a kill may never reach.
            self._write(_lines_figures_refresh, moved.get_column("id").to_list())
        if touched_days:
            from liveops.commerce.services.rollups import rollups_mark

            self.shop_days.update(touched_days)
            # In the batch's transaction (write-behind: in the writer's): the mark commits with the lines.
            self._write(rollups_mark, shop_days={self.shop.pk: touched_days})
        # A row counts as updated when its line or its order changed (an order-level field such as
        # 买家留言 is carried by every row of the order).
        order_changed = f.filter(
            pl.col("id").is_not_null() & pl.col("order_id").is_in(changed_orders.to_list())
        )
        changed_n = (
            pl.concat([real.select("sub_order_no"), order_changed.select("sub_order_no")]).n_unique()
            if changed_n or order_changed.height
            else 0
        )
        counts.updated = changed_n
        counts.unchanged = f.height - counts.inserted - changed_n
        self.totals.inserted += counts.inserted
        self.totals.updated += counts.updated
        self.totals.unchanged += counts.unchanged
        return counts

    def _order_totals_refresh(self, order_ids: list[int]) -> None:
        """Line counts and paid totals of orders whose lines changed, from the lines themselves."""
        if not order_ids:
            return
        cond, params = keys_in("id", order_ids)
        lt = OrderLine._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Order._meta.db_table} SET "
                f"line_count = (SELECT COUNT(*) FROM {lt} l WHERE l.order_id = {Order._meta.db_table}.id), "
                f"amount_paid_fen = (SELECT COALESCE(SUM(l.amount_paid_fen), 0) FROM {lt} l "
                f"WHERE l.order_id = {Order._meta.db_table}.id) WHERE {cond}",
                params,
            )

    def finish(self) -> None:
        """Link after-sales rows that waited for these orders, recompute the rollups of every day of
        the shop marked dirty (this run's and those a killed or failed run left), mark the shop's
        orders as fresh. Call inside a transaction."""
        from liveops.commerce.services.aftersales import aftersales_relink_shop
        from liveops.commerce.services.rollups import rollups_refresh

        # After-sales and settlement rows imported before their orders are linked now.
        changed = aftersales_relink_shop(shop_id=self.shop.pk, refresh_rollups=False)
        rollups_refresh(shop_days=changed, settle=[self.shop.pk])
        Shop.objects.filter(pk=self.shop.pk).update(orders_updated_at=timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(
                "PRAGMA cache_size = -2000" if not is_postgres() else "SET synchronous_commit = on"
            )


def _lines_figures_refresh(line_ids: list[int]) -> None:
    from liveops.commerce.services.aftersales import lines_figures_refresh

    lines_figures_refresh(line_ids=line_ids)


def _commit_without_flush_wait() -> None:
    # As in ``OrderIngest.__post_init__``: a batch lost to a crash is written again by a re-run.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")


def _sealed(orders: pl.DataFrame) -> pl.Series:
    """The sealed clear contacts of each order; ``""`` when the platform encrypted them all."""
    return contacts_seal_column(orders, name="buyer_name", phone="buyer_phone", address="buyer_address")


def _polars_type(model, name: str) -> pl.DataType:
    internal = model._meta.get_field(name).get_internal_type()
    if internal == "DateTimeField":
        return UTC
    if internal == "DateField":
        return pl.Date
    if internal in {"BigIntegerField", "PositiveIntegerField", "IntegerField"}:
        return pl.Int64
    if internal == "BooleanField":
        return pl.Boolean
    return pl.String


def _json(value):
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def ingest_audit_run(*, actor, run, shop: Shop, totals: IngestCounts, kind: str) -> None:
    """One audit line for the run: who imported which file into which shop, and the counts. New lines
    point to the run (``import_run_id``); changes to existing lines have their own audit lines."""
    if run is None or run.pk is None:
        return
    audit_action(
        actor=actor,
        instance=run,
        verb="import_orders",
        details={
            "kind": kind,
            "shop": shop.pk,
            "inserted": totals.inserted,
            "updated": totals.updated,
            "unchanged": totals.unchanged,
        },
    )
