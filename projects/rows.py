"""The project list's table body, built in Python.

A page of 50 projects is some 900 template variables (with two deadline cells each); rendering them
through the template engine was most of the page's time at the large benchmark size, as it was for the
compound, building and household lists (ui.lists.rows_html). The markup is exactly what the template
printed before (tests/projects/test_rows.py renders both and compares).
"""

from django.template.defaultfilters import floatformat, linebreaksbr
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe


def _deadline_cell(d) -> str:
    forecast = ""
    if d.forecast and d.status != "done":
        forecast = f'<br><small class="muted">预计 {d.forecast:%Y-%m-%d}</small>'
    return (f'<td><span class="status-{escape(d.status)}" title="{escape(d.explanation)}">'
            f"{escape(d.status_label)}</span>{forecast}</td>")


def project_rows_html(rows: list[dict]) -> str:
    if not rows:
        return mark_safe('<tr><td colspan="9" class="muted">没有符合条件的项目。</td></tr>')
    detail = reverse("project_detail", args=[0])[:-2]  # ".../projects/" : one reverse for the page
    parts = []
    for row in rows:
        project = row["project"]
        tags = (' <span class="tag">中央补助</span>' if project.centrally_subsidised else "") + (
            ' <span class="tag">演示</span>' if project.is_demo else "")
        parts.append(
            f'<tr><td><a href="{detail}{project.pk}/">{escape(project.code)}</a></td>'
            f"<td>{escape(project.name)}{tags}</td>"
            f"<td>{escape(row['compounds'])}</td>"
            f"<td>{row['households']}</td>"
            f"<td>{row['steps_done']}/{row['steps_total']}</td>"
            f"<td>{escape(row['current'])}</td>"
            + "".join(_deadline_cell(d) for d in row["deadlines"])
            + f"<td>{floatformat(row['estimated_cost_yuan'], 2)}</td></tr>"
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped or a number


def task_rows_html(tasks, *, today, can_update: bool) -> str:
    """The task list's table body (a page is 100 tasks, each with its agency, project and duty)."""
    if not tasks:
        return mark_safe('<tr><td colspan="7" class="muted">没有任务。</td></tr>')
    update = reverse("task_update", args=[0])[:-2]  # ".../tasks/"
    parts = []
    for t in tasks:
        project = f"{escape(t.project.code)} {escape(t.project.name)}" if t.project else "全计划"
        duty = f'<br><small class="muted">{escape(t.duty.text)}</small>' if t.duty else ""
        overdue = (" <span class=\"status-overdue\">已逾期</span>"
                   if t.due_date and t.due_date < today and t.status != "done" else "")
        due = f"{t.due_date:%Y-%m-%d}" if t.due_date else ""
        link = f'<td><a href="{update}{t.pk}/">{"更新" if can_update else "查看"}</a></td>'
        parts.append(
            f"<tr><td>{escape(t.agency.short_name or t.agency.name)}</td><td>{project}</td>"
            f"<td>{escape(t.title)}{duty}</td><td>{due}{overdue}</td>"
            f"<td>{escape(t.get_status_display())}</td><td>{linebreaksbr(t.notes, autoescape=True)}</td>{link}</tr>"
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped, a date or a number
