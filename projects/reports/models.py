from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .choices import ReportKind, ReportState, ReportTrigger


class ReportRun(models.Model):
    """One request for a report (进度报告 or 资金报告) and what became of it: who asked, for which
    data cut-off, whether the worker built it, the file with its checksum, how long it took.

    Every run is kept, manual and scheduled alike. State moves only through projects.reports.services:
    the worker claims a queued run with a conditional UPDATE, so a task delivered twice builds once.
    """

    programme = models.ForeignKey(
        "projects.Programme", on_delete=models.PROTECT, related_name="report_runs", verbose_name="改造计划"
    )
    kind = models.CharField("报告", max_length=20, choices=ReportKind.choices)
    cutoff = models.DateField("数据截止日期")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="申请人",
        help_text="定时生成的报告为空",
    )
    is_demo = models.BooleanField("演示数据", default=False, help_text="按演示数据（示例/合成小区）生成")
    trigger = models.CharField("生成方式", max_length=20, choices=ReportTrigger.choices)
    state = models.CharField("状态", max_length=20, choices=ReportState.choices, default=ReportState.QUEUED)
    reason = models.TextField("失败原因", blank=True)
    file = models.FileField("文件", upload_to="reports/", blank=True, max_length=255)
    sha256 = models.CharField("SHA-256 校验值", max_length=64, blank=True)
    size_bytes = models.PositiveBigIntegerField("大小(字节)", null=True, blank=True)
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    duration_seconds = models.FloatField("用时(秒)", null=True, blank=True)
    progress = models.PositiveSmallIntegerField("进度(%)", default=0)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    task_id = models.CharField("任务编号", max_length=64, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "报告生成记录"
        verbose_name_plural = "报告生成记录"
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100),
                name="%(app_label)s_%(class)s_progress_range",
                violation_error_message="进度不能超过 100%。",
            ),
            models.CheckConstraint(
                condition=Q(state__in=ReportState.values),
                name="%(app_label)s_%(class)s_state_valid",
                violation_error_message="报告状态无效。",
            ),
            models.CheckConstraint(
                condition=~Q(state=ReportState.DONE) | (~Q(file="") & ~Q(sha256="")),
                name="%(app_label)s_%(class)s_done_has_file",
                violation_error_message="已完成的报告须有文件和校验值。",
            ),
            # A beat message delivered twice (or a beat restarted within the day) makes one run.
            models.UniqueConstraint(
                fields=["kind", "cutoff"],
                condition=Q(trigger=ReportTrigger.SCHEDULED),
                name="%(app_label)s_%(class)s_one_scheduled_per_day",
                violation_error_message="当天的定时报告已生成。",
            ),
        ]
        indexes = [
            # The sweeper: runs still queued or running, oldest first.
            models.Index(fields=["state", "started_at"], name="projects_reportrun_state"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}（截至 {self.cutoff:%Y-%m-%d}）#{self.pk}"

    @property
    def is_busy(self) -> bool:
        return self.state in (ReportState.QUEUED, ReportState.RUNNING)

    @property
    def stale_note(self) -> str:
        """What the list says of a run queued or running for longer than a build may take (REPORT_STALE_AFTER):
        its worker was probably killed, or none is running."""
        from django.utils import timezone

        if not self.is_busy:
            return ""
        since = self.started_at if self.state == ReportState.RUNNING else self.requested_at
        limit = settings.REPORT_STALE_AFTER
        if since is None or (timezone.now() - since).total_seconds() <= limit:
            return ""
        minutes = int((timezone.now() - since).total_seconds() // 60)
        return (f"已{self.get_state_display()} {minutes} 分钟，超过正常生成时间（{limit // 60} 分钟）："
                "后台处理进程可能已中断或未运行。后台服务恢复后会自动重新排队；"
                "如长时间无变化，请联系管理员检查后台服务，或重新生成。")

    @property
    def filename(self) -> str:
        """The name the download carries: 进度报告_截至20240531_#12.xlsx."""
        return f"{self.get_kind_display()}_截至{self.cutoff:%Y%m%d}_{self.pk}.xlsx"
