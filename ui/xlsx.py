"""Writing rows to an .xlsx download that is safe to open in Excel or WPS."""

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from io import BytesIO

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# A text cell starting with one of these is read as a formula by spreadsheet programs (OWASP "CSV
# injection"); a resident's name like "=HYPERLINK(...)" must stay text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def safe_cell_value(value):
    """A value openpyxl writes as plain data: text never starts a formula, datetimes lose their zone."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if isinstance(value, int | float | Decimal | dt.date):
        return value
    if not isinstance(value, str):
        value = str(value)
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def write_xlsx(target, *, title: str, headers: Sequence[str], rows: Iterable[Sequence]) -> None:
    """One sheet into `target` (a path or a binary file): a header row, then the rows, every cell passed
    through safe_cell_value. Write-only: rows are serialised as they come, so memory stays flat."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([safe_cell_value(h) for h in headers])
    for row in rows:
        sheet.append([safe_cell_value(value) for value in row])
    workbook.save(target)


def workbook_bytes(*, title: str, headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    buffer = BytesIO()
    write_xlsx(buffer, title=title, headers=headers, rows=rows)
    return buffer.getvalue()


def xlsx_response(*, filename_stem: str, title: str, headers: Sequence[str], rows: Iterable[Sequence]) -> HttpResponse:
    """An attachment named like 小区_20240531.xlsx (the date is the download day, for the file drawer)."""
    content = workbook_bytes(title=title, headers=headers, rows=rows)
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    filename = f"{filename_stem}_{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response
