"""Each money rule and its Chinese message (funding.rules), through the services that apply them."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from funding import services
from funding.models import BudgetLine, FundingAccount, Pledge, SourceClassRule
from funding.rules import wan

from .factories import allocate, budget, disburse, funded_project, source, spend

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(programme, staff_user, wulan):
    return funded_project(programme=programme, user=staff_user, town=wulan)


def _messages(error: ValidationError) -> str:
    return " ".join(error.messages)


def test_disbursing_more_than_allocated_is_refused_with_the_rule(project, staff_user):
    allocate(project, staff_user, "100000")
    disburse(project, staff_user, "60000")
    with pytest.raises(ValidationError) as refused:
        disburse(project, staff_user, "40000.01", number="拨-002")
    assert "累计拨付不能超过累计下达" in _messages(refused.value)
    assert "可拨付余额 4.00 万元" in _messages(refused.value)
    account = FundingAccount.objects.get(project=project)
    assert account.disbursed_yuan == Decimal("60000.00")


def test_spending_more_than_disbursed_is_refused_with_the_rule(project, staff_user):
    allocate(project, staff_user, "100000")
    disburse(project, staff_user, "50000")
    spend(project, staff_user, "50000")
    with pytest.raises(ValidationError) as refused:
        spend(project, staff_user, "0.01", reference="HT-002")
    assert "累计支出不能超过累计拨付" in _messages(refused.value)


def test_disbursing_without_any_allocation_is_refused(project, staff_user):
    with pytest.raises(ValidationError, match="累计拨付不能超过累计下达"):
        disburse(project, staff_user, "1")


def test_the_database_refuses_an_overdraft_even_when_the_services_are_bypassed(project, staff_user):
    allocate(project, staff_user, "100")
    with pytest.raises(IntegrityError), transaction.atomic():
        FundingAccount.objects.filter(project=project).update(disbursed_yuan=F("allocated_yuan") + 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        FundingAccount.objects.filter(project=project).update(spent_yuan=1)


def test_model_validation_names_the_constraint_in_chinese(project, staff_user):
    allocate(project, staff_user, "100")
    account = FundingAccount.objects.get(project=project)
    account.disbursed_yuan = Decimal("101")
    with pytest.raises(ValidationError, match="累计拨付不能超过累计下达（先下达，后拨付）"):
        account.full_clean()


def test_amounts_must_be_positive(project, staff_user):
    with pytest.raises(ValidationError, match="金额须大于零"):
        allocate(project, staff_user, "0")


@pytest.mark.parametrize(("fact", "label"), [("in_shantytown_plan", "列入棚户区改造计划"),
                                              ("other_fiscal_support", "享受其他财政支持"),
                                              ("already_renovated", "已完成改造")])
def test_central_sources_are_refused_for_a_compound_already_subsidised(programme, staff_user, wulan, fact, label):
    project = funded_project(programme=programme, user=staff_user, town=wulan, **{fact: True})
    with pytest.raises(ValidationError) as refused:
        budget(programme, staff_user, "1000", project=project, code="central_fiscal_subsidy")
    message = _messages(refused.value)
    assert "不得重复申报中央补助（三(二)）" in message and label in message
    with pytest.raises(ValidationError, match=r"三\(二\)"):
        allocate(project, staff_user, "1000", code="central_fiscal_subsidy")
    # Local money is not a central subsidy: allowed.
    budget(programme, staff_user, "1000", project=project, code="local_self_raised")


def test_central_sources_wait_for_unknown_facts(programme, staff_user, wulan):
    project = funded_project(programme=programme, user=staff_user, town=wulan, other_fiscal_support=None)
    with pytest.raises(ValidationError, match="尚无法判断（资料不全）"):
        budget(programme, staff_user, "1000", project=project, code="central_fiscal_subsidy")


def test_central_sources_are_allowed_when_the_facts_say_so(project, programme, staff_user):
    line = budget(programme, staff_user, "1000", project=project, code="central_fiscal_subsidy",
                  funding_class="basic_shell")
    assert line.pk


def test_central_budget_investment_does_not_pay_for_the_building_shell(project, programme, staff_user):
    with pytest.raises(ValidationError) as refused:
        budget(programme, staff_user, "1000", project=project, code="central_budget_investment",
               funding_class="basic_shell")
    assert "中央预算内资金不得用于基础类·小区主体（房屋本体）改造" in _messages(refused.value)
    assert "不包括小区主体改造" in _messages(refused.value)


def test_central_budget_investment_is_capped_by_the_approved_construction_cost(project, programme, staff_user):
    with pytest.raises(ValidationError, match="请先录入项目jy-01的核定建安投资"):
        budget(programme, staff_user, "1000", project=project, code="central_budget_investment",
               funding_class="basic_infrastructure")
    services.construction_cost_approve(project=project, approved_cost_yuan=Decimal("500000"),
                                       document_number="靖发改〔2023〕9号", approved_on=dt.date(2023, 4, 1),
                                       user=staff_user)
    budget(programme, staff_user, "300000", project=project, code="central_budget_investment",
           funding_class="basic_infrastructure")
    with pytest.raises(ValidationError) as refused:
        budget(programme, staff_user, "200000.01", project=project, code="central_budget_investment",
               funding_class="improvement")
    assert "将超过核定建安投资 50.00 万元" in _messages(refused.value)
    # Another source is not capped.
    budget(programme, staff_user, "900000", project=project, code="local_special_bonds",
           funding_class="basic_infrastructure")


def test_changing_the_table_changes_what_is_allowed(project, programme, staff_user):
    rule = SourceClassRule.objects.get(source=source("donations"), funding_class="upgrade")
    services.source_class_rule_update(rule=rule, allowed=False, capped_by_construction_cost=False,
                                      note="捐赠只用于基础类", user=staff_user)
    with pytest.raises(ValidationError, match="社会捐赠不得用于提升类（捐赠只用于基础类）"):
        budget(programme, staff_user, "10", project=project, code="donations", funding_class="upgrade")
    services.source_class_rule_update(rule=rule, allowed=True, capped_by_construction_cost=False, note="",
                                      user=staff_user)
    budget(programme, staff_user, "10", project=project, code="donations", funding_class="upgrade")


def test_the_table_has_a_row_for_every_source_and_class_with_the_default(programme):
    assert SourceClassRule.objects.count() == 14 * 4
    refused = SourceClassRule.objects.filter(allowed=False)
    assert [(r.source.code, r.funding_class) for r in refused] == [("central_budget_investment", "basic_shell")]
    assert set(SourceClassRule.objects.filter(capped_by_construction_cost=True).values_list(
        "source__code", flat=True)) == {"central_budget_investment"}


def test_loading_the_programme_again_keeps_staff_edits_to_the_table(programme, staff_user):
    from projects.services import programme_load

    rule = SourceClassRule.objects.get(source=source("donations"), funding_class="upgrade")
    services.source_class_rule_update(rule=rule, allowed=False, capped_by_construction_cost=False, note="x",
                                      user=staff_user)
    programme_load()
    rule.refresh_from_db()
    assert rule.allowed is False


def test_pledges_are_only_for_utilities_and_original_employers(project, staff_user):
    with pytest.raises(ValidationError, match="只记录管线单位"):
        services.pledge_save(project=project, source=source("donations"), pledger="某人", pledged_yuan=Decimal(1),
                             pledged_on=dt.date(2023, 4, 1), user=staff_user)
    pledge = services.pledge_save(project=project, source=source("utility_contribution"), pledger="供电公司",
                                  pledged_yuan=Decimal(80000), pledged_on=dt.date(2023, 4, 1), user=staff_user)
    assert pledge.outstanding_yuan == Decimal(80000)
    with pytest.raises(ValidationError, match="实际到位不能超过承诺出资"):
        services.pledge_save(project=project, source=source("utility_contribution"), pledger="供电公司",
                             pledged_yuan=Decimal(80000), received_yuan=Decimal(80001),
                             pledged_on=dt.date(2023, 4, 1), user=staff_user, pledge=pledge)
    services.pledge_save(project=project, source=source("utility_contribution"), pledger="供电公司",
                         pledged_yuan=Decimal(80000), received_yuan=Decimal(30000), received_on=dt.date(2023, 6, 1),
                         pledged_on=dt.date(2023, 4, 1), user=staff_user, pledge=pledge)
    assert Pledge.objects.get().outstanding_yuan == Decimal(50000)


def test_a_budget_line_of_another_programme_project_is_refused(project, programme, staff_user):
    from projects.models import Programme

    other = Programme.objects.create(
        year=2024, document_number="x", title="x", target_compounds=1, target_buildings=1, target_households=1,
        target_floor_area_m2=1, target_budget_yuan=1, ready_deadline=dt.date(2024, 6, 30),
        ready_deadline_meaning="x", completion_deadline=dt.date(2025, 5, 31), completion_deadline_meaning="x")
    with pytest.raises(ValidationError, match="项目不属于该改造计划"):
        budget(other, staff_user, "1", project=project)


@pytest.mark.parametrize(("yuan", "shown"), [
    ("270180200.00", "27018.02"), ("49.99", "0.00"), ("50.00", "0.01"), ("12345.00", "1.23"),
    ("12350.00", "1.24"), ("99995000.00", "9999.50"), ("0", "0.00"), ("-12350.00", "-1.24"),
])
def test_wan_rounds_half_up_to_two_places(yuan, shown):
    assert str(wan(Decimal(yuan))) == shown


def test_budget_amounts_are_stored_in_yuan_exactly(project, programme, staff_user):
    line = budget(programme, staff_user, "12345678.91", project=project)
    line.refresh_from_db()
    assert line.amount_yuan == Decimal("12345678.91")
    assert BudgetLine.objects.get().amount_yuan * 3 == Decimal("37037036.73")


# --- Citations: the NDRC rule is outside the plan (issue 14) ---------------------------------------------

NDRC = "国家发展改革委中央预算内投资要求（非本方案条款）"


def test_the_central_budget_refusal_cites_the_ndrc_as_outside_the_plan_never_seven_two(project, programme,
                                                                                     staff_user):
    """七(二) names sources of money and restricts none: 不包括小区主体改造 is NDRC practice, outside the plan."""
    with pytest.raises(ValidationError) as refused:
        budget(programme, staff_user, "1000", project=project, code="central_budget_investment",
               funding_class="basic_shell")
    message = _messages(refused.value)
    assert NDRC in message and "七(二)" not in message


def test_the_construction_cost_ceiling_cites_the_ndrc_as_outside_the_plan(project, programme, staff_user):
    with pytest.raises(ValidationError) as refused:
        budget(programme, staff_user, "1000", project=project, code="central_budget_investment",
               funding_class="basic_infrastructure")
    assert NDRC in _messages(refused.value) and "七(二)" not in _messages(refused.value)
    services.construction_cost_approve(project=project, approved_cost_yuan=Decimal("100"),
                                       document_number="靖发改〔2023〕9号", approved_on=dt.date(2023, 4, 1),
                                       user=staff_user)
    with pytest.raises(ValidationError) as refused:
        budget(programme, staff_user, "100.01", project=project, code="central_budget_investment",
               funding_class="improvement")
    assert f"以核定的建安投资为限（{NDRC}）" in _messages(refused.value)


def test_every_default_row_cites_its_real_source(programme):
    """四(二), 六(二), 七(二) name the sources without restricting their use: each allowed row cites the
    clause naming its source; the four 中央预算内资金 rows cite the NDRC, labelled outside the plan."""
    rules = list(SourceClassRule.objects.select_related("source"))
    assert len(rules) == 14 * 4
    for rule in rules:
        expected = NDRC if rule.source.code == "central_budget_investment" else rule.source.clause
        assert rule.clause == expected, rule
    assert not SourceClassRule.objects.filter(source__code="central_budget_investment", clause="七(二)").exists()


def test_a_restriction_staff_add_cites_the_county_not_a_clause(project, programme, staff_user):
    rule = SourceClassRule.objects.get(source=source("donations"), funding_class="upgrade")
    services.source_class_rule_update(rule=rule, allowed=False, capped_by_construction_cost=False,
                                      note="捐赠只用于基础类", user=staff_user)
    with pytest.raises(ValidationError, match="县住建局在资金来源适用范围表中设定（非本方案条款）"):
        budget(programme, staff_user, "10", project=project, code="donations", funding_class="upgrade")
    services.source_class_rule_update(rule=rule, allowed=True, capped_by_construction_cost=False, note="",
                                      user=staff_user)
    rule.refresh_from_db()
    assert rule.clause == "七(二)"


def test_the_data_migration_relabels_stored_rows_and_its_reverse_restores_them(programme):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("funding.migrations.0003_source_rule_citations")
    SourceClassRule.objects.update(clause="七(二)")  # as 0002 left every row
    migration.cite_real_sources(apps, None)
    assert set(SourceClassRule.objects.filter(source__code="central_budget_investment")
               .values_list("clause", flat=True)) == {NDRC}
    assert SourceClassRule.objects.get(source=source("central_fiscal_subsidy"), funding_class="basic_shell").clause \
        == "四(二)"
    migration.cite_seven_two_again(apps, None)
    assert set(SourceClassRule.objects.values_list("clause", flat=True)) == {"七(二)"}
