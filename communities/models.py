from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .choices import Consent, StructureType

_AREA = {"max_digits": 12, "decimal_places": 2, "null": True, "blank": True,
         "validators": [MinValueValidator(Decimal("0"))]}
_YEAR = {"null": True, "blank": True, "validators": [MinValueValidator(1900), MaxValueValidator(2100)]}
# None means "not surveyed yet": the eligibility rules report 资料不全 instead of guessing.
_FACT = {"null": True, "blank": True, "default": None}


def _nonneg(field: str, label: str):
    return models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": 0}),
        name=f"%(app_label)s_%(class)s_{field}_nonneg",
        violation_error_message=f"{label}不能为负数。",
    )


def _year_range(field: str):
    return models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": 1900, f"{field}__lte": 2100}),
        name=f"%(app_label)s_%(class)s_{field}_range",
        violation_error_message="建成年份应在 1900 至 2100 之间。",
    )


class Town(models.Model):
    """A town (乡镇) whose surveyors report its compounds; 乌兰镇 is the county seat."""

    county = models.CharField("县（区）", max_length=40, default="靖远县")
    name = models.CharField("乡镇名称", max_length=40)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "乡镇"
        verbose_name_plural = "乡镇"
        ordering = ["county", "name"]
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="%(app_label)s_%(class)s_unique_name",
                                    violation_error_message="同一县内乡镇名称不能重复。"),
        ]

    def __str__(self):
        return self.name


class Community(models.Model):
    """A residents' community (社区) within a town, e.g. 东街社区."""

    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="communities", verbose_name="乡镇")
    name = models.CharField("社区名称", max_length=40)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "社区"
        verbose_name_plural = "社区"
        ordering = ["town", "name"]
        constraints = [
            models.UniqueConstraint(fields=["town", "name"], name="%(app_label)s_%(class)s_unique_name",
                                    violation_error_message="同一乡镇内社区名称不能重复。"),
        ]

    def __str__(self):
        return self.name


class Compound(models.Model):
    """A residential compound (小区) as surveyed: its facts, deficits and exclusions.

    The deficit and exclusion facts are the inputs of the eligibility rules (work plan 三); each is
    yes / no / unknown, and unknown stays unknown until a survey says otherwise.
    """

    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="compounds", verbose_name="乡镇")
    community = models.ForeignKey(Community, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="compounds", verbose_name="所属社区")
    name = models.CharField("小区名称", max_length=100)
    address = models.CharField("详细地址", max_length=200, blank=True)
    owner_work_unit = models.CharField("产权单位", max_length=100, blank=True)
    build_year = models.PositiveSmallIntegerField("建成年份", help_text="最早楼栋的建成年份", **_YEAR)
    land_area_m2 = models.DecimalField("占地面积(㎡)", **_AREA)
    building_count = models.PositiveIntegerField("楼栋数", null=True, blank=True)
    household_count = models.PositiveIntegerField("户数", null=True, blank=True)
    floor_area_m2 = models.DecimalField("建筑面积(㎡)", **_AREA)

    # 三(二)1: pipelines aged or not metered per household
    water_drainage_aged = models.BooleanField("供排水管线老化", **_FACT)
    power_aged = models.BooleanField("供电线路老化", **_FACT)
    heating_aged = models.BooleanField("供暖管网老化", **_FACT)
    not_metered_per_household = models.BooleanField("未实现一户一表", **_FACT)
    # 三(二)2: public facilities, roads, gas, telecom
    public_facilities_lacking = models.BooleanField("公共设施缺失或失修", **_FACT)
    roads_damaged = models.BooleanField("道路破损严重", **_FACT)
    no_natural_gas = models.BooleanField("未通天然气", **_FACT)
    gas_or_telecom_needs_work = models.BooleanField("供气或通信管线需改造", **_FACT)
    # 三(二)3: renovated recently (改扩翻, 三供一业) but not covering everything
    recently_renovated = models.BooleanField("近年已改造(三供一业等)", **_FACT)
    renovated_content = models.TextField("已改造内容", blank=True)
    # Exclusions and no-double-subsidy facts (三(一), 三(二))
    in_shantytown_plan = models.BooleanField("列入棚户区改造计划", **_FACT)
    other_fiscal_support = models.BooleanField("享受其他财政支持", **_FACT)
    already_renovated = models.BooleanField("已完成改造", **_FACT)
    fit_for_demolition = models.BooleanField("宜整体拆除重建", **_FACT)

    planned_content = models.TextField("拟改造内容", blank=True)
    notes = models.TextField("备注", blank=True)
    named_in_plan = models.BooleanField("工作方案点名", default=False,
                                        help_text="工作方案四(一)中列名的小区")
    is_demo = models.BooleanField("演示数据", default=False, db_index=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "小区"
        verbose_name_plural = "小区"
        ordering = ["town", "name"]
        constraints = [
            models.UniqueConstraint(fields=["town", "name"], name="%(app_label)s_%(class)s_unique_name",
                                    violation_error_message="同一乡镇内小区名称不能重复。"),
            _year_range("build_year"),
            _nonneg("land_area_m2", "占地面积"),
            _nonneg("floor_area_m2", "建筑面积"),
        ]

    def __str__(self):
        return self.name


class Building(models.Model):
    """A building (楼栋) of a compound, numbered as residents know it (e.g. 2号楼)."""

    compound = models.ForeignKey(Compound, on_delete=models.CASCADE, related_name="buildings",
                                 verbose_name="小区")
    number = models.CharField("楼栋号", max_length=30)
    build_year = models.PositiveSmallIntegerField("建成年份", **_YEAR)
    floors = models.PositiveSmallIntegerField("层数", null=True, blank=True)
    units = models.PositiveSmallIntegerField("单元数", null=True, blank=True)
    household_count = models.PositiveIntegerField("户数", null=True, blank=True)
    floor_area_m2 = models.DecimalField("建筑面积(㎡)", **_AREA)
    structure_type = models.CharField("结构类型", max_length=20, choices=StructureType.choices, blank=True)
    has_lift = models.BooleanField("有无电梯", **_FACT)
    joined_to_renovation_compound = models.BooleanField("与改造小区紧密相连", **_FACT)
    notes = models.TextField("备注", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "楼栋"
        verbose_name_plural = "楼栋"
        ordering = ["compound", "number"]
        constraints = [
            models.UniqueConstraint(fields=["compound", "number"],
                                    name="%(app_label)s_%(class)s_unique_number",
                                    violation_error_message="同一小区内楼栋号不能重复。"),
            _year_range("build_year"),
            _nonneg("floor_area_m2", "建筑面积"),
        ]

    def __str__(self):
        return f"{self.compound.name} {self.number}"


class Household(models.Model):
    """A household (住户) in a building, with its survey answers.

    Holds personal data (户主姓名, 联系电话): pages show it only to roles that need it.
    """

    building = models.ForeignKey(Building, on_delete=models.CASCADE, related_name="households",
                                 verbose_name="楼栋")
    unit = models.CharField("单元", max_length=20)
    room = models.CharField("房号", max_length=20)
    head_name = models.CharField("户主姓名", max_length=40, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    floor_area_m2 = models.DecimalField("建筑面积(㎡)", **_AREA)
    renovation_consent = models.CharField("改造意愿", max_length=10, choices=Consent.choices,
                                          default=Consent.UNDECIDED)
    lift_consent = models.CharField("加装电梯意愿", max_length=10, choices=Consent.choices,
                                    default=Consent.UNDECIDED)
    willing_to_contribute = models.BooleanField("愿意出资", **_FACT)
    notes = models.TextField("备注", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "住户"
        verbose_name_plural = "住户"
        ordering = ["building", "unit", "room"]
        constraints = [
            models.UniqueConstraint(fields=["building", "unit", "room"],
                                    name="%(app_label)s_%(class)s_unique_room",
                                    violation_error_message="同一楼栋内单元和房号不能重复。"),
            _nonneg("floor_area_m2", "建筑面积"),
            models.CheckConstraint(condition=Q(renovation_consent__in=Consent.values),
                                   name="%(app_label)s_%(class)s_renovation_consent_valid",
                                   violation_error_message="改造意愿只能是同意、不同意或未表态。"),
            models.CheckConstraint(condition=Q(lift_consent__in=Consent.values),
                                   name="%(app_label)s_%(class)s_lift_consent_valid",
                                   violation_error_message="加装电梯意愿只能是同意、不同意或未表态。"),
        ]

    def __str__(self):
        return f"{self.building} {self.unit}-{self.room}"


