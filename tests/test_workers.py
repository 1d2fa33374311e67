"""Background jobs on several nodes: two workers never run the same job, and a job whose worker died
(no heartbeat) is put back in the queue and run again by another worker."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from liveops.core import workers
from liveops.core.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db(transaction=True)

CALLS: Counter[int] = Counter()
_LOCK = threading.Lock()


@task()
def count_call(n: int) -> int:
    """Counts how often each job ran (the workers here are threads of this process)."""
    with _LOCK:
        CALLS[n] += 1
    time.sleep(0.005)
    return n


@pytest.fixture(autouse=True)
def _calls():
    CALLS.clear()
    yield
    CALLS.clear()


def _worker(worker_id: str) -> Worker:
    return Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )


def _run_in_thread(worker_id: str) -> None:
    try:
        _worker(worker_id).run()
    finally:
        connection.close()


def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks with SKIP LOCKED: PostgreSQL (SQLite has one writer at a time)")


def test_two_workers_never_run_the_same_job():
    _postgres_only()
    for n in range(40):
        count_call.enqueue(n)
    threads = [threading.Thread(target=_run_in_thread, args=(f"node-{i}",)) for i in "ab"]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert dict(CALLS) == {n: 1 for n in range(40)}
    rows = list(DBTaskResult.objects.all())
    assert all(r.status == TaskResultStatus.SUCCESSFUL and len(r.worker_ids) == 1 for r in rows)
    assert {r.worker_ids[0] for r in rows} == {"node-a", "node-b"}  # both took part


def test_a_job_locked_by_one_worker_is_skipped_by_the_other():
    _postgres_only()
    first, second = count_call.enqueue(1), count_call.enqueue(2)
    held, release = threading.Event(), threading.Event()
    taken = {}

    def hold():
        try:
            with transaction.atomic():
                taken["a"] = DBTaskResult.objects.ready().get_locked().id
                held.set()
                release.wait(30)
        finally:
            connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    assert held.wait(30)
    with transaction.atomic():
        taken["b"] = DBTaskResult.objects.ready().get_locked().id
    release.set()
    thread.join()
    assert {str(taken["a"]), str(taken["b"])} == {str(first.id), str(second.id)}


def _claimed(result, worker_id: str, minutes_ago: int) -> None:
    DBTaskResult.objects.filter(id=result.id).update(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - timedelta(minutes=minutes_ago),
        worker_ids=[worker_id],
    )


def test_a_job_of_a_dead_worker_is_requeued_and_run_again(settings):
    settings.LIVEOPS_WORKER_STALE_SECONDS = 60
    orphan, alive_job, fresh = count_call.enqueue(7), count_call.enqueue(8), count_call.enqueue(9)
    _claimed(orphan, "dead-node", minutes_ago=10)  # its node died: no heartbeat
    _claimed(alive_job, "live-node", minutes_ago=10)  # long job of a live worker
    _claimed(fresh, "new-node", minutes_ago=0)  # just claimed, before its worker's first beat counts
    workers.heartbeat("live-node")
    WorkerHeartbeat.objects.create(worker_id="dead-node", beat_at=timezone.now() - timedelta(minutes=5))

    assert workers.tasks_requeue_orphans() == [str(orphan.id)]
    assert workers.tasks_requeue_orphans() == []  # once

    _worker("rescuer").run()
    orphan_row = DBTaskResult.objects.get(id=orphan.id)
    assert orphan_row.status == TaskResultStatus.SUCCESSFUL
    assert orphan_row.worker_ids == ["dead-node", "rescuer"]
    assert dict(CALLS) == {7: 1}
    assert DBTaskResult.objects.get(id=alive_job.id).status == TaskResultStatus.RUNNING


def test_worker_command_beats_runs_and_leaves(settings):
    # SQLite's shared in-memory test database locks whole tables without waiting: there the thread
    # does not beat during the short run (the command beats once before it starts).
    settings.LIVEOPS_WORKER_HEARTBEAT_SECONDS = 0.05 if connection.vendor == "postgresql" else 3600
    count_call.enqueue(3)
    call_command("liveops_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)
    row = DBTaskResult.objects.get()
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.worker_ids[0].split("-")[-2].isdigit()  # host-pid-random
    assert not WorkerHeartbeat.objects.exists()  # a worker that stops on purpose leaves no heartbeat
