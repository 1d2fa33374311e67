"""Per-request context (request id, client IP) that the audit log reads without passing the request
through every service call."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip_address: str | None = None


_EMPTY = RequestContext()
# The default is a frozen (immutable) dataclass, so sharing it is safe.
_current: contextvars.ContextVar[RequestContext] = contextvars.ContextVar("liveops_request", default=_EMPTY)  # noqa: B039


def current() -> RequestContext:
    return _current.get()


def set_current(ctx: RequestContext) -> contextvars.Token:
    return _current.set(ctx)


def reset(token: contextvars.Token) -> None:
    _current.reset(token)
