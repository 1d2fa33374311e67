"""Audit lines as readable tables (``core.history.entry_views``): for the history of a record and the
audit log page."""

from __future__ import annotations

from django import template

from liveops.core.history import entry_views

register = template.Library()


@register.simple_tag
def audit_entry_views(entries):
    """``{% audit_entry_views entries as views %}``: each line with its changes as rows."""
    return entry_views(entries)
