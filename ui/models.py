from django.conf import settings
from django.db import models
from django.db.models import Q

from .choices import BUSY_STATES, ExportState


class ExportRun(models.Model):
    """One large list export (导出 Excel) built by the worker: who asked, which list with which filters,
    how far the worker got, and the file to download until it expires.

    Small exports are answered at once (ui.lists.FilteredListView); above settings.EXPORT_ASYNC_MIN_ROWS
    rows the request becomes a run, so a download of a million households neither holds a web worker
    past its timeout nor can be started over and over: one busy export per user (constraint below).
    State moves only through ui.exports.
    """

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                     verbose_name="申请人")
    title = models.CharField("列表", max_length=100)
    filename_stem = models.CharField("文件名", max_length=100)
    view_name = models.CharField("页面", max_length=100, help_text="列表页的 URL 名称")
    view_kwargs = models.JSONField("页面参数", default=dict, blank=True)
    query = models.CharField("筛选条件", max_length=2000, blank=True)
    row_count = models.PositiveIntegerField("行数", default=0, help_text="申请时按筛选条件统计")
    rows_written = models.PositiveIntegerField("已写行数", default=0)
    state = models.CharField("状态", max_length=20, choices=ExportState.choices, default=ExportState.QUEUED)
    reason = models.TextField("失败原因", blank=True)
    file = models.FileField("文件", upload_to="exports/", blank=True, max_length=255)
    size_bytes = models.PositiveBigIntegerField("大小(字节)", null=True, blank=True)
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)

    class Meta:
        verbose_name = "导出记录"
        verbose_name_plural = "导出记录"
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["requested_by"], condition=Q(state__in=BUSY_STATES),
                name="%(app_label)s_%(class)s_one_busy_per_user",
                violation_error_message="您已有一个导出正在生成，请等它完成后再导出。",
            ),
            models.CheckConstraint(
                condition=Q(state__in=ExportState.values), name="%(app_label)s_%(class)s_state_valid",
                violation_error_message="导出状态无效。",
            ),
            models.CheckConstraint(
                condition=~Q(state=ExportState.DONE) | ~Q(file=""), name="%(app_label)s_%(class)s_done_has_file",
                violation_error_message="已完成的导出须有文件。",
            ),
        ]
        indexes = [
            # 我的导出: one user's runs, newest first.
            models.Index(fields=["requested_by", "-requested_at"], name="ui_exportrun_user"),
            # The expiry sweep: finished runs by age.
            models.Index(fields=["state", "finished_at"], name="ui_exportrun_state"),
        ]

    def __str__(self):
        return f"{self.title} 导出 #{self.pk}"

    @property
    def is_busy(self) -> bool:
        return self.state in BUSY_STATES

    @property
    def progress(self) -> int:
        if self.state == ExportState.DONE:
            return 100
        return min(99, self.rows_written * 100 // self.row_count) if self.row_count else 0

    @property
    def filename(self) -> str:
        """改造项目_20240531.xlsx: the list's name and the day it was asked for."""
        from django.utils import timezone

        return f"{self.filename_stem}_{timezone.localtime(self.requested_at):%Y%m%d}.xlsx"
