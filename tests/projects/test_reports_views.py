"""Report pages: who may see, ask for, download; the status endpoint; the print view; the script."""

import pytest
from django.urls import reverse

from projects.reports.choices import ReportState
from projects.reports.models import ReportRun
from projects.reports.services import report_run_request
from tests.projects.report_factories import CUTOFF

pytestmark = pytest.mark.django_db

READERS = {"staff", "leader", "auditor"}
DOWNLOADERS = {"staff", "leader", "auditor"}  # auditors read everything, files included (issue 15)


@pytest.fixture
def done_run(programme, users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = report_run_request(kind="progress", cutoff=CUTOFF, user=users["staff"])
    run.refresh_from_db()
    assert run.state == ReportState.DONE
    return run


def _statuses(client, users, url, method="get", **data):
    got = {}
    for role, user in users.items():
        client.force_login(user)
        got[role] = getattr(client, method)(url, data).status_code
        client.logout()
    return got


def test_readers_see_the_list_and_the_print_view_others_get_403(client, users, done_run):
    for url in (reverse("report_list"), reverse("report_view", args=[done_run.pk]),
                reverse("report_status", args=[done_run.pk])):
        got = _statuses(client, users, url)
        assert got == {role: 200 if role in READERS else 403 for role in users}, url


def test_staff_leaders_and_auditors_download_others_do_not(client, users, done_run):
    got = _statuses(client, users, reverse("report_download", args=[done_run.pk]))
    assert got == {role: 200 if role in DOWNLOADERS else 403 for role in users}


def test_the_download_is_the_stored_file(client, users, done_run):
    client.force_login(users["leader"])
    response = client.get(reverse("report_download", args=[done_run.pk]))
    import hashlib

    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == done_run.sha256
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]


def test_staff_press_generate_and_the_run_is_built(client, users, programme, django_capture_on_commit_callbacks):
    client.force_login(users["staff"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("report_list"), {"kind": "budget", "cutoff": "2023-09-30"})
    assert response.status_code == 302
    run = ReportRun.objects.get()
    assert run.kind == "budget" and run.state == ReportState.DONE and run.requested_by == users["staff"]
    page = client.get(reverse("report_list")).content.decode()
    assert "资金报告" in page and reverse("report_download", args=[run.pk]) in page


def test_only_staff_may_ask_for_a_report(client, users, programme):
    got = _statuses(client, users, reverse("report_list"), method="post", kind="progress", cutoff="2023-09-30")
    assert got["leader"] == got["auditor"] == got["surveyor"] == got["liaison"] == 403
    assert got["staff"] == 302


def test_a_cutoff_in_the_future_is_refused_beside_the_field(client, users, programme):
    client.force_login(users["staff"])
    response = client.post(reverse("report_list"), {"kind": "progress", "cutoff": "2999-01-01"})
    assert response.status_code == 200
    assert "不能晚于今天" in response.content.decode()
    assert not ReportRun.objects.exists()


def test_the_status_endpoint_reports_progress_and_the_download_link(client, users, programme, done_run):
    queued = ReportRun.objects.create(programme=programme, kind="budget", cutoff=CUTOFF, trigger="manual",
                                      state=ReportState.RUNNING, progress=40, attempts=1)
    client.force_login(users["auditor"])
    busy = client.get(reverse("report_status", args=[queued.pk])).json()
    assert busy == busy | {"state": "running", "state_label": "生成中", "progress": 40, "busy": True,
                           "download_url": None}
    done = client.get(reverse("report_status", args=[done_run.pk])).json()
    assert done["busy"] is False and done["progress"] == 100 and done["sha256"] == done_run.sha256
    # auditors read everything, the report file included (README roles, issue 15)
    assert done["download_url"] == reverse("report_download", args=[done_run.pk])


def test_a_busy_run_shows_a_progress_bar_polled_by_the_vendored_script(client, users, programme):
    run = ReportRun.objects.create(programme=programme, kind="progress", cutoff=CUTOFF, trigger="manual")
    client.force_login(users["staff"])
    page = client.get(reverse("report_list")).content.decode()
    assert f'data-status-url="{reverse("report_status", args=[run.pk])}"' in page
    assert "<progress" in page and "js/report-progress.js" in page
    assert "cdn" not in page.lower()
    script = client.get("/static/js/report-progress.js")
    assert script.status_code == 200


def test_the_print_view_shows_every_sheet_of_the_file(client, users, done_run):
    client.force_login(users["auditor"])
    page = client.get(reverse("report_view", args=[done_run.pk])).content.decode()
    for name in ("进度报告", "：项目", "：小区", "开工与完工", "实物工作量", "部门逾期任务"):
        assert name in page
    assert done_run.sha256 in page


def test_an_unfinished_run_has_no_download_or_view(client, users, programme):
    run = ReportRun.objects.create(programme=programme, kind="progress", cutoff=CUTOFF, trigger="manual")
    client.force_login(users["staff"])
    assert client.get(reverse("report_download", args=[run.pk])).status_code == 404
    assert client.get(reverse("report_view", args=[run.pk])).status_code == 404


def test_the_list_pins_its_query_count(client, users, programme, django_assert_max_num_queries):
    for _ in range(20):
        ReportRun.objects.create(programme=programme, kind="progress", cutoff=CUTOFF, trigger="manual",
                                 requested_by=users["staff"])
    client.force_login(users["leader"])
    with django_assert_max_num_queries(12):
        assert client.get(reverse("report_list")).status_code == 200
