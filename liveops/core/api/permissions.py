"""API permission: deny by default. A view declares ``capability`` (read) and optionally
``write_capability``; anything undeclared is refused."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from liveops.core.access import access_for


class HasCapability(BasePermission):
    def has_permission(self, request, view) -> bool:
        user = request.user
        if user is None or not user.is_authenticated:
            return False
        read_cap = getattr(view, "capability", None)
        cap = read_cap if request.method in SAFE_METHODS else getattr(view, "write_capability", None)
        if getattr(view, "action", None) and getattr(view, "action_capabilities", None):
            cap = view.action_capabilities.get(view.action, cap)
        if not cap:
            return False
        access = access_for(user)
        request.access = access
        return cap == "authenticated" or access.can(cap)
