"""Pinyin for search: full pinyin and initials of Chinese names (``张伟`` → ``zhangwei``, ``zw``)."""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin


def pinyin_full(text: str) -> str:
    return "".join(lazy_pinyin(text or "", errors="default")).lower().replace(" ", "")


def pinyin_initials(text: str) -> str:
    return (
        "".join(p[:1] for p in lazy_pinyin(text or "", style=Style.FIRST_LETTER, errors="default"))
        .lower()
        .replace(" ", "")
    )
