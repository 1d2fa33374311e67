"""The catalogue of named capabilities. Each module declares its own with ``capability_register``;
roles are made of these names. A capability's ``kind`` says whether it changes data: a read-only
role (the auditor) may only hold ``view`` and ``export`` capabilities."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

READ_KINDS = frozenset({"view", "export"})


@dataclass(frozen=True)
class Capability:
    code: str
    label: str
    kind: str  # view | change | approve | export | personal | admin

    @property
    def module(self) -> str:
        return self.code.split(".", 1)[0]

    @property
    def is_read(self) -> bool:
        return self.kind in READ_KINDS


CAPABILITIES: dict[str, Capability] = {}


def capability_register(code: str, label, kind: str) -> Capability:
    cap = Capability(code=code, label=label, kind=kind)
    CAPABILITIES[code] = cap
    return cap


def capabilities_for_module(module: str) -> list[Capability]:
    return [c for c in CAPABILITIES.values() if c.module == module]


# Core capabilities. Each domain app registers its own in its ``capabilities.py``.
capability_register("core.audit_view", _("Read the audit log"), "view")
capability_register("core.jobs_view", _("See background jobs and imports"), "view")
capability_register("core.admin", _("Administer users, roles and settings"), "admin")
