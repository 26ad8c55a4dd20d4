import datetime as dt
from decimal import Decimal

from openpyxl import load_workbook

from .models import ReportRun

# The HTML view shows this many rows of a sheet; the file has them all.
VIEW_MAX_ROWS = 2000


def report_runs():
    return ReportRun.objects.select_related("requested_by", "programme").order_by("-requested_at", "-id")


def _display(cell) -> str:
    value = cell.value
    if value is None:
        return ""
    fmt = cell.number_format or ""
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d}" if fmt == "yyyy-mm-dd" else f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        if fmt.endswith("%"):
            return f"{Decimal(str(value)) * 100:.1f}%"
        if fmt == "#,##0.000":
            return f"{Decimal(str(value)):,.3f}"
        if fmt == "#,##0.00":
            return f"{Decimal(str(value)):,.2f}"
        return f"{value:,}"
    return str(value)  # a neutralised formula keeps its leading ' here too


def workbook_tables(*, run: ReportRun) -> list[dict]:
    """Each sheet of the run's file: title, subtitle, header and (up to VIEW_MAX_ROWS) rows as text."""
    with run.file.open("rb") as handle:
        workbook = load_workbook(handle, read_only=True)
        sheets = []
        for sheet in workbook.worksheets:
            rows = sheet.iter_rows()
            title = [_display(c) for c in next(rows, ())]
            subtitle = [_display(c) for c in next(rows, ())]
            header = [_display(c) for c in next(rows, ())]
            body, more = [], 0
            for row in rows:
                if len(body) >= VIEW_MAX_ROWS:
                    more += 1
                    continue
                cells = [{"text": _display(c), "numeric": isinstance(c.value, int | float)} for c in row]
                body.append(cells + [{"text": "", "numeric": False}] * (len(header) - len(cells)))
            sheets.append({
                "name": sheet.title, "title": title[0] if title else "", "subtitle": subtitle[0] if subtitle else "",
                "header": header, "rows": body, "more": more,
            })
        workbook.close()
    return sheets
