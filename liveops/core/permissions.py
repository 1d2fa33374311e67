"""View-level permission declarations. Every URL must carry one: ``capability_required`` or
``public_view`` (tested by walking the URL conf). Deny by default."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from liveops.core.access import access_for


def capability_required(*capabilities: str):
    """Allow signed-in users holding any of ``capabilities``; others get the login page or 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            access = access_for(request.user)
            if not any(access.can(c) for c in capabilities):
                raise PermissionDenied
            request.access = access
            return view(request, *args, **kwargs)

        wrapped.liveops_capabilities = capabilities
        return wrapped

    return decorator


def login_only(view):
    """For pages every signed-in user may open (home, own preferences). Data on them is still scoped."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        request.access = access_for(request.user)
        return view(request, *args, **kwargs)

    wrapped.liveops_capabilities = ("authenticated",)
    return wrapped


def public_view(view):
    """Mark a view as deliberately open to anonymous users (login page, health check)."""
    view.liveops_public = True
    return view
