"""Writes of report runs: request, claim, build, release, sweep. State moves only here.

Concurrency: the worker claims a queued run with a conditional UPDATE (queued → running, one row),
and every later write of that attempt is conditional on (state=running, attempts=its attempt) — a
fencing token. So a duplicate delivery builds nothing, and a worker that comes back after the
sweeper gave its run to another attempt cannot overwrite the newer result.
"""

import datetime as dt
import hashlib
import logging
import tempfile
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from ..models import Programme
from .budget import write_budget
from .choices import ReportKind, ReportState, ReportTrigger
from .models import ReportRun
from .progress import write_progress
from .workbook import new_workbook

logger = logging.getLogger(__name__)

WRITERS = {ReportKind.PROGRESS: write_progress, ReportKind.BUDGET: write_budget}


def _queue(run: ReportRun) -> None:
    from .tasks import report_build_task

    def send():
        from jingyuan_renovation.celery import WORKER_UNAVAILABLE, broker_errors

        task_id = str(uuid.uuid4())
        ReportRun.objects.filter(pk=run.pk).update(task_id=task_id)
        try:
            report_build_task.apply_async((run.pk,), task_id=task_id)
        except broker_errors() as exc:
            # Redis down: nobody would ever take the run; say so now rather than 排队中 for a day.
            logger.warning("report run %s not queued, broker unavailable: %s", run.pk, exc)
            report_run_fail(run_id=run.pk, attempt=None, reason=f"{WORKER_UNAVAILABLE}报告未开始生成，请稍后重新生成。")

    transaction.on_commit(send)


@transaction.atomic
def report_run_request(
    *,
    kind: str,
    cutoff: dt.date,
    user=None,
    programme: Programme | None = None,
    trigger: str = ReportTrigger.MANUAL,
    is_demo: bool = False,
) -> ReportRun:
    """Record a request for a report and queue its build once the request is committed.

    A scheduled request for a (kind, day) that already has one returns that run: beat may deliver twice.
    Stale runs are swept first, so the list a user sees after pressing 生成报告 has nothing stuck.
    """
    report_runs_sweep()
    programme = programme or Programme.objects.order_by("-year").first()
    if programme is None:
        raise ValidationError("尚未载入改造计划，无法生成报告。")
    run = ReportRun(
        programme=programme, kind=kind, cutoff=cutoff, requested_by=user, trigger=trigger, is_demo=is_demo
    )
    run.full_clean(validate_constraints=trigger != ReportTrigger.SCHEDULED)
    if trigger == ReportTrigger.SCHEDULED:
        try:
            with transaction.atomic():
                run.save()
        except IntegrityError:
            return ReportRun.objects.get(kind=kind, cutoff=cutoff, trigger=ReportTrigger.SCHEDULED)
    else:
        run.save()
    _queue(run)
    return run


def report_run_claim(*, run_id: int) -> int | None:
    """queued → running for this worker; returns the attempt number, or None when another delivery
    (or the sweeper) already has it. The UPDATE is the lock: only one caller sees one row changed."""
    now = timezone.now()
    claimed = ReportRun.objects.filter(pk=run_id, state=ReportState.QUEUED).update(
        state=ReportState.RUNNING, started_at=now, finished_at=None, progress=0, reason="",
        attempts=F("attempts") + 1,
    )
    if claimed != 1:
        return None
    run = ReportRun.objects.get(pk=run_id)
    run._change_reason = f"第 {run.attempts} 次生成开始"
    run.save(update_fields=["state"])  # one history row for the transition (update() records none)
    return run.attempts


def _mine(run_id: int, attempt: int):
    return ReportRun.objects.filter(pk=run_id, state=ReportState.RUNNING, attempts=attempt)


def report_run_progress(*, run_id: int, attempt: int, percent: int) -> None:
    # Progress ticks are not history-worthy: a plain conditional UPDATE.
    _mine(run_id, attempt).update(progress=max(0, min(100, percent)))


def report_write(*, kind: str, programme: Programme, cutoff: dt.date, path: Path, is_demo: bool = False,
                 progress=lambda percent: None, generated_at: dt.datetime | None = None) -> dict:
    """Build one report into `path` (the task and `manage.py build_report` both call this)."""
    generated_at = timezone.localtime(generated_at or timezone.now())
    subtitle = (
        f"报告日期：{generated_at:%Y-%m-%d %H:%M}    数据截止：{cutoff:%Y-%m-%d}    "
        f"依据：{programme.document_number}《{programme.title}》"
    )
    delay = settings.REPORT_TEST_DELAY

    def tick(percent: int) -> None:
        progress(percent)
        if delay:
            time.sleep(delay)  # test-only: lets a test kill the worker mid-build

    workbook = new_workbook()
    result = WRITERS[ReportKind(kind)](
        workbook, programme=programme, cutoff=cutoff, is_demo=is_demo, subtitle=subtitle, progress=tick
    )
    workbook.save(path)
    return result


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def report_run_build(*, run_id: int, attempt: int) -> ReportRun | None:
    """Build a claimed run, store the file, and mark it done; a failure marks it failed with the reason.

    Transient database errors propagate (the task retries them after report_run_release).
    """
    from .tasks import TRANSIENT_ERRORS

    run = ReportRun.objects.select_related("programme").get(pk=run_id)
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "report.xlsx"
        try:
            report_write(
                kind=run.kind, programme=run.programme, cutoff=run.cutoff, path=path, is_demo=run.is_demo,
                progress=lambda percent: report_run_progress(run_id=run_id, attempt=attempt, percent=percent),
            )
        except TRANSIENT_ERRORS:
            raise
        except Exception as exc:  # anything else is a bug or bad data: record it, do not retry
            logger.exception("report run %s failed", run_id)
            return report_run_fail(run_id=run_id, attempt=attempt, reason=f"生成出错：{type(exc).__name__}: {exc}")
        sha256 = _sha256(path)
        size = path.stat().st_size
        stamp = timezone.localtime()
        name = f"{settings.REPORT_STORAGE_PREFIX}/{stamp:%Y/%m}/{run.kind}-{run.cutoff:%Y%m%d}-{run.pk}-{sha256[:12]}.xlsx"
        with path.open("rb") as handle:
            stored = default_storage.save(name, File(handle, name=name))
    with transaction.atomic():
        current = _mine(run_id, attempt).select_for_update().first()
        if current is None:
            # The sweeper gave the run up (or to another attempt) meanwhile: keep the newer outcome.
            default_storage.delete(stored)
            return None
        current.file.name = stored
        current.sha256 = sha256
        current.size_bytes = size
        current.state = ReportState.DONE
        current.progress = 100
        current.finished_at = timezone.now()
        current.duration_seconds = round(time.monotonic() - started, 3)
        current.reason = ""
        current._change_reason = "生成完成"
        current.save()
    return current


def report_run_fail(*, run_id: int, attempt: int | None, reason: str) -> ReportRun | None:
    """running (this attempt) → failed with the reason; None if the run is no longer this attempt's."""
    with transaction.atomic():
        query = ReportRun.objects.filter(pk=run_id, state__in=[ReportState.RUNNING, ReportState.QUEUED])
        if attempt is not None:
            query = query.filter(attempts=attempt)
        run = query.select_for_update().first()
        if run is None:
            return None
        run.state = ReportState.FAILED
        run.reason = reason[:2000]
        run.finished_at = timezone.now()
        if run.started_at:
            run.duration_seconds = round((run.finished_at - run.started_at).total_seconds(), 3)
        run._change_reason = "生成失败"
        run.save()
        return run


def report_run_release(*, run_id: int, attempt: int, reason: str) -> bool:
    """Give a claimed run back to the queue after a transient error, if attempts remain (else fail it).
    Returns True when the task should retry."""
    with transaction.atomic():
        run = _mine(run_id, attempt).select_for_update().first()
        if run is None:
            return False
        if run.attempts >= settings.REPORT_MAX_ATTEMPTS:
            run.state, run.reason, run.finished_at = ReportState.FAILED, f"多次尝试后仍失败：{reason}"[:2000], timezone.now()
            run._change_reason = "生成失败"
            run.save()
            return False
        run.state, run.reason = ReportState.QUEUED, f"第 {attempt} 次生成中断，等待重试：{reason}"[:2000]
        run._change_reason = "退回队列重试"
        run.save()
        return True


def _requeue_or_fail(*, run_id: int, attempts: int, now: dt.datetime, requeue_reason: str,
                     fail_reason: str) -> str | None:
    """A running run nobody is building: back to the queue while attempts remain, else failed.
    Conditional on the run still being this attempt's (a live worker that finishes first wins)."""
    with transaction.atomic():
        run = _mine(run_id, attempts).select_for_update(skip_locked=True).first()
        if run is None:
            return None
        if attempts < settings.REPORT_MAX_ATTEMPTS:
            run.state = ReportState.QUEUED
            run.reason = requeue_reason
            run._change_reason = "超时重新排队"
            run.save()
            _queue(run)
            return "requeued"
        run.state = ReportState.FAILED
        run.finished_at = now
        run.duration_seconds = round((now - run.started_at).total_seconds(), 3)
        run.reason = fail_reason
        run._change_reason = "超时失败"
        run.save()
        return "failed"


def report_runs_recover(*, active_task_ids: set[str], now: dt.datetime | None = None) -> dict[str, int]:
    """A worker starting up (celery worker_ready) takes back the runs left by a dead worker at once,
    instead of leaving them 生成中 until the sweeper's REPORT_STALE_AFTER (or for ever without beat).

    `active_task_ids` are the tasks every live worker reports as executing; a running run whose task is
    not among them has no worker. A live worker that was merely slow to answer loses nothing: its
    attempt no longer matches (_mine), and the requeued run is built once more."""
    now = now or timezone.now()
    orphans = list(
        ReportRun.objects.filter(state=ReportState.RUNNING).exclude(task_id__in=active_task_ids)
        .values_list("pk", "attempts")
    )
    counts = {"requeued": 0, "failed": 0}
    for run_id, attempts in orphans:
        outcome = _requeue_or_fail(
            run_id=run_id, attempts=attempts, now=now,
            requeue_reason=f"第 {attempts} 次生成时处理进程中断，后台服务重启后已重新排队。",
            fail_reason=f"生成时处理进程中断，已尝试 {attempts} 次，标记为失败。请重新生成。",
        )
        if outcome:
            counts[outcome] += 1
    return counts


def report_runs_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Nothing stays "running" forever: a run running longer than REPORT_STALE_AFTER seconds (its
    worker was killed, or the machine restarted) goes back to the queue while attempts remain, and is
    marked failed with the reason after that. Runs queued for a day without a worker ever taking them
    are failed too. Safe to run anywhere, any number of times: every change is a conditional UPDATE."""
    now = now or timezone.now()
    limit = settings.REPORT_STALE_AFTER
    stale = list(
        ReportRun.objects.filter(state=ReportState.RUNNING, started_at__lt=now - dt.timedelta(seconds=limit))
        .values_list("pk", "attempts")
    )
    counts = {"requeued": 0, "failed": 0}
    for run_id, attempts in stale:
        outcome = _requeue_or_fail(
            run_id=run_id, attempts=attempts, now=now,
            requeue_reason=f"第 {attempts} 次生成超过 {limit} 秒仍未完成（处理进程可能已中断），已重新排队。",
            fail_reason=f"生成超过 {limit} 秒仍未完成（处理进程可能已中断），已尝试 {attempts} 次，标记为失败。请重新生成。",
        )
        if outcome:
            counts[outcome] += 1
    forgotten = ReportRun.objects.filter(state=ReportState.QUEUED, requested_at__lt=now - dt.timedelta(days=1))
    for run in forgotten:
        if report_run_fail(run_id=run.pk, attempt=None, reason="排队超过一天仍未被处理，请检查后台处理进程后重新生成。"):
            counts["failed"] += 1
    return counts
