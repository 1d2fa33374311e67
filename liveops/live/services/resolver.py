"""Order lines imported after a session's times are known find their session during the import
(``commerce.ingest.session_resolver_register``), by the same rule as ``session_attribute_lines``:
a line submitted in [actual start, actual end) of a session belongs to it when its anchor account is
one of the session's anchors' accounts, or, for a session whose anchors have no accounts, when it was
sold in the session account's shop. Columnar: one query for the sessions of the batch's time span,
then polars joins; no Python per line."""

from __future__ import annotations

import polars as pl

from liveops.live.models import LiveSession
from liveops.talent.models import AnchorProfile


def _epoch(col: str) -> pl.Expr:
    return pl.col(col).dt.epoch("us")


def session_resolve(probe: pl.DataFrame) -> pl.Series:
    """``probe``: (shop_id, anchor_account_id, submitted_at); returns ``session_id`` per row (or null)."""
    empty = pl.Series("session_id", [None] * probe.height, dtype=pl.Int64)
    times = probe.get_column("submitted_at").drop_nulls()
    if not probe.height or not times.len():
        return empty
    first, last = times.min(), times.max()
    sessions = list(
        LiveSession.objects.filter(
            actual_start__isnull=False, actual_end__isnull=False, actual_start__lte=last, actual_end__gt=first
        ).values_list("pk", "account__shop_id", "actual_start", "actual_end")
    )
    if not sessions:
        return empty
    ids = [s[0] for s in sessions]
    links = list(
        AnchorProfile.accounts.through.objects.filter(anchorprofile__live_sessions__in=ids).values_list(
            "anchorprofile__live_sessions", "anchoraccount_id"
        )
    )
    frame = pl.DataFrame(
        {
            "sid": ids,
            "shop": [s[1] for s in sessions],
            "start": [int(s[2].timestamp() * 1_000_000) for s in sessions],
            "end": [int(s[3].timestamp() * 1_000_000) for s in sessions],
        },
        schema={"sid": pl.Int64, "shop": pl.Int64, "start": pl.Int64, "end": pl.Int64},
    )
    by_account = pl.DataFrame(links, schema={"sid": pl.Int64, "acc": pl.Int64}, orient="row").join(
        frame, on="sid"
    )
    by_shop = frame.join(by_account.select("sid").unique(), on="sid", how="anti")
    lines = probe.with_row_index("__row").with_columns(_epoch("submitted_at").alias("__t"))
    hits = [
        lines.join(by_account, left_on="anchor_account_id", right_on="acc").filter(
            (pl.col("__t") >= pl.col("start")) & (pl.col("__t") < pl.col("end"))
        ),
        lines.join(by_shop, left_on="shop_id", right_on="shop").filter(
            (pl.col("__t") >= pl.col("start")) & (pl.col("__t") < pl.col("end"))
        ),
    ]
    found = (
        pl.concat([h.select("__row", "sid") for h in hits])
        .group_by("__row")
        .agg(pl.col("sid").min())  # overlapping sessions: the earliest-created one, deterministically
    )
    out = lines.select("__row").join(found, on="__row", how="left").sort("__row")
    return out.get_column("sid").cast(pl.Int64).alias("session_id")
