"""Large list exports on the worker: request, claim, build, fail, sweep. State moves only here.

A list export (?export=xlsx on any FilteredListView) of more than settings.EXPORT_ASYNC_MIN_ROWS rows
becomes an ExportRun: the worker rebuilds the same list — the same view, FilterSet, query string and
user, so the same rows in the same order with personal data masked the same way — and streams it into
a file (ui.xlsx, write-only: memory stays flat in the row count). The page polls the run's progress and
offers the download; files are deleted after settings.EXPORT_KEEP_HOURS. One busy export per user
(a database constraint), so nobody can start the same million-row export over and over.

Claims are conditional UPDATEs (queued → running, attempts + 1) and every later write of that attempt
is conditional on (running, attempts): a task delivered twice builds once, as for report runs.
"""

import datetime as dt
import logging
import tempfile
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, QueryDict
from django.urls import resolve, reverse
from django.utils import timezone

from .choices import BUSY_STATES, ExportState
from .models import ExportRun
from .xlsx import write_xlsx

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 5000  # rows between progress updates (one UPDATE each)


class ExportBusy(Exception):
    """The user already has an export queued or running: that run is `self.run`."""

    def __init__(self, run: ExportRun):
        super().__init__("您已有一个导出正在生成，请等它完成后再导出。")
        self.run = run


def _queue(run: ExportRun) -> None:
    from jingyuan_renovation.celery import WORKER_UNAVAILABLE, task_send

    from .tasks import export_build_task

    def unavailable():
        # Redis down: nobody would take the run; fail it now so the user may ask again later.
        export_run_fail(run_id=run.pk, attempt=None, reason=f"{WORKER_UNAVAILABLE}导出未开始。")

    transaction.on_commit(lambda: task_send(export_build_task, run.pk, on_unavailable=unavailable))


def export_run_request(*, user, view_name: str, view_kwargs: dict, query: str, title: str, filename_stem: str,
                       row_count: int) -> ExportRun:
    """Record a large export and queue it once committed; ExportBusy if the user has one under way."""
    export_runs_sweep()
    run = ExportRun(requested_by=user, view_name=view_name, view_kwargs=view_kwargs, query=query[:2000],
                    title=title, filename_stem=filename_stem, row_count=row_count)
    run.full_clean(validate_constraints=False)  # the busy-export constraint is the database's: it may race
    try:
        with transaction.atomic():
            run.save()
            _queue(run)
    except IntegrityError:
        busy = ExportRun.objects.filter(requested_by=user, state__in=BUSY_STATES).first()
        if busy is None:
            raise
        raise ExportBusy(busy) from None
    return run


def export_run_claim(*, run_id: int) -> int | None:
    """queued → running for this worker; the attempt number, or None when another delivery has it."""
    claimed = ExportRun.objects.filter(pk=run_id, state=ExportState.QUEUED).update(
        state=ExportState.RUNNING, started_at=timezone.now(), rows_written=0, attempts=F("attempts") + 1)
    if claimed != 1:
        return None
    return ExportRun.objects.values_list("attempts", flat=True).get(pk=run_id)


def _mine(run_id: int, attempt: int):
    return ExportRun.objects.filter(pk=run_id, state=ExportState.RUNNING, attempts=attempt)


def list_for_export(run: ExportRun):
    """The list view the run was asked from, as its user sees it, and its filtered rows (or PermissionDenied
    if the user may no longer read it: a role changed since the request)."""
    from agencies.access import require_role

    match = resolve(reverse(run.view_name, kwargs=run.view_kwargs))
    request = HttpRequest()
    request.method, request.user = "GET", run.requested_by
    request.GET = QueryDict(run.query)
    view = match.func.view_class()
    view.setup(request, **match.kwargs)
    require_role(request.user, *view.roles)
    filterset = view.filterset_class(request.GET or None, queryset=view.get_queryset(), request=request)
    if filterset.is_bound and not filterset.is_valid():
        raise ValueError("筛选条件有误")
    return view, filterset.qs


def export_run_build(*, run_id: int, attempt: int) -> ExportRun | None:
    """Build a claimed run into a file and mark it done; a failure marks it failed with the reason."""
    run = ExportRun.objects.select_related("requested_by").get(pk=run_id)
    try:
        view, rows = list_for_export(run)
        headers, table = view.export_table(rows)
        written = 0

        def counted():
            nonlocal written
            for row in table:
                yield row
                written += 1
                if written % PROGRESS_EVERY == 0:
                    _mine(run_id, attempt).update(rows_written=written)

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "export.xlsx"
            write_xlsx(path, title=run.title, headers=headers, rows=counted())
            size = path.stat().st_size
            with path.open("rb") as handle:
                name = f"{settings.EXPORT_STORAGE_PREFIX}/{run.pk}/{uuid.uuid4().hex}.xlsx"
                stored = default_storage.save(name, File(handle, name=name))
    except PermissionDenied:
        return export_run_fail(run_id=run_id, attempt=attempt, reason="您已无权查看此列表，未导出。")
    except ValueError as error:
        return export_run_fail(run_id=run_id, attempt=attempt, reason=f"{error}，未导出。")
    done = _mine(run_id, attempt).update(state=ExportState.DONE, file=stored, size_bytes=size, rows_written=written,
                                         finished_at=timezone.now())
    if done != 1:  # the sweeper gave the run up meanwhile: keep nothing of this attempt
        default_storage.delete(stored)
        return None
    return ExportRun.objects.get(pk=run_id)


def export_run_fail(*, run_id: int, attempt: int | None, reason: str) -> ExportRun | None:
    runs = ExportRun.objects.filter(pk=run_id, state__in=BUSY_STATES)
    if attempt is not None:
        runs = runs.filter(attempts=attempt)
    if runs.update(state=ExportState.FAILED, reason=reason, finished_at=timezone.now()) != 1:
        return None
    return ExportRun.objects.get(pk=run_id)


def export_runs_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Fail runs whose worker died (running past the time limit, or queued for as long: no worker took
    them) and delete the files of runs finished more than EXPORT_KEEP_HOURS ago."""
    now = now or timezone.now()
    stale_before = now - dt.timedelta(seconds=settings.EXPORT_TIME_LIMIT + 60)
    stale = ExportRun.objects.filter(state__in=BUSY_STATES, requested_at__lt=stale_before).filter(
        started_at__isnull=True) | ExportRun.objects.filter(state=ExportState.RUNNING, started_at__lt=stale_before)
    failed = stale.update(state=ExportState.FAILED, finished_at=now,
                          reason="导出中断（后台服务重启或超时），请重新导出。")
    expired = 0
    old = ExportRun.objects.filter(state=ExportState.DONE,
                                   finished_at__lt=now - dt.timedelta(hours=settings.EXPORT_KEEP_HOURS))
    for run_id, name in old.values_list("pk", "file"):
        if name:
            default_storage.delete(name)
        expired += ExportRun.objects.filter(pk=run_id, state=ExportState.DONE).update(
            state=ExportState.EXPIRED, file="")
    return {"failed": failed, "expired": expired}
