from django.db import models


class ExportState(models.TextChoices):
    """Where a background export (ui.models.ExportRun) stands."""

    QUEUED = "queued", "排队中"
    RUNNING = "running", "生成中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"
    EXPIRED = "expired", "已过期"


BUSY_STATES = (ExportState.QUEUED, ExportState.RUNNING)
