"""Reads that may go to a replica: the database router and the pages marked for it.

When ``LIVEOPS_REPLICA_URL`` is set, settings add a ``replica`` database alias (a streaming replica of
the primary). Only reads made while a page *marked* heavy and read-only is answered go there:

- a view marked with ``@replica_reads``, or whose URL name is in ``REPLICA_URL_NAMES`` (the
  dashboards, reports and the slowest lists of the scale walk, named here so the view modules need
  no change), runs with the replica allowed (a context variable set by ``ReplicaReadsMiddleware``);
- every write, every read inside a transaction, and every read of an unmarked page use the primary;
- read-your-writes: a request that changes something (POST, PUT, PATCH, DELETE) sets a short-lived
  signed cookie; while it lasts (``LIVEOPS_READ_YOUR_WRITES_SECONDS``, default 30 s — longer than the
  replica's usual lag) that browser reads from the primary, so a user sees what they just wrote.
  Within one request, a page that writes reads the primary from then on.

Without the setting there is no ``replica`` alias and the router always answers the primary.
"""

from __future__ import annotations

import contextvars
import time

from django.conf import settings
from django.db import connections

REPLICA = "replica"
PRIMARY = "default"
WROTE_COOKIE = "lo_wrote"
_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# The heavy read-only pages (URL names): dashboards and figures, sales and performance reports,
# market intelligence, scorecards, and the largest lists (orders, after-sales, anchors).
REPLICA_URL_NAMES = frozenset(
    {
        "commerce-dashboard",
        "commerce-shop-dashboard",
        "commerce-anchor-list",
        "commerce-anchor-detail",
        "commerce-product-sales",
        "commerce-product-performance",
        "commerce-order-list",
        "commerce-aftersales",
        "market-dashboard",
        "quality-scorecards",
        "selection-report",
        "api-commerce-shop-daily",
        "api-commerce-figures",
        "api-commerce-breakdown",
        "api-commerce-anchor-sales",
        "api-commerce-product-sales",
        "api-commerce-product-performance",
        "api-commerce-orders",
        "api-market-summary",
        "api-quality-scorecards",
    }
)

_replica_allowed: contextvars.ContextVar[bool] = contextvars.ContextVar("liveops_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


class ReplicaRouter:
    """Reads go to the replica only while a marked page allows it and no transaction is open on the
    primary; writes always go to the primary. Migrations run on the primary only."""

    def db_for_read(self, model, **hints):
        if not _replica_allowed.get() or not replica_configured():
            return PRIMARY
        if connections[PRIMARY].in_atomic_block:
            # Inside a transaction the primary's view is the one that counts.
            return PRIMARY
        return REPLICA

    def db_for_write(self, model, **hints):
        # From the first write on, this request reads what it wrote.
        if _replica_allowed.get():
            _replica_allowed.set(False)
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary.
        return {obj1._state.db or PRIMARY, obj2._state.db or PRIMARY} <= {PRIMARY, REPLICA} or None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db == REPLICA else None


class replica_allowed:  # noqa: N801 - used as a context manager like ``transaction.atomic``
    """Allow (or forbid) replica reads in a block: ``with replica_allowed(): ...``."""

    def __init__(self, allowed: bool = True):
        self.allowed = allowed
        self._token = None

    def __enter__(self):
        self._token = _replica_allowed.set(self.allowed)
        return self

    def __exit__(self, *exc):
        _replica_allowed.reset(self._token)
        return False


def replica_reads(view):
    """Mark a view as heavy and read-only: its reads may go to the replica (see the module doc)."""
    view.replica_reads = True
    return view


def wrote_recently(request) -> bool:
    """True while the read-your-writes cookie of this browser is valid."""
    seconds = int(getattr(settings, "LIVEOPS_READ_YOUR_WRITES_SECONDS", 30))
    value = request.get_signed_cookie(WROTE_COOKIE, default=None, salt=WROTE_COOKIE, max_age=seconds)
    return value is not None


class ReplicaReadsMiddleware:
    """Lets marked pages read from the replica, and keeps a browser that just wrote on the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_configured():
            # No replica: nothing to decide, and no cookie.
            return self.get_response(request)
        token = _replica_allowed.set(False)
        try:
            response = self.get_response(request)
        finally:
            _replica_allowed.reset(token)
        if request.method in _WRITE_METHODS and response.status_code < 400:
            seconds = int(getattr(settings, "LIVEOPS_READ_YOUR_WRITES_SECONDS", 30))
            response.set_signed_cookie(
                WROTE_COOKIE,
                str(int(time.time())),
                salt=WROTE_COOKIE,
                max_age=seconds,
                httponly=True,
                samesite="Lax",
                secure=getattr(settings, "SESSION_COOKIE_SECURE", False),
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not replica_configured():
            return None
        match = getattr(request, "resolver_match", None)
        marked = getattr(view_func, "replica_reads", False) or (
            match is not None and match.url_name in REPLICA_URL_NAMES
        )
        if marked and request.method in ("GET", "HEAD") and not wrote_recently(request):
            _replica_allowed.set(True)
        return None
