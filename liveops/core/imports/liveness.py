"""Telling a live import run from one whose process died, and cleaning up after the dead.

A run records the process that runs it (``worker``: ``host:pid:start``, the start being the
process's start time from ``/proc`` where there is one, so a recycled pid is not taken for the same
process) and ``heartbeat_at``, which the runner moves on at every step. A queued or running run is
dead when:

- its process is on this host and no longer exists (killed, crashed, restarted worker);
- its process is on another host (or unknown) and it has not reported for ``stale_seconds()``;
- it is queued, and its background task has already ended (or was claimed and never started it).

``import_runs_reap`` ends every dead run as failed, with a message saying to re-run it (imports are
idempotent), which also releases the shop lock it held, and removes the scratch folders of dead
processes. It runs when a worker starts (``liveops worker``), before each run, and when a run is
refused because of another run's lock.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import socket
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from liveops.core.errors import Conflict
from liveops.core.models import ImportRun, ImportStatus

log = logging.getLogger(__name__)

_ACTIVE = (ImportStatus.QUEUED, ImportStatus.RUNNING)


def stale_seconds() -> int:
    """How long a run on another host may stay silent before it counts as dead. A step (one batch,
    one pre-pass over a column) takes seconds; the margin is for very large batches."""
    return int(getattr(settings, "LIVEOPS_IMPORT_STALE_SECONDS", 15 * 60))


def _process_start(pid: int) -> str:
    """The start time of process ``pid`` (clock ticks since boot, from ``/proc``), or ``""``."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
    except OSError:
        return ""
    # The command name (field 2) may hold spaces and parentheses: fields are counted after its end.
    fields = stat[stat.rfind(b")") + 2 :].split()
    return fields[19].decode() if len(fields) > 19 else ""


def process_id() -> str:
    """This process, as ``host:pid:start``."""
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_process_start(pid)}"


def process_alive(ident: str) -> bool | None:
    """Whether the process ``ident`` (from ``process_id``) still runs: True or False when it is on
    this host, None when that cannot be known here (another host, or no process recorded)."""
    host, _sep, rest = (ident or "").partition(":")
    pid_text, _sep, start = rest.partition(":")
    if not host or host != socket.gethostname() or not pid_text.isdigit():
        return None
    pid = int(pid_text)
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by another user
    except OSError:
        return None
    # The pid exists: it is the same process only if it started when the recorded one did.
    return not start or _process_start(pid) in ("", start)


def scratch_root() -> Path:
    return Path(settings.DATA_DIR) / "imports" / "tmp"


def scratch_dir() -> Path:
    """This process's folder for scratch files (``imports/tmp/<host>_<pid>_<start>``), created on
    demand. Per process, so the files of a process that died can be told apart and removed."""
    path = scratch_root() / process_id().replace(":", "_")
    path.mkdir(parents=True, exist_ok=True)
    return path


def scratch_sweep() -> int:
    """Remove the scratch folders of dead processes of this host, and loose scratch files left by
    older versions once they are older than ``stale_seconds()``. Returns how many were removed."""
    root = scratch_root()
    if not root.is_dir():
        return 0
    removed = 0
    cutoff = timezone.now().timestamp() - stale_seconds()
    for entry in root.iterdir():
        with contextlib.suppress(OSError):
            if entry.is_dir():
                if process_alive(":".join(entry.name.rsplit("_", 2))) is False:
                    shutil.rmtree(entry, ignore_errors=True)
                    removed += 1
            elif entry.name.startswith(("stage-", "import-")) and entry.stat().st_mtime < cutoff:
                entry.unlink(missing_ok=True)
                removed += 1
    return removed


def _task_state(task_id: str) -> tuple[str | None, datetime | None]:
    """The django-tasks status of a queued run's background task (``READY``, ``RUNNING``,
    ``SUCCESSFUL``, ``FAILED``) and when a worker started it; (None, None) when unknown (another
    backend, or the result was pruned)."""
    if not task_id:
        return None, None
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:
        return None, None
    with contextlib.suppress(Exception):  # not a task id of this backend
        row = DBTaskResult.objects.filter(id=task_id).values_list("status", "started_at").first()
        if row is not None:
            return row
    return None, None


def run_is_dead(run: ImportRun) -> bool:
    """Whether ``run`` (queued or running) can never finish by itself."""
    if run.status not in _ACTIVE:
        return False
    limit = timezone.now() - timedelta(seconds=stale_seconds())
    if run.status == ImportStatus.QUEUED:
        # Dead once its task has ended without running it, or was claimed by a worker that never
        # started it. A run that waits for a worker (none is running) is not, however long it waits.
        status, started = _task_state(run.task_id)
        return status in ("SUCCESSFUL", "FAILED") or (
            status == "RUNNING" and started is not None and started < limit
        )
    alive = process_alive(run.worker)
    if alive is not None:
        return not alive
    return (run.heartbeat_at or run.created_at) < limit


def import_runs_reap(*, lock_key: str | None = None, exclude: int | None = None) -> list[int]:
    """End every dead queued or running run (of ``lock_key`` only, when given; never ``exclude``) as
    failed, and sweep the scratch folders of dead processes. Returns the ids of the runs ended."""
    from liveops.core.audit import audit_action

    qs = ImportRun.objects.filter(status__in=_ACTIVE)
    if lock_key is not None:
        qs = qs.filter(lock_key=lock_key)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    ended: list[int] = []
    for run in qs.only(
        "id", "status", "worker", "heartbeat_at", "created_at", "task_id", "options", "kind", "file_name"
    ):
        if not run_is_dead(run):
            continue
        language = (run.options or {}).get("language") or settings.LANGUAGE_CODE
        with translation.override(language):
            message = _(
                "The worker stopped during the run (it was killed or restarted), so the run ended "
                "here. Run the import again: it is idempotent, rows already written are not doubled."
            )
        with transaction.atomic():
            # Only if still active: the run may have finished (or been reaped) since it was read.
            changed = ImportRun.objects.filter(pk=run.pk, status__in=_ACTIVE).update(
                status=ImportStatus.FAILED, error=message, finished_at=timezone.now()
            )
            if changed:
                audit_action(
                    actor=None,
                    instance=run,
                    verb="import_run_reaped",
                    details={"worker": run.worker, "was": run.status},
                )
        if changed:
            log.warning(
                "Import run %s was %s in a dead worker (%s): ended as failed", run.pk, run.status, run.worker
            )
            ended.append(run.pk)
    scratch_sweep()
    return ended


# The per-shop import lock -------------------------------------------------------------------------


class ImportBusy(Conflict):
    """Another run holding the same lock (the same shop) is queued or running."""

    code = "import_busy"


def import_busy(holder: int | None) -> ImportBusy:
    return ImportBusy(
        _(
            "An import into this shop is running (run %(run)s). Wait until it has finished, "
            "then start this one again."
        )
        % {"run": holder if holder is not None else "?"}
    )


def import_lock_holder(lock_key: str, *, exclude: int | None = None) -> int | None:
    """The id of the live run holding ``lock_key``, after ending the dead ones that held it."""
    qs = ImportRun.objects.filter(lock_key=lock_key, status__in=_ACTIVE)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    holder = qs.values_list("pk", flat=True).first()
    if holder is None:
        return None
    import_runs_reap(lock_key=lock_key, exclude=exclude)
    return qs.values_list("pk", flat=True).first()


def import_lock_check(lock_key: str | None, *, exclude: int | None = None) -> None:
    """Raise ``ImportBusy`` when a live run holds ``lock_key``. A stale lock (its run's worker died)
    is released on the way. The database constraint stays the guard against two starts at once."""
    if lock_key and (holder := import_lock_holder(lock_key, exclude=exclude)) is not None:
        raise import_busy(holder)
