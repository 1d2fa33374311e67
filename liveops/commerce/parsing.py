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
    e = pl.col(col) if isinstance(col, str) else col
    # One regex pass removes what people wrap amounts in; the shape check gates an exact decimal cast.
    text = e.str.replace_all(r"[,\s，¥￥元+]", "")
    exact = (text.cast(pl.Decimal(18, 2), strict=False) * 100).cast(pl.Int64, strict=False)
    return pl.when(text.str.contains(_MONEY_RE)).then(exact)


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
    parsed = pl.coalesce(
        [text.str.strptime(pl.Datetime("us"), fmt, strict=False) for fmt in _DATETIME_FORMATS]
    )
    return parsed.dt.replace_time_zone(
        SHANGHAI, ambiguous="earliest", non_existent="null"
    ).dt.convert_time_zone("UTC")


def parse_datetimes(frame: pl.DataFrame, columns: list[str], *, prefix: str = "__t_") -> pl.DataFrame:
    """Add ``prefix + column`` (aware UTC datetimes) for each text column. A file writes its times in
    one format: the format of the first value is tried on the whole column (one parse), and only
    when some value does not fit it are all formats tried (``local_datetime``)."""
    exprs = []
    for name in columns:
        sample = frame.get_column(name).drop_nulls().head(1).to_list()
        fmt = next((f for f in _DATETIME_FORMATS if sample and _fits(sample[0], f)), None)
        if fmt is None:
            exprs.append(local_datetime(name).alias(prefix + name))
            continue
        text = pl.col(name).str.replace("T", " ").str.replace(r"\.\d+$", "")
        exprs.append(text.str.strptime(pl.Datetime("us"), fmt, strict=False).alias(prefix + name))
    out = frame.with_columns(exprs)
    # Rows the first format did not fit: every format (rare; usually no row at all).
    redo = [
        n
        for n in columns
        if out.select((pl.col(n).is_not_null() & pl.col(prefix + n).is_null()).any()).item()
        and out.schema[prefix + n].time_zone is None
    ]
    if redo:
        out = out.with_columns(pl.coalesce(pl.col(prefix + n), _naive(n)).alias(prefix + n) for n in redo)
    return out.with_columns(
        pl.col(prefix + n)
        .dt.replace_time_zone(SHANGHAI, ambiguous="earliest", non_existent="null")
        .dt.convert_time_zone("UTC")
        for n in columns
        if out.schema[prefix + n].time_zone is None
    )


def _naive(col: str) -> pl.Expr:
    text = pl.col(col).str.replace("T", " ").str.replace(r"\.\d+$", "")
    return pl.coalesce([text.str.strptime(pl.Datetime("us"), fmt, strict=False) for fmt in _DATETIME_FORMATS])


def _fits(value: str, fmt: str) -> bool:
    import datetime as dt

    try:
        dt.datetime.strptime(value.replace("T", " ").split(".")[0], fmt)
    except ValueError:
        return False
    return True


def datetime_bad(col: str) -> pl.Expr:
    return pl.col(col).is_not_null() & local_datetime(col).is_null()


def local_day(expr: pl.Expr) -> pl.Expr:
    """The Asia/Shanghai calendar day of an aware datetime expression."""
    return expr.dt.convert_time_zone(SHANGHAI).dt.date()


def local_hour(expr: pl.Expr) -> pl.Expr:
    return expr.dt.convert_time_zone(SHANGHAI).dt.hour()
