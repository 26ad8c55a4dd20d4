"""Property tests: random and adversarial input to the survey importer and to the forms that take
numbers or dates never produces a server error or a partial write."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from communities.models import Compound, SurveyUpload
from communities.survey.schema import SHEETS
from communities.survey.values import ValueProblem, read_cell

pytestmark = pytest.mark.django_db

PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                           HealthCheck.too_slow])

# What a spreadsheet cell can hold once a reader has it: text (incl. full-width, control and RTL
# characters), numbers of every size and sign, NaN/inf, dates, booleans, nothing.
CELLS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-10**20, max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True), st.decimals(allow_nan=False, allow_infinity=False),
    st.dates(), st.datetimes(),
    st.text(max_size=40),
    st.sampled_from(["１９９８年", "1,234.5", "是", "√", "×", "Y", "同意", "未表态", "=1+1", "#REF!", "  ", "1e309",
                     "-0", "0x1F", "١٢٣", "2000年以前", "1998.5", "—"]),
)
COLUMNS = [column for sheet in SHEETS for column in sheet.columns]


@given(value=CELLS, column=st.sampled_from(COLUMNS))
@PROPERTY
def test_every_cell_value_is_read_or_explained(value, column):
    try:
        read_cell(value, column, this_year=2026)
    except ValueProblem as problem:
        assert str(problem).strip(), "a problem must say what to do"


ROW = st.lists(st.one_of(st.text(max_size=12), st.integers(-5, 3000).map(str), st.sampled_from(["是", "否", ""])),
               min_size=0, max_size=30)


@given(rows=st.lists(ROW, max_size=12), encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
       header=st.booleans())
@PROPERTY
def test_random_csv_uploads_never_fail_and_never_write_survey_rows(client, surveyor_user, rows, encoding, header):
    client.force_login(surveyor_user)
    compounds_before, uploads_before = Compound.objects.count(), SurveyUpload.objects.count()
    lines = ([["小区名称", "所属社区", "建成年份", "楼栋数", "户数"]] if header else []) + rows
    text = "\n".join(",".join(cell.replace(",", "，").replace("\n", " ") for cell in line) for line in lines)
    payload = io.BytesIO(text.encode(encoding, errors="replace"))
    payload.name = "survey.csv"
    response = client.post(reverse("communities:survey_upload"),
                           {"file": payload, "csv_sheet": "compounds", "csv_encoding": "auto"})
    assert response.status_code in (200, 302)
    # Upload only previews: the survey's rows are written on confirmation, never before.
    assert Compound.objects.count() == compounds_before
    assert SurveyUpload.objects.count() in (uploads_before, uploads_before + 1)


NUMBERS = st.one_of(st.text(max_size=15), st.integers(-10**18, 10**18).map(str),
                    st.decimals(allow_nan=True, allow_infinity=True).map(str),
                    st.sampled_from(["", "0", "-1", "1e10", "NaN", "１２", "99999999999999.99", "0.001"]))
DATES = st.one_of(st.text(max_size=12), st.dates().map(dt.date.isoformat),
                  st.sampled_from(["", "2023-02-30", "0000-01-01", "9999-12-31", "2023/06/30", "2023年6月30日"]))


@pytest.fixture
def project(programme, wulan, staff_user):
    from projects.services import project_create
    from tests.communities.factories import make_estate

    compound = make_estate(town=wulan)[0]
    return project_create(programme=programme, code="jy-prop", name="属性测试项目", compounds=[compound],
                          user=staff_user, reasons={compound.pk: "测试：先行列入，待补充认定资料"})


@given(quantity=NUMBERS, cost=NUMBERS, lifts=NUMBERS, pipes=NUMBERS)
@PROPERTY
def test_scope_line_form_takes_any_numbers_without_error_or_partial_write(client, staff_user, project, quantity,
                                                                           cost, lifts, pipes):
    from projects.models import ScopeItem, ScopeLine

    client.force_login(staff_user)
    before = ScopeLine.objects.count()
    response = client.post(reverse("scope_line_add", args=[project.pk]), {
        "compound": project.compounds.first().pk, "scope_item": ScopeItem.objects.get(code="fitness_equipment").pk,
        "quantity": quantity, "estimated_cost_yuan": cost, "lifts": lifts, "pipes_km": pipes,
    })
    assert response.status_code in (200, 302)
    after = ScopeLine.objects.count()
    assert after in (before, before + 1)
    if after == before + 1:
        line = ScopeLine.objects.latest("pk")
        assert line.quantity >= 0 and line.estimated_cost_yuan >= 0


@given(start=DATES, end=DATES, on=DATES, action=st.sampled_from(["start", "complete", "reopen", "bogus"]))
@PROPERTY
def test_step_forms_take_any_dates_without_error(client, staff_user, project, start, end, on, action):
    from projects.models import ProjectStep

    client.force_login(staff_user)
    url = reverse("step_edit", args=[project.pk, "survey"])
    plan = client.post(url, {"form": "plan", "planned_start": start, "planned_end": end,
                             "responsible_agency": project.steps.get(code="survey").responsible_agency_id or ""})
    assert plan.status_code in (200, 302)
    done = client.post(url, {"form": "action", "action": action, "on": on})
    assert done.status_code in (200, 302)
    step = ProjectStep.objects.get(project=project, code="survey")
    if step.planned_start and step.planned_end:
        assert step.planned_start <= step.planned_end


@given(verified_on=DATES, decision=st.sampled_from(["confirmed", "rejected", "needs_info", "x"]))
@PROPERTY
def test_verification_form_takes_any_date_without_error(client, staff_user, project, verified_on, decision):
    compound = project.compounds.first()
    client.force_login(staff_user)
    before = compound.verifications.count()
    response = client.post(reverse("communities:verification_create", args=[compound.pk]), {
        "verified_on": verified_on, "town_participant": "乌兰镇", "community_participant": "社区",
        "design_institute": "设计院", "decision": decision, "notes": "",
    })
    assert response.status_code in (200, 302)
    assert compound.verifications.count() in (before, before + 1)
