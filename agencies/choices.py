from django.db import models


class AgencyKind(models.TextChoices):
    GOVERNMENT = "government", "县人民政府"
    LEADING_GROUP = "leading_group", "领导小组"
    DEPARTMENT = "department", "政府部门"
    TOWN = "town", "乡镇"
    UTILITY = "utility", "管线单位"
    OTHER = "other", "其他单位"


class SeatRole(models.TextChoices):
    LEADER = "leader", "组长"
    DEPUTY = "deputy", "副组长"
    MEMBER = "member", "成员"


class Role(models.TextChoices):
    """The five roles of DOMAIN.md; each is a Django group of the same Chinese name."""

    STAFF = "staff", "住建局工作人员"
    SURVEYOR = "surveyor", "调查员"
    LEADER = "leader", "领导"
    LIAISON = "liaison", "部门联络员"
    AUDITOR = "auditor", "审计"
