"""Masking of personal data and spreadsheet exports (formula escaping, masking, permission)."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from liveops.core.exports import escape_cell
from liveops.core.masking import mask_address, mask_id_number, mask_phone
from liveops.core.models import AuditAction, AuditEntry


def test_mask_phone():
    assert mask_phone("13800138000") == "138****8000"
    assert mask_phone(" 13800138000 ") == "138****8000"
    assert mask_phone("+8613800138000") == "+86*******8000"
    assert mask_phone("1234") == "**34"
    assert mask_phone("") == mask_phone(None) == ""


def test_mask_id_number():
    assert mask_id_number("330106199001011234") == "3301**********1234"
    assert mask_id_number("33010619900101123X") == "3301**********123X"
    assert mask_id_number("12345678") == "********"
    assert mask_id_number("") == mask_id_number(None) == ""


def test_mask_address():
    assert mask_address("浙江省杭州市西湖区文三路1号") == "浙江省杭州市****"
    assert mask_address("北京") == "北京****"
    assert mask_address(None) == ""


@pytest.mark.parametrize("mask", [mask_phone, mask_id_number, mask_address])
@pytest.mark.parametrize("value", ["##A1B2C3D4E5F6", "$$9f8e7d6c5b4a3"])
def test_platform_encrypted_values_kept(mask, value):
    assert mask(value) == value


@given(st.from_regex(r"\A1[3-9][0-9]{9}\Z"))
def test_masked_phone_never_shows_middle_digits(phone):
    masked = mask_phone(phone)
    assert len(masked) == len(phone)
    assert masked[:3] == phone[:3] and masked[-4:] == phone[-4:]
    assert masked[3:7] == "****"
    assert sum(ch.isdigit() for ch in masked) == 7


@given(st.from_regex(r"\A[0-9]{17}[0-9X]\Z"))
def test_masked_id_keeps_birth_date_hidden(id_number):
    masked = mask_id_number(id_number)
    assert masked[4:14] == "*" * 10 and id_number[6:14] not in masked[4:14]


@given(st.text(max_size=40))
def test_maskers_never_fail_and_never_lengthen_hidden_part(value):
    for mask in (mask_phone, mask_id_number, mask_address):
        assert isinstance(mask(value), str)


@pytest.mark.parametrize(
    "value",
    [
        "=1+1",
        "+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1:A2)",
        '=HYPERLINK("http://x")',
        "\t=1",
        "\r=1",
        "+1",
        "-inf",
        "-nan",
        "-1_000",
        "-1e5",
        "- 5",
        "-",
        "-١٢",
    ],
)
def test_formula_cells_escaped(value):
    assert escape_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["-12", "-3.50", "-0.01", "张三", "a=b", "13800138000", "", "1+1"])
def test_plain_cells_kept(value):
    assert escape_cell(value) == value


def test_non_string_cells_kept():
    assert escape_cell(-5) == -5
    assert escape_cell(3.5) == 3.5
    assert escape_cell(None) == ""


@given(st.text(min_size=1))
def test_escaped_cell_never_starts_with_formula_char(value):
    out = escape_cell(value)
    if out[0] in "=+-@\t\r":
        assert out[0] == "-" and out[1:].replace(".", "", 1).isdigit() and out[1:].isascii()


@pytest.fixture
def dangerous_staff(colleague):
    colleague.name = '=HYPERLINK("http://evil","x")'
    colleague.email = "@evil.example.com"
    colleague.save()
    return colleague


def _csv_rows(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content[1:])))


def test_csv_export_masks_and_escapes_for_auditor(client_for, dangerous_staff, personas):
    response = client_for("auditor").get(reverse("staff-list"), {"export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv_rows(response)
    row = next(r for r in rows if r[0] == dangerous_staff.employee_no)
    assert row[1] == "'" + dangerous_staff.name
    assert row[4] == "'@evil.example.com"
    assert row[5] == "138****8000" and row[6] == "3301**********1234" and row[7] == "浙江省杭州市****"
    # Only the auditor's own record is in clear.
    own_no = personas["auditor"].staff.employee_no
    body = "\n".join(",".join(r) for r in rows if r[0] != own_no)
    assert "13800138000" not in body and "330106199001011234" not in body
    assert len(rows) > 5
    entry = AuditEntry.objects.get(action=AuditAction.ACTION, verb="export")
    assert entry.actor == personas["auditor"] and entry.changes["unmasked_ids"] == [
        personas["auditor"].staff.pk
    ]


def test_xlsx_export_masks_and_escapes_for_auditor(client_for, dangerous_staff, personas):
    response = client_for("auditor").get(reverse("staff-list"), {"export": "xlsx"})
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    row = next(r for r in rows if r[0] == dangerous_staff.employee_no)
    assert row[1] == "'" + dangerous_staff.name
    assert row[4] == "'@evil.example.com"
    assert row[5] == "138****8000"
    assert all(c.data_type != "f" for r in ws.iter_rows() for c in r)
    own_no = personas["auditor"].staff.employee_no
    assert not any("13800138000" in str(v) for r in rows if r[0] != own_no for v in r)


def test_export_clear_for_manager_of_department(client_for, dangerous_staff):
    rows = _csv_rows(client_for("manager").get(reverse("staff-list"), {"export": "csv"}))
    row = next(r for r in rows if r[0] == dangerous_staff.employee_no)
    assert row[5] == "13800138000"
    assert row[1] == "'" + dangerous_staff.name
    entry = AuditEntry.objects.get(action=AuditAction.ACTION, verb="export")
    assert dangerous_staff.pk in entry.changes["unmasked_ids"]


def test_export_needs_org_export(client_for, colleague):
    for persona in ("member", "other"):
        response = client_for(persona).get(reverse("staff-list"), {"export": "csv"})
        assert response.status_code == 404, persona
    assert client_for("outsider").get(reverse("staff-list"), {"export": "xlsx"}).status_code == 403
    assert not AuditEntry.objects.filter(verb="export").exists()


def test_export_scoped_to_viewer(client_for, colleague):
    rows = _csv_rows(client_for("manager").get(reverse("staff-list"), {"export": "csv"}))
    departments = {r[2] for r in rows[1:]}
    assert departments == {colleague.department.name}
