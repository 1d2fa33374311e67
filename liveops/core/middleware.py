"""Request id and client IP for the audit log, the user's own language, and security headers."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.utils import translation

from liveops.core import context

_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",  # ECharts and Bootstrap set inline style attributes
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
)


class RequestIdMiddleware:
    """Give every request an id (or keep the caller's ``X-Request-ID``) and expose it to the audit log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = (
            incoming
            if incoming and len(incoming) <= 36 and incoming.replace("-", "").isalnum()
            else str(uuid.uuid4())
        )
        request.request_id = request_id
        ip = request.META.get("REMOTE_ADDR") or None
        token = context.set_current(context.RequestContext(request_id=request_id, ip_address=ip))
        try:
            response = self.get_response(request)
        finally:
            context.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RejectNulMiddleware:
    """Refuse query strings and form fields containing NUL bytes with a 400: no database stores them
    in text (PostgreSQL raises), and no real user types them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if "%00" in query or "\x00" in query:
            return HttpResponseBadRequest("NUL byte in query string")
        is_form = request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        )
        if is_form and any("\x00" in v for _k, vs in request.POST.lists() for v in vs):
            return HttpResponseBadRequest("NUL byte in form data")
        return self.get_response(request)


class UserLanguageMiddleware:
    """Activate the language saved in the signed-in user's preferences (overrides the browser's)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Pages: the user's saved preference, else the language cookie, else Chinese (the company's
        # working language; the browser's Accept-Language is not asked). The API follows Accept-Language.
        user = getattr(request, "user", None)
        lang = None
        if user is not None and user.is_authenticated:
            from liveops.core.models import UserPreference

            lang = UserPreference.objects.filter(user=user).values_list("language", flat=True).first()
        if lang is None and not request.path.startswith("/api/"):
            cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
            lang = cookie if cookie in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        if lang:
            translation.activate(lang)
            request.LANGUAGE_CODE = lang
        response = self.get_response(request)
        response.setdefault("Content-Language", translation.get_language() or "zh-hans")
        return response


class SecurityHeadersMiddleware:
    """Content Security Policy and permissions policy: everything from our own origin, nothing else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/api/docs"):
            response.setdefault("Content-Security-Policy", _CSP)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response
