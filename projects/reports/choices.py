from django.db import models


class ReportKind(models.TextChoices):
    """The two reports the leading-group office sends upward."""

    PROGRESS = "progress", "进度报告"
    BUDGET = "budget", "资金报告"


class ReportTrigger(models.TextChoices):
    MANUAL = "manual", "手动生成"
    SCHEDULED = "scheduled", "定时生成"


class ReportState(models.TextChoices):
    """queued → running → done | failed; a stale running run goes back to queued (retry) or to failed."""

    QUEUED = "queued", "排队中"
    RUNNING = "running", "生成中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"
