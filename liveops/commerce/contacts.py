"""Buyer contact data (name, phone, address): masked for display, sealed for the few who may see it.

The clear values are sealed with AES-GCM (``cryptography``) under a key derived from
``LIVEOPS_DATA_KEY`` (default: the Django secret key), one JSON blob per order, so a copy of the
database alone does not reveal them. Values the platform already encrypted (抖店 ``##…``/``$$…``)
are kept as they are: nobody here can read them, and they are shown as "encrypted by the platform".

``buyer_key`` is a keyed BLAKE2b digest of the phone (or name + address when there is no phone): it
counts distinct buyers without storing who they are."""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import os

import polars as pl
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

_PLATFORM_ENCRYPTED_RE = r"^(##|\$\$)"
_VERSION = b"\x01"


@functools.cache
def _key() -> bytes:
    secret = getattr(settings, "LIVEOPS_DATA_KEY", "") or settings.SECRET_KEY
    return hashlib.sha256(("liveops-contact-v1:" + secret).encode()).digest()


@functools.cache
def _aead() -> AESGCM:
    return AESGCM(_key())


def _seal_text(aead: AESGCM, nonce: bytes, text: str) -> str:
    """The sealed blob of a contact JSON text: version byte, 12-byte nonce, AES-GCM data, in base64."""
    return base64.b64encode(_VERSION + nonce + aead.encrypt(nonce, text.encode(), b"contact")).decode()


def contact_seal(values: dict[str, str]) -> str:
    """Seal a dict of clear contact values; ``""`` when there is nothing to seal."""
    values = {k: v for k, v in values.items() if v}
    if not values:
        return ""
    return _seal_text(_aead(), os.urandom(12), json.dumps(values, ensure_ascii=False))


def contacts_seal_column(frame: pl.DataFrame, *, name: str, phone: str, address: str) -> pl.Series:
    """``contact_seal`` for every row of ``frame``, as a column: ``""`` where no value is in clear
    (all empty or platform-encrypted). The JSON is built by polars and only the rows that need it are
    encrypted in Python, which keeps a million-line import from spending seconds here."""
    cols = {"name": name, "phone": phone, "address": address}
    clear = [
        pl.col(c).is_not_null() & (pl.col(c) != "") & ~pl.col(c).str.contains(_PLATFORM_ENCRYPTED_RE)
        for c in cols.values()
    ]
    needs = frame.select(pl.any_horizontal(clear).alias("needs")).get_column("needs")
    if not needs.any():
        return pl.Series("contact_sealed", [""] * frame.height, dtype=pl.String)
    plain = (
        frame.filter(needs)
        .select(pl.struct([pl.col(c).fill_null("").alias(k) for k, c in cols.items()]).struct.json_encode())
        .to_series()
        .to_list()
    )
    aead = _aead()
    nonces = os.urandom(12 * len(plain))
    sealed = [_seal_text(aead, nonces[12 * i : 12 * i + 12], text) for i, text in enumerate(plain)]
    out = pl.Series("contact_sealed", [""] * frame.height, dtype=pl.String)
    return out.scatter(needs.arg_true(), pl.Series(sealed, dtype=pl.String))


def contact_open(sealed: str) -> dict[str, str]:
    """The clear values of a sealed blob (callers check the permission and log the view); empty
    values are left out."""
    if not sealed:
        return {}
    raw = base64.b64decode(sealed)
    nonce, data = raw[1:13], raw[13:]
    return {k: v for k, v in json.loads(_aead().decrypt(nonce, data, b"contact")).items() if v}


def buyer_keys(identities: list[str | None]) -> list[str]:
    """Keyed digests (32 hex characters) of buyer identities; ``""`` for none."""
    key = _key()[:32]
    return [hashlib.blake2b(v.encode(), key=key, digest_size=16).hexdigest() if v else "" for v in identities]


def is_platform_encrypted(col: str) -> pl.Expr:
    return pl.col(col).fill_null("").str.contains(_PLATFORM_ENCRYPTED_RE)


def _stars(n: pl.Expr) -> pl.Expr:
    """``n`` asterisks (0 when ``n`` ≤ 0, at most 40)."""
    return pl.lit("*" * 40).str.slice(0, n.clip(lower_bound=0, upper_bound=40).cast(pl.UInt32))


def mask_name_expr(col: str) -> pl.Expr:
    """张三丰 → 张**; platform-encrypted values stay as they are."""
    v = pl.col(col).fill_null("")
    masked = (
        pl.when(v.str.len_chars() <= 1)
        .then(v)
        .otherwise(pl.concat_str([v.str.slice(0, 1), _stars(v.str.len_chars() - 1)]))
    )
    return pl.when(is_platform_encrypted(col)).then(v).otherwise(masked)


def mask_phone_expr(col: str) -> pl.Expr:
    """13812345678 → 138****5678 (the same rule as ``liveops.core.masking.mask_phone``)."""
    v = pl.col(col).fill_null("").str.strip_chars()
    n = v.str.len_chars()
    long = pl.concat_str([v.str.slice(0, 3), _stars(n - 7), v.str.slice(-4, 4)])
    short = pl.concat_str([_stars(n - 2), v.str.slice(-2, 2)])
    masked = pl.when(n == 0).then(pl.lit("")).when(n >= 8).then(long).otherwise(short)
    return pl.when(is_platform_encrypted(col)).then(v).otherwise(masked)


def mask_address_expr(col: str) -> pl.Expr:
    """Keep the first 6 characters (province and city), hide the rest."""
    v = pl.col(col).fill_null("").str.strip_chars()
    masked = (
        pl.when(v.str.len_chars() == 0)
        .then(pl.lit(""))
        .when(v.str.len_chars() > 6)
        .then(pl.concat_str([v.str.slice(0, 6), pl.lit("****")]))
        .otherwise(pl.concat_str([v.str.slice(0, 2), pl.lit("****")]))
    )
    return pl.when(is_platform_encrypted(col)).then(v).otherwise(masked)
