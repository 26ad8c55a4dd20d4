"""Correcting 下达/拨付/支出 by a reversing entry (冲销) with a reason, never by editing the record
(七(五) 台账管理; 红字更正 per 财政部《会计基础工作规范》, outside the plan): totals are net everywhere."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from funding import selectors, services
from funding.models import Allocation, Disbursement, Expenditure, FundingAccount

from .factories import allocate, budget, disburse, funded_project, spend

pytestmark = pytest.mark.django_db

TODAY = dt.date(2023, 8, 1)


@pytest.fixture
def project(programme, staff_user, wulan):
    return funded_project(programme=programme, user=staff_user, town=wulan)


def _messages(error: ValidationError) -> str:
    return " ".join(error.messages)


def test_reversing_an_allocation_adds_a_linked_negative_row_and_keeps_the_original(project, staff_user):
    wrong = allocate(project, staff_user, "120000")
    reversal = services.allocation_reverse(allocation=wrong, reason="金额录错，应为 12 万元的十分之一",
                                           reversed_on=TODAY, user=staff_user)
    assert reversal.reverses == wrong and reversal.amount_yuan == Decimal("-120000.00")
    assert reversal.document_number == wrong.document_number and reversal.allocated_on == TODAY
    wrong.refresh_from_db()
    assert wrong.amount_yuan == Decimal("120000.00")  # the original is never edited
    assert FundingAccount.objects.get(project=project).allocated_yuan == Decimal("0.00")
    assert Allocation.objects.count() == 2


def test_the_reversal_is_in_the_history_with_who_when_and_why(project, staff_user):
    wrong = allocate(project, staff_user, "5000")
    reversal = services.allocation_reverse(allocation=wrong, reason="重复录入", reversed_on=TODAY, user=staff_user)
    entry = reversal.history.get()
    assert entry.history_user == staff_user and entry.history_type == "+"
    assert "重复录入" in entry.history_change_reason and entry.history_date
    account_entry = FundingAccount.objects.get(project=project).history.first()
    assert account_entry.history_change_reason == "冲销下达 靖财预〔2023〕1号：重复录入"
    assert account_entry.allocated_yuan == Decimal("0.00")


def test_a_row_can_be_reversed_only_once(project, staff_user):
    wrong = allocate(project, staff_user, "100")
    services.allocation_reverse(allocation=wrong, reason="录错", reversed_on=TODAY, user=staff_user)
    with pytest.raises(ValidationError) as refused:
        services.allocation_reverse(allocation=wrong, reason="再冲一次", reversed_on=TODAY, user=staff_user)
    assert "已经冲销过，不能重复冲销" in _messages(refused.value)
    assert FundingAccount.objects.get(project=project).allocated_yuan == Decimal("0.00")


def test_a_reversal_cannot_itself_be_reversed(project, staff_user):
    wrong = allocate(project, staff_user, "100")
    reversal = services.allocation_reverse(allocation=wrong, reason="录错", reversed_on=TODAY, user=staff_user)
    with pytest.raises(ValidationError) as refused:
        services.allocation_reverse(allocation=reversal, reason="冲错了", reversed_on=TODAY, user=staff_user)
    assert "冲销记录本身不能再冲销" in _messages(refused.value)
    assert "七(五)" in _messages(refused.value)


def test_a_reversal_needs_a_reason(project, staff_user):
    wrong = allocate(project, staff_user, "100")
    with pytest.raises(ValidationError) as refused:
        services.allocation_reverse(allocation=wrong, reason="  ", reversed_on=TODAY, user=staff_user)
    assert "冲销须写明原因" in _messages(refused.value)
    assert Allocation.objects.count() == 1


def test_a_reversal_cannot_predate_the_entry(project, staff_user):
    wrong = allocate(project, staff_user, "100")
    with pytest.raises(ValidationError) as refused:
        services.allocation_reverse(allocation=wrong, reason="录错", reversed_on=dt.date(2023, 3, 1),
                                    user=staff_user)
    assert "冲销日期不能早于原下达日期（2023年4月1日）" in _messages(refused.value)


def test_an_allocation_already_disbursed_cannot_be_reversed_first(project, staff_user):
    """下达 ≥ 拨付 must hold for the net amounts: reverse the 拨付 first."""
    wrong = allocate(project, staff_user, "100000")
    disbursement = disburse(project, staff_user, "60000")
    with pytest.raises(ValidationError) as refused:
        services.allocation_reverse(allocation=wrong, reason="录错", reversed_on=TODAY, user=staff_user)
    assert "冲销后累计下达 0.00 万元将少于累计拨付 6.00 万元" in _messages(refused.value)
    assert "请先冲销相应的拨付记录" in _messages(refused.value)
    services.disbursement_reverse(disbursement=disbursement, reason="凭证号录错", reversed_on=TODAY,
                                  user=staff_user)
    services.allocation_reverse(allocation=wrong, reason="录错", reversed_on=TODAY, user=staff_user)
    account = FundingAccount.objects.get(project=project)
    assert (account.allocated_yuan, account.disbursed_yuan) == (Decimal("0.00"), Decimal("0.00"))


def test_a_disbursement_already_spent_cannot_be_reversed_first(project, staff_user):
    allocate(project, staff_user, "100000")
    disbursement = disburse(project, staff_user, "60000")
    spend(project, staff_user, "50000")
    with pytest.raises(ValidationError) as refused:
        services.disbursement_reverse(disbursement=disbursement, reason="录错", reversed_on=TODAY, user=staff_user)
    assert "累计支出不能超过累计拨付" in _messages(refused.value)
    assert not Disbursement.objects.filter(reverses__isnull=False).exists()


def test_reversing_an_expenditure_frees_the_disbursed_money_again(project, staff_user):
    allocate(project, staff_user, "100000")
    disburse(project, staff_user, "100000")
    wrong = spend(project, staff_user, "100000")
    services.expenditure_reverse(expenditure=wrong, reason="付给了错误的收款单位", reversed_on=TODAY, user=staff_user)
    right = spend(project, staff_user, "90000", reference="HT-002")
    assert right.amount_yuan == Decimal("90000")
    assert FundingAccount.objects.get(project=project).spent_yuan == Decimal("90000.00")
    assert Expenditure.objects.get(reverses=wrong).payee == wrong.payee


def test_every_total_counts_net_amounts_after_a_reversal(programme, project, staff_user):
    budget(programme, staff_user, "200000", project=project)
    wrong = allocate(project, staff_user, "150000")
    allocate(project, staff_user, "50000", number="靖财预〔2023〕2号")
    disbursement = disburse(project, staff_user, "30000")
    expenditure = spend(project, staff_user, "10000")
    services.expenditure_reverse(expenditure=expenditure, reason="录错", reversed_on=TODAY, user=staff_user)
    services.disbursement_reverse(disbursement=disbursement, reason="录错", reversed_on=TODAY, user=staff_user)
    services.allocation_reverse(allocation=wrong, reason="录错", reversed_on=TODAY, user=staff_user)

    (by_project,) = selectors.funding_by_project(programme=programme)
    assert (by_project["allocated"], by_project["disbursed"], by_project["spent"]) == (
        Decimal("50000.00"), Decimal("0.00"), Decimal("0.00"))
    by_source = {r["source_code"]: r for r in selectors.funding_by_source(programme=programme)}
    assert by_source["local_self_raised"]["allocated"] == Decimal("50000.00")
    page = selectors.project_funding(project=project)
    assert page["totals"]["allocated"] == Decimal("50000.00") and page["totals"]["balance"] == Decimal("200000.00")
    # The movement rows themselves also sum to the net figure.
    assert sum(a.amount_yuan for a in page["allocations"]) == Decimal("50000.00")
    reversed_row = next(a for a in page["allocations"] if a.pk == wrong.pk)
    assert reversed_row.reversed_by is not None and reversed_row.reversed_by.reason == "录错"


def test_the_database_refuses_a_reversal_row_with_a_positive_amount(project, staff_user):
    original = allocate(project, staff_user, "100")
    with pytest.raises(IntegrityError), transaction.atomic():
        Allocation.objects.create(project=project, source=original.source, amount_yuan=Decimal("100"),
                                  reverses=original, reason="x", document_number="x", allocated_on=TODAY,
                                  recorded_by=staff_user)


def test_the_database_refuses_two_reversals_of_one_row(project, staff_user):
    original = allocate(project, staff_user, "100")
    services.allocation_reverse(allocation=original, reason="录错", reversed_on=TODAY, user=staff_user)
    with pytest.raises(IntegrityError), transaction.atomic():
        Allocation.objects.create(project=project, source=original.source, amount_yuan=Decimal("-100"),
                                  reverses=original, reason="x", document_number="x", allocated_on=TODAY,
                                  recorded_by=staff_user)


def test_the_sign_rule_speaks_chinese_through_full_clean(project, staff_user):
    original = allocate(project, staff_user, "100")
    row = Allocation(project=project, source=original.source, amount_yuan=Decimal("-1"), document_number="x",
                     allocated_on=TODAY, recorded_by=staff_user)
    with pytest.raises(ValidationError) as refused:
        row.full_clean()
    assert "下达金额须大于零" in _messages(refused.value)
    row = Allocation(project=project, source=original.source, amount_yuan=Decimal("-100"), reverses=original,
                     document_number="x", allocated_on=TODAY, recorded_by=staff_user)
    with pytest.raises(ValidationError) as refused:
        row.full_clean()
    assert "冲销须写明原因" in _messages(refused.value)


def test_the_dashboard_and_the_central_subsidy_list_count_net_amounts(programme, project, staff_user):
    central = allocate(project, staff_user, "300000", code="central_fiscal_subsidy")
    allocate(project, staff_user, "100000")
    assert [r["project_code"] for r in selectors.central_subsidy_compounds(programme=programme)] == ["jy-01"]
    services.allocation_reverse(allocation=central, reason="来源选错，应为地方自筹", reversed_on=TODAY, user=staff_user)
    # No central budget line and no net central allocation left: not a central-subsidy project any more.
    assert selectors.central_subsidy_compounds(programme=programme) == []
    dashboard = selectors.dashboard_funding(programme=programme, today=TODAY, user=staff_user)
    (row,) = dashboard["rows"]
    assert row["cells"][0] == "地方自筹" and row["cells"][2] == Decimal("10.00")
