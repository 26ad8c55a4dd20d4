"""The household export reads tuples (values_list) and writes with the streaming engine; what a user opens is
cell for cell what the page shows them, masking included, and what the openpyxl writer used to write.

Read back with openpyxl (what the tests and most tools use) and python-calamine (the survey reader).
"""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from python_calamine import CalamineWorkbook

from communities.choices import Consent
from communities.models import Household
from communities.totals import town_totals_refresh
from communities.views import HouseholdListView
from tests.communities.factories import BuildingFactory, CompoundFactory, HouseholdFactory
from ui.lists import column_lookup
from ui.xlsx import safe_cell_value, safe_row, workbook_bytes

pytestmark = pytest.mark.django_db
URL = reverse("communities:household_list")
HOSTILE = '=HYPERLINK("http://e.x","点")'


@pytest.fixture
def households(wulan, other_town):
    """Households in two towns with every kind of value a cell can hold: empty, short and hostile personal
    data, no area, each consent, contribution yes/no/unknown, a compound whose name starts a formula."""
    made = []
    for town, compound_name in ((wulan, "和平小区"), (other_town, "+" + HOSTILE[1:])):
        building = BuildingFactory(compound=CompoundFactory(town=town, name=compound_name), number="-3")
        made += [
            HouseholdFactory(building=building, head_name="王测试", phone="13912345678", unit="1单元", room="101",
                             renovation_consent=Consent.AGREE, willing_to_contribute=True),
            HouseholdFactory(building=building, head_name="", phone="", unit="1单元", room="102",
                             floor_area_m2=None, renovation_consent=Consent.DISAGREE, willing_to_contribute=False),
            HouseholdFactory(building=building, head_name=HOSTILE, phone="12345", unit="2单元", room="@1",
                             floor_area_m2=Decimal("75.35"), lift_consent=Consent.AGREE),
        ]
        town_totals_refresh(town_ids=[town.pk])
    return made


def _openpyxl_reference(headers, rows) -> bytes:
    """The table as the former writer (openpyxl write-only, every cell through safe_cell_value) wrote it."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("住户")
    header = []
    for label in headers:
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([safe_cell_value(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _openpyxl_values(content: bytes) -> list[list]:
    return [list(row) for row in load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True)]


def _calamine_values(content: bytes) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


def _as_read(value):
    """A page value as a spreadsheet reader gives it back: neutralised, numbers as floats, empty as None."""
    value = safe_cell_value(value)
    if isinstance(value, Decimal):
        return float(value)
    return None if value == "" else value


@pytest.mark.parametrize("role", ["staff", "surveyor", "leader", "auditor"])
def test_the_export_is_the_page_cell_for_cell_masking_included(client, users, households, role):
    client.force_login(users[role])
    page = client.get(URL)
    page_rows = [[cell.value for cell in row] for row in page.context["rows"]]
    headers = [header["label"] for header in page.context["headers"]]
    assert len(page_rows) == (3 if role == "surveyor" else 6)
    content = client.get(URL, {"export": "xlsx"}).content

    expected = [headers] + [[_as_read(value) for value in row] for row in page_rows]
    assert _openpyxl_values(content) == expected
    assert _calamine_values(content) == [["" if v is None else v for v in row] for row in expected]
    # What the former openpyxl writer made of the same page rows reads back the same in both readers.
    before = _openpyxl_reference(headers, page_rows)
    assert _openpyxl_values(content) == _openpyxl_values(before)
    assert _calamine_values(content) == _calamine_values(before)

    names = {row[headers.index("户主姓名")] for row in expected[1:]}
    if role in ("leader", "auditor"):
        assert names == {"王**", None, "'=" + "*" * (len(HOSTILE) - 1)}
    else:
        assert "王测试" in names and "'" + HOSTILE in names


def _view_for(rf, user):
    request = rf.get(URL)
    request.user = user
    view = HouseholdListView()
    view.setup(request)
    return view, view.get_queryset()


@pytest.mark.parametrize("role", ["staff", "surveyor", "leader"])
def test_tuple_rows_equal_model_rows(rf, users, households, role, django_assert_num_queries):
    """The tuple reader gives the same cells as cell() over model instances, in one query for the rows."""
    view, rows = _view_for(rf, users[role])
    columns = [c for c in view.columns if not c.page_only]
    models = [[view.cell(row, c) for c in columns] for row in rows]
    with django_assert_num_queries(1):
        tuples = list(view._export_tuples(rows, columns))
    assert tuples == models
    assert view.export_table(rows)[1].__class__.__name__ == "generator"


@pytest.mark.parametrize("view_name", ["CompoundListView", "BuildingListView", "DutyListView"])
def test_every_list_read_as_tuples_gives_the_model_cells(rf, users, households, programme, view_name):
    """The other lists whose columns are all field paths (annotations included) read tuples too, same cells."""
    import agencies.views
    import communities.views

    view_class = getattr(communities.views, view_name, None) or getattr(agencies.views, view_name)
    request = rf.get("/")
    request.user = users["staff"]
    view = view_class()
    view.setup(request)
    rows = view.get_queryset()
    columns = [c for c in view.columns if not c.page_only]
    tuples = view._export_tuples(rows, columns)
    assert tuples is not None, view_name
    models = [[view.cell(row, c) for c in columns] for row in rows]
    assert list(tuples) == models and models, view_name


def test_a_column_that_is_not_a_field_path_reads_model_rows(rf, users, households):
    view, rows = _view_for(rf, users["staff"])
    assert column_lookup(rows, "building.compound.name") == ("building__compound__name", None)
    assert column_lookup(rows, "get_lift_consent_display")[1][Consent.AGREE] == Consent.AGREE.label
    for path in ("building", "building.compound", "building.pk", "get_unit_display", "nothing.here"):
        assert column_lookup(rows, path) is None, path
    view.columns = [*view.columns, type(view.columns[0])("楼栋全称", lambda row: str(row.building))]
    headers, table = view.export_table(rows)
    assert headers[-1] == "楼栋全称" and len(list(table)) == Household.objects.count()


def test_dates_datetimes_repeated_labels_and_no_rows():
    when = dt.datetime(2024, 5, 31, 8, 30)
    content = workbook_bytes(title="测试", headers=["日", "时", "日"], rows=[[dt.date(2024, 5, 31), when, None]])
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    assert [c.value for c in sheet[1]] == ["日", "时", "日（2）"]
    assert [c.value for c in sheet[2]][:2] == [dt.datetime(2024, 5, 31), when]
    assert [c.number_format for c in sheet[2]][:2] == ["yyyy-mm-dd", "yyyy-mm-dd h:mm:ss"]
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b and sheet.title == "测试"
    empty = load_workbook(io.BytesIO(workbook_bytes(title="空", headers=["甲", "乙"], rows=[]))).worksheets[0]
    assert [[c.value for c in row] for row in empty.iter_rows()] == [["甲", "乙"]]


def test_the_fast_row_path_neutralises_as_safe_cell_value_does():
    values = ["", "王", "=1+1", "-3", "＝1", "\t=x", "a\x01b", "\x01=x", " =x", "@a", -3, 2.5, Decimal("1.20"), None,
              True, False, dt.date(2024, 1, 1), dt.datetime(2024, 1, 1, 8, tzinfo=dt.UTC), Consent.AGREE,
              "x" * 32766, "=" + "x" * 32766, "x" * 40000]
    assert safe_row(values) == [safe_cell_value(value) for value in values]
    assert safe_row(["=1", "a\x01b", True]) == ["'=1", "ab", "是"]


def test_text_longer_than_a_cell_holds_is_cut_not_a_failed_export():
    content = workbook_bytes(title="测试", headers=["说明"], rows=[["长" * 40000], ["=" + "x" * 32766]])
    cells = [row[0] for row in _openpyxl_values(content)[1:]]
    assert [len(text) for text in cells] == [32767, 32767]
    assert cells[1].startswith("'=")
