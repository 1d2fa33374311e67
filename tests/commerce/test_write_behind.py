"""Write-behind on PostgreSQL (``core.imports.runner._WriteBehind``): batches written by a writer thread
on its own connection give the same result as the serial path, and a failed batch stops the run with
counters that count only what was written. Transactional tests: the writer's connection must see the
shop and the rows of earlier batches, so nothing may stay uncommitted around the run."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from liveops.commerce import ingest
from liveops.commerce.models import Order, OrderLine
from liveops.core.imports import runner
from tests.commerce.factories import orders_import as _import

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="write-behind is PostgreSQL's"),
]


@pytest.fixture
def small_batches(settings):
    settings.LIVEOPS_IMPORT_BATCH_ROWS = 100


@pytest.fixture
def submitted(monkeypatch):
    """How many batches went to the writer thread."""
    calls = []
    original = runner._WriteBehind.submit

    def spy(self, writes):
        calls.append(len(writes))
        return original(self, writes)

    monkeypatch.setattr(runner._WriteBehind, "submit", spy)
    return calls


def test_batches_written_behind_give_every_line_once(douyin_shop, douyin_file, small_batches, submitted):
    path, frame = douyin_file(450)
    run = _import(path, douyin_shop)
    assert run.status == "succeeded", run.error
    assert len(submitted) >= 4  # the writer thread wrote the batches
    assert (run.rows_read, run.rows_inserted, run.rows_rejected) == (450, 450, 0)
    assert OrderLine.objects.filter(shop=douyin_shop).count() == 450
    assert Order.objects.filter(shop=douyin_shop).count() == frame.get_column("主订单编号").n_unique()
    # Counters were saved by the writer with each batch; the run row agrees with the object.
    run.refresh_from_db()
    assert run.rows_inserted == 450 and run.progress_done == 450
    again = _import(path, douyin_shop)
    assert (again.rows_inserted, again.rows_updated, again.rows_unchanged) == (0, 0, 450)


def test_serial_path_when_write_behind_is_off(douyin_shop, douyin_file, small_batches, submitted, settings):
    settings.LIVEOPS_IMPORT_WRITE_BEHIND = False
    path, _frame = douyin_file(250)
    run = _import(path, douyin_shop)
    assert run.status == "succeeded", run.error
    assert submitted == []
    assert OrderLine.objects.filter(shop=douyin_shop).count() == 250


def test_a_failed_batch_stops_the_run_and_counts_only_written_batches(
    douyin_shop, douyin_file, small_batches, monkeypatch
):
    calls = []

    def third_batch_fails():
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")

    monkeypatch.setattr(ingest, "_commit_without_flush_wait", third_batch_fails)
    path, _frame = douyin_file(450)
    run = _import(path, douyin_shop)
    assert run.status == "failed"
    assert "disk full" in run.error
    written = OrderLine.objects.filter(shop=douyin_shop).count()
    assert 0 < written < 450
    run.refresh_from_db()
    assert run.rows_inserted == written  # the failed batch and those after it are not counted
    # Every order is whole: the failed batch's transaction wrote nothing.
    for order in Order.objects.filter(shop=douyin_shop):
        assert order.lines.count() == order.line_count
    # Run again, the import completes.
    monkeypatch.setattr(ingest, "_commit_without_flush_wait", lambda: None)
    again = _import(path, douyin_shop)
    assert again.status == "succeeded", again.error
    assert OrderLine.objects.filter(shop=douyin_shop).count() == 450


def test_two_writers_write_at_once_and_the_counters_add_up(
    douyin_shop, douyin_file, small_batches, monkeypatch, settings
):
    settings.LIVEOPS_IMPORT_WRITERS = 2
    started, finished = [], []
    lock = threading.Lock()

    def first_batch_slow():
        with lock:
            started.append(len(started) + 1)
            mine = len(started)
        if mine == 1:
            time.sleep(1.0)  # the second writer takes batch 2 meanwhile and commits it first
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
        finished.append(mine)

    monkeypatch.setattr(ingest, "_commit_without_flush_wait", first_batch_slow)
    path, frame = douyin_file(450)
    run = _import(path, douyin_shop)
    assert run.status == "succeeded", run.error
    assert finished[0] != 1 and sorted(finished) == list(range(1, len(finished) + 1))
    run.refresh_from_db()
    assert (run.rows_read, run.rows_inserted, run.progress_done, run.progress_total) == (450, 450, 450, 450)
    assert OrderLine.objects.filter(shop=douyin_shop).count() == 450
    for order in Order.objects.filter(shop=douyin_shop):
        assert order.lines.count() == order.line_count
