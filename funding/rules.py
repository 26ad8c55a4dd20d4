"""The money rules of the work plan, each citing its clause. Services call these; pages show their words.

- 三(二), last paragraph: 已纳入城镇棚户区改造计划或其他财政支持计划的项目以及完成改造的项目，不得重复申报中央补助支持.
  No central source for a project with such a compound (`central_subsidy_refusal`). The facts are read
  from each compound's CompoundAssessment.central_subsidy_allowed (communities.eligibility decides it).
- Which source may pay for which class of work is data (SourceClassRule), staff edit it; the default
  is DEFAULT_SOURCE_CLASS_RULES. The work plan restricts no source to any class: 四(二), 六(二) and 七(二)
  only name the sources, so each allowed row cites the clause naming its source. The one restriction
  comes from OUTSIDE the plan (national NDRC practice for central budget investment, NDRC_CENTRAL_BUDGET):
  中央预算内资金 pays supporting infrastructure and public service facilities, not the building shell
  (不包括小区主体改造), at most the approved construction cost (建安投资) (`source_class_refusal`,
  `construction_cost_refusal`). It is never cited as 七(二).
- The money path: 下达 → 拨付 → 支出; disbursed never exceeds allocated, spent never exceeds disbursed,
  per project and source (`overdraft_refusal`; FundingAccount's CheckConstraints hold the same line).
- 七(二): utilities (通信、燃气、供电等企业按适当比例出资) and the original employer (原企业单位捐资) pledge
  a share: recorded as pledged and received (PLEDGE_SOURCES).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .choices import FundingClass

TEN_THOUSAND = Decimal(10000)
TWO_PLACES = Decimal("0.01")

CENTRAL_BUDGET_INVESTMENT = "central_budget_investment"
# 七(二): shares pledged by utilities and original employers, followed as pledged vs received.
PLEDGE_SOURCES = ("utility_contribution", "original_employer")


def wan(yuan) -> Decimal:
    """元 → 万元 with two decimals, half up, as the work plan writes money (270180200 元 → 27018.02)."""
    return (Decimal(yuan or 0) / TEN_THOUSAND).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class DefaultRule:
    source_code: str
    funding_class: FundingClass
    allowed: bool
    capped_by_construction_cost: bool
    note: str
    clause: str = ""  # empty: the clause of the plan that names the source (FundingSourceKind.clause)


# The real source of the central-budget rule: national NDRC practice, not a clause of 靖政发〔2023〕75号.
NDRC_CENTRAL_BUDGET = "国家发展改革委中央预算内投资要求（非本方案条款）"
# A restriction staff add to the table is the county's own decision, not a clause of the plan.
COUNTY_TABLE_DECISION = "县住建局在资金来源适用范围表中设定（非本方案条款）"

# DOMAIN.md "Funding" (outside the plan, NDRC): the only defaults that are not "allowed, no cap".
DEFAULT_SOURCE_CLASS_RULES: tuple[DefaultRule, ...] = (
    DefaultRule(CENTRAL_BUDGET_INVESTMENT, FundingClass.BASIC_SHELL, False, False,
                "中央预算内资金不包括小区主体改造（房屋本体）", NDRC_CENTRAL_BUDGET),
    DefaultRule(CENTRAL_BUDGET_INVESTMENT, FundingClass.BASIC_INFRASTRUCTURE, True, True,
                "支持配套基础设施建设，以核定的建安投资为限", NDRC_CENTRAL_BUDGET),
    DefaultRule(CENTRAL_BUDGET_INVESTMENT, FundingClass.IMPROVEMENT, True, True,
                "支持公共服务设施建设，以核定的建安投资为限", NDRC_CENTRAL_BUDGET),
    DefaultRule(CENTRAL_BUDGET_INVESTMENT, FundingClass.UPGRADE, True, True,
                "支持公共服务设施建设，以核定的建安投资为限", NDRC_CENTRAL_BUDGET),
)


def default_rule(source_code: str, funding_class: str) -> DefaultRule:
    for rule in DEFAULT_SOURCE_CLASS_RULES:
        if rule.source_code == source_code and rule.funding_class == funding_class:
            return rule
    return DefaultRule(source_code, FundingClass(funding_class), True, False, "")


def rule_clause(*, source, funding_class: str, allowed: bool, capped_by_construction_cost: bool) -> str:
    """What a source × class row cites: the outside rule it follows, the plan's clause naming the source
    (no restriction), or the county's own decision when staff set a restriction the defaults do not have."""
    default = default_rule(source.code, funding_class)
    if (allowed, capped_by_construction_cost) == (default.allowed, default.capped_by_construction_cost):
        return default.clause or source.clause
    if allowed and not capped_by_construction_cost:
        return source.clause
    return COUNTY_TABLE_DECISION


def source_class_refusal(*, source, funding_class: str) -> str | None:
    """Refusal when the source may not pay for this class (the staff-kept table; no row = allowed)."""
    from .models import SourceClassRule

    rule = SourceClassRule.objects.filter(source=source, funding_class=funding_class).first()
    if rule is None or rule.allowed:
        return None
    why = f"（{rule.note}）" if rule.note else ""
    return (f"{source.name}不得用于{FundingClass(funding_class).label}{why}"
            f"——依据资金来源适用范围表：{rule.clause}。")


def construction_cost_refusal(*, project, source, funding_class: str, amount_yuan: Decimal,
                              excluding_line_id: int | None = None) -> str | None:
    """Refusal when a capped source would exceed the project's approved construction cost (NDRC, outside
    the plan). The reason cites the capping row's own source."""
    from .models import BudgetLine, ConstructionCostApproval, SourceClassRule

    if project is None:
        return None
    capped = dict(SourceClassRule.objects.filter(source=source, capped_by_construction_cost=True)
                  .values_list("funding_class", "clause"))
    if funding_class not in capped:
        return None
    basis = capped[funding_class]
    approval = ConstructionCostApproval.objects.filter(project=project).first()
    if approval is None:
        return (f"{source.name}以核定的建安投资为限（{basis}），请先录入项目{project.code}的核定建安投资。")
    others = (BudgetLine.objects.filter(project=project, source=source, funding_class__in=list(capped))
              .exclude(pk=excluding_line_id).values_list("amount_yuan", flat=True))
    total = sum(others, Decimal("0")) + amount_yuan
    if total > approval.approved_cost_yuan:
        return (f"{source.name}预算合计 {wan(total)} 万元将超过核定建安投资 {wan(approval.approved_cost_yuan)} 万元"
                f"（{approval.document_number}）：{source.name}以核定的建安投资为限（{basis}）。")
    return None


def central_subsidy_refusal(*, project, source) -> str | None:
    """三(二): a project with a compound in the shantytown plan, another fiscal support plan, or already
    renovated must not receive central subsidy again. Unknown facts refuse too: never a guess."""
    if project is None or not source.is_central:
        return None
    from communities.models import CompoundAssessment

    compounds = list(project.compounds.order_by("name"))
    assessments = {a.compound_id: a for a in CompoundAssessment.objects.filter(compound__in=compounds)}
    barred, unknown = [], []
    for compound in compounds:
        assessment = assessments.get(compound.pk)
        allowed = assessment.central_subsidy_allowed if assessment else None
        if allowed is False:
            facts = [label for field, label in _NO_CENTRAL_FACTS if getattr(compound, field)]
            barred.append(f"{compound.name}（{'、'.join(facts) or '认定为不得申报'}）")
        elif allowed is None:
            unknown.append(compound.name)
    if barred:
        return (f"不得重复申报中央补助（三(二)）：{'；'.join(barred)}。"
                f"已纳入棚户区改造计划或其他财政支持计划以及已完成改造的，不能使用{source.name}。")
    if unknown:
        return (f"{'、'.join(unknown)}是否可申报中央补助尚无法判断（资料不全），"
                f"请先补全是否列入棚户区改造计划、享受其他财政支持、已完成改造（三(二)），再使用{source.name}。")
    return None


_NO_CENTRAL_FACTS = (
    ("in_shantytown_plan", "列入棚户区改造计划"),
    ("other_fiscal_support", "享受其他财政支持"),
    ("already_renovated", "已完成改造"),
)


def overdraft_refusal(*, step: str, amount_yuan: Decimal, account) -> str | None:
    """下达 → 拨付 → 支出: refusal when a disbursement or expenditure would overdraw the account."""
    if step == "disburse":
        room = account.allocated_yuan - account.disbursed_yuan
        if amount_yuan > room:
            return (f"拨付 {wan(amount_yuan)} 万元超过可拨付余额 {wan(room)} 万元"
                    f"（已下达 {wan(account.allocated_yuan)} 万元，已拨付 {wan(account.disbursed_yuan)} 万元）："
                    f"累计拨付不能超过累计下达。")
    elif step == "spend":
        room = account.disbursed_yuan - account.spent_yuan
        if amount_yuan > room:
            return (f"支出 {wan(amount_yuan)} 万元超过可支出余额 {wan(room)} 万元"
                    f"（已拨付 {wan(account.disbursed_yuan)} 万元，已支出 {wan(account.spent_yuan)} 万元）："
                    f"累计支出不能超过累计拨付。")
    return None


# Corrections of 下达/拨付/支出. The work plan asks for a ledger kept for 工程核算 (七(五) 台账管理) and puts
# 资金监管、拨付 with the county finance bureau (附件 职责分工 县财政局); it says nothing on how to correct a
# wrong entry. The method is national accounting practice, cited as outside the plan: a recorded entry is
# not altered but reversed by a red-ink entry (红字更正) and recorded anew.
REVERSAL_BASIS = "七(五) 台账管理；红字更正：财政部《会计基础工作规范》（非本方案条款）"
REVERSAL_NEEDS_REASON = f"冲销须写明原因（{REVERSAL_BASIS}）。"

# model name: (account field it moves, the later step's field it may not fall below, step, later step)
REVERSAL_STEPS = {
    "allocation": ("allocated_yuan", "disbursed_yuan", "下达", "拨付"),
    "disbursement": ("disbursed_yuan", "spent_yuan", "拨付", "支出"),
    "expenditure": ("spent_yuan", None, "支出", None),
}


def reversal_refusal(*, movement, already_reversed: bool, account=None) -> str | None:
    """Why this 下达/拨付/支出 entry cannot be reversed now, or None. After the reversal the net path must
    still hold, per project and source: 下达 ≥ 拨付 ≥ 支出 (the same rule as overdraft_refusal)."""
    if movement.reverses_id is not None:
        return f"冲销记录本身不能再冲销；如冲销有误，请重新记录原金额（{REVERSAL_BASIS}）。"
    if already_reversed:
        return "这条记录已经冲销过，不能重复冲销。"
    field, floor_field, step, later = REVERSAL_STEPS[movement._meta.model_name]
    if account is None or floor_field is None:
        return None
    after = getattr(account, field) - movement.amount_yuan
    floor = getattr(account, floor_field)
    if after < floor:
        return (f"冲销后累计{step} {wan(after)} 万元将少于累计{later} {wan(floor)} 万元：累计{later}不能超过累计{step}，"
                f"请先冲销相应的{later}记录。")
    return None


def pledge_source_refusal(*, source) -> str | None:
    if source.code not in PLEDGE_SOURCES:
        return "出资承诺只记录管线单位（通信、燃气、供电等）和原产权单位的出资（七(二)）。"
    return None
