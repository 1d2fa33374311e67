"""Helpers of the live pages."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from liveops.live.services.sessions import week_start


def require(access, capability: str) -> None:
    if not access.can(capability):
        raise PermissionDenied


def parse_week(value: str | None) -> dt.date:
    """The Monday of the week named by ``value`` (any YYYY-MM-DD in it); this week otherwise."""
    try:
        day = dt.date.fromisoformat(str(value or "")[:10])
    except ValueError:
        day = timezone.localdate()
    if not (dt.date(2000, 1, 1) <= day <= dt.date(2100, 1, 1)):
        day = timezone.localdate()
    return week_start(day)
