import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_login(client, programme):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", ["staff", "surveyor", "leader", "liaison", "auditor"])
def test_every_role_reads_the_programme(client, users, role):
    client.force_login(users[role])
    response = client.get(reverse("home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "靖政发〔2023〕75号" in body
    assert "27018.02 万元" in body
    assert "75.07 万㎡" in body
    assert "2024年5月31日" in body
    assert "（文件未列姓名）" in body


def test_user_without_a_role_is_refused(client, users):
    client.force_login(users["outsider"])
    assert client.get(reverse("home")).status_code == 403


def test_home_page_query_count_does_not_grow_with_duties(client, users, django_assert_max_num_queries):
    client.force_login(users["leader"])
    with django_assert_max_num_queries(16):
        assert client.get(reverse("home")).status_code == 200


def test_login_page_is_chinese_and_rejects_bad_password(client, users):
    response = client.post(reverse("login"), {"username": "alice-staff", "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_static_css_is_served_by_the_app(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200


def test_healthz_reports_the_database(client, db, settings):
    settings.REDIS_URL = None  # no broker configured: tasks run in-process, nothing else to check
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"


def _figure(body: str, name: str) -> str:
    import re

    match = re.search(rf'data-figure="{name}">([^<]*)<', body)
    assert match, name
    return match.group(1).strip()


def test_home_shows_the_recorded_budget_once_lines_exist_and_area_in_wan_m2(client, users, programme, wulan):
    """二、目标任务: the target is 75.07万㎡ and 27018.02万元; what is recorded stands beside it in the same units,
    and the same figures as the dashboard's for today."""
    from decimal import Decimal

    from funding.models import FundingSourceKind
    from funding.services import budget_line_save
    from tests.communities.factories import make_estate

    client.force_login(users["leader"])
    assert "资金预算尚未录入" in client.get(reverse("home")).content.decode()
    estates = make_estate(town=wulan, compounds=2, buildings=1, households=1)
    from communities.models import Compound
    from communities.totals import town_totals_refresh

    Compound.objects.filter(pk__in=[e.pk for e in estates]).update(floor_area_m2=Decimal("12345.67"))
    town_totals_refresh(town_ids=[wulan.pk])
    budget_line_save(programme=programme, source=FundingSourceKind.objects.get(code="local_self_raised"),
                     funding_class="improvement", amount_yuan=Decimal("1234567.89"), user=users["staff"])
    body = client.get(reverse("home")).content.decode()
    assert "资金预算尚未录入" not in body
    assert _figure(body, "budget-real") == "123.46 万元"
    assert _figure(body, "floor_area-real") == "2.47 万㎡"
    dashboard = client.get(reverse("ui:dashboard")).content.decode()
    assert _figure(dashboard, "floor_area-real") == "2.47"
    assert _figure(dashboard, "budget-real") == "123.46"
