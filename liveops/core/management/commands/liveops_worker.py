"""``manage.py liveops_worker`` (``liveops worker``): django-tasks-db's worker with a heartbeat.

Takes every option of ``db_worker``. Beside the worker a thread records the worker's heartbeat and
puts back in the queue the jobs of workers on any node that stopped beating (``liveops.core.workers``).
"""

from __future__ import annotations

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from liveops.core import workers


class Command(DbWorkerCommand):
    """Run background jobs on this node; safe to run on several nodes at once."""

    help = "Run the background-job worker (django-tasks-db) with a heartbeat and requeueing of dead workers' jobs."

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(worker_id=None)

    def handle(self, *args, **options):
        # db_worker's default id is random per process; ours also says which host and process ran a job.
        if not options.get("worker_id"):
            options["worker_id"] = workers.new_worker_id()
        worker_id = options["worker_id"]
        workers.heartbeat(worker_id)
        workers.tasks_requeue_orphans()
        beat = workers.HeartbeatThread(worker_id)
        beat.start()
        try:
            return super().handle(*args, **options)
        finally:
            beat.stop()
            workers.heartbeat_end(worker_id)
