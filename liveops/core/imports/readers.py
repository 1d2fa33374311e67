"""Reading import files: CSV (UTF-8, UTF-8 with BOM, GBK/GB18030) and XLSX, in bounded memory.

``open_table(path)`` sniffs the file, refuses what it must refuse (too large, zip bomb, not a table)
before reading any data, and returns a reader whose ``batches()`` yields polars frames of at most
``batch_size`` rows. Every frame has one string column per file column, named ``c0``, ``c1``…
(positional, so duplicate or odd headers never clash), plus ``LINE``: the 1-based physical line of
the row in the file, the header being line 1. Quoted CSV fields may contain line breaks; those are
counted, so the number still points at the line where the row starts in a text editor.
"""

from __future__ import annotations

import codecs
import contextlib
import datetime as dt
import logging
import mmap
import os
import re
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import polars as pl
from django.conf import settings
from django.utils.translation import gettext as _

from liveops.core.errors import DomainError

log = logging.getLogger(__name__)
LINE = "__liveops_line"
# 0-based record number in the file (data rows only): the same in ``batches`` and ``column_records``.
REC = "__liveops_rec"
BATCH_ROWS = 50_000
_SAMPLE_BYTES = 64 * 1024
_CHUNK_BYTES = 1024 * 1024
# Chunk of the UTF-8 check (``_utf8_newlines``): larger chunks mean fewer calls, each a few ms.
_CHECK_BYTES = 16 * 1024 * 1024
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls / .doc
# Whitespace that spreadsheets and copy-paste leave around headers and cells (incl. full-width space).
_SPACES = " \t\r\n\u3000\u00a0\ufeff\u200b"
_NULL_MARKERS = ["", "-", "－", "—"]
# ``normalise_values`` probes a whole column joined into one string, far cheaper than a per-value
# test: does any value hold a space to strip, or an ID wrapper (``=`` or ``'``)?
_SPACE_CLASS = "[" + _SPACES.replace("\t", "\\t").replace("\r", "\\r").replace("\n", "\\n") + "]"


class ImportRefused(DomainError):
    """The file cannot be imported at all (too large, wrong type, missing columns). Nothing is written."""

    code = "import_refused"
    status = 400


def max_bytes() -> int:
    return int(settings.LIVEOPS_IMPORT_MAX_BYTES)


def _max_uncompressed() -> int:
    # Real workbooks unpack to a few times their size; the limit leaves room for that.
    return int(getattr(settings, "LIVEOPS_IMPORT_MAX_UNCOMPRESSED_BYTES", 4 * max_bytes()))


def _max_ratio() -> int:
    return int(getattr(settings, "LIVEOPS_IMPORT_MAX_ZIP_RATIO", 200))


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.0f}"


def check_size(size: int) -> None:
    """Refuse a file larger than ``LIVEOPS_IMPORT_MAX_BYTES`` (called before any byte is read)."""
    if size > max_bytes():
        raise ImportRefused(
            _("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {"size": _mb(size), "limit": _mb(max_bytes())},
            code="too_large",
        )


def detect_format(path: Path) -> str:
    """``"xlsx"`` or ``"csv"``, by content rather than by file name."""
    with open(path, "rb") as f:
        head = f.read(8)
    if head.startswith(_OLE_MAGIC):
        raise ImportRefused(
            _("Old Excel (.xls) files are not supported. Save the file as .xlsx or CSV and upload it again."),
            code="wrong_file",
        )
    if head.startswith(_ZIP_MAGIC):
        try:
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist())
        except zipfile.BadZipFile as exc:
            raise ImportRefused(
                _("The file is damaged or is not an Excel workbook."), code="wrong_file"
            ) from exc
        if "[Content_Types].xml" not in names:
            raise ImportRefused(
                _("This is a zip archive, not an Excel workbook. Upload an .xlsx or CSV file."),
                code="wrong_file",
            )
        return "xlsx"
    return "csv"


def check_zip(path: Path) -> None:
    """Refuse zip bombs from the central directory alone (no decompression): too much data once
    unpacked, or a compression ratio no real workbook has."""
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    worst = max(
        ((i.file_size / max(i.compress_size, 1)) for i in infos if i.file_size > 1024 * 1024), default=0
    )
    if (
        total > _max_uncompressed()
        or worst > _max_ratio()
        or (total > 1024 * 1024 and total / packed > _max_ratio())
    ):
        raise ImportRefused(
            _(
                "The workbook unpacks to %(size)s MB, which is more than this system accepts. It may be damaged or malicious."
            )
            % {"size": _mb(total)},
            code="zip_bomb",
        )


# A cell reference in a worksheet's XML (``r="BM12"``), and the ``<dimension ref="A1:F9"/>`` it declares.
_CELL_REF = re.compile(rb'r="([A-Z]{1,3})([0-9]{1,7})"')
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension ref="[A-Z]{1,3}[0-9]{1,7}:([A-Z]{1,3})([0-9]{1,7})"')


def _max_cells() -> int:
    # The reader (calamine) holds the first sheet as a full grid of about 32 bytes a cell, from A1 to
    # the last used cell: 40 million cells is about 1.3 GB, e.g. 600,000 rows of 65 columns.
    return int(getattr(settings, "LIVEOPS_IMPORT_MAX_XLSX_CELLS", 40_000_000))


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _above(digits: str, alphabet: str) -> str:
    """A regex for the strings of ``alphabet`` symbols (most significant first, no leading zero) that
    stand for more than ``digits``: longer ones, or as long with a bigger symbol at the first difference."""
    first, last = alphabet[0], alphabet[-1]
    one = f"[{first}-{last}]"
    parts = [f"{one}{{{len(digits) + 1},}}"]
    for i, ch in enumerate(digits):
        bigger = alphabet[alphabet.index(ch) + 1 :]
        if bigger:
            rest = len(digits) - i - 1
            parts.append(
                re.escape(digits[:i]) + f"[{bigger[0]}-{last}]" + (f"{one}{{{rest}}}" if rest else "")
            )
    return "(?:" + "|".join(parts) + ")"


def _column_letters(n: int) -> str:
    letters = ""
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@contextlib.contextmanager
def _naming_part(name: str):
    """Tag an error raised while unpacking a workbook part with the part's name (for the message)."""
    try:
        yield
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        exc.liveops_part = name
        raise


def check_sheet_extent(path: Path) -> None:
    """Refuse a workbook whose sheets span more cells than the reader can hold.

    Why: the zip check sees only sizes, but one stray cell at XFD1048576 in an otherwise tiny sheet
    makes the reader allocate the whole grid up to it (hundreds of GB), and the process dies. The
    extent comes from the sheets' XML (the declared dimension and the cell references), streamed;
    ``check_zip`` has already bounded how much there is to read. A sheet is scanned only for columns
    wider than the widest seen so far and rows past what those columns allow, so a large, ordinary
    sheet costs a regular-expression pass (about 1 s a GB), not a parse."""
    limit = _max_cells()

    def refuse(rows: int, cols: int):
        return ImportRefused(
            _(
                "The worksheet spans %(rows)s rows by %(cols)s columns, more than this system reads "
                "at once. Delete the stray cells far from the table, or save the sheet as CSV."
            )
            % {"rows": f"{rows:,}", "cols": f"{cols:,}"},
            code="sheet_too_large",
        )

    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                continue
            rows = cols = 0
            wider = taller = None
            tail = b""
            with _naming_part(info.filename), zf.open(info) as fh:
                while chunk := fh.read(_CHUNK_BYTES):
                    data = tail + chunk
                    tail = data[-64:]  # a reference cut by the chunk's end is whole in the next pass
                    # The declared dimension is at the top; the first chunk's cells set the starting width.
                    for c, r in (_DIMENSION.findall(data) + _CELL_REF.findall(data)) if wider is None else ():
                        cols, rows = max(cols, _column_number(c)), max(rows, int(r))
                    if wider is None or (found := wider.findall(data)):
                        if wider is not None:
                            cols = max(cols, *(_column_number(c) for c in found))
                        wider = re.compile(
                            rb'r="('
                            + _above(_column_letters(cols), "ABCDEFGHIJKLMNOPQRSTUVWXYZ").encode()
                            + rb")[0-9]"
                        )
                        taller = re.compile(
                            rb'r="[A-Z]{1,3}'
                            + _above(str(max(limit // max(cols, 1), 1)), "0123456789").encode()
                            + rb'"'
                        )
                    if rows * cols > limit or taller.search(data):
                        raise refuse(max(rows, limit // max(cols, 1) + 1), cols)


def detect_encoding(sample: bytes) -> str:
    """The text encoding of a CSV sample: UTF-8 (with or without BOM) or GB18030 (a superset of GBK).
    charset-normalizer only decides when neither decodes cleanly."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in sample:
        raise ImportRefused(_("This is not a CSV or Excel file."), code="wrong_file")
    for encoding in ("utf-8", "gb18030"):
        try:
            # final=False: the sample may end in the middle of a multi-byte character.
            codecs.getincrementaldecoder(encoding)("strict").decode(sample, final=False)
            return encoding
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    if best is None:
        raise ImportRefused(
            _("The text encoding of the file could not be recognised. Save it as CSV UTF-8."),
            code="wrong_file",
        )
    return best.encoding


def normalise_header(text: str | None) -> str:
    """A header as people mean it: without surrounding spaces, BOM or line breaks."""
    return " ".join(str(text or "").replace("\ufeff", "").split()).strip(_SPACES)


def header_key(text: str) -> str:
    """Comparison key for headers: normalised, case-insensitive, inner spaces ignored."""
    return "".join(normalise_header(text).split()).casefold()


def normalise_values(frame: pl.DataFrame, columns: list[str], *, id_like: set[str]) -> pl.DataFrame:
    """Strip cells, turn ``""``/``"-"`` into null, and unwrap spreadsheet tricks on ID-like values
    (``="0012"``, a leading apostrophe or tab that kept leading zeros in Excel)."""
    if not columns:
        return frame
    frame = frame.with_columns([pl.col(n).cast(pl.String) for n in columns if frame.schema[n] != pl.String])
    # Each column joined into one string: which steps a column needs, seen without a per-value pass.
    # Most columns hold no space at all and skip the strip; a probe may say yes for nothing (inner
    # spaces, as in dates), never no for a value the step would change.
    joined = frame.select([pl.col(n).str.join("").alias(n) for n in columns])
    probes = joined.select(
        [pl.col(n).str.contains(_SPACE_CLASS).alias(f"s{i}") for i, n in enumerate(columns)]
        + [
            (pl.col(n).str.contains("=", literal=True) | pl.col(n).str.contains("'", literal=True)).alias(
                f"w{i}"
            )
            for i, n in enumerate(columns)
            if n in id_like
        ]
    ).row(0, named=True)
    del joined
    exprs = []
    for i, n in enumerate(columns):
        e = pl.col(n)
        changed = False
        if probes[f"s{i}"]:
            e, changed = e.str.strip_chars(_SPACES), True
        if probes.get(f"w{i}"):
            # On stripped values without a leading ``=`` or ``'`` these steps change nothing.
            e, changed = (
                e.str.replace(r'^="(.*)"$', "$1").str.strip_prefix("'").str.strip_chars(_SPACES),
                True,
            )
        if changed:
            exprs.append(e.alias(n))
    if exprs:
        frame = frame.with_columns(exprs)
    return frame.with_columns(
        [pl.when(pl.col(n).is_in(_NULL_MARKERS)).then(None).otherwise(pl.col(n)).alias(n) for n in columns]
    )


class TableReader:
    """Base of the readers: header, estimated row count, batches of string rows."""

    headers: list[str]
    raw_headers: list[str]
    estimated_rows: int = 0

    def columns(self) -> list[str]:
        return [f"c{i}" for i in range(len(self.headers))]

    def batches(self, batch_size: int = BATCH_ROWS) -> Iterator[pl.DataFrame]:
        raise NotImplementedError

    def column_values(self, index: int) -> Iterator[pl.Series]:
        """All values of one column, batch by batch (cheap pre-pass for keys)."""
        for frame in self.batches():
            yield frame.get_column(f"c{index}")

    def column_records(self, index: int) -> Iterator[pl.DataFrame]:
        """One column with each value's record number (``REC``), batch by batch."""
        for frame in self.batches():
            yield frame.select(pl.col(f"c{index}"), REC)

    def close(self) -> None:
        pass

    def __enter__(self) -> TableReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _blank(values: pl.Series) -> pl.Series:
    return values.is_null() | (values.str.strip_chars(_SPACES) == "")


def _drop_empty(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """Drop the rows whose every cell is empty or spaces. The candidates are narrowed column by
    column: nearly every row has a value in its first column, so the later columns are only
    looked at for a handful of rows."""
    if not columns:
        return frame.clear()
    candidates = _blank(frame.get_column(columns[0])).arg_true()
    for name in columns[1:]:
        if candidates.len() == 0:
            return frame
        candidates = candidates.filter(_blank(frame.get_column(name).gather(candidates)))
    if candidates.len() == 0:
        return frame
    keep = pl.repeat(True, frame.height, eager=True).scatter(candidates, False)
    return frame.filter(keep)


def _char_start(data: bytes) -> int:
    """Where ``data`` stops being whole characters: the start of an unfinished UTF-8 sequence at
    its end, else ``len(data)``. (Cutting at a non-continuation byte never splits a valid text.)"""
    n = len(data)
    for i in range(n - 1, max(n - 4, 0) - 1, -1):
        byte = data[i]
        if byte < 0x80:
            return n
        if byte >= 0xC0:
            size = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return n if i + size <= n else i
    return n


def _utf8_newlines(path: Path, skip: int = 0) -> int | None:
    """The number of ``\\n`` bytes in the file when everything after its first ``skip`` bytes is
    valid UTF-8 (exactly as Python's strict decoder judges it), else ``None``. Validation is done by
    polars (a binary-to-string cast) on large chunks cut between characters, far cheaper than
    decoding the file into Python strings."""
    newlines = 0
    carry = b""
    with open(path, "rb") as f:
        newlines += f.read(skip).count(b"\n")
        while chunk := f.read(_CHECK_BYTES):
            newlines += chunk.count(b"\n")
            data = carry + chunk if carry else chunk
            cut = _char_start(data)
            carry = data[cut:]
            if not _valid_utf8(data if cut == len(data) else data[:cut]):
                return None
    if carry and not _valid_utf8(carry):
        return None
    return newlines


def _valid_utf8(data: bytes) -> bool:
    try:
        pl.Series([data], dtype=pl.Binary).cast(pl.String)
    except pl.exceptions.PolarsError:  # "invalid utf8"; anything else just takes the slow path
        return False
    return True


def _first_invalid_utf8(path: Path, skip: int = 0) -> tuple[int, bool]:
    """Where the file stops being UTF-8: (byte offset, whether it is only an unfinished character at
    the very end, i.e. the file was cut off). (-1, False) when it is UTF-8 throughout. Slow (Python
    decoding): only for a file the fast check found wrong."""
    base = skip
    carry = b""
    with open(path, "rb") as f:
        f.seek(skip)
        while chunk := f.read(_CHUNK_BYTES):
            data = carry + chunk
            cut = _char_start(data)
            try:
                data[:cut].decode("utf-8")
            except UnicodeDecodeError as exc:
                return base + exc.start, False
            base += cut
            carry = data[cut:]
    if carry:
        return base, True
    return -1, False


def _line_at(path: Path, offset: int) -> int:
    """The 1-based line of the file at byte ``offset``."""
    lines = 1
    done = 0
    with open(path, "rb") as f:
        while done < offset and (chunk := f.read(min(_CHUNK_BYTES, offset - done))):
            lines += chunk.count(b"\n")
            done += len(chunk)
    return lines


def csv_problem(path: Path, separator: str = ",") -> ImportRefused:
    """Find what makes a UTF-8 CSV unreadable and say it with the line: a quoted value that is
    never closed (a file cut off inside it, or a stray ``"`` that opened one), or a closing quote
    followed by more text. Reads the file once, looking only at its quote marks."""
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        return _csv_problem(data, separator)


def _count_lines(data: mmap.mmap, end: int) -> int:
    """The 1-based line at byte ``end`` of ``data``."""
    lines = 1
    for start in range(0, end, _CHUNK_BYTES):
        lines += data[start : min(start + _CHUNK_BYTES, end)].count(b"\n")
    return lines


def _csv_problem(data: mmap.mmap, separator: str) -> ImportRefused:
    sep = separator.encode()
    ends = (sep, b"\r", b"\n")
    i = data.find(b'"')
    while i != -1:
        at_start = (
            i == 0 or data[i - 1 : i] in (sep, b"\n", b"\r") or (i == 3 and data[:3] == codecs.BOM_UTF8)
        )
        if not at_start:
            i = data.find(b'"', i + 1)  # a quote inside an unquoted value is kept as it is
            continue
        opened = i
        j = i + 1
        while True:
            j = data.find(b'"', j)
            if j == -1:
                line = _count_lines(data, opened)
                return ImportRefused(
                    _(
                        'Line %(line)s opens a quoted value (") that is never closed, so the rest of '
                        "the file cannot be read. The file may have been cut off, or the quote mark is "
                        "stray. Check line %(line)s: remove the stray quote mark, or export the whole "
                        "file again."
                    )
                    % {"line": f"{line:,}"},
                    code="unclosed_quote",
                )
            if data[j + 1 : j + 2] == b'"':
                j += 2  # a doubled quote inside the value
                continue
            break
        if j + 1 < len(data) and data[j + 1 : j + 2] not in ends:
            line = _count_lines(data, j)
            return ImportRefused(
                _(
                    'Line %(line)s has a quote mark (") in the wrong place (byte %(byte)s): a quoted '
                    "value that starts on line %(start)s ends there and more text follows in the same "
                    "cell. Remove the stray quote mark, or put the whole value in quotes with its inner "
                    "quote marks doubled, then upload the file again."
                )
                % {"line": f"{line:,}", "byte": f"{j:,}", "start": f"{_count_lines(data, opened):,}"},
                code="stray_quote",
            )
        i = data.find(b'"', j + 1)
    return ImportRefused(
        _(
            "The file could not be read as CSV: its rows do not split into the header's columns. "
            "Open it in a spreadsheet program, save it as CSV UTF-8 and upload it again."
        ),
        code="wrong_file",
    )


class CsvReader(TableReader):
    """CSV through polars. A UTF-8 file (with or without BOM) is read in place once a cheap pass
    has checked that it is UTF-8 to the end and counted its lines for the progress estimate; any
    other file is first transcoded, streaming in 1 MB chunks, to a temporary UTF-8 file (the same
    pass counts lines)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._tmp: Path | None = None
        self._utf8_until = -1
        with open(self.path, "rb") as f:
            sample = f.read(_SAMPLE_BYTES)
        if not sample.strip():
            raise ImportRefused(_("The file is empty."), code="empty")
        self.encoding = detect_encoding(sample)
        self.utf8_path, newlines = self._prepare()
        with open(self.utf8_path, encoding="utf-8", newline="") as f:
            first = f.readline()
        self.separator = self._sniff_separator(first)
        try:
            header_frame = pl.read_csv(
                self.utf8_path,
                has_header=False,
                n_rows=1,
                infer_schema=False,
                separator=self.separator,
                truncate_ragged_lines=True,
            )
        except (pl.exceptions.PolarsError, OSError) as exc:
            raise self._refusal(exc) from exc
        self.raw_headers = (
            ["" if v is None else str(v) for v in header_frame.row(0)] if header_frame.height else []
        )
        self.headers = [normalise_header(h) for h in self.raw_headers]
        self._header_newlines = sum(h.count("\n") for h in self.raw_headers)
        self.estimated_rows = max(newlines - 1 - self._header_newlines, 0)

    @staticmethod
    def _sniff_separator(first_line: str) -> str:
        counts = {sep: first_line.count(sep) for sep in (",", "\t", ";")}
        best = max(counts, key=lambda s: counts[s])
        return best if counts[best] > 0 else ","

    def _prepare(self) -> tuple[Path, int]:
        """Return a UTF-8 version of the file and its number of line breaks."""
        if self.encoding in ("utf-8", "utf-8-sig"):
            # polars reads UTF-8 itself and drops one leading BOM: a file that is valid UTF-8 to the
            # end is read as it is. Anything else takes the decoding pass below, which gives the same
            # result, and the same refusal, as before.
            skip = len(codecs.BOM_UTF8) if self.encoding == "utf-8-sig" else 0
            with open(self.path, "rb") as f:
                twice = f.read(2 * skip) == codecs.BOM_UTF8 * 2  # the decoding pass drops both
            newlines = None if skip and twice else _utf8_newlines(self.path, skip)
            if newlines is not None:
                return self.path, newlines
            bad, cut = _first_invalid_utf8(self.path, skip)
            if cut:
                # Valid to the last character, which is unfinished: a file cut off, not another encoding.
                raise ImportRefused(
                    _(
                        "The file ends in the middle of a character (byte %(byte)s, line %(line)s): it "
                        "was cut off while being saved, copied or downloaded. Export or download it "
                        "again and upload the whole file."
                    )
                    % {"byte": f"{bad:,}", "line": f"{_line_at(self.path, bad):,}"},
                    code="truncated",
                )
            # Where UTF-8 stops: if GB18030 cannot read the file either, that is the place to name.
            self._utf8_until = bad
            if self.encoding == "utf-8":
                # The sample was UTF-8 but a later part is not: the file is GBK after all.
                self.encoding = "gb18030"
        return self._transcode()

    def _transcode(self) -> tuple[Path, int]:
        from liveops.core.imports.liveness import scratch_dir

        # In this process's scratch folder: removed with it if the process dies during the run.
        fd, name = tempfile.mkstemp(prefix="import-", suffix=".csv", dir=scratch_dir())
        self._tmp = Path(name)
        decoder = codecs.getincrementaldecoder(self.encoding)("strict")
        newlines = 0
        first = True
        start = 0  # file offset of the bytes the decoder is given next, less those it still holds
        try:
            with open(self.path, "rb") as src, os.fdopen(fd, "w", encoding="utf-8", newline="") as dst:
                while chunk := src.read(_CHUNK_BYTES):
                    state = decoder.getstate()
                    start = src.tell() - len(chunk) - len(state[0] if state else b"")
                    text = decoder.decode(chunk)
                    if first and text:
                        text, first = text.removeprefix("\ufeff"), False
                    newlines += text.count("\n")
                    dst.write(text)
                state = decoder.getstate()
                start = src.tell() - len(state[0] if state else b"")
                dst.write(decoder.decode(b"", final=True))
        except UnicodeDecodeError as exc:
            self.close()
            pos = self._utf8_until if self._utf8_until > 0 else start + exc.start
            raise ImportRefused(
                _(
                    "The file mixes text encodings and cannot be read (byte %(pos)s, line %(line)s). "
                    "Open it in a spreadsheet program and save it as CSV UTF-8, then upload it again."
                )
                % {"pos": f"{pos:,}", "line": f"{_line_at(self.path, pos):,}"},
                code="wrong_file",
            ) from exc
        return self._tmp, newlines

    def batches(self, batch_size: int = BATCH_ROWS) -> Iterator[pl.DataFrame]:
        cols = self.columns()
        if not cols:
            return
        lf = pl.scan_csv(
            self.utf8_path,
            has_header=True,
            infer_schema=False,
            new_columns=cols,
            separator=self.separator,
            row_index_name="__rec",
            truncate_ragged_lines=True,
            empty_string_is_null=False,
            missing_columns="insert",
        )
        carried = 0  # line breaks inside quoted values of earlier batches
        first_line = 2 + self._header_newlines
        try:
            for frame in lf.collect_batches(chunk_size=batch_size, lazy=True):
                if frame.height == 0:
                    continue
                rec = pl.col("__rec").cast(pl.Int64)
                # Count line breaks only in the columns that have one in this batch (a cheap test on
                # each column joined into one string); usually none or one column (notes).
                has_newline = frame.select(
                    [pl.col(c).str.join("").str.contains("\n", literal=True) for c in cols]
                ).row(0)
                with_nl = [c for c, hit in zip(cols, has_newline, strict=True) if hit]
                if with_nl:
                    nl = pl.sum_horizontal(
                        [pl.col(c).str.count_matches("\n", literal=True).fill_null(0) for c in with_nl]
                    ).cast(pl.Int64)
                    frame = frame.with_columns(nl.alias("__nl"))
                    line = rec + first_line + carried + pl.col("__nl").cum_sum() - pl.col("__nl")
                    carried += int(frame.get_column("__nl").sum())
                else:
                    line = rec + first_line + carried
                frame = frame.select([*cols, line.alias(LINE), rec.alias(REC)])
                yield _drop_empty(frame, cols)
        except pl.exceptions.PolarsError as exc:
            raise self._refusal(exc) from exc

    def _refusal(self, exc: Exception) -> ImportRefused:
        """A CSV the parser gave up on, as a refusal that says where and what to do (the parser's
        own message is in English and about its internals: it goes to the log only)."""
        log.info("CSV parse error in %s: %s", self.path, exc)
        return csv_problem(self.utf8_path, self.separator if hasattr(self, "separator") else ",")

    def column_values(self, index: int) -> Iterator[pl.Series]:
        # Projection pushdown: only this column is parsed.
        col = f"c{index}"
        lf = pl.scan_csv(
            self.utf8_path,
            has_header=True,
            infer_schema=False,
            new_columns=self.columns(),
            separator=self.separator,
            truncate_ragged_lines=True,
            missing_columns="insert",
        ).select(col)
        try:
            for frame in lf.collect_batches(chunk_size=BATCH_ROWS * 4, lazy=True):
                yield frame.get_column(col)
        except pl.exceptions.PolarsError as exc:
            raise self._refusal(exc) from exc

    def column_records(self, index: int) -> Iterator[pl.DataFrame]:
        col = f"c{index}"
        lf = pl.scan_csv(
            self.utf8_path,
            has_header=True,
            infer_schema=False,
            new_columns=self.columns(),
            separator=self.separator,
            truncate_ragged_lines=True,
            missing_columns="insert",
            row_index_name="__rec",
        ).select(col, pl.col("__rec").cast(pl.Int64).alias(REC))
        try:
            yield from lf.collect_batches(chunk_size=BATCH_ROWS * 4, lazy=True)
        except pl.exceptions.PolarsError as exc:
            raise self._refusal(exc) from exc

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.unlink(missing_ok=True)
            self._tmp = None


def _damaged_workbook(exc: Exception) -> ImportRefused:
    """A workbook whose zip structure is broken (a part fails its checksum, is shorter than
    declared…), said without the zip library's English."""
    log.info("Damaged workbook: %s", exc)
    part = getattr(exc, "liveops_part", "")
    return ImportRefused(
        _(
            "The workbook is damaged: its part %(part)s does not unpack correctly (the file was cut off "
            "or changed after it was saved). Open it in Excel and save it again, or save it as CSV "
            "UTF-8, then upload it again."
        )
        % {"part": part or "?"},
        code="damaged",
    )


def _cell_text(value) -> str | None:
    """Spreadsheet cell → the text a person sees: 1001.0 → "1001", dates as YYYY-MM-DD."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value)


class XlsxReader(TableReader):
    """First sheet of an XLSX workbook through python-calamine. The header is the first non-empty
    row; line numbers are spreadsheet row numbers."""

    def __init__(self, path: Path):
        from python_calamine import CalamineWorkbook

        try:
            check_zip(path)
            check_sheet_extent(path)
        except ImportRefused:
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
            raise _damaged_workbook(exc) from exc
        try:
            self._wb = CalamineWorkbook.from_path(str(path))
            self._sheet = self._wb.get_sheet_by_index(0)
        except Exception as exc:  # calamine raises its own error types for damaged workbooks
            log.info("Unreadable workbook %s: %s", path, exc)
            raise ImportRefused(
                _(
                    "The workbook could not be read: it is damaged or not a real Excel workbook. Open "
                    "it in Excel and save it again as .xlsx or as CSV UTF-8, then upload it again."
                ),
                code="wrong_file",
            ) from exc
        self._header_row = 0
        self.raw_headers = []
        for index, row in enumerate(self._sheet.iter_rows()):
            texts = [_cell_text(v) for v in row]
            if any(t and t.strip(_SPACES) for t in texts):
                self._header_row = index
                self.raw_headers = [t or "" for t in texts]
                break
        while self.raw_headers and not normalise_header(self.raw_headers[-1]):
            self.raw_headers.pop()
        self.headers = [normalise_header(h) for h in self.raw_headers]
        self.estimated_rows = max(int(self._sheet.total_height) - self._header_row - 1, 0)

    def batches(self, batch_size: int = BATCH_ROWS) -> Iterator[pl.DataFrame]:
        cols = self.columns()
        if not cols:
            return
        width = len(cols)
        buf: list[list[str | None]] = []
        lines: list[int] = []

        def flush() -> pl.DataFrame:
            data = {c: [r[i] for r in buf] for i, c in enumerate(cols)}
            frame = pl.DataFrame(data, schema=dict.fromkeys(cols, pl.String)).with_columns(
                pl.Series(LINE, lines, dtype=pl.Int64),
                pl.Series(REC, lines, dtype=pl.Int64) - (self._header_row + 2),
            )
            buf.clear()
            lines.clear()
            return _drop_empty(frame, cols)

        for index, row in enumerate(self._sheet.iter_rows()):
            if index <= self._header_row:
                continue
            texts = [_cell_text(v) for v in row[:width]]
            texts.extend([None] * (width - len(texts)))
            buf.append(texts)
            lines.append(index + 1)
            if len(buf) >= batch_size:
                yield flush()
        if buf:
            yield flush()

    def close(self) -> None:
        # Closing twice (or a workbook calamine already dropped) is harmless.
        with contextlib.suppress(Exception):
            self._wb.close()


def open_table(path: Path | str) -> TableReader:
    """Sniff and open an import file. Raises ``ImportRefused`` for files that cannot be imported."""
    path = Path(path)
    if not path.is_file():
        raise ImportRefused(_("The file is missing."), code="missing")
    check_size(path.stat().st_size)
    fmt = detect_format(path)
    reader = XlsxReader(path) if fmt == "xlsx" else CsvReader(path)
    if not any(reader.headers):
        reader.close()
        raise ImportRefused(_("The file has no header row."), code="no_header")
    return reader
