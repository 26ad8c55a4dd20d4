import datetime as dt
from decimal import Decimal
from io import BytesIO

from django.utils import timezone
from openpyxl import load_workbook

from ui.xlsx import safe_cell_value, workbook_bytes


def test_text_that_would_start_a_formula_stays_text():
    for dangerous in ("=1+1", "+86 139", "-2+3", "@SUM(A1)", "\t=1", "＝1+1"):
        assert safe_cell_value(dangerous) == "'" + dangerous
    assert safe_cell_value("王测试") == "王测试"


def test_numbers_dates_and_facts_keep_their_type():
    assert safe_cell_value(Decimal("12.50")) == Decimal("12.50")
    assert safe_cell_value(-3) == -3
    assert safe_cell_value(True) == "是"
    assert safe_cell_value(dt.date(2024, 5, 31)) == dt.date(2024, 5, 31)
    aware = timezone.make_aware(dt.datetime(2024, 5, 31, 8, 0))
    assert safe_cell_value(aware).tzinfo is None


def test_written_workbook_has_no_formula_cells():
    content = workbook_bytes(title="测试", headers=["名称"], rows=[["=cmd|' /C calc'!A0"], ["正常\x07"]])
    sheet = load_workbook(BytesIO(content)).worksheets[0]
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert all(cell.data_type == "s" for cell in cells)
    assert cells[1].value == "正常"
