"""The auditors' change history: every money change with who, when, old and new; filters; export."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from funding import services
from funding.models import SourceClassRule
from tests.xlsx import read_xlsx

from .factories import allocate, budget, disburse, funded_project, source, spend

pytestmark = pytest.mark.django_db


@pytest.fixture
def changes(programme, staff_user, liaison_user, wulan):
    project = funded_project(programme=programme, user=staff_user, town=wulan)
    line = budget(programme, staff_user, "1000000", project=project)
    services.budget_line_save(programme=programme, project=project, source=line.source, funding_class="upgrade",
                              amount_yuan=Decimal("1200000"), user=staff_user, line=line)
    allocate(project, liaison_user, "600000")
    disburse(project, liaison_user, "400000")
    spend(project, staff_user, "100000")
    pledge = services.pledge_save(project=project, source=source("utility_contribution"), pledger="供电公司",
                                  pledged_yuan=Decimal(80000), pledged_on=dt.date(2023, 4, 1), user=staff_user)
    services.pledge_save(project=project, source=pledge.source, pledger="供电公司", pledged_yuan=Decimal(80000),
                         received_yuan=Decimal(30000), pledged_on=dt.date(2023, 4, 1), user=liaison_user,
                         pledge=pledge)
    services.construction_cost_approve(project=project, approved_cost_yuan=Decimal(900000), document_number="批-1",
                                       approved_on=dt.date(2023, 4, 1), user=staff_user)
    rule = SourceClassRule.objects.get(source__code="donations", funding_class="upgrade")
    services.source_class_rule_update(rule=rule, allowed=False, capped_by_construction_cost=False, note="试",
                                      user=staff_user)
    services.budget_line_delete(line=line, user=staff_user)
    return project


def _entries(client, query=""):
    return client.get(reverse("funding:money_history") + query).context["entries"]


def test_every_money_change_has_its_user_old_and_new(client, users, changes):
    client.force_login(users["auditor"])
    entries = _entries(client, "?date_from=2000-01-01")  # the 56 default rules are from the loader (系统)
    kinds = {e.model_label for e in entries if e.who != "系统"}
    assert kinds == {"预算明细", "资金下达", "资金拨付", "资金支出", "项目资金账户", "出资承诺", "核定建安投资",
                     "资金来源适用范围"}
    edit = next(e for e in entries if e.model_label == "预算明细" and e.action == "修改")
    assert edit.who == "测试·住建局工作人员"
    assert ("预算金额(元)", "1000000.00", "1200000.00") in edit.changes
    assert ("改造内容类别", "完善类", "提升类") in edit.changes
    deleted = next(e for e in entries if e.model_label == "预算明细" and e.action == "删除")
    assert ("预算金额(元)", "1200000.00", "—") in deleted.changes
    disbursed = next(e for e in entries if e.model_label == "项目资金账户" and "拨付" in e.reason)
    assert disbursed.who == "测试·县财政局联络员"
    assert ("已拨付(元)", "0.00", "400000.00") in disbursed.changes
    received = next(e for e in entries if e.model_label == "出资承诺" and e.action == "修改")
    assert received.who == "测试·县财政局联络员" and ("实际到位(元)", "0.00", "30000.00") in received.changes
    created = next(e for e in entries if e.model_label == "资金下达")
    assert ("下达文号", "—", "靖财预〔2023〕1号") in created.changes and ("资金来源", "—", "地方自筹") in created.changes
    rule = next(e for e in entries if e.model_label == "资金来源适用范围" and e.action == "修改")
    assert ("可以支付", "是", "否") in rule.changes


def test_history_filters_by_model_user_and_date(client, users, changes):
    client.force_login(users["auditor"])
    only = _entries(client, "?model=disbursement")
    assert [e.model_label for e in only] == ["资金拨付"]
    by_liaison = _entries(client, f"?user={users['liaison'].pk}")
    assert by_liaison and all(e.who == "测试·县财政局联络员" for e in by_liaison)
    assert _entries(client, "?date_to=2000-01-01") == []
    response = client.get(reverse("funding:money_history") + "?date_from=2024-01-02&date_to=2024-01-01")
    assert "截止日期不能早于起始日期" in response.content.decode()
    bad_export = client.get(reverse("funding:money_history") + "?date_from=2024-01-02&date_to=2024-01-01&export=xlsx")
    assert bad_export.status_code == 400


def test_history_export_has_one_row_per_changed_field(client, users, changes):
    client.force_login(users["auditor"])
    rows = read_xlsx(client.get(reverse("funding:money_history") + "?model=budgetline&export=xlsx"))
    assert rows[0] == ["时间", "操作人", "记录类型", "记录", "操作", "字段", "原值", "新值", "原因"]
    assert rows[1][1:3] == ["测试·住建局工作人员", "预算明细"]
    assert any(r[5] == "预算金额(元)" and r[6] == "1000000.00" and r[7] == "1200000.00" for r in rows[1:])


def test_history_page_query_count_does_not_grow_with_entries(client, users, programme, staff_user, wulan,
                                                             django_assert_num_queries):
    project = funded_project(programme=programme, user=staff_user, town=wulan)
    for n in range(40):
        allocate(project, staff_user, "100", number=f"文-{n}")
    client.force_login(users["auditor"])
    # session, user, groups, user choices, count, page (UNION); per kind on the page: records + whole
    # histories (2 kinds here: allocation, account); labels: projects, sources, users (no programme ids).
    with django_assert_num_queries(12):
        response = client.get(reverse("funding:money_history") + "?date_from=2000-01-01&model=")
    assert len(response.context["entries"]) == 50


def test_a_reversal_reads_as_a_reversal_with_its_reason_and_the_row_it_reverses(client, users, staff_user, programme,
                                                                          wulan):
    project = funded_project(programme=programme, user=staff_user, town=wulan, code="jy-rv")
    wrong = allocate(project, staff_user, "1000")
    services.allocation_reverse(allocation=wrong, reason="重复录入", reversed_on=dt.date(2023, 8, 1), user=staff_user)
    client.force_login(users["auditor"])
    body = client.get(reverse("funding:money_history") + "?model=allocation").content.decode()
    assert "冲销" in body and "重复录入" in body and f"#{wrong.pk}" in body
    assert "冲销下达 靖财预〔2023〕1号：重复录入" in body
