"""The project list's rows drawn in Python print exactly what the template printed, hostile text included."""

import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context, Template

from projects.choices import DeadlineStatus
from projects.deadlines import DeadlineAssessment
from projects.rows import project_rows_html, task_rows_html

from .factories import CompoundFactory, make_project

pytestmark = pytest.mark.django_db

# The rows of templates/projects/project_list.html before they moved to projects/rows.py.
TEMPLATE = Template("""{% for row in rows %}
      <tr>
        <td><a href="{% url 'project_detail' row.project.pk %}">{{ row.project.code }}</a></td>
        <td>{{ row.project.name }}{% if row.project.centrally_subsidised %} <span class="tag">中央补助</span>{% endif %}{% if row.project.is_demo %} <span class="tag">演示</span>{% endif %}</td>
        <td>{{ row.compounds }}</td>
        <td>{{ row.households }}</td>
        <td>{{ row.steps_done }}/{{ row.steps_total }}</td>
        <td>{{ row.current }}</td>
        {% for d in row.deadlines %}<td><span class="status-{{ d.status }}" title="{{ d.explanation }}">{{ d.status_label }}</span>{% if d.forecast and d.status != "done" %}<br><small class="muted">预计 {{ d.forecast|date:"Y-m-d" }}</small>{% endif %}</td>{% endfor %}
        <td>{{ row.estimated_cost_yuan|floatformat:2 }}</td>
      </tr>
    {% empty %}
      <tr><td colspan="9" class="muted">没有符合条件的项目。</td></tr>
    {% endfor %}""")  # noqa: E501


def _squeeze(html: str) -> str:
    return "".join(line.strip() for line in html.splitlines())


@pytest.mark.parametrize(("index", "hostile"), list(enumerate(["<script>alert(1)</script>", 'a"b&c\'d', "普通名称"])))
def test_python_rows_equal_the_template_rows(programme, staff_user, wulan, index, hostile):
    project = make_project(programme=programme, user=staff_user, compounds=[CompoundFactory(town=wulan)],
                           code=f"rows-{index}", central=True)
    project.name = hostile
    project.is_demo = True
    deadlines = [
        DeadlineAssessment(key="ready", label="具备开工条件", deadline=dt.date(2023, 6, 30),
                           status=DeadlineStatus.AT_RISK, forecast=dt.date(2023, 7, 9), explanation=hostile),
        DeadlineAssessment(key="complete", label="全部完工", deadline=dt.date(2024, 5, 31),
                           status=DeadlineStatus.DONE, forecast=dt.date(2024, 1, 2), explanation="完成"),
    ]
    rows = [{"project": project, "compounds": hostile + "、乙（第2期）", "households": 12, "steps_done": 3,
             "steps_total": 17, "current": hostile, "deadlines": deadlines,
             "estimated_cost_yuan": Decimal("1234567.5")}]
    expected = _squeeze(TEMPLATE.render(Context({"rows": rows})))
    assert _squeeze(project_rows_html(rows)) == expected
    assert "<script>" not in project_rows_html(rows)


def test_no_rows_say_so():
    assert _squeeze(project_rows_html([])) == _squeeze(TEMPLATE.render(Context({"rows": []})))


TASK_TEMPLATE = Template("""{% for t in page.object_list %}
      <tr><td>{{ t.agency.short_name|default:t.agency.name }}</td><td>{% if t.project %}{{ t.project.code }} {{ t.project.name }}{% else %}全计划{% endif %}</td>
        <td>{{ t.title }}{% if t.duty %}<br><small class="muted">{{ t.duty.text }}</small>{% endif %}</td>
        <td>{{ t.due_date|date:"Y-m-d" }}{% if t.due_date and t.due_date < today and t.status != "done" %} <span class="status-overdue">已逾期</span>{% endif %}</td>
        <td>{{ t.get_status_display }}</td><td>{{ t.notes|linebreaksbr }}</td>
        <td><a href="{% url 'task_update' t.pk %}">{% if can_update %}更新{% else %}查看{% endif %}</a></td></tr>
    {% empty %}<tr><td colspan="7" class="muted">没有任务。</td></tr>{% endfor %}""")  # noqa: E501


@pytest.mark.parametrize("can_update", [True, False])
def test_python_task_rows_equal_the_template_rows(programme, staff_user, wulan, can_update):
    from agencies.models import Agency, Duty
    from projects.models import AgencyTask

    project = make_project(programme=programme, user=staff_user, compounds=[CompoundFactory(town=wulan)],
                           code="rows-tasks")
    project.name = "<b>项目</b>&"
    agency = Agency.objects.get(code="finance")
    agency.short_name = ""
    duty = Duty.objects.filter(agency=agency).first()
    duty.text = '职责 "<i>"'
    tasks = [
        AgencyTask(pk=1, programme=programme, project=project, agency=agency, duty=duty, title="<script>x</script>",
                   due_date=dt.date(2023, 5, 1), status="in_progress", notes="第一行\n<第二行>"),
        AgencyTask(pk=2, programme=programme, project=None, agency=agency, duty=None, title="全计划任务",
                   due_date=dt.date(2023, 5, 1), status="done", notes=""),
        AgencyTask(pk=3, programme=programme, project=None, agency=agency, duty=None, title="无时限",
                   due_date=None, status="todo", notes="a & b"),
    ]
    today = dt.date(2023, 6, 1)
    context = {"page": {"object_list": tasks}, "today": today, "can_update": can_update}
    expected = _squeeze(TASK_TEMPLATE.render(Context(context)))
    assert _squeeze(task_rows_html(tasks, today=today, can_update=can_update)) == expected
    assert _squeeze(task_rows_html([], today=today, can_update=can_update)) == _squeeze(
        TASK_TEMPLATE.render(Context({"page": {"object_list": []}, "today": today})))
