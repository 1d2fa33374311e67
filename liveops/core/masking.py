"""Masking of personal data (phones, ID numbers, addresses) on the server. Callers decide whether the
actor may see the clear value (capability ``<module>.view_personal`` in scope); by default it is masked.
The audit trail keeps only keyed digests of personal fields (``personal_scrub``, below)."""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import re
from typing import Any

# Platform-encrypted values (抖店 `##…`, `$$…`) are already opaque: keep them as they are.
_PLATFORM_ENCRYPTED = re.compile(r"^(##|\$\$)")


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    if _PLATFORM_ENCRYPTED.match(value):
        return value
    v = value.strip()
    if len(v) >= 8:
        return v[:3] + "*" * (len(v) - 7) + v[-4:]
    return "*" * max(0, len(v) - 2) + v[-2:]


def mask_id_number(value: str | None) -> str:
    if not value:
        return ""
    if _PLATFORM_ENCRYPTED.match(value):
        return value
    v = value.strip()
    if len(v) <= 8:
        return "*" * len(v)
    return v[:4] + "*" * (len(v) - 8) + v[-4:]


def mask_address(value: str | None) -> str:
    """Keep the first 6 characters (province and city, enough for logistics questions), hide the rest."""
    if not value:
        return ""
    if _PLATFORM_ENCRYPTED.match(value):
        return value
    v = value.strip()
    return v[:6] + "****" if len(v) > 6 else v[:2] + "****"


MASKERS = {"phone": mask_phone, "id_number": mask_id_number, "address": mask_address}


# Personal fields in the audit trail ---------------------------------------------------------------
#
# The audit log is read by more people than the records it describes (the auditor, IT, every
# viewer of a record's history), and it is append-only: a clear phone number written there could
# never be taken back. So the audit trail never holds a personal value, only a keyed digest of it:
# enough to tell that the value changed, and whether two entries hold the same value, without
# saying what it is. A model declares its personal fields once, as ``PERSONAL_FIELDS`` (the same
# tuple its pages and serializers mask); ``personal_scrub`` applies it to every audit line at
# write time (``AuditEntry.save`` and ``AuditEntry.objects.bulk_create``), so no service, importer
# or bulk writer can forget it.

DIGEST_KEY = "personal_digest"
# The HMAC key's derivation label: bump with a data migration if the digest ever changes.
_DIGEST_LABEL = "liveops-audit-personal-v1:"
_DIGEST_HEX = 16  # 64 bits: plenty to tell values of one record apart, too short to be a lookup table


@functools.lru_cache(maxsize=4)
def _digest_key(secret: str) -> bytes:
    return hashlib.sha256((_DIGEST_LABEL + secret).encode()).digest()


def personal_digest_text(value: str, *, secret: str) -> str:
    """The hex digest of one clear value (HMAC-SHA256 under a key derived from ``secret``)."""
    return hmac.new(_digest_key(secret), value.encode(), hashlib.sha256).hexdigest()[:_DIGEST_HEX]


def _secret() -> str:
    from django.conf import settings

    return getattr(settings, "LIVEOPS_DATA_KEY", "") or settings.SECRET_KEY


def is_personal_digest(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and isinstance(value.get(DIGEST_KEY), str)


def personal_digest(value: Any) -> Any:
    """What the audit trail keeps of a personal value: ``{"personal_digest": "<16 hex>"}``. Empty
    values (``None``, ``""``) are kept as they are (that a field was empty says nothing about the
    person), and a digest stays as it is, so applying this twice changes nothing."""
    if value is None or value == "" or is_personal_digest(value):
        return value
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return {DIGEST_KEY: personal_digest_text(text, secret=_secret())}


@functools.cache
def personal_fields(object_type: str) -> frozenset[str]:
    """The personal fields of the model named ``"app_label.model_name"`` (its ``PERSONAL_FIELDS``);
    empty for unknown types. Read through the app registry, so core names no domain model."""
    from django.apps import apps

    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return frozenset()
    return frozenset(getattr(model, "PERSONAL_FIELDS", ()))


def personal_scrub(object_type: str, changes: Any) -> Any:
    """``changes`` of an audit line with every personal field of ``object_type`` replaced by its
    digest: in ``before``/``after`` and at the top level (details of named events). Returns the
    same object when there is nothing to replace."""
    fields = personal_fields(object_type) if object_type else frozenset()
    if not fields or not isinstance(changes, dict) or not changes:
        return changes
    out = dict(changes)
    for key, value in changes.items():
        if key in fields:
            out[key] = personal_digest(value)
        elif key in ("before", "after") and isinstance(value, dict) and fields.intersection(value):
            out[key] = {k: personal_digest(v) if k in fields else v for k, v in value.items()}
    return out
