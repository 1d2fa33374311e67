"""Which objects' history a user may read. Each app registers a check for its object types; the
auditor (``core.audit_view``) reads every history."""

from __future__ import annotations

from collections.abc import Callable

from liveops.core.access import Access

_CHECKS: dict[str, Callable[[Access, object, str], bool]] = {}


def history_register(object_type: str, check: Callable[[Access, object, str], bool]) -> None:
    _CHECKS[object_type] = check


def can_view_object(*, access: Access, user, object_type: str, object_id: str) -> bool:
    if access.can("core.audit_view"):
        return True
    check = _CHECKS.get(object_type)
    return bool(check and check(access, user, object_id))
