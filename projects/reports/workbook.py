"""Office-looking sheets streamed with openpyxl's write-only mode.

Every sheet: a title row, a row with the report date and data cut-off, the column headers (frozen
with the title), column widths and number formats per column. Every value goes through
ui.xlsx.safe_cell_value, so text starting with = + - @ never becomes a formula.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from ui import xlsx
from ui.xlsx import safe_cell_value

NUMBER_FORMATS = {
    "text": "@",
    "int": "#,##0",
    "wan": "#,##0.00",  # money in 万元, two decimals
    "decimal": "#,##0.00",
    "km": "#,##0.000",
    "percent": "0.0%",
    "date": "yyyy-mm-dd",
}
_TITLE_FONT = Font(name="等线", size=14, bold=True)
_SUBTITLE_FONT = Font(name="等线", size=10, color="555555")
_HEADER_FONT = Font(name="等线", bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_THIN = Side(style="thin", color="999999")
_HEADER_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
_WRAP = Alignment(vertical="top", wrap_text=True)
_WAN = Decimal(10000)
_CENTS = Decimal("0.01")


def wan(yuan) -> Decimal | None:
    """元 → 万元 with two decimals, rounded half up as the work plan writes 27018.02万元."""
    if yuan is None:
        return None
    return (Decimal(yuan) / _WAN).quantize(_CENTS, rounding=ROUND_HALF_UP)


def share(rate_percent) -> Decimal | None:
    """A rate the selectors give in percent (12.5) as the fraction a 0.0% cell shows (0.125)."""
    return None if rate_percent is None else Decimal(rate_percent) / 100


@dataclass(frozen=True)
class Column:
    label: str
    width: float = 14
    kind: str = "text"
    wrap: bool = False


class ReportSheet:
    """One sheet of a report; rows are appended and written out at once (nothing kept in memory)."""

    def __init__(self, workbook: Workbook, *, name: str, title: str, subtitle: str, columns: list[Column]):
        self.columns = columns
        self.sheet = workbook.create_sheet(title=name[:31])
        self.rows = 0
        for index, column in enumerate(columns, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = column.width
        self.sheet.freeze_panes = "A4"  # title, subtitle and header stay in view
        self.sheet.print_title_rows = "3:3"
        self._styled([(title, _TITLE_FONT)])
        self._styled([(subtitle, _SUBTITLE_FONT)])
        header = []
        for column in columns:
            cell = WriteOnlyCell(self.sheet, value=safe_cell_value(column.label))
            cell.font, cell.fill, cell.border, cell.alignment = _HEADER_FONT, _HEADER_FILL, _HEADER_BORDER, _HEADER_ALIGN
            header.append(cell)
        self.sheet.append(header)
        # One styled cell per column, reused: write-only cells are serialised on append.
        self._cells = []
        for column in columns:
            cell = WriteOnlyCell(self.sheet)
            cell.number_format = NUMBER_FORMATS[column.kind]
            if column.wrap:
                cell.alignment = _WRAP
            self._cells.append(cell)

    def _styled(self, values):
        row = []
        for value, font in values:
            cell = WriteOnlyCell(self.sheet, value=safe_cell_value(value))
            cell.font = font
            row.append(cell)
        self.sheet.append(row)

    def append(self, values) -> None:
        row = []
        for column, cell, value in zip(self.columns, self._cells, values, strict=True):
            value = safe_cell_value(value)
            if isinstance(value, dt.datetime):
                value = value.date()
            if column.kind == "decimal":
                # A count in a mixed column (compounds beside 万㎡) is a whole number: 46, not 46.00.
                whole = isinstance(value, int) and not isinstance(value, bool)
                cell.number_format = NUMBER_FORMATS["int" if whole else "decimal"]
            cell.value = value
            row.append(cell)
        self.sheet.append(row)
        self.rows += 1

    def note(self, text: str) -> None:
        """A line of text under the table (e.g. 暂无数据), in the first column."""
        self.sheet.append([safe_cell_value(text)])
        self.rows += 1


def new_workbook() -> Workbook:
    return xlsx.new_workbook()
