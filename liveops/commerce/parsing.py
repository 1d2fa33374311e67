"""Polars expressions that read platform export cells: money as whole fen, quantities, times.

All are vectorised (no Python per row) and return null for a value they cannot read, so importers
can reject the row with its line number and a reason instead of guessing. The quirks handled are the
real ones of platform exports: ``-`` for empty (already null here), thousands separators, a ``元``
or ``¥`` around amounts, ``2016/5/23 22:02`` as well as ``2026-01-03 09:33:16`` for times."""

from __future__ import annotations

import polars as pl

SHANGHAI = "Asia/Shanghai"
# 18 digits of fen fit a 64-bit integer with room to add a million of them.
_MONEY_RE = r"^-?\d{1,13}(\.\d{1,2})?$"
_QTY_RE = r"^\d{1,9}$"
_DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d",
    "%Y/%m/%d",
)


def money_text(col: str | pl.Expr) -> pl.Expr:
    """The cell without what people wrap amounts in: spaces, thousands separators, ¥/￥, 元, '+'."""
    e = pl.col(col) if isinstance(col, str) else col
    return (
        e.str.replace_all(r"[,\s，]", "")
        .str.strip_prefix("¥")
        .str.strip_prefix("￥")
        .str.strip_suffix("元")
        .str.strip_prefix("+")
    )


def money_fen(col: str | pl.Expr) -> pl.Expr:
    """A money cell as whole fen (Int64), exact: ``"1,234.5元"`` → 123450. Null when empty or unreadable
    (check with :func:`money_bad`). A value written with more than two decimals (``12.345``) is
    unreadable rather than rounded: money is never guessed."""
    text = money_text(col)
    negative = text.str.starts_with("-")
    digits = text.str.strip_prefix("-")
    parts = digits.str.split_exact(".", 1)
    fen = parts.struct.field("field_0").cast(pl.Int64, strict=False) * 100 + parts.struct.field(
        "field_1"
    ).str.pad_end(2, "0").cast(pl.Int64, strict=False).fill_null(0)
    return pl.when(text.str.contains(_MONEY_RE)).then(pl.when(negative).then(-fen).otherwise(fen))


def money_bad(col: str) -> pl.Expr:
    """True where a money cell holds something that is not an amount."""
    return pl.col(col).is_not_null() & money_fen(col).is_null()


def quantity(col: str) -> pl.Expr:
    """A whole number ≥ 0 (``"1,200"`` accepted; ``"1.0"`` from spreadsheets too). Null otherwise."""
    text = pl.col(col).str.replace_all(r"[,\s]", "").str.replace(r"\.0+$", "")
    return pl.when(text.str.contains(_QTY_RE)).then(text.cast(pl.Int64, strict=False))


def local_datetime(col: str) -> pl.Expr:
    """A local (Asia/Shanghai) date-time cell as an aware UTC datetime; null when empty or impossible
    (``2026-02-30``)."""
    text = pl.col(col).str.replace("T", " ").str.replace(r"\.\d+$", "")
    parsed = pl.coalesce([text.str.strptime(pl.Datetime("us"), fmt, strict=False) for fmt in _DATETIME_FORMATS])
    return parsed.dt.replace_time_zone(SHANGHAI, ambiguous="earliest", non_existent="null").dt.convert_time_zone(
        "UTC"
    )


def datetime_bad(col: str) -> pl.Expr:
    return pl.col(col).is_not_null() & local_datetime(col).is_null()


def local_day(expr: pl.Expr) -> pl.Expr:
    """The Asia/Shanghai calendar day of an aware datetime expression."""
    return expr.dt.convert_time_zone(SHANGHAI).dt.date()


def local_hour(expr: pl.Expr) -> pl.Expr:
    return expr.dt.convert_time_zone(SHANGHAI).dt.hour()
