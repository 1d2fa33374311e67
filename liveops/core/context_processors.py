"""Navigation that follows the org chart: centre → department → its tools."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from liveops.core.navigation import navigation_for


def navigation(request):
    """The menu, built only when a page renders it: base.html caches the rendered sidebar per user
    and language for a minute, so most requests never build it (it is only a menu: every view still
    checks permissions itself)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav": SimpleLazyObject(lambda: navigation_for(request))}
