"""The fast paths of the import reading pipeline give exactly what the plain way gives: the UTF-8
check on large chunks (encodings, late invalid bytes, BOMs), line numbers of records with line breaks
in several columns, blank rows, cell normalisation probes, held-back groups and duplicates across
batches. Each is compared with a straightforward reference written here."""

from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from liveops.core.imports import readers, runner
from liveops.core.imports.readers import LINE, REC, ImportRefused, normalise_values, open_table
from liveops.core.imports.registry import Field, ImportKind

_SPACES = " \t\r\n\u3000\u00a0\ufeff\u200b"

pytestmark = pytest.mark.usefixtures("imp_data")


def write(tmp_path: Path, data: bytes, name: str = "t.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def rows_of(reader, batch_size: int = 50_000) -> list[tuple]:
    return [row for frame in reader.batches(batch_size) for row in frame.iter_rows()]


# The UTF-8 check ------------------------------------------------------------------------------


def _python_says_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


_PIECES = [
    b"a",
    b"\n",
    b",",
    "王".encode(),
    "😀".encode(),
    "é".encode(),
    b"\xed\xa0\x80",  # surrogate
    b"\xc0\xaf",  # overlong
    b"\xf4\x90\x80\x80",  # above U+10FFFF
    b"\xff",
    b"\x80",
    "王".encode()[:2],  # cut character
    "😀".encode()[:3],
]


@hsettings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pieces=st.lists(st.sampled_from(_PIECES), max_size=12), chunk=st.integers(min_value=1, max_value=9))
def test_utf8_check_agrees_with_python_at_every_chunk_size(tmp_path, monkeypatch, pieces, chunk):
    data = b"".join(pieces)
    monkeypatch.setattr(readers, "_CHECK_BYTES", chunk)
    path = write(tmp_path, data)
    expected = data.count(b"\n") if _python_says_utf8(data) else None
    assert readers._utf8_newlines(path) == expected


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 1024])
def test_valid_utf8_is_read_in_place_with_characters_across_chunks(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(readers, "_CHECK_BYTES", chunk)
    text = "工号,姓名,备注\n" + "".join(f"E{i},王芳😀{i},\u3000注\n" for i in range(50))
    path = write(tmp_path, text.encode())
    with open_table(path) as reader:
        assert reader.encoding == "utf-8"
        assert reader.utf8_path == path  # no transcoded copy
        assert reader.headers == ["工号", "姓名", "备注"]
        assert reader.estimated_rows == 50
        rows = rows_of(reader)
    assert rows[-1] == ("E49", "王芳😀49", "\u3000注", 51, 49)


def test_utf8_with_bom_is_read_in_place(tmp_path):
    text = '"工号","姓名"\n"E1","张伟"\n"E2","李\n娜"\n'
    path = write(tmp_path, codecs.BOM_UTF8 + text.encode())
    with open_table(path) as reader:
        assert reader.encoding == "utf-8-sig"
        assert reader.utf8_path == path
        assert reader.raw_headers == ["工号", "姓名"]
        assert reader.estimated_rows == 3
        assert rows_of(reader, 1) == [("E1", "张伟", 2, 0), ("E2", "李\n娜", 3, 1)]


def test_two_boms_are_both_dropped(tmp_path):
    path = write(tmp_path, codecs.BOM_UTF8 * 2 + '"工号","姓名"\n"E1","张伟"\n'.encode())
    with open_table(path) as reader:
        assert reader.raw_headers == ["工号", "姓名"]
        assert rows_of(reader) == [("E1", "张伟", 2, 0)]


def test_gbk_that_starts_like_utf8_is_still_read_as_gb18030(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "_CHECK_BYTES", 4096)
    data = "工号,姓名\n".encode() + b"E1,x\n" * 30_000 + "E2,王芳\n".encode("gbk")
    with open_table(write(tmp_path, data)) as reader:
        # As before: the whole file is then GB18030, UTF-8 header and all.
        assert reader.encoding == "gb18030"
        assert reader.headers == ["宸ュ彿", "濮撳悕"]
        assert reader.estimated_rows == 30_001
        assert rows_of(reader)[-1] == ("E2", "王芳", 30_002, 30_000)


def test_utf8_cut_in_its_last_character_is_refused_as_cut_off(tmp_path):
    # Not read as GB18030 (every Chinese value would come out garbled): the file was cut off.
    data = "工号,姓名\n".encode() + b"E1,x\n" * 30_000 + "E2,王".encode()[:-1]
    with pytest.raises(ImportRefused) as exc:
        open_table(write(tmp_path, data))
    assert exc.value.code == "truncated"
    assert "(byte 150,017, line 30,002)" in str(exc.value.message)


@pytest.mark.parametrize(
    ("data", "byte"),
    [
        (
            codecs.BOM_UTF8 + "工号,姓名\n".encode() + b"E1,x\n" * 30_000 + "E2,王芳\n".encode("gbk"),
            "150,020",
        ),
        ("工号,姓名\n".encode() + b"E1,x\n" * 30_000 + b"E2,\xff\n", "150,017"),
    ],
    ids=["bom-then-gbk", "invalid-byte-late"],
)
def test_mixed_encodings_refused_with_the_same_message(tmp_path, data, byte):
    # The byte is the file's own offset (the BOM counted), with its line.
    with pytest.raises(ImportRefused) as exc:
        open_table(write(tmp_path, data))
    assert exc.value.code == "wrong_file"
    assert str(exc.value.message) == (
        f"The file mixes text encodings and cannot be read (byte {byte}, line 30,002). "
        "Open it in a spreadsheet program and save it as CSV UTF-8, then upload it again."
    )


def test_gbk_file_is_transcoded(tmp_path):
    path = write(tmp_path, "工号,姓名\nE1,张伟\n".encode("gbk"))
    with open_table(path) as reader:
        assert reader.encoding == "gb18030"
        assert reader.utf8_path != path
        assert rows_of(reader) == [("E1", "张伟", 2, 0)]


# Line numbers and blank rows ------------------------------------------------------------------


def _reference_rows(text: str) -> list[tuple]:
    """Rows as the reader must give them, by Python's csv module: the line each record starts on,
    its record number, rows whose every cell is blank left out."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    width = len(header)
    out = []
    start = reader.line_num + 1
    for rec, row in enumerate(reader):
        cells = (row + [None] * width)[:width]
        if any(c is not None and c.strip(_SPACES) for c in cells):
            out.append((*cells, start, rec))
        start = reader.line_num + 1
    return out


def _cell(draw_text: str) -> str:
    return '"' + draw_text.replace('"', '""') + '"' if any(ch in draw_text for ch in ',"\n') else draw_text


_CELL = st.sampled_from(["", " ", "\u3000", "a", "张伟", "x\ny", "\n", "p\n\nq", 'say "hi"', "a,b", "-"])


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(st.lists(_CELL, min_size=3, max_size=3), max_size=25),
    batch=st.integers(min_value=1, max_value=6),
)
def test_line_numbers_with_line_breaks_in_several_columns(tmp_path, rows, batch):
    text = "a,b,c\n" + "".join(",".join(_cell(c) for c in row) + "\n" for row in rows)
    with open_table(write(tmp_path, text.encode())) as reader:
        got = rows_of(reader, batch)
    assert got == _reference_rows(text)


def test_blank_and_space_only_rows_are_dropped(tmp_path):
    text = 'a,b,c\n1,,\n,,\n \t, \u3000 ,\u200b\n,,3\n\n"",""," "\n,"x",\n'
    with open_table(write(tmp_path, text.encode())) as reader:
        got = rows_of(reader, 2)
    assert got == [("1", "", "", 2, 0), ("", "", "3", 5, 3), ("", "x", "", 8, 6)]


def test_drop_empty_keeps_order_and_rows_with_a_late_value():
    frame = pl.DataFrame(
        {
            "c0": ["", None, "x", " ", "\u3000", None],
            "c1": [None, " ", None, "", "", "\ufeff"],
            "c2": ["", None, None, "y", " ", "\u200b"],
        }
    ).with_row_index("n")
    kept = readers._drop_empty(frame, ["c0", "c1", "c2"])
    assert kept.get_column("n").to_list() == [2, 3]
    assert readers._drop_empty(frame.clear(), ["c0"]).height == 0
    assert readers._drop_empty(frame, []).height == 0


# Cell normalisation ---------------------------------------------------------------------------


def _reference_value(value: str | None, id_like: bool) -> str | None:
    if value is None:
        return None
    value = value.strip(_SPACES)
    if id_like:
        m = re.fullmatch(r'="(.*)"', value)  # ``.`` stops at a line break, as in polars
        if m:
            value = m.group(1)
        value = value.removeprefix("'").strip(_SPACES)
    return None if value in ("", "-", "－", "—") else value


_VALUE = st.one_of(
    st.none(),
    st.text(alphabet=list(" \t\r\n\u3000\u00a0\ufeff\u200b=\"'-－—a王0\x00"), max_size=8),
    st.sampled_from(['="0012"', "'0013", '="a\nb"', '=""', '="\'7"', " ='1' ", "\t6917926700000000000"]),
)


@hsettings(max_examples=200, deadline=None)
@given(a=st.lists(_VALUE, max_size=12), b=st.lists(_VALUE, max_size=12))
def test_normalise_values_matches_a_per_value_reference(a, b):
    n = max(len(a), len(b))
    a, b = a + [None] * (n - len(a)), b + [None] * (n - len(b))
    frame = pl.DataFrame(
        {"plain": a, "ident": b, "other": list(range(n))}, schema_overrides={"other": pl.Int64}
    )
    got = normalise_values(frame, ["plain", "ident"], id_like={"ident"})
    assert got.columns == ["plain", "ident", "other"]
    assert got.get_column("plain").to_list() == [_reference_value(v, False) for v in a]
    assert got.get_column("ident").to_list() == [_reference_value(v, True) for v in b]
    assert got.get_column("other").to_list() == list(range(n))


def test_normalise_values_spaces_only_and_inner_spaces():
    frame = pl.DataFrame({"v": ["  ", "\u3000", "2025-09-02 00:00:39", " a b ", "\u00a0x", "-", " － "]})
    got = normalise_values(frame, ["v"], id_like=set()).get_column("v").to_list()
    assert got == [None, None, "2025-09-02 00:00:39", "a b", "x", None, None]


def test_normalise_values_casts_non_strings_and_keeps_null_columns():
    frame = pl.DataFrame({"n": [1, None], "z": [None, None]}, schema={"n": pl.Int64, "z": pl.String})
    got = normalise_values(frame, ["n", "z"], id_like={"n"})
    assert got.schema == pl.Schema({"n": pl.String, "z": pl.String})
    assert got.rows() == [("1", None), (None, None)]


# Held-back groups and duplicates across batches -----------------------------------------------


class _OrdersKind(ImportKind):
    code = "test-reading-orders"
    fields = (
        Field("order_no", "order", required=True, id_like=True),
        Field("line_no", "line", required=True, id_like=True, max_length=6),
        Field("note", "note"),
    )
    natural_key = ("line_no",)
    group_field = "order_no"


def _expected_batches(records: list[tuple[int, str | None]], ends: list[int]) -> list[list[int]]:
    """Records (REC, order) → the RECs each batch yields: a group comes out in the batch that holds
    its last record; rows without an order come out in their own batch."""
    last: dict[str, int] = {}
    for rec, order in records:
        if order is not None:
            last[order] = rec
    out: list[list[int]] = []
    held: list[int] = []
    start = 0
    for end in ends:
        batch = held + [rec for rec, _o in records if start <= rec <= end]
        order_of = dict(records)
        out.append([r for r in batch if order_of[r] is None or last[order_of[r]] <= end])
        held = [r for r in batch if order_of[r] is not None and last[order_of[r]] > end]
        start = end + 1
    if held:
        out.append(held)
    return out


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    orders=st.lists(st.sampled_from(["O1", "O2", "O3", " O1", '="O2"', "", "-"]), min_size=1, max_size=20),
    lines=st.lists(
        st.sampled_from(["L1", "L2", "L3", "L4", "L1 ", "LONG-LINE-NO"]), min_size=20, max_size=20
    ),
    batch=st.integers(min_value=1, max_value=5),
)
def test_groups_held_back_and_duplicates_across_batches(tmp_path, settings, orders, lines, batch):
    settings.LIVEOPS_IMPORT_BATCH_ROWS = batch
    notes = ["n" if i % 3 else '"a\nb"' for i in range(len(orders))]
    text = "order,line,note\n" + "".join(f"{_cell(o)},{lines[i]},{notes[i]}\n" for i, o in enumerate(orders))
    path = write(tmp_path, text.encode())
    normal = {o: _reference_value(o, True) for o in orders}
    records = [(i, normal[o]) for i, o in enumerate(orders)]
    with open_table(path) as reader:
        ends = [int(raw.get_column(REC).max()) for raw in reader.batches(batch) if raw.height]
        match = _OrdersKind.match_headers(reader.headers, {})
        frames = list(runner._field_batches(reader, _OrdersKind, match))
        assert [f.get_column(REC).to_list() for f in frames] == _expected_batches(records, ends)
        # Duplicates: a key is a duplicate on every line after the lowest line it was seen on so far.
        seen = pl.DataFrame(schema={runner.KEY: pl.String, "__first": pl.Int64})
        first: dict[str, int] = {}
        for frame in frames:
            if frame.height == 0:
                continue
            remaining, rejects, seen = runner._generic_checks(frame, _OrdersKind, seen)
            for key, line in zip(frame.get_column("line_no"), frame.get_column(LINE), strict=True):
                if key is not None:
                    first[key] = min(first.get(key, line), line)
            expected_dup = sorted(
                line
                for key, line in zip(frame.get_column("line_no"), frame.get_column(LINE), strict=True)
                if key is not None and first[key] < line
            )
            dup = rejects.filter(pl.col("reason").str.starts_with("Duplicate"))
            assert sorted(dup.get_column("line").to_list()) == expected_dup
            too_long = rejects.filter(pl.col("reason").str.starts_with("Too long"))
            assert too_long.height == frame.filter(pl.col("line_no") == "LONG-LINE-NO").height
            bad = set(rejects.get_column("line").to_list())
            assert remaining.get_column(LINE).to_list() == [
                line for line in frame.get_column(LINE).to_list() if line not in bad
            ]
