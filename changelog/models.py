from django.conf import settings
from django.db import models

ACTIONS = (("+", "新建"), ("~", "修改"), ("-", "删除"))


class Change(models.Model):
    """One change to one record: a line of the change log (变更日志), pointing at the history row
    (django-simple-history) that holds the record as it was after the change.

    The history tables keep the values; this table keeps what the log filters and sorts by (when, who,
    which kind of record, which town, which project), so the log is one indexed query at any size and
    old → new is computed only for the rows shown.
    """

    object_type = models.CharField("对象类型", max_length=80,
                                   help_text="被修改记录的模型（app_label.model_name）")
    history_id = models.BigIntegerField("历史记录编号")
    object_id = models.BigIntegerField("对象编号")
    changed_at = models.DateTimeField("时间")
    action = models.CharField("操作", max_length=1, choices=ACTIONS)
    # The history tables keep users and parents without constraints (a deleted row keeps its past):
    # so does the log.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False,
                             null=True, blank=True, related_name="+", verbose_name="操作人")
    town = models.ForeignKey("communities.Town", on_delete=models.DO_NOTHING, db_constraint=False,
                             null=True, blank=True, related_name="+", verbose_name="乡镇")
    project = models.ForeignKey("projects.Project", on_delete=models.DO_NOTHING, db_constraint=False,
                                null=True, blank=True, related_name="+", verbose_name="项目")

    class Meta:
        verbose_name = "变更记录"
        verbose_name_plural = "变更日志"
        constraints = [
            models.UniqueConstraint(fields=["object_type", "history_id"],
                                    name="%(app_label)s_%(class)s_unique_history_row",
                                    violation_error_message="同一历史记录只能登记一次。"),
        ]
        indexes = [
            # The log, newest first, unfiltered: a page is an index scan.
            models.Index(fields=["-changed_at", "-id"], name="changelog_newest"),
            # The same, narrowed to one user, one kind of record, one town or one project.
            models.Index(fields=["user", "-changed_at", "-id"], name="changelog_by_user"),
            models.Index(fields=["object_type", "-changed_at", "-id"], name="changelog_by_type"),
            models.Index(fields=["town", "-changed_at", "-id"], name="changelog_by_town"),
            models.Index(fields=["project", "-changed_at", "-id"], name="changelog_by_project"),
        ]

    def __str__(self):
        return f"{self.object_type}#{self.object_id} {self.get_action_display()} {self.changed_at:%Y-%m-%d %H:%M}"
