"""Template helpers shared by every module."""

from __future__ import annotations

from django import template

register = template.Library()

_MAX_FIELDS = 4
_MAX_VALUE = 40


def _short(value) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 1] + "…"


@register.filter
def audit_summary(changes: dict) -> str:
    """A one-line summary of an audit entry's changes: ``field: old → new`` for the first few fields.
    Cheaper to render than the whole JSON, and readable in a list."""
    if not isinstance(changes, dict) or not changes:
        return ""
    before, after = changes.get("before"), changes.get("after")
    if isinstance(before, dict) and isinstance(after, dict):
        keys = sorted(set(before) | set(after))
        parts = [f"{k}: {_short(before.get(k))} → {_short(after.get(k))}" for k in keys[:_MAX_FIELDS]]
    elif isinstance(after, dict):
        parts = [f"{k}={_short(v)}" for k, v in list(after.items())[:_MAX_FIELDS]]
        keys = list(after)
    elif isinstance(before, dict):
        parts = [f"{k}={_short(v)}" for k, v in list(before.items())[:_MAX_FIELDS]]
        keys = list(before)
    else:
        keys = list(changes)
        parts = [f"{k}={_short(v)}" for k, v in list(changes.items())[:_MAX_FIELDS]]
    more = len(keys) - _MAX_FIELDS
    return "; ".join(parts) + (f" (+{more})" if more > 0 else "")
