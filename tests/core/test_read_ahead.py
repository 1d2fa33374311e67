"""``runner._read_ahead``: the next batch is read in a background thread while the current one is
written. It must hand over every item in order, raise the producer's errors in the caller's thread,
stop the producer when the caller stops early, and read in the caller's language."""

from __future__ import annotations

import threading

import pytest
from django.utils import translation
from django.utils.translation import gettext as _

from liveops.core.imports.runner import _read_ahead


def _live_threads() -> set[str]:
    return {t.name for t in threading.enumerate() if t.name == "import-read-ahead"}


def test_every_item_in_order_from_another_thread():
    caller = threading.get_ident()
    producers = []

    def items():
        for i in range(50):
            producers.append(threading.get_ident())
            yield i

    assert list(_read_ahead(items())) == list(range(50))
    assert set(producers) and caller not in producers
    assert not _live_threads()


def test_at_most_one_item_waits_ahead():
    produced = []

    def items():
        for i in range(10):
            produced.append(i)
            yield i

    gen = _read_ahead(items())
    first = next(gen)
    # Give the producer time to run as far ahead as it may.
    for _attempt in range(50):
        if len(produced) >= 2:
            break
        threading.Event().wait(0.01)
    threading.Event().wait(0.05)
    assert first == 0
    assert produced == [0, 1]
    gen.close()
    assert not _live_threads()


def test_errors_come_after_the_items_before_them():
    def items():
        yield 1
        yield 2
        raise ValueError("row 3 is broken")

    got = []
    with pytest.raises(ValueError, match="row 3 is broken"):
        for item in _read_ahead(items()):
            got.append(item)
    assert got == [1, 2]
    assert not _live_threads()


def test_stopping_early_stops_the_producer():
    produced = []

    def items():
        for i in range(1000):
            produced.append(i)
            yield i

    gen = _read_ahead(items())
    assert next(gen) == 0
    assert next(gen) == 1
    gen.close()
    assert not _live_threads()
    assert len(produced) <= 4


def test_the_producer_reads_in_the_callers_language():
    def items():
        yield translation.get_language()
        yield _("A value is required.")

    with translation.override("zh-hans"):
        language, message = list(_read_ahead(items()))
    assert language == "zh-hans"
    assert message != "A value is required."
