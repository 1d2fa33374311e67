"""Background task of the import framework (django-tasks; the worker is ``manage.py db_worker``)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django_tasks import task

from liveops.core.models import ImportRun, ImportStatus


@task()
def import_run_task(run_id: int) -> str:
    """Run one queued import. Returns the final status (kept by django-tasks as the task result)."""
    from liveops.core.imports.runner import import_execute, run_finish
    from liveops.core.imports.services import import_run_actor

    run = ImportRun.objects.select_related("created_by", "mapping").filter(pk=run_id).first()
    if run is None:
        return "missing"
    actor = import_run_actor(run)
    if actor is False:
        # The starter's account is gone: never fall back to running with the system's rights.
        return run_finish(
            run, ImportStatus.FAILED, _("The user who started this import no longer exists.")
        ).status
    return import_execute(run=run, actor=actor).status
