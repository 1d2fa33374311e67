"""Starting imports, saving column mappings, and reading import runs (scoped to the actor).

Every write is keyword-only, checks the actor's capability and is audited. ``actor=None`` means the
system itself (CLI without ``--user``, trusted code) and may run every kind.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.db import transaction
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from liveops.core.access import Access
from liveops.core.audit import audit_create, audit_update, snapshot
from liveops.core.errors import DomainError, NotAllowed
from liveops.core.imports.readers import ImportRefused, check_size, max_bytes, open_table
from liveops.core.imports.registry import HeaderMatch, ImportKind, access_for_actor, import_kind_get
from liveops.core.imports.runner import import_execute, imports_dir
from liveops.core.models import ColumnMapping, ImportRun, ImportStatus

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
    return token, stored


def import_staged_path(token: str) -> Path | None:
    """The staged file of ``token``, or None (unknown or malformed token)."""
    if not _TOKEN_RE.match(token or ""):
        return None
    folder = imports_dir("staging") / token
    files = sorted(folder.iterdir()) if folder.is_dir() else []
    return files[0] if files else None


def import_staged_discard(token: str) -> None:
    path = import_staged_path(token)
    if path is not None:
        shutil.rmtree(path.parent, ignore_errors=True)


def import_inspect(*, kind: str, path: str | Path, columns: dict[str, str] | None = None) -> HeaderMatch:
    """Read only the header of a file and match it to the kind's fields (raises ``ImportRefused``)."""
    kind_cls = _kind_or_error(kind)
    with open_table(path) as reader:
        return kind_cls.match_headers(reader.headers, columns)


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
    run = _run_create(
        actor=actor, kind_cls=kind_cls, file=file, file_name=file_name, mapping=mapping, options=options
    )
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
    *, actor, kind_cls: type[ImportKind], file, file_name: str, mapping: ColumnMapping | None, options: dict
) -> ImportRun:
    name = safe_file_name(file_name)
    run = ImportRun.objects.create(
        kind=kind_cls.code,
        file_name=name,
        mapping=mapping,
        options=options,
        created_by=actor if actor is not None and actor.is_authenticated else None,
        status=ImportStatus.QUEUED,
    )
    stored = _store(file, imports_dir("files") / f"run-{run.pk}-{name}")
    run.file_path = str(stored.path)
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
