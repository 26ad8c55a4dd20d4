"""Money of the programme (四(二), 七(二)): budget lines, and the path allocated → disbursed → spent.

Every amount is stored in 元 as Decimal(16, 2) and shown in 万元 with two decimals (27018.02万元), as
the work plan writes it. Every row carries its change history (who, when, old, new) for the auditors.
Rows are written only through funding.services; the rules they apply are in funding.rules.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from .choices import FundingClass, SourceGroup

_NONNEG = [MinValueValidator(Decimal("0"))]


def money_field(label: str, **extra) -> models.DecimalField:
    return models.DecimalField(label, max_digits=16, decimal_places=2, validators=_NONNEG, **extra)


def _nonneg(field: str, label: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(**{f"{field}__gte": 0}),
                                  name=f"%(app_label)s_%(class)s_{field}_nonneg",
                                  violation_error_message=f"{label}不能为负数。")


class FundingSourceKind(models.Model):
    """A kind of money the programme may draw on (四(二), 七(二)), e.g. 中央财政补助 or 住宅专项维修资金.

    `is_central` marks central subsidy kinds, which a compound already in the shantytown plan,
    another fiscal plan, or already renovated must not receive again (三(二)).
    """

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("资金来源", max_length=60, unique=True)
    group = models.CharField("类别", max_length=10, choices=SourceGroup.choices)
    is_central = models.BooleanField("中央补助", default=False)
    clause = models.CharField("依据条款", max_length=40)
    order = models.PositiveSmallIntegerField("排序", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "资金来源类别"
        verbose_name_plural = "资金来源类别"
        ordering = ["order", "id"]

    def __str__(self):
        return self.name


class SourceClassRule(models.Model):
    """Whether one source may pay for one class of work, as staff keep it: a policy kept as data.

    Default (funding.rules.DEFAULT_SOURCE_CLASS_RULES): every source may pay for every class (the work
    plan restricts none; `clause` is the clause naming the source), except 中央预算内资金, which pays
    supporting infrastructure and public service facilities, not the building shell, and at most the
    project's approved construction cost (建安投资): national NDRC practice, cited as outside the plan
    (funding.rules.NDRC_CENTRAL_BUDGET), never as 七(二).
    """

    source = models.ForeignKey(FundingSourceKind, on_delete=models.CASCADE, related_name="class_rules",
                               verbose_name="资金来源")
    funding_class = models.CharField("改造内容类别", max_length=30, choices=FundingClass.choices)
    allowed = models.BooleanField("可以支付", default=True)
    capped_by_construction_cost = models.BooleanField(
        "以核定建安投资为限", default=False,
        help_text="该来源在本类别的预算合计不得超过项目核定的建安投资")
    note = models.CharField("说明", max_length=200, blank=True)
    clause = models.CharField("依据", max_length=40,
                              help_text="本方案条款，或标明“非本方案条款”的外部依据")
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "资金来源适用范围"
        verbose_name_plural = "资金来源适用范围"
        ordering = ["source__order", "source_id", "funding_class"]
        constraints = [
            models.UniqueConstraint(fields=["source", "funding_class"],
                                    name="%(app_label)s_%(class)s_unique_pair",
                                    violation_error_message="该资金来源在这一类别已有规则。"),
        ]

    def __str__(self):
        verb = "可以" if self.allowed else "不得"
        return f"{self.source}{verb}支付{self.get_funding_class_display()}"


class ConstructionCostApproval(models.Model):
    """A project's approved construction cost (核定建安投资): the ceiling of central budget investment."""

    project = models.OneToOneField("projects.Project", on_delete=models.PROTECT,
                                   related_name="construction_cost_approval", verbose_name="项目")
    approved_cost_yuan = money_field("核定建安投资(元)")
    document_number = models.CharField("批复文号", max_length=60)
    approved_on = models.DateField("批复日期")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="记录人")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "核定建安投资"
        verbose_name_plural = "核定建安投资"
        constraints = [_nonneg("approved_cost_yuan", "核定建安投资")]

    def __str__(self):
        return f"{self.project.code} 核定建安投资"


class BudgetLine(models.Model):
    """One line of the programme budget: so much 元 from one source for one class of work,
    for one project, or for the programme as a whole when no project is named (四(二))."""

    programme = models.ForeignKey("projects.Programme", on_delete=models.PROTECT, related_name="budget_lines",
                                  verbose_name="改造计划")
    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="budget_lines", verbose_name="项目",
                                help_text="留空表示全计划层面的预算")
    source = models.ForeignKey(FundingSourceKind, on_delete=models.PROTECT, related_name="budget_lines",
                               verbose_name="资金来源")
    funding_class = models.CharField("改造内容类别", max_length=30, choices=FundingClass.choices)
    amount_yuan = money_field("预算金额(元)")
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="录入人")
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "预算明细"
        verbose_name_plural = "预算明细"
        # Programme-level lines (no project) first on every database (PostgreSQL puts NULL last by default).
        ordering = ["programme", F("project__code").asc(nulls_first=True), "source__order", "funding_class", "id"]
        constraints = [_nonneg("amount_yuan", "预算金额")]
        indexes = [
            # funding_by_source / funding_by_project: sums per programme and source, per project.
            models.Index(fields=["programme", "source"], name="funding_budget_prog_source"),
            models.Index(fields=["project", "source"], name="funding_budget_proj_source"),
        ]

    def __str__(self):
        where = self.project.code if self.project_id else "全计划"
        return f"{where} {self.source} {self.get_funding_class_display()}"

    @property
    def national_class_label(self) -> str:
        return FundingClass(self.funding_class).national_class.label


class FundingAccount(models.Model):
    """The running totals of one source for one project: allocated (下达), disbursed (拨付), spent (支出).

    Kept only by the services, under a row lock. The database itself refuses an overdraft
    (disbursed > allocated, spent > disbursed), even if a service were bypassed.
    """

    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="funding_accounts",
                                verbose_name="项目")
    source = models.ForeignKey(FundingSourceKind, on_delete=models.PROTECT, related_name="accounts",
                               verbose_name="资金来源")
    allocated_yuan = money_field("已下达(元)", default=Decimal("0"))
    disbursed_yuan = money_field("已拨付(元)", default=Decimal("0"))
    spent_yuan = money_field("已支出(元)", default=Decimal("0"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = "项目资金账户"
        verbose_name_plural = "项目资金账户"
        ordering = ["project__code", "source__order"]
        constraints = [
            models.UniqueConstraint(fields=["project", "source"], name="%(app_label)s_%(class)s_unique_pair",
                                    violation_error_message="该项目已有这一资金来源的账户。"),
            _nonneg("allocated_yuan", "已下达金额"),
            _nonneg("disbursed_yuan", "已拨付金额"),
            _nonneg("spent_yuan", "已支出金额"),
            models.CheckConstraint(condition=Q(disbursed_yuan__lte=F("allocated_yuan")),
                                   name="%(app_label)s_%(class)s_disbursed_within_allocated",
                                   violation_error_message="累计拨付不能超过累计下达（先下达，后拨付）。"),
            models.CheckConstraint(condition=Q(spent_yuan__lte=F("disbursed_yuan")),
                                   name="%(app_label)s_%(class)s_spent_within_disbursed",
                                   violation_error_message="累计支出不能超过累计拨付（先拨付，后支出）。"),
        ]

    def __str__(self):
        return f"{self.project.code} {self.source}"


class _MoneyMovement(models.Model):
    """A movement of money is never edited or deleted: a mistake is corrected by a reversing entry (冲销),
    a new row of the same kind pointing at the original (`reverses`), for minus its amount, with the
    reason; the right figure is then recorded anew. Sums of amount_yuan are therefore net by themselves
    and the account totals (FundingAccount) move back by the same amount.
    """

    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="+",
                                verbose_name="项目")
    source = models.ForeignKey(FundingSourceKind, on_delete=models.PROTECT, related_name="+",
                               verbose_name="资金来源")
    # Positive for an entry, negative for a reversal (the sign constraint below); no field validator,
    # the constraint speaks for both cases.
    amount_yuan = models.DecimalField("金额(元)", max_digits=16, decimal_places=2)
    note = models.CharField("说明", max_length=200, blank=True)
    reverses = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="reversals", verbose_name="冲销的记录")
    reason = models.CharField("冲销原因", max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="记录人")
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        abstract = True

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None


def _movement_constraints(label: str) -> list:
    """The rules every movement table keeps in the database (a reversal of a reversal would need a
    positive amount on a reversing row, so the sign rule refuses it as well)."""
    return [
        models.CheckConstraint(
            condition=Q(reverses__isnull=True, amount_yuan__gt=0) | Q(reverses__isnull=False, amount_yuan__lt=0),
            name="%(app_label)s_%(class)s_amount_sign",
            violation_error_message=f"{label}须大于零；冲销记录的金额为原记录金额的相反数。"),
        models.CheckConstraint(
            condition=Q(reverses__isnull=True) | ~Q(reason=""),
            name="%(app_label)s_%(class)s_reversal_has_reason",
            violation_error_message="冲销须写明原因。"),
        models.UniqueConstraint(
            fields=["reverses"], condition=Q(reverses__isnull=False),
            name="%(app_label)s_%(class)s_reversed_once",
            violation_error_message="这条记录已经冲销过，不能重复冲销。"),
    ]


class Allocation(_MoneyMovement):
    """Money of one source allocated (下达) to a project by a document (文号, date)."""

    document_number = models.CharField("下达文号", max_length=60)
    allocated_on = models.DateField("下达日期")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "资金下达"
        verbose_name_plural = "资金下达"
        ordering = ["-allocated_on", "-id"]
        constraints = _movement_constraints("下达金额")
        indexes = [models.Index(fields=["project", "source"], name="funding_alloc_proj_source")]

    def __str__(self):
        return f"{self.document_number} {self.project.code} {self.source}"


class Disbursement(_MoneyMovement):
    """Money the county finance bureau (财政局) paid out (拨付) to a project from one source."""

    voucher_number = models.CharField("拨付凭证号", max_length=60)
    disbursed_on = models.DateField("拨付日期")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "资金拨付"
        verbose_name_plural = "资金拨付"
        ordering = ["-disbursed_on", "-id"]
        constraints = _movement_constraints("拨付金额")
        indexes = [models.Index(fields=["project", "source"], name="funding_disb_proj_source")]

    def __str__(self):
        return f"{self.voucher_number} {self.project.code} {self.source}"


class Expenditure(_MoneyMovement):
    """A payment (支出) from a project's money of one source to a contractor or supplier."""

    payee = models.CharField("收款单位", max_length=120)
    reference = models.CharField("发票/合同号", max_length=80)
    paid_on = models.DateField("支付日期")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "资金支出"
        verbose_name_plural = "资金支出"
        ordering = ["-paid_on", "-id"]
        constraints = _movement_constraints("支出金额")
        indexes = [models.Index(fields=["project", "source"], name="funding_exp_proj_source")]

    def __str__(self):
        return f"{self.payee} {self.reference}"


class Pledge(models.Model):
    """A share a utility or the original employer promised (承诺) toward a project, and what arrived (七(二))."""

    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="funding_pledges",
                                verbose_name="项目")
    source = models.ForeignKey(FundingSourceKind, on_delete=models.PROTECT, related_name="pledges",
                               verbose_name="资金来源")
    pledger = models.CharField("出资单位", max_length=120)
    pledged_yuan = money_field("承诺出资(元)")
    received_yuan = money_field("实际到位(元)", default=Decimal("0"))
    pledged_on = models.DateField("承诺日期")
    received_on = models.DateField("最近到位日期", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="记录人")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "出资承诺"
        verbose_name_plural = "出资承诺"
        ordering = ["project__code", "source__order", "pledger"]
        constraints = [
            _nonneg("pledged_yuan", "承诺出资"),
            _nonneg("received_yuan", "实际到位金额"),
            models.CheckConstraint(condition=Q(received_yuan__lte=F("pledged_yuan")),
                                   name="%(app_label)s_%(class)s_received_within_pledged",
                                   violation_error_message="实际到位不能超过承诺出资；承诺增加时请先修改承诺金额。"),
        ]

    def __str__(self):
        return f"{self.pledger} → {self.project.code}"

    @property
    def outstanding_yuan(self) -> Decimal:
        return self.pledged_yuan - self.received_yuan
