"""A report run whose worker was killed is taken back when a worker starts, not left 生成中 until the
sweeper (11–16 min, for ever without beat); the list says when a run is stale (issue 16)."""

import datetime as dt
from types import SimpleNamespace

import pytest
from celery.signals import worker_ready
from django.urls import reverse
from django.utils import timezone

from projects.reports.choices import ReportState, ReportTrigger
from projects.reports.models import ReportRun
from projects.reports.tasks import report_runs_recover_on_start
from tests.projects.report_factories import CUTOFF

pytestmark = pytest.mark.django_db


def _running(programme, *, task_id, attempts=1, minutes=1):
    return ReportRun.objects.create(
        programme=programme, kind="progress", cutoff=CUTOFF, trigger=ReportTrigger.MANUAL, task_id=task_id,
        state=ReportState.RUNNING, attempts=attempts, started_at=timezone.now() - dt.timedelta(minutes=minutes),
    )


def _worker(active: dict):
    """The sender of worker_ready: its app's control.inspect().active() answers `active`."""
    inspect = SimpleNamespace(active=lambda: active)
    control = SimpleNamespace(inspect=lambda timeout: inspect)
    return SimpleNamespace(app=SimpleNamespace(control=control))


def test_a_starting_worker_requeues_a_run_whose_worker_died_and_it_is_built(
        programme, settings, django_capture_on_commit_callbacks):
    settings.REPORT_MAX_ATTEMPTS = 2
    orphan = _running(programme, task_id="killed-with-its-worker")  # one minute old: the sweeper waits 11
    alive = _running(programme, task_id="still-building")
    assert report_runs_recover_on_start in [receiver() for _, receiver in worker_ready.receivers]
    with django_capture_on_commit_callbacks(execute=True):
        counts = report_runs_recover_on_start(sender=_worker({"celery@other": [{"id": "still-building"}]}))
    assert counts == {"requeued": 1, "failed": 0}
    orphan.refresh_from_db()
    alive.refresh_from_db()
    assert orphan.state == ReportState.DONE and orphan.attempts == 2
    assert alive.state == ReportState.RUNNING


def test_a_run_orphaned_at_its_last_attempt_is_failed_with_the_reason(programme, settings):
    settings.REPORT_MAX_ATTEMPTS = 2
    run = _running(programme, task_id="gone", attempts=2)
    assert report_runs_recover_on_start(sender=_worker({})) == {"requeued": 0, "failed": 1}
    run.refresh_from_db()
    assert run.state == ReportState.FAILED and "处理进程中断" in run.reason


def test_a_worker_that_cannot_ask_the_others_still_starts(programme):
    run = _running(programme, task_id="unknown")

    def broken(timeout):
        raise ConnectionError("broker gone")

    sender = SimpleNamespace(app=SimpleNamespace(control=SimpleNamespace(inspect=broken)))
    assert report_runs_recover_on_start(sender=sender) is None
    run.refresh_from_db()
    assert run.state == ReportState.RUNNING


def test_the_list_says_when_a_run_is_stale(client, programme, staff_user, settings):
    settings.REPORT_STALE_AFTER = 600
    _running(programme, task_id="stuck", minutes=30)
    _running(programme, task_id="fresh", minutes=1)
    client.force_login(staff_user)
    page = client.get(reverse("report_list")).content.decode()
    assert page.count("report-stale") == 1
    assert "已生成中 30 分钟" in page and "后台处理进程可能已中断" in page
    stuck = ReportRun.objects.get(task_id="stuck")
    assert "后台处理进程可能已中断" in client.get(reverse("report_status", args=[stuck.pk])).json()["stale_note"]
