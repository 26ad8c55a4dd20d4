"""Real-browser checks: Playwright drives Debian's chromium against pytest-django's live server.

No `playwright install`: the browser is the system's /usr/bin/chromium (.ci/run installs it).
Nothing is written to the repository (no screenshots, no traces).
"""

import os
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.communities.factories import make_estate
from tests.conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM),
                       reason="needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)"),
]


@pytest.fixture
def browser(monkeypatch, settings):
    # Playwright's sync API keeps an event loop on this thread; the test's own ORM calls are still sync.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # The live server speaks plain http; production cookies are https-only.
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
            # ORM calls made while Playwright's loop runs get their own connection (asgiref context);
            # close it here, or PostgreSQL refuses to drop the test database at the end of the run.
            from django.db import connections

            connections.close_all()


@pytest.fixture
def page(browser):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    # Each role lands on its own work (ui.landing), by way of /start/.
    page.wait_for_url(lambda url: "/login/" not in url and "/start/" not in url)


def test_leader_logs_in_and_reads_the_dashboard_figures(page, live_server, users, wulan):
    make_estate(town=wulan, compounds=2, buildings=2, households=5)
    log_in(page, live_server, "carol-leader")
    page.click("#main-menu summary >> text=工作台")  # the menus open as dropdowns (ui/_main_menu.html)
    page.click("#main-menu >> text=领导驾驶舱")
    page.wait_for_url(f"{live_server.url}/dashboard/")
    assert page.text_content("[data-figure=compounds-target]") == "46"
    assert page.text_content("[data-figure=compounds-real]") == "5"  # 2 + the plan's 3 named
    assert page.text_content("[data-figure=households-real]") == "20"
    assert page.text_content("[data-figure=households-target]") == "6157"
    assert page.text_content("[data-figure=budget-target]") == "27018.02"
    assert "具备开工条件（2023-06-30）" in page.text_content("#section-deadline_status")
    assert page.locator(".chart").count() >= 4
    # a figure leads to the list behind it
    page.click("[data-figure=households-real]")
    assert page.text_content("#result-count") == "20"


def test_staff_filter_a_list_and_download_exactly_its_rows(page, live_server, users, wulan, other_town):
    make_estate(town=wulan, compounds=3, build_year=1990)
    make_estate(town=other_town, compounds=4, build_year=1990)
    log_in(page, live_server, "alice-staff")
    page.goto(f"{live_server.url}/compounds/")
    page.select_option("#id_town", label="东湾镇")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**town=*")
    assert page.text_content("#result-count") == "4"
    with page.expect_download() as download_info:
        page.click("#export-link")
    download = download_info.value
    assert download.suggested_filename.startswith("小区_") and download.suggested_filename.endswith(".xlsx")
    # Playwright stores the download under a name without extension, which openpyxl refuses.
    sheet = load_workbook(BytesIO(Path(download.path()).read_bytes())).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "小区名称"
    assert len(rows) == 5 and {row[1] for row in rows[1:]} == {"东湾镇"}


def test_surveyor_cannot_reach_the_money_pages(page, live_server, users, programme):
    log_in(page, live_server, "bob-surveyor")
    assert page.locator("nav >> text=领导驾驶舱").count() == 0
    response = page.goto(f"{live_server.url}/dashboard/")
    assert response.status == 403
    assert "无权访问" in page.text_content("main")


def test_liaison_lands_on_open_tasks_and_records_a_blocked_task_with_its_reason(page, live_server, users, world):
    """Issue 17: the liaison's day starts on their agency's open tasks; 受阻 needs a reason; notes are kept."""
    log_in(page, live_server, "dave-liaison")
    assert "/tasks/" in page.url and "open=true" in page.url
    page.click("text=更新 >> nth=0")
    page.wait_for_url("**/tasks/*/")
    page.select_option("#id_status", "blocked")
    page.click("main form button[type=submit]")
    assert "受阻原因" in page.text_content(".has-error")
    page.select_option("#id_status", "blocked")
    page.fill("#id_notes", "等待审计局审定控制价")
    page.click("main form button[type=submit]")
    page.wait_for_selector(".notes li")
    assert "等待审计局审定控制价" in page.text_content(".notes")
    assert page.locator(".breadcrumbs >> text=部门任务").count() == 1


def test_header_search_finds_a_compound_for_a_surveyor(page, live_server, users, world):
    log_in(page, live_server, "bob-surveyor")
    assert f"/towns/{world['own_compound'].town_id}/" in page.url
    page.fill("form.search input[name=q]", world["own_compound"].name)
    page.click("form.search button[type=submit]")
    page.wait_for_url("**/search/?q=*")
    assert world["own_compound"].name in page.text_content("#results-compound")


def test_auditor_filters_the_change_log_and_downloads_exactly_its_lines(page, live_server, users, wulan,
                                                                        other_town):
    """The auditor opens 变更日志 from the menu, narrows it to households of one town, and downloads those
    lines, residents' names masked, people by display name."""
    own = make_estate(town=wulan, compounds=1, buildings=1, households=3)[0]
    make_estate(town=other_town, compounds=2, buildings=1, households=2)
    for household in own.buildings.get().households.all():
        household._history_user = users["staff"]
        household.head_name = "张三丰"
        household.save()
    log_in(page, live_server, "erin-auditor")
    page.click("#main-menu summary >> text=报表与日志")
    page.click("#main-menu >> text=变更日志")
    page.wait_for_url(f"{live_server.url}/changelog/")
    page.select_option("#id_object_type", label="住户")
    page.select_option("#id_town", label="乌兰镇")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**object_type=*")
    assert page.text_content("#result-count") == "6"  # 3 created, 3 renamed
    assert "张三丰" not in page.text_content("#changes") and "张**" in page.text_content("#changes")
    with page.expect_download() as download_info:
        page.click("#export-link")
    download = download_info.value
    assert download.suggested_filename.startswith("变更日志_")
    rows = list(load_workbook(BytesIO(Path(download.path()).read_bytes())).worksheets[0].iter_rows(values_only=True))
    assert rows[0][:5] == ("时间", "操作人", "对象类型", "对象", "操作")
    assert {row[2] for row in rows[1:]} == {"住户"}
    renamed = [row for row in rows[1:] if row[4] == "修改" and row[5] == "户主姓名"]
    assert len(renamed) == 3 and {row[1] for row in renamed} == {"测试·住建局工作人员"}
    assert {row[7] for row in renamed} == {"张**"}
    assert not any("张三丰" in str(cell) for row in rows for cell in row)
