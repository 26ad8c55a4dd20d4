"""Writes of money records. Each runs in one transaction, validates (full_clean) before saving and
records who did it in the change history. The rules applied are in funding.rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from jingyuan_renovation.loading import LoadCounts, upsert

from . import rules
from .choices import FundingClass
from .models import (
    Allocation,
    BudgetLine,
    ConstructionCostApproval,
    Disbursement,
    Expenditure,
    FundingAccount,
    FundingSourceKind,
    Pledge,
    SourceClassRule,
)


def _save(instance, *, user, reason: str = "") -> None:
    instance.full_clean()
    instance._history_user = user
    if reason:
        instance._change_reason = reason
    instance.save()


def _refuse(message: str | None, field: str | None = None) -> None:
    if message:
        raise ValidationError({field: message} if field else message)


# --- Programme facts -------------------------------------------------------------------------------


def funding_source_kinds_load(*, kinds: list[dict], counts: LoadCounts) -> None:
    for row in kinds:
        values = {k: v for k, v in row.items() if k != "code"}
        upsert(FundingSourceKind, lookup={"code": row["code"]}, values=values, counts=counts)
    source_class_rules_ensure()


def source_class_rules_ensure() -> int:
    """Give every source × class pair its row (the default of funding.rules), never overwriting staff's."""
    existing = set(SourceClassRule.objects.values_list("source_id", "funding_class"))
    made = 0
    for source in FundingSourceKind.objects.all():
        for funding_class in FundingClass:
            if (source.pk, funding_class.value) in existing:
                continue
            default = rules.default_rule(source.code, funding_class.value)
            rule = SourceClassRule(source=source, funding_class=funding_class.value, allowed=default.allowed,
                                   capped_by_construction_cost=default.capped_by_construction_cost,
                                   note=default.note, clause=default.clause or source.clause)
            _save(rule, user=None, reason=f"默认规则（{rule.clause}）")
            made += 1
    return made


@transaction.atomic
def source_class_rule_update(*, rule: SourceClassRule, allowed: bool, capped_by_construction_cost: bool,
                             note: str, user) -> SourceClassRule:
    """Staff change which source may pay for which class (a policy kept as data). The row's citation
    follows: a restriction the defaults do not have is the county's own decision, never a clause."""
    rule = SourceClassRule.objects.select_for_update().select_related("source").get(pk=rule.pk)
    if (rule.allowed, rule.capped_by_construction_cost, rule.note) == (allowed, capped_by_construction_cost, note):
        return rule
    rule.allowed, rule.capped_by_construction_cost, rule.note = allowed, capped_by_construction_cost, note
    rule.clause = rules.rule_clause(source=rule.source, funding_class=rule.funding_class, allowed=allowed,
                                    capped_by_construction_cost=capped_by_construction_cost)
    _save(rule, user=user)
    return rule


@transaction.atomic
def construction_cost_approve(*, project, approved_cost_yuan: Decimal, document_number: str,
                              approved_on: dt.date, user) -> ConstructionCostApproval:
    approval = ConstructionCostApproval.objects.filter(project=project).first() or ConstructionCostApproval(
        project=project, recorded_by=user)
    approval.approved_cost_yuan, approval.document_number = approved_cost_yuan, document_number
    approval.approved_on = approved_on
    _save(approval, user=user)
    return approval


# --- Budget ----------------------------------------------------------------------------------------


def _budget_refusals(*, project, source, funding_class: str, amount_yuan: Decimal, line_id: int | None) -> None:
    _refuse(rules.source_class_refusal(source=source, funding_class=funding_class), "funding_class")
    _refuse(rules.central_subsidy_refusal(project=project, source=source), "source")
    _refuse(rules.construction_cost_refusal(project=project, source=source, funding_class=funding_class,
                                            amount_yuan=amount_yuan, excluding_line_id=line_id), "amount_yuan")


@transaction.atomic
def budget_line_save(*, programme, source: FundingSourceKind, funding_class: str, amount_yuan: Decimal, user,
                     project=None, note: str = "", line: BudgetLine | None = None) -> BudgetLine:
    """Add or change one budget line (staff). Refused by the source-vs-class table, the no-double-subsidy
    rule for central sources and the construction-cost ceiling, each naming its clause."""
    if project is not None and project.programme_id != programme.pk:
        _refuse("项目不属于该改造计划。", "project")
    if project is not None:
        # Two clerks adding capped central lines to one project at once could each stay under the
        # construction-cost ceiling and together exceed it: serialise budget writes per project.
        type(project).objects.select_for_update().get(pk=project.pk)
    _budget_refusals(project=project, source=source, funding_class=funding_class, amount_yuan=amount_yuan,
                     line_id=line.pk if line else None)
    line = line or BudgetLine(created_by=user)
    line.programme, line.project, line.source = programme, project, source
    line.funding_class, line.amount_yuan, line.note = funding_class, amount_yuan, note
    _save(line, user=user)
    return line


@transaction.atomic
def budget_line_delete(*, line: BudgetLine, user) -> None:
    line._history_user = user
    line.delete()


# --- The money path: 下达 → 拨付 → 支出 --------------------------------------------------------------


def _account_locked(*, project, source) -> FundingAccount:
    """The (project, source) account, created on first use and locked for the rest of the transaction.

    Two clerks recording against one account at once would otherwise both read the same totals and
    both pass the check (a lost update): the row lock makes the second wait and re-read.
    """
    FundingAccount.objects.get_or_create(project=project, source=source)
    return FundingAccount.objects.select_for_update().get(project=project, source=source)


def _account_save(account: FundingAccount, *, user, reason: str) -> None:
    # full_clean validates the CheckConstraints too, so a slip past the rules still gets their words.
    _save(account, user=user, reason=reason)


@transaction.atomic
def allocation_record(*, project, source: FundingSourceKind, document_number: str, allocated_on: dt.date,
                      amount_yuan: Decimal, user, note: str = "") -> Allocation:
    """Record money allocated (下达) to a project by a document; central sources only where 三(二) allows."""
    _refuse(rules.central_subsidy_refusal(project=project, source=source), "source")
    allocation = Allocation(project=project, source=source, document_number=document_number,
                            allocated_on=allocated_on, amount_yuan=amount_yuan, note=note, recorded_by=user)
    allocation.full_clean()
    account = _account_locked(project=project, source=source)
    account.allocated_yuan += amount_yuan
    _account_save(account, user=user, reason=f"下达 {document_number}")
    _save(allocation, user=user)
    return allocation


@transaction.atomic
def disbursement_record(*, project, source: FundingSourceKind, voucher_number: str, disbursed_on: dt.date,
                        amount_yuan: Decimal, user, note: str = "") -> Disbursement:
    """Record money the finance bureau paid out (拨付); never more than allocated and not yet disbursed."""
    disbursement = Disbursement(project=project, source=source, voucher_number=voucher_number,
                                disbursed_on=disbursed_on, amount_yuan=amount_yuan, note=note, recorded_by=user)
    disbursement.full_clean()
    account = _account_locked(project=project, source=source)
    _refuse(rules.overdraft_refusal(step="disburse", amount_yuan=amount_yuan, account=account), "amount_yuan")
    account.disbursed_yuan += amount_yuan
    _account_save(account, user=user, reason=f"拨付 {voucher_number}")
    _save(disbursement, user=user)
    return disbursement


@transaction.atomic
def expenditure_record(*, project, source: FundingSourceKind, payee: str, reference: str, paid_on: dt.date,
                       amount_yuan: Decimal, user, note: str = "") -> Expenditure:
    """Record a payment to a contractor (支出); never more than disbursed and not yet spent."""
    expenditure = Expenditure(project=project, source=source, payee=payee, reference=reference, paid_on=paid_on,
                              amount_yuan=amount_yuan, note=note, recorded_by=user)
    expenditure.full_clean()
    account = _account_locked(project=project, source=source)
    _refuse(rules.overdraft_refusal(step="spend", amount_yuan=amount_yuan, account=account), "amount_yuan")
    account.spent_yuan += amount_yuan
    _account_save(account, user=user, reason=f"支出 {reference}")
    _save(expenditure, user=user)
    return expenditure


# --- Corrections: a reversing entry (冲销), never an edit -------------------------------------------
# A wrong 下达/拨付/支出 stays in the record; a new row of the same kind reverses it (minus its amount,
# with the reason) and the account moves back by the same amount, so every total is net. The right
# figure is then recorded anew. The rules (and their sources) are in funding.rules.reversal_refusal.


def _movement_label(movement) -> str:
    if isinstance(movement, Allocation):
        return f"下达 {movement.document_number}"
    if isinstance(movement, Disbursement):
        return f"拨付 {movement.voucher_number}"
    return f"支出 {movement.reference}"


def _movement_date(movement) -> dt.date:
    return getattr(movement, {"allocation": "allocated_on", "disbursement": "disbursed_on",
                              "expenditure": "paid_on"}[movement._meta.model_name])


def movement_date_text(movement) -> str:
    day = _movement_date(movement)
    return f"{day.year}年{day.month}月{day.day}日"


@transaction.atomic
def movement_reverse(*, movement, reason: str, reversed_on: dt.date, user):
    """Reverse one 下达/拨付/支出 entry by a new linked row for minus its amount, with the reason.

    The account is locked first, then the original re-read under the lock: two clerks reversing the
    same entry at once would otherwise both see it unreversed (the unique constraint would still stop
    the second, but with a database error instead of the sentence).
    """
    model = type(movement)
    reason = (reason or "").strip()
    _refuse(None if reason else rules.REVERSAL_NEEDS_REASON, "reason")
    account = _account_locked(project=movement.project, source=movement.source)
    movement = model.objects.select_for_update().get(pk=movement.pk)
    _refuse(rules.reversal_refusal(movement=movement, account=account,
                                   already_reversed=model.objects.filter(reverses=movement).exists()))
    field, _floor, step, _later = rules.REVERSAL_STEPS[model._meta.model_name]
    if reversed_on < _movement_date(movement):
        _refuse(f"冲销日期不能早于原{step}日期（{movement_date_text(movement)}）。", "reversed_on")
    reversal = model(project=movement.project, source=movement.source, amount_yuan=-movement.amount_yuan,
                     reverses=movement, reason=reason, note=f"冲销{_movement_label(movement)}", recorded_by=user)
    if model is Allocation:
        reversal.document_number, reversal.allocated_on = movement.document_number, reversed_on
    elif model is Disbursement:
        reversal.voucher_number, reversal.disbursed_on = movement.voucher_number, reversed_on
    else:
        reversal.payee, reversal.reference, reversal.paid_on = movement.payee, movement.reference, reversed_on
    reversal.full_clean()
    setattr(account, field, getattr(account, field) - movement.amount_yuan)
    history_reason = f"冲销{_movement_label(movement)}：{reason}"
    _account_save(account, user=user, reason=history_reason)
    _save(reversal, user=user, reason=history_reason)
    return reversal


def allocation_reverse(*, allocation: Allocation, reason: str, reversed_on: dt.date, user) -> Allocation:
    """Reverse a wrong 下达 (refused while the net 拨付 would exceed the net 下达)."""
    return movement_reverse(movement=allocation, reason=reason, reversed_on=reversed_on, user=user)


def disbursement_reverse(*, disbursement: Disbursement, reason: str, reversed_on: dt.date,
                         user) -> Disbursement:
    """Reverse a wrong 拨付 (refused while the net 支出 would exceed the net 拨付)."""
    return movement_reverse(movement=disbursement, reason=reason, reversed_on=reversed_on, user=user)


def expenditure_reverse(*, expenditure: Expenditure, reason: str, reversed_on: dt.date, user) -> Expenditure:
    """Reverse a wrong 支出."""
    return movement_reverse(movement=expenditure, reason=reason, reversed_on=reversed_on, user=user)


# --- Pledged shares (七(二)) -------------------------------------------------------------------------


@transaction.atomic
def pledge_save(*, project, source: FundingSourceKind, pledger: str, pledged_yuan: Decimal,
                pledged_on: dt.date, user, received_yuan: Decimal = Decimal("0"),
                received_on: dt.date | None = None, note: str = "", pledge: Pledge | None = None) -> Pledge:
    """Record or update a utility's or original employer's pledged share and what has arrived."""
    _refuse(rules.pledge_source_refusal(source=source), "source")
    # Two clerks updating what arrived on one pledge must not overwrite each other's figure unseen.
    pledge = Pledge.objects.select_for_update().get(pk=pledge.pk) if pledge is not None else Pledge(recorded_by=user)
    pledge.project, pledge.source, pledge.pledger = project, source, pledger
    pledge.pledged_yuan, pledge.pledged_on = pledged_yuan, pledged_on
    pledge.received_yuan, pledge.received_on, pledge.note = received_yuan, received_on, note
    _save(pledge, user=user)
    return pledge


# --- Demo data ---------------------------------------------------------------------------------------

DEMO_NOTE = "演示数据"


def funding_demo_delete() -> int:
    """Remove the money records of demo projects (call before deleting demo projects); real ones untouched."""
    deleted = 0
    for model in (Expenditure, Disbursement, Allocation):
        # A reversal protects the row it reverses: reversals go first.
        count, _ = model.objects.filter(project__is_demo=True, reverses__isnull=False).delete()
        deleted += count
    for model in (Expenditure, Disbursement, Allocation, Pledge, BudgetLine, FundingAccount,
                  ConstructionCostApproval):
        count, _ = model.objects.filter(project__is_demo=True).delete()
        deleted += count
    return deleted


@transaction.atomic
def funding_demo_create(*, programme, user) -> dict[str, int]:
    """Visibly synthetic money for the demo projects only (示例项目-…, notes say 演示数据), through the
    same services users call, so the pages show every stage of the money path."""
    funding_demo_delete()
    sources = {s.code: s for s in FundingSourceKind.objects.all()}
    made = {"budget_lines": 0, "allocations": 0, "disbursements": 0, "expenditures": 0, "pledges": 0}
    for index, project in enumerate(programme.projects.filter(is_demo=True).order_by("code"), start=1):
        base = Decimal(1_000_000 + index * 250_000)
        plan = [("central_fiscal_subsidy", FundingClass.BASIC_SHELL, base),
                ("local_special_bonds", FundingClass.BASIC_INFRASTRUCTURE, base / 2),
                ("local_self_raised", FundingClass.IMPROVEMENT, base / 4)]
        if rules.central_subsidy_refusal(project=project, source=sources["central_fiscal_subsidy"]):
            plan[0] = ("city_county_matching", FundingClass.BASIC_SHELL, base)
        for code, funding_class, amount in plan:
            budget_line_save(programme=programme, project=project, source=sources[code], funding_class=funding_class,
                             amount_yuan=amount, user=user, note=DEMO_NOTE)
            made["budget_lines"] += 1
            stage = index % 4  # 0: budget only, 1: allocated, 2: disbursed, 3: spent
            if stage >= 1:
                allocation_record(project=project, source=sources[code], document_number=f"示例财预〔2023〕{index}号",
                                  allocated_on=dt.date(2023, 4, 10), amount_yuan=amount, user=user, note=DEMO_NOTE)
                made["allocations"] += 1
            if stage >= 2:
                disbursement_record(project=project, source=sources[code], voucher_number=f"示例拨-{index:02d}",
                                    disbursed_on=dt.date(2023, 5, 15), amount_yuan=amount * Decimal("0.6"),
                                    user=user, note=DEMO_NOTE)
                made["disbursements"] += 1
            if stage >= 3:
                expenditure_record(project=project, source=sources[code], payee="示例施工单位（演示）",
                                   reference=f"示例合同-{index:02d}", paid_on=dt.date(2023, 7, 1),
                                   amount_yuan=amount * Decimal("0.4"), user=user, note=DEMO_NOTE)
                made["expenditures"] += 1
        pledge_save(project=project, source=sources["utility_contribution"], pledger="示例供电公司（演示）",
                    pledged_yuan=Decimal(80_000), received_yuan=Decimal(30_000), pledged_on=dt.date(2023, 4, 1),
                    received_on=dt.date(2023, 6, 1), user=user, note=DEMO_NOTE)
        made["pledges"] += 1
    return made
