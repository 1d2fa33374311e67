"""The "staff" import (HR-1): bring the staff list from a spreadsheet into the org chart.

Rows are matched on the employee number: new numbers are hired, known ones updated, identical ones
left alone, so the same file can be imported again safely. Only the columns present in the file are
written (a file with just 工号 and 手机号 updates phones and nothing else); an empty cell in a
present column clears the value. Departments are found by code or by Chinese/English name,
positions by code or title within the row's department, line managers by employee number (in the
database or anywhere in the same file). The importer may only touch departments its actor's
``org.change`` scope reaches, for the new department and for the person's current one.
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liveops.core.access import ALL
from liveops.core.audit import snapshot
from liveops.core.imports.readers import LINE
from liveops.core.imports.registry import (
    CREATE,
    UPDATE,
    Field,
    ImportKind,
    audit_bulk,
    changes_update,
    import_kind_register,
    reject_where,
    split,
)
from liveops.core.models import ImportRun
from liveops.core.navigation import TOOLS, nav_register
from liveops.org.models import Department, Position, Staff
from liveops.org.services import staff_names

_IN_CHUNK = 900  # stays under SQLite's limit on query parameters
_PENDING = object()  # manager further down the file: linked once it exists

# File field → Staff attribute it writes.
_ATTRS = {
    "employee_no": "employee_no",
    "name": "name",
    "name_en": "name_en",
    "department": "department_id",
    "position": "position_id",
    "email": "email",
    "phone": "phone",
    "id_number": "id_number",
    "address": "address",
    "hired_on": "hired_on",
    "manager_employee_no": "manager_id",
}
_NULLABLE = {"department_id", "position_id", "hired_on", "manager_id"}


def _chunks(values: list, size: int = _IN_CHUNK):
    for i in range(0, len(values), size):
        yield values[i : i + size]


@import_kind_register
class StaffImport(ImportKind):
    """Staff list (HR-1): 工号, 姓名, 部门 required; 岗位, 邮箱, 手机号, 身份证号, 地址, 入职日期, 上级工号 optional."""

    code = "staff"
    label = gettext_lazy("Staff")
    capability = "org.import"
    natural_key = ("employee_no",)
    duties = ("HR-1",)
    wants_file_keys = True
    fields: ClassVar[tuple[Field, ...]] = (
        Field(
            "employee_no",
            gettext_lazy("Employee number"),
            required=True,
            id_like=True,
            max_length=20,
            aliases=(
                "工号",
                "员工编号",
                "员工工号",
                "员工号",
                "编号",
                "employee no",
                "employee no.",
                "emp no",
                "staff no",
            ),
        ),
        Field(
            "name",
            gettext_lazy("Name"),
            required=True,
            max_length=60,
            aliases=("姓名", "员工姓名", "名字", "full name"),
        ),
        Field(
            "department",
            gettext_lazy("Department"),
            required=True,
            aliases=("部门", "所属部门", "部门名称", "部门编码", "dept", "department code"),
        ),
        Field(
            "position",
            gettext_lazy("Position"),
            aliases=("岗位", "职位", "岗位名称", "职务", "title", "job title"),
        ),
        Field("name_en", gettext_lazy("English name"), max_length=80, aliases=("英文名", "英文姓名")),
        Field(
            "email",
            gettext_lazy("Email"),
            max_length=254,
            aliases=("邮箱", "电子邮箱", "邮件", "e-mail", "mail"),
        ),
        Field(
            "phone",
            gettext_lazy("Mobile phone"),
            id_like=True,
            aliases=("手机号", "手机", "手机号码", "联系电话", "电话", "mobile", "phone number"),
        ),
        Field(
            "id_number",
            gettext_lazy("ID number"),
            id_like=True,
            aliases=("身份证号", "身份证", "身份证号码", "证件号码", "id no"),
        ),
        Field(
            "address",
            gettext_lazy("Address"),
            max_length=200,
            aliases=("地址", "住址", "家庭住址", "联系地址"),
        ),
        Field("hired_on", gettext_lazy("Hired on"), aliases=("入职日期", "入职时间", "hire date", "hired")),
        Field(
            "manager_employee_no",
            gettext_lazy("Manager employee number"),
            id_like=True,
            max_length=20,
            aliases=("上级工号", "直属上级工号", "主管工号", "经理工号", "manager no", "manager"),
        ),
    )

    def prepare(self) -> None:
        # The org tree and positions are small tables: load them once as lookup frames.
        depts = list(
            Department.objects.filter(is_active=True).values_list("id", "code", "name_zh", "name_en")
        )
        keys: list[tuple[str, int, int]] = []  # (key, department id, priority: code first)
        for dept_id, code, name_zh, name_en in depts:
            for priority, key in enumerate((code, name_zh, name_en)):
                if key:
                    keys.append((key.strip().casefold(), dept_id, priority))
        self.dept_lookup = (
            pl.DataFrame(
                keys, schema={"__dk": pl.String, "department_id": pl.Int64, "__prio": pl.Int64}, orient="row"
            )
            .sort("__prio")
            .unique("__dk", keep="first", maintain_order=True)
            .drop("__prio")
        )
        positions = list(Position.objects.values_list("id", "department_id", "code", "title_zh", "title_en"))
        pkeys: list[tuple[int, str, int, int]] = []
        for pos_id, dept_id, code, title_zh, title_en in positions:
            for priority, key in enumerate((code, title_zh, title_en)):
                if key:
                    pkeys.append((dept_id, key.strip().casefold(), pos_id, priority))
        self.pos_lookup = (
            pl.DataFrame(
                pkeys,
                schema={
                    "department_id": pl.Int64,
                    "__pk": pl.String,
                    "position_id": pl.Int64,
                    "__prio": pl.Int64,
                },
                orient="row",
            )
            .sort("__prio")
            .unique(["department_id", "__pk"], keep="first", maintain_order=True)
            .drop("__prio")
        )
        self.pos_keys_anywhere = self.pos_lookup.get_column("__pk").unique()
        self.pos_department = {pos_id: dept_id for pos_id, dept_id, *_rest in positions}
        self.scope = self.access.department_ids("org.change")
        self.deferred: list[tuple[int, str]] = []  # (staff id, manager employee number)

    # Validation (vectorised) ------------------------------------------------------------------

    def validate(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Resolve departments, positions and managers and check formats; every problem is a reject."""
        f = frame.with_columns(pl.col("department").str.strip_chars().str.to_lowercase().alias("__dk"))
        f = f.join(self.dept_lookup, on="__dk", how="left", maintain_order="left")
        f = f.with_columns(pl.col("position").str.strip_chars().str.to_lowercase().alias("__pk"))
        f = f.join(self.pos_lookup, on=["department_id", "__pk"], how="left", maintain_order="left")
        f = self._with_existing(f)
        phone = pl.col("phone").str.replace_all(r"[\s\-]", "").str.replace(r"^\+?86(1\d{10})$", "$1")
        date = pl.coalesce(
            [
                pl.col("hired_on").str.to_date(fmt, strict=False)
                for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d")
            ]
        )
        f = f.with_columns(
            phone.alias("__phone"),
            date.alias("__hired"),
            pl.col("id_number").str.to_uppercase().alias("__idn"),
            self._manager_known(f).alias("__mgr_known"),
        )
        rejects = [
            reject_where(
                f,
                pl.col("department_id").is_null(),
                column="department",
                reason=_("Unknown department: use its code or its Chinese or English name."),
            ),
            reject_where(
                f,
                pl.col("position").is_not_null()
                & pl.col("position_id").is_null()
                & pl.col("__pk").is_in(self.pos_keys_anywhere.implode())
                & pl.col("department_id").is_not_null(),
                column="position",
                reason=_("The position belongs to another department."),
            ),
            reject_where(
                f,
                pl.col("position").is_not_null() & ~pl.col("__pk").is_in(self.pos_keys_anywhere.implode()),
                column="position",
                reason=_("Unknown position."),
            ),
            reject_where(
                f,
                pl.col("hired_on").is_not_null() & pl.col("__hired").is_null(),
                column="hired_on",
                reason=_("Not a date: write it as YYYY-MM-DD or YYYY/MM/DD."),
            ),
            reject_where(
                f,
                pl.col("phone").is_not_null() & ~pl.col("__phone").str.contains(r"^1\d{10}$"),
                column="phone",
                reason=_("Not a mobile number: 11 digits starting with 1."),
            ),
            reject_where(
                f,
                pl.col("email").is_not_null() & ~pl.col("email").str.contains(r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
                column="email",
                reason=_("Not an email address."),
            ),
            reject_where(
                f,
                pl.col("id_number").is_not_null() & ~pl.col("__idn").str.contains(r"^(\d{17}[\dX]|\d{15})$"),
                column="id_number",
                reason=_("Not an ID number: 18 characters (or 15 digits)."),
            ),
            reject_where(
                f,
                pl.col("manager_employee_no") == pl.col("employee_no"),
                column="manager_employee_no",
                reason=_("A person cannot be their own line manager."),
            ),
            reject_where(
                f,
                pl.col("manager_employee_no").is_not_null()
                & ~pl.col("__mgr_known")
                & (pl.col("manager_employee_no") != pl.col("employee_no")),
                column="manager_employee_no",
                reason=_("Unknown manager: no staff member or row in this file has this employee number."),
            ),
        ]
        if self.scope is not ALL:
            reach = pl.Series(sorted(self.scope), dtype=pl.Int64).implode()
            rejects += [
                reject_where(
                    f,
                    pl.col("department_id").is_not_null() & ~pl.col("department_id").is_in(reach),
                    column="department",
                    reason=_("You may not change staff of this department."),
                ),
                reject_where(
                    f,
                    pl.col("__current_dept").is_not_null() & ~pl.col("__current_dept").is_in(reach),
                    column="employee_no",
                    reason=_("This person works in a department you may not change."),
                ),
            ]
        valid, all_rejects = split(f, rejects)
        valid = valid.select(
            "employee_no",
            "name",
            "name_en",
            "department_id",
            "position_id",
            "email",
            pl.col("__phone").alias("phone"),
            pl.col("__idn").alias("id_number"),
            "address",
            pl.col("__hired").alias("hired_on"),
            "manager_employee_no",
            LINE,
        )
        return self._with_names(valid), all_rejects

    def _with_existing(self, f: pl.DataFrame) -> pl.DataFrame:
        """Add ``__current_dept``: the department of people already on file (one query per 900 rows)."""
        keys = f.get_column("employee_no").drop_nulls().unique().to_list()
        rows: list[tuple[str, int]] = []
        for chunk in _chunks(keys):
            rows += list(
                Staff.objects.filter(employee_no__in=chunk).values_list("employee_no", "department_id")
            )
        existing = pl.DataFrame(
            rows, schema={"employee_no": pl.String, "__current_dept": pl.Int64}, orient="row"
        )
        return f.join(existing, on="employee_no", how="left", maintain_order="left")

    def _manager_known(self, f: pl.DataFrame) -> pl.Expr:
        wanted = f.get_column("manager_employee_no").drop_nulls().unique().to_list()
        in_db: list[str] = []
        for chunk in _chunks(wanted):
            in_db += list(Staff.objects.filter(employee_no__in=chunk).values_list("employee_no", flat=True))
        known = pl.Series(in_db, dtype=pl.String)
        if self.file_keys is not None:
            known = pl.concat([known, self.file_keys.cast(pl.String)])
        return pl.col("manager_employee_no").is_in(known.implode())

    @staticmethod
    def _with_names(valid: pl.DataFrame) -> pl.DataFrame:
        # Pinyin per distinct name (pypinyin is Python; names repeat a lot less than rows do).
        names = valid.get_column("name").unique().to_list()
        derived = [staff_names(n) for n in names]
        lookup = pl.DataFrame(
            {
                "name": names,
                "name_pinyin": [d["name_pinyin"][:200] for d in derived],
                "name_initials": [d["name_initials"][:40] for d in derived],
            },
            schema={"name": pl.String, "name_pinyin": pl.String, "name_initials": pl.String},
        )
        return valid.join(lookup, on="name", how="left", maintain_order="left")

    # Writing (bulk) ---------------------------------------------------------------------------

    def _attrs(self) -> list[str]:
        attrs = [_ATTRS[f] for f in _ATTRS if f in self.present or f in ("employee_no", "name", "department")]
        return [*attrs, "name_pinyin", "name_initials"]

    def upsert(self, valid: pl.DataFrame, *, run: ImportRun, actor) -> tuple[int, int, int]:
        """Insert new employee numbers, update changed people, count the rest as unchanged."""
        attrs = self._attrs()
        keys = valid.get_column("employee_no").to_list()
        existing: dict[str, Staff] = {}
        for chunk in _chunks(keys):
            existing.update({s.employee_no: s for s in Staff.objects.filter(employee_no__in=chunk)})
        manager_nos = valid.get_column("manager_employee_no").drop_nulls().unique().to_list()
        manager_ids: dict[str, int] = {}
        for chunk in _chunks(manager_nos):
            manager_ids.update(
                dict(Staff.objects.filter(employee_no__in=chunk).values_list("employee_no", "id"))
            )
        new_keys = set(keys) - set(existing)

        creates: list[Staff] = []
        updates: list[tuple[Staff, dict]] = []
        pending: list[tuple[Staff, str]] = []  # manager inserted in this batch
        deferred: list[tuple[Staff, str]] = []  # manager further down the file
        unchanged = 0
        for row in valid.iter_rows(named=True):
            target = {a: row[a] for a in attrs if a != "manager_id"}
            for a, v in target.items():
                if v is None and a not in _NULLABLE:
                    target[a] = ""
            manager = None
            if "manager_id" in attrs and row["manager_employee_no"] is not None:
                manager = manager_ids.get(row["manager_employee_no"], _PENDING)
            if "manager_id" in attrs and manager is not _PENDING:
                target["manager_id"] = manager
            if "position_id" not in attrs:
                # Moving to another department without a position column: drop a position left behind.
                current = existing.get(row["employee_no"])
                if (
                    current
                    and current.position_id
                    and self.pos_department.get(current.position_id) != target["department_id"]
                ):
                    target["position_id"] = None
            staff = existing.get(row["employee_no"])
            if staff is None:
                staff = Staff(**target)
                creates.append(staff)
            else:
                changed = {a: v for a, v in target.items() if getattr(staff, a) != v}
                will_link = manager is _PENDING and row["manager_employee_no"] in new_keys
                if not changed and not will_link:
                    if manager is _PENDING:
                        deferred.append((staff, row["manager_employee_no"]))
                    unchanged += 1
                    continue
                before = snapshot(staff)
                for a, v in changed.items():
                    setattr(staff, a, v)
                updates.append((staff, before))
            if manager is _PENDING:
                (pending if row["manager_employee_no"] in new_keys else deferred).append(
                    (staff, row["manager_employee_no"])
                )

        Staff.objects.bulk_create(creates, batch_size=500)
        if pending:
            ids = {}
            for chunk in _chunks(sorted({no for _s, no in pending})):
                ids.update(dict(Staff.objects.filter(employee_no__in=chunk).values_list("employee_no", "id")))
            for staff, no in pending:
                staff.manager_id = ids.get(no)
            created_ids = {id(s) for s in creates}
            linked_new = [s for s, _no in pending if id(s) in created_ids]
            Staff.objects.bulk_update(linked_new, ["manager"], batch_size=500)
        now = timezone.now()
        if updates:
            fields = sorted(
                {a.removesuffix("_id") for a in attrs} | {"updated_at"} | ({"manager"} if pending else set())
            )
            for staff, _before in updates:
                staff.updated_at = now
            Staff.objects.bulk_update([s for s, _b in updates], fields, batch_size=500)
        entries = [(CREATE, s, {"after": snapshot(s)}) for s in creates]
        for staff, before in updates:
            after = snapshot(staff)
            before.pop("updated_at", None)
            after.pop("updated_at", None)
            diff = changes_update(before, after)
            if diff:
                entries.append((UPDATE, staff, diff))
        audit_bulk(actor=actor, entries=entries)
        self.deferred += [(s.pk, no) for s, no in deferred]
        return len(creates), len(updates), unchanged

    def finalize(self, *, run: ImportRun, actor) -> None:
        """Link people to managers that came later in the file. A manager whose own row was rejected
        is not in the database: that link stays empty."""
        if not self.deferred:
            return
        ids: dict[str, int] = {}
        for chunk in _chunks(sorted({no for _pk, no in self.deferred})):
            ids.update(dict(Staff.objects.filter(employee_no__in=chunk).values_list("employee_no", "id")))
        wanted = {pk: ids[no] for pk, no in self.deferred if no in ids}
        staff_by_pk: dict[int, Staff] = {}
        for chunk in _chunks(sorted(wanted)):
            staff_by_pk.update({s.pk: s for s in Staff.objects.filter(pk__in=chunk)})
        changed, entries = [], []
        now = timezone.now()
        for pk, manager_id in wanted.items():
            staff = staff_by_pk.get(pk)
            if staff is None or staff.manager_id == manager_id:
                continue
            before = snapshot(staff, ["manager"])
            staff.manager_id = manager_id
            staff.updated_at = now
            changed.append(staff)
            entries.append((UPDATE, staff, changes_update(before, snapshot(staff, ["manager"]))))
        Staff.objects.bulk_update(changed, ["manager", "updated_at"], batch_size=500)
        audit_bulk(actor=actor, entries=entries)
        self.deferred = []


if not any(t.url_name == "import-staff" for t in TOOLS):
    nav_register(
        unit="HR",
        label=gettext_lazy("Import staff"),
        url_name="import-staff",
        capability="org.import",
        icon="upload",
    )
