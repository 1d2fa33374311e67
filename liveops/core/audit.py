"""The audit log: every create, update and delete of business data, and named business events.

Services call ``audit_create``/``audit_update``/``audit_delete``/``audit_action`` inside their
transaction, so the log line commits or rolls back with the change it describes. ``model_update``
applies a dict of changes to an instance and logs exactly the fields that changed.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models.fields.files import FieldFile

from liveops.core import context
from liveops.core.models import AuditAction, AuditEntry

# Fields never copied into the log (secrets).
_SECRET_FIELDS = {"password", "key_hash"}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The concrete field values of ``instance`` as JSON-ready data (foreign keys as ids)."""
    out: dict[str, Any] = {}
    for f in instance._meta.concrete_fields:
        if fields is not None and f.name not in fields:
            continue
        if f.name in _SECRET_FIELDS:
            continue
        out[f.name] = _jsonable(getattr(instance, f.attname))
    return out


def object_type(instance_or_model) -> str:
    meta = instance_or_model._meta
    return f"{meta.app_label}.{meta.model_name}"


def _actor_fields(actor) -> dict[str, Any]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor": None, "actor_label": "system" if actor is None else "anonymous"}
    return {"actor": actor, "actor_label": actor.get_username()}


def audit_log(
    *,
    actor,
    action: str,
    instance: models.Model | None = None,
    changes: dict | None = None,
    verb: str = "",
    object_type_label: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditEntry:
    """Write one audit line. Low level: prefer the helpers below."""
    ctx = context.current()
    return AuditEntry.objects.create(
        **_actor_fields(actor),
        action=action,
        verb=verb,
        object_type=object_type(instance) if instance is not None else object_type_label,
        object_id=str(instance.pk) if instance is not None else object_id,
        object_repr=(str(instance) if instance is not None else object_repr)[:200],
        changes=changes or {},
        request_id=ctx.request_id,
        ip_address=ctx.ip_address,
    )


def audit_create(*, actor, instance: models.Model) -> AuditEntry:
    return audit_log(
        actor=actor, action=AuditAction.CREATE, instance=instance, changes={"after": snapshot(instance)}
    )


def audit_delete(*, actor, instance: models.Model, before: dict | None = None) -> AuditEntry:
    return audit_log(
        actor=actor,
        action=AuditAction.DELETE,
        instance=instance,
        changes={"before": before or snapshot(instance)},
    )


def audit_update(*, actor, instance: models.Model, before: dict, after: dict) -> AuditEntry | None:
    """Log an update with only the fields whose values differ; nothing is logged when nothing changed."""
    changed = {k for k in after if before.get(k) != after.get(k)}
    if not changed:
        return None
    return audit_log(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=instance,
        changes={
            "before": {k: before.get(k) for k in sorted(changed)},
            "after": {k: after[k] for k in sorted(changed)},
        },
    )


def audit_action(*, actor, instance: models.Model, verb: str, details: dict | None = None) -> AuditEntry:
    """A named business event (approve, reject, sign, publish…)."""
    return audit_log(
        actor=actor, action=AuditAction.ACTION, instance=instance, verb=verb, changes=details or {}
    )


def model_update(*, actor, instance: models.Model, data: dict[str, Any]) -> tuple[models.Model, bool]:
    """Set ``data`` on ``instance``, validate, save only changed fields and log them.
    Returns the instance and whether anything changed. Call inside ``transaction.atomic``."""
    fields = [k for k in data]
    before = snapshot(instance, fields)
    # Changes are judged on the Python values, not their text: 15:00+08:00 is 07:00 UTC, and a
    # form's Decimal("99") is the stored Decimal("99.00"). A form saved unchanged changes nothing.
    values_before = {k: getattr(instance, instance._meta.get_field(k).attname) for k in fields}
    for key, value in data.items():
        setattr(instance, key, value)
    changed = [
        k for k in fields if getattr(instance, instance._meta.get_field(k).attname) != values_before[k]
    ]
    if not changed:
        return instance, False
    after = snapshot(instance, changed)
    instance.full_clean()
    instance.save(update_fields=[instance._meta.get_field(k).name for k in changed])
    audit_update(actor=actor, instance=instance, before={k: before.get(k) for k in changed}, after=after)
    return instance, True


def model_create(*, actor, model: type[models.Model], **data: Any) -> models.Model:
    """Create, validate and log a new row. Call inside ``transaction.atomic``."""
    instance = model(**data)
    instance.full_clean()
    instance.save()
    audit_create(actor=actor, instance=instance)
    return instance
