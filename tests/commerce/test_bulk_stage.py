"""The SQLite scratch-file route of ``insert_frame``/``update_frame`` (Arrow → scratch file → one
``INSERT … SELECT``), used for large frames. These tests run with real transactions, as imports do."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from django.db import connection, transaction

from liveops.commerce import bulk
from liveops.commerce.models import Order, OrderLine
from liveops.core.imports.services import import_start
from tests.commerce.factories import make_shop

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="the scratch-file route is SQLite's")


@pytest.fixture
def small_stage(monkeypatch):
    """Every frame takes the scratch-file route."""
    monkeypatch.setattr(bulk, "STAGE_MIN_ROWS", 1)


def _import(path, shop):
    return import_start(
        actor=None,
        kind="douyin-orders",
        file=str(path),
        file_name="o.csv",
        options={"shop": shop.name},
        run_now=True,
    )


def _scratch_files(settings) -> list:
    folder = settings.DATA_DIR / "imports" / "tmp"
    # Scratch files live in one folder per process below tmp/ (dead processes' folders are removed).
    return sorted(folder.rglob("stage-*.sqlite3")) if folder.exists() else []


@pytest.mark.django_db(transaction=True)
def test_insert_and_update_through_scratch_file(small_stage, imp_data, settings, org):
    shop = make_shop(platform="douyin", name="抖音旗舰店")
    frame = pl.DataFrame(
        {
            "id": [9001, 9002],
            "shop_id": [shop.pk, shop.pk],
            "order_no": ["A1", "A2"],
            "line_count": [1, 2],
            "amount_paid_fen": [100, 250],
            "contact_sealed": ["", ""],
            "row_hash": ["h1", "h2"],
            "submitted_at": [dt.datetime(2026, 11, 1, 8, tzinfo=dt.UTC), None],
            "paid_at": [dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC), None],
            "buyer_key": ["", ""],
            "buyer_name_masked": ["张*", ""],
            "buyer_phone_masked": ["", ""],
            "buyer_address_masked": ["", ""],
            "contact_platform_encrypted": [False, True],
            "province": ["浙江省", ""],
            "city": ["", ""],
            "district": ["", ""],
            "buyer_note": ["", "带\n换行"],
        }
    )
    with transaction.atomic():
        assert bulk.insert_frame(Order._meta.db_table, frame) == 2
        # Attached until the transaction ends.
        assert len(_scratch_files(settings)) == 1
    a1, a2 = Order.objects.get(order_no="A1"), Order.objects.get(order_no="A2")
    assert a1.paid_at == dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC) and a1.province == "浙江省"
    assert a2.paid_at is None and a2.contact_platform_encrypted and a2.buyer_note == "带\n换行"
    assert _scratch_files(settings) == []  # detached and deleted on commit

    with transaction.atomic():
        bulk.update_frame(
            Order._meta.db_table,
            pl.DataFrame({"id": [9002], "amount_paid_fen": [300], "row_hash": ["h2b"]}),
        )
    a2.refresh_from_db()
    assert (a2.amount_paid_fen, a2.row_hash, a2.line_count) == (300, "h2b", 2)
    assert _scratch_files(settings) == []


@pytest.mark.django_db(transaction=True)
def test_rolled_back_insert_leaves_nothing(small_stage, imp_data, settings, org):
    shop = make_shop(platform="douyin", name="抖音旗舰店")
    frame = (
        pl.DataFrame(
            {
                "id": [9101],
                "shop_id": [shop.pk],
                "order_no": ["R1"],
                "line_count": [1],
                "amount_paid_fen": [0],
            }
        )
        .with_columns(
            pl.lit("").alias(c)
            for c in (
                "contact_sealed",
                "row_hash",
                "buyer_key",
                "buyer_name_masked",
                "buyer_phone_masked",
                "buyer_address_masked",
                "province",
                "city",
                "district",
                "buyer_note",
            )
        )
        .with_columns(pl.lit(False).alias("contact_platform_encrypted"))
    )
    with pytest.raises(RuntimeError), transaction.atomic():
        bulk.insert_frame(Order._meta.db_table, frame)
        raise RuntimeError("boom")
    assert not Order.objects.filter(order_no="R1").exists()
    bulk.stage_cleanup()
    assert _scratch_files(settings) == []


@pytest.mark.django_db(transaction=True)
def test_douyin_import_through_scratch_files(small_stage, douyin_file, settings, org):
    """A whole import, every write through scratch files: same result as the executemany route,
    and a re-import changes nothing."""
    shop = make_shop(platform="douyin", name="抖音旗舰店")
    path, frame = douyin_file(300)
    run = _import(path, shop)
    assert run.status == "succeeded", run.error
    assert run.rows_inserted == frame.height == OrderLine.objects.filter(shop=shop).count()
    assert Order.objects.filter(shop=shop).count() == frame.get_column("主订单编号").n_unique()
    again = _import(path, shop)
    assert (again.rows_inserted, again.rows_updated, again.rows_unchanged) == (0, 0, frame.height)
    assert _scratch_files(settings) == []
