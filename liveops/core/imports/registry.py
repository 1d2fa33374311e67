"""The registry of import kinds. Each kind (staff, products, orders…) is a subclass of ``ImportKind``
registered with ``import_kind_register`` when its app is ready; the framework (readers, runner,
services, views, API, CLI) works with any of them.

A kind declares its target ``fields`` (with header aliases, Chinese included) and its
``natural_key``, and implements ``validate`` (vectorised polars checks that split a batch into valid
rows and rejects) and ``upsert`` (bulk writes that are idempotent on the natural key). One instance
is made per run, so a kind may keep lookup tables loaded in ``prepare`` on ``self``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import polars as pl
from django.db import models
from django.utils import timezone

from liveops.core import context
from liveops.core.access import Access, access_for
from liveops.core.audit import _actor_fields, object_type
from liveops.core.imports.readers import LINE, header_key
from liveops.core.models import AuditAction, AuditEntry, ImportRun

REJECT_SCHEMA = {"line": pl.Int64, "column": pl.String, "value": pl.String, "reason": pl.String}


@dataclass(frozen=True)
class Field:
    """One target field of an import kind. ``aliases`` are other headers people use for it
    (``工号``, ``Employee No.``); ``id_like`` values get spreadsheet wrappers (``="0012"``) removed."""

    name: str
    label: Any
    required: bool = False
    aliases: tuple[str, ...] = ()
    id_like: bool = False
    max_length: int | None = None

    def header_keys(self) -> list[str]:
        return [header_key(h) for h in (self.name, str(self.label), *self.aliases)]


@dataclass
class HeaderMatch:
    """How a file's headers map to a kind's fields."""

    headers: list[str]
    columns: dict[str, int] = field(default_factory=dict)  # field name → column index
    missing_required: list[Field] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.missing_required


def rejects_frame(rows: pl.DataFrame | None = None) -> pl.DataFrame:
    """An empty rejects frame, or ``rows`` cast to the rejects schema."""
    if rows is None:
        return pl.DataFrame(schema=REJECT_SCHEMA)
    return rows.select([pl.col(k).cast(v) for k, v in REJECT_SCHEMA.items()])


def reject_where(
    frame: pl.DataFrame, condition: pl.Expr, *, column: str, reason: str, value: pl.Expr | None = None
) -> pl.DataFrame:
    """Rejects for the rows of ``frame`` where ``condition`` holds, one line each (vectorised)."""
    hit = frame.filter(condition.fill_null(False))
    return rejects_frame(
        hit.select(
            pl.col(LINE).alias("line"),
            pl.lit(column).alias("column"),
            (value if value is not None else (pl.col(column) if column in frame.columns else pl.lit(None)))
            .cast(pl.String)
            .alias("value"),
            pl.lit(str(reason)).alias("reason"),
        )
    )


def split(frame: pl.DataFrame, rejects: Sequence[pl.DataFrame]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Combine rejects and drop their lines from ``frame``: the usual end of ``validate``."""
    all_rejects = pl.concat([rejects_frame(), *rejects]) if rejects else rejects_frame()
    bad = all_rejects.get_column("line").unique()
    return frame.filter(~pl.col(LINE).is_in(bad.implode())), all_rejects


class ImportKind:
    """Base class of import kinds. Subclasses set the class attributes and implement
    ``validate`` and ``upsert``; ``prepare`` and ``finalize`` are optional hooks."""

    code: ClassVar[str] = ""
    label: ClassVar[Any] = ""
    capability: ClassVar[str] = ""
    fields: ClassVar[tuple[Field, ...]] = ()
    natural_key: ClassVar[tuple[str, ...]] = ()
    duties: ClassVar[tuple[str, ...]] = ()
    # Ask the runner for every natural-key value in the file before the first batch (``self.file_keys``),
    # e.g. to accept references to rows further down the file.
    wants_file_keys: ClassVar[bool] = False
    # Rows sharing this field's value (the lines of one order) are written in the same transaction,
    # even when the file spreads them over batches: an interrupted import never leaves half an order.
    group_field: ClassVar[str | None] = None
    # Rows per ``upsert`` call (bounds the Python objects alive at once). Columnar kinds that write
    # with set-based SQL take the whole batch at once (``None``).
    upsert_slice: ClassVar[int | None] = 5_000
    # Kinds whose ``upsert`` can hand its writes over instead of making them (``writes_defer``,
    # ``writes_take``): on PostgreSQL the runner then writes each batch in a background thread, on a
    # connection of its own, while it reads and prepares the next one. Only for kinds whose batches
    # never read what an earlier batch of the same run wrote (the runner keeps a key's rows in one batch).
    write_behind: ClassVar[bool] = False
    # Templates receive kind classes; Django would otherwise call them (instantiate) on lookup.
    do_not_call_in_templates: ClassVar[bool] = True

    def __init__(
        self, *, run: ImportRun | None, actor, access: Access | None = None, present: Iterable[str] = ()
    ):
        self.run = run
        self.actor = actor
        self.access = access or access_for_actor(actor)
        self.present = set(present)  # fields whose column is in the file
        self.file_keys: pl.Series | None = None

    # Declarations -----------------------------------------------------------------------------

    @classmethod
    def field_map(cls) -> dict[str, Field]:
        return {f.name: f for f in cls.fields}

    @classmethod
    def required_fields(cls) -> list[Field]:
        return [f for f in cls.fields if f.required]

    @classmethod
    def match_headers(cls, headers: list[str], columns: dict[str, str] | None = None) -> HeaderMatch:
        """Map file headers to fields: a saved mapping (source header → field) first, as the user
        chose it explicitly; then exact field names or labels, then aliases. Case and spaces are ignored."""
        match = HeaderMatch(headers=list(headers))
        keys = [header_key(h) for h in headers]
        fields = cls.field_map()
        used: set[int] = set()
        for source, target in (columns or {}).items():
            if target not in fields or target in match.columns:
                continue
            k = header_key(source)
            for i, hk in enumerate(keys):
                if hk and hk == k and i not in used:
                    match.columns[target] = i
                    used.add(i)
                    break
        for exact in (True, False):
            for f in cls.fields:
                if f.name in match.columns:
                    continue
                wanted = f.header_keys()[:2] if exact else f.header_keys()[2:]
                for i, hk in enumerate(keys):
                    if hk and i not in used and hk in wanted:
                        match.columns[f.name] = i
                        used.add(i)
                        break
        match.missing_required = [f for f in cls.required_fields() if f.name not in match.columns]
        return match

    @classmethod
    def option_fields(cls, access: Access) -> dict[str, Any]:
        """What the upload page asks besides the file (the shop of an order export…), as Django form
        fields by option name, offering only what ``access`` may choose. The chosen values (a model
        instance as its primary key) go into the run's ``options``, as ``--shop`` does on the command
        line. None by default."""
        return {}

    @classmethod
    def lock_key_for(cls, options: dict) -> str | None:
        """What a run with these options writes into that only one run may write into at a time
        (``shop:12`` for the shop-level kinds), or None. A second run with the same key is refused
        while the first is queued or running (``ImportRun.lock_key``)."""
        return None

    # Hooks ------------------------------------------------------------------------------------

    def prepare(self) -> None:
        """Load lookup tables once per run."""

    def skip_unchanged(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, int]:
        """Leave out rows known to be exactly as last imported, before validation: returns (rows to
        validate and write, number left out). The runner counts those as unchanged. Kinds with large
        files and a cheap way to tell (e.g. a stored fingerprint of the row) override it; by default
        every row goes on."""
        return frame, 0

    def validate(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Split a batch into (valid rows, rejects). ``frame`` has one string column per field (null
        when absent or empty) and ``LINE``; required values and natural-key duplicates are already
        checked by the runner. Use polars expressions, not Python loops over rows."""
        return frame, rejects_frame()

    def upsert(self, valid: pl.DataFrame, *, run: ImportRun, actor) -> tuple[int, int, int]:
        """Write valid rows; return (inserted, updated, unchanged). Runs in one transaction per batch
        and must be idempotent on the natural key."""
        raise NotImplementedError

    def finalize(self, *, run: ImportRun, actor) -> None:
        """After the last batch (e.g. links to rows that came later in the file)."""

    def writes_defer(self) -> None:
        """From now on, ``upsert`` collects its writes for ``writes_take`` instead of making them
        (kinds with ``write_behind`` only). Reads and the rows they need to exist first (e.g. anchor
        accounts seen for the first time) are still made at once, outside the batch transaction."""
        raise NotImplementedError

    def writes_take(self) -> list[Callable[[], object]]:
        """The writes collected since the last call, in order, to run in one transaction."""
        return []


def access_for_actor(actor) -> Access:
    """The actor's access; ``None`` is the system itself (CLI, trusted code), which may do everything."""
    if actor is None:
        return Access(user_id=None, is_superuser=True)
    return access_for(actor)


def audit_bulk(*, actor, entries: Iterable[tuple[str, models.Model, dict]], batch_size: int = 1000) -> int:
    """Write many audit lines at once, with the same fields as ``liveops.core.audit.audit_log``
    (actor, request id, IP). ``entries`` are (action, instance, changes). Call inside the transaction
    of the change."""
    ctx = context.current()
    actor_fields = _actor_fields(actor)
    now = timezone.now()
    objs = [
        AuditEntry(
            at=now,
            **actor_fields,
            action=action,
            object_type=object_type(instance),
            object_id=str(instance.pk),
            object_repr=str(instance)[:200],
            changes=changes,
            request_id=ctx.request_id,
            ip_address=ctx.ip_address,
        )
        for action, instance, changes in entries
    ]
    AuditEntry.objects.bulk_create(objs, batch_size=batch_size)
    return len(objs)


def changes_update(before: dict, after: dict) -> dict | None:
    """The ``changes`` of an update audit line (only differing fields), or None if nothing changed."""
    changed = sorted(k for k in after if before.get(k) != after.get(k))
    if not changed:
        return None
    return {"before": {k: before.get(k) for k in changed}, "after": {k: after[k] for k in changed}}


CREATE = AuditAction.CREATE
UPDATE = AuditAction.UPDATE

_KINDS: dict[str, type[ImportKind]] = {}


def import_kind_register(cls: type[ImportKind]) -> type[ImportKind]:
    """Register an import kind (usable as a class decorator). Re-registering a code replaces it."""
    if not cls.code or not cls.capability or not cls.natural_key:
        raise ValueError(f"{cls.__name__} must set code, capability and natural_key")
    unknown = set(cls.natural_key) - set(cls.field_map())
    if unknown:
        raise ValueError(f"{cls.__name__}: natural key fields {sorted(unknown)} are not fields")
    _KINDS[cls.code] = cls
    return cls


_discovered = False


def _autodiscover() -> None:
    """Import every installed app's ``importers`` module once, so kinds are known even in a process
    (worker, shell) where an app's ``ready()`` does not import them."""
    global _discovered
    if not _discovered:
        _discovered = True
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("importers")


def import_kind_get(code: str) -> type[ImportKind] | None:
    _autodiscover()
    return _KINDS.get(code)


def import_kinds() -> list[type[ImportKind]]:
    _autodiscover()
    return sorted(_KINDS.values(), key=lambda k: k.code)
