from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from .choices import NationalClass, ScopeCategory


class Programme(models.Model):
    """A year's renovation programme as the county government issued it (e.g. 靖政发〔2023〕75号).

    Its targets are what the document promises; what is recorded so far is counted from the
    compounds, buildings and households, never stored here.
    """

    year = models.PositiveSmallIntegerField("年度", unique=True)
    document_number = models.CharField("文号", max_length=40, unique=True)
    title = models.CharField("文件名称", max_length=200)
    county = models.CharField("县（区）", max_length=40, default="靖远县")
    target_compounds = models.PositiveIntegerField("计划改造小区数")
    target_buildings = models.PositiveIntegerField("计划改造楼栋数")
    target_households = models.PositiveIntegerField("涉及住户数")
    target_floor_area_m2 = models.DecimalField("改造建筑面积(㎡)", max_digits=14, decimal_places=2,
                                               validators=[MinValueValidator(Decimal("0"))])
    target_budget_yuan = models.DecimalField("预算总投资(元)", max_digits=16, decimal_places=2,
                                             validators=[MinValueValidator(Decimal("0"))])
    ready_deadline = models.DateField("具备开工条件时限")
    ready_deadline_meaning = models.CharField("时限一含义", max_length=200)
    completion_deadline = models.DateField("全部完工时限")
    completion_deadline_meaning = models.CharField("时限二含义", max_length=200)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "改造计划"
        verbose_name_plural = "改造计划"
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(condition=Q(target_floor_area_m2__gte=0),
                                   name="%(app_label)s_%(class)s_area_nonneg",
                                   violation_error_message="改造建筑面积不能为负数。"),
            models.CheckConstraint(condition=Q(target_budget_yuan__gte=0),
                                   name="%(app_label)s_%(class)s_budget_nonneg",
                                   violation_error_message="预算总投资不能为负数。"),
            models.CheckConstraint(condition=Q(completion_deadline__gt=F("ready_deadline")),
                                   name="%(app_label)s_%(class)s_deadline_order",
                                   violation_error_message="全部完工时限必须晚于具备开工条件时限。"),
        ]

    def __str__(self):
        return f"{self.county}{self.year}年老旧小区改造（{self.document_number}）"

    @property
    def target_budget_wan(self) -> Decimal:
        """The budget in 万元, two places, as the document writes it (27018.02万元)."""
        return (self.target_budget_yuan / Decimal(10000)).quantize(Decimal("0.01"))

    @property
    def target_floor_area_wan_m2(self) -> Decimal:
        return (self.target_floor_area_m2 / Decimal(10000)).quantize(Decimal("0.01"))


class ScopeItem(models.Model):
    """One kind of renovation work in the catalog of work plan 五, with its national class and unit."""

    code = models.SlugField("代码", max_length=40, unique=True)
    category = models.CharField("改造类别", max_length=30, choices=ScopeCategory.choices)
    subcategory = models.CharField("子项", max_length=40, blank=True)
    name = models.CharField("改造内容", max_length=60)
    national_class = models.CharField("国家分类", max_length=20, choices=NationalClass.choices)
    unit = models.CharField("计量单位", max_length=20)
    is_water_power_road_gas = models.CharField(
        "水电路气", max_length=10, blank=True,
        choices=[("water", "水"), ("power", "电"), ("road", "路"), ("gas", "气")],
        help_text="中央补助项目须注重的水、电、路、气4项（五）",
    )
    clause = models.CharField("依据条款", max_length=40)
    order = models.PositiveSmallIntegerField("排序", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "改造内容目录"
        verbose_name_plural = "改造内容目录"
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["category", "name"], name="%(app_label)s_%(class)s_unique_name",
                                    violation_error_message="同一改造类别内改造内容不能重复。"),
        ]

    def __str__(self):
        return f"{self.name}（{self.get_national_class_display()}）"
