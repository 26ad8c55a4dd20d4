from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length, Trim
from django.db.models.lookups import GreaterThan
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .choices import (
    Consent,
    CsvEncoding,
    DemolitionJudgement,
    LeftOutItem,
    ReviewStatus,
    StructureType,
    SurveyFileFormat,
    SurveySheet,
    SurveyUploadState,
    Verdict,
    VerificationDecision,
)

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
    # 三(二)2: public facilities, roads, gas (未通天然气或供气…需改造), telecom (通信管线需改造): gas and
    # telecom are two facts, and only gas counts as 气 for the 水、电、路、气 priority and 能改即改.
    public_facilities_lacking = models.BooleanField("公共设施缺失或失修", **_FACT)
    roads_damaged = models.BooleanField("道路破损严重", **_FACT)
    no_natural_gas = models.BooleanField("未通天然气", **_FACT)
    gas_supply_needs_work = models.BooleanField("供气管线需改造", **_FACT)
    telecom_needs_work = models.BooleanField("通信管线需改造", **_FACT)
    # Set when both facts came from the old combined column 供气或通信管线需改造 (a workbook or a row
    # from before the split): the value may be true of only one of them, so staff check it.
    # db_default (here and below): bulk loaders (generate_synthetic's COPY) insert rows without naming them.
    gas_telecom_to_review = models.BooleanField(
        "供气/通信待核实", default=False, db_default=False,
        help_text="来自旧表合并列「供气或通信管线需改造」，两项取同一值，请核实后取消勾选")
    # 三(二)3: renovated recently (改扩翻, 三供一业); qualifies only with a left-out item recorded as needed
    recently_renovated = models.BooleanField("近年已改造(三供一业等)", **_FACT)
    renovation_left_out = models.CharField(
        "改造未涉及内容", max_length=100, blank=True, default="", db_default="",
        help_text="三(二)3：近年改造未涉及、现需改造的内容，可填 养老扶幼、无障碍设施、便民市场、加装电梯、"
                  "垃圾处理设施、供气、通信、建筑节能，用“、”分隔")
    renovated_content = models.TextField("已改造内容", max_length=2000, blank=True)
    # Exclusions and no-double-subsidy facts (三(一), 三(二))
    in_shantytown_plan = models.BooleanField("列入棚户区改造计划", **_FACT)
    other_fiscal_support = models.BooleanField("享受其他财政支持", **_FACT)
    already_renovated = models.BooleanField("已完成改造", **_FACT)
    # Judged at the on-site verification (六(一)), recorded by services.verification_record.
    fit_for_demolition = models.BooleanField("宜整体拆除重建", **_FACT)

    # Changed only by services.compound_review_status_set, so every step is in the history with its user.
    # db_default too: bulk loaders (generate_synthetic's COPY) insert compounds without naming this column.
    review_status = models.CharField("审核状态", max_length=12, choices=ReviewStatus.choices,
                                     default=ReviewStatus.SURVEYED, db_default=ReviewStatus.SURVEYED,
                                     editable=False)
    planned_content = models.TextField("拟改造内容", max_length=2000, blank=True)
    notes = models.TextField("备注", max_length=2000, blank=True)
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
            models.CheckConstraint(condition=Q(review_status__in=ReviewStatus.values),
                                   name="%(app_label)s_%(class)s_review_status_valid",
                                   violation_error_message="审核状态只能是未调查、已摸底调查、已现场审核认定或已报县政府。"),
        ]
        indexes = [
            # The review queue's "reviewed or not" filter.
            models.Index(fields=["review_status"], name="communities_compound_review"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        items = [item for item in (self.renovation_left_out or "").split("、") if item]
        unknown = [item for item in items if item not in LeftOutItem.values]
        if unknown:
            raise ValidationError({"renovation_left_out": (
                f"「{'、'.join(unknown)}」不是三(二)3 所列内容；只能填 {'、'.join(LeftOutItem.values)}，用“、”分隔。")})


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
    notes = models.TextField("备注", max_length=2000, blank=True)
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
    notes = models.TextField("备注", max_length=2000, blank=True)
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
        return f"{self.building} {self.unit_and_room}"

    @property
    def unit_and_room(self) -> str:
        """「1单元 101」 whether the survey wrote the unit as 「1」 or 「1单元」."""
        unit = self.unit if self.unit.endswith("单元") else f"{self.unit}单元"
        return f"{unit} {self.room}"




def _not_blank(field: str, message: str):
    return models.CheckConstraint(
        condition=GreaterThan(Length(Trim(field)), 0),
        name=f"%(app_label)s_%(class)s_{field}_not_blank",
        violation_error_message=message,
    )


def _ratio(field: str, label: str):
    return models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": 0, f"{field}__lte": 1}),
        name=f"%(app_label)s_%(class)s_{field}_ratio",
        violation_error_message=f"{label}应在 0 至 1 之间。",
    )


_RATIO = {"max_digits": 5, "decimal_places": 4, "null": True, "blank": True}


class CompoundAssessment(models.Model):
    """A compound's current eligibility verdict (三、认定标准) with the reasons it rests on.

    Written only by services.compound_assess, which recomputes it from the facts whenever they change
    and saves only when the outcome differs, so the history is the list of verdict changes.
    """

    compound = models.OneToOneField(Compound, on_delete=models.CASCADE, related_name="assessment",
                                    verbose_name="小区")
    verdict = models.CharField("认定结论", max_length=12, choices=Verdict.choices)
    central_subsidy_allowed = models.BooleanField("可申报中央补助", null=True, blank=True,
                                                  help_text="空表示资料不全，尚无法判断")
    priority = models.PositiveSmallIntegerField("优先度", default=0)
    priority_parts = models.JSONField("优先度构成", default=dict, blank=True)
    households_total = models.PositiveIntegerField("调查户数", default=0)
    households_consenting = models.PositiveIntegerField("同意改造户数", default=0)
    area_total_m2 = models.DecimalField("调查建筑面积(㎡)", **_AREA)
    area_consenting_m2 = models.DecimalField("同意改造建筑面积(㎡)", **_AREA)
    consent_by_households = models.DecimalField("改造意愿（按户）", **_RATIO)
    consent_by_area = models.DecimalField("改造意愿（按面积）", **_RATIO)
    consent_meets_threshold = models.BooleanField("改造意愿达到门槛", null=True, blank=True)
    lift_consent_by_households = models.DecimalField("加装电梯意愿（按户）", **_RATIO)
    lift_consent_by_area = models.DecimalField("加装电梯意愿（按面积）", **_RATIO)
    lift_consent_meets_threshold = models.BooleanField("加装电梯意愿达到双三分之二", null=True, blank=True)
    # 三(一): too new, but a building of it is surveyed as 与改造小区紧密相连 and no exception is recorded yet.
    relaxation_candidate = models.BooleanField("可申请放宽认定", default=False)
    reasons = models.JSONField("认定理由", default=list, blank=True)
    missing_facts = models.JSONField("缺少的资料", default=list, blank=True)
    cutoff_year = models.PositiveSmallIntegerField("认定年限（早于）")
    updated_at = models.DateTimeField("认定时间", default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "认定结果"
        verbose_name_plural = "认定结果"
        ordering = ["-priority", "compound"]
        constraints = [
            models.CheckConstraint(condition=Q(verdict__in=Verdict.values),
                                   name="%(app_label)s_%(class)s_verdict_valid",
                                   violation_error_message="认定结论只能是符合改造条件、放宽认定、不符合、资料不全或待现场审核认定。"),
            models.CheckConstraint(condition=Q(households_consenting__lte=models.F("households_total")),
                                   name="%(app_label)s_%(class)s_consenting_within_total",
                                   violation_error_message="同意改造户数不能多于调查户数。"),
            models.CheckConstraint(
                condition=Q(area_consenting_m2__isnull=True) | Q(area_total_m2__isnull=True)
                | Q(area_consenting_m2__lte=models.F("area_total_m2")),
                name="%(app_label)s_%(class)s_area_within_total",
                violation_error_message="同意改造建筑面积不能大于调查建筑面积。"),
            _ratio("consent_by_households", "改造意愿（按户）"),
            _ratio("consent_by_area", "改造意愿（按面积）"),
            _ratio("lift_consent_by_households", "加装电梯意愿（按户）"),
            _ratio("lift_consent_by_area", "加装电梯意愿（按面积）"),
        ]
        indexes = [
            # The review queue filters by verdict and sorts by priority.
            models.Index(fields=["verdict", "-priority"], name="communities_assess_verdict"),
            models.Index(fields=["-priority"], name="communities_assess_priority"),
        ]

    def __str__(self):
        return f"{self.compound}：{self.get_verdict_display()}"


class EligibilityRelaxation(models.Model):
    """A recorded exception (放宽认定, 三(一)): a compound or building built after the cut-off year but
    closely joined to a compound with renovation work, whose residents strongly want it included.

    Only a row here, with its reason and approver, lets the rules admit such a compound.
    """

    compound = models.ForeignKey(Compound, on_delete=models.CASCADE, related_name="relaxations",
                                 verbose_name="小区")
    building = models.ForeignKey(Building, on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="relaxations", verbose_name="楼栋", help_text="整个小区放宽时留空")
    # The three conditions of 三(一), each recorded (None: a row recorded before they were asked for,
    # which admits nothing until completed).
    joined_to = models.CharField("紧密相连的改造小区（楼宇）", max_length=100, blank=True,
                                 help_text="与之紧密相连、有改造任务的小区或楼宇")
    closely_joined = models.BooleanField("与有改造任务的小区（楼宇）紧密相连", null=True, blank=True)
    residents_strongly_want = models.BooleanField("居民改造意愿强烈", null=True, blank=True)
    renovation_necessary = models.BooleanField("有改造必要", null=True, blank=True)
    reason = models.TextField("放宽理由", max_length=2000, help_text="说明与哪个改造小区（楼宇）紧密相连、居民意愿如何")
    approver = models.CharField("批准人", max_length=60)
    approved_on = models.DateField("批准日期")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name="录入人")
    recorded_at = models.DateTimeField("录入时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "放宽认定例外"
        verbose_name_plural = "放宽认定例外"
        ordering = ["compound", "approved_on", "id"]
        constraints = [
            _not_blank("reason", "放宽认定必须写明理由。"),
            _not_blank("approver", "放宽认定必须写明批准人。"),
            # 三(一): a relaxation is the three conditions together; a recorded "no" is no relaxation.
            *(models.CheckConstraint(condition=Q(**{f"{name}__isnull": True}) | Q(**{name: True}),
                                     name=f"%(app_label)s_%(class)s_{name}_holds",
                                     violation_error_message=f"放宽认定须满足三(一)：{label}。")
              for name, label in (("closely_joined", "与有改造任务的小区（楼宇）紧密相连"),
                                  ("residents_strongly_want", "居民改造意愿强烈"),
                                  ("renovation_necessary", "有改造必要"))),
        ]

    def __str__(self):
        target = self.building.number if self.building_id else "整个小区"
        return f"{self.compound} {target} 放宽认定"

    @property
    def conditions_met(self) -> bool:
        """All three conditions of 三(一) recorded as met."""
        return bool(self.closely_joined and self.residents_strongly_want and self.renovation_necessary)

    def clean(self):
        self.reason = (self.reason or "").strip()
        self.approver = (self.approver or "").strip()
        errors = {}
        if not self.reason:
            errors["reason"] = "放宽认定必须写明理由。"
        if not self.approver:
            errors["approver"] = "放宽认定必须写明批准人。"
        self.joined_to = (self.joined_to or "").strip()
        if not self.joined_to:
            errors["joined_to"] = "请写明与之紧密相连、有改造任务的小区（楼宇）（三(一)）。"
        for name, label in (("closely_joined", "与有改造任务的小区（楼宇）紧密相连"),
                            ("residents_strongly_want", "居民改造意愿强烈"), ("renovation_necessary", "有改造必要")):
            if getattr(self, name) is not True:
                errors[name] = f"放宽认定须满足三(一)：{label}。不满足的不能放宽。"
        if self.building_id and self.compound_id and self.building.compound_id != self.compound_id:
            errors["building"] = "楼栋不属于该小区。"
        if self.approved_on and self.approved_on > timezone.localdate():
            errors["approved_on"] = "批准日期不能晚于今天。"
        if errors:
            raise ValidationError(errors)


class SiteVerification(models.Model):
    """One on-site verification (现场审核认定, 六): who from the housing bureau went, when, with whom
    from the town, the 社区 and the design institute, and what they decided."""

    compound = models.ForeignKey(Compound, on_delete=models.CASCADE, related_name="verifications",
                                 verbose_name="小区")
    verified_on = models.DateField("审核日期")
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="住建局审核人")
    town_participant = models.CharField("乡镇参加人", max_length=100)
    community_participant = models.CharField("社区参加人", max_length=100)
    design_institute = models.CharField("设计单位及参加人", max_length=100)
    decision = models.CharField("审核结论", max_length=12, choices=VerificationDecision.choices)
    # 三(一) 不宜整体拆除重建 is judged here (六(一)), not by the surveyor; blank: not judged this visit.
    demolition_judgement = models.CharField("是否宜整体拆除重建", max_length=8, choices=DemolitionJudgement.choices,
                                            blank=True, help_text="三(一)：现场审核认定（六(一)）时判断")
    notes = models.TextField("审核意见", max_length=2000, blank=True)
    recorded_at = models.DateTimeField("录入时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "现场审核认定"
        verbose_name_plural = "现场审核认定"
        ordering = ["compound", "-verified_on", "-id"]
        get_latest_by = ["verified_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(decision__in=VerificationDecision.values),
                                   name="%(app_label)s_%(class)s_decision_valid",
                                   violation_error_message="审核结论只能是确认列入改造、不予列入或需补充资料。"),
            _not_blank("town_participant", "请填写乡镇参加人。"),
            _not_blank("community_participant", "请填写社区参加人。"),
            _not_blank("design_institute", "请填写设计单位及参加人。"),
        ]

    def __str__(self):
        return f"{self.compound} {self.verified_on} {self.get_decision_display()}"

    def clean(self):
        for name in ("town_participant", "community_participant", "design_institute"):
            setattr(self, name, (getattr(self, name) or "").strip())
        if self.verified_on and self.verified_on > timezone.localdate():
            raise ValidationError({"verified_on": "审核日期不能晚于今天。"})


def _survey_upload_path(instance, filename):
    # The stored name is the content hash: the user's file name may hold anything.
    return f"surveys/{instance.town_id}/{instance.sha256[:2]}/{instance.sha256}"


class SurveyUpload(models.Model):
    """One survey file (摸底调查表) a surveyor or staff member uploaded for a town, kept as sent.

    Holds the original file, its hash, who sent it, what the check found (per-sheet counts and
    every error) and, once confirmed, what the import wrote.
    """

    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="survey_uploads", verbose_name="乡镇")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="survey_uploads", verbose_name="上传人")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    original_file = models.FileField("原始文件", upload_to=_survey_upload_path, max_length=200)
    original_name = models.CharField("文件名", max_length=200)
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    size_bytes = models.PositiveBigIntegerField("文件大小（字节）")
    file_format = models.CharField("文件格式", max_length=10, choices=SurveyFileFormat.choices, blank=True)
    csv_sheet = models.CharField("CSV 对应工作表", max_length=12, choices=SurveySheet.choices, blank=True)
    csv_encoding = models.CharField("CSV 编码", max_length=10, choices=CsvEncoding.choices, blank=True)
    state = models.CharField("状态", max_length=10, choices=SurveyUploadState.choices,
                             default=SurveyUploadState.CHECKING)
    data_rows = models.PositiveIntegerField("数据行数（估计）", default=0)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    counts = models.JSONField("各表新增/更新/不变", default=dict, blank=True)
    errors = models.JSONField("错误与提示", default=list, blank=True)
    # The preview's first rows of each sheet as the check read them (issue 17): headers and shown values.
    sample = models.JSONField("样例行", default=list, blank=True)
    error_count = models.PositiveIntegerField("错误数", default=0)
    warning_count = models.PositiveIntegerField("提示数", default=0)
    task_id = models.CharField("后台任务", max_length=64, blank=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name="确认导入人")
    imported_at = models.DateTimeField("导入时间", null=True, blank=True)
    # The error list can be long and progress changes often: history keeps the state changes only.
    history = HistoricalRecords(excluded_fields=["errors", "progress", "counts", "sample"])

    class Meta:
        verbose_name = "摸底调查上传"
        verbose_name_plural = "摸底调查上传"
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="%(app_label)s_%(class)s_progress_range",
                                   violation_error_message="进度应在 0 至 100 之间。"),
        ]
        indexes = [
            # The upload history page: one town's uploads, newest first.
            models.Index(fields=["town", "-uploaded_at"], name="survey_upload_town_time"),
        ]

    def __str__(self):
        return f"{self.town} {self.original_name}（{self.uploaded_at:%Y-%m-%d %H:%M}）"

    @property
    def is_busy(self) -> bool:
        return self.state in (SurveyUploadState.CHECKING, SurveyUploadState.IMPORTING)


class TownTotals(models.Model):
    """What is recorded in one town, real and demo apart: a stored aggregate the home page and the
    dashboard read instead of counting every household on each request.

    Kept in step by communities.totals.town_totals_refresh, which every service that adds, removes or
    changes compounds, buildings or households calls inside its transaction (survey import, the
    programme and demo loaders, the synthetic generator, compound edits).
    """

    town = models.ForeignKey(Town, on_delete=models.CASCADE, related_name="totals", verbose_name="乡镇")
    is_demo = models.BooleanField("演示数据")
    compounds = models.PositiveIntegerField("小区个数", default=0)
    compounds_with_floor_area = models.PositiveIntegerField("已填建筑面积的小区个数", default=0)
    floor_area_m2 = models.DecimalField("建筑面积合计(㎡)", max_digits=16, decimal_places=2, default=Decimal("0"))
    buildings = models.PositiveIntegerField("楼栋数", default=0)
    households = models.PositiveIntegerField("户数", default=0)
    # The compounds by eligibility verdict (Verdict), and those not assessed: the review queue's and the
    # dashboard's counts. They add up to `compounds` (a constraint).
    eligible = models.PositiveIntegerField("符合改造条件", default=0)
    relaxed = models.PositiveIntegerField("放宽认定", default=0)
    ineligible = models.PositiveIntegerField("不符合", default=0)
    incomplete = models.PositiveIntegerField("资料不全", default=0)
    pending_site = models.PositiveIntegerField("待现场审核认定", default=0)
    not_assessed = models.PositiveIntegerField("未评估", default=0)
    refreshed_at = models.DateTimeField("统计时间", default=timezone.now)

    class Meta:
        verbose_name = "乡镇录入合计"
        verbose_name_plural = "乡镇录入合计"
        constraints = [
            models.UniqueConstraint(fields=["town", "is_demo"], name="%(app_label)s_%(class)s_unique_town"),
            models.CheckConstraint(condition=Q(floor_area_m2__gte=0), name="%(app_label)s_%(class)s_area_nonneg"),
            models.CheckConstraint(condition=Q(compounds_with_floor_area__lte=models.F("compounds")),
                                   name="%(app_label)s_%(class)s_with_area_le_compounds"),
            models.CheckConstraint(
                condition=Q(compounds=models.F("eligible") + models.F("relaxed") + models.F("ineligible")
                            + models.F("incomplete") + models.F("pending_site") + models.F("not_assessed")),
                name="%(app_label)s_%(class)s_verdicts_add_up"),
        ]

    def __str__(self):
        return f"{self.town}（{'演示' if self.is_demo else '真实'}）"


class CompoundMerge(models.Model):
    """拆墙连片 (二(四), 五): an adjacent or nearby compound (absorbed) merged into another (managed), so
    the two are renovated and managed as one compound (整合成为一个小区，统一管理).

    Both compounds stay as they are, with their own surveys, buildings, households, verdicts and change
    history; this row (with its own history) records the merge, why, who and when. A compound is merged
    into at most one other, and a compound that was merged cannot in turn receive others.
    """

    CLAUSE = "二(四)、五"

    absorbed = models.OneToOneField(Compound, on_delete=models.PROTECT, related_name="merged_into",
                                    verbose_name="并入的小区")
    managed = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="merges_received",
                                verbose_name="统一管理的小区")
    reason = models.TextField("理由", help_text="如：两小区相邻，拆除中间围墙后统一实施改造、统一管理")
    clause = models.CharField("依据", max_length=40, default=CLAUSE, editable=False)
    merged_on = models.DateField("并入日期")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="记录人")
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "拆墙连片合并"
        verbose_name_plural = "拆墙连片合并"
        ordering = ["managed", "merged_on", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(absorbed=models.F("managed")),
                                   name="%(app_label)s_%(class)s_not_itself",
                                   violation_error_message="小区不能并入自身。"),
            models.CheckConstraint(condition=~Q(reason=""), name="%(app_label)s_%(class)s_reason_given",
                                   violation_error_message="请填写拆墙连片的理由。"),
        ]

    def __str__(self):
        return f"{self.absorbed}并入{self.managed}（拆墙连片）"
