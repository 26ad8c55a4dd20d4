"""The money pages: lists with pinned query counts, forms with errors beside fields, the editor,
the reconciliation, and who may open what beyond the role matrix."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from agencies.choices import Role
from agencies.models import Agency
from agencies.services import user_create
from funding.models import Allocation, BudgetLine, Disbursement, FundingAccount, Pledge, SourceClassRule
from tests.xlsx import read_xlsx

from .factories import allocate, budget, funded_project, source

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(programme, staff_user, wulan):
    return funded_project(programme=programme, user=staff_user, town=wulan)


@pytest.fixture
def many_lines(programme, staff_user, wulan):
    """17 projects with 3 lines each, plus a programme-level line: 52 lines, more than one page (50), so an
    N+1 would show and the pager is exercised."""
    projects = [funded_project(programme=programme, user=staff_user, town=wulan, code=f"jy-{n:02d}")
                for n in range(17)]
    for project in projects:
        for code in ("local_self_raised", "local_special_bonds", "central_fiscal_subsidy"):
            budget(programme, staff_user, "10000.55", project=project, code=code, funding_class="basic_shell")
        allocate(project, staff_user, "5000")
    budget(programme, staff_user, "1234567.89")
    return projects


def test_budget_line_list_query_count_does_not_grow(client, users, many_lines, django_assert_num_queries):
    client.force_login(users["leader"])
    # session, user, groups (role), count, page rows (one join), the source filter's choices
    with django_assert_num_queries(5):
        response = client.get(reverse("funding:budget_line_list"))
    assert response.status_code == 200
    assert response.context["paginator"].count == 52
    body = response.content.decode()
    assert "1.00" in body and "123.46" in body  # 10000.55 元 and 1234567.89 元 in 万元


def test_budget_line_filter_then_export_gives_yuan_and_wan(client, users, many_lines):
    client.force_login(users["auditor"])
    url = reverse("funding:budget_line_list") + "?source=central_fiscal_subsidy"
    assert client.get(url).context["paginator"].count == 17
    rows = read_xlsx(client.get(url + "&export=xlsx"))
    header, data = rows[0], rows[1:]
    assert len(data) == 17
    assert header[:6] == ["项目编号", "项目名称", "资金来源", "改造内容类别", "国家分类（国办发〔2020〕23号）", "预算金额(万元)"]
    assert data[0][2] == "中央财政补助" and data[0][4] == "基础类"
    assert Decimal(str(data[0][5])) == Decimal("1.00") and Decimal(str(data[0][6])) == Decimal("10000.55")


def test_programme_level_lines_are_listed_as_such(client, users, many_lines):
    client.force_login(users["staff"])
    response = client.get(reverse("funding:budget_line_list") + "?programme_level=true")
    assert response.context["paginator"].count == 1
    assert "全计划" in response.content.decode()
    assert client.get(reverse("funding:budget_line_list") + "?is_demo=false").context["paginator"].count == 52
    project = many_lines[0]
    assert client.get(reverse("funding:budget_line_list") + f"?project={project.pk}").context[
        "paginator"].count == 3


def test_project_funding_page_shows_each_source_in_wan(client, users, project, staff_user, programme,
                                                       django_assert_max_num_queries):
    budget(programme, staff_user, "1000000", project=project)
    allocate(project, staff_user, "600000")
    client.force_login(users["liaison"])
    with django_assert_max_num_queries(16):
        body = client.get(reverse("funding:project_funding", args=[project.pk])).content.decode()
    assert "地方自筹" in body and "100.00" in body and "60.00" in body
    assert "记录下达" in body and "记录拨付" in body and "新增预算明细" not in body


def test_allocation_form_records_and_returns_to_the_project(client, users, project):
    client.force_login(users["liaison"])
    response = client.post(reverse("funding:allocation_create", args=[project.pk]), {
        "source": source("local_self_raised").pk, "document_number": "靖财预〔2023〕7号",
        "allocated_on": "2023-04-01", "amount_yuan": "25.00"})  # 万元, as the page shows
    assert response.status_code == 302
    allocation = Allocation.objects.get()
    assert allocation.recorded_by == users["liaison"]
    assert FundingAccount.objects.get().allocated_yuan == Decimal("250000.00")


def test_disbursement_refusal_is_shown_beside_the_amount(client, users, project, staff_user):
    allocate(project, staff_user, "1000")
    client.force_login(users["liaison"])
    response = client.post(reverse("funding:disbursement_create", args=[project.pk]), {
        "source": source("local_self_raised").pk, "voucher_number": "拨-9", "disbursed_on": "2023-05-01",
        "amount_yuan": "0.100001"})  # 1000.01 元
    assert response.status_code == 200
    assert "累计拨付不能超过累计下达" in " ".join(response.context["form"].errors["amount_yuan"])
    assert re.search(r'id="id_amount_yuan_errors">[^<]*累计拨付不能超过累计下达', response.content.decode())
    assert not Disbursement.objects.exists()


def test_budget_form_shows_the_no_double_subsidy_refusal_beside_the_source(client, users, programme, staff_user,
                                                                          wulan):
    barred = funded_project(programme=programme, user=staff_user, town=wulan, code="jy-9", in_shantytown_plan=True)
    client.force_login(users["staff"])
    response = client.post(reverse("funding:budget_line_create"), {
        "project": barred.pk, "source": source("central_fiscal_subsidy").pk, "funding_class": "basic_shell",
        "amount_yuan": "1000"})
    assert response.status_code == 200
    assert "不得重复申报中央补助（三(二)）" in " ".join(response.context["form"].errors["source"])
    assert not BudgetLine.objects.exists()


def test_budget_form_validates_the_amount(client, users):
    client.force_login(users["staff"])
    response = client.post(reverse("funding:budget_line_create"), {
        "source": source("local_self_raised").pk, "funding_class": "upgrade", "amount_yuan": "12.3456789"})
    assert "金额最多精确到 0.01 元" in " ".join(response.context["form"].errors["amount_yuan"])


def test_staff_edit_a_budget_line(client, users, project, programme, staff_user):
    line = budget(programme, staff_user, "1000", project=project)
    client.force_login(users["staff"])
    response = client.post(reverse("funding:budget_line_edit", args=[line.pk]), {
        "project": project.pk, "source": line.source.pk, "funding_class": "upgrade", "amount_yuan": "0.20005"})
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.amount_yuan == Decimal("2000.50") and line.funding_class == "upgrade"


def test_expenditure_and_pledge_forms(client, users, project, staff_user):
    allocate(project, staff_user, "1000")
    from .factories import disburse

    disburse(project, staff_user, "800")
    client.force_login(users["staff"])
    response = client.post(reverse("funding:expenditure_create", args=[project.pk]), {
        "source": source("local_self_raised").pk, "payee": "某公司", "reference": "HT-1", "paid_on": "2023-06-01",
        "amount_yuan": "0.08"})
    assert response.status_code == 302
    response = client.post(reverse("funding:pledge_create", args=[project.pk]), {
        "source": source("original_employer").pk, "pledger": "原房产局", "pledged_yuan": "5",
        "pledged_on": "2023-04-01", "received_yuan": "6"})
    assert "实际到位不能超过承诺出资" in response.content.decode()
    client.post(reverse("funding:pledge_create", args=[project.pk]), {
        "source": source("original_employer").pk, "pledger": "原房产局", "pledged_yuan": "5",
        "pledged_on": "2023-04-01", "received_yuan": "2"})
    pledge = Pledge.objects.get()
    edit = reverse("funding:pledge_edit", args=[project.pk, pledge.pk])
    client.force_login(users["liaison"])
    assert client.get(edit).status_code == 200
    client.post(edit, {"source": source("original_employer").pk, "pledger": "原房产局", "pledged_yuan": "5",
                       "pledged_on": "2023-04-01", "received_yuan": "5", "received_on": "2023-07-01"})
    pledge.refresh_from_db()
    assert pledge.received_yuan == Decimal("50000") and pledge.outstanding_yuan == 0
    body = client.get(reverse("funding:project_funding", args=[project.pk])).content.decode()
    assert "原房产局" in body


def test_pledge_edit_of_another_project_is_404_and_others_403(client, users, project, programme, staff_user, wulan):
    from funding import services

    other = funded_project(programme=programme, user=staff_user, town=wulan, code="jy-77")
    pledge = services.pledge_save(project=other, source=source("utility_contribution"), pledger="燃气公司",
                                  pledged_yuan=Decimal(1), pledged_on=dt.date(2023, 4, 1), user=staff_user)
    client.force_login(users["staff"])
    assert client.get(reverse("funding:pledge_edit", args=[project.pk, pledge.pk])).status_code == 404
    own = reverse("funding:pledge_edit", args=[other.pk, pledge.pk])
    for role, status in {"staff": 200, "liaison": 200, "leader": 403, "auditor": 403, "surveyor": 403,
                         "outsider": 403}.items():
        client.force_login(users[role])
        assert client.get(own).status_code == status, role


def test_a_liaison_of_another_agency_sees_no_money(client, roles, programme, project):
    water = Agency.objects.exclude(code="finance").first()
    liaison = user_create(username="wendy-water", password="x-pass-123!", role=Role.LIAISON, agency=water)
    client.force_login(liaison)
    for url in (reverse("funding:budget_line_list"), reverse("funding:reconciliation"),
                reverse("funding:project_funding", args=[project.pk]),
                reverse("funding:allocation_create", args=[project.pk])):
        assert client.get(url).status_code == 403, url


def test_surveyor_cannot_record_a_disbursement(client, users, project, staff_user):
    allocate(project, staff_user, "1000")
    client.force_login(users["surveyor"])
    response = client.post(reverse("funding:disbursement_create", args=[project.pk]), {
        "source": source("local_self_raised").pk, "voucher_number": "拨-1", "disbursed_on": "2023-05-01",
        "amount_yuan": "1"})
    assert response.status_code == 403
    assert not Disbursement.objects.exists()


def test_staff_edit_the_source_class_table(client, users, programme):
    client.force_login(users["staff"])
    response = client.get(reverse("funding:source_class_rules"))
    formset = response.context["formset"]
    assert len(formset.forms) == 56
    data = {"form-TOTAL_FORMS": "56", "form-INITIAL_FORMS": "56"}
    target = SourceClassRule.objects.get(source__code="donations", funding_class="upgrade")
    for index, form in enumerate(formset.forms):
        initial = form.initial
        data[f"form-{index}-rule_id"] = initial["rule_id"]
        allowed = initial["allowed"] and initial["rule_id"] != target.pk
        if allowed:
            data[f"form-{index}-allowed"] = "on"
        if initial["capped_by_construction_cost"]:
            data[f"form-{index}-capped_by_construction_cost"] = "on"
        data[f"form-{index}-note"] = "捐赠不用于提升类" if initial["rule_id"] == target.pk else initial["note"]
    assert client.post(reverse("funding:source_class_rules"), data).status_code == 302
    target.refresh_from_db()
    assert target.allowed is False and target.note == "捐赠不用于提升类"
    assert target.history.first().history_user == users["staff"]
    # Only the changed row got a history entry.
    assert SourceClassRule.history.filter(history_type="~").count() == 1
    body = client.get(reverse("funding:source_class_rules")).content.decode()
    assert "中央预算内资金不包括小区主体改造（房屋本体）" in body


def test_the_rules_page_labels_the_central_budget_rule_as_outside_the_plan(client, users, programme):
    """The plan (七(二)) restricts no source: the page names the NDRC as the source, outside the plan."""
    client.force_login(users["staff"])
    body = client.get(reverse("funding:source_class_rules")).content.decode()
    assert "国家发展改革委中央预算内投资要求（非本方案条款）" in body
    assert "七(二)）。默认" not in body and "（七(二)）。默认" not in body
    assert "国家分类（国办发〔2020〕23号" in body


def test_reconciliation_page_shows_the_difference_never_hidden(client, users, programme, staff_user):
    budget(programme, staff_user, "270000000.00")
    client.force_login(users["leader"])
    body = client.get(reverse("funding:reconciliation")).content.decode()
    assert re.search(r'data-figure="target">27018.02<', body)
    assert re.search(r'data-figure="budgeted">27000.00<', body)
    assert re.search(r'data-figure="difference">-18.02<', body)
    assert "尚未落实到预算明细" in body


def test_reconciliation_page_query_count(client, users, many_lines, django_assert_num_queries):
    client.force_login(users["auditor"])
    with django_assert_num_queries(9):
        assert client.get(reverse("funding:reconciliation")).status_code == 200
