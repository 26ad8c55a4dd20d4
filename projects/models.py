from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from communities.choices import Verdict

from . import steps as step_catalog
from .choices import (
    NATIONAL_CLASS_NONE,
    NATIONAL_CLASS_UNLISTED,
    DocumentKind,
    FourItem,
    NationalClass,
    ScopeCategory,
    StepStatus,
    TaskStatus,
)
from .documents import CONTENT_TYPE_LABELS


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
    target_floor_area_m2 = models.DecimalField(
        "改造建筑面积(㎡)", max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    target_budget_yuan = models.DecimalField(
        "预算总投资(元)", max_digits=16, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
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
            models.CheckConstraint(
                condition=Q(target_floor_area_m2__gte=0),
                name="%(app_label)s_%(class)s_area_nonneg",
                violation_error_message="改造建筑面积不能为负数。",
            ),
            models.CheckConstraint(
                condition=Q(target_budget_yuan__gte=0),
                name="%(app_label)s_%(class)s_budget_nonneg",
                violation_error_message="预算总投资不能为负数。",
            ),
            models.CheckConstraint(
                condition=Q(completion_deadline__gt=F("ready_deadline")),
                name="%(app_label)s_%(class)s_deadline_order",
                violation_error_message="全部完工时限必须晚于具备开工条件时限。",
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.document_number}）"

    @property
    def name(self) -> str:
        """The programme's name as the document gives it, 城区 included: 靖远县2023年城区老旧小区改造."""
        return self.title.removesuffix("工作方案").strip() or f"{self.county}{self.year}年城区老旧小区改造"

    @property
    def target_budget_wan(self) -> Decimal:
        """The budget in 万元, two places, as the document writes it (27018.02万元)."""
        return (self.target_budget_yuan / Decimal(10000)).quantize(Decimal("0.01"))

    @property
    def target_floor_area_wan_m2(self) -> Decimal:
        return (self.target_floor_area_m2 / Decimal(10000)).quantize(Decimal("0.01"))


class ScopeItem(models.Model):
    """One kind of renovation work in the catalog of work plan 五, with its unit and its national class
    (国办发〔2020〕23号; the plan classes nothing; 五、4's management mechanisms have no class)."""

    code = models.SlugField("代码", max_length=40, unique=True)
    category = models.CharField("改造类别", max_length=30, choices=ScopeCategory.choices)
    subcategory = models.CharField("子项", max_length=40, blank=True)
    name = models.CharField("改造内容", max_length=60)
    national_class = models.CharField(
        "国家分类（国办发〔2020〕23号）",
        max_length=20,
        choices=NationalClass.choices,
        blank=True,
        help_text="国家指导意见的分类，非本方案条款；长效管理机制（五、4）不是改造内容，不分类",
    )
    unit = models.CharField("计量单位", max_length=20)
    is_water_power_road_gas = models.CharField(
        "水电路气",
        max_length=10,
        blank=True,
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
            models.UniqueConstraint(
                fields=["category", "name"],
                name="%(app_label)s_%(class)s_unique_name",
                violation_error_message="同一改造类别内改造内容不能重复。",
            ),
        ]

    def __str__(self):
        if self.national_class:
            return f"{self.name}（国家分类：{self.get_national_class_display()}）"
        return f"{self.name}（{self.national_class_label}）"

    @property
    def national_class_label(self) -> str:
        """The national class as shown to users, or why there is none."""
        if self.national_class:
            return self.get_national_class_display()
        if self.category == ScopeCategory.LONG_TERM_MANAGEMENT:
            return NATIONAL_CLASS_NONE
        return NATIONAL_CLASS_UNLISTED


_MONEY = {"max_digits": 14, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}


def _nonneg(field: str, label: str):
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": 0}),
        name=f"%(app_label)s_%(class)s_{field}_nonneg",
        violation_error_message=f"{label}不能为负数。",
    )


class Project(models.Model):
    """A renovation project (改造项目): one or more compounds (or phases of them) renovated together.

    Project and compound are separate things (六; Gansu packed 3454 compounds into 243 projects):
    which compounds and phases a project covers is in ProjectCompound.
    """

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="projects", verbose_name="改造计划"
    )
    code = models.SlugField(
        "项目编号", max_length=40, unique=True, error_messages={"unique": "项目编号已存在。"}
    )
    name = models.CharField("项目名称", max_length=120)
    compounds = models.ManyToManyField(
        "communities.Compound", through="ProjectCompound", related_name="projects", verbose_name="小区"
    )
    centrally_subsidised = models.BooleanField(
        "中央补助项目",
        default=False,
        help_text="已列入中央补助支持的项目，改造内容须注重水、电、路、气4项，能改即改（五）",
    )
    responsible_agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        related_name="responsible_projects",
        verbose_name="建设（责任）单位",
    )
    description = models.TextField("项目说明", blank=True)
    is_demo = models.BooleanField("演示数据", default=False, db_index=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "改造项目"
        verbose_name_plural = "改造项目"
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class ProjectCompound(models.Model):
    """One compound (or one phase of a compound's work) that a project covers."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="project_compounds", verbose_name="项目"
    )
    compound = models.ForeignKey(
        "communities.Compound", on_delete=models.PROTECT, related_name="project_phases", verbose_name="小区"
    )
    phase = models.PositiveSmallIntegerField("期次", default=1, validators=[MinValueValidator(1)])
    households = models.PositiveIntegerField(
        "涉及户数", default=0, help_text="本期改造涉及的住户数，统计开工、完工户数时使用"
    )
    # 三、认定标准 and 六(一): a compound ruled 不符合, 资料不全 or 待现场审核认定 enters a project only with
    # a reason (projects.admission_rules); the verdict it had then is kept beside the reason.
    admission_verdict = models.CharField(
        "列入时认定结论", max_length=12, choices=Verdict.choices, blank=True, default=""
    )
    admission_reason = models.TextField(
        "列入原因", blank=True, default="", help_text="小区认定为不符合、资料不全或待现场审核认定时必填"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "项目小区"
        verbose_name_plural = "项目小区"
        ordering = ["project", "compound__name", "phase"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "compound"],
                name="%(app_label)s_%(class)s_unique_compound",
                violation_error_message="该小区已在本项目中。",
            ),
            models.UniqueConstraint(
                fields=["compound", "phase"],
                name="%(app_label)s_%(class)s_unique_phase",
                violation_error_message="该小区的这一期已列入其他项目。",
            ),
            models.CheckConstraint(
                condition=Q(phase__gte=1),
                name="%(app_label)s_%(class)s_phase_positive",
                violation_error_message="期次从 1 开始。",
            ),
        ]

    def __str__(self):
        return f"{self.compound} 第{self.phase}期"


class StepFacts:
    """What a step's code and status say, shared by ProjectStep and the list's plain-value StepRow
    (projects.selectors): its catalogue entry, its name, whether it is done."""

    __slots__ = ()

    @property
    def definition(self) -> step_catalog.StepDef:
        return step_catalog.BY_CODE[self.code]

    @property
    def name(self) -> str:
        return step_catalog.name_of(self.code)

    @property
    def is_done(self) -> bool:
        return self.status == StepStatus.DONE

    @property
    def deadline_label(self) -> str:
        """Which deadline of 四(三) needs the step: 时限一 (before 施工), 时限二 (to 竣工验收), or none."""
        return {
            step_catalog.READY_GATE_KEY: "时限一",
            step_catalog.COMPLETION_GATE_KEY: "时限二",
        }.get(step_catalog.gate_of(self.code), "—")


class ProjectStep(StepFacts, models.Model):
    """One step of work plan 六 for one project: its plan, what actually happened and who is responsible."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="steps", verbose_name="项目")
    code = models.CharField("步骤", max_length=40, choices=step_catalog.CHOICES)
    order = models.PositiveSmallIntegerField("顺序")
    responsible_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="project_steps", verbose_name="责任单位"
    )
    planned_start = models.DateField("计划开始", null=True, blank=True)
    planned_end = models.DateField("计划完成", null=True, blank=True)
    actual_start = models.DateField("实际开始", null=True, blank=True)
    actual_end = models.DateField("实际完成", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=20, choices=StepStatus.choices, default=StepStatus.NOT_STARTED
    )
    notes = models.TextField("备注", blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "实施步骤"
        verbose_name_plural = "实施步骤"
        ordering = ["project", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "code"],
                name="%(app_label)s_%(class)s_unique_code",
                violation_error_message="同一项目的步骤不能重复。",
            ),
            models.CheckConstraint(
                condition=Q(planned_start__isnull=True)
                | Q(planned_end__isnull=True)
                | Q(planned_end__gte=F("planned_start")),
                name="%(app_label)s_%(class)s_planned_order",
                violation_error_message="计划完成日期不能早于计划开始日期。",
            ),
            models.CheckConstraint(
                condition=Q(actual_end__isnull=True)
                | (Q(actual_start__isnull=False) & Q(actual_end__gte=F("actual_start"))),
                name="%(app_label)s_%(class)s_actual_order",
                violation_error_message="实际完成日期须在实际开始日期之后（或同日）。",
            ),
            models.CheckConstraint(
                condition=(Q(status=StepStatus.DONE) & Q(actual_end__isnull=False))
                | (
                    Q(status=StepStatus.IN_PROGRESS)
                    & Q(actual_start__isnull=False)
                    & Q(actual_end__isnull=True)
                )
                | (
                    Q(status=StepStatus.NOT_STARTED)
                    & Q(actual_start__isnull=True)
                    & Q(actual_end__isnull=True)
                ),
                name="%(app_label)s_%(class)s_status_matches_dates",
                violation_error_message="步骤状态与实际日期不一致。",
            ),
        ]

    def __str__(self):
        return f"{self.project.code} {self.name}"



class ProjectDocument(models.Model):
    """An evidence document kept in a project's ledger (七(五)), with its checksum so it can be verified."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="documents", verbose_name="项目"
    )
    step = models.ForeignKey(
        ProjectStep,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name="所属步骤",
    )
    kind = models.CharField(
        "资料类别", max_length=20, choices=DocumentKind.choices, default=DocumentKind.OTHER
    )
    title = models.CharField("资料名称", max_length=200)
    file = models.FileField("文件", upload_to="projects/%Y/%m/")
    original_name = models.CharField("原文件名", max_length=255)
    content_type = models.CharField("文件类型", max_length=100, choices=list(CONTENT_TYPE_LABELS.items()))
    size_bytes = models.PositiveBigIntegerField("大小(字节)")
    sha256 = models.CharField("SHA-256 校验值", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="上传人"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "项目资料"
        verbose_name_plural = "项目资料"
        ordering = ["project", "-uploaded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "sha256"],
                name="%(app_label)s_%(class)s_unique_file",
                violation_error_message="本项目已上传过内容完全相同的文件。",
            ),
        ]

    def __str__(self):
        return self.title


class ProjectNote(models.Model):
    """A dated note in a project's ledger: a meeting, a call, a decision, a problem."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="project_notes", verbose_name="项目"
    )
    step = models.ForeignKey(
        ProjectStep,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="所属步骤",
    )
    text = models.TextField("内容")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="记录人"
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "台账备注"
        verbose_name_plural = "台账备注"
        ordering = ["project", "-created_at"]

    def __str__(self):
        return self.text[:30]


class AcceptanceRecord(models.Model):
    """The completion acceptance (竣工验收) of a project, 六(三)3.

    The builder organises it with planning, 发改, 财政, 住建 and the trade regulators; only a passed
    acceptance with its report lets the 竣工验收 step be completed.
    """

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="acceptance", verbose_name="项目"
    )
    accepted_on = models.DateField("验收日期")
    passed = models.BooleanField("验收合格", default=False)
    participants = models.TextField("参加单位", help_text="规划、发改、财政、住建及相关行业主管部门")
    report = models.ForeignKey(
        ProjectDocument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="竣工验收报告",
    )
    notes = models.TextField("验收意见", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="记录人"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "竣工验收记录"
        verbose_name_plural = "竣工验收记录"

    def __str__(self):
        return f"{self.project.code} 竣工验收 {self.accepted_on}"

    def clean(self):
        if self.report_id and self.report.project_id != self.project_id:
            raise ValidationError({"report": "验收报告须是本项目的资料。"})


class ScopeLine(models.Model):
    """One item of work (改造内容) for one compound of a project, with the Ministry's physical outputs."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="scope_lines", verbose_name="项目"
    )
    compound = models.ForeignKey(
        "communities.Compound", on_delete=models.PROTECT, related_name="scope_lines", verbose_name="小区"
    )
    scope_item = models.ForeignKey(
        ScopeItem, on_delete=models.PROTECT, related_name="lines", verbose_name="改造内容"
    )
    quantity = models.DecimalField(
        "工程量", max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    unit = models.CharField("单位", max_length=20)
    estimated_cost_yuan = models.DecimalField("估算投资(元)", **_MONEY)
    pipes_km = models.DecimalField(
        "改造管网(公里)",
        max_digits=10,
        decimal_places=3,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    lifts = models.PositiveIntegerField("加装电梯(部)", default=0)
    parking_spaces = models.PositiveIntegerField("增设停车位(个)", default=0)
    charging_piles = models.PositiveIntegerField("充电桩(个)", default=0)
    elderly_care_facilities = models.PositiveIntegerField("养老设施(处)", default=0)
    child_care_facilities = models.PositiveIntegerField("托育设施(处)", default=0)
    notes = models.CharField("说明", max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "改造内容明细"
        verbose_name_plural = "改造内容明细"
        ordering = ["project", "compound__name", "scope_item__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "compound", "scope_item"],
                name="%(app_label)s_%(class)s_unique_item",
                violation_error_message="该小区在本项目中已有这项改造内容。",
            ),
            _nonneg("quantity", "工程量"),
            _nonneg("estimated_cost_yuan", "估算投资"),
            _nonneg("pipes_km", "改造管网长度"),
        ]

    def __str__(self):
        return f"{self.compound} {self.scope_item.name}"


class FourItemsAcknowledgement(models.Model):
    """Staff's recorded reason why a centrally subsidised project leaves out one of 水、电、路、气
    for a compound that has that deficit (五: 能改即改 — "wherever possible", so a reason is required)."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="four_item_acknowledgements", verbose_name="项目"
    )
    compound = models.ForeignKey(
        "communities.Compound", on_delete=models.PROTECT, related_name="+", verbose_name="小区"
    )
    item = models.CharField("缺项", max_length=10, choices=FourItem.choices)
    reason = models.TextField("未纳入原因")
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="确认人"
    )
    acknowledged_at = models.DateTimeField("确认时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "水电路气缺项说明"
        verbose_name_plural = "水电路气缺项说明"
        constraints = [
            models.UniqueConstraint(
                fields=["project", "compound", "item"],
                name="%(app_label)s_%(class)s_unique",
                violation_error_message="该缺项已说明。",
            ),
        ]

    def __str__(self):
        return f"{self.compound} 未含{self.get_item_display()}"


class AgencyTask(models.Model):
    """A duty of the annex (职责分工) turned into a task for one agency, per project or programme-wide.

    Derived tasks carry the key of the template in projects/duty_tasks.py that made them, so deriving
    again updates instead of duplicating; staff may also add tasks by hand (empty key).
    """

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="agency_tasks", verbose_name="改造计划"
    )
    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name="项目",
        help_text="留空表示全计划范围的任务",
    )
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="tasks", verbose_name="责任单位"
    )
    duty = models.ForeignKey(
        "agencies.Duty",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name="依据职责",
    )
    template_key = models.CharField("任务模板", max_length=60, blank=True)
    title = models.CharField("任务", max_length=200)
    due_date = models.DateField("完成时限", null=True, blank=True)
    status = models.CharField("状态", max_length=20, choices=TaskStatus.choices, default=TaskStatus.TODO)
    notes = models.TextField("进展说明", blank=True)
    completed_on = models.DateField("完成日期", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "部门任务"
        verbose_name_plural = "部门任务"
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "template_key"],
                condition=~Q(template_key=""),
                name="%(app_label)s_%(class)s_unique_project_template",
                violation_error_message="该项目已有此任务。",
            ),
            models.UniqueConstraint(
                fields=["programme", "template_key"],
                condition=Q(project__isnull=True) & ~Q(template_key=""),
                name="%(app_label)s_%(class)s_unique_programme_template",
                violation_error_message="本计划已有此任务。",
            ),
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True) | Q(status=TaskStatus.DONE),
                name="%(app_label)s_%(class)s_completed_only_when_done",
                violation_error_message="只有已完成的任务才有完成日期。",
            ),
        ]
        indexes = [
            # The liaison's task list: one agency's tasks, soonest due first.
            models.Index(fields=["agency", "due_date"], name="projects_task_agency_due"),
        ]

    def __str__(self):
        return f"{self.agency}：{self.title}"


class TaskNote(models.Model):
    """One dated progress note on an agency's task: the status it reported, what it said and who said it.

    Notes are kept, never overwritten, so the task page reads as a log of the work (issue 17); the task's
    own `notes` holds only the latest for the list."""

    task = models.ForeignKey(AgencyTask, on_delete=models.CASCADE, related_name="progress_notes",
                             verbose_name="任务")
    status = models.CharField("状态", max_length=20, choices=TaskStatus.choices)
    text = models.TextField("进展说明", blank=True)
    completed_on = models.DateField("完成日期", null=True, blank=True)
    # Empty only on notes carried over from before notes were kept (migration 0004), whose writer is unknown.
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   null=True, blank=True, verbose_name="填报人")
    written_at = models.DateTimeField("填报时间", default=timezone.now)

    class Meta:
        verbose_name = "任务进展"
        verbose_name_plural = "任务进展"
        ordering = ["-written_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=TaskStatus.BLOCKED) | ~Q(text=""),
                name="%(app_label)s_%(class)s_blocked_has_reason",
                violation_error_message="状态为受阻时须说明受阻原因。",
            ),
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True) | Q(status=TaskStatus.DONE),
                name="%(app_label)s_%(class)s_completed_only_when_done",
                violation_error_message="只有已完成的任务才有完成日期。",
            ),
        ]
        indexes = [
            # The task page: one task's notes, newest first.
            models.Index(fields=["task", "-written_at"], name="projects_tasknote_task_written"),
        ]

    def __str__(self):
        return f"{self.task}：{self.get_status_display()}"

    def clean(self):
        # A completion date is a fact already past: a date still to come is a plan, not a completion.
        if self.completed_on and self.completed_on > timezone.localdate():
            raise ValidationError({"completed_on": "完成日期不能晚于今天；尚未完成的任务请选择“进行中”。"})
        if self.status == TaskStatus.BLOCKED and not self.text.strip():
            raise ValidationError({"text": "状态为受阻时须说明受阻原因（例如缺少哪份文件、等待哪个单位）。"})


# The report runs live with the report code (projects/reports/); imported here so the app sees them.
from .reports.models import ReportRun  # noqa: E402, F401
