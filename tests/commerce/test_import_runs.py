"""One import at a time into a shop (issue 14 item 5): a second run into the same shop is refused
with "an import into this shop is running (run N)" on the upload page, in the API (409) and on the
command line, and by the database itself when two starts race; other shops are not held up; a lock
left by a run whose worker died does not block; once the run has finished the shop is free again.
Also: a broken CSV read in the one-column pass before the batches (order groups) is refused with a
message naming the line, not a parser error (item 6)."""

from __future__ import annotations

import io
import json
import socket
import subprocess
import sys

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from liveops.commerce.models import OrderLine
from liveops.core.imports import services
from liveops.core.imports.liveness import ImportBusy
from liveops.core.imports.services import import_start
from liveops.core.imports.tasks import import_run_task
from liveops.core.models import ImportRun, ImportStatus

pytestmark = pytest.mark.django_db


def _queue(actor, shop, path) -> ImportRun:
    """Start a run as the upload page does: queued for the worker."""
    return import_start(
        actor=actor, kind="douyin-orders", file=path, file_name=path.name, options={"shop": shop.pk}
    )


def test_second_import_into_the_same_shop_is_refused_until_the_first_has_finished(
    shops, douyin_file, personas
):
    path, _frame = douyin_file(20)
    first = _queue(personas["member"], shops["douyin"], path)
    # By ID or by name (as --shop gives it), queued or run here and now: refused, naming the run.
    for shop_value in (shops["douyin"].pk, "抖音旗舰店"):
        with pytest.raises(ImportBusy) as exc:
            import_start(
                actor=None,
                kind="douyin-orders",
                file=path,
                file_name=path.name,
                options={"shop": shop_value},
                run_now=True,
            )
        assert f"An import into this shop is running (run {first.pk})" in str(exc.value.message)
        assert exc.value.status == 409
    # Another shop is not held up.
    other = _queue(personas["member"], shops["douyin2"], path)
    assert ImportRun.objects.filter(status=ImportStatus.QUEUED).count() == 2
    # Once the first has run, the shop is free again.
    assert import_run_task.call(first.pk) == "succeeded"
    again = import_start(
        actor=None,
        kind="douyin-orders",
        file=path,
        file_name=path.name,
        options={"shop": "抖音旗舰店"},
        run_now=True,
    )
    assert again.status == ImportStatus.SUCCEEDED and again.lock_key == f"shop:{shops['douyin'].pk}"
    assert import_run_task.call(other.pk) == "succeeded"
    assert OrderLine.objects.filter(shop=shops["douyin"]).count() == 20


def test_api_page_and_command_line_say_the_shop_is_busy(shops, douyin_file, personas, client_for):
    path, _frame = douyin_file(5)
    first = _queue(personas["member"], shops["douyin"], path)
    expected = f"An import into this shop is running (run {first.pk})"

    client = client_for("member")
    response = client.post(
        reverse("api-import-runs"),
        {
            "kind": "douyin-orders",
            "file": SimpleUploadedFile("o.csv", path.read_bytes()),
            "shop": "抖音旗舰店",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "import_busy" and expected in response.json()["message"]

    response = client.post(
        reverse("import-douyin-orders"),
        {
            "step": "upload",
            "file": SimpleUploadedFile("o.csv", path.read_bytes()),
            "opt_shop": shops["douyin"].pk,
        },
    )
    assert response.status_code == 200
    # In the member's language (Chinese).
    assert f"该店铺正在进行一次导入（导入任务 #{first.pk}）" in response.context["error"]

    out = io.StringIO()
    with translation.override("en"), pytest.raises(CommandError) as exc:
        call_command(
            "liveops_import", "douyin-orders", str(path), "--shop", "抖音旗舰店", "--json", stdout=out
        )
    assert exc.value.returncode == 1
    result = json.loads(out.getvalue())
    assert result["status"] == "refused" and f"run {first.pk}" in result["error"]
    assert ImportRun.objects.count() == 1  # nothing stored for the refused ones


def test_two_starts_at_the_same_moment_are_kept_apart_by_the_database(
    shops, douyin_file, personas, monkeypatch
):
    path, _frame = douyin_file(5)
    first = _queue(personas["member"], shops["douyin"], path)
    # The second start does not see the first (they raced): the constraint still refuses it.
    monkeypatch.setattr(services, "import_lock_check", lambda key: None)
    with pytest.raises(ImportBusy) as exc:
        _queue(personas["member"], shops["douyin"], path)
    assert f"(run {first.pk})" in str(exc.value.message)
    with pytest.raises(IntegrityError), transaction.atomic():
        ImportRun.objects.create(
            kind="douyin-orders", file_name="x", status="running", lock_key=first.lock_key
        )
    # Finished runs hold no lock.
    ImportRun.objects.create(kind="douyin-orders", file_name="y", status="failed", lock_key=first.lock_key)


def test_the_lock_of_a_dead_run_does_not_block(shops, douyin_file, personas):
    path, _frame = douyin_file(10)
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    dead = ImportRun.objects.create(
        kind="douyin-orders",
        file_name="killed.csv",
        status=ImportStatus.RUNNING,
        lock_key=f"shop:{shops['douyin'].pk}",
        worker=f"{socket.gethostname()}:{proc.pid}:1",
        options={"shop": shops["douyin"].pk, "language": "en"},
    )
    run = import_start(
        actor=None,
        kind="douyin-orders",
        file=path,
        file_name=path.name,
        options={"shop": "抖音旗舰店"},
        run_now=True,
    )
    assert run.status == ImportStatus.SUCCEEDED and run.rows_inserted == 10
    dead.refresh_from_db()
    assert dead.status == ImportStatus.FAILED and "worker stopped" in dead.error


def test_re_running_an_old_run_while_another_holds_the_shop_is_refused(shops, douyin_file, personas):
    from liveops.core.imports.runner import import_execute

    path, _frame = douyin_file(5)
    old = import_start(
        actor=None,
        kind="douyin-orders",
        file=path,
        file_name=path.name,
        options={"shop": "抖音旗舰店"},
        run_now=True,
    )
    holder = _queue(personas["member"], shops["douyin"], path)
    again = import_execute(run=old, actor=None)
    assert again.status == ImportStatus.REFUSED and f"(run {holder.pk})" in again.error


def test_stray_quote_before_the_batches_is_refused_with_its_line(shops, douyin_file):
    path, _frame = douyin_file(3_000)
    data = path.read_bytes()
    at = data.index(b"\n", len(data) // 2) + 1  # the start of a line half-way down
    path.write_bytes(data[:at] + b'"' + data[at:])
    line = data.count(b"\n", 0, at) + 1
    run = import_start(
        actor=None,
        kind="douyin-orders",
        file=path,
        file_name=path.name,
        options={"shop": "抖音旗舰店"},
        run_now=True,
    )
    assert run.status == ImportStatus.REFUSED
    # The export quotes its values, so the stray quote's value is closed by the next quote mark.
    assert f"starts on line {line:,}" in run.error, run.error
    assert "polars" not in run.error and "ComputeError" not in run.error
    assert not OrderLine.objects.exists()
