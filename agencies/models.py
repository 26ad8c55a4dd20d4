from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history import register as simple_history_register
from simple_history.models import HistoricalRecords

from .choices import AgencyKind, Role, SeatRole


class Agency(models.Model):
    """A body with duties in the programme: a county department, 乌兰镇, a utility or company."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("单位名称", max_length=100, unique=True)
    short_name = models.CharField("简称", max_length=40, blank=True, help_text="工作方案职责分工中使用的名称")
    kind = models.CharField("类别", max_length=20, choices=AgencyKind.choices)
    order = models.PositiveSmallIntegerField("排序", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["order", "id"]

    def __str__(self):
        return self.name


class LeadingGroupSeat(models.Model):
    """One seat of the programme's leading group (附件), as the work plan lists it.

    The 自然资源局 head is unnamed in the document: the seat exists and its person stays empty.
    The office director (办公室主任) is a member who also runs the office, so it is a flag on that
    member's seat, not a 34th seat.
    """

    programme = models.ForeignKey("projects.Programme", on_delete=models.CASCADE, related_name="seats",
                                  verbose_name="改造计划")
    order = models.PositiveSmallIntegerField("序号")
    role = models.CharField("职务", max_length=10, choices=SeatRole.choices)
    person_name = models.CharField("姓名", max_length=20, blank=True, help_text="文件未列姓名时留空")
    title = models.CharField("职务全称", max_length=100)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="seats",
                               verbose_name="所在单位")
    is_office_director = models.BooleanField("兼任办公室主任", default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "领导小组成员"
        verbose_name_plural = "领导小组成员"
        ordering = ["programme", "order"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "order"],
                                    name="%(app_label)s_%(class)s_unique_order",
                                    violation_error_message="同一改造计划的领导小组序号不能重复。"),
            models.UniqueConstraint(fields=["programme"], condition=Q(role="leader"),
                                    name="%(app_label)s_%(class)s_one_leader",
                                    violation_error_message="领导小组只能有一名组长。"),
            models.UniqueConstraint(fields=["programme"], condition=Q(is_office_director=True),
                                    name="%(app_label)s_%(class)s_one_office_director",
                                    violation_error_message="领导小组办公室只能有一名主任。"),
        ]

    def __str__(self):
        return f"{self.get_role_display()} {self.person_name or '（未列姓名）'} {self.title}"


class Duty(models.Model):
    """One duty an agency holds under the annex's 职责分工, kept as a separate trackable record."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="duties",
                               verbose_name="责任单位")
    order = models.PositiveSmallIntegerField("序号")
    text = models.TextField("职责内容")
    source = models.CharField("依据", max_length=60, default="附件 职责分工")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "职责"
        verbose_name_plural = "职责"
        ordering = ["agency__order", "order"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "order"], name="%(app_label)s_%(class)s_unique_order",
                                    violation_error_message="同一单位的职责序号不能重复。"),
        ]

    def __str__(self):
        return f"{self.agency.short_name or self.agency.name}：{self.text[:30]}"


class UserProfile(models.Model):
    """What ties a user account to the programme: the town a surveyor works in, a liaison's agency."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile",
                                verbose_name="用户")
    town = models.ForeignKey("communities.Town", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="user_profiles", verbose_name="所属乡镇")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="user_profiles", verbose_name="所属单位")
    phone = models.CharField("联系电话", max_length=20, blank=True)
    is_demo = models.BooleanField("演示数据", default=False)
    # Set on demo accounts (their password is public) and after a staff reset; with DEBUG off the
    # middleware (agencies.middleware) sends the user to change it before any other page.
    must_change_password = models.BooleanField("须修改密码", default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "用户资料"
        verbose_name_plural = "用户资料"

    def __str__(self):
        return str(self.user)


class RoleChange(models.Model):
    """One change of an account's role, town or agency: who changed it, when, from what to what.

    The role is a group membership, which simple-history does not track, so each change made through
    the account pages (agencies.services) is written here explicitly; a new account's first row has an
    empty "old" side."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_changes",
                             verbose_name="账号")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name="操作人")
    changed_at = models.DateTimeField("时间", default=timezone.now)
    old_role = models.CharField("原角色", max_length=20, choices=Role.choices, blank=True)
    new_role = models.CharField("新角色", max_length=20, choices=Role.choices, blank=True)
    old_scope = models.CharField("原乡镇/单位", max_length=100, blank=True)
    new_scope = models.CharField("新乡镇/单位", max_length=100, blank=True)

    class Meta:
        verbose_name = "角色变更"
        verbose_name_plural = "角色变更"
        ordering = ["-changed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~(Q(old_role=models.F("new_role")) & Q(old_scope=models.F("new_scope"))),
                name="%(app_label)s_%(class)s_changes_something",
                violation_error_message="角色变更记录必须有实际变化。",
            ),
        ]

    def __str__(self):
        return f"{self.user}：{self.get_old_role_display() or '无'} → {self.get_new_role_display() or '无'}"


# Users' roles are their role groups (agencies.access): the accounts' history, group membership included,
# puts a role change in the change log (changelog) beside every other change. Passwords and login
# times are not history (a login is no change; changelog.signals keeps it from writing a row).
simple_history_register(get_user_model(), app="agencies", m2m_fields=["groups"],
                        excluded_fields=["password", "last_login"])
