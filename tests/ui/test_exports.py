"""Every xlsx the app hands out — list exports, the review queue, the ledger, tasks, money history, the
survey error workbook, the reports — writes hostile text as text, never as a live formula (issue 16).

The walk is discovered, not listed: every GET route of the URL conf is opened as staff with
?export=xlsx&format=xlsx, and whatever answers a workbook is checked. A new export is walked without
touching this file; KNOWN_EXPORTS only proves the discovery still finds the ones we know.
"""

import ast
import io
import re
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook

from agencies.models import Duty
from communities.models import Building, Community, Compound, Household, SurveyUpload
from funding.models import BudgetLine
from projects.models import AgencyTask, Project
from projects.reports.models import ReportRun
from projects.reports.services import report_run_request
from tests.communities.survey_files import (
    COMPOUND_HEADERS,
    compound_row,
    write_csv,
)
from tests.funding.factories import allocate, budget
from tests.projects.report_factories import CUTOFF, make_report_world
from ui.xlsx import XLSX_CONTENT_TYPE, safe_cell_value, text_cell, workbook_bytes

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = '=HYPERLINK("http://e.x","点")'  # 28 characters: fits every field it is planted in (楼栋号: 30)
HOSTILE_FORMS = ("=HYPERLINK", "+HYPERLINK", "-HYPERLINK", "@HYPERLINK")
KNOWN_EXPORTS = {
    "communities:compound_list", "communities:building_list", "communities:household_list",
    "communities:review_queue", "communities:survey_template", "communities:survey_errors",
    "agencies:duty_list", "project_list", "project_ledger", "task_list", "report_download",
    "funding:budget_line_list", "funding:money_history",
}


def _routes(resolver=None, prefix="", namespace=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _routes(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield namespace + entry.name, prefix + str(entry.pattern), entry.pattern.converters


@pytest.fixture
def hostile_world(programme, staff_user, tmp_path, client, django_capture_on_commit_callbacks):
    """One hostile value in every free-text field an export shows, planted where each role could."""
    world = make_report_world(programme=programme, user=staff_user, compound_name=HOSTILE)
    project = world["jy-01"]
    Compound.objects.filter(pk=world["jy-02"].compounds.first().pk).update(name="+" + HOSTILE[1:])
    Community.objects.filter(compounds__name=HOSTILE).update(name="@" + HOSTILE[1:])
    first_building = Building.objects.filter(compound__name=HOSTILE).first()
    Building.objects.filter(pk=first_building.pk).update(number="-" + HOSTILE[1:])
    Household.objects.update(head_name=HOSTILE)
    Project.objects.filter(pk=project.pk).update(name=HOSTILE)
    AgencyTask.objects.update(notes=HOSTILE, title="-" + HOSTILE[1:])
    if not AgencyTask.objects.exists():  # the work plan's tasks are loaded; keep the walk honest anyway
        pytest.fail("the programme fixture should carry the annex's tasks")
    Duty.objects.update(text=HOSTILE)
    budget(programme, staff_user, "1000.00")
    BudgetLine.objects.update(note=HOSTILE)
    allocate(project, staff_user, "500.00", number=HOSTILE)
    # A surveyor's CSV (the survey reader normalises full-width ＝ to =) with a refused row.
    rows = [COMPOUND_HEADERS, compound_row(name=HOSTILE, 建成年份="很久以前")]
    path = write_csv(tmp_path / "hostile.csv", rows, encoding="utf-8")
    client.force_login(staff_user)
    with path.open("rb") as handle:
        client.post(reverse("communities:survey_upload"), {"file": handle, "town": world["waiting"].town.pk,
                                                          "csv_sheet": "compounds", "csv_encoding": "utf-8"})
    upload = SurveyUpload.objects.get()
    assert upload.errors, "the planted CSV must be refused so its error workbook exists"
    with django_capture_on_commit_callbacks(execute=True):
        run = report_run_request(kind="progress", cutoff=CUTOFF, user=staff_user)
    pk_for = {
        "compounds": world["jy-01"].compounds.first().pk, "buildings": Building.objects.first().pk,
        "households": Household.objects.first().pk, "surveys": upload.pk, "projects": project.pk,
        "tasks": AgencyTask.objects.first().pk, "reports": run.pk, "duties": Duty.objects.first().pk,
        "funding/budget-lines": BudgetLine.objects.first().pk, "funding/projects": project.pk,
    }
    assert ReportRun.objects.get(pk=run.pk).state == "done"
    return pk_for


def _url(route: str, converters: dict, pk_for: dict) -> str:
    url = "/" + route
    for name in converters:
        if name == "pk":
            keys = [k for k in pk_for if route.startswith(k + "/")]
            value = pk_for[max(keys, key=len)] if keys else 1  # a page with no export of its own: any id
        elif name == "code":
            value = "survey"
        else:
            value = 1  # second ids (a scope line, a document): forms and files, not exports
        url = re.sub(rf"<(?:\w+:)?{name}>", str(value), url)
    return url


def _formula_cells(content: bytes) -> list[str]:
    found = []
    for sheet in load_workbook(io.BytesIO(content)).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    found.append(f"{sheet.title}!{cell.coordinate}={cell.value!r}")
    return found


def _texts(content: bytes) -> list[str]:
    return [cell for sheet in load_workbook(io.BytesIO(content), read_only=True).worksheets
            for row in sheet.iter_rows(values_only=True) for cell in row if isinstance(cell, str)]


def test_every_export_writes_planted_formulas_as_text(client, staff_user, hostile_world):
    client.force_login(staff_user)
    exports = {}
    for name, route, converters in _routes():
        if route.startswith("admin/"):
            continue
        response = client.get(_url(route, converters, hostile_world), {"export": "xlsx", "format": "xlsx"})
        if response.get("Content-Type", "").startswith(XLSX_CONTENT_TYPE):
            content = b"".join(response.streaming_content) if response.streaming else response.content
            exports[name] = content
    assert set(exports) >= KNOWN_EXPORTS, f"discovery lost {KNOWN_EXPORTS - set(exports)}"
    for name, content in exports.items():
        assert _formula_cells(content) == [], name
    reached = {name for name, content in exports.items()
               if any(HOSTILE[1:] in text for text in _texts(content))}
    # The template carries no stored data; every other export shows at least one planted value.
    assert reached >= KNOWN_EXPORTS - {"communities:survey_template"}, KNOWN_EXPORTS - reached


WRITER_MODULES = ("rustpy_xlsxwriter", "xlsxwriter", "openpyxl")
WRITER_CALLS = ("Workbook", "write_worksheet", "write_worksheets", "FastExcel")


def _workbook_builders(source: str) -> list[int]:
    """Lines that build a workbook: openpyxl's Workbook(), the streaming engine's write_worksheet / FastExcel,
    or any import of the streaming engine (openpyxl may be imported: readers and styles use it)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) in WRITER_CALLS:
            lines.append(node.lineno)
        names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else (
            [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
        if any(name.split(".")[0] in WRITER_MODULES[:2] for name in names):
            lines.append(node.lineno)
    return sorted(lines)


def test_only_the_shared_writer_creates_workbooks():
    """One writer (ui/xlsx.py): a module that builds its own workbook bypasses the neutralising."""
    offenders = []
    packages = [p for p in ROOT.iterdir() if (p / "__init__.py").exists() and p.name not in ("tests", "benchmarks")]
    assert {"ui", "communities", "projects", "funding", "agencies"} <= {p.name for p in packages}
    for path in (file for package in packages for file in package.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if str(relative) == "ui/xlsx.py":
            continue
        offenders += [f"{relative}:{line}" for line in _workbook_builders(path.read_text(encoding="utf-8"))]
    assert offenders == []


def test_the_writer_check_sees_every_way_to_build_a_workbook():
    source = ("import xlsxwriter\nfrom rustpy_xlsxwriter import FastExcel\nfrom openpyxl import load_workbook\n"
              "write_worksheet([], 'x.xlsx')\nopenpyxl.Workbook()\nload_workbook('x.xlsx')\n")
    assert _workbook_builders(source) == [1, 2, 4, 5]
    assert _workbook_builders(Path(ROOT / "ui/xlsx.py").read_text(encoding="utf-8"))  # the writer itself is seen


def test_negative_numbers_stay_numbers_and_text_like_them_becomes_text():
    content = workbook_bytes(title="测试", headers=["值"], rows=[[-3], ["-3+1"], ["＝1+1"], [-2.5]])
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [(c.value, c.data_type) for c in cells] == [(-3, "n"), ("'-3+1", "s"), ("'＝1+1", "s"), (-2.5, "n")]
    assert safe_cell_value(-1) == -1


def test_a_text_cell_keeps_the_users_text_exactly_and_is_not_a_formula():
    from ui.xlsx import new_workbook, save_workbook

    workbook = new_workbook()
    sheet = workbook.create_sheet("住户")
    sheet.append([text_cell(sheet, HOSTILE), text_cell(sheet, -4), text_cell(sheet, "王")])
    cells = list(load_workbook(io.BytesIO(save_workbook(workbook))).worksheets[0].iter_rows())[0]
    assert (cells[0].value, cells[0].data_type, cells[0].quotePrefix) == (HOSTILE, "s", True)
    assert (cells[1].value, cells[1].data_type) == (-4, "n")
    assert cells[2].value == "王" and not cells[2].quotePrefix
