"""Live metrics as Compass defines them (../shared/formats/live-metrics.md). Unknown stays unknown:
every function returns None when an input is missing, never 0."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def gpm(gmv: Decimal | None, watch_cnt: int | None) -> Decimal | None:
    """千次观看成交金额: GMV × 1000 ÷ views (entries, not viewers), rounded to cents."""
    if gmv is None or not watch_cnt:
        return None
    return (Decimal(gmv) * 1000 / Decimal(watch_cnt)).quantize(CENT, rounding=ROUND_HALF_UP)


def uv_value(gmv: Decimal | None, watch_ucnt: int | None) -> Decimal | None:
    """UV价值 (a third-party term): GMV ÷ viewers, rounded to cents."""
    if gmv is None or not watch_ucnt:
        return None
    return (Decimal(gmv) / Decimal(watch_ucnt)).quantize(CENT, rounding=ROUND_HALF_UP)


def rate(numerator: int | Decimal | None, denominator: int | Decimal | None) -> Decimal | None:
    """A rate as a fraction to 4 places; None when either side is unknown or the base is 0."""
    if numerator is None or not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
