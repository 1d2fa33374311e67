"""Rollups equal a full recomputation from the stored order lines after any sequence of imports,
kills, failed runs and concurrent runs (issue 14, item 1), and the counts of a re-import say what
changed (item 8).

A kill is simulated where the runner would lose the process: an exception inside the ingest of batch
``k`` (its transaction rolls back, the batches before it stay, ``finish`` never runs) or inside
``finish`` (every line written, no rollup refreshed). Each case then runs the import again and
compares every rollup table (``DailyShopRollup``, ``DailyDimensionRollup``, ``PeriodBuyers``) with a
recomputation of every day from the stored lines."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liveops.commerce.ingest import OrderIngest
from liveops.commerce.models import DailyDimensionRollup, DailyShopRollup, OrderLine, PeriodBuyers
from liveops.commerce.samples import export_write
from tests.commerce.factories import make_shop
from tests.commerce.factories import orders_import as _import

pytestmark = pytest.mark.django_db

LINES = 160
BATCH = 30


@pytest.fixture(autouse=True)
def small_batches(settings):
    settings.LIVEOPS_IMPORT_BATCH_ROWS = BATCH


def _snapshot(shop) -> dict:
    """Every rollup row of the shop, without the refresh time."""
    return {
        "shop": sorted(
            DailyShopRollup.objects.filter(shop=shop).values_list(
                "day",
                "gmv_fen",
                "orders_paid",
                "lines_paid",
                "units",
                "buyers",
                "orders_submitted",
                "refund_fen",
                "refund_lines",
            )
        ),
        "dimension": sorted(
            DailyDimensionRollup.objects.filter(shop=shop).values_list(
                "day",
                "dimension",
                "key",
                "gmv_fen",
                "orders_paid",
                "lines_paid",
                "units",
                "refund_fen",
                "refund_lines",
            )
        ),
        "buyers": sorted(
            PeriodBuyers.objects.filter(shop=shop).values_list("grain", "period_start", "buyers")
        ),
    }


class _Rollback(Exception):
    pass


def _recomputed(shop) -> dict:
    """The rollups a recomputation of every day (of the lines, their submissions and the stored rows,
    with a margin) from the stored lines gives; the stored rollups are left as they are."""
    from liveops.commerce.services.rollups import rollups_refresh

    days = set(OrderLine.objects.filter(shop=shop).values_list("day", flat=True))
    days |= set(DailyShopRollup.objects.filter(shop=shop).values_list("day", flat=True))
    days |= set(DailyDimensionRollup.objects.filter(shop=shop).values_list("day", flat=True))
    days |= set(PeriodBuyers.objects.filter(shop=shop).values_list("period_start", flat=True))
    if not days:
        return _snapshot(shop)
    first, last = min(days) - dt.timedelta(days=10), max(days) + dt.timedelta(days=40)
    every = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    out = {}
    try:
        with transaction.atomic():
            rollups_refresh(shop_days={shop.pk: every})
            out = _snapshot(shop)
            raise _Rollback
    except _Rollback:
        pass
    return out


def assert_rollups_match_lines(shop) -> None:
    stored, recomputed = _snapshot(shop), _recomputed(shop)
    for table in ("shop", "dimension", "buyers"):
        assert stored[table] == recomputed[table], f"{table} rollups differ from a recomputation"
    # And the headline figure, by plain SQL: GMV shown = paid amounts of the stored lines.
    shown = DailyShopRollup.objects.filter(shop=shop).aggregate(g=Sum("gmv_fen"))["g"] or 0
    lines = OrderLine.objects.filter(shop=shop, paid_at__isnull=False).aggregate(g=Sum("amount_paid_fen"))[
        "g"
    ]
    assert shown == (lines or 0)


def _kill_ingest_at(monkeypatch, batch: int) -> None:
    """The process dies while batch ``batch`` (1-based) is being written."""
    real = OrderIngest.ingest
    calls = {"n": 0}

    def dying(self, lines):
        calls["n"] += 1
        if calls["n"] == batch:
            raise RuntimeError("kill -9")
        return real(self, lines)

    monkeypatch.setattr(OrderIngest, "ingest", dying)


def _kill_finish(monkeypatch) -> None:
    """The process dies after every line was written, before the rollups are refreshed."""

    def dying(self):
        raise RuntimeError("kill -9")

    monkeypatch.setattr(OrderIngest, "finish", dying)


def _moved(frame: pl.DataFrame) -> pl.DataFrame:
    """A newer export: every seventh paid row was paid later (another day), with another amount."""
    later = pl.col("订单提交时间").shift(-37)
    pick = (pl.int_range(pl.len()) % 7 == 0) & (pl.col("支付完成时间") != "-") & later.is_not_null()
    return frame.with_columns(
        pl.when(pick).then(later).otherwise(pl.col("支付完成时间")).alias("支付完成时间"),
    )


@pytest.mark.parametrize(
    "kill",
    ["batch 1", "batch 3", "last batch", "finish"],
)
def test_rollups_match_lines_after_a_killed_import_and_a_rerun(douyin_shop, douyin_file, monkeypatch, kill):
    path, _frame = douyin_file(LINES)
    if kill == "finish":
        _kill_finish(monkeypatch)
    else:
        _kill_ingest_at(monkeypatch, {"batch 1": 2, "batch 3": 4, "last batch": LINES // BATCH + 1}[kill])
    run = _import(path, douyin_shop)
    assert run.status == "failed"
    assert OrderLine.objects.filter(shop=douyin_shop).exists()
    monkeypatch.undo()
    run = _import(path, douyin_shop)
    assert run.status == "succeeded", run.error
    assert OrderLine.objects.filter(shop=douyin_shop).count() == LINES
    assert_rollups_match_lines(douyin_shop)


@pytest.mark.parametrize("kill", ["batch 2", "finish"])
def test_rollups_match_lines_after_a_killed_reimport_that_moved_lines(
    douyin_shop, douyin_file, monkeypatch, kill
):
    """Lines moved to other days by a newer export, the run killed: a rerun (with nothing left to write
    for the killed batches' lines) still brings every day the lines left and entered up to date."""
    path, frame = douyin_file(LINES)
    assert _import(path, douyin_shop).status == "succeeded"
    newer = export_write(_moved(frame), path.with_name("newer.csv"))
    if kill == "finish":
        _kill_finish(monkeypatch)
    else:
        _kill_ingest_at(monkeypatch, 3)
    assert _import(newer, douyin_shop).status == "failed"
    monkeypatch.undo()
    run = _import(newer, douyin_shop)
    assert run.status == "succeeded", run.error
    assert run.rows_updated > 0 or kill == "finish"
    assert_rollups_match_lines(douyin_shop)


def test_a_later_import_into_the_shop_repairs_what_a_killed_run_left(douyin_shop, douyin_file, monkeypatch):
    """The killed run's file is never imported again: another export into the shop settles its days."""
    path, _frame = douyin_file(LINES)
    _kill_finish(monkeypatch)
    assert _import(path, douyin_shop).status == "failed"
    monkeypatch.undo()
    other, _ = douyin_file(20, name="other.csv", order_base=6_917_926_800_000_000_000)
    assert _import(other, douyin_shop).status == "succeeded"
    assert OrderLine.objects.filter(shop=douyin_shop).count() == LINES + 20
    assert_rollups_match_lines(douyin_shop)


def test_two_interleaved_imports_into_one_shop(douyin_shop, douyin_file, monkeypatch):
    """Run B starts and finishes while run A is between its batches (as two workers would, or two
    processes on SQLite): whatever order they write and finish in, the rollups match the lines."""
    from liveops.commerce.importers import OrderImportKind

    path, _frame = douyin_file(LINES)
    if hasattr(OrderImportKind, "lock_key_for"):
        # The per-shop import lock would refuse B; the rollups must not rely on it (a lock lost with
        # its holder, a run started by hand), so both runs go without it.
        monkeypatch.setattr(OrderImportKind, "lock_key_for", classmethod(lambda cls, options: None))
    real = OrderIngest.ingest
    calls = {"n": 0}

    def interleaved(self, lines):
        calls["n"] += 1
        if calls["n"] == 2:
            # B runs entirely now.
            monkeypatch.setattr(OrderIngest, "ingest", real)
            assert _import(path, douyin_shop).status == "succeeded"
            monkeypatch.setattr(OrderIngest, "ingest", interleaved)
        return real(self, lines)

    monkeypatch.setattr(OrderIngest, "ingest", interleaved)
    run = _import(path, douyin_shop)
    assert run.status == "succeeded", run.error
    assert OrderLine.objects.filter(shop=douyin_shop).count() == LINES
    assert_rollups_match_lines(douyin_shop)


def test_a_failed_batch_in_another_shop_leaves_this_shops_rollups_right(shops, douyin_file, monkeypatch):
    path, _frame = douyin_file(LINES)
    first, second = shops["douyin"], shops["douyin2"]
    assert _import(path, first).status == "succeeded"
    _kill_ingest_at(monkeypatch, 2)
    assert _import(path, second).status == "failed"
    monkeypatch.undo()
    assert_rollups_match_lines(first)
    assert _import(path, second).status == "succeeded"
    assert_rollups_match_lines(second)


# Item 8: counts say what changed ---------------------------------------------------------------


def test_a_changed_buyer_note_counts_as_updated(douyin_shop, douyin_file):
    from liveops.core.models import AuditEntry

    path, frame = douyin_file(12)
    assert _import(path, douyin_shop).status == "succeeded"
    single = frame.filter(pl.col("主订单编号").is_unique()).get_column("主订单编号")[0]
    changed = frame.with_columns(
        pl.when(pl.col("主订单编号") == single)
        .then(pl.lit("请周末送达"))
        .otherwise(pl.col("买家留言"))
        .alias("买家留言")
    )
    newer = export_write(changed, path.with_name("note.csv"))
    run = _import(newer, douyin_shop)
    assert run.status == "succeeded", run.error
    assert (run.rows_inserted, run.rows_updated, run.rows_unchanged) == (0, 1, 11)
    assert run.rows_read == run.rows_inserted + run.rows_updated + run.rows_unchanged + run.rows_rejected
    assert AuditEntry.objects.filter(object_type="commerce.order", action="update").count() == 1
    again = _import(newer, douyin_shop)
    assert (again.rows_updated, again.rows_unchanged) == (0, 12)


# Operators: verify and rebuild --------------------------------------------------------------------


def _command(*args) -> tuple[int, str]:
    from io import StringIO

    out = StringIO()
    try:
        call_command("rollups", *args, stdout=out)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, out.getvalue()


def test_verify_finds_drift_and_rebuild_repairs_it(douyin_shop, douyin_file):
    path, _frame = douyin_file(60)
    assert _import(path, douyin_shop).status == "succeeded"
    code, out = _command("verify", "--json")
    result = json.loads(out)
    assert code == 0 and result["drifted"] == 0 and result["checked"] > 0
    assert list(result)[:2] == ["checked", "drifted"]
    # Drift: a figure changed behind the rollups' back, a row deleted, a row that should not exist.
    row = DailyShopRollup.objects.filter(shop=douyin_shop).order_by("day").first()
    DailyShopRollup.objects.filter(pk=row.pk).update(gmv_fen=row.gmv_fen + 1)
    PeriodBuyers.objects.filter(shop=douyin_shop, grain="month").delete()
    DailyShopRollup.objects.create(shop=douyin_shop, day=dt.date(2020, 1, 1), gmv_fen=5)
    code, out = _command("verify", "--json", "--shop", douyin_shop.name)
    result = json.loads(out)
    assert code == 1
    assert result["drifted"] >= 3
    detail = next(d for d in result["details"] if d["field"] == "gmv_fen" and d["day"] == row.day.isoformat())
    assert detail["table"] == DailyShopRollup._meta.db_table and detail["shop"] == douyin_shop.pk
    assert (detail["stored"], detail["recomputed"]) == (row.gmv_fen + 1, row.gmv_fen)
    assert any(d["day"] == "2020-01-01" and d["recomputed"] is None for d in result["details"])
    code, out = _command("rebuild", "--shop", douyin_shop.name)
    assert code == 0 and out
    code, out = _command("verify", "--json")
    assert code == 0 and json.loads(out)["drifted"] == 0
    assert_rollups_match_lines(douyin_shop)
    code, out = _command("verify")  # human output
    assert code == 0 and "0" in out


def test_scheduled_check_settles_marks_records_drift_and_repairs(douyin_shop, douyin_file, monkeypatch):
    from liveops.commerce.models import RollupCheck, RollupDirty
    from liveops.commerce.services.rollups import rollups_check
    from liveops.core.models import AuditEntry

    path, _frame = douyin_file(60)
    _kill_finish(monkeypatch)
    assert _import(path, douyin_shop).status == "failed"
    monkeypatch.undo()
    assert RollupDirty.objects.filter(shop=douyin_shop).exists()  # the killed run's days wait
    check = rollups_check()
    assert check.drifted == 0 and not RollupDirty.objects.exists()
    assert_rollups_match_lines(douyin_shop)
    row = DailyShopRollup.objects.filter(shop=douyin_shop).first()
    DailyShopRollup.objects.filter(pk=row.pk).update(units=row.units + 3)
    check = rollups_check()
    assert check.drifted == 1 and check.repaired and check.details[0]["field"] == "units"
    assert RollupCheck.objects.count() == 2
    assert AuditEntry.objects.filter(verb="rollups_drift").exists()
    assert_rollups_match_lines(douyin_shop)


def test_marks_commit_with_the_lines(douyin_shop, douyin_file, monkeypatch):
    """After a kill between batches, every day holding lines of the killed run is marked."""
    from liveops.commerce.models import RollupDirty

    path, _frame = douyin_file(LINES)
    _kill_ingest_at(monkeypatch, 3)
    assert _import(path, douyin_shop).status == "failed"
    stored = set(OrderLine.objects.filter(shop=douyin_shop).values_list("day", flat=True))
    assert stored and stored <= set(
        RollupDirty.objects.filter(shop=douyin_shop).values_list("day", flat=True)
    )


# Any sequence ---------------------------------------------------------------------------------------

_STEP = st.tuples(st.sampled_from(["first", "moved", "newer"]), st.sampled_from([None, 2, 3, "finish"]))


@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(_STEP, min_size=1, max_size=3), last=st.sampled_from(["first", "moved", "newer"]))
def test_any_sequence_of_imports_and_kills_ends_with_rollups_matching_lines(
    org, douyin_file, monkeypatch, steps, last
):
    """Random sequences of imports of three versions of an export, each killed at a random point or
    not, then one uninterrupted import: the rollups equal a recomputation from the lines."""
    path, frame = douyin_file(60, name="seq.csv")
    files = {
        "first": path,
        "moved": export_write(_moved(frame), path.with_name("seq-moved.csv")),
        "newer": douyin_file(60, name="seq-newer.csv", now=dt.datetime(2026, 12, 31))[0],
    }
    shop = make_shop(platform="douyin")  # a fresh shop per example
    for version, kill in steps:
        if kill == "finish":
            _kill_finish(monkeypatch)
        elif kill:
            _kill_ingest_at(monkeypatch, kill)
        _import(files[version], shop)
        monkeypatch.undo()
    assert _import(files[last], shop).status == "succeeded"
    assert_rollups_match_lines(shop)
