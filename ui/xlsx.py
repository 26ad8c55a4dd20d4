"""The one xlsx writer of the app: every export, report and generated workbook is built here.

A text cell that starts with = + - @ (or a tab/newline, or their full-width forms) is read as a
formula by Excel, WPS and LibreOffice (OWASP "CSV injection"): a compound named
=HYPERLINK("http://…","点我") planted through a survey file must reach the reader as text. Two ways:

- safe_cell_value(value): exports and reports. Such text gets a leading apostrophe, so the cell
  shows '=HYPERLINK(… as text; numbers (negative ones too), dates and Decimals keep their type.
- text_cell(sheet, value): workbooks a user edits and uploads again (the survey error workbook). The
  text is kept exactly and the cell is written as a string cell (t="inlineStr") with Excel's
  quotePrefix style, so it shows as text and stays text when edited, and re-uploads unchanged.

Public API (docs/ui.md): new_workbook, template_workbook, save_workbook, safe_cell_value, text_cell, styled_cell,
write_rows (= workbook_bytes), xlsx_response, xlsx_download.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from io import BytesIO

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# A text cell starting with one of these is read as a formula by spreadsheet programs (OWASP "CSV
# injection"); a resident's name like "=HYPERLINK(...)" must stay text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
_BOLD = Font(bold=True)


def _plain(value):
    """Python values as openpyxl stores them as data: bools in words, datetimes local and naive."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if value is None or isinstance(value, int | float | Decimal | dt.date):
        return value
    if not isinstance(value, str):
        value = str(value)
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def looks_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def safe_cell_value(value):
    """A value openpyxl writes as plain data: text never starts a formula, datetimes lose their zone."""
    value = _plain(value)
    if looks_like_formula(value):
        return "'" + value
    return value


def text_cell(sheet, value) -> WriteOnlyCell:
    """A write-only cell holding `value` exactly; formula-like text is forced to a string cell."""
    value = _plain(value)
    cell = WriteOnlyCell(sheet, value=value)
    if looks_like_formula(value):
        cell.data_type = "s"  # openpyxl made it "f" (a live formula) on assignment
        cell.quotePrefix = True  # Excel's own mark for "typed with a leading ', keep as text"
    return cell


def styled_cell(sheet, value, **style) -> WriteOnlyCell:
    """A write-only cell with safe_cell_value(value) and the given styles (font=, fill=, number_format=…)."""
    cell = WriteOnlyCell(sheet, value=safe_cell_value(value))
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def new_workbook() -> Workbook:
    """An empty streaming workbook (write-only: rows are serialised as appended, memory stays flat)."""
    return Workbook(write_only=True)


def template_workbook() -> Workbook:
    """A random-access workbook, for the survey template alone: fixed instructions, headers and dropdowns,
    no stored data (cells of user data go through safe_cell_value / text_cell in a new_workbook)."""
    return Workbook()


def save_workbook(workbook: Workbook) -> bytes:
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_xlsx(target, *, title: str, headers: Sequence[str], rows: Iterable[Sequence]) -> None:
    """One sheet into `target` (a path or a binary file): a bold frozen header row, then the rows, every
    cell passed through safe_cell_value. Write-only: rows are serialised as they come, so memory stays
    flat whatever the row count (the worker's large exports, ui.exports, write a million rows this way)."""
    workbook = new_workbook()
    sheet = workbook.create_sheet(title=title[:31])
    for index, label in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(10, len(str(label)) * 2 + 2)
    sheet.freeze_panes = "A2"
    sheet.append([styled_cell(sheet, h, font=_BOLD) for h in headers])
    for row in rows:
        sheet.append([safe_cell_value(value) for value in row])
    workbook.save(target)


def workbook_bytes(*, title: str, headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """One sheet (write_xlsx) as bytes, for an answer at once."""
    buffer = BytesIO()
    write_xlsx(buffer, title=title, headers=headers, rows=rows)
    return buffer.getvalue()


write_rows = workbook_bytes


def xlsx_download(content: bytes, filename: str) -> HttpResponse:
    """An attachment of ready-made xlsx bytes (the filename may be Chinese)."""
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


def xlsx_response(*, filename_stem: str, title: str, headers: Sequence[str], rows: Iterable[Sequence]) -> HttpResponse:
    """An attachment named like 小区_20240531.xlsx (the date is the download day, for the file drawer)."""
    content = workbook_bytes(title=title, headers=headers, rows=rows)
    return xlsx_download(content, f"{filename_stem}_{timezone.localdate():%Y%m%d}.xlsx")
