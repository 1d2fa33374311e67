"""Helpers shared by the live services."""

from __future__ import annotations

from django.utils.translation import gettext as _

from liveops.core.access import access_for
from liveops.core.errors import NotAllowed


def require(actor, capability: str, department_id: int | None) -> None:
    """Refuse unless ``actor`` holds ``capability`` over ``department_id``."""
    if actor is None:  # the system itself (command line, trusted code)
        return
    if not access_for(actor).reaches_department(capability, department_id):
        raise NotAllowed(_("You are not allowed to do this."))
