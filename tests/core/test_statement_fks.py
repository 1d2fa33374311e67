"""Links of orders and order lines: enforced by the database on both backends (native foreign keys on
SQLite, statement triggers on PostgreSQL: ``liveops.core.statement_fks``), with the same outcome for
valid rows, missing references, deleted or re-keyed parents and the models' ``on_delete``."""

from __future__ import annotations

import polars as pl
import psycopg
import pytest
from django.db import IntegrityError, connection, transaction

from liveops.commerce.bulk import insert_frame
from liveops.commerce.models import AnchorAccount, Order, OrderLine
from liveops.core.statement_fks import CHILD_TRIGGERS, PARENT_TRIGGERS
from tests.commerce.factories import make_line, make_shop
from tests.factories import make_merchant, make_product

MISSING = 987_654_321
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="statement triggers are PostgreSQL's"
)


def _enforced(action) -> None:
    """Run ``action`` and the database's checks: at once on PostgreSQL, at the check SQLite runs at
    commit (``PRAGMA foreign_key_check``) on SQLite. Rolls back whatever it wrote."""
    with transaction.atomic():
        action()
        connection.check_constraints()
        transaction.set_rollback(True)


@pytest.fixture
def linked(org):
    """A line linked to everything: shop, order, anchor account, product, SKU and merchant."""
    shop = make_shop()
    merchant = make_merchant()
    product = make_product(merchant)
    anchor = AnchorAccount.objects.create(platform="douyin", platform_anchor_id="71000001", nickname="小美")
    line = make_line(shop, anchor_account=anchor, product=product, sku=product.skus.get(), merchant=merchant)
    return line


@pytest.mark.parametrize("field", ["order", "shop", "anchor_account", "product", "sku", "merchant"])
def test_a_line_pointing_at_nothing_is_refused(linked, field):
    line = linked

    def write():
        OrderLine.objects.filter(pk=line.pk).update(**{f"{field}_id": MISSING})

    with pytest.raises(IntegrityError) as caught:
        _enforced(write)
    if connection.vendor == "postgresql":
        assert f"Key ({field}_id)=({MISSING}) is not present" in str(caught.value)
    line.refresh_from_db()
    assert getattr(line, f"{field}_id") != MISSING


def test_valid_links_pass_including_an_order_written_in_the_same_transaction(linked):
    def write():
        make_line(
            linked.shop,
            anchor_account=linked.anchor_account,
            product=linked.product,
            sku=linked.sku,
            merchant=linked.merchant,
        )

    _enforced(write)  # no exception
    assert OrderLine.objects.count() == 1  # rolled back by the helper, the fixture's line is left


def test_bulk_insert_with_a_missing_anchor_is_refused_and_writes_nothing(linked):
    frame = pl.DataFrame(
        {
            "shop_id": [linked.shop_id] * 2,
            "order_id": [linked.order_id] * 2,
            "sub_order_no": ["B-1", "B-2"],
            "status": ["paid", "paid"],
            "day": [linked.day, linked.day],
            "anchor_account_id": [linked.anchor_account_id, MISSING],
        }
    )
    defaults = {
        c: "" for c in ("product_title", "sku_spec", "platform_product_id", "merchant_code", "status_text")
    }
    defaults |= {c: "" for c in ("aftersale_text", "traffic_source", "app_channel", "order_type", "province")}
    defaults |= {
        "anchor_platform_id": "",
        "anchor_nickname": "",
        "buyer_key": "",
        "row_hash": "",
        "source_hash": "",
    }
    defaults |= {"aftersale_state": "none"}
    numbers = ["quantity", "unit_price_fen", "amount_due_fen", "freight_fen", "discount_total_fen"]
    numbers += ["discount_platform_fen", "discount_merchant_fen", "discount_anchor_fen", "amount_paid_fen"]
    numbers += ["refund_fen", "platform_fee_fen", "commission_fen", "promotion_fee_fen"]
    frame = frame.with_columns(
        *[pl.lit(v).alias(c) for c, v in defaults.items()],
        *[pl.lit(1, dtype=pl.Int64).alias(c) for c in numbers],
    )
    with pytest.raises(IntegrityError):
        _enforced(lambda: insert_frame(OrderLine._meta.db_table, frame))
    assert not OrderLine.objects.filter(sub_order_no__startswith="B-").exists()
    # The same rows with a real anchor go in: the refusal was about the link, not the frame.
    good = frame.with_columns(pl.lit(linked.anchor_account_id).alias("anchor_account_id"))
    _enforced(lambda: insert_frame(OrderLine._meta.db_table, good))


def test_deleting_a_referenced_parent_in_sql_is_refused(linked):
    def delete():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM commerce_anchoraccount WHERE id = %s", [linked.anchor_account_id])

    with pytest.raises(IntegrityError) as caught:
        _enforced(delete)
    if connection.vendor == "postgresql":
        assert 'still referenced from table "commerce_orderline"' in str(caught.value)
    assert AnchorAccount.objects.filter(pk=linked.anchor_account_id).exists()


def test_a_bulk_delete_is_refused_only_for_referenced_rows_and_names_one(linked):
    spare = AnchorAccount.objects.bulk_create(
        AnchorAccount(platform="douyin", platform_anchor_id=f"72{i:06d}", nickname=f"备用{i}")
        for i in range(300)
    )
    spare_ids = [a.pk for a in spare]

    def delete(ids):
        with connection.cursor() as cursor:
            marks = ", ".join(["%s"] * len(ids))
            cursor.execute(f"DELETE FROM commerce_anchoraccount WHERE id IN ({marks})", ids)  # noqa: S608 - placeholders only

    # 301 rows, one of them referenced: refused, and the message names that one (not a count).
    with pytest.raises(IntegrityError) as caught:
        _enforced(lambda: delete([*spare_ids, linked.anchor_account_id]))
    if connection.vendor == "postgresql":
        assert f"Key (id)=({linked.anchor_account_id}) is still referenced" in str(caught.value)
    assert AnchorAccount.objects.count() == 301
    # The 300 unreferenced ones go in one statement.
    delete(spare_ids)
    assert list(AnchorAccount.objects.values_list("pk", flat=True)) == [linked.anchor_account_id]


def test_orm_deletes_follow_on_delete(linked):
    # SET_NULL on the attribution links, CASCADE from the order: Django does both before it deletes.
    linked.anchor_account.delete()
    linked.product.delete()  # and its SKU, by cascade
    linked.refresh_from_db()
    assert (linked.anchor_account_id, linked.product_id, linked.sku_id) == (None, None, None)
    Order.objects.filter(pk=linked.order_id).delete()
    assert not OrderLine.objects.filter(pk=linked.pk).exists()


@postgres_only
def test_changing_a_referenced_key_is_refused(linked):
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE commerce_anchoraccount SET id = id + 1000 WHERE id = %s", [linked.anchor_account_id]
        )
    # Other updates of a referenced row are not refused.
    AnchorAccount.objects.filter(pk=linked.anchor_account_id).update(nickname="小美直播间")


@postgres_only
def test_truncating_a_referenced_table_is_refused(linked):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses to run with checks pending
        # Tables that reference anchor accounts through native keys (the talent app's account
        # matrix) are truncated with it, so that the refusal tested is the order lines' trigger.
        cursor.execute(
            "SELECT DISTINCT conrelid::regclass::text FROM pg_constraint "
            "WHERE contype = 'f' AND confrelid = 'commerce_anchoraccount'::regclass"
        )
        tables = ", ".join(["commerce_anchoraccount", *(row[0] for row in cursor.fetchall())])
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables}")
    assert AnchorAccount.objects.filter(pk=linked.anchor_account_id).exists()


@postgres_only
def test_native_foreign_keys_are_replaced_by_the_triggers(db):
    """Guards the benchmark: a migration altering one of these fields would add a native constraint
    back, and every import would pay for it again."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname FROM pg_constraint WHERE contype = 'f' "
            "AND conrelid IN ('commerce_orderline'::regclass, 'commerce_order'::regclass)"
        )
        assert cursor.fetchall() == []
        cursor.execute(
            "SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE tgname LIKE 'liveops_fk_%%'"
        )
        triggers = set(cursor.fetchall())
    for table in ("commerce_orderline", "commerce_order"):
        assert {(table, name) for name in CHILD_TRIGGERS} <= triggers
    for parent in ("commerce_shop", "commerce_order", "commerce_anchoraccount", "sourcing_product"):
        assert {(parent, name) for name in PARENT_TRIGGERS} <= triggers


def _other_connection() -> psycopg.Connection:
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    other = psycopg.connect(**params, autocommit=True)
    other.execute("SET lock_timeout = '2s'")
    return other


def _can_lock(other: psycopg.Connection, table: str, pk: int) -> bool:
    """Whether another transaction could delete the row now (``FOR UPDATE NOWAIT``)."""
    try:
        with other.transaction():
            other.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR UPDATE NOWAIT", [pk])  # noqa: S608
        return True
    except psycopg.errors.LockNotAvailable:
        return False


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_new_lines_lock_what_they_point_at_until_commit(org):
    shop = make_shop()
    merchant = make_merchant()
    product = make_product(merchant)
    line = make_line(shop, product=product, merchant=merchant)
    other = _other_connection()
    try:
        assert _can_lock(other, "sourcing_product", product.pk)
        with transaction.atomic():
            make_line(shop, product=product, merchant=merchant)
            # Until this transaction ends, no one may delete the product the new line points at.
            assert not _can_lock(other, "sourcing_product", product.pk)
            assert not _can_lock(other, "sourcing_merchant", merchant.pk)
        assert _can_lock(other, "sourcing_product", product.pk)
        with transaction.atomic():
            # An update that leaves the links alone checks (and locks) nothing.
            OrderLine.objects.filter(pk=line.pk).update(refund_fen=100)
            assert _can_lock(other, "sourcing_product", product.pk)
    finally:
        other.close()
