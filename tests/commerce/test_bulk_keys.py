"""``bulk.keys_in``: one JSON parameter for any number of keys, on SQLite and PostgreSQL, for text,
integer and date columns (dates given as ISO text with ``sql_type="date"``)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from django.db import connection

from liveops.commerce.bulk import fetch_frame, keys_absent, keys_in
from liveops.commerce.models import OrderLine
from tests.commerce.factories import SHANGHAI, make_line, make_shop

pytestmark = pytest.mark.django_db

TABLE = OrderLine._meta.db_table


def _ids(cond: str, params: list) -> list[int]:
    frame = fetch_frame(f"SELECT id FROM {TABLE} WHERE {cond} ORDER BY id", params, {"id": pl.Int64})  # noqa: S608
    return frame.get_column("id").to_list()


@pytest.fixture
def three_lines(org):
    shop = make_shop()
    days = [dt.datetime(2026, 3, d, 12, tzinfo=SHANGHAI) for d in (1, 2, 3)]
    return [make_line(shop, paid_at=at, sub_order_no=f"S-{i}'\"，键") for i, at in enumerate(days)]


def test_text_keys_with_quotes_and_chinese(three_lines):
    a, b, c = three_lines
    assert _ids(*keys_in("sub_order_no", [a.sub_order_no, c.sub_order_no, "absent"])) == [a.pk, c.pk]


def test_integer_keys(three_lines):
    a, b, _c = three_lines
    assert _ids(*keys_in("id", [b.pk, a.pk, 10**12])) == [a.pk, b.pk]


def test_date_keys_as_iso_text(three_lines):
    _a, b, c = three_lines
    cond, params = keys_in("day", [b.day.isoformat(), c.day.isoformat()], sql_type="date")
    assert _ids(cond, params) == [b.pk, c.pk]


def test_no_keys_match_nothing(three_lines):
    assert _ids(*keys_in("sub_order_no", [])) == []


def test_one_parameter_whatever_the_number_of_keys(three_lines):
    keys = [f"K{i}" for i in range(50_000)] + [three_lines[0].sub_order_no]
    cond, params = keys_in("sub_order_no", keys)
    assert len(params) == 1
    assert cond.count("%s") == 1
    assert _ids(cond, params) == [three_lines[0].pk]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL plan")
def test_postgresql_probes_the_unique_index_for_many_keys(three_lines):
    """With a literal array the planner sums each key's selectivity and scans the whole table; the
    JSON subquery is estimated as a small set and drives the (shop, sub-order) index."""
    keys = [f"K{i}" for i in range(50_000)]
    cond, params = keys_in("sub_order_no", keys)
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN SELECT id FROM {TABLE} WHERE shop_id = %s AND {cond}", [1, *params])  # noqa: S608
        plan = "\n".join(r[0] for r in cursor.fetchall())
    assert "Seq Scan on commerce_orderline" not in plan, plan


def test_fetch_frame_round_trips_every_type(three_lines):
    """``fetch_frame`` (CSV through COPY on PostgreSQL, JSON arrays on SQLite) gives back what the ORM
    stored: microseconds of datetimes, dates, NULL apart from "", text with commas, quotes and
    line breaks, and large integers."""
    line = three_lines[0]
    paid = dt.datetime(2026, 3, 1, 23, 59, 58, 123456, tzinfo=dt.UTC)
    OrderLine.objects.filter(pk=line.pk).update(
        paid_at=paid,
        shipped_at=None,
        product_title='面膜, "特价"\n第二行',
        sku_spec="",
        amount_paid_fen=9_007_199_254_740_993,  # above 2**53: no float on the way
    )
    frame = fetch_frame(
        f"SELECT id, paid_at, shipped_at, day, product_title, sku_spec, amount_paid_fen FROM {TABLE} WHERE id = %s",  # noqa: S608
        [line.pk],
        {
            "id": pl.Int64,
            "paid_at": pl.Datetime("us", "UTC"),
            "shipped_at": pl.Datetime("us", "UTC"),
            "day": pl.Date,
            "title": pl.String,
            "spec": pl.String,
            "paid_fen": pl.Int64,
        },
    )
    row = frame.row(0, named=True)
    stored = OrderLine.objects.get(pk=line.pk)
    assert row["paid_at"] == stored.paid_at == paid
    assert row["shipped_at"] is None
    assert row["day"] == stored.day
    assert row["title"] == '面膜, "特价"\n第二行'
    assert row["spec"] == ""
    assert row["paid_fen"] == 9_007_199_254_740_993


def test_fetch_frame_of_nothing_has_the_schema(three_lines):
    frame = fetch_frame(f"SELECT id, day FROM {TABLE} WHERE id < 0", [], {"id": pl.Int64, "day": pl.Date})  # noqa: S608
    assert frame.height == 0 and frame.schema == {"id": pl.Int64, "day": pl.Date}


def test_ids_allocate_reserves_new_distinct_ids(three_lines):
    from liveops.commerce.bulk import ids_allocate
    from liveops.commerce.models import Order

    table = Order._meta.db_table
    top = max(Order.objects.values_list("pk", flat=True))
    ids = ids_allocate(table, 1000)
    assert len(ids) == len(set(ids)) == 1000
    assert min(ids) > top
    assert ids_allocate(table, 0) == []
    if connection.vendor == "postgresql":
        # The sequence hands out each ID once, even before its row is written (on SQLite the one
        # writer's transaction writes the rows before anyone asks again).
        assert min(ids_allocate(table, 3)) > max(ids)


@pytest.fixture
def numbered_lines(org):
    shop = make_shop()
    return shop, [make_line(shop, sub_order_no=no) for no in ("6917000000000000100", "6917000000000000200")]


def _absent(shop, keys: list[str]) -> bool:
    return keys_absent(TABLE, "sub_order_no", keys, where="shop_id = %s", params=[shop.pk])


def test_keys_absent_when_no_stored_key_lies_in_their_span(numbered_lines):
    shop, _lines = numbered_lines
    assert _absent(shop, ["6917000000000000300", "6917000000000000900"])
    assert _absent(shop, ["6917000000000000101", "6917000000000000199"])  # between, but none stored there
    assert _absent(shop, [])


def test_keys_not_absent_when_a_stored_key_lies_in_their_span(numbered_lines):
    shop, _lines = numbered_lines
    assert not _absent(shop, ["6917000000000000200"])
    # Neither key is stored, but one stored key lies between them: the caller must look them up.
    assert not _absent(shop, ["6917000000000000150", "6917000000000000250"])


def test_keys_absent_reads_only_the_rows_the_condition_names(numbered_lines):
    _shop, _lines = numbered_lines
    other = make_shop()
    assert _absent(other, ["6917000000000000100", "6917000000000000200"])


def test_keys_absent_compares_other_keys_in_the_column_collation(org):
    # Not all digits of one length: the database takes the span itself.
    shop = make_shop()
    make_line(shop, sub_order_no="B-200")
    assert _absent(shop, ["C-1", "D-9"])
    assert not _absent(shop, ["A-100", "C-300"])
    assert not _absent(shop, ["100", "B-200"])
