"""Import runs as a user and an operator see them (issue 14 item 4, issue 15 items 8 and 9):

- a run whose worker died does not stay "running": the next run (or the worker starting) ends it as
  failed, saying to run it again, and removes the dead process's scratch files;
- a live run, a queued run waiting for a worker and a run on another host that still reports are
  left alone;
- a run with rejected rows says so in its status, and one whose every row was rejected is not a
  success (page, API, command line);
- progress moves during the run, and never shows 100 % before the run has succeeded.
"""

from __future__ import annotations

import io
import json
import socket
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import liveops.org.importers  # noqa: F401  (registers the staff kind)
from liveops.core.imports import liveness, runner
from liveops.core.imports.services import import_start
from liveops.core.models import AuditEntry, ImportRun, ImportStatus
from liveops.org.models import Department

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("imp_data")]


@pytest.fixture
def ec(db):
    return Department.objects.create(
        code="EC", kind="department", name_zh="电商运营部", name_en="E-commerce Operations", sort_order=1
    )


@pytest.fixture
def admin(db):
    return get_user_model().objects.create_superuser("runs_admin", "runs_admin@example.com", "pw-2026-x")


def staff_csv(tmp_path: Path, rows: int, *, bad: int = 0, name: str = "staff.csv") -> Path:
    lines = ["工号,姓名,部门"]
    lines += [f"E{i:05d},员工{i},EC" for i in range(rows)]
    lines += [f"X{i:05d},坏行{i},NOPE" for i in range(bad)]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_staff(actor, path: Path) -> ImportRun:
    return import_start(actor=actor, kind="staff", file=path, file_name=path.name, run_now=True)


def dead_process() -> str:
    """The ``worker`` of a process of this host that has ended."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return f"{socket.gethostname()}:{proc.pid}:1"


def stuck_run(*, worker: str, status: str = ImportStatus.RUNNING, heartbeat_ago: int = 5) -> ImportRun:
    return ImportRun.objects.create(
        kind="staff",
        file_name="old.csv",
        status=status,
        worker=worker,
        heartbeat_at=timezone.now() - timedelta(seconds=heartbeat_ago),
        progress_done=24,
        progress_total=100,
        options={"language": "en"},
    )


# Killed runs ------------------------------------------------------------------------------------


def test_run_of_a_dead_worker_ends_as_failed_when_the_next_run_starts(tmp_path, ec, admin):
    worker = dead_process()
    stuck = stuck_run(worker=worker)
    # The dead process left scratch files behind (a staged batch, a transcoded CSV).
    scratch = liveness.scratch_root() / worker.replace(":", "_")
    scratch.mkdir(parents=True)
    (scratch / "stage-0123.sqlite3").write_bytes(b"x" * 1000)
    mine = liveness.scratch_dir()

    run = run_staff(admin, staff_csv(tmp_path, 3))

    assert run.status == ImportStatus.SUCCEEDED
    stuck.refresh_from_db()
    assert stuck.status == ImportStatus.FAILED and stuck.finished_at is not None
    assert "worker stopped during the run" in stuck.error and "idempotent" in stuck.error
    assert not scratch.exists()
    assert mine.exists()  # a live process's folder stays
    assert AuditEntry.objects.filter(verb="import_run_reaped", object_id=str(stuck.pk)).exists()


def test_worker_start_ends_dead_runs(ec):
    stuck = stuck_run(worker=dead_process())
    out = io.StringIO()
    call_command("imports_reap", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"ended": [stuck.pk]}
    stuck.refresh_from_db()
    assert stuck.status == ImportStatus.FAILED


def test_live_and_waiting_runs_are_left_alone(ec):
    live = stuck_run(worker=liveness.process_id())
    # On another host: judged by its heartbeat only.
    remote = stuck_run(worker="another-host:4242:77", heartbeat_ago=60)
    silent = stuck_run(worker="another-host:4243:77", heartbeat_ago=liveness.stale_seconds() + 60)
    waiting = stuck_run(worker="", status=ImportStatus.QUEUED, heartbeat_ago=10 * 24 * 3600)
    assert liveness.import_runs_reap() == [silent.pk]
    for run in (live, remote, waiting):
        run.refresh_from_db()
        assert run.status in (ImportStatus.RUNNING, ImportStatus.QUEUED)


def test_a_recycled_pid_is_not_the_same_process(ec):
    # This process's pid, but recorded with another start time: the process that ran it is gone.
    host, pid, start = liveness.process_id().split(":")
    assert liveness.process_alive(f"{host}:{pid}:{start}") is True
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        ident = f"{host}:{other.pid}:{int(start or 0) + 999_999}"
        assert liveness.process_alive(ident) is False
        assert liveness.process_alive(f"{host}:{other.pid}:") is True
    finally:
        other.kill()
        other.wait()


def test_queued_run_whose_task_ended_without_it_is_ended(tmp_path, ec, admin):
    from django_tasks_db.models import DBTaskResult

    waiting = import_start(actor=admin, kind="staff", file=staff_csv(tmp_path, 2), file_name="a.csv")
    lost = import_start(actor=admin, kind="staff", file=staff_csv(tmp_path, 2), file_name="b.csv")
    assert waiting.status == lost.status == ImportStatus.QUEUED
    DBTaskResult.objects.filter(id=lost.task_id).update(status="FAILED")
    assert liveness.import_runs_reap() == [lost.pk]
    waiting.refresh_from_db()
    assert waiting.status == ImportStatus.QUEUED


def test_a_run_records_its_process_and_heartbeat(tmp_path, ec, admin):
    before = timezone.now()
    run = run_staff(admin, staff_csv(tmp_path, 3))
    assert run.worker == liveness.process_id()
    assert run.heartbeat_at is not None and run.heartbeat_at >= before


# Outcome ----------------------------------------------------------------------------------------


def test_a_run_with_rejects_says_so(tmp_path, ec, admin):
    partly = run_staff(admin, staff_csv(tmp_path, 3, bad=2, name="partly.csv"))
    none = run_staff(admin, staff_csv(tmp_path, 0, bad=4, name="none.csv"))
    clean = run_staff(admin, staff_csv(tmp_path, 2, name="clean.csv"))
    assert (partly.status, partly.outcome) == ("succeeded", "succeeded_with_rejects")
    assert (none.status, none.outcome) == ("succeeded", "all_rejected")
    assert clean.outcome == "succeeded"

    client = Client()  # the Chinese interface (the default language)
    client.force_login(admin)
    page = client.get(reverse("job-detail", args=[none.pk])).content.decode()
    assert "未导入：所有行都被拒绝" in page and ">成功<" not in page
    page = client.get(reverse("job-detail", args=[partly.pk])).content.decode()
    assert "完成（有拒绝行）" in page and ">成功<" not in page
    assert ">成功<" in client.get(reverse("job-detail", args=[clean.pk])).content.decode()
    listing = client.get(reverse("jobs")).content.decode()
    assert 'data-outcome="all_rejected"' in listing and 'data-outcome="succeeded_with_rejects"' in listing
    api = client.get(reverse("api-import-run", args=[none.pk])).json()
    assert (api["status"], api["outcome"]) == ("succeeded", "all_rejected")
    assert api["outcome_label"] == "未导入：所有行都被拒绝"


def test_command_line_fails_when_every_row_was_rejected(tmp_path, ec, admin):
    out = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("liveops_import", "staff", str(staff_csv(tmp_path, 0, bad=3)), "--json", stdout=out)
    assert exc.value.returncode == 1
    result = json.loads(out.getvalue())
    assert (result["status"], result["outcome"], result["rejected"]) == ("succeeded", "all_rejected", 3)


# Progress ---------------------------------------------------------------------------------------


def test_progress_moves_during_the_run(tmp_path, ec, admin, monkeypatch):
    seen: list[tuple[str, int]] = []
    save = runner._counters_save

    def spy(run_id, counters):
        save(run_id, counters)
        run = ImportRun.objects.get(pk=run_id)
        seen.append((run.status, run.percent))

    monkeypatch.setattr(runner, "_counters_save", spy)
    run = run_staff(admin, staff_csv(tmp_path, 5_000))
    assert run.status == ImportStatus.SUCCEEDED and run.percent == 100
    percents = [p for status, p in seen if status == ImportStatus.RUNNING]
    assert len(percents) >= 4, seen
    assert percents == sorted(percents) and 0 < percents[0] < 50 and max(percents) < 100


def test_percent_while_running_stays_below_100(ec):
    run = stuck_run(worker=liveness.process_id())
    run.progress_done = run.progress_total = 100
    assert run.percent == 99
    run.status = ImportStatus.SUCCEEDED
    assert run.percent == 100


def test_batches_give_about_twenty_steps(settings):
    settings.LIVEOPS_IMPORT_BATCH_ROWS = None
    assert runner.batch_rows(200_000) == 10_000
    assert runner.batch_rows(5_000_000) == runner.BATCH_ROWS
    assert runner.batch_rows(500) == runner._MIN_BATCH_ROWS
    settings.LIVEOPS_IMPORT_BATCH_ROWS = 7
    assert runner.batch_rows(200_000) == 7
