"""The user's own workbook sent back with every bad cell highlighted and commented.

Streams the stored original (any accepted format) into a write-only .xlsx, so memory stays bounded
however long the file. A first sheet 错误清单 lists every problem. Every cell goes through
ui.xlsx.text_cell: the user's text comes back exactly (so the corrected file re-uploads unchanged), and a
value like =HYPERLINK(...) from a CSV is a text cell, never a live formula.
"""

from collections import defaultdict
from pathlib import Path

from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from communities.choices import SurveyFileFormat
from ui.xlsx import new_workbook, save_workbook, text_cell

from .reader import SurveyFileError, SurveyWorkbook, TooLongText
from .values import FORMULA_WITHOUT_VALUE

ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
WARNING_FILL = PatternFill("solid", fgColor="FFEB9C")


def survey_error_workbook(*, path: Path, file_format: str, csv_sheet: str, csv_encoding: str,
                          problems: list[dict]) -> bytes:
    workbook = new_workbook()
    listing = workbook.create_sheet("错误清单")
    bold = Font(bold=True)
    header = []
    for text in ("级别", "工作表", "行", "列", "值", "说明"):
        cell = text_cell(listing, text)
        cell.font = bold
        header.append(cell)
    listing.append(header)
    by_cell: dict[str, dict[tuple[int, int], list[dict]]] = defaultdict(lambda: defaultdict(list))
    for problem in problems:
        listing.append([text_cell(listing, value) for value in (
            "错误" if problem["level"] == "error" else "提示", problem["sheet"], problem["row"],
            problem["column"], problem["value"], problem["message"])])
        if problem.get("row") and problem.get("col"):
            by_cell[problem["sheet"]][(problem["row"], problem["col"])].append(problem)
    if file_format not in SurveyFileFormat.values or not Path(path).is_file():
        # Refused as a whole (not a spreadsheet, a zip bomb, a DTD…): the listing alone says why.
        return save_workbook(workbook)
    try:
        with SurveyWorkbook(path, file_format, csv_sheet=csv_sheet, csv_encoding=csv_encoding) as source:
            for sheet in source.sheets:
                marks = by_cell.get(sheet.title, {})
                widest: dict[int, int] = defaultdict(int)
                for row, col in marks:
                    widest[row] = max(widest[row], col)
                target = workbook.create_sheet(sheet.title[:31])
                next_row = 1
                for row_number, values in sheet.rows():
                    # Keep the user's row numbers: blank rows stay blank so 第 N 行 still points at N.
                    for _ in range(next_row, row_number):
                        target.append([])
                    next_row = row_number + 1
                    cells = []
                    width = max(len(values), widest.get(row_number, 0))
                    for col in range(1, width + 1):
                        value = values[col - 1] if col <= len(values) else None
                        if value is FORMULA_WITHOUT_VALUE:
                            value = None
                        elif isinstance(value, TooLongText):
                            value = str(value)
                        cell = text_cell(target, value)
                        found = marks.get((row_number, col))
                        if found:
                            is_error = any(p["level"] == "error" for p in found)
                            cell.fill = ERROR_FILL if is_error else WARNING_FILL
                            cell.comment = Comment("\n".join(p["message"] for p in found), "系统检查")
                        cells.append(cell)
                    target.append(cells)
    except SurveyFileError:
        pass  # the listing says why the file could not be read
    return save_workbook(workbook)
