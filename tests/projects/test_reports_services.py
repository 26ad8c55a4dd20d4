"""Report runs: request → build → done; duplicate delivery builds once; failures and the sweeper."""

import datetime as dt
import hashlib

import pytest
from django.db import OperationalError
from django.utils import timezone

from projects.reports import services
from projects.reports.choices import ReportState, ReportTrigger
from projects.reports.models import ReportRun
from projects.reports.tasks import report_build_task, report_runs_sweep_task, report_scheduled_task
from tests.projects.report_factories import CUTOFF

pytestmark = pytest.mark.django_db


def _request(staff_user, django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        run = services.report_run_request(kind=kwargs.pop("kind", "progress"), cutoff=CUTOFF, user=staff_user, **kwargs)
    run.refresh_from_db()
    return run


def test_a_requested_run_is_built_and_stored_with_its_checksum(programme, staff_user, django_capture_on_commit_callbacks):
    run = _request(staff_user, django_capture_on_commit_callbacks)
    assert run.state == ReportState.DONE
    assert run.progress == 100 and run.attempts == 1 and run.task_id
    content = run.file.read()
    assert hashlib.sha256(content).hexdigest() == run.sha256
    assert run.size_bytes == len(content)
    assert run.file.name.startswith("reports/")
    assert run.started_at and run.finished_at and run.duration_seconds is not None
    assert run.requested_by == staff_user and run.trigger == ReportTrigger.MANUAL
    # Every transition is in the history: created, claimed, done.
    assert [h.state for h in run.history.order_by("history_date")] == ["queued", "running", "done"]


def test_the_task_is_queued_only_when_the_request_commits(programme, staff_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = services.report_run_request(kind="budget", cutoff=CUTOFF, user=staff_user)
    assert len(callbacks) == 1
    run.refresh_from_db()
    assert run.state == ReportState.QUEUED


def test_a_task_delivered_twice_builds_once(programme, staff_user, django_capture_on_commit_callbacks, monkeypatch):
    with django_capture_on_commit_callbacks(execute=False):
        run = services.report_run_request(kind="progress", cutoff=CUTOFF, user=staff_user)
    builds = []
    real_write = services.report_write
    monkeypatch.setattr(services, "report_write", lambda **kw: builds.append(1) or real_write(**kw))
    assert report_build_task.apply(args=[run.pk]).get() == ReportState.DONE
    assert report_build_task.apply(args=[run.pk]).get() is None
    run.refresh_from_db()
    assert builds == [1]
    assert run.state == ReportState.DONE and run.attempts == 1


def test_a_task_for_a_deleted_run_returns_quietly(db):
    assert report_build_task.apply(args=[987654]).get() is None


def test_a_build_error_marks_the_run_failed_with_the_reason(
    programme, staff_user, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(**kwargs):
        raise ValueError("坏数据")

    monkeypatch.setattr(services, "report_write", broken)
    run = _request(staff_user, django_capture_on_commit_callbacks)
    assert run.state == ReportState.FAILED
    assert "坏数据" in run.reason and not run.file


@pytest.fixture
def eager_retries():
    """In-process, a retry re-runs the task at once only when eager errors are not propagated."""
    from jingyuan_renovation.celery import app

    previous = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = previous


def test_a_transient_database_error_is_retried_then_fails_at_the_cap(
    programme, staff_user, django_capture_on_commit_callbacks, monkeypatch, settings, eager_retries
):
    settings.REPORT_MAX_ATTEMPTS = 2
    calls = []

    def flaky(**kwargs):
        calls.append(1)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(services, "report_write", flaky)
    run = _request(staff_user, django_capture_on_commit_callbacks)
    assert len(calls) == 2
    assert run.state == ReportState.FAILED and run.attempts == 2
    assert "多次尝试后仍失败" in run.reason


def test_a_transient_error_then_success_ends_done(
    programme, staff_user, django_capture_on_commit_callbacks, monkeypatch, eager_retries
):
    real_write = services.report_write
    calls = []

    def once_flaky(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("connection reset")
        return real_write(**kwargs)

    monkeypatch.setattr(services, "report_write", once_flaky)
    run = _request(staff_user, django_capture_on_commit_callbacks)
    assert run.state == ReportState.DONE and run.attempts == 2


def _stuck_run(programme, *, attempts=1, minutes=30):
    return ReportRun.objects.create(
        programme=programme, kind="progress", cutoff=CUTOFF, trigger=ReportTrigger.MANUAL,
        state=ReportState.RUNNING, attempts=attempts, started_at=timezone.now() - dt.timedelta(minutes=minutes),
    )


def test_the_sweeper_requeues_a_stale_run_and_it_is_built(programme, settings, django_capture_on_commit_callbacks):
    settings.REPORT_STALE_AFTER = 60
    settings.REPORT_MAX_ATTEMPTS = 2
    run = _stuck_run(programme, attempts=1)
    fresh = _stuck_run(programme, attempts=1, minutes=0)
    with django_capture_on_commit_callbacks(execute=True):
        counts = services.report_runs_sweep()
    assert counts == {"requeued": 1, "failed": 0}
    run.refresh_from_db()
    fresh.refresh_from_db()
    assert run.state == ReportState.DONE and run.attempts == 2
    assert fresh.state == ReportState.RUNNING  # within its time limit: left alone


def test_the_sweeper_fails_a_stale_run_at_the_attempt_cap(programme, settings):
    settings.REPORT_STALE_AFTER = 60
    settings.REPORT_MAX_ATTEMPTS = 2
    run = _stuck_run(programme, attempts=2)
    assert report_runs_sweep_task.apply().get() == {"requeued": 0, "failed": 1}
    run.refresh_from_db()
    assert run.state == ReportState.FAILED
    assert "60 秒仍未完成" in run.reason and run.finished_at
    assert run.history.first().history_change_reason == "超时失败"


def test_a_stale_worker_finishing_late_does_not_overwrite_the_newer_attempt(programme, settings, staff_user):
    run = _stuck_run(programme, attempts=2, minutes=0)
    # attempt 1's worker comes back after the sweeper handed the run to attempt 2
    assert services.report_run_build(run_id=run.pk, attempt=1) is None
    run.refresh_from_db()
    assert run.state == ReportState.RUNNING and not run.file


def test_requesting_a_report_sweeps_stale_runs_first(programme, staff_user, settings, django_capture_on_commit_callbacks):
    settings.REPORT_STALE_AFTER = 60
    settings.REPORT_MAX_ATTEMPTS = 1
    stuck = _stuck_run(programme, attempts=1)
    _request(staff_user, django_capture_on_commit_callbacks)
    stuck.refresh_from_db()
    assert stuck.state == ReportState.FAILED


def test_a_scheduled_report_delivered_twice_makes_one_run(programme, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = report_scheduled_task.apply(args=["progress"]).get()
    second = report_scheduled_task.apply(args=["progress"]).get()
    assert first == second
    run = ReportRun.objects.get()
    assert run.trigger == ReportTrigger.SCHEDULED and run.requested_by is None
    assert run.cutoff == timezone.localdate() and run.state == ReportState.DONE


def test_a_scheduled_report_without_a_programme_is_skipped(db):
    assert report_scheduled_task.apply(args=["budget"]).get() is None
    assert not ReportRun.objects.exists()


def test_beat_schedules_each_report_with_an_expiry(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["report-progress-weekly"]["args"] == ("progress",)
    assert schedule["report-budget-monthly"]["args"] == ("budget",)
    for entry in schedule.values():
        assert entry["options"]["expires"] > 0
