"""Filters of the dashboard and order pages: money in fen shown as yuan, ratios as percentages."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def fen(value) -> str:
    """12345678 → ``123,456.78`` (yuan, two decimals, thousands separated); ``–`` for none."""
    if value is None or value == "":
        return "–"
    amount = Decimal(int(value)) / 100
    return f"{amount:,.2f}"


@register.filter
def pct(value, digits: int = 1) -> str:
    """0.1234 → ``12.3%``; ``–`` for none (nothing to divide by)."""
    if value is None or value == "":
        return "–"
    return f"{float(value) * 100:.{int(digits)}f}%"


@register.filter
def can(request, capability: str) -> bool:
    """Whether the signed-in user holds ``capability`` (for links to pages of other modules)."""
    access = getattr(request, "access", None)
    if access is None:
        from liveops.core.access import access_for

        access = access_for(getattr(request, "user", None))
    return access.can(capability)
