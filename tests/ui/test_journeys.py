"""Each role's day in chromium, on a desk (1366 px) and a phone (390 px): log in, land on one's work, do
the day's main task, and never scroll the page sideways (issue 17).

Set JINGYUAN_SCREENSHOTS=/some/folder to keep a screenshot of each journey's last page (docs/ui.md says
how the published ones were made); nothing is written otherwise.
"""

import os
from pathlib import Path

import pytest
from django.urls import reverse

from tests.communities.factories import make_estate
from tests.conftest import PASSWORD
from tests.ui.test_browser import browser  # noqa: F401 - the chromium fixture
from tests.ui.test_browser import pytestmark as browser_marks

pytestmark = browser_marks
WIDTHS = {"desk": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "survey-libreoffice.xlsx"


@pytest.fixture(params=list(WIDTHS))
def screen(request, browser):  # noqa: F811
    context = browser.new_context(viewport=WIDTHS[request.param], locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20000)
    page.width_name = request.param
    yield page
    context.close()


def _log_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url and "/start/" not in url)


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _done(page, role: str) -> None:
    assert _fits(page), f"{role} @ {page.width_name}: the page scrolls sideways"
    folder = os.environ.get("JINGYUAN_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{role}-{page.width_name}.png"), full_page=True)


def test_surveyor_lands_on_the_town_page_uploads_and_confirms(screen, live_server, users, wulan, programme):
    page = screen
    _log_in(page, live_server, users["surveyor"].username)
    assert page.url.endswith(reverse("communities:town_detail", args=[wulan.pk]))
    page.click("text=上传摸底调查表")
    page.set_input_files("input[type=file]", str(SAMPLE))
    page.click("main form button[type=submit]")
    page.wait_for_selector("text=确认导入")
    assert _fits(page)
    page.click("text=确认导入")
    page.wait_for_selector("text=已导入")
    _done(page, "surveyor")


def test_staff_lands_on_the_work_queue_and_records_a_site_verification(screen, live_server, users, wulan,
                                                                       programme):
    from communities.choices import ReviewStatus
    from communities.models import SiteVerification

    page = screen
    compound = make_estate(town=wulan, compounds=1, buildings=1, households=3, water_drainage_aged=True)[0]
    _log_in(page, live_server, users["staff"].username)
    assert page.url.endswith(reverse("ui:work_queue"))
    page.click(f"main >> text={compound.name}")
    page.click("text=录入现场审核认定")
    page.fill("#id_verified_on", "2023-04-10")
    page.fill("#id_town_participant", "乌兰镇 王某")
    page.fill("#id_community_participant", "东街社区 李某")
    page.fill("#id_design_institute", "示例设计院 张某")
    page.select_option("#id_decision", "confirmed")
    page.select_option("#id_demolition_judgement", "not_fit")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**{reverse('communities:compound_detail', args=[compound.pk])}")
    assert SiteVerification.objects.filter(compound=compound, verified_by=users["staff"]).exists()
    compound.refresh_from_db()
    assert compound.review_status == ReviewStatus.VERIFIED
    _done(page, "staff")


def test_leader_lands_on_the_dashboard_and_opens_a_figures_list(screen, live_server, users, wulan, programme):
    page = screen
    make_estate(town=wulan, compounds=2, buildings=2, households=5)
    _log_in(page, live_server, users["leader"].username)
    assert page.url.endswith(reverse("ui:dashboard"))
    assert page.text_content("[data-figure=households-real]") == "20"
    assert _fits(page)
    page.click("[data-figure=households-real]")
    page.wait_for_selector("#result-count")
    assert page.text_content("#result-count") == "20"
    _done(page, "leader")


def test_liaison_lands_on_open_tasks_and_records_progress(screen, live_server, users, world):
    page = screen
    _log_in(page, live_server, users["liaison"].username)
    assert "/tasks/" in page.url and "open=true" in page.url
    page.click("main >> text=更新 >> nth=0")
    page.wait_for_url("**/tasks/*/")
    page.select_option("#id_status", "in_progress")
    page.fill("#id_notes", "已受理，正在审核拨付材料")
    page.click("main form button[type=submit]")
    page.wait_for_selector(".notes li")
    assert "已受理，正在审核拨付材料" in page.text_content(".notes")
    _done(page, "liaison")


def test_auditor_lands_on_the_change_log_filters_and_exports(screen, live_server, users, wulan, programme):
    page = screen
    make_estate(town=wulan, compounds=1, buildings=1, households=3)
    _log_in(page, live_server, users["auditor"].username)
    assert page.url.endswith(reverse("changelog:change_log"))
    page.select_option("#id_object_type", label="住户")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**object_type=*")
    assert _fits(page)
    with page.expect_download() as download:
        page.click("#export-link")
    assert download.value.suggested_filename.endswith(".xlsx")
    _done(page, "auditor")
