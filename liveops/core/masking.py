"""Masking of personal data (phones, ID numbers, addresses) on the server. Callers decide whether the
actor may see the clear value (capability ``<module>.view_personal`` in scope); by default it is masked."""

from __future__ import annotations

import re

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
