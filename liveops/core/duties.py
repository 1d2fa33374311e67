"""Duty coverage: views and API endpoints declare, next to their code, which duty IDs of the duty map
they serve. The coverage page walks the URL conf and collects those declarations, so a duty shows as
covered only when a routed page or endpoint really serves it."""

from __future__ import annotations

from dataclasses import dataclass


def serves(*duty_ids: str, feature: str = ""):
    """Decorator for function views (or class attribute ``duties`` on API views). ``feature`` is an
    English msgid marked with ``gettext_noop`` (``N_``); the coverage page translates it when shown."""

    def decorator(view):
        view.liveops_duties = tuple(duty_ids)
        view.liveops_feature = feature
        return view

    return decorator


@dataclass(frozen=True)
class Feature:
    duty_id: str
    kind: str  # page | api
    route: str
    url_name: str
    title: str


def _walk(patterns, prefix=""):
    from django.urls import URLPattern, URLResolver

    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def view_duties(callback) -> tuple[tuple[str, ...], str]:
    """Duty IDs and feature title declared by a view function, a class-based view or a DRF view."""
    duties = getattr(callback, "liveops_duties", None)
    feature = getattr(callback, "liveops_feature", "")
    cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if duties is None and cls is not None:
        duties = getattr(cls, "duties", None)
        feature = getattr(cls, "feature", "") or cls.__name__
    return tuple(duties or ()), str(feature)


def collect_features() -> list[Feature]:
    from django.urls import get_resolver

    features: list[Feature] = []
    seen: set[tuple[str, str]] = set()
    for route, pattern in _walk(get_resolver().url_patterns):
        duties, title = view_duties(pattern.callback)
        if not duties:
            continue
        kind = "api" if route.startswith("api/") else "page"
        clean = "/" + route.replace("^", "").replace("$", "").replace("\\", "")
        for duty in duties:
            key = (duty, pattern.name or clean)
            if key in seen:
                continue
            seen.add(key)
            features.append(
                Feature(duty_id=duty, kind=kind, route=clean, url_name=pattern.name or "", title=title)
            )
    return features
