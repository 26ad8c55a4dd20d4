"""The table bodies rendered by Jinja2 ({% jinja %}, templates/jinja2/) escape what users typed and print
what each list promises; widgets render through Django's Jinja2 widget templates."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django import forms
from django.template import engines

from communities.models import CompoundAssessment
from projects.choices import DeadlineStatus
from projects.deadlines import DeadlineAssessment
from tests.communities.factories import make_estate
from tests.projects.factories import CompoundFactory, make_project

pytestmark = pytest.mark.django_db
HOSTILE = "<script>alert(1)</script>"


def _render(name, **context) -> str:
    return engines["jinja2"].get_template(name).render(context)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_list_rows_escape_values_and_print_yes_no_dash_and_links():
    rows = [[{"value": HOSTILE, "url": "/compounds/1/", "numeric": False},
             {"value": True, "url": None, "numeric": False},
             {"value": None, "url": None, "numeric": False},
             {"value": Decimal("1234.50"), "url": None, "numeric": True}]]
    html = _render("ui/list_rows.html", rows=rows)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert '<a href="/compounds/1/">' in html and '<td class="num">1234.50</td>' in html
    assert "<td>是</td>" in html and "<td>—</td>" in html


def test_project_rows_show_tags_deadline_forecast_and_cost(programme, staff_user, wulan):
    project = make_project(programme=programme, user=staff_user, compounds=[CompoundFactory(town=wulan)],
                           code="rows-1", central=True)
    project.name, project.is_demo = HOSTILE, True
    deadlines = [
        DeadlineAssessment(key="ready", label="具备开工条件", deadline=dt.date(2023, 6, 30),
                           status=DeadlineStatus.AT_RISK, forecast=dt.date(2023, 7, 9), explanation=HOSTILE),
        DeadlineAssessment(key="complete", label="全部完工", deadline=dt.date(2024, 5, 31),
                           status=DeadlineStatus.DONE, forecast=dt.date(2024, 1, 2), explanation="完成"),
    ]
    rows = [{"project": project, "compounds": "甲、乙（第2期）", "households": 12, "steps_done": 3,
             "steps_total": 17, "current": "设计", "deadlines": deadlines,
             "estimated_cost_yuan": Decimal("1234567.5")}]
    html = _render("projects/project_rows.html", rows=rows)
    assert "<script>" not in html
    assert f'href="/projects/{project.pk}/"' in html
    assert "中央补助" in html and "演示" in html
    assert "预计 2023-07-09" in html and "预计 2024-01-02" not in html  # no forecast once done
    assert "1234567.50" in _text(html)
    assert "没有符合条件的项目" in _render("projects/project_rows.html", rows=[])


def test_review_rows_show_verdict_missing_consent_and_unassessed(wulan):
    assessed, bare = make_estate(town=wulan)[0], make_estate(town=wulan)[0]
    assessed.name = HOSTILE
    CompoundAssessment.objects.filter(compound=bare).delete()
    assessment = CompoundAssessment.objects.filter(compound=assessed).first() or CompoundAssessment(compound=assessed)
    assessment.central_subsidy_allowed, assessment.priority = False, 0
    assessment.consent_by_households, assessment.consent_by_area = Decimal("0.675"), None
    assessment.consent_meets_threshold = False
    assessment.missing_facts = [{"label": "x"}, {"label": "y"}]
    assessed.assessment = assessment
    bare = type(bare).objects.select_related("town", "community").get(pk=bare.pk)
    bare.build_year = None
    text = _text(html := _render("communities/review_rows.html", compounds=[assessed, bare]))
    assert "<script>" not in html
    assert "（缺 2 项）" in text and "不得申报" in text and "68% / —" in text and "低于门槛" in text
    assert "未评估" in text and "未知" in text and "— / —" in text


def test_task_rows_flag_overdue_and_keep_note_lines(programme, staff_user, wulan):
    from agencies.models import Agency
    from projects.models import AgencyTask

    agency = Agency.objects.get(code="finance")
    tasks = [AgencyTask(pk=1, programme=programme, project=None, agency=agency, title=HOSTILE,
                        due_date=dt.date(2023, 5, 1), status="in_progress", notes="第一行\n<第二行>"),
             AgencyTask(pk=2, programme=programme, project=None, agency=agency, title="无时限", due_date=None,
                        status="todo", notes="")]
    html = _render("projects/task_rows.html", tasks=tasks, today=dt.date(2023, 6, 1), can_update=True)
    assert "<script>" not in html and "第一行<br>&lt;第二行&gt;" in html
    assert html.count("已逾期") == 1 and "全计划" in html and 'href="/tasks/1/' in html
    read_only = _render("projects/task_rows.html", tasks=tasks, today=dt.date(2023, 6, 1), can_update=False)
    assert "更新" not in read_only and read_only.count("查看") == 2  # every reader opens the task page


def test_widgets_render_through_jinja2_with_the_chosen_option_selected():
    class Form(forms.Form):
        kind = forms.ChoiceField(choices=[("a&b", 'A "q" <b>'), ("c", "C")], initial="c")
        note = forms.CharField(initial='x"<y>')

    html = str(Form())
    assert '<option value="c" selected>C</option>' in html
    assert '<option value="a&amp;b">A &#34;q&#34; &lt;b&gt;</option>' in html or \
        '<option value="a&amp;b">A &quot;q&quot; &lt;b&gt;</option>' in html
    assert 'value="x&#34;&lt;y&gt;"' in html or 'value="x&quot;&lt;y&gt;"' in html


@pytest.mark.parametrize("grouping", [False, True])
def test_list_cells_print_numbers_as_django_localises_them(settings, grouping):
    from django.utils.formats import localize

    from ui.jinja2 import cell_text

    settings.USE_THOUSAND_SEPARATOR = grouping
    for value in (0, -7, 1995, 1234567, Decimal("1234567.50")):
        assert cell_text(value) == str(localize(value))
    assert (cell_text(True), cell_text(None), cell_text(""), cell_text("甲")) == ("是", "—", "—", "甲")
