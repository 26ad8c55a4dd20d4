"""The one xlsx writer of the app: every export, report and generated workbook is built here.

A text cell that starts with = + - @ (or a tab/newline, or their full-width forms) is read as a
formula by Excel, WPS and LibreOffice (OWASP "CSV injection"): a compound named
=HYPERLINK("http://…","点我") planted through a survey file must reach the reader as text. Two ways:

- safe_cell_value(value): exports and reports. Such text gets a leading apostrophe, so the cell
  shows '=HYPERLINK(… as text; numbers (negative ones too), dates and Decimals keep their type.
- text_cell(sheet, value): workbooks a user edits and uploads again (the survey error workbook). The
  text is kept exactly and the cell is written as a string cell (t="inlineStr") with Excel's
  quotePrefix style, so it shows as text and stays text when edited, and re-uploads unchanged.

Two engines, one module:

- write_xlsx (and workbook_bytes / write_rows / xlsx_response on top of it), the one-sheet table of every list
  export, streams through rustpy-xlsxwriter (rust_xlsxwriter's constant-memory row writer): ~100,000 rows/s
  and ~20 MB whatever the row count, where openpyxl's write-only mode wrote ~6,000 rows/s
  (benchmarks/README.md, "Exports at national scale").
- new_workbook / template_workbook / text_cell / styled_cell (reports, the survey error workbook and the
  survey template) stay on openpyxl: styled multi-row headers, quotePrefix cells and data validation.

Public API (docs/ui.md): new_workbook, template_workbook, save_workbook, safe_cell_value, text_cell, styled_cell,
write_xlsx, write_rows (= workbook_bytes), xlsx_response, xlsx_download.
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
from rustpy_xlsxwriter import Format, write_worksheet

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# A text cell starting with one of these is read as a formula by spreadsheet programs (OWASP "CSV
# injection"); a resident's name like "=HYPERLINK(...)" must stay text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def _plain(value):
    """Python values as the writers store them as data: bools in words, datetimes local and naive."""
    if value.__class__ is str:  # the common case first: most cells are text
        return value if value.isprintable() else ILLEGAL_CHARACTERS_RE.sub("", value)
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


EXCEL_TEXT_MAX = 32767  # characters in a cell: Excel's limit; the streaming writer refuses longer text


def safe_cell_value(value):
    """A value the writers store as plain data: text never starts a formula and fits a cell (cut at Excel's
    32,767 characters), datetimes lose their zone."""
    value = _plain(value)
    if looks_like_formula(value):
        value = "'" + value
    if isinstance(value, str) and len(value) > EXCEL_TEXT_MAX:
        return value[:EXCEL_TEXT_MAX]
    return value


_KEPT = frozenset({int, float, Decimal, type(None)})  # written as they are (bool is not int here: 是/否)


def safe_row(row) -> list:
    """[safe_cell_value(v) for v in row], with printable text and plain numbers handled inline: the streaming
    writer's hot loop (a million rows × ten cells), ~2x faster than a call per cell."""
    return [
        (("'" + value) if value.startswith(FORMULA_PREFIXES) else value)
        if value.__class__ is str and len(value) < EXCEL_TEXT_MAX and value.isprintable()
        else (value if value.__class__ in _KEPT else safe_cell_value(value))
        for value in row
    ]


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


DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd h:mm:ss"  # openpyxl's own defaults, kept so files read back as before


def _column_keys(headers: Sequence[str]) -> list[str]:
    """The header labels as the record keys the writer takes; a repeated label gets （2）, （3）… so no
    column overwrites another."""
    keys, seen = [], {}
    for label in headers:
        label = str(safe_cell_value(label) or "")
        seen[label] = seen.get(label, 0) + 1
        keys.append(label if seen[label] == 1 else f"{label}（{seen[label]}）")
    return keys


def _column_formats(first_row) -> list:
    """Number formats for date and datetime columns (seen in the first row), general elsewhere."""
    formats = []
    for value in first_row or ():
        fmt = Format()
        if isinstance(value, dt.datetime):
            fmt.set_num_format(DATETIME_FORMAT)
        elif isinstance(value, dt.date):
            fmt.set_num_format(DATE_FORMAT)
        formats.append(fmt)
    return formats


def write_xlsx(target, *, title: str, headers: Sequence[str], rows: Iterable[Sequence]) -> None:
    """One sheet into `target` (a path or a binary file): a bold frozen header row, then the rows, every
    cell passed through safe_cell_value. Streamed in constant memory: each row is serialised as it comes
    (rust_xlsxwriter writes inline strings to a temporary file), so a million rows take the memory of one
    (benchmarks/README.md: ~20 MB for the writer at a million household rows)."""
    keys = _column_keys(headers)
    rows = iter(rows)
    first = next(rows, None)
    first = None if first is None else safe_row(first)

    def records():
        if first is None:
            yield dict.fromkeys(keys)  # no rows: the header alone (an all-empty record writes no row)
            return
        yield dict(zip(keys, first, strict=True))
        for row in rows:
            yield dict(zip(keys, safe_row(row), strict=True))

    write_worksheet(
        records(), target, sheet_name=title[:31], freeze_row=1, bold_headers=True,
        column_widths=[max(10, len(str(label)) * 2 + 2) for label in headers],
        column_formats=_column_formats(first), datetime_format=DATETIME_FORMAT,
    )


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
