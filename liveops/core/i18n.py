"""Helpers for bilingual (zh-Hans / English) model fields."""

from __future__ import annotations

from django.utils.translation import get_language


def is_chinese() -> bool:
    return (get_language() or "zh-hans").lower().startswith("zh")


def pick(zh: str, en: str) -> str:
    """The text in the active language, falling back to the other one when empty."""
    if is_chinese():
        return zh or en
    return en or zh
