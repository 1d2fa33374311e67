"""Template filters of the marketing pages: money in fen shown as CNY, percentages, ROI."""

from __future__ import annotations

from decimal import Decimal

from django import template

from liveops.commerce.selectors.marketing import fen_to_cny

register = template.Library()


@register.filter
def cny(fen) -> str:
    """Whole fen as CNY with thousands separators: 123456 → ``1,234.56``; empty → ``–``."""
    if fen is None or fen == "":
        return "–"
    try:
        value = fen_to_cny(int(fen))
    except (TypeError, ValueError):
        return "–"
    return f"{value:,.2f}"


@register.filter
def pct(value) -> str:
    """A percentage (Decimal in percent points) as ``12.34%``; ``None`` → ``–``."""
    if value is None or value == "":
        return "–"
    return f"{Decimal(value):.2f}%"


@register.filter
def roi_text(value) -> str:
    """An ROI as ``3.25``; ``None`` (nothing spent) → ``–``."""
    if value is None:
        return "–"
    return f"{Decimal(value):.2f}"


@register.filter
def bar(value) -> int:
    """A percentage clamped to 0…100 for a progress bar's width."""
    try:
        return max(0, min(100, int(Decimal(value or 0))))
    except (TypeError, ValueError, ArithmeticError):
        return 0
