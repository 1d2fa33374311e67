"""Files the import cannot read end in a translated message that says where (line or byte) and what
to do, never in a parser's English or a traceback (issue 14, item 6). Each bad file is generated
here from a valid one: a stray quote deep in a CSV, a file cut inside a quoted value, a UTF-8 file
cut in the middle of a character, a workbook whose declared size is false, thousands of unknown
columns."""

from __future__ import annotations

import io
import re
import struct
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from django.utils import translation

from liveops.core.imports.readers import ImportRefused, open_table
from liveops.core.imports.registry import Field, ImportKind
from liveops.core.imports.runner import missing_columns_message

pytestmark = pytest.mark.usefixtures("imp_data")

# What no message may show: the parsers' and zip library's own words.
_INTERNALS = re.compile(
    r"polars|ComputeError|could not parse|dtype|CRC|Traceback|schema_overrides|offset in the file"
)


def _valid_csv(rows: int = 20_000) -> bytes:
    lines = ["订单号,商品,数量,备注"] + [f"A{i:06d},商品{i},{i % 5 + 1},备注 {i}" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _read_all(path: Path) -> None:
    """Every way the runner reads a CSV: the batches and the one-column passes (keys, groups)."""
    with open_table(path) as reader:
        for _frame in reader.column_records(0):
            pass
        for _values in reader.column_values(0):
            pass
        for _frame in reader.batches(5_000):
            pass


def _refusal(path: Path) -> ImportRefused:
    with pytest.raises(ImportRefused) as exc:
        _read_all(path)
    message = str(exc.value.message)
    assert not _INTERNALS.search(message), message
    assert len(message) < 500
    return exc.value


def test_stray_quote_deep_in_a_valid_csv_names_its_line(tmp_path):
    data = _valid_csv()
    at = data.index(b",", 500_000) + 1  # the start of a value about 500 KB into the file
    path = tmp_path / "stray.csv"
    path.write_bytes(data[:at] + b'"' + data[at:])
    refusal = _refusal(path)
    line = _line_of(data, at)
    assert f"Line {line:,} opens a quoted value" in str(refusal.message)
    assert refusal.code == "unclosed_quote"


def test_stray_quote_closed_by_a_later_quote_names_both_lines(tmp_path):
    data = _valid_csv(2_000)
    at = data.index(b",", 30_000) + 1
    later = data.index(b",", 40_000) + 1
    bad = data[:at] + b'"' + data[at:later] + b'x"y' + data[later:]
    path = tmp_path / "stray2.csv"
    path.write_bytes(bad)
    message = str(_refusal(path).message)
    assert f"starts on line {_line_of(data, at):,}" in message
    assert f"Line {_line_of(data, later):,} has a quote mark" in message


def test_file_cut_inside_a_quoted_value(tmp_path):
    data = _valid_csv(300) + 'A999999,"商品 with, comma\n and more'.encode()
    path = tmp_path / "cut.csv"
    path.write_bytes(data)
    message = str(_refusal(path).message)
    assert "Line 302 opens a quoted value" in message and "export the whole file again" in message


def test_utf8_file_cut_in_the_middle_of_a_character(tmp_path):
    data = _valid_csv(100) + "A9,商品".encode()[:-1]
    path = tmp_path / "cutchar.csv"
    path.write_bytes(data)
    refusal = _refusal(path)
    message = str(refusal.message)
    assert refusal.code == "truncated"
    assert f"byte {len(data) - 2:,}" in message and "line 102" in message
    assert "mixes text encodings" not in message and "byte 0" not in message


def test_mixed_encodings_name_the_real_byte_and_line(tmp_path, settings):
    # A UTF-8 file with one GBK value far in: not UTF-8, and not GB18030 either (the UTF-8 part).
    head = _valid_csv(60_000)  # more than one decoding chunk
    bad = "E1,王芳,1,x\n".encode("gbk") + "E2,😀,1,x\n".encode()
    path = tmp_path / "mixed.csv"
    path.write_bytes(head + bad)
    with pytest.raises(ImportRefused) as exc:
        _read_all(path)
    message = str(exc.value.message)
    offset = int(re.search(r"byte ([\d,]+)", message).group(1).replace(",", ""))
    assert offset > len(head), message  # where it is, not the offset inside a chunk
    assert "line 60,00" in message


def _xlsx(rows: list[list]) -> bytes:
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = wb.add_worksheet()
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            ws.write(r, c, value)
    wb.close()
    return buffer.getvalue()


def _false_size(data: bytes, member: str, size: int) -> bytes:
    """The workbook with ``member``'s uncompressed size changed in the central directory."""
    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(member)
    name = member.encode()
    pos = 0
    while (pos := out.find(b"PK\x01\x02", pos)) != -1:
        name_len = struct.unpack_from("<H", out, pos + 28)[0]
        if out[pos + 46 : pos + 46 + name_len] == name:
            struct.pack_into("<I", out, pos + 24, size)
            break
        pos += 4
    assert info.file_size != size
    return bytes(out)


def test_workbook_with_a_false_declared_size(tmp_path):
    data = _xlsx([["工号", "姓名"]] + [[f"E{i}", f"名{i}"] for i in range(2_000)])
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        real = zf.getinfo("xl/worksheets/sheet1.xml").file_size
    path = tmp_path / "bad.xlsx"
    path.write_bytes(_false_size(data, "xl/worksheets/sheet1.xml", real // 2))
    refusal = _refusal(path)
    assert refusal.code == "damaged"
    assert "xl/worksheets/sheet1.xml" in str(refusal.message) and "save it again" in str(refusal.message)


class _TwoFields(ImportKind):
    code = "test-two"
    capability = "core.test"
    fields = (Field("employee_no", "Employee no.", required=True), Field("name", "Name", required=True))
    natural_key = ("employee_no",)


def test_thousands_of_unknown_columns_give_a_short_message(tmp_path):
    headers = [f"未知列{i}" for i in range(5_000)]
    path = tmp_path / "wide.csv"
    path.write_bytes((",".join(headers) + "\n" + ",".join("x" for _ in headers) + "\n").encode())
    with open_table(path) as reader:
        match = _TwoFields.match_headers(reader.headers)
    message = missing_columns_message(_TwoFields, match)
    assert len(message) < 400, len(message)
    assert "未知列0" in message and "未知列9" in message and "未知列10," not in message
    assert "4,990 more" in message and "5,000 columns" in message


def test_messages_are_translated(tmp_path):
    data = _valid_csv(300) + 'A999999,"商品 with, comma\n and more'.encode()
    path = tmp_path / "cut.csv"
    path.write_bytes(data)
    with translation.override("zh-hans"):
        message = str(_refusal(path).message)
    assert "第 302 行" in message, message
