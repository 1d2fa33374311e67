"""The 抖店 order import end to end: counts, idempotence, updates with audit, rejects, refusals."""

from __future__ import annotations

import pytest

from liveops.commerce.models import AnchorAccount, DailyShopRollup, Order, OrderLine
from tests.commerce.factories import orders_import as _import

pytestmark = pytest.mark.django_db


def test_douyin_export_imports_every_line(douyin_shop, douyin_file):
    path, frame = douyin_file(400)
    run = _import(path, douyin_shop)
    assert run.status == "succeeded", run.error
    assert run.rows_read == 400
    assert run.rows_inserted == 400 and run.rows_rejected == 0
    assert OrderLine.objects.filter(shop=douyin_shop).count() == 400
    orders = frame.get_column("主订单编号").n_unique()
    assert Order.objects.filter(shop=douyin_shop).count() == orders
    assert AnchorAccount.objects.filter(platform="douyin").count() == 2
    assert DailyShopRollup.objects.filter(shop=douyin_shop).exists()


def test_reimport_changes_nothing(douyin_shop, douyin_file):
    path, _frame = douyin_file(300)
    _import(path, douyin_shop)
    run = _import(path, douyin_shop)
    assert run.status == "succeeded", run.error
    assert (run.rows_inserted, run.rows_updated, run.rows_unchanged) == (0, 0, 300)


def _line_counts_consistent() -> bool:
    from django.db.models import Count

    return all(o.line_count == o.n for o in Order.objects.annotate(n=Count("lines")).only("line_count"))


def test_killed_import_leaves_no_half_order_and_completes_on_rerun(
    douyin_shop, douyin_file, settings, monkeypatch
):
    """Small batches, lines of one order spread over the file, a crash after the first batch: every
    stored order has all its lines; the rerun ends in the same state as an uninterrupted import."""
    import polars as pl

    from liveops.commerce.ingest import OrderIngest

    settings.LIVEOPS_IMPORT_BATCH_ROWS = 50
    path, frame = douyin_file(300)
    # Move the second line of some multi-line orders to the end of the file (not adjacent any more).
    multi = frame.filter(pl.col("主订单编号").is_duplicated())
    movers = multi.filter(pl.col("主订单编号").is_first_distinct().not_()).head(5)
    assert movers.height == 5
    reordered = pl.concat([frame.join(movers, on=frame.columns, how="anti"), movers])
    from liveops.commerce.samples import export_write

    export_write(reordered, path)

    real_ingest = OrderIngest.ingest
    calls = {"n": 0}

    def crashing(self, lines):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("power cut")
        return real_ingest(self, lines)

    monkeypatch.setattr(OrderIngest, "ingest", crashing)
    run = _import(path, douyin_shop)
    assert run.status == "failed"
    assert OrderLine.objects.exists() and _line_counts_consistent()
    monkeypatch.setattr(OrderIngest, "ingest", real_ingest)
    run = _import(path, douyin_shop)
    assert run.status == "succeeded", run.error
    assert OrderLine.objects.count() == 300 and _line_counts_consistent()
    assert Order.objects.count() == reordered.get_column("主订单编号").n_unique()


def test_newer_export_updates_status_and_audits_the_change(douyin_shop, douyin_file):
    import datetime as dt

    from liveops.core.models import AuditEntry

    path, _ = douyin_file(200, now=dt.datetime(2026, 10, 11, 12, 0))
    _import(path, douyin_shop)
    shipped = OrderLine.objects.filter(status="shipped").count()
    assert shipped > 0
    newer, _ = douyin_file(200, name="newer.csv", now=dt.datetime(2026, 11, 30))
    run = _import(newer, douyin_shop)
    assert run.status == "succeeded", run.error
    assert run.rows_inserted == 0 and run.rows_updated > 0
    assert run.rows_updated + run.rows_unchanged == 200
    assert OrderLine.objects.filter(status="shipped").count() == 0
    entry = AuditEntry.objects.filter(object_type="commerce.orderline", action="update").first()
    assert entry is not None
    assert (
        entry.changes["before"]["status"] in {"shipped", "paid"}
        and entry.changes["after"]["status"] == "completed"
    )
    # Rollups follow: refunds and GMV by day are still there and the days are the same.
    assert DailyShopRollup.objects.filter(shop=douyin_shop).exists()


def test_bad_rows_are_rejected_with_line_numbers_and_the_rest_imports(douyin_shop, douyin_file, imp_data):
    import csv

    import polars as pl

    from liveops.commerce.samples import export_write

    path, frame = douyin_file(20)
    frame = frame.with_columns(
        pl.when(pl.int_range(pl.len()) == 2)
        .then(pl.lit("abc"))
        .otherwise(pl.col("商品数量"))
        .alias("商品数量"),
    ).with_columns(
        pl.when(pl.int_range(pl.len()) == 3)
        .then(pl.lit("-2"))
        .otherwise(pl.col("商品数量"))
        .alias("商品数量"),
        pl.when(pl.int_range(pl.len()) == 5)
        .then(pl.lit("2026-02-30 10:00:00"))
        .otherwise(pl.col("订单提交时间"))
        .alias("订单提交时间"),
        pl.when(pl.int_range(pl.len()) == 7)
        .then(pl.lit("-"))
        .otherwise(pl.col("子订单编号"))
        .alias("子订单编号"),
    )
    export_write(frame, path)
    run = _import(path, douyin_shop)
    assert run.status == "succeeded", run.error
    assert run.rows_read == 20 and run.rows_rejected == 4
    assert run.rows_inserted == 16
    with open(run.rejects_path, encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))[1:]
    # Line numbers count the header as line 1; the note with a line break may shift later rows.
    lines = sorted({int(r[0]) for r in rows})
    assert len(lines) == 4 and lines[0] == 4
    reasons = " ".join(r[3] for r in rows)
    assert "negative" in reasons and "whole number" in reasons and "date" in reasons and "required" in reasons


def test_wrong_platform_and_missing_columns_are_refused_before_writing(douyin_shop, imp_data, org):
    from tests.commerce.factories import make_shop

    taobao = make_shop(platform="taobao", name="天猫店")
    tmall = imp_data / "ExportOrderList.csv"
    tmall.write_text("订单编号,总金额,买家实际支付金额\n1,10,10\n", encoding="utf-8")
    run = _import(tmall, douyin_shop)
    assert run.status == "refused"
    assert "子订单编号" in run.error and "商品数量" in run.error
    assert not OrderLine.objects.exists()
    path = imp_data / "d.csv"
    path.write_text(
        "主订单编号,子订单编号,商品数量,订单应付金额,订单提交时间,订单状态\n1,1,1,1,2026-01-01 10:00:00,已完成\n"
    )
    run = _import(path, taobao)
    assert run.status == "refused" and "Douyin" in run.error
    assert not OrderLine.objects.exists()


def test_personal_data_is_masked_and_sealed(douyin_shop, douyin_file):
    from liveops.commerce.contacts import contact_open

    path, frame = douyin_file(200, encrypted_share=50)
    _import(path, douyin_shop)
    clear = Order.objects.filter(contact_platform_encrypted=False).first()
    encrypted = Order.objects.filter(contact_platform_encrypted=True).first()
    assert clear is not None and encrypted is not None
    assert "*" in clear.buyer_phone_masked and len(clear.buyer_phone_masked) == 11
    opened = contact_open(clear.contact_sealed)
    assert opened["phone"].startswith("1") and opened["phone"][-4:] == clear.buyer_phone_masked[-4:]
    assert opened["phone"] not in clear.contact_sealed
    assert encrypted.buyer_phone_masked.startswith("$$") and encrypted.contact_sealed == ""
    assert clear.buyer_key and len(clear.buyer_key) == 32


def _count_validated(monkeypatch) -> list[int]:
    """The row count of every batch the Douyin kind validates from now on."""
    from liveops.commerce.importers import DouyinOrderImport

    validated: list[int] = []
    real_validate = DouyinOrderImport.validate

    def counting(self, frame):
        validated.append(frame.height)
        return real_validate(self, frame)

    monkeypatch.setattr(DouyinOrderImport, "validate", counting)
    return validated


def test_reimport_skips_unchanged_orders_before_parsing(douyin_shop, douyin_file, monkeypatch):
    """Every line keeps the fingerprint of its file row; importing the same file again leaves every
    order out before validation, so nothing is parsed, derived or written."""

    path, _frame = douyin_file(300)
    _import(path, douyin_shop)
    assert not OrderLine.objects.filter(source_hash="").exists()
    validated = _count_validated(monkeypatch)
    run = _import(path, douyin_shop)
    assert (run.rows_read, run.rows_unchanged, run.rows_inserted, run.rows_updated) == (300, 300, 0, 0)
    assert sum(validated) == 0


def test_lines_without_a_source_fingerprint_are_derived_again_then_skipped(
    douyin_shop, douyin_file, monkeypatch
):
    """Lines an older importer wrote carry no fingerprint: a re-import cannot skip them, so it derives
    them again (nothing changes) and stores the fingerprint for the next time."""
    path, _frame = douyin_file(120)
    _import(path, douyin_shop)
    OrderLine.objects.filter(shop=douyin_shop).update(source_hash="")
    validated = _count_validated(monkeypatch)
    run = _import(path, douyin_shop)
    assert (run.rows_unchanged, run.rows_updated, sum(validated)) == (120, 0, 120)
    assert not OrderLine.objects.filter(shop=douyin_shop, source_hash="").exists()
    validated.clear()
    assert _import(path, douyin_shop).rows_unchanged == 120 and sum(validated) == 0


def test_reimport_with_one_changed_row_reprocesses_only_its_order(douyin_shop, douyin_file, monkeypatch):
    """A changed row sends its whole order (all its lines) through; the other orders are left out."""
    import polars as pl

    from liveops.commerce.samples import export_write
    from liveops.core.models import AuditEntry

    path, frame = douyin_file(200)
    _import(path, douyin_shop)
    multi = frame.filter(pl.col("主订单编号").is_duplicated()).row(0, named=True)
    order_no, sub_no = multi["主订单编号"].strip(), multi["子订单编号"]
    order_lines = frame.filter(pl.col("主订单编号") == multi["主订单编号"]).height
    assert order_lines >= 2
    new_status, expected = ("已关闭", "closed") if multi["订单状态"] != "已关闭" else ("已完成", "completed")
    changed = frame.with_columns(
        pl.when(pl.col("子订单编号") == sub_no)
        .then(pl.lit(new_status))
        .otherwise(pl.col("订单状态"))
        .alias("订单状态")
    )
    export_write(changed, path)
    validated = _count_validated(monkeypatch)
    run = _import(path, douyin_shop)
    assert run.status == "succeeded", run.error
    assert sum(validated) == order_lines
    assert (run.rows_inserted, run.rows_updated) == (0, 1)
    assert run.rows_unchanged == 199
    line = OrderLine.objects.get(shop=douyin_shop, sub_order_no=sub_no.strip())
    assert line.status == expected and line.order.order_no == order_no
    assert AuditEntry.objects.filter(
        object_type="commerce.orderline", action="update", object_id=str(line.pk)
    ).exists()
    # And again: now everything is as last imported.
    validated.clear()
    again = _import(path, douyin_shop)
    assert (again.rows_unchanged, sum(validated)) == (200, 0)


def test_corrected_line_joining_a_stored_order_recounts_its_totals(douyin_shop, imp_data):
    """The rejects report asks for the bad row to be corrected and the file imported again: the line
    that was rejected joins its stored order, whose line count and paid total must follow."""
    header = "主订单编号,子订单编号,商品数量,订单应付金额,订单提交时间,支付完成时间,订单状态"

    def export(name: str, quantity: str):
        path = imp_data / name
        rows = [
            "FX1,FX1-1,1,10.00,2026-01-03 09:33:16,2026-01-03 09:34:00,已完成",
            f"FX1,FX1-2,{quantity},25.00,2026-01-03 09:33:16,2026-01-03 09:34:00,已完成",
        ]
        path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8-sig")
        return path

    first = _import(export("bad.csv", "abc"), douyin_shop)
    assert (first.rows_inserted, first.rows_rejected) == (1, 1)
    again = _import(export("fixed.csv", "2"), douyin_shop)
    assert (again.rows_inserted, again.rows_unchanged) == (1, 1), again.error
    order = Order.objects.get(order_no="FX1")
    assert (order.line_count, order.amount_paid_fen) == (2, 3500)
    assert _line_counts_consistent()
