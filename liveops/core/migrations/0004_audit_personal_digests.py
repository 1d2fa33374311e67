"""Replace personal values already stored in the audit log by keyed digests (issue 14).

From now on ``AuditEntry`` stores only digests of personal fields (``liveops.core.masking``); this
rewrites the lines written before, so the old history stops showing phones, ID numbers, addresses and
buyer contacts. The log is append-only at the database (migration 0002): the trigger is lifted for
this rewrite only and put back in the same transaction. The field list and the digest are frozen
here as they were when this migration was written (they must give the digests new lines get;
``tests/core/test_personal_data_history.py`` checks that)."""

from __future__ import annotations

import hashlib
import hmac
import json

from django.conf import settings
from django.db import migrations

PERSONAL_FIELDS = {
    "org.staff": ("phone", "id_number", "address"),
    "sourcing.merchantcontact": ("phone", "wechat"),
    "commerce.order": (
        "buyer_name_masked",
        "buyer_phone_masked",
        "buyer_address_masked",
        "buyer_key",
        "contact_sealed",
    ),
}
DIGEST_KEY = "personal_digest"
CHUNK = 2000

SQLITE_DROP = "DROP TRIGGER IF EXISTS core_auditentry_no_update;"
SQLITE_CREATE = """
CREATE TRIGGER IF NOT EXISTS core_auditentry_no_update BEFORE UPDATE ON core_auditentry
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
"""
PG_DISABLE = "ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_no_change;"
PG_ENABLE = "ALTER TABLE core_auditentry ENABLE TRIGGER core_auditentry_no_change;"


def _digest(value, key: bytes):
    if value is None or value == "":
        return value
    if isinstance(value, dict) and len(value) == 1 and isinstance(value.get(DIGEST_KEY), str):
        return value
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return {DIGEST_KEY: hmac.new(key, text.encode(), hashlib.sha256).hexdigest()[:16]}


def _scrub(changes, fields, key: bytes):
    if not isinstance(changes, dict):
        return changes
    out = dict(changes)
    for name, value in changes.items():
        if name in fields:
            out[name] = _digest(value, key)
        elif name in ("before", "after") and isinstance(value, dict):
            out[name] = {k: _digest(v, key) if k in fields else v for k, v in value.items()}
    return out


def _trigger(schema_editor, *, on: bool) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_CREATE if on else SQLITE_DROP)
    elif vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM pg_trigger WHERE tgname = 'core_auditentry_no_change' AND NOT tgisinternal"
            )
            if cursor.fetchone():
                schema_editor.execute(PG_ENABLE if on else PG_DISABLE)


def digest_personal_values(apps, schema_editor) -> None:
    AuditEntry = apps.get_model("core", "AuditEntry")
    secret = getattr(settings, "LIVEOPS_DATA_KEY", "") or settings.SECRET_KEY
    key = hashlib.sha256(("liveops-audit-personal-v1:" + secret).encode()).digest()
    rows = AuditEntry.objects.filter(object_type__in=list(PERSONAL_FIELDS))
    if not rows.exists():
        return
    _trigger(schema_editor, on=False)
    try:
        last = 0
        while True:
            # Keyset chunks on id: a big log is read a slice at a time, and only changed rows written,
            # a chunk per statement.
            chunk = list(rows.filter(id__gt=last).order_by("id").only("id", "object_type", "changes")[:CHUNK])
            if not chunk:
                break
            last = chunk[-1].pk
            changed = []
            for entry in chunk:
                scrubbed = _scrub(entry.changes, PERSONAL_FIELDS[entry.object_type], key)
                if scrubbed != entry.changes:
                    entry.changes = scrubbed
                    changed.append(entry)
            AuditEntry.objects.bulk_update(changed, ["changes"], batch_size=500)
    finally:
        _trigger(schema_editor, on=True)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_importrun_lock_liveness")]
    # Digests cannot be turned back into values: there is nothing to undo.
    operations = [migrations.RunPython(digest_personal_values, migrations.RunPython.noop, elidable=True)]
