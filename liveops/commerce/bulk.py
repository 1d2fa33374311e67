"""Fast set-based reads and writes between polars frames and the database, for the order tables.

The ORM builds one Python object per row; at a million lines that alone would take longer than the
whole import may. These helpers move columns instead, and run inside the caller's transaction:

- PostgreSQL: ``COPY`` from CSV that polars writes.
- SQLite, large frames: the frame goes, as Arrow columns, into a scratch SQLite file through the ADBC
  SQLite driver (no Python object per value), which the Django connection then ``ATTACH``es and copies
  with one ``INSERT … SELECT`` / ``UPDATE … FROM``. Binding values one by one through Python's
  ``sqlite3`` costs about 250 ns per value, four times what SQLite itself needs to store the row.
- SQLite, small frames (or when the scratch route is not available): ``executemany`` of tuples.
- Key lookups take one parameter (a JSON array on SQLite, an array on PostgreSQL) instead of thousands
  of placeholders.
"""

from __future__ import annotations

import io
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

import polars as pl
from django.db import connection, transaction

log = logging.getLogger(__name__)

# Frames smaller than this go through executemany: the scratch file costs a few milliseconds.
STAGE_MIN_ROWS = 5_000
# SQLite attaches at most 10 databases to a connection; leave room for anyone else.
_STAGE_MAX_ATTACHED = 6

_SQLITE_DT = "%Y-%m-%d %H:%M:%S"


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def keys_in(column: str, keys: Sequence, *, sql_type: str | None = None) -> tuple[str, list]:
    """SQL condition ``column`` is one of ``keys``, with its single parameter: the keys as one JSON
    array, which the database splits itself.

    ``sql_type`` is the column's PostgreSQL type when the keys are strings standing for something else
    (``"date"`` for ISO dates); integers are compared as ``bigint``, other keys as text.

    Why JSON and a subquery on PostgreSQL rather than ``= ANY(%s)`` with a list: psycopg inspects every
    element of a list (2.5 s for a million keys), and the planner sums the selectivity of each element of
    a literal array, so 50,000 keys look like the whole table and a seq scan wins; a set-returning
    function is estimated at 100 rows, so the unique index is probed once per key.
    """
    values = list(keys)
    text = json.dumps(values, ensure_ascii=False)
    if is_postgres():
        if sql_type is None:
            sql_type = "bigint" if values and all(isinstance(v, int) for v in values) else "text"
        return f"{column} IN (SELECT value::{sql_type} FROM json_array_elements_text(%s::json))", [text]
    return f"{column} IN (SELECT value FROM json_each(%s))", [text]


def keys_absent(table: str, column: str, keys: Sequence[str], *, where: str, params: Sequence) -> bool:
    """Whether no row of ``table`` matching ``where`` (with ``params``) has a text ``column`` between the
    smallest and the largest of ``keys``: then none of ``keys`` is stored, and the caller can skip
    looking each one up.

    One probe of the index on (…, ``column``) instead of one per key. A new export's sub-order and order
    numbers are newer than anything stored, so their span is empty and a fresh import skips the lookups
    entirely (on a million lines, 8 of the 11 seconds PostgreSQL spent reading keys); when the spans
    overlap (a re-export of last week), the keys are looked up as before. The span must be the one the
    column's index orders by: keys of digits only, all of one length, sort the same in every collation,
    so their smallest and largest are taken here; for other keys the database takes them, in the
    column's own collation.
    """
    series = pl.Series("k", keys, dtype=pl.String).drop_nulls()
    if series.len() == 0:
        return True
    lengths = series.str.len_bytes()
    if series.str.contains(r"^[0-9]+$").all() and lengths.min() == lengths.max():
        # Platform order numbers: digits only, all of one length. Every collation orders those as
        # numbers, so the smallest and largest can be taken here, and only they are sent.
        span = "(SELECT %s AS lo, %s AS hi)"
        span_params = [series.min(), series.max()]
    else:
        split = "json_array_elements_text(%s::json)" if is_postgres() else "json_each(%s)"
        span = f"(SELECT min(value) AS lo, max(value) AS hi FROM {split})"
        span_params = [json.dumps(series.to_list(), ensure_ascii=False)]
    sql = (
        f"WITH k AS {span} "
        f"SELECT NOT EXISTS (SELECT 1 FROM {table}, k WHERE {where} AND {column} BETWEEN k.lo AND k.hi)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*span_params, *params])
        return bool(cursor.fetchone()[0])


def fetch_frame(sql: str, params: Sequence, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Run a query and return its rows as a frame with ``schema`` (column order = SELECT order).
    Datetimes come back aware in UTC, whatever the backend hands over (naive UTC on SQLite)."""
    if not is_postgres():
        return _fetch_frame_sqlite(sql, params, schema)
    return _fetch_frame_postgres(sql, params, schema)


def _fetch_frame_postgres(sql: str, params: Sequence, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    # ``COPY (…) TO STDOUT`` as CSV, parsed by polars: no Python object per value (``fetchall`` built
    # one per value, most of the time of reading a million keys back). Values that CSV would make
    # ambiguous travel as integers: datetimes as microseconds since the epoch (exact, whatever the
    # session's DateStyle), dates as days, booleans as 0/1; ``\N`` is NULL, so "" stays a string.
    names = [f"c{i}" for i in range(len(schema))]
    exprs, wires = [], []
    for name, dtype in zip(names, schema.values(), strict=True):
        if isinstance(dtype, pl.Datetime):
            exprs.append(f"(EXTRACT(EPOCH FROM {name}) * 1000000)::bigint")
            wires.append(pl.Int64)
        elif dtype == pl.Date:
            exprs.append(f"({name} - DATE '1970-01-01')")
            wires.append(pl.Int32)
        elif dtype == pl.Boolean:
            exprs.append(f"{name}::int")
            wires.append(pl.Int8)
        elif dtype == pl.Int64:
            exprs.append(name)
            wires.append(pl.Int64)
        else:
            exprs.append(f"{name}::text")
            wires.append(pl.String)
    query = (
        f"COPY (SELECT {', '.join(exprs)} FROM ({sql}) AS q({', '.join(names)})) "
        "TO STDOUT (FORMAT csv, NULL '\\N')"
    )
    buf = io.BytesIO()
    started = time.monotonic()
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.cursor.copy(query, params or None) as copy,
    ):
        for block in copy:
            buf.write(block)
    _log_copy(query, started)
    if not buf.tell():
        return pl.DataFrame(schema=schema)
    raw = pl.read_csv(
        buf.getvalue(),
        has_header=False,
        new_columns=names,
        schema=dict(zip(names, wires, strict=True)),
        null_values="\\N",
        empty_string_is_null=False,
        quote_char='"',
    )
    columns = []
    for name, dtype in zip(names, schema.values(), strict=True):
        series = raw.get_column(name)
        if isinstance(dtype, pl.Datetime):
            series = pl.from_epoch(series, time_unit="us").dt.replace_time_zone("UTC")
        elif dtype == pl.Date:
            series = series.cast(pl.Date)
        elif dtype == pl.Boolean:
            series = series.cast(pl.Boolean)
        columns.append(series)
    return _typed_frame(columns, schema)


def _fetch_frame_sqlite(sql: str, params: Sequence, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    # SQLite builds one JSON array per column in C and polars parses it in Rust: no Python object per
    # value, which is what ``fetchall`` spends most of its time on for hundreds of thousands of rows.
    names = [f"c{i}" for i in range(len(schema))]
    wires = [pl.Int64 if dtype in (pl.Int64, pl.Boolean) else pl.String for dtype in schema.values()]
    arrays = ", ".join(
        f"json_group_array(CAST({n} AS {'INTEGER' if w == pl.Int64 else 'TEXT'}))"
        for n, w in zip(names, wires, strict=True)
    )
    with connection.cursor() as cursor:
        # An ordered query is materialised first: an aggregate over a flattened subquery may drop its order.
        how = "MATERIALIZED " if "ORDER BY" in sql.upper() else ""
        cursor.execute(f"WITH q({', '.join(names)}) AS {how}({sql}) SELECT COUNT(*), {arrays} FROM q", params)
        count, *texts = cursor.fetchone()
    if not count:
        return pl.DataFrame(schema=schema)
    columns = [
        pl.Series(name, [text]).str.json_decode(pl.List(wire)).explode()
        for text, name, wire in zip(texts, schema, wires, strict=True)
    ]
    return _typed_frame(columns, schema)


def _log_copy(sql: str, started: float) -> None:
    """Put a COPY in the connection's query log, as Django does for ``execute`` (COPY goes around
    its cursor wrapper): tests that count or inspect queries, and the debug tools, see it too."""
    if connection.queries_logged:
        connection.queries_log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}"})


def _typed_frame(columns: list, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Columns (lists or series, in ``schema`` order) as a frame of ``schema``'s types."""
    out = []
    for values, (name, dtype) in zip(columns, schema.items(), strict=True):
        if isinstance(dtype, pl.Datetime):
            series = pl.Series(name, values, strict=False)
            if series.dtype == pl.String:
                # SQLite keeps what Django wrote: "YYYY-MM-DD HH:MM:SS[.ffffff]" (UTC); keep the fraction.
                series = (
                    series.str.replace("T", " ", literal=True)
                    .str.extract(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)", 1)
                    .str.strptime(pl.Datetime("us"), "%Y-%m-%d %H:%M:%S%.f", strict=False)
                )
            if series.dtype == pl.Null:
                series = series.cast(pl.Datetime("us"))
            series = (
                series.dt.convert_time_zone("UTC")
                if getattr(series.dtype, "time_zone", None)
                else series.cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
            )
            out.append(series.cast(dtype).alias(name))
        elif dtype == pl.Date:
            series = pl.Series(name, values, strict=False)
            if series.dtype == pl.String:
                series = series.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)
            out.append(series.cast(pl.Date).alias(name))
        else:
            out.append(pl.Series(name, values, dtype=dtype, strict=False))
    return pl.DataFrame(out)


def ids_allocate(table: str, count: int) -> list[int]:
    """Reserve ``count`` new primary keys of ``table`` (inside the writing transaction), so rows can be
    inserted with their IDs known instead of being read back."""
    if count <= 0:
        return []
    with connection.cursor() as cursor:
        if is_postgres():
            # The sequence is looked up once: ``pg_get_serial_sequence`` per row took 7 × longer than
            # the ``nextval`` calls themselves (0.6 s against 0.08 s for 250,000 IDs).
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = cursor.fetchone()[0]
            # One text value rather than one row per ID: psycopg handles a row in about 2 µs, which
            # was 85 of the 100 ms of reserving 42,000 IDs.
            cursor.execute(
                "SELECT string_agg(nextval(%s::regclass)::text, ',') FROM generate_series(1, %s)",
                [sequence, count],
            )
            return [int(v) for v in cursor.fetchone()[0].split(",")]
        # SQLite: one writer at a time (transactions start IMMEDIATE), so the next IDs are ours.
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        top = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        top = max(top, row[0] if row else 0)
    return list(range(top + 1, top + 1 + count))


def _db_ready(frame: pl.DataFrame) -> pl.DataFrame:
    """Datetimes and dates as the text each backend stores (UTC)."""
    exprs = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.Datetime):
            col = pl.col(name).dt.convert_time_zone("UTC") if dtype.time_zone else pl.col(name)
            fmt = _SQLITE_DT if not is_postgres() else "%Y-%m-%d %H:%M:%S+00"
            exprs.append(col.dt.strftime(fmt).alias(name))
        elif dtype == pl.Date:
            exprs.append(pl.col(name).dt.strftime("%Y-%m-%d").alias(name))
        elif dtype == pl.Boolean and not is_postgres():
            exprs.append(pl.col(name).cast(pl.Int8).alias(name))
    return frame.with_columns(exprs) if exprs else frame


def insert_frame(table: str, frame: pl.DataFrame) -> int:
    """Insert every row of ``frame`` (columns named as the table's) and return the row count."""
    return insert_frame_later(table, frame)()


def insert_frame_later(table: str, frame: pl.DataFrame) -> Callable[[], int]:
    """``insert_frame`` in two steps: the rows are made ready for the database now (on PostgreSQL,
    the CSV for COPY), and written when the returned function is called (it returns the row count).

    Write-behind imports prepare in the runner's thread and write in the writer's: the writer, the
    slower of the two, then only streams and waits on the server (on a million lines, the CSV
    is 1.5 s of client work taken off it)."""
    if frame.height == 0:
        return lambda: 0
    frame = _db_ready(frame)
    cols = ", ".join(frame.columns)
    if is_postgres():
        buf = io.BytesIO()
        frame.write_csv(buf, include_header=False, null_value="\\N", quote_style="necessary")
        payload, rows = buf.getvalue(), frame.height
        del buf, frame
        return partial(_copy_in, f"COPY {table} ({cols}) FROM STDIN (FORMAT csv, NULL '\\N')", payload, rows)

    def write() -> int:
        with connection.cursor() as cursor:
            if (alias := _stage(frame)) is not None:
                cursor.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {alias}.stage")
            else:
                marks = ", ".join(["%s"] * frame.width)
                cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", frame.iter_rows())
        return frame.height

    return write


def _copy_in(query: str, payload: bytes, rows: int) -> int:
    started = time.monotonic()
    # COPY goes around Django's cursor wrapper: its errors are mapped here, so a refused row is an
    # ``IntegrityError`` as with any other write.
    with connection.cursor() as cursor, connection.wrap_database_errors, cursor.cursor.copy(query) as copy:
        copy.write(payload)
    _log_copy(query, started)
    return rows


def update_frame(table: str, frame: pl.DataFrame, *, key: str = "id") -> int:
    """Set the other columns of ``frame`` on the rows whose ``key`` matches; returns the row count."""
    if frame.height == 0:
        return 0
    frame = _db_ready(frame)
    others = [c for c in frame.columns if c != key]
    with connection.cursor() as cursor:
        if is_postgres():
            # A column-for-column copy without constraints, filled by COPY, joined once.
            tmp = f"_upd_{table}"
            cursor.execute(f"DROP TABLE IF EXISTS {tmp}")
            cursor.execute(
                f"CREATE TEMP TABLE {tmp} AS SELECT {', '.join(frame.columns)} FROM {table} WITH NO DATA"
            )
            insert_frame(tmp, frame)
            sets = ", ".join(f"{c} = u.{c}" for c in others)
            cursor.execute(f"UPDATE {table} t SET {sets} FROM {tmp} u WHERE t.{key} = u.{key}")
            cursor.execute(f"DROP TABLE {tmp}")
        elif (alias := _stage(frame)) is not None:
            sets = ", ".join(f"{c} = u.{c}" for c in others)
            cursor.execute(f"UPDATE {table} SET {sets} FROM {alias}.stage AS u WHERE {table}.{key} = u.{key}")
        else:
            sets = ", ".join(f"{c} = %s" for c in others)
            cursor.executemany(
                f"UPDATE {table} SET {sets} WHERE {key} = %s", frame.select([*others, key]).iter_rows()
            )
    return frame.height


# SQLite scratch files --------------------------------------------------------------------------------
# Scratch files attached to this thread's connection, oldest first: (connection id, alias, path). An
# attached file cannot be detached before the transaction that read it ends, so they are detached on
# the next call (or by ``stage_cleanup``) once that transaction is over.
_local = threading.local()


def _attached() -> list[tuple[int, str, Path]]:
    if not hasattr(_local, "attached"):
        _local.attached = []
    return _local.attached


def _stage_dir() -> Path:
    # This process's scratch folder: if the process dies mid-run, the next run removes it.
    from liveops.core.imports.liveness import scratch_dir

    return scratch_dir()


def stage_cleanup() -> None:
    """Detach and delete the scratch files, once no transaction is open (a file read by an open
    transaction cannot be detached). Runs on commit; a rolled-back transaction's files go on the next
    call made outside a transaction."""
    attached = _attached()
    if not attached or connection.in_atomic_block:
        # Not even tried: a failed DETACH raises, and the exception's traceback would keep the
        # caller's frames (and their large frames of data) alive until the next full garbage collection.
        return
    if connection.connection is None:
        # The connection closed: its attachments went with it.
        for _owner, _alias, path in attached:
            path.unlink(missing_ok=True)
        attached.clear()
        return
    keep = []
    with connection.cursor() as cursor:
        for owner, alias, path in attached:
            if owner != id(connection.connection):
                # That connection was closed and replaced: its attachment went with it.
                path.unlink(missing_ok=True)
                continue
            try:
                cursor.execute(f"DETACH DATABASE {alias}")
            except Exception:  # e.g. "database … is locked" by a statement still running
                log.warning("Could not detach scratch file %s", path, exc_info=True)
                keep.append((owner, alias, path))
                continue
            path.unlink(missing_ok=True)
    attached[:] = keep


def _stage(frame: pl.DataFrame) -> str | None:
    """Write ``frame`` (database-ready columns) to a new scratch SQLite file as table ``stage`` and
    attach it; returns the schema alias, or None when the frame should take the executemany route."""
    if frame.height < STAGE_MIN_ROWS:
        return None
    try:
        import adbc_driver_sqlite.dbapi as adbc_sqlite
    except ImportError:  # the driver is a dependency; without it imports are only slower
        return None
    stage_cleanup()
    if len(_attached()) >= _STAGE_MAX_ATTACHED:
        return None
    # Columns polars knows no type for (all null) are stored as null integers.
    frame = frame.with_columns(pl.col(n).cast(pl.Int64) for n, t in frame.schema.items() if t == pl.Null)
    path = _stage_dir() / f"stage-{uuid.uuid4().hex}.sqlite3"
    try:
        with adbc_sqlite.connect(str(path), autocommit=True) as scratch, scratch.cursor() as cursor:
            # A scratch file: nothing to recover after a crash, so no journal and no fsync.
            cursor.execute("PRAGMA journal_mode = OFF")
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.adbc_ingest("stage", frame, mode="create")
    except Exception:
        log.warning("Scratch-file insert not available; falling back to executemany", exc_info=True)
        path.unlink(missing_ok=True)
        return None
    alias = f"stage_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f"ATTACH DATABASE %s AS {alias}", [str(path)])
    _attached().append((id(connection.connection), alias, path))
    # Detachable once the transaction is over; a rolled-back one is cleaned up by the next call.
    transaction.on_commit(stage_cleanup)
    return alias
