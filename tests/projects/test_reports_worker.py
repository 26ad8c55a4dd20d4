"""Report runs through a real Celery worker on Redis (REDIS_URL and a PostgreSQL DATABASE_URL).

GIVEN a run being built by a worker process, WHEN that process is SIGKILLed mid-build, THEN the run
is not left "running": the sweeper (with a short limit here) requeues it and a new worker builds it,
or — at the attempt cap — it is marked failed with the reason.
"""

import hashlib
import os
import signal
import subprocess
import sys
import time

import pytest

from projects.reports.choices import ReportState
from projects.reports.models import ReportRun
from tests.conftest import ROOT, _database_url_of_test_db
from tests.projects.report_factories import CUTOFF

pytestmark = pytest.mark.live_worker


def _wait(run, predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if predicate(run):
            return run
        time.sleep(0.2)
    raise AssertionError(f"run {run.pk} still {run.state} ({run.progress}%) after {timeout}s: {run.reason}")


def _worker(tmp_path, name, **env_extra):
    from django.conf import settings

    env = dict(os.environ, DATABASE_URL=_database_url_of_test_db(), REDIS_URL=settings.REDIS_URL,
               JINGYUAN_MEDIA_ROOT=str(settings.MEDIA_ROOT), **env_extra)
    log = (tmp_path / f"{name}.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "jingyuan_renovation", "worker", "--pool=solo", "--loglevel=INFO",
         "-n", f"{name}-{os.getpid()}@%h", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True,
    )
    return process, log


def _stop(process, log):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
    log.close()


def _load():
    from projects.services import programme_load

    programme_load()


def test_a_real_worker_builds_a_requested_report(live_worker):
    from jingyuan_renovation.celery import app
    from projects.reports.services import report_run_request

    assert not app.conf.task_always_eager
    _load()
    run = report_run_request(kind="progress", cutoff=CUTOFF)
    run = _wait(run, lambda r: not r.is_busy, 90)
    assert run.state == ReportState.DONE, run.reason
    assert run.task_id and run.attempts == 1
    assert hashlib.sha256(run.file.read()).hexdigest() == run.sha256


def _start_and_kill(tmp_path):
    """A run picked up by a slow worker, which is SIGKILLed once it is mid-build."""
    from projects.reports.services import report_run_request

    slow, log = _worker(tmp_path, "slow", JINGYUAN_REPORT_TEST_DELAY="2")
    try:
        run = report_run_request(kind="progress", cutoff=CUTOFF)
        run = _wait(run, lambda r: r.state == ReportState.RUNNING and r.progress > 0, 90)
        os.kill(slow.pid, signal.SIGKILL)
        slow.wait(timeout=10)
    finally:
        _stop(slow, log)
    time.sleep(3)  # the build would have moved on by now had the worker been alive
    run.refresh_from_db()
    assert run.state == ReportState.RUNNING and run.progress < 100  # killed mid-build
    return run


def test_a_run_whose_worker_is_killed_is_retried_and_done(transactional_db, tmp_path, settings):
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set")
    from projects.reports.services import report_runs_sweep

    _load()
    settings.REPORT_STALE_AFTER = 2
    settings.REPORT_MAX_ATTEMPTS = 2
    run = _start_and_kill(tmp_path)
    assert report_runs_sweep() == {"requeued": 1, "failed": 0}
    fresh, log = _worker(tmp_path, "fresh")
    try:
        run = _wait(run, lambda r: not r.is_busy, 90)
    finally:
        _stop(fresh, log)
    assert run.state == ReportState.DONE and run.attempts == 2
    assert hashlib.sha256(run.file.read()).hexdigest() == run.sha256
    assert "已重新排队" in run.history.filter(state=ReportState.QUEUED).first().reason


def test_a_run_whose_worker_is_killed_at_the_attempt_cap_is_failed_not_left_running(
    transactional_db, tmp_path, settings
):
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set")
    from projects.reports.services import report_runs_sweep

    _load()
    settings.REPORT_STALE_AFTER = 2
    settings.REPORT_MAX_ATTEMPTS = 1
    run = _start_and_kill(tmp_path)
    assert report_runs_sweep() == {"requeued": 0, "failed": 1}
    run.refresh_from_db()
    assert run.state == ReportState.FAILED
    assert "处理进程可能已中断" in run.reason
    assert ReportRun.objects.filter(state=ReportState.RUNNING).count() == 0
