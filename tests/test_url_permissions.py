"""Deny by default: every routed view declares who may use it, and anonymous callers get nothing."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.views import APIView

from liveops.core.api.permissions import HasCapability

# drf-spectacular's schema and docs views: served to authenticated users through
# SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"], not through a capability.
SCHEMA_VIEWS = (SpectacularAPIView, SpectacularSwaggerView, SpectacularRedocView)


def walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


ROUTES = list(walk(get_resolver().url_patterns))


def view_class(callback):
    return getattr(callback, "cls", None) or getattr(callback, "view_class", None)


def is_public(callback) -> bool:
    return bool(getattr(callback, "liveops_public", False))


def sample_url(route: str) -> str:
    """A concrete URL for a route: ``<int:pk>`` → 1, any other parameter → EC."""
    route = route.replace("^", "").replace("$", "")

    def fill(m):
        return "1" if m.group(1) == "int" else "EC"

    return "/" + re.sub(r"<(?:(\w+):)?\w+>", fill, route)


def declaration_problem(callback) -> str | None:
    if getattr(callback, "liveops_capabilities", None) or is_public(callback):
        return None
    cls = view_class(callback)
    if cls is None:
        return "function view without capability_required/login_only/public_view"
    if issubclass(cls, SCHEMA_VIEWS):
        perms = [
            p if isinstance(p, str) else f"{p.__module__}.{p.__name__}"
            for p in settings.SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"]
        ]
        return (
            None
            if perms == ["rest_framework.permissions.IsAuthenticated"]
            else f"schema view served with {perms}"
        )
    if issubclass(cls, APIView):
        if not getattr(cls, "capability", None):
            return "API view without `capability`"
        if list(cls.permission_classes) != [HasCapability]:
            return f"API view with permission_classes {cls.permission_classes}"
        return None
    return "class-based view without a permission declaration"


def test_routes_found():
    names = {p.name for _, p in ROUTES}
    assert {"home", "org-chart", "staff-list", "api-staff", "audit", "api-schema"} <= names


def test_every_route_declares_its_permission():
    problems = [
        f"/{route} ({pattern.name}): {msg}"
        for route, pattern in ROUTES
        if (msg := declaration_problem(pattern.callback))
    ]
    assert problems == []


def test_declaration_check_catches_undeclared_views():
    def bare(request):
        return None

    class Bare(APIView):
        pass

    class Open(APIView):
        capability = "org.view"
        permission_classes = []

    assert declaration_problem(bare)
    assert declaration_problem(Bare.as_view())
    assert declaration_problem(Open.as_view())


PAGE_ROUTES = [(r, p) for r, p in ROUTES if not r.startswith("api/") and not is_public(p.callback)]
API_ROUTES = [(r, p) for r, p in ROUTES if r.startswith("api/")]


@pytest.mark.parametrize(("route", "pattern"), PAGE_ROUTES, ids=[r for r, _ in PAGE_ROUTES])
def test_anonymous_page_refused(client, org, route, pattern):
    response = client.get(sample_url(route))
    if response.status_code == 302:
        assert response["Location"].startswith(resolve_url(settings.LOGIN_URL) + "?next=")
    else:
        assert response.status_code in (401, 403), response.status_code


@pytest.mark.parametrize(("route", "pattern"), API_ROUTES, ids=[r for r, _ in API_ROUTES])
def test_anonymous_api_refused(client, org, route, pattern):
    for method in ("get", "post"):
        response = getattr(client, method)(sample_url(route))
        assert response.status_code in (401, 403), (method, response.status_code)
        if not route.startswith(("api/schema", "api/docs")):
            assert set(response.json()) == {"code", "message", "fields"}
