"""Background jobs of e-commerce operations (django-tasks; ``liveops worker`` runs them).

The rollup check runs once a day: each run schedules the next (``run_after``), and
``rollups_schedule_ensure`` (called by ``liveops worker`` through ``liveops rollups schedule`` when
the worker starts) starts the chain again if it was lost (a database restored, the job deleted)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django_tasks import task

from liveops.commerce.parsing import SHANGHAI

CHECK_TASK = "liveops.commerce.tasks.rollups_check_task"


def next_check_at(now: dt.datetime | None = None) -> dt.datetime:
    """The next check time: ``LIVEOPS_ROLLUP_CHECK_HOUR`` (default 4, local time) today or tomorrow,
    a quiet hour for imports."""
    hour = int(getattr(settings, "LIVEOPS_ROLLUP_CHECK_HOUR", 4))
    local = (now or dt.datetime.now(dt.UTC)).astimezone(SHANGHAI)
    at = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if at <= local:
        at += dt.timedelta(days=1)
    return at.astimezone(dt.UTC)


@task()
def rollups_check_task() -> dict:
    """Settle, verify and (on drift) repair every shop's rollups; then schedule tomorrow's check."""
    from liveops.commerce.services.rollups import rollups_check

    try:
        check = rollups_check(trigger="schedule")
    finally:
        rollups_schedule_ensure(exclude_running=True)
    return {"check": check.pk, "checked": check.checked, "drifted": check.drifted}


def rollups_schedule_ensure(*, exclude_running: bool = False) -> bool:
    """Queue the next daily check unless one is already waiting. Returns whether one was queued.
    Only with the database backend of django-tasks (the other backends keep no queue to look in)."""
    backend = settings.TASKS["default"]["BACKEND"]
    if backend != "django_tasks_db.DatabaseBackend":
        return False
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(task_path=CHECK_TASK, status=TaskResultStatus.READY)
    if not exclude_running:
        waiting = DBTaskResult.objects.filter(
            task_path=CHECK_TASK, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
        )
    if waiting.exists():
        return False
    rollups_check_task.using(run_after=next_check_at()).enqueue()
    return True
