"""The project list's table body, built in Python.

A page of 50 projects is some 900 template variables (with two deadline cells each); rendering them
through the template engine was most of the page's time at the large benchmark size, as it was for the
compound, building and household lists (ui.lists.rows_html). The markup is exactly what the template
printed before (tests/projects/test_rows.py renders both and compares).
"""

from django.template.defaultfilters import floatformat
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
