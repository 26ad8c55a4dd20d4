"""The project money page and its correction form: 冲销 by the roles that record each kind, the action
order of the money (下达 → 拨付 → 支出), amounts typed in 万元, and a pinned query count."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from funding import services
from funding.models import Allocation, BudgetLine, Expenditure, FundingAccount

from .factories import allocate, budget, disburse, funded_project, source, spend

pytestmark = pytest.mark.django_db

REASON = {"reason": "金额录错，应为 1.2 万元", "reversed_on": "2023-08-01"}


@pytest.fixture
def project(programme, staff_user, wulan):
    return funded_project(programme=programme, user=staff_user, town=wulan)


def _reverse_url(project, kind, row):
    return reverse("funding:movement_reverse", args=[project.pk, kind, row.pk])


def test_the_finance_liaison_reverses_a_wrong_allocation_and_the_page_shows_both_rows(client, users, project,
                                                                                      staff_user):
    wrong = allocate(project, staff_user, "120000")
    client.force_login(users["liaison"])
    form = client.get(_reverse_url(project, "allocations", wrong)).content.decode()
    assert "12.00 万元（120000.00 元）" in form and "七(五) 台账管理" in form and "会计基础工作规范" in form
    response = client.post(_reverse_url(project, "allocations", wrong), REASON)
    assert response.status_code == 302 and response["Location"].endswith("#allocations")
    reversal = Allocation.objects.get(reverses=wrong)
    assert reversal.recorded_by == users["liaison"] and reversal.amount_yuan == Decimal("-120000.00")
    assert FundingAccount.objects.get().allocated_yuan == Decimal("0.00")
    body = client.get(reverse("funding:project_funding", args=[project.pk])).content.decode()
    assert "已冲销" in body and "金额录错，应为 1.2 万元" in body and "-12.00" in body
    # Neither the original nor its reversal offers another 冲销.
    assert _reverse_url(project, "allocations", wrong) not in body
    assert _reverse_url(project, "allocations", reversal) not in body


def test_a_reversal_without_a_reason_is_refused_beside_the_reason(client, users, project, staff_user):
    wrong = allocate(project, staff_user, "1000")
    client.force_login(users["staff"])
    response = client.post(_reverse_url(project, "allocations", wrong), {"reason": "", "reversed_on": "2023-08-01"})
    assert response.status_code == 200
    assert re.search(r'id="id_reason_errors">[^<]*', response.content.decode())
    assert Allocation.objects.count() == 1


def test_an_allocation_already_disbursed_shows_why_it_cannot_be_reversed(client, users, project, staff_user):
    wrong = allocate(project, staff_user, "1000")
    disburse(project, staff_user, "600")
    client.force_login(users["staff"])
    page = client.get(_reverse_url(project, "allocations", wrong)).content.decode()
    assert re.search(r'id="refusal">[^<]*请先冲销相应的拨付记录', page)
    assert "id_reason" not in page
    response = client.post(_reverse_url(project, "allocations", wrong), REASON)
    assert "累计拨付不能超过累计下达" in " ".join(response.context["form"].non_field_errors())
    assert Allocation.objects.count() == 1


def test_a_reversed_row_cannot_be_reversed_again_from_the_page(client, users, project, staff_user):
    wrong = allocate(project, staff_user, "1000")
    services.allocation_reverse(allocation=wrong, reason="录错", reversed_on=dt.date(2023, 8, 1), user=staff_user)
    client.force_login(users["staff"])
    assert "已经冲销过" in client.get(_reverse_url(project, "allocations", wrong)).content.decode()
    response = client.post(_reverse_url(project, "allocations", wrong), REASON)
    assert response.status_code == 200 and Allocation.objects.count() == 2


def test_a_future_reversal_date_is_refused(client, users, project, staff_user):
    wrong = allocate(project, staff_user, "1000")
    client.force_login(users["staff"])
    response = client.post(_reverse_url(project, "allocations", wrong),
                           {"reason": "录错", "reversed_on": (dt.date.today() + dt.timedelta(days=2)).isoformat()})
    assert "冲销日期不能晚于今天" in " ".join(response.context["form"].errors["reversed_on"])


@pytest.mark.parametrize(("kind", "allowed"), [
    ("allocations", {"staff", "liaison"}),
    ("disbursements", {"staff", "liaison"}),
    ("expenditures", {"staff"}),
])
def test_only_the_roles_that_record_an_entry_may_reverse_it(client, users, project, staff_user, kind, allowed):
    allocate(project, staff_user, "1000")
    disburse(project, staff_user, "1000")
    row = {"allocations": lambda: Allocation.objects.get(),
           "disbursements": lambda: project_disbursement(project),
           "expenditures": lambda: spend(project, staff_user, "10")}[kind]()
    url = _reverse_url(project, kind, row)
    for role in ("staff", "liaison", "leader", "auditor", "surveyor", "outsider"):
        client.force_login(users[role])
        assert client.get(url).status_code == (200 if role in allowed else 403), role


def project_disbursement(project):
    from funding.models import Disbursement

    return Disbursement.objects.get(project=project)


def test_a_row_of_another_project_or_an_unknown_kind_is_404(client, users, project, programme, staff_user, wulan):
    other = funded_project(programme=programme, user=staff_user, town=wulan, code="jy-77")
    foreign = allocate(other, staff_user, "1000")
    client.force_login(users["staff"])
    assert client.get(_reverse_url(project, "allocations", foreign)).status_code == 404
    assert client.get(reverse("funding:movement_reverse", args=[project.pk, "pledges", foreign.pk])).status_code == 404


def test_the_actions_follow_the_money_allocate_then_disburse_then_spend(client, users, project):
    client.force_login(users["staff"])
    body = client.get(reverse("funding:project_funding", args=[project.pk])).content.decode()
    actions = body[body.index('id="money-actions"'):]
    positions = [actions.index(label) for label in ("记录下达", "记录拨付", "记录支出")]
    assert positions == sorted(positions)
    sections = [body.index(f'id="{name}"') for name in ("allocations", "disbursements", "expenditures")]
    assert sections == sorted(sections)


def test_project_funding_page_query_count_does_not_grow_with_reversals(client, users, project, programme,
                                                                      staff_user, django_assert_num_queries):
    budget(programme, staff_user, "10000000", project=project)
    day = dt.date(2023, 8, 1)
    for n in range(8):
        allocation = allocate(project, staff_user, "100000", number=f"靖财预〔2023〕{n}号")
        disbursement = disburse(project, staff_user, "50000", number=f"拨-{n}")
        expenditure = spend(project, staff_user, "10000", reference=f"HT-{n}")
        if n % 2:
            services.expenditure_reverse(expenditure=expenditure, reason="录错", reversed_on=day, user=staff_user)
            services.disbursement_reverse(disbursement=disbursement, reason="录错", reversed_on=day, user=staff_user)
            services.allocation_reverse(allocation=allocation, reason="录错", reversed_on=day, user=staff_user)
    client.force_login(users["staff"])
    url = reverse("funding:project_funding", args=[project.pk])
    client.get(url)
    with django_assert_num_queries(12):
        body = client.get(url).content.decode()
    # 4 of each kind reversed (已冲销 on the original, 冲销 on the reversal), 4 of each kind still reversible.
    assert body.count("已冲销") == 12 and body.count('<span class="tag">冲销</span>') == 12
    assert body.count("/reverse/") == 12
    assert FundingAccount.objects.get().allocated_yuan == Decimal("400000.00")


# --- Amounts typed in 万元 ----------------------------------------------------------------------------


def test_an_allocation_typed_in_wan_is_stored_in_yuan(client, users, project):
    client.force_login(users["liaison"])
    form = client.get(reverse("funding:allocation_create", args=[project.pk])).content.decode()
    assert "下达金额(万元)" in form and "data-wan-yuan" in form and "js/wan-yuan.js" in form
    assert "已记录的下达如有错误，请在项目资金页对该记录“冲销”后重新记录" in form
    client.post(reverse("funding:allocation_create", args=[project.pk]), {
        "source": source("local_self_raised").pk, "document_number": "靖财预〔2023〕7号",
        "allocated_on": "2023-04-01", "amount_yuan": "12.345678"})
    assert Allocation.objects.get().amount_yuan == Decimal("123456.78")


def test_more_precision_than_a_fen_is_refused_with_the_fix(client, users, project):
    client.force_login(users["liaison"])
    response = client.post(reverse("funding:allocation_create", args=[project.pk]), {
        "source": source("local_self_raised").pk, "document_number": "靖财预〔2023〕7号",
        "allocated_on": "2023-04-01", "amount_yuan": "12.3456789"})
    errors = " ".join(response.context["form"].errors["amount_yuan"])
    assert "金额最多精确到 0.01 元（万元后六位小数）" in errors and "123456.789 元" in errors
    assert "请删去多余的小数位" in errors
    assert 'value="12.3456789"' in response.content.decode()  # shown back as typed
    assert not Allocation.objects.exists()


def test_an_edit_form_shows_the_stored_yuan_in_wan(client, users, project, programme, staff_user):
    line = budget(programme, staff_user, "123456.70", project=project)
    client.force_login(users["staff"])
    body = client.get(reverse("funding:budget_line_edit", args=[line.pk])).content.decode()
    assert 'value="12.34567"' in body and "预算金额(万元)" in body
    client.post(reverse("funding:budget_line_edit", args=[line.pk]), {
        "project": project.pk, "source": line.source.pk, "funding_class": line.funding_class,
        "amount_yuan": "12.34567"})
    assert BudgetLine.objects.get().amount_yuan == Decimal("123456.70")


def test_an_expenditure_reversal_frees_the_money_for_the_right_payment(client, users, project, staff_user):
    allocate(project, staff_user, "10000")
    disburse(project, staff_user, "10000")
    wrong = spend(project, staff_user, "10000")
    client.force_login(users["staff"])
    client.post(_reverse_url(project, "expenditures", wrong), REASON)
    response = client.post(reverse("funding:expenditure_create", args=[project.pk]), {
        "source": source("local_self_raised").pk, "payee": "某公司", "reference": "HT-2", "paid_on": "2023-08-02",
        "amount_yuan": "1"})
    assert response.status_code == 302
    assert Expenditure.objects.count() == 3
    assert FundingAccount.objects.get().spent_yuan == Decimal("10000.00")
