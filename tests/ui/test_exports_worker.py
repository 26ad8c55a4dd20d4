"""Large list exports run on the worker (issue 18): a run record, progress, a download link, one busy
export per user, expiry of old files; small exports stay immediate. Without a broker (make run, SQLite)
the worker's task runs in-process, so these tests see the whole journey; test_exports_live_worker_* runs
it through Redis on a real worker."""

import datetime as dt
from io import BytesIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.communities.factories import make_estate
from tests.ui.test_browser import browser  # noqa: F401, E402 - the chromium fixture
from tests.xlsx import read_xlsx
from ui.choices import ExportState
from ui.exports import export_runs_sweep
from ui.models import ExportRun

pytestmark = pytest.mark.django_db
HOUSEHOLDS = reverse("communities:household_list")


def _rows_of(response) -> list[list]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return [list(r) for r in load_workbook(BytesIO(content)).worksheets[0].iter_rows(values_only=True)]


@pytest.fixture
def households(wulan):
    compound = make_estate(town=wulan, compounds=1, buildings=2, households=6)[0]
    compound.buildings.first().households.update(head_name="=HYPERLINK(\"http://x\")", phone="13800001111")
    return compound


def test_small_export_is_answered_at_once(client, users, households, settings):
    settings.EXPORT_ASYNC_MIN_ROWS = 100
    client.force_login(users["staff"])
    rows = read_xlsx(client.get(HOUSEHOLDS, {"export": "xlsx"}))
    assert len(rows) == 1 + 12
    assert not ExportRun.objects.exists()


@pytest.mark.parametrize("role", ["staff", "leader"])
def test_large_export_runs_on_the_worker_and_gives_the_same_rows_masked_the_same_way(
        client, users, households, settings, role, django_capture_on_commit_callbacks):
    client.force_login(users[role])
    settings.EXPORT_ASYNC_MIN_ROWS = 0  # at once: what the page would have given
    at_once = read_xlsx(client.get(HOUSEHOLDS, {"export": "xlsx", "building": households.buildings.first().pk}))
    settings.EXPORT_ASYNC_MIN_ROWS = 5
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(HOUSEHOLDS, {"export": "xlsx", "building": households.buildings.first().pk})
    assert response.status_code == 302 and response["Location"] == reverse("ui:export_list")
    run = ExportRun.objects.get()
    assert (run.state, run.row_count, run.rows_written, run.title) == (ExportState.DONE, 6, 6, "住户")
    page = client.get(response["Location"]).content.decode()
    assert "正在后台生成" in page and reverse("ui:export_download", args=[run.pk]) in page
    status = client.get(reverse("ui:export_status", args=[run.pk])).json()
    assert status["progress"] == 100 and not status["busy"] and status["download_url"]
    download = client.get(status["download_url"])
    from urllib.parse import quote

    assert quote(f"住户_{timezone.localdate():%Y%m%d}.xlsx") in download["Content-Disposition"]
    assert _rows_of(download) == at_once
    names = [row[at_once[0].index("户主姓名")] for row in at_once[1:]]
    if role == "staff":  # names in full, formula-like text kept as text
        assert all(name.startswith("'=HYPERLINK") for name in names)
    else:  # leaders read masked names, as on the page
        assert all("HYPERLINK" not in name and "*" in name for name in names)


def test_one_busy_export_per_user(client, users, households, settings, django_capture_on_commit_callbacks):
    settings.EXPORT_ASYNC_MIN_ROWS = 5
    busy = ExportRun.objects.create(requested_by=users["staff"], title="小区", filename_stem="小区",
                                    view_name="communities:compound_list", row_count=9, state=ExportState.RUNNING,
                                    started_at=timezone.now())
    client.force_login(users["staff"])
    response = client.get(HOUSEHOLDS, {"export": "xlsx"}, follow=True)
    assert ExportRun.objects.get() == busy
    assert "您已有一个导出正在生成" in response.content.decode()
    # another user is not held up by it
    client.force_login(users["leader"])
    with django_capture_on_commit_callbacks(execute=True):
        client.get(HOUSEHOLDS, {"export": "xlsx"})
    assert ExportRun.objects.filter(requested_by=users["leader"], state=ExportState.DONE).count() == 1


def test_an_export_is_its_requesters_alone(client, users, households, settings, django_capture_on_commit_callbacks):
    settings.EXPORT_ASYNC_MIN_ROWS = 5
    client.force_login(users["staff"])
    with django_capture_on_commit_callbacks(execute=True):
        client.get(HOUSEHOLDS, {"export": "xlsx"})
    run = ExportRun.objects.get()
    client.force_login(users["auditor"])
    assert client.get(reverse("ui:export_download", args=[run.pk])).status_code == 404
    assert client.get(reverse("ui:export_status", args=[run.pk])).status_code == 404
    assert "还没有后台导出" in client.get(reverse("ui:export_list")).content.decode()


def test_a_role_lost_before_the_build_fails_the_run_with_the_reason(users, households):
    from ui.exports import export_run_build, export_run_claim

    run = ExportRun.objects.create(requested_by=users["liaison"], title="住户", filename_stem="住户",
                                   view_name="communities:household_list", row_count=12)
    run = export_run_build(run_id=run.pk, attempt=export_run_claim(run_id=run.pk))
    assert run.state == ExportState.FAILED and "无权" in run.reason and not run.file


def test_sweep_expires_old_files_and_fails_runs_whose_worker_died(users, settings):
    now = timezone.now()
    name = default_storage.save("exports/1/old.xlsx", ContentFile(b"x"))
    old = ExportRun.objects.create(requested_by=users["staff"], title="住户", filename_stem="住户",
                                   view_name="communities:household_list", state=ExportState.DONE, file=name,
                                   finished_at=now - dt.timedelta(hours=settings.EXPORT_KEEP_HOURS + 1))
    dead = ExportRun.objects.create(requested_by=users["leader"], title="住户", filename_stem="住户",
                                    view_name="communities:household_list", state=ExportState.RUNNING,
                                    started_at=now - dt.timedelta(seconds=settings.EXPORT_TIME_LIMIT + 61))
    assert export_runs_sweep(now=now) == {"failed": 1, "expired": 1}
    old.refresh_from_db(), dead.refresh_from_db()
    assert old.state == ExportState.EXPIRED and not old.file and not default_storage.exists(name)
    assert dead.state == ExportState.FAILED and "请重新导出" in dead.reason


@pytest.mark.live_worker
def test_exports_live_worker_builds_a_large_export(live_worker, client, users, wulan, settings):
    """Through Redis on a real worker process: the page returns at once, the worker fills the file."""
    import time

    make_estate(town=wulan, compounds=2, buildings=2, households=5)
    settings.EXPORT_ASYNC_MIN_ROWS = 5
    client.force_login(users["staff"])
    assert client.get(HOUSEHOLDS, {"export": "xlsx"}).status_code == 302
    run = ExportRun.objects.get()
    for _ in range(120):
        run.refresh_from_db()
        if not run.is_busy:
            break
        time.sleep(0.5)
    assert run.state == ExportState.DONE, run.reason
    assert len(_rows_of(client.get(reverse("ui:export_download", args=[run.pk])))) == 1 + 20


@pytest.mark.browser
def test_browser_shows_an_exports_progress_then_its_download(browser, live_server, users, households):  # noqa: F811
    """In chromium: 我的导出 shows a running export's progress bar, then (the worker finishing) the link."""
    from tests.ui.test_browser import log_in
    from ui.exports import export_run_build, export_run_claim

    run = ExportRun.objects.create(requested_by=users["staff"], title="住户", filename_stem="住户",
                                   view_name="communities:household_list", row_count=12)
    attempt = export_run_claim(run_id=run.pk)
    ExportRun.objects.filter(pk=run.pk).update(rows_written=6)
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    try:
        log_in(page, live_server, users["staff"].username)
        page.goto(f"{live_server.url}{reverse('ui:export_list')}")
        assert page.locator("progress.report-progress").get_attribute("value") == "50"
        assert "生成中" in page.text_content("tr.export-run")
        export_run_build(run_id=run.pk, attempt=attempt)
        page.wait_for_selector("a.export-download", timeout=15000)  # the page polls, then reloads
        with page.expect_download() as download:
            page.click("a.export-download")
        assert download.value.suggested_filename.startswith("住户_")
    finally:
        context.close()


def test_an_export_asked_while_the_worker_is_unreachable_fails_at_once_with_the_reason(
        client, users, households, settings, monkeypatch, django_capture_on_commit_callbacks):
    """Redis down: the run is not left 排队中 with nobody to take it; the user may ask again."""
    from kombu.exceptions import OperationalError

    from ui.tasks import export_build_task

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(export_build_task, "delay", refuse)
    settings.EXPORT_ASYNC_MIN_ROWS = 5
    client.force_login(users["staff"])
    with django_capture_on_commit_callbacks(execute=True):
        client.get(HOUSEHOLDS, {"export": "xlsx"})
    run = ExportRun.objects.get()
    assert run.state == ExportState.FAILED and "后台服务暂不可用" in run.reason
