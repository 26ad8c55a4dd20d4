"""The three daily lists (改造项目, 部门任务, 认定审核) on the one list pattern (ui.lists.FilteredListView):
a header click sorts (▲/▼), the export button states the row count and downloads exactly the filtered
rows in the page's order, pages cost a fixed number of queries however many rows, and each role's scope
and actions hold."""

import datetime as dt
import html
import re
from io import BytesIO
from urllib.parse import unquote

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from agencies.models import Agency
from communities.services import compound_assess
from projects.choices import TaskStatus
from projects.models import AgencyTask

from ..communities.factories import BuildingFactory, households
from ..communities.factories import CompoundFactory as SurveyedCompoundFactory
from ..projects.factories import CompoundFactory, add_line, make_project

pytestmark = pytest.mark.django_db

PROJECTS, TASKS, QUEUE = reverse("project_list"), reverse("task_list"), reverse("communities:review_queue")


def _header(body: str, label: str) -> tuple[str, str]:
    """The sort link of the header `label` and the arrow it shows (▲, ▼ or "")."""
    match = re.search(r'<th[^>]*><a href="([^"]+)">' + re.escape(label) + r'( [▲▼])?</a></th>', body)
    assert match, f"{label} is not a sortable header"
    return html.unescape(match.group(1)), (match.group(2) or "").strip()


def _click(client, url: str, response, label: str):
    href, _ = _header(response.content.decode(), label)
    return client.get(url + href)


def _export_link(response) -> tuple[str, int]:
    match = re.search(r'id="export-link" href="([^"]+)">导出 Excel（(\d+) 条）</a>', response.content.decode())
    assert match, "no export button with its row count"
    return html.unescape(match.group(1)), int(match.group(2))


def _xlsx(response) -> list[tuple]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))


def _pager(body: str) -> bool:
    return all(word in body for word in ("下一页", "末页")) and re.search(r"第 1 / \d+ 页", body) is not None


# --- 改造项目 -------------------------------------------------------------------------------------------


def _projects(programme, town, user, costs: dict[str, str], central=()):
    made = {}
    for code, cost in costs.items():
        compound = CompoundFactory(town=town)
        made[code] = make_project(programme=programme, user=user, compounds=[compound], code=code,
                                  central=code in central)
        add_line(made[code], user, compound, "roads_paving", cost=cost)
    return made


def _codes(response) -> list[str]:
    return [row["project"].code for row in response.context["rows"]]


def test_project_list_sorts_by_the_clicked_header_and_back(client, staff_user, programme, wulan):
    client.force_login(staff_user)
    _projects(programme, wulan, staff_user, {"p1": "3000", "p2": "1000", "p3": "2000"})
    first = client.get(PROJECTS)
    assert _codes(first) == ["p1", "p2", "p3"]  # by 项目编号 until a header is clicked
    assert _header(first.content.decode(), "估算投资(元)")[1] == ""
    ascending = _click(client, PROJECTS, first, "估算投资(元)")
    assert _codes(ascending) == ["p2", "p3", "p1"]
    assert _header(ascending.content.decode(), "估算投资(元)")[1] == "▲"
    descending = _click(client, PROJECTS, ascending, "估算投资(元)")
    assert _codes(descending) == ["p1", "p3", "p2"]
    assert _header(descending.content.decode(), "估算投资(元)")[1] == "▼"


def test_project_export_button_counts_and_downloads_the_filtered_rows_in_page_order(
    client, staff_user, programme, wulan
):
    client.force_login(staff_user)
    _projects(programme, wulan, staff_user, {"p1": "3000", "p2": "1000", "p3": "2000", "p4": "500"},
              central={"p1", "p3", "p4"})
    page = client.get(PROJECTS, {"centrally_subsidised": "true", "sort": "-estimated_cost_yuan"})
    href, count = _export_link(page)
    assert count == 3 and _codes(page) == ["p1", "p3", "p4"]
    rows = _xlsx(client.get(PROJECTS + href))
    assert rows[0][0] == "项目编号" and rows[0][-2:] == ("估算投资(元)", "演示数据") and len(rows[0]) == 15
    assert [row[0] for row in rows[1:]] == ["p1", "p3", "p4"]
    response = client.get(PROJECTS + href)
    assert "改造项目" in unquote(response["Content-Disposition"])


def test_project_list_queries_stay_flat_from_two_rows_to_several_pages(
    client, staff_user, programme, wulan, settings, django_assert_num_queries
):
    settings.LIST_PAGE_SIZE = 5
    client.force_login(staff_user)
    _projects(programme, wulan, staff_user, {"p1": "100", "p2": "200"})
    client.get(PROJECTS)  # warm the session and role caches out of the count
    # session, user with role and profile, count, the page (cost subquery), steps, compounds, filter choices
    with django_assert_num_queries(8):
        assert len(client.get(PROJECTS, {"sort": "-estimated_cost_yuan"}).context["rows"]) == 2
    _projects(programme, wulan, staff_user, {f"q{n}": "300" for n in range(6)})
    with django_assert_num_queries(8):
        response = client.get(PROJECTS, {"sort": "-estimated_cost_yuan"})
    assert len(response.context["rows"]) == 5 and _pager(response.content.decode())


# --- 部门任务 -------------------------------------------------------------------------------------------


def _tasks(programme, agency, titles_due: dict[str, dt.date]):
    return [AgencyTask.objects.create(programme=programme, agency=agency, title=title, due_date=due)
            for title, due in titles_due.items()]


@pytest.fixture
def only_these_tasks(programme, finance_agency):
    """The programme's own tasks out of the way: the tests name every task the list shows."""
    AgencyTask.objects.all().delete()
    audit = Agency.objects.exclude(pk=finance_agency.pk).first()
    mine = _tasks(programme, finance_agency, {"甲-拨付资金": dt.date(2030, 3, 1), "乙-审核预算": dt.date(2030, 1, 1),
                                              "丙-财政评审": dt.date(2030, 2, 1)})
    theirs = _tasks(programme, audit, {"丁-审计": dt.date(2029, 1, 1)})
    return mine, theirs


def _titles(response) -> list[str]:
    return [task.title for task in response.context["rows"]]


def test_task_list_sorts_by_the_clicked_header(client, staff_user, only_these_tasks):
    client.force_login(staff_user)
    first = client.get(TASKS)
    assert _titles(first) == ["丁-审计", "乙-审核预算", "丙-财政评审", "甲-拨付资金"]  # by 完成时限
    by_title = _click(client, TASKS, first, "任务")
    assert _titles(by_title) == sorted(_titles(first)) and _header(by_title.content.decode(), "任务")[1] == "▲"
    reverse_title = _click(client, TASKS, by_title, "任务")
    assert _titles(reverse_title) == sorted(_titles(first), reverse=True)
    assert _header(reverse_title.content.decode(), "任务")[1] == "▼"
    latest_first = _click(client, TASKS, _click(client, TASKS, first, "完成时限"), "完成时限")
    assert _titles(latest_first) == ["甲-拨付资金", "丙-财政评审", "乙-审核预算", "丁-审计"]


def test_liaison_sees_sorts_and_exports_only_their_agency(client, liaison_user, only_these_tasks):
    mine, theirs = only_these_tasks
    client.force_login(liaison_user)
    page = client.get(TASKS, {"agency": theirs[0].agency_id, "sort": "-due_date"})
    assert "agency" not in page.context["filter"].form.fields
    assert 'name="agency"' not in page.content.decode()
    assert _titles(page) == ["甲-拨付资金", "丙-财政评审", "乙-审核预算"]
    href, count = _export_link(page)
    assert count == 3
    rows = _xlsx(client.get(TASKS + href))
    assert rows[0] == ("责任单位", "项目", "任务", "依据职责", "完成时限", "状态", "进展说明", "完成日期")
    assert [row[2] for row in rows[1:]] == ["甲-拨付资金", "丙-财政评审", "乙-审核预算"]
    assert {row[0] for row in rows[1:]} == {str(mine[0].agency)}


def test_task_export_downloads_exactly_the_filtered_rows(client, staff_user, only_these_tasks):
    mine, _ = only_these_tasks
    mine[1].status = TaskStatus.DONE
    mine[1].completed_on = dt.date(2029, 12, 1)
    mine[1].save()
    client.force_login(staff_user)
    page = client.get(TASKS, {"open": "true", "sort": "title"})
    href, count = _export_link(page)
    assert count == 3 and _titles(page) == ["丁-审计", "丙-财政评审", "甲-拨付资金"]
    response = client.get(TASKS + href)
    assert "部门任务" in unquote(response["Content-Disposition"])
    assert [row[2] for row in _xlsx(response)[1:]] == ["丁-审计", "丙-财政评审", "甲-拨付资金"]


def test_task_list_queries_stay_flat_from_two_rows_to_several_pages(
    client, staff_user, programme, finance_agency, settings, django_assert_num_queries
):
    settings.LIST_PAGE_SIZE = 5
    AgencyTask.objects.all().delete()
    _tasks(programme, finance_agency, {"任务-1": dt.date(2030, 1, 1), "任务-2": dt.date(2030, 1, 2)})
    client.force_login(staff_user)
    client.get(TASKS)
    # session, user with role and profile, count, the page (agency, project, duty joined), agency choices
    with django_assert_num_queries(5):
        assert len(client.get(TASKS, {"sort": "agency"}).context["rows"]) == 2
    _tasks(programme, finance_agency, {f"任务-{n}": dt.date(2030, 2, n) for n in range(3, 15)})
    with django_assert_num_queries(5):
        response = client.get(TASKS, {"sort": "agency"})
    assert len(response.context["rows"]) == 5 and _pager(response.content.decode())


# --- 认定审核 -------------------------------------------------------------------------------------------


def _assessed(town, name, **facts):
    compound = SurveyedCompoundFactory(town=town, name=name, **facts)
    households(BuildingFactory(compound=compound), agreeing=4, total=4)
    compound_assess(compound=compound)
    return compound


@pytest.fixture
def queue(wulan):
    return [_assessed(wulan, "测试-乙", build_year=1990), _assessed(wulan, "测试-甲", build_year=1995),
            _assessed(wulan, "测试-丙", build_year=1985, power_aged=True, roads_damaged=True)]


def _names(response) -> list[str]:
    return [c.name for c in response.context["rows"] if c.name.startswith("测试-")]


def test_review_queue_sorts_by_the_clicked_header(client, users, queue):
    client.force_login(users["staff"])
    first = client.get(QUEUE)
    by_year = _click(client, QUEUE, first, "建成年份")
    assert _names(by_year) == ["测试-丙", "测试-乙", "测试-甲"] and _header(by_year.content.decode(), "建成年份")[1] == "▲"
    newest = _click(client, QUEUE, by_year, "建成年份")
    assert _names(newest) == ["测试-甲", "测试-乙", "测试-丙"] and _header(newest.content.decode(), "建成年份")[1] == "▼"


def test_review_export_counts_and_downloads_the_filtered_rows_in_page_order(client, users, queue):
    client.force_login(users["staff"])
    page = client.get(QUEUE, {"town": queue[0].town_id, "sort": "-build_year"})
    href, count = _export_link(page)
    listed = [c.name for c in page.context["rows"]]
    assert count == len(listed) and _names(page) == ["测试-甲", "测试-乙", "测试-丙"]
    response = client.get(QUEUE + href)
    assert "认定审核" in unquote(response["Content-Disposition"])
    rows = _xlsx(response)
    assert rows[0] == ("乡镇", "社区", "小区", "建成年份", "认定结论", "可申报中央补助", "优先度", "改造意愿（按户）",
                       "改造意愿（按面积）", "审核状态", "缺少的资料", "认定理由")
    assert [row[2] for row in rows[1:]] == listed


def test_leaders_read_the_queue_without_actions_staff_get_them(client, users, queue):
    client.force_login(users["leader"])
    body = client.get(QUEUE).content.decode()
    assert queue[0].name in body and "<th>操作</th>" not in body
    assert all(reverse("communities:verification_create", args=[c.pk]) not in body for c in queue)
    assert body.count('<form method="post"') == 1  # the logout button only
    client.force_login(users["staff"])
    body = client.get(QUEUE).content.decode()
    assert "<th>操作</th>" in body
    assert all(reverse("communities:verification_create", args=[c.pk]) in body for c in queue)


def test_review_queue_queries_stay_flat_from_two_rows_to_several_pages(
    client, users, wulan, settings, django_assert_num_queries
):
    from communities.models import Compound

    settings.LIST_PAGE_SIZE = 5
    Compound.objects.filter(is_demo=False).update(is_demo=True)  # the plan-named compounds out of the list
    _assessed(wulan, "测试-1"), _assessed(wulan, "测试-2")
    client.force_login(users["surveyor"])
    client.get(QUEUE)
    # session, user with role and profile, verdict counts, count, town and community choices, the page's ids,
    # then those rows whole
    with django_assert_num_queries(8):
        assert len(client.get(QUEUE, {"sort": "verdict"}).context["rows"]) == 2
    for n in range(3, 13):
        _assessed(wulan, f"测试-{n}")
    with django_assert_num_queries(8):
        response = client.get(QUEUE, {"sort": "verdict"})
    assert len(response.context["rows"]) == 5 and _pager(response.content.decode())


# --- the same rows from the worker (a large export, ui.exports) -------------------------------------------


def _at_once_then_on_the_worker(client, settings, capture, url, params) -> tuple[list, list]:
    from ui.models import ExportRun

    settings.EXPORT_ASYNC_MIN_ROWS = 0
    at_once = _xlsx(client.get(url, {**params, "export": "xlsx"}))
    settings.EXPORT_ASYNC_MIN_ROWS = 1
    with capture(execute=True):
        response = client.get(url, {**params, "export": "xlsx"})
    assert response.status_code == 302 and response["Location"] == reverse("ui:export_list")
    run = ExportRun.objects.latest("pk")
    download = client.get(reverse("ui:export_download", args=[run.pk]))
    content = b"".join(download.streaming_content) if download.streaming else download.content
    return at_once, list(load_workbook(BytesIO(content)).active.iter_rows(values_only=True))


def test_worker_exports_of_the_daily_lists_give_the_pages_rows(
    client, users, programme, wulan, only_these_tasks, queue, settings, django_capture_on_commit_callbacks
):
    """A large export is built on the worker from the same view: the project list's own columns, a liaison's
    own agency only, the review queue's columns, each in the order asked."""
    _projects(programme, wulan, users["staff"], {"p1": "3000", "p2": "1000"})
    client.force_login(users["staff"])
    at_once, built = _at_once_then_on_the_worker(client, settings, django_capture_on_commit_callbacks, PROJECTS,
                                                 {"sort": "-estimated_cost_yuan"})
    assert built == at_once and [row[0] for row in built[1:]] == ["p1", "p2"] and len(built[0]) == 15
    client.force_login(users["liaison"])
    at_once, built = _at_once_then_on_the_worker(client, settings, django_capture_on_commit_callbacks, TASKS,
                                                 {"sort": "title"})
    listed = _titles(client.get(TASKS, {"sort": "title"}))
    assert built == at_once and [row[2] for row in built[1:]] == listed
    assert {row[0] for row in built[1:]} == {"县财政局"}  # the liaison's own agency only
    client.force_login(users["leader"])
    at_once, built = _at_once_then_on_the_worker(client, settings, django_capture_on_commit_callbacks, QUEUE,
                                                 {"town": wulan.pk, "sort": "build_year"})
    assert built == at_once and [row[2] for row in built[1:] if row[2].startswith("测试-")] == [
        "测试-丙", "测试-乙", "测试-甲"]
