"""Starting imports, saving column mappings, and reading import runs (scoped to the actor).

Every write is keyword-only, checks the actor's capability and is audited. ``actor=None`` means the
system itself (CLI without ``--user``, trusted code) and may run every kind.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from liveops.core import storage as file_storage
from liveops.core.access import Access
from liveops.core.audit import audit_create, audit_update, snapshot
from liveops.core.errors import DomainError, NotAllowed
from liveops.core.imports.liveness import import_busy, import_lock_check, import_lock_holder
from liveops.core.imports.readers import ImportRefused, check_size, max_bytes, open_table
from liveops.core.imports.registry import HeaderMatch, ImportKind, access_for_actor, import_kind_get
from liveops.core.imports.runner import import_execute, imports_dir
from liveops.core.models import ColumnMapping, ImportRun, ImportStatus
from liveops.core.storage import imports_storage

_COPY_CHUNK = 1024 * 1024
_TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")


def _kind_or_error(kind: str) -> type[ImportKind]:
    kind_cls = import_kind_get(kind)
    if kind_cls is None:
        raise DomainError(
            _("Unknown import kind “%(kind)s”.") % {"kind": kind},
            code="unknown_kind",
            fields={"kind": [_("Unknown.")]},
        )
    return kind_cls


def _require_kind(actor, kind: str) -> type[ImportKind]:
    kind_cls = _kind_or_error(kind)
    if not access_for_actor(actor).can(kind_cls.capability):
        raise NotAllowed(_("You are not allowed to do this."))
    return kind_cls


def safe_file_name(name: str) -> str:
    """A file name safe to keep on disk: no folders, no control characters, at most 120 characters."""
    base = Path(str(name or "upload").replace("\\", "/")).name
    base = re.sub(r"[\x00-\x1f/:*?\"<>|]", "_", base).strip(" .") or "upload"
    return base[-120:]


@dataclass(frozen=True)
class StoredFile:
    """A file copied under ``DATA_DIR/imports``, with its size and SHA-256."""

    path: Path
    size: int
    sha256: str


def _store(file: IO[bytes] | str | Path, dest: Path) -> StoredFile:
    """Copy an upload or a file on disk to ``dest`` in chunks, refusing it as soon as it passes the
    size limit (checked first from the declared size, when there is one)."""
    declared = getattr(file, "size", None)
    if isinstance(file, str | Path):
        if not Path(file).is_file():
            raise ImportRefused(_("The file is missing."), code="missing")
        declared = Path(file).stat().st_size
    if declared is not None:
        check_size(int(declared))
    digest = hashlib.sha256()
    size = 0
    limit = max_bytes()
    src_cm = open(file, "rb") if isinstance(file, str | Path) else None  # noqa: SIM115
    src = src_cm or file
    try:
        chunks = (
            src.chunks(_COPY_CHUNK) if hasattr(src, "chunks") else iter(lambda: src.read(_COPY_CHUNK), b"")
        )
        with open(dest, "wb") as out:
            for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    out.close()
                    dest.unlink(missing_ok=True)
                    check_size(size)
                digest.update(chunk)
                out.write(chunk)
    finally:
        if src_cm is not None:
            src_cm.close()
    return StoredFile(path=dest, size=size, sha256=digest.hexdigest())


def import_stage(*, actor, kind: str, file: IO[bytes] | str | Path, file_name: str) -> tuple[str, StoredFile]:
    """Keep an upload aside (``DATA_DIR/imports/staging``) while the user maps its columns.
    Returns a random token that names it; the caller remembers which tokens belong to whom."""
    _require_kind(actor, kind)
    token = secrets.token_hex(16)
    folder = imports_dir("staging", token)
    stored = _store(file, folder / safe_file_name(file_name))
    storage = imports_storage()
    if not file_storage.is_local(storage):
        # Another node may answer the mapping step: the staged file goes to the shared store too
        # (this node keeps its copy to read the header from).
        with open(stored.path, "rb") as fh:
            storage.save(f"staging/{token}/{stored.path.name}", File(fh, name=stored.path.name))
    return token, stored


def import_staged_path(token: str) -> Path | None:
    """The staged file of ``token``, or None (unknown or malformed token)."""
    if not _TOKEN_RE.match(token or ""):
        return None
    folder = imports_dir("staging") / token
    files = sorted(folder.iterdir()) if folder.is_dir() else []
    storage = imports_storage()
    if not files and not file_storage.is_local(storage):
        # Staged on another node: fetch it from the shared store (streamed to disk).
        with contextlib.suppress(FileNotFoundError):
            names = sorted(storage.listdir(f"staging/{token}")[1])
            if names and safe_file_name(names[0]) == names[0]:
                folder.mkdir(parents=True, exist_ok=True)
                if file_storage.download_to(storage, f"staging/{token}/{names[0]}", folder / names[0]):
                    files = [folder / names[0]]
    return files[0] if files else None


def import_staged_discard(token: str) -> None:
    path = import_staged_path(token)
    if path is not None:
        shutil.rmtree(path.parent, ignore_errors=True)
        storage = imports_storage()
        if not file_storage.is_local(storage):
            storage.delete(f"staging/{token}/{path.name}")


def import_inspect(*, kind: str, path: str | Path, columns: dict[str, str] | None = None) -> HeaderMatch:
    """Read only the header of a file and match it to the kind's fields (raises ``ImportRefused``)."""
    kind_cls = _kind_or_error(kind)
    with open_table(path) as reader:
        return kind_cls.match_headers(reader.headers, columns)


def _option_value(field, raw: str):
    """``raw`` cleaned by an option's form field. A model choice is given by its primary key, or by
    its name when its model has one (as ``--shop`` accepts), looked up among the offered choices only."""
    from django import forms
    from django.core.exceptions import FieldDoesNotExist, ValidationError

    from liveops.core.forms import int_or_none

    if "\x00" in raw or len(raw) > 200:
        raise ValidationError(_("Not a valid value."), code="invalid")
    if not isinstance(field, forms.ModelChoiceField) or not raw:
        return field.clean(raw)
    if (pk := int_or_none(raw)) is not None:
        match = field.queryset.filter(pk=pk).first()
        if match is not None:
            return match
    try:
        field.queryset.model._meta.get_field("name")
    except FieldDoesNotExist:
        matches = []
    else:
        matches = list(field.queryset.filter(name=raw)[:2])
    if len(matches) > 1:
        raise ValidationError(
            _("Several have the name “%(value)s”: give the ID instead.") % {"value": raw}, code="ambiguous"
        )
    if not matches:
        raise ValidationError(
            _("“%(value)s” is unknown or not yours to choose: give the ID or the name of one you may use.")
            % {"value": raw},
            code="invalid_choice",
        )
    return matches[0]


def import_options_clean(*, actor, kind: str, values: dict) -> dict:
    """The options of a run of ``kind`` (``ImportKind.option_fields``: the shop of an order export…)
    from submitted values (option name → text), checked as the upload page checks them: only what
    the actor may choose is accepted (the shops they may import into, of the kind's platform). A
    model choice may be given by its ID or its name. Returns the options JSON-ready (a model
    instance as its primary key), for ``import_start``. Raises ``NotAllowed`` without the kind's
    capability and ``DomainError`` naming each wrong or unknown option."""
    from django.core.exceptions import ValidationError

    kind_cls = _require_kind(actor, kind)
    fields = kind_cls.option_fields(access_for_actor(actor))
    errors: dict[str, list[str]] = {}
    labels: dict[str, str] = {}
    options = {}
    for name, field in fields.items():
        raw = values.get(name)
        raw = "" if raw is None else str(raw).strip()
        try:
            value = _option_value(field, raw)
        except ValidationError as exc:
            errors[name] = [str(m) for m in exc.messages]
            labels[name] = str(field.label or name)
            continue
        if value is not None and value != "":
            options[name] = value.pk if hasattr(value, "pk") else value
    for name in sorted(set(values) - set(fields)):
        if str(values[name] if values[name] is not None else "").strip():
            errors[name] = [_("This kind of import takes no such option.")]
            labels[name] = name
    if errors:
        first = next(iter(errors))
        raise DomainError(
            _("Check “%(option)s”: %(error)s") % {"option": labels[first], "error": errors[first][0]},
            code="invalid",
            fields=errors,
        )
    return options


def import_start(
    *,
    actor,
    kind: str,
    file: IO[bytes] | str | Path,
    file_name: str,
    mapping: ColumnMapping | None = None,
    options: dict | None = None,
    run_now: bool = False,
) -> ImportRun:
    """Store the file and start an import run: queued for the background worker, or run here and now
    (``run_now``, for the CLI and tests). Refuses (``NotAllowed``) actors without the kind's capability
    and (``ImportRefused``) files over the size limit before storing them."""
    kind_cls = _require_kind(actor, kind)
    if mapping is not None and mapping.kind != kind_cls.code:
        raise DomainError(
            _("This column mapping is for another kind of import."), fields={"mapping": [_("Wrong kind.")]}
        )
    options = dict(options or {})
    options.setdefault("language", translation.get_language() or "")
    if actor is None:
        # Remember that the system started it: a run whose starter was deleted must not run as the system.
        options["system"] = True
    # One run at a time into a shop: refused here, before the file is stored, when another live run
    # holds the lock; the database's constraint catches two starts at the same moment.
    lock_key = kind_cls.lock_key_for(options)
    import_lock_check(lock_key)
    try:
        run = _run_create(
            actor=actor,
            kind_cls=kind_cls,
            file=file,
            file_name=file_name,
            mapping=mapping,
            options=options,
            lock_key=lock_key,
        )
    except IntegrityError as exc:
        if not lock_key:
            raise
        raise import_busy(import_lock_holder(lock_key)) from exc
    if run_now:
        return import_execute(run=run, actor=actor)
    from liveops.core.imports.tasks import import_run_task

    with transaction.atomic():
        result = import_run_task.enqueue(run.pk)
        ImportRun.objects.filter(pk=run.pk).update(task_id=str(result.id)[:64])
    run.refresh_from_db()
    return run


@transaction.atomic
def _run_create(
    *,
    actor,
    kind_cls: type[ImportKind],
    file,
    file_name: str,
    mapping: ColumnMapping | None,
    options: dict,
    lock_key: str | None = None,
) -> ImportRun:
    name = safe_file_name(file_name)
    run = ImportRun.objects.create(
        lock_key=lock_key,
        kind=kind_cls.code,
        file_name=name,
        mapping=mapping,
        options=options,
        created_by=actor if actor is not None and actor.is_authenticated else None,
        status=ImportStatus.QUEUED,
    )
    stored = _store(file, imports_dir("files") / f"run-{run.pk}-{name}")
    # The shared store when there is one (any node's worker may run it); locally the path itself.
    run.file_path = file_storage.publish(stored.path, f"files/{stored.path.name}")
    run.file_sha256 = stored.sha256
    run.save(update_fields=["file_path", "file_sha256"])
    audit_create(actor=actor, instance=run)
    return run


def import_run_actor(run: ImportRun):
    """The user an import runs as: its starter, or the system for runs the system started. A run
    whose starter no longer exists gets no actor with rights (``False``)."""
    if run.created_by_id:
        return run.created_by
    return None if (run.options or {}).get("system") else False


@transaction.atomic
def mapping_save(*, actor, kind: str, name: str, columns: dict[str, str]) -> ColumnMapping:
    """Save (or replace) a named column-mapping template: source header → target field."""
    kind_cls = _require_kind(actor, kind)
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the template a name."), fields={"name": [_("This field is required.")]})
    fields = kind_cls.field_map()
    unknown = sorted({t for t in columns.values() if t not in fields})
    if unknown:
        raise DomainError(
            _("Unknown target fields: %(fields)s.") % {"fields": ", ".join(unknown)},
            fields={"columns": [_("Unknown field.")]},
        )
    clean = {str(k).strip(): v for k, v in columns.items() if str(k).strip() and v}
    existing = ColumnMapping.objects.select_for_update().filter(kind=kind_cls.code, name=name).first()
    if existing is None:
        mapping = ColumnMapping.objects.create(
            kind=kind_cls.code,
            name=name,
            columns=clean,
            created_by=actor if actor is not None and actor.is_authenticated else None,
        )
        audit_create(actor=actor, instance=mapping)
        return mapping
    before = snapshot(existing, ["columns"])
    existing.columns = clean
    existing.save(update_fields=["columns"])
    audit_update(actor=actor, instance=existing, before=before, after=snapshot(existing, ["columns"]))
    return existing


# Selectors ---------------------------------------------------------------------------------------


def import_run_list(*, access: Access) -> QuerySet[ImportRun]:
    """Runs this actor may see: all with ``core.jobs_view`` (or superuser), otherwise their own."""
    qs = ImportRun.objects.select_related("created_by", "mapping")
    if access.can("core.jobs_view"):
        return qs
    if access.user_id is None:
        return qs.none()
    return qs.filter(created_by_id=access.user_id)


def import_run_get(*, access: Access, pk: int) -> ImportRun | None:
    return import_run_list(access=access).filter(pk=pk).first()


def mapping_list(*, kind: str) -> QuerySet[ColumnMapping]:
    """Saved templates of one kind (shared by everyone who may run it)."""
    return ColumnMapping.objects.filter(kind=kind).order_by("name")


def import_refusal_message(exc: Exception) -> str:
    return str(exc.message) if isinstance(exc, ImportRefused | DomainError) else str(exc)
