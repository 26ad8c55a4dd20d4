"""Celery tasks of the reports: build one run, sweep stale runs, request the scheduled reports.

Each takes ids (or a kind), re-fetches, returns quietly when the row is gone, and calls a service.
Only database connection errors are retried, with backoff and a cap; the run is handed back to the
queue first so the retry can claim it again.
"""

import logging

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from .choices import ReportKind, ReportTrigger
from .models import ReportRun

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS = (OperationalError, InterfaceError)


@shared_task(
    bind=True,
    name="projects.report_build",
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=settings.REPORT_TIME_LIMIT,
    soft_time_limit=max(settings.REPORT_TIME_LIMIT - 10, 5),
    max_retries=3,
)
def report_build_task(self, run_id: int) -> str | None:
    from celery.exceptions import SoftTimeLimitExceeded

    from . import services

    if not ReportRun.objects.filter(pk=run_id).exists():
        return None  # deleted between queueing and running
    attempt = services.report_run_claim(run_id=run_id)
    if attempt is None:
        return None  # a second delivery: another worker has (or had) this run
    try:
        run = services.report_run_build(run_id=run_id, attempt=attempt)
    except SoftTimeLimitExceeded:
        services.report_run_fail(
            run_id=run_id, attempt=attempt, reason=f"生成超过时间限制（{settings.REPORT_TIME_LIMIT} 秒），已停止。"
        )
        return None
    except TRANSIENT_ERRORS as exc:
        logger.warning("report run %s: transient error %s", run_id, exc)
        if services.report_run_release(run_id=run_id, attempt=attempt, reason=str(exc)):
            raise self.retry(exc=exc, countdown=min(10 * 2**self.request.retries, 300)) from exc
        return None
    return run.state if run else None


@shared_task(name="projects.report_runs_sweep", acks_late=True)
def report_runs_sweep_task() -> dict:
    from .services import report_runs_sweep

    return report_runs_sweep()


@shared_task(name="projects.report_scheduled", acks_late=True)
def report_scheduled_task(kind: str) -> int | None:
    """The weekly progress / monthly budget report, cut off today; one run per kind and day."""
    from django.core.exceptions import ValidationError

    from .services import report_run_request

    try:
        run = report_run_request(
            kind=ReportKind(kind), cutoff=timezone.localdate(), trigger=ReportTrigger.SCHEDULED
        )
    except ValidationError as exc:  # no programme loaded yet: nothing to report
        logger.warning("scheduled %s report skipped: %s", kind, exc)
        return None
    return run.pk


@worker_ready.connect
def report_runs_recover_on_start(sender=None, **kwargs) -> dict | None:
    """A worker that starts takes back the runs a killed worker left 生成中 (docs/reports.md)."""
    from .services import report_runs_recover

    try:
        replies = sender.app.control.inspect(timeout=2).active() or {}
        active = {task["id"] for tasks in replies.values() for task in tasks or []}
        counts = report_runs_recover(active_task_ids=active)
    except Exception:  # noqa: BLE001 - the worker must start anyway; the sweeper will catch up
        logger.warning("could not recover report runs left by a dead worker", exc_info=True)
        return None
    if counts["requeued"] or counts["failed"]:
        logger.warning("report runs left by a dead worker: %s", counts)
    return counts
