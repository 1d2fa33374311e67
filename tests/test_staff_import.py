"""The "staff" import kind (HR-1): validation reasons, inserts/updates/unchanged, audit, scope, managers."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

import liveops.org.importers  # noqa: F401  (registers the kind until apps.py does)
from liveops.core.imports.services import import_start, mapping_save
from liveops.core.masking import personal_digest
from liveops.core.models import AuditEntry, DataScope, ImportStatus, Role, RoleCapability, RoleGrant
from liveops.org.models import Department, Position, Staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def imp_env(settings, tmp_path):
    """Messages in these tests are checked in English (the default language is Chinese), and stored
    files, rejects reports and staging go to a temporary data folder."""
    settings.DATA_DIR = tmp_path / "data"
    with translation.override("en"):
        yield


HEADER = "工号,姓名,部门,岗位,邮箱,手机号,身份证号,地址,入职日期,上级工号"


@pytest.fixture
def imp_org(db):
    ec = Department.objects.create(
        code="EC", kind="department", name_zh="电商运营部", name_en="E-commerce Operations", sort_order=1
    )
    hr = Department.objects.create(
        code="HR", kind="department", name_zh="人力资源部", name_en="Human Resources", sort_order=2
    )
    mr = Department.objects.create(
        code="MR", kind="department", name_zh="直播招商部", name_en="Merchant Recruitment", sort_order=3
    )
    Position.objects.create(department=ec, code="ec-op", title_zh="店铺运营", title_en="Shop operator")
    Position.objects.create(department=hr, code="hr-spec", title_zh="人事专员", title_en="HR specialist")
    Position.objects.create(department=mr, code="mr-rec", title_zh="招商专员", title_en="Recruiter")
    return {"EC": ec, "HR": hr, "MR": mr}


@pytest.fixture
def imp_admin(db):
    return get_user_model().objects.create_superuser(
        "imp_admin", "imp_admin@example.com", "Test-password-2026"
    )


def imp_grant(username: str, capabilities: list[str], scope: str = DataScope.COMPANY):
    user = get_user_model().objects.create_user(username, f"{username}@example.com", "Test-password-2026")
    role = Role.objects.create(code=f"imp-{username}", name_zh=username, name_en=username)
    for cap in capabilities:
        RoleCapability.objects.create(role=role, capability=cap)
    RoleGrant.objects.create(role=role, user=user, scope=scope)
    return user


def imp_csv(tmp_path: Path, text: str, name: str = "staff.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def imp_run(actor, path: Path, **kwargs):
    return import_start(actor=actor, kind="staff", file=path, file_name=path.name, run_now=True, **kwargs)


def imp_rejects(run) -> list[dict]:
    with open(run.rejects_path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    return [dict(zip(["line", "column", "value", "reason"], r, strict=True)) for r in rows[1:]]


def test_valid_rows_are_inserted_with_pinyin_and_links(tmp_path, imp_org, imp_admin):
    path = imp_csv(
        tmp_path,
        "\n".join(
            [
                HEADER,
                "E001,张伟,EC,店铺运营,zw@example.com,13800138000,33010619900101123x,杭州,2024-01-05,E002",
                "E002,李娜,电商运营部,ec-op,,138-0013-8001,,,2023/3/1,",
                "E003,王芳,Human Resources,HR specialist,,+8613800138002,,,,E002",
            ]
        )
        + "\n",
    )
    run = imp_run(imp_admin, path)
    assert run.status == ImportStatus.SUCCEEDED, run.error
    assert (run.rows_read, run.rows_inserted, run.rows_rejected) == (3, 3, 0)
    zw = Staff.objects.get(employee_no="E001")
    assert zw.name_pinyin == "zhangwei" and zw.name_initials == "zw"
    assert zw.department == imp_org["EC"] and zw.position.code == "ec-op"
    assert zw.id_number == "33010619900101123X"
    assert str(zw.hired_on) == "2024-01-05"
    # E002 comes after E001 in the file: the link is made once E002 exists.
    assert zw.manager.employee_no == "E002"
    assert Staff.objects.get(employee_no="E002").phone == "13800138001"
    assert Staff.objects.get(employee_no="E003").phone == "13800138002"
    assert Staff.objects.get(employee_no="E003").manager.employee_no == "E002"
    creates = AuditEntry.objects.filter(object_type="org.staff", action="create")
    assert creates.count() == 3
    assert all(e.actor_id == imp_admin.pk for e in creates)


def test_rejects_report_names_line_column_and_reason(tmp_path, imp_org, imp_admin):
    path = imp_csv(
        tmp_path,
        "\n".join(
            [
                HEADER,
                "E001,张伟,EC,,,,,,,",  # 2 ok
                "E002,李娜,XX,,,,,,,",  # 3 unknown department
                "E003,王芳,EC,人事专员,,,,,,",  # 4 position of another department
                "E004,赵磊,EC,,,,,,2024-13-01,",  # 5 bad date
                "E005,钱多,EC,,,1380013800,,,,",  # 6 bad phone
                "E006,孙悦,EC,,not-an-email,,,,,",  # 7 bad email
                "E001,张伟二,EC,,,,,,,",  # 8 duplicate of line 2
                ",无号,EC,,,,,,,",  # 9 missing employee number
                "E007,周周,EC,不存在的岗位,,,,,,",  # 10 unknown position
                "E008,吴吴,EC,,,,,,,E999",  # 11 unknown manager
            ]
        )
        + "\n",
    )
    run = imp_run(imp_admin, path)
    assert run.status == ImportStatus.SUCCEEDED, run.error
    assert (run.rows_read, run.rows_inserted, run.rows_rejected) == (10, 1, 9)
    rejects = {int(r["line"]): r for r in imp_rejects(run)}
    assert set(rejects) == {3, 4, 5, 6, 7, 8, 9, 10, 11}
    assert rejects[3]["column"] == "部门" and "Unknown department" in rejects[3]["reason"]
    assert "another department" in rejects[4]["reason"]
    assert rejects[5]["column"] == "入职日期" and rejects[5]["value"] == "2024-13-01"
    assert rejects[6]["column"] == "手机号" and "11 digits" in rejects[6]["reason"]
    assert rejects[7]["column"] == "邮箱"
    assert rejects[8]["column"] == "工号" and "line 2" in rejects[8]["reason"]
    assert rejects[9]["column"] == "工号" and "required" in rejects[9]["reason"]
    assert "Unknown position" in rejects[10]["reason"]
    assert rejects[11]["column"] == "上级工号"
    assert list(Staff.objects.values_list("employee_no", flat=True)) == ["E001"]


def test_reimport_is_idempotent_and_writes_no_audit(tmp_path, imp_org, imp_admin):
    text = (
        HEADER
        + "\n"
        + "\n".join(f"E{i:03d},员工{i},EC,,,,,,2024-01-01,{'E001' if i > 1 else ''}" for i in range(1, 21))
        + "\n"
    )
    path = imp_csv(tmp_path, text)
    first = imp_run(imp_admin, path)
    assert (first.rows_inserted, first.rows_updated, first.rows_unchanged) == (20, 0, 0)
    audit_before = AuditEntry.objects.filter(object_type="org.staff").count()
    second = imp_run(imp_admin, path)
    assert second.status == ImportStatus.SUCCEEDED
    assert (second.rows_read, second.rows_inserted, second.rows_updated, second.rows_unchanged) == (
        20,
        0,
        0,
        20,
    )
    assert AuditEntry.objects.filter(object_type="org.staff").count() == audit_before


def test_update_logs_before_and_after_and_leaves_absent_columns(tmp_path, imp_org, imp_admin):
    imp_run(
        imp_admin,
        imp_csv(
            tmp_path, HEADER + "\nE001,张伟,EC,,zw@example.com,13800138000,,杭州,,\nE002,李娜,EC,,,,,,,\n"
        ),
    )
    # Second file: only some columns. Email and address are not in it and must stay.
    run = imp_run(
        imp_admin,
        imp_csv(tmp_path, "工号,姓名,部门,手机号\nE001,张伟,HR,13900139000\nE002,李娜,EC,\n", name="b.csv"),
    )
    assert (run.rows_updated, run.rows_unchanged) == (1, 1)
    zw = Staff.objects.get(employee_no="E001")
    assert zw.department == imp_org["HR"] and zw.phone == "13900139000"
    assert zw.email == "zw@example.com" and zw.address == "杭州"
    entry = AuditEntry.objects.filter(object_type="org.staff", action="update", object_id=str(zw.pk)).get()
    # The phone is personal: the log keeps digests of the values (core.masking), not the numbers.
    assert entry.changes["before"] == {
        "department": imp_org["EC"].pk,
        "phone": personal_digest("13800138000"),
    }
    assert entry.changes["after"] == {"department": imp_org["HR"].pk, "phone": personal_digest("13900139000")}


def test_scope_limits_rows_to_reachable_departments(tmp_path, imp_org):
    # An HR officer whose org.change reaches only their own department (HR).
    user = imp_grant("imp_hr", ["org.import"])
    role = Role.objects.create(code="imp-hr-change", name_zh="x", name_en="x")
    RoleCapability.objects.create(role=role, capability="org.change")
    hr_pos = Position.objects.get(code="hr-spec")
    RoleGrant.objects.create(role=role, position=hr_pos, scope=DataScope.DEPARTMENT)
    Staff.objects.create(
        employee_no="H001", name="人事", department=imp_org["HR"], position=hr_pos, user=user
    )
    Staff.objects.create(employee_no="M001", name="招商", department=imp_org["MR"])
    path = imp_csv(tmp_path, "工号,姓名,部门\nH002,新人,HR\nE009,外部门,EC\nM001,招商,HR\n")
    run = imp_run(user, path)
    assert run.status == ImportStatus.SUCCEEDED, run.error
    assert (run.rows_inserted, run.rows_rejected) == (1, 2)
    reasons = {int(r["line"]): r["reason"] for r in imp_rejects(run)}
    assert "may not change staff of this department" in reasons[3]
    assert "works in a department you may not change" in reasons[4]
    assert Staff.objects.get(employee_no="M001").department == imp_org["MR"]


def test_mapping_template_saved_and_reused(tmp_path, imp_org, imp_admin):
    mapping = mapping_save(
        actor=imp_admin,
        kind="staff",
        name="payroll export",
        columns={"员工ID": "employee_no", "员工": "name", "组织": "department"},
    )
    assert AuditEntry.objects.filter(object_type="core.columnmapping", action="create").count() == 1
    path = imp_csv(tmp_path, "员工ID,员工,组织\nP001,张三,EC\n")
    refused = imp_run(imp_admin, path)
    assert refused.status == ImportStatus.REFUSED
    run = imp_run(imp_admin, path, mapping=mapping)
    assert run.status == ImportStatus.SUCCEEDED and run.rows_inserted == 1
    # Saving again under the same name replaces the template (audited as an update).
    mapping_save(actor=imp_admin, kind="staff", name="payroll export", columns={"工号X": "employee_no"})
    mapping.refresh_from_db()
    assert mapping.columns == {"工号X": "employee_no"}
    assert AuditEntry.objects.filter(object_type="core.columnmapping", action="update").count() == 1


def test_manager_later_in_file_across_batches(tmp_path, imp_org, imp_admin, settings):
    settings.LIVEOPS_IMPORT_BATCH_ROWS = 2
    rows = [f"E{i:03d},员工{i},EC,,,,,,,E010" for i in range(1, 10)] + ["E010,经理,EC,,,,,,,"]
    run = imp_run(imp_admin, imp_csv(tmp_path, HEADER + "\n" + "\n".join(rows) + "\n"))
    assert run.status == ImportStatus.SUCCEEDED and run.rows_inserted == 10
    boss = Staff.objects.get(employee_no="E010")
    assert Staff.objects.filter(manager=boss).count() == 9
    again = imp_run(imp_admin, imp_csv(tmp_path, HEADER + "\n" + "\n".join(rows) + "\n", name="again.csv"))
    assert again.rows_unchanged == 10
