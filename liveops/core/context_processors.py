"""Navigation that follows the org chart: centre → department → its tools."""

from __future__ import annotations

from liveops.core.navigation import navigation_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav": navigation_for(request)}
