"""Celery tasks of the shell: build one large list export, sweep stale and expired exports.

Each takes ids, re-fetches, returns quietly when the row is gone, and calls a service (ui.exports).
"""

import logging

from celery import shared_task
from django.conf import settings

from .models import ExportRun

logger = logging.getLogger(__name__)


@shared_task(
    name="ui.export_build",
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=settings.EXPORT_TIME_LIMIT,
    soft_time_limit=max(settings.EXPORT_TIME_LIMIT - 10, 5),
)
def export_build_task(run_id: int) -> str | None:
    from celery.exceptions import SoftTimeLimitExceeded

    from . import exports

    if not ExportRun.objects.filter(pk=run_id).exists():
        return None
    attempt = exports.export_run_claim(run_id=run_id)
    if attempt is None:
        return None  # a second delivery
    try:
        run = exports.export_run_build(run_id=run_id, attempt=attempt)
    except SoftTimeLimitExceeded:
        exports.export_run_fail(run_id=run_id, attempt=attempt,
                                reason=f"导出超过时间限制（{settings.EXPORT_TIME_LIMIT} 秒），请缩小筛选范围后重试。")
        return None
    except Exception:
        logger.exception("export run %s failed", run_id)
        exports.export_run_fail(run_id=run_id, attempt=attempt, reason="导出失败，请稍后重试或联系管理员。")
        return None
    return run.state if run else None


@shared_task(name="ui.exports_sweep", acks_late=True)
def exports_sweep_task() -> dict:
    from .exports import export_runs_sweep

    return export_runs_sweep()
