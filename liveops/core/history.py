"""Which objects' history a user may read, and how an audit line reads to a person.

Each app registers a check for its object types; the auditor (``core.audit_view``) reads every
history. ``entry_views`` turns audit lines into rows a person can read: the field's name in the
user's language, the value before and after (choices by their label, links by the linked record's
name, dates and times in local time), never a raw dict. Personal fields show only that they were
set or changed: the audit trail holds digests of them, not values (``core.masking.personal_scrub``),
and a personal field that somehow holds a value is hidden all the same."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from liveops.core.access import Access
from liveops.core.masking import is_personal_digest, personal_fields

_CHECKS: dict[str, Callable[[Access, object, str], bool]] = {}

_MAX_VALUE = 120  # characters of one value shown in a table cell
_MAX_LIST = 10  # items of a list shown before "…"
_MISSING = object()  # a key on one side only (a create has no "before")

# Keys that audit lines carry besides model fields (details of named events, import runs, exports).
_KEY_LABELS = {
    "import_run": gettext_lazy("import run"),
    "fields": gettext_lazy("fields"),
    "ids": gettext_lazy("records"),
    "unmasked_ids": gettext_lazy("records shown unmasked"),
    "format": gettext_lazy("format"),
    "reason": gettext_lazy("reason"),
    "note": gettext_lazy("note"),
    "count": gettext_lazy("count"),
    "shop": gettext_lazy("shop"),
}

# Named business events (``AuditEntry.verb``) by name; an unknown verb that is a value of the
# record's ``status`` field reads as that status, any other as it was written.
_VERB_LABELS = {
    "approve": pgettext_lazy("audit event", "Approved"),
    "submit": pgettext_lazy("audit event", "Submitted"),
    "reject": pgettext_lazy("audit event", "Rejected"),
    "pass": pgettext_lazy("audit event", "Passed"),
    "export": pgettext_lazy("audit event", "Exported"),
    "sign": pgettext_lazy("audit event", "Signed"),
    "revoke": pgettext_lazy("audit event", "Revoked"),
    "return": pgettext_lazy("audit event", "Returned"),
    "lose": pgettext_lazy("audit event", "Lost"),
    "close": pgettext_lazy("audit event", "Closed"),
    "block": pgettext_lazy("audit event", "Blocked"),
    "lift": pgettext_lazy("audit event", "Lifted"),
    "verify": pgettext_lazy("audit event", "Verified"),
    "review": pgettext_lazy("audit event", "Reviewed"),
    "revise": pgettext_lazy("audit event", "Revised"),
    "supersede": pgettext_lazy("audit event", "Superseded"),
    "moved": pgettext_lazy("audit event", "Moved"),
    "compute": pgettext_lazy("audit event", "Computed"),
    "categories": pgettext_lazy("audit event", "Categories changed"),
    "items": pgettext_lazy("audit event", "Checklist items changed"),
    "in_qc": pgettext_lazy("audit event", "Sent to QC"),
    "anchors_set": pgettext_lazy("audit event", "Anchors set"),
    "accounts_set": pgettext_lazy("audit event", "Accounts set"),
    "session_attributed": pgettext_lazy("audit event", "Attributed to a live session"),
    "attribution_applied": pgettext_lazy("audit event", "Attribution applied"),
    "aftersales_relink": pgettext_lazy("audit event", "After-sales relinked"),
    "budget_overspent": pgettext_lazy("audit event", "Budget overspent"),
    "lifecycle_recompute": pgettext_lazy("audit event", "Lifecycle recomputed"),
    "rollups_drift": pgettext_lazy("audit event", "Rollup drift found"),
    "import_run_reaped": pgettext_lazy("audit event", "Stuck import ended"),
    "import_orders": pgettext_lazy("audit event", "Orders imported"),
    "import_market_snapshots": pgettext_lazy("audit event", "Market data imported"),
    "import_compass_sessions": pgettext_lazy("audit event", "Live sessions imported"),
    "import_ad_spend": pgettext_lazy("audit event", "Ad spend imported"),
    "import_aftersales": pgettext_lazy("audit event", "After-sales imported"),
    "import_settlements": pgettext_lazy("audit event", "Settlements imported"),
}


def history_register(object_type: str, check: Callable[[Access, object, str], bool]) -> None:
    _CHECKS[object_type] = check


def can_view_object(*, access: Access, user, object_type: str, object_id: str) -> bool:
    if access.can("core.audit_view"):
        return True
    check = _CHECKS.get(object_type)
    return bool(check and check(access, user, object_id))


# Reading audit lines ------------------------------------------------------------------------------


@dataclass
class ChangeRow:
    """One field of an audit line: its label, and the value before and after, as display text."""

    label: str
    before: str = ""
    after: str = ""
    personal: bool = False


@dataclass
class EntryView:
    """An audit line with its changes as rows, and its object's type by name."""

    entry: Any
    object_label: str
    rows: list[ChangeRow] = field(default_factory=list)
    verb_label: str = ""


def _model_for(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _field(model, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        f = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return f if isinstance(f, models.Field) else None  # not a reverse relation


def _label(model, key: str) -> str:
    if not key:
        return _("Value")
    f = _field(model, key)
    if f is not None:
        text = str(f.verbose_name)
        return text[:1].upper() + text[1:]
    if key in _KEY_LABELS:
        return str(_KEY_LABELS[key])
    return key.replace("_", " ")


def _short(text: str) -> str:
    return text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 1] + "…"


def _plain(value: Any) -> str:
    """Any JSON value as short text: lists joined, objects as ``key: value`` pairs."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        items = [_plain(v) for v in value[:_MAX_LIST]]
        return ", ".join(items) + (" …" if len(value) > _MAX_LIST else "")
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_plain(v)}" for k, v in list(value.items())[:_MAX_LIST])
    return str(value)


class _Related:
    """The names of linked records, read once per model for all the lines shown (not per cell)."""

    def __init__(self) -> None:
        self.wanted: dict[type[models.Model], set] = {}
        self.names: dict[type[models.Model], dict] = {}

    def want(self, f: models.Field, value: Any) -> None:
        if f.is_relation and f.related_model is not None:
            values = value if isinstance(value, list) else [value]
            ids = {v for v in values if isinstance(v, int | str) and v != ""}
            self.wanted.setdefault(f.related_model, set()).update(ids)

    def load(self) -> None:
        for model, ids in self.wanted.items():
            try:
                objs = model._default_manager.in_bulk(list(ids)[:1000])
            except (ValueError, TypeError, ValidationError):
                objs = {}  # ids of another shape than the key (an old line): shown as ids
            self.names[model] = {str(k): str(v) for k, v in objs.items()}

    def name(self, f: models.Field, value: Any) -> str:
        names = self.names.get(f.related_model, {})
        return names.get(str(value), f"#{value}")


def _display(f: models.Field | None, value: Any, related: _Related) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if f is None:
        return _short(_plain(value))
    if f.is_relation and f.related_model is not None:
        values = value if isinstance(value, list) else [value]
        return _short(", ".join(related.name(f, v) for v in values[:_MAX_LIST]))
    if f.choices and not isinstance(value, list | dict):
        return _short(str(dict(f.flatchoices).get(value, value)))
    if isinstance(f, models.DateTimeField) and isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return _short(value)
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return moment.strftime("%Y-%m-%d %H:%M")
    if isinstance(f, models.JSONField) and isinstance(value, dict | list):
        return _short(_plain(value) if value else json.dumps(value))
    return _short(_plain(value))


def _personal_text(value: Any, *, side: str, action: str) -> str:
    """What a personal field shows: whether it was empty, set or changed, never its value."""
    if value is None or value == "":
        return "—"
    if side == "before":
        return _("(hidden: personal data)")
    return _("changed (personal data)") if action == "update" else _("recorded (personal data)")


def _rows(entry, model, related: _Related, *, collect: bool) -> list[ChangeRow]:
    """The rows of one line's changes. With ``collect``, only note which linked records to name."""
    changes = entry.changes if isinstance(entry.changes, dict) else {}
    personal = personal_fields(entry.object_type) if entry.object_type else frozenset()
    before, after = changes.get("before"), changes.get("after")
    pairs: list[tuple[str, Any, Any]] = []
    if isinstance(before, dict) or isinstance(after, dict):
        before = before if isinstance(before, dict) else {}
        after = after if isinstance(after, dict) else {}
        keys = list(dict.fromkeys([*before, *after]))
        pairs = [(k, before.get(k, _MISSING), after.get(k, _MISSING)) for k in keys]
        rest = {k: v for k, v in changes.items() if k not in ("before", "after")}
    elif "before" in changes or "after" in changes:
        # A named event's own before/after (a list of categories, of anchors…): one row.
        pairs = [("", changes.get("before", _MISSING), changes.get("after", _MISSING))]
        rest = {k: v for k, v in changes.items() if k not in ("before", "after")}
    else:
        rest = changes
    # Other keys (details of a named event, the import run) read as "key: value".
    pairs += [(k, _MISSING, v) for k, v in rest.items()]
    rows = []
    for key, old, new in pairs:
        f = _field(model, key)
        if f is not None and (f.primary_key or not f.editable):
            # Kept by the system (ids, search columns, fingerprints, seals, "updated at"): the API
            # has them; a person reading the history does not need them.
            continue
        if collect:
            if f is not None and key not in personal:
                for value in (old, new):
                    if value is not _MISSING:
                        related.want(f, value)
            continue
        if key in personal or is_personal_digest(old) or is_personal_digest(new):
            rows.append(
                ChangeRow(
                    label=_label(model, key),
                    before="" if old is _MISSING else _personal_text(old, side="before", action=entry.action),
                    after="" if new is _MISSING else _personal_text(new, side="after", action=entry.action),
                    personal=True,
                )
            )
            continue
        rows.append(
            ChangeRow(
                label=_label(model, key),
                before="" if old is _MISSING else _display(f, old, related),
                after="" if new is _MISSING else _display(f, new, related),
            )
        )
    return rows


def _verb_label(model, verb: str) -> str:
    if not verb:
        return ""
    if verb in _VERB_LABELS:
        return str(_VERB_LABELS[verb])
    status = _field(model, "status")
    if status is not None and status.choices:
        return str(dict(status.flatchoices).get(verb, verb))
    return verb


def entry_views(entries: Iterable) -> list[EntryView]:
    """Audit lines as readable rows (see the module's docstring). Linked records are named with one
    query per linked model for all the lines."""
    entries = list(entries)
    related = _Related()
    models_of = {e.object_type: _model_for(e.object_type) for e in entries if e.object_type}
    for e in entries:
        _rows(e, models_of.get(e.object_type), related, collect=True)
    related.load()
    out = []
    for e in entries:
        model = models_of.get(e.object_type)
        label = str(model._meta.verbose_name) if model is not None else e.object_type
        out.append(
            EntryView(
                entry=e,
                object_label=label,
                rows=_rows(e, model, related, collect=False),
                verb_label=_verb_label(model, e.verb),
            )
        )
    return out
