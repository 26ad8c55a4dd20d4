from django.db import models


class ScopeCategory(models.TextChoices):
    """The four headings of work plan 五 (改造内容)."""

    HOUSING_REPAIR = "housing_repair", "房屋修缮改造"
    SUPPORTING_FACILITIES = "supporting_facilities", "完善配套设施"
    ENVIRONMENT = "environment", "环境综合整治"
    LONG_TERM_MANAGEMENT = "long_term_management", "长效管理"


class NationalClass(models.TextChoices):
    """国办发〔2020〕23号: every scope item is 基础类, 完善类 or 提升类; reports group by it."""

    BASIC = "basic", "基础类"
    IMPROVEMENT = "improvement", "完善类"
    UPGRADE = "upgrade", "提升类"
