"""The company directory as ``core`` sees it: departments, where a user sits, duties, positions.

``core`` sits below every domain app and imports none of them. The org app owns departments,
positions, staff and duties; it registers an implementation of :class:`Directory` when Django starts
(``OrgConfig.ready``), and core's access resolution, navigation, duty coverage, role page and home page
ask through this interface. A test or another deployment can register its own directory the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Placement:
    """Where an active member of staff sits: the department that anchors their grants and the
    positions whose role grants they inherit."""

    department_id: int | None
    position_ids: tuple[int, ...]


class Directory(Protocol):
    """What core needs to know about the organisation. Every method is a read."""

    def department_subtree_ids(self, department_id: int) -> set[int]:
        """The department and every unit below it."""

    def placement_for(self, user_id: int) -> Placement | None:
        """The active staff record of this user, or None for a user who is not staff."""

    def units(self) -> list[dict[str, Any]]:
        """Active org units in display order: id, code, kind, name_zh, name_en, parent_id."""

    def duties(self) -> list[dict[str, Any]]:
        """Every duty in template order: code, title, department_code, department_name, provides_en."""

    def positions(self) -> Any:
        """Positions a role may be granted to (a queryset ordered for a pick list)."""

    def position_get(self, position_id: Any) -> Any:
        """One position, or None for an unknown or malformed ID."""

    def home_panels(self, *, request) -> dict[str, Any]:
        """The organisation's part of the home page's context (counts, the user's action items)."""


_directory: Directory | None = None


def directory_register(provider: Directory) -> None:
    """Install the directory (the org app does this in its ``ready``)."""
    global _directory
    _directory = provider


def directory() -> Directory:
    """The registered directory; a missing one is a configuration error, not an empty company."""
    if _directory is None:
        raise ImproperlyConfigured("No company directory registered: is liveops.org in INSTALLED_APPS?")
    return _directory
