"""Whether a viewer may follow a link: pages show only links their viewer may open.

Every route declares its permission (``liveops.core.permissions``): the capabilities it needs, or
that any signed-in user (``authenticated``) or anyone (``liveops_public``) may open it. That
declaration answers "may this viewer open that address" without calling the view, so a page can
leave out (or show as plain text) a link that would answer 403. Object-level scopes (a record of
another department) are the selectors' business: lists only ever contain records the viewer may open.
"""

from __future__ import annotations

from django.urls import Resolver404, resolve

from liveops.core.access import Access


def may_open(*, access: Access, path: str) -> bool:
    """True when ``path`` resolves to a view whose declared permission this viewer has."""
    try:
        match = resolve(path.split("?", 1)[0])
    except Resolver404:
        return False
    view = match.func
    if getattr(view, "liveops_public", False):
        return True
    capabilities = getattr(view, "liveops_capabilities", None)
    if capabilities is None:
        # Class-based views and DRF keep the declaration on the class (``view_class``/``cls``).
        owner = getattr(view, "view_class", None) or getattr(view, "cls", None)
        capabilities = getattr(owner, "liveops_capabilities", None)
    if capabilities is None:
        return access.is_superuser  # an undeclared route is denied (a test keeps every route declared)
    if "authenticated" in capabilities:
        return access.user_id is not None
    return any(access.can(c) for c in capabilities)
