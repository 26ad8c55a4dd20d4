"""The change log page (/changelog/): every change with who, when, which record, old → new; filters;
export of the filtered lines; residents' names and phones masked for roles that may not read them."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from changelog.models import Change
from communities.services import compound_facts_update
from tests.communities.factories import BuildingFactory, CompoundFactory, HouseholdFactory
from tests.funding.factories import allocate, funded_project
from tests.xlsx import read_xlsx

pytestmark = pytest.mark.django_db
URL = "/changelog/"


@pytest.fixture
def history(programme, users, wulan, other_town):
    """A household renamed by staff in 乌兰镇, a compound edited by a surveyor, money allocated by the liaison."""
    household = HouseholdFactory(building=BuildingFactory(compound=CompoundFactory(town=wulan, name="日志小区")),
                                 head_name="王小明", phone="13912345678")
    household._history_user = users["staff"]
    household.head_name, household.phone = "王大明", "13987654321"
    household.save()
    compound = CompoundFactory(town=other_town, name="东湾小区")
    compound_facts_update(compound=compound, user=users["surveyor"], changes={"in_shantytown_plan": True})
    project = funded_project(programme=programme, user=users["staff"], town=wulan, code="log-01")
    allocate(project, users["liaison"], "600000")
    return {"household": household, "compound": compound, "project": project}


def _lines(client, query=""):
    response = client.get(URL + query)
    assert response.status_code == 200
    return response.context["lines"]


def test_the_url_is_the_named_page():
    assert reverse("changelog:change_log") == URL


def test_auditor_reads_who_when_what_and_old_to_new_by_display_name(client, users, history):
    client.force_login(users["auditor"])
    lines = _lines(client, "?object_type=communities.household&action=~")
    [edit] = lines
    assert edit.who == "测试·住建局工作人员" and edit.object_type == "住户" and edit.action == "修改"
    assert edit.url == reverse("communities:household_detail", args=[history["household"].pk])
    # The auditor may not read residents' names and phones: masked, old and new alike.
    assert ("户主姓名", "王**", "王**") in edit.changes
    assert ("联系电话", "139****5678", "139****4321") in edit.changes
    page = client.get(URL).content.decode()
    assert "王小明" not in page and "13912345678" not in page
    assert "alice-staff" not in page and "dave-liaison" not in page  # login names appear nowhere


def test_staff_read_residents_names_in_full(client, users, history):
    client.force_login(users["staff"])
    [edit] = _lines(client, "?object_type=communities.household&action=~")
    assert ("户主姓名", "王小明", "王大明") in edit.changes


def test_money_changes_link_to_the_projects_money_page(client, users, history):
    client.force_login(users["auditor"])
    lines = _lines(client, f"?object_type=funding.allocation&user={users['liaison'].pk}")
    assert lines and all(line.who == "测试·县财政局联络员" for line in lines)
    assert lines[0].url == reverse("funding:project_funding", args=[history["project"].pk])
    assert ("金额(元)", "—", "600000.00") in lines[0].changes


def test_filters_by_town_project_user_and_dates(client, users, history, other_town, wulan):
    client.force_login(users["auditor"])
    east = _lines(client, f"?town={other_town.pk}")
    assert {line.object_label for line in east if line.object_type == "小区"} == {"东湾小区"}
    assert not any(line.object_label == "日志小区" for line in east)
    by_project = _lines(client, f"?project={history['project'].pk}")
    assert by_project and {line.object_type for line in by_project} >= {"改造项目", "资金下达"}
    assert _lines(client, f"?user={users['surveyor'].pk}")
    assert all(line.who == "测试·乌兰镇调查员" for line in _lines(client, f"?user={users['surveyor'].pk}"))
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert _lines(client, f"?date_from={tomorrow}") == []
    assert len(_lines(client, f"?date_to={timezone.localdate()}")) == min(Change.objects.count(), 50)


def test_a_reversed_date_range_is_refused_beside_its_field_and_not_exported(client, users, history):
    client.force_login(users["auditor"])
    response = client.get(URL + "?date_from=2024-05-31&date_to=2023-01-01")
    assert "截止日期不能早于起始日期" in response.content.decode()
    assert response.context["lines"] == []
    assert client.get(URL + "?date_from=2024-05-31&date_to=2023-01-01&export=xlsx").status_code == 400


def test_export_holds_the_filtered_lines_one_row_per_field_masked_for_the_auditor(client, users, history):
    client.force_login(users["auditor"])
    rows = read_xlsx(client.get(URL + "?object_type=communities.household&export=xlsx"))
    assert rows[0] == ["时间", "操作人", "对象类型", "对象", "操作", "字段", "原值", "新值", "原因"]
    assert {row[2] for row in rows[1:]} == {"住户"}
    names = [row for row in rows[1:] if row[5] == "户主姓名"]
    assert sorted(tuple(row[6:8]) for row in names) == [("—", "王**"), ("王**", "王**")]
    assert not any("王小明" in str(cell) or "13912345678" in str(cell) for row in rows for cell in row)
    assert all(row[1] in ("测试·住建局工作人员", "系统") for row in rows[1:])


def test_the_page_reads_a_fixed_number_of_queries_however_many_lines(client, users, history,
                                                                      django_assert_num_queries):
    """50 lines of several kinds (households, buildings, money, tasks): per kind on the page two queries
    for the history rows and the rows before them, one per kind of record they name; never per line.

    (session, user, count, page; 5 kinds × 2; 6 kinds of named record and their users; 3 drop-downs)
    """
    building = BuildingFactory(compound=history["household"].building.compound)
    HouseholdFactory.create_batch(30, building=building)
    for household in building.households.all()[:10]:
        household.floor_area_m2 = Decimal("66.00")
        household._history_user = users["staff"]
        household.save()
    client.force_login(users["auditor"])
    client.get(URL)  # warm the session and the role cache
    with django_assert_num_queries(22):
        response = client.get(URL)
    assert len(response.context["lines"]) == 50


def test_a_role_change_is_in_the_log_and_a_login_is_not(client, users, roles):
    """Users' roles are their role groups: moving an account from 调查员 to 领导 is a line of the log."""
    from agencies.choices import Role
    from agencies.services import user_create
    from tests.conftest import PASSWORD

    moved = user_create(username="frank", full_name="测试·换岗人员", password=PASSWORD, role=Role.SURVEYOR,
                        town=users["surveyor"].profile.town)
    user_create(username="frank", full_name="测试·换岗人员", password=PASSWORD, role=Role.LEADER)
    assert client.login(username="frank", password=PASSWORD)  # a login changes no record
    client.force_login(users["auditor"])
    lines = [line for line in _lines(client, "?object_type=auth.user") if line.object_label == "测试·换岗人员"]
    assert lines and {line.object_type for line in lines} == {"用户"}
    roles_seen = [change for line in lines for change in line.changes if change[0] == "角色"]
    assert ("角色", "调查员", "—") in roles_seen and ("角色", "—", "领导") in roles_seen
    assert not any(change[0] in ("用户名", "username", "密码", "上次登录") for line in lines
                   for change in line.changes)
    assert Change.objects.filter(object_type="auth.user", object_id=moved.pk).count() == len(
        moved.history.all())


def test_a_log_longer_than_the_cap_is_counted_only_to_the_cap(client, users, history, monkeypatch):
    """Counting millions of lines for the pager would cost more than the page: beyond the cap it says so."""
    import changelog.views

    monkeypatch.setattr(changelog.views, "COUNT_CAP", 5)
    client.force_login(users["auditor"])
    response = client.get(URL)
    assert response.context["paginator"].count == 6 and response.context["paginator"].capped
    assert '<strong id="result-count">超过 5</strong>' in response.content.decode()
    assert len(response.context["lines"]) == min(Change.objects.count(), 50)  # the page is whole
