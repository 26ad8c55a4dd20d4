"""xlsx downloads (openpyxl): the project list's columns and a project's ledger (the task list's are its
Columns, projects.views.TaskListView)."""

from django.http import HttpResponse
from django.utils import timezone

from ui import xlsx


def xlsx_response(*, filename: str, title: str, header: list[str], rows) -> HttpResponse:
    """Through the app's one writer (ui.xlsx), so a task note like =HYPERLINK(...) stays text."""
    return xlsx.xlsx_response(filename_stem=filename, title=title, headers=header, rows=rows)


PROJECT_HEADER = [
    "项目编号",
    "项目名称",
    "乡镇",
    "小区",
    "涉及户数",
    "中央补助项目",
    "建设（责任）单位",
    "已完成步骤",
    "当前步骤",
    "具备开工条件",
    "预计具备开工条件",
    "全部完工",
    "预计完工",
    "估算投资(元)",
    "演示数据",
]


def project_rows_for_xlsx(rows):
    for row in rows:
        project, ready, completion = row["project"], row["deadlines"][0], row["deadlines"][1]
        yield [
            project.code,
            project.name,
            row["towns"],
            row["compounds"],
            row["households"],
            "是" if project.centrally_subsidised else "否",
            str(project.responsible_agency),
            f"{row['steps_done']}/{row['steps_total']}",
            row["current"],
            ready.status_label,
            ready.forecast or ready.finished_on,
            completion.status_label,
            completion.forecast or completion.finished_on,
            row["estimated_cost_yuan"],
            "是" if project.is_demo else "否",
        ]


LEDGER_HEADER = ["时间", "操作人", "对象类别", "对象", "操作", "变更内容", "原因/说明"]


def ledger_rows_for_xlsx(entries):
    for entry in entries:
        changes = "；".join(
            f"{c['field']}：{c['old']} → {c['new']}" if c["old"] else f"{c['field']}：{c['new']}"
            for c in entry["changes"]
        )
        yield [
            timezone.localtime(entry["when"]).strftime("%Y-%m-%d %H:%M:%S"),
            entry["who"],
            entry["kind"],
            entry["object"],
            entry["action"],
            changes,
            entry["reason"],
        ]
