"""The import framework: readers (encodings, XLSX, odd headers and cells, line numbers), refusals
(size, zip bombs, missing columns), counts, CLI, pages, API and permissions. Uses the "staff" kind."""

from __future__ import annotations

import csv
import io
import json
import threading
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

import liveops.org.importers  # noqa: F401  (registers the kind until apps.py does)
from liveops.core.errors import NotAllowed
from liveops.core.imports.readers import LINE, ImportRefused, open_table
from liveops.core.imports.registry import import_kind_get, import_kinds
from liveops.core.imports.services import import_start, mapping_save
from liveops.core.imports.tasks import import_run_task
from liveops.core.models import (
    AuditEntry,
    ColumnMapping,
    DataScope,
    ImportRun,
    ImportStatus,
    Role,
    RoleCapability,
    RoleGrant,
)
from liveops.org.models import Department, Position, Staff

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("imp_data")]


PASSWORD = "Test-password-2026"


@pytest.fixture
def imp_org(db):
    ec = Department.objects.create(
        code="EC", kind="department", name_zh="电商运营部", name_en="E-commerce Operations", sort_order=1
    )
    hr = Department.objects.create(
        code="HR", kind="department", name_zh="人力资源部", name_en="Human Resources", sort_order=2
    )
    Position.objects.create(department=ec, code="ec-op", title_zh="店铺运营", title_en="Shop operator")
    return {"EC": ec, "HR": hr}


@pytest.fixture
def imp_admin(db):
    return get_user_model().objects.create_superuser("imp_admin", "imp_admin@example.com", PASSWORD)


@pytest.fixture
def imp_plain(db):
    """A signed-in user with no capability at all."""
    return get_user_model().objects.create_user("imp_plain", "imp_plain@example.com", PASSWORD)


def imp_importer(username: str = "imp_hr"):
    """A user holding org.import and org.change over the whole company, but not core.jobs_view."""
    user = get_user_model().objects.create_user(username, f"{username}@example.com", PASSWORD)
    role = Role.objects.create(code=f"imp-{username}", name_zh=username, name_en=username)
    for cap in ("org.import", "org.change"):
        RoleCapability.objects.create(role=role, capability=cap)
    RoleGrant.objects.create(role=role, user=user, scope=DataScope.COMPANY)
    return user


def imp_file(tmp_path: Path, text: str, *, encoding: str = "utf-8", name: str = "staff.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def imp_xlsx(tmp_path: Path, rows: list[list], name: str = "staff.xlsx") -> Path:
    path = tmp_path / name
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                ws.write(r, c, value)
    wb.close()
    return path


def imp_run(actor, path: Path, **kwargs) -> ImportRun:
    return import_start(actor=actor, kind="staff", file=path, file_name=path.name, run_now=True, **kwargs)


def imp_rejects(run: ImportRun) -> list[list[str]]:
    with open(run.rejects_path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))[1:]


def imp_counts_add_up(run: ImportRun) -> bool:
    return run.rows_read == run.rows_inserted + run.rows_updated + run.rows_unchanged + run.rows_rejected


SAMPLE = "工号,姓名,部门\nE001,张伟,EC\nE002,李娜,人力资源部\n"


# Readers ---------------------------------------------------------------------------------------


def test_registry_lists_staff():
    assert import_kind_get("staff") is not None
    assert "staff" in [k.code for k in import_kinds()]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_encodings(tmp_path, imp_org, imp_admin, encoding):
    run = imp_run(imp_admin, imp_file(tmp_path, SAMPLE, encoding=encoding))
    assert run.status == ImportStatus.SUCCEEDED, run.error
    assert run.rows_inserted == 2
    assert set(Staff.objects.values_list("name", flat=True)) == {"张伟", "李娜"}


def test_gbk_after_a_long_ascii_start(tmp_path, imp_org, imp_admin):
    # The sample looks like UTF-8; the Chinese comes later: the reader must notice and switch to GB18030.
    filler = "".join(f"A{i:05d},Person{i},EC\n" for i in range(8000))
    run = imp_run(
        imp_admin, imp_file(tmp_path, "工号,姓名,部门\n" + filler + "Z0001,王芳,EC\n", encoding="gbk")
    )
    assert run.status == ImportStatus.SUCCEEDED, run.error
    assert Staff.objects.get(employee_no="Z0001").name == "王芳"


def test_xlsx_with_numbers_and_dates(tmp_path, imp_org, imp_admin):
    path = imp_xlsx(
        tmp_path,
        [
            ["工号 ", "姓名", "部门", "手机号", "入职日期"],
            [1001, "张伟", "EC", 13800138000, "2024/01/05"],
            [None, None, None, None, None],
            ["1002", "李娜", "HR", None, None],
        ],
    )
    run = imp_run(imp_admin, path)
    assert run.status == ImportStatus.SUCCEEDED, run.error
    assert (run.rows_read, run.rows_inserted) == (2, 2)
    zw = Staff.objects.get(employee_no="1001")
    assert zw.phone == "13800138000" and str(zw.hired_on) == "2024-01-05"


def test_headers_with_spaces_and_id_wrappers(tmp_path, imp_org, imp_admin):
    text = '\ufeff 工号 ,姓名\t,部门  ,手机号 ,地址\n="0012",张伟,EC,\t13800138000,-\n\'0013,李娜,EC,="13800138001",杭州\n'
    run = imp_run(imp_admin, imp_file(tmp_path, text))
    assert run.status == ImportStatus.SUCCEEDED, run.error
    a, b = Staff.objects.get(employee_no="0012"), Staff.objects.get(employee_no="0013")
    assert a.phone == "13800138000" and a.address == ""  # "-" means empty
    assert b.phone == "13800138001" and b.address == "杭州"


def test_quoted_newlines_keep_physical_line_numbers(tmp_path, imp_org, imp_admin):
    text = '工号,姓名,部门,地址\nE001,张伟,EC,"第一行\n第二行\n第三行"\nE002,李娜,XX,\n\nE003,王芳,YY,\n'
    run = imp_run(imp_admin, imp_file(tmp_path, text))
    assert run.status == ImportStatus.SUCCEEDED, run.error
    assert Staff.objects.get(employee_no="E001").address == "第一行\n第二行\n第三行"
    lines = [int(r[0]) for r in imp_rejects(run)]
    assert lines == [5, 7]  # E002 starts on line 5 (E001 spans 2–4); line 6 is blank
    assert (run.rows_read, run.rows_inserted, run.rows_rejected) == (3, 1, 2)


def test_reader_batches_carry_line_numbers(tmp_path):
    path = imp_file(tmp_path, 'a,b\n1,"x\ny"\n2,z\n3,"p\nq"\n4,w\n')
    with open_table(path) as reader:
        lines = [n for frame in reader.batches(2) for n in frame.get_column(LINE).to_list()]
    assert lines == [2, 4, 5, 7]


# Refusals --------------------------------------------------------------------------------------


def test_missing_required_columns_refused_and_nothing_written(tmp_path, imp_org, imp_admin):
    audit_before = AuditEntry.objects.filter(object_type="org.staff").count()
    run = imp_run(imp_admin, imp_file(tmp_path, "工号,手机号\nE001,13800138000\n"))
    assert run.status == ImportStatus.REFUSED
    assert "姓名" in run.error or "Name" in run.error or "name" in run.error
    assert "department" in run.error
    assert run.rows_read == 0 and not run.rejects_path
    assert not Staff.objects.exists()
    assert AuditEntry.objects.filter(object_type="org.staff").count() == audit_before


def test_wrong_files_refused(tmp_path, imp_org, imp_admin):
    for name, data in [
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100),
        ("binary.csv", b"\x00\x01\x02\x03" * 100),
        ("empty.csv", b""),
    ]:
        path = tmp_path / name
        path.write_bytes(data)
        run = imp_run(imp_admin, path)
        assert run.status == ImportStatus.REFUSED, name
        assert run.error
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "hello")
    (tmp_path / "a.zip").write_bytes(buf.getvalue())
    assert imp_run(imp_admin, tmp_path / "a.zip").status == ImportStatus.REFUSED


def test_size_limit_refused_before_reading(tmp_path, imp_org, imp_admin, settings):
    settings.LIVEOPS_IMPORT_MAX_BYTES = 100
    path = imp_file(tmp_path, SAMPLE + "E003,王芳,EC\n" * 20)
    with pytest.raises(ImportRefused) as exc:
        imp_run(imp_admin, path)
    assert "too large" in str(exc.value)
    assert not ImportRun.objects.exists()
    # An upload without a declared size is cut off while streaming.
    upload = SimpleUploadedFile("big.csv", path.read_bytes())
    upload.size = None
    with pytest.raises(ImportRefused):
        import_start(actor=imp_admin, kind="staff", file=upload, file_name="big.csv", run_now=True)
    assert not ImportRun.objects.exists()


def test_zip_bomb_refused(tmp_path, imp_org, imp_admin, settings):
    settings.LIVEOPS_IMPORT_MAX_UNCOMPRESSED_BYTES = 2 * 1024 * 1024
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("xl/worksheets/sheet1.xml", "w") as member:
            for _ in range(8):
                member.write(b"\0" * (1024 * 1024))
    assert path.stat().st_size < 100 * 1024
    run = imp_run(imp_admin, path)
    assert run.status == ImportStatus.REFUSED
    assert "unpacks" in run.error


def _workbook_with_stray_cell(path, row: int, column: int):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "部门"])
    ws.append(["张三", "EC"])
    ws.cell(row=row, column=column, value="x")
    wb.save(path)
    return path


def test_sparse_workbook_refused_before_the_reader_allocates_its_grid(tmp_path, imp_org, imp_admin):
    """A few-KB workbook with one cell at XFD1048576 would make the reader allocate 512 GB and kill the
    process; it is refused (by the sheet's extent), naming rows and columns."""
    path = _workbook_with_stray_cell(tmp_path / "sparse.xlsx", 1_048_576, 16_384)
    assert path.stat().st_size < 20 * 1024
    run = imp_run(imp_admin, path)
    assert run.status == ImportStatus.REFUSED
    assert "1,048,576" in run.error and "16,384" in run.error


@pytest.mark.parametrize(
    ("row", "column", "refused"),
    [(2, 2, False), (100_000, 2, False), (2, 16_000, False), (200_001, 200, True), (1_000_000, 41, True)],
)
def test_sheet_extent_limit(tmp_path, settings, row, column, refused):
    """The limit is on rows × columns of the grid the reader builds (here 40 million cells)."""
    from liveops.core.imports.readers import ImportRefused, check_sheet_extent

    settings.LIVEOPS_IMPORT_MAX_XLSX_CELLS = 40_000_000
    path = _workbook_with_stray_cell(tmp_path / "s.xlsx", row, column)
    if refused:
        with pytest.raises(ImportRefused):
            check_sheet_extent(path)
    else:
        check_sheet_extent(path)


@pytest.mark.parametrize("digits", ["1", "9", "10", "615384", "999999", "1000000"])
def test_the_bigger_than_pattern_matches_exactly_the_bigger_numbers(digits):
    import re

    from liveops.core.imports.readers import _above

    pattern = re.compile(_above(digits, "0123456789") + "$")
    n = int(digits)
    for candidate in {n - 1, n, n + 1, n * 10, max(n // 10, 1), 1, 99_999_999}:
        if candidate > 0:
            assert bool(pattern.match(str(candidate))) == (candidate > n), candidate


# Counts ----------------------------------------------------------------------------------------


_VALID = st.tuples(st.just("ok"), st.sampled_from(["EC", "HR", "电商运营部"]))
_INVALID = st.sampled_from(["no_dept", "bad_phone", "no_name", "dup", "bad_date"])


@hsettings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rows=st.lists(st.one_of(_VALID, _INVALID), min_size=1, max_size=30),
    batch=st.integers(min_value=1, max_value=7),
)
def test_counts_always_add_up(tmp_path, imp_org, imp_admin, settings, rows, batch):
    settings.LIVEOPS_IMPORT_BATCH_ROWS = batch
    lines = ["工号,姓名,部门,手机号,入职日期"]
    for i, row in enumerate(rows):
        no = f"H{i:04d}"
        if isinstance(row, tuple):
            lines.append(f"{no},员工{i},{row[1]},13800138000,2024-01-01")
        elif row == "no_dept":
            lines.append(f"{no},员工{i},NOPE,,")
        elif row == "bad_phone":
            lines.append(f"{no},员工{i},EC,12345,")
        elif row == "no_name":
            lines.append(f"{no},,EC,,")
        elif row == "dup":
            lines.append(f"H{max(i - 1, 0):04d},员工{i},EC,,")
        else:
            lines.append(f"{no},员工{i},EC,,2024-02-30")
    run = imp_run(imp_admin, imp_file(tmp_path, "\n".join(lines) + "\n", name="h.csv"))
    assert run.status == ImportStatus.SUCCEEDED, run.error
    assert run.rows_read == len(rows)
    assert imp_counts_add_up(run)


# Permissions -----------------------------------------------------------------------------------


def test_user_without_capability_is_refused(tmp_path, imp_org, imp_plain):
    with pytest.raises(NotAllowed):
        imp_run(imp_plain, imp_file(tmp_path, SAMPLE))
    with pytest.raises(NotAllowed):
        mapping_save(actor=imp_plain, kind="staff", name="x", columns={"a": "name"})
    client = Client()
    client.force_login(imp_plain)
    assert client.get(reverse("import-staff")).status_code == 403
    assert client.get(reverse("import-new", args=["staff"])).status_code == 403
    response = client.post(
        reverse("api-import-runs"), {"kind": "staff", "file": SimpleUploadedFile("s.csv", SAMPLE.encode())}
    )
    assert response.status_code == 403
    response = client.post(
        reverse("api-import-staff"), {"file": SimpleUploadedFile("s.csv", SAMPLE.encode())}
    )
    assert response.status_code == 403
    assert not ImportRun.objects.exists()


def test_runs_are_scoped_to_their_starter(tmp_path, imp_org, imp_admin, imp_plain):
    run = imp_run(imp_admin, imp_file(tmp_path, SAMPLE))
    client = Client()
    client.force_login(imp_plain)
    assert client.get(reverse("job-detail", args=[run.pk])).status_code == 404
    assert client.get(reverse("api-import-run", args=[run.pk])).status_code == 404
    assert client.get(reverse("api-import-runs")).json()["results"] == []
    assert Client().get(reverse("jobs")).status_code == 302  # anonymous → login


# CLI -------------------------------------------------------------------------------------------


def test_cli_json(tmp_path, imp_org, imp_admin):
    path = imp_file(tmp_path, SAMPLE + "E003,王芳,XX\n")
    out = io.StringIO()
    call_command("liveops_import", "staff", str(path), "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert set(data) == {
        "run_id",
        "kind",
        "status",
        "outcome",
        "rows_read",
        "inserted",
        "updated",
        "unchanged",
        "rejected",
        "rejects_path",
        "error",
    }
    assert (data["status"], data["rows_read"], data["inserted"], data["rejected"]) == ("succeeded", 3, 2, 1)
    assert data["outcome"] == "succeeded_with_rejects"
    assert Path(data["rejects_path"]).is_file()
    assert ImportRun.objects.get(pk=data["run_id"]).created_by == imp_admin

    out = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command(
            "liveops_import",
            "staff",
            str(imp_file(tmp_path, "a,b\n1,2\n", name="bad.csv")),
            "--json",
            stdout=out,
        )
    assert exc.value.returncode == 1
    assert json.loads(out.getvalue())["status"] == "refused"


def test_cli_as_system_and_mapping(tmp_path, imp_org):
    mapping_save(
        actor=None,
        kind="staff",
        name="hr-export",
        columns={"员工ID": "employee_no", "员工": "name", "组织": "department"},
    )
    out = io.StringIO()
    call_command(
        "liveops_import",
        "staff",
        str(imp_file(tmp_path, "员工ID,员工,组织\nS1,张三,EC\n")),
        "--json",
        "--mapping",
        "hr-export",
        stdout=out,
    )
    data = json.loads(out.getvalue())
    assert data["status"] == "succeeded" and data["inserted"] == 1
    assert AuditEntry.objects.filter(object_type="org.staff").get().actor_label == "system"


# Pages -----------------------------------------------------------------------------------------


def test_upload_page_and_progress(tmp_path, imp_org):
    user = imp_importer()
    client = Client()
    client.force_login(user)
    assert client.get(reverse("import-staff")).status_code == 200
    response = client.post(
        reverse("import-staff"), {"step": "upload", "file": SimpleUploadedFile("s.csv", SAMPLE.encode())}
    )
    assert response.status_code == 302
    run = ImportRun.objects.get()
    assert response["Location"] == reverse("job-detail", args=[run.pk])
    assert run.status == ImportStatus.QUEUED and run.task_id and run.created_by == user
    detail = client.get(response["Location"])
    assert detail.status_code == 200
    assert b'hx-trigger="every 1s"' in detail.content and b"progress-bar" in detail.content
    # The worker runs it; the fragment then stops polling and offers nothing to download (no rejects).
    assert import_run_task.call(run.pk) == "succeeded"
    fragment = client.get(reverse("job-progress", args=[run.pk]))
    assert fragment.status_code == 200 and b"every 1s" not in fragment.content and b"100%" in fragment.content
    listing = client.get(reverse("jobs"))
    assert listing.status_code == 200 and b"s.csv" in listing.content
    assert b"<script>" not in listing.content


def test_upload_with_column_mapping_step(tmp_path, imp_org):
    user = imp_importer()
    client = Client()
    client.force_login(user)
    body = "员工ID,员工,组织\nM1,张三,EC\nM2,李四,XX\n".encode()
    response = client.post(
        reverse("import-staff"), {"step": "upload", "file": SimpleUploadedFile("m.csv", body)}
    )
    assert response.status_code == 200 and b"map_employee_no" in response.content
    token = response.context["form"].initial["token"]
    response = client.post(
        reverse("import-staff"),
        {
            "step": "map",
            "token": token,
            "map_employee_no": "员工ID",
            "map_name": "员工",
            "map_department": "组织",
            "save_as": "hris",
        },
    )
    assert response.status_code == 302
    run = ImportRun.objects.get()
    assert (
        run.mapping.name == "hris"
        and ColumnMapping.objects.get(name="hris").columns["员工ID"] == "employee_no"
    )
    import_run_task.call(run.pk)
    run.refresh_from_db()
    assert (run.status, run.rows_inserted, run.rows_rejected) == (ImportStatus.SUCCEEDED, 1, 1)
    rejects = client.get(reverse("job-rejects", args=[run.pk]))
    assert rejects.status_code == 200
    content = b"".join(rejects.streaming_content).decode("utf-8-sig")
    assert "3,组织,XX," in content
    # The saved template now matches the same file without the mapping step.
    mapping = ColumnMapping.objects.get(name="hris")
    response = client.post(
        reverse("import-staff"),
        {"step": "upload", "file": SimpleUploadedFile("m.csv", body), "mapping": mapping.pk},
    )
    assert response.status_code == 302


# API -------------------------------------------------------------------------------------------


def test_api_upload_and_detail(tmp_path, imp_org):
    user = imp_importer()
    client = Client()
    client.force_login(user)
    response = client.post(
        reverse("api-import-runs"),
        {"kind": "staff", "file": SimpleUploadedFile("s.csv", (SAMPLE + "E9,x,XX\n").encode())},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "queued" and body["percent"] == 0 and body["kind"] == "staff"
    import_run_task.call(body["id"])
    detail = client.get(reverse("api-import-run", args=[body["id"]])).json()
    assert (detail["status"], detail["percent"], detail["inserted"], detail["rejected"]) == (
        "succeeded",
        100,
        2,
        1,
    )
    assert detail["rejects_url"].endswith(reverse("job-rejects", args=[body["id"]]))
    response = client.post(
        reverse("api-import-staff"), {"file": SimpleUploadedFile("s.csv", SAMPLE.encode())}
    )
    assert response.status_code == 201
    listing = client.get(reverse("api-import-runs")).json()
    assert len(listing["results"]) == 2


def test_api_schema_is_valid(imp_admin):
    client = Client()
    client.force_login(imp_admin)
    response = client.get(reverse("api-schema"), {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/imports/" in paths and "/api/v1/imports/kinds/staff/" in paths


def test_every_import_route_declares_permission():
    from django.urls import get_resolver

    from liveops.core.duties import view_duties

    resolver = get_resolver()
    names = {"jobs", "job-detail", "job-progress", "job-rejects", "import-new", "import-staff"}
    found = {}
    for name in names:
        callback = resolver.reverse_dict.getlist(name)
        assert callback, name
    for pattern in get_resolver("liveops.core.imports.urls").url_patterns:
        found[pattern.name] = getattr(pattern.callback, "liveops_capabilities", None)
    assert all(found[n] for n in names), found
    assert found["import-staff"] == ("org.import",)
    staff_view = next(
        p.callback for p in get_resolver("liveops.core.imports.urls").url_patterns if p.name == "import-staff"
    )
    assert view_duties(staff_view)[0] == ("HR-1",)


# Read-ahead ------------------------------------------------------------------------------------


def _many_rows(count: int) -> str:
    lines = ["工号,姓名,部门,手机号,入职日期"]
    for i in range(count):
        dept = "NOPE" if i % 7 == 3 else "EC"  # every seventh row rejected
        lines.append(f"R{i:04d},员工{i},{dept},13800138000,2024-01-01")
    return "\n".join(lines) + "\n"


def test_read_ahead_gives_the_same_result_as_reading_in_turn(tmp_path, imp_org, imp_admin, settings):
    settings.LIVEOPS_IMPORT_BATCH_ROWS = 4
    path = imp_file(tmp_path, _many_rows(30), name="r.csv")
    outcomes = []
    for read_ahead in (False, True):
        settings.LIVEOPS_IMPORT_READ_AHEAD = read_ahead
        Staff.objects.all().delete()
        run = imp_run(imp_admin, path)
        assert run.status == ImportStatus.SUCCEEDED, run.error
        outcomes.append((run.rows_read, run.rows_inserted, run.rows_rejected, imp_rejects(run)))
    assert outcomes[0] == outcomes[1]
    assert outcomes[1][:3] == (30, 26, 4)


def test_a_batch_that_fails_to_write_stops_the_read_ahead(
    tmp_path, imp_org, imp_admin, settings, monkeypatch
):
    """The error ends the run as failed; batches written before it stay (each is its own
    transaction), and the read-ahead thread is gone."""
    from liveops.org.importers import StaffImport

    settings.LIVEOPS_IMPORT_BATCH_ROWS = 4
    real_upsert = StaffImport.upsert
    calls = []

    def upsert(self, valid, *, run, actor):
        calls.append(valid.height)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real_upsert(self, valid, run=run, actor=actor)

    monkeypatch.setattr(StaffImport, "upsert", upsert)
    run = imp_run(imp_admin, imp_file(tmp_path, _many_rows(30), name="f.csv"))
    assert run.status == ImportStatus.FAILED
    assert "disk full" in run.error
    assert len(calls) == 2
    assert Staff.objects.filter(employee_no__startswith="R").count() == calls[0]
    assert not [t for t in threading.enumerate() if t.name == "import-read-ahead"]
