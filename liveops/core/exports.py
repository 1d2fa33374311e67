"""CSV and XLSX exports. Cells that a spreadsheet would read as a formula are escaped (OWASP CSV
injection): a leading ``= + - @`` (or tab/CR) gets a ``'`` in front."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

from django.http import HttpResponse, StreamingHttpResponse

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NEGATIVE = re.compile(r"-[0-9]+(\.[0-9]+)?")


def escape_cell(value) -> object:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        # A plain negative number (-12, -3.50) is data, not a formula. float() would also let
        # through "+1", "-inf", "-1_000" or a leading tab, which are not plain numbers.
        if _PLAIN_NEGATIVE.fullmatch(value):
            return value
        return "'" + value
    return value


class _Echo:
    def write(self, value):
        return value


def csv_response(*, filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> StreamingHttpResponse:
    """Stream a UTF-8 CSV with BOM (so Excel in Chinese Windows opens it right)."""
    writer = csv.writer(_Echo())

    def generate():
        yield "\ufeff"
        yield writer.writerow([escape_cell(h) for h in header])
        for row in rows:
            yield writer.writerow([escape_cell(v) for v in row])

    response = StreamingHttpResponse(generate(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(*, filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> HttpResponse:
    import xlsxwriter

    buf = io.BytesIO()
    # strings_to_formulas=False: never let a cell become a formula, on top of the escaping.
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    ws = wb.add_worksheet()
    bold = wb.add_format({"bold": True})
    for col, h in enumerate(header):
        ws.write_string(0, col, str(h), bold)
    for r, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            v = escape_cell(value)
            if isinstance(v, int | float) and not isinstance(v, bool):
                ws.write_number(r, col, v)
            else:
                ws.write_string(r, col, str(v))
    wb.close()
    response = HttpResponse(
        buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def export_response(*, fmt: str, filename: str, header: Sequence[str], rows: Iterable[Sequence]):
    if fmt == "xlsx":
        return xlsx_response(filename=filename, header=header, rows=rows)
    return csv_response(filename=filename, header=header, rows=rows)
