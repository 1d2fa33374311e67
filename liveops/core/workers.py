"""Background-job workers on any node: heartbeats, and putting back the jobs of a worker that died.

Jobs are rows of django-tasks-db's ``DBTaskResult``. Its worker already claims a job safely across
nodes: it reads the next ready job with ``SELECT … FOR UPDATE SKIP LOCKED`` and marks it running
(with its worker id) in the same transaction, so two workers never take the same job. What it does
not do is notice a worker that died while running a job (node lost, ``kill -9``): the job stays
"running" for ever.

``liveops worker`` (``manage.py liveops_worker``) therefore runs django-tasks-db's worker with a
heartbeat thread beside it. Every ``LIVEOPS_WORKER_HEARTBEAT_SECONDS`` (default 10 s) the thread
moves its ``WorkerHeartbeat.beat_at`` and calls ``tasks_requeue_orphans``: a running job whose
worker has not beaten for ``LIVEOPS_WORKER_STALE_SECONDS`` (default 120 s) goes back to "ready",
and the next free worker on any node runs it again. The jobs must therefore be safe to run twice;
the import task is (batches are idempotent upserts, a run started again starts over).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from liveops.core.models import WorkerHeartbeat

log = logging.getLogger(__name__)


def heartbeat_seconds() -> float:
    return float(getattr(settings, "LIVEOPS_WORKER_HEARTBEAT_SECONDS", 10))


def stale_seconds() -> float:
    """How long a worker may stay silent before its running jobs are handed to another worker.
    Several heartbeats long, so a busy database or a paused VM does not hand out a live job."""
    return float(getattr(settings, "LIVEOPS_WORKER_STALE_SECONDS", 120))


def new_worker_id() -> str:
    """``host-pid-random``: unique across nodes, and says where a job ran (at most 64 characters)."""
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{get_random_string(8)}"[:64]


def heartbeat(worker_id: str) -> None:
    """Record that ``worker_id`` is alive now."""
    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(pk=worker_id).update(beat_at=now)
    if not updated:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=worker_id,
            defaults={"beat_at": now, "process": f"{socket.gethostname()}:{os.getpid()}"[:200]},
        )


def heartbeat_end(worker_id: str) -> None:
    """A worker that stops on purpose removes its heartbeat (its jobs have finished)."""
    WorkerHeartbeat.objects.filter(pk=worker_id).delete()


@transaction.atomic
def tasks_requeue_orphans(*, stale: float | None = None) -> list[str]:
    """Put back in the queue every running job whose worker's heartbeat is older than ``stale``
    seconds (or missing) and that started before then; returns their ids. Rows are locked with
    SKIP LOCKED, so reapers on several nodes never requeue the same job twice."""
    cutoff = timezone.now() - timedelta(seconds=stale_seconds() if stale is None else stale)
    alive = set(WorkerHeartbeat.objects.filter(beat_at__gte=cutoff).values_list("worker_id", flat=True))
    running = (
        DBTaskResult.objects.running()
        .filter(started_at__lt=cutoff)
        .select_for_update(skip_locked=True)
        .only("id", "worker_ids")
    )
    orphans = [str(r.id) for r in running if not r.worker_ids or r.worker_ids[-1] not in alive]
    if orphans:
        DBTaskResult.objects.filter(id__in=orphans).update(status=TaskResultStatus.READY)
        log.warning("Requeued %d job(s) of workers that stopped beating: %s", len(orphans), orphans)
    # Heartbeats of workers long gone are of no more use.
    WorkerHeartbeat.objects.filter(beat_at__lt=cutoff - timedelta(days=1)).delete()
    return orphans


class HeartbeatThread(threading.Thread):
    """Beats for ``worker_id`` and requeues orphaned jobs until stopped (own database connection)."""

    def __init__(self, worker_id: str, interval: float | None = None):
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.interval = heartbeat_seconds() if interval is None else interval
        self._stop_event = threading.Event()

    def beat_once(self) -> None:
        close_old_connections()
        heartbeat(self.worker_id)
        tasks_requeue_orphans()

    def run(self) -> None:
        try:
            # The command beats once before starting the thread; from then on every ``interval``.
            while not self._stop_event.wait(self.interval):
                try:
                    self.beat_once()
                except Exception:  # a lost database must not stop the worker; next beat retries
                    log.exception("Worker heartbeat failed")
        finally:
            connection.close()

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=self.interval + 5)
