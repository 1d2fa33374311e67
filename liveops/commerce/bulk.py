"""Fast set-based reads and writes between polars frames and the database, for the order tables.

The ORM builds one Python object per row; at a million lines that alone would take longer than the
whole import may. These helpers move columns instead: ``executemany`` of plain tuples on SQLite,
``COPY`` on PostgreSQL, and key lookups with one parameter (a JSON array on SQLite, an array on
PostgreSQL) instead of thousands of placeholders. They run inside the caller's transaction."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence

import polars as pl
from django.db import connection

_SQLITE_DT = "%Y-%m-%d %H:%M:%S"


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def keys_in(column: str, keys: Sequence) -> tuple[str, list]:
    """SQL condition ``column`` is one of ``keys``, with its single parameter."""
    values = list(keys)
    if is_postgres():
        return f"{column} = ANY(%s)", [values]
    return f"{column} IN (SELECT value FROM json_each(%s))", [json.dumps(values, ensure_ascii=False)]


def fetch_frame(sql: str, params: Sequence, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Run a query and return its rows as a frame with ``schema`` (column order = SELECT order).
    Datetimes come back aware in UTC, whatever the backend hands over (naive UTC on SQLite)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return pl.DataFrame(schema=schema)
    columns = []
    for index, (name, dtype) in enumerate(schema.items()):
        values = [r[index] for r in rows]
        if isinstance(dtype, pl.Datetime):
            series = pl.Series(name, values, strict=False)
            if series.dtype == pl.String:
                series = series.str.slice(0, 19).str.strptime(pl.Datetime("us"), _SQLITE_DT, strict=False)
            if series.dtype == pl.Null:
                series = series.cast(pl.Datetime("us"))
            series = (
                series.dt.convert_time_zone("UTC")
                if getattr(series.dtype, "time_zone", None)
                else series.cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
            )
            columns.append(series.cast(dtype))
        elif dtype == pl.Date:
            series = pl.Series(name, values, strict=False)
            if series.dtype == pl.String:
                series = series.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)
            columns.append(series.cast(pl.Date))
        else:
            columns.append(pl.Series(name, values, dtype=dtype, strict=False))
    return pl.DataFrame(columns)


def ids_allocate(table: str, count: int) -> list[int]:
    """Reserve ``count`` new primary keys of ``table`` (inside the writing transaction), so rows can be
    inserted with their IDs known instead of being read back."""
    if count <= 0:
        return []
    with connection.cursor() as cursor:
        if is_postgres():
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [r[0] for r in cursor.fetchall()]
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
    if frame.height == 0:
        return 0
    frame = _db_ready(frame)
    cols = ", ".join(frame.columns)
    with connection.cursor() as cursor:
        if is_postgres():
            buf = io.BytesIO()
            frame.write_csv(buf, include_header=False, null_value="\\N", quote_style="necessary")
            raw = cursor.cursor
            with raw.copy(f"COPY {table} ({cols}) FROM STDIN (FORMAT csv, NULL '\\N')") as copy:
                copy.write(buf.getvalue())
        else:
            marks = ", ".join(["%s"] * frame.width)
            cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", frame.rows())
    return frame.height


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
        else:
            sets = ", ".join(f"{c} = %s" for c in others)
            cursor.executemany(
                f"UPDATE {table} SET {sets} WHERE {key} = %s", frame.select([*others, key]).rows()
            )
    return frame.height
