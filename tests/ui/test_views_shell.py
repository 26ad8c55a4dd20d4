import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

NAV = {"计划概览", "领导驾驶舱", "小区", "楼栋", "住户", "认定审核", "部门职责"}
SURVEY = {"摸底调查"}
PROJECTS = {"改造项目", "统计指标", "部门任务"}
REPORTS = {"报告"}
MONEY = {"资金"}
MONEY_HISTORY = {"资金变更记录"}
MINE = {"我的工作"}  # each role's landing page (ui.landing), for everyone
CHANGELOG = {"变更日志"}
SYSTEM = {"账号管理", "数据管理"}  # accounts, and Django's admin site for is_staff accounts (staff are)
EXPECTED_NAV = {
    "staff": MINE | NAV | SURVEY | PROJECTS | REPORTS | MONEY | MONEY_HISTORY | CHANGELOG | SYSTEM,
    "surveyor": MINE | {"计划概览", "小区", "楼栋", "住户", "认定审核"} | SURVEY,
    "leader": MINE | NAV | PROJECTS | REPORTS | MONEY,
    "liaison": MINE | {"计划概览", "部门任务", "部门职责"} | MONEY,  # the finance bureau's liaison (conftest)
    "auditor": MINE | NAV | SURVEY | PROJECTS | REPORTS | MONEY | MONEY_HISTORY | CHANGELOG,
}


@pytest.mark.parametrize("role", list(EXPECTED_NAV))
def test_navigation_shows_each_role_only_what_it_may_use(client, users, role):
    client.force_login(users[role])
    response = client.get(reverse("home"))
    assert {item["label"] for item in response.context["nav_items"]} == EXPECTED_NAV[role]
    # and every link shown opens (我的工作 by way of its redirect)
    for item in response.context["nav_items"]:
        assert client.get(item["url"], follow=True).status_code == 200, item


def test_failed_logins_are_throttled_with_a_chinese_message(client, users, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(2):
        assert client.post(reverse("login"), {"username": "alice-staff", "password": "wrong"}).status_code == 200
    locked = client.post(reverse("login"), {"username": "alice-staff", "password": "wrong"})
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    assert "请 15 分钟 后再试" in locked.content.decode() and "PT15M" not in locked.content.decode()
    from tests.conftest import PASSWORD

    still_locked = client.post(reverse("login"), {"username": "alice-staff", "password": PASSWORD})
    assert still_locked.status_code == 429
    # another account from the same address is not affected
    ok = client.post(reverse("login"), {"username": "carol-leader", "password": PASSWORD})
    assert ok.status_code == 302


def test_a_successful_login_resets_the_failure_count(client, users, settings):
    from tests.conftest import PASSWORD

    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(2):
        client.post(reverse("login"), {"username": "alice-staff", "password": "wrong"})
    assert client.post(reverse("login"), {"username": "alice-staff", "password": PASSWORD}).status_code == 302
    client.logout()
    for _ in range(2):
        assert client.post(reverse("login"), {"username": "alice-staff", "password": "wrong"}).status_code == 200


def test_login_errors_sit_beside_their_field(client, db):
    body = client.post(reverse("login"), {"username": "", "password": ""}).content.decode()
    assert 'id="id_username_errors"' in body and 'id="id_password_errors"' in body


def test_refusal_pages_are_chinese(client, users, settings):
    settings.DEBUG = False
    client.force_login(users["surveyor"])
    assert "无权访问" in client.get(reverse("ui:dashboard")).content.decode()
    assert "未找到" in client.get(reverse("communities:compound_detail", args=[999999])).content.decode()


def test_print_stylesheet_is_served_and_linked(client, users):
    client.force_login(users["leader"])
    assert 'href="/static/css/print.css" media="print"' in client.get(reverse("ui:dashboard")).content.decode()
    assert client.get("/static/css/print.css").status_code == 200
