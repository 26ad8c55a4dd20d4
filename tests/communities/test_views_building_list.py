import pytest
from django.urls import reverse

from tests.communities.factories import make_estate
from tests.xlsx import read_xlsx

pytestmark = pytest.mark.django_db
URL = reverse("communities:building_list")


def test_filter_by_compound_and_export_exactly_those_buildings(client, users, wulan):
    first, _second = make_estate(town=wulan, compounds=2, buildings=3, households=2)
    client.force_login(users["staff"])
    page = client.get(URL, {"compound": first.pk})
    assert page.context["paginator"].count == 3
    rows = read_xlsx(client.get(URL, {"compound": first.pk, "export": "xlsx"}))
    assert {row[0] for row in rows[1:]} == {first.name}
    recorded = rows[0].index("已录入住户")
    assert [row[recorded] for row in rows[1:]] == [2, 2, 2]


def test_demo_filter_splits_demo_buildings_from_real_ones(client, users, wulan):
    make_estate(town=wulan, buildings=2)
    make_estate(town=wulan, buildings=3, is_demo=True)
    client.force_login(users["leader"])
    assert client.get(URL, {"is_demo": "true"}).context["paginator"].count == 3
    assert client.get(URL, {"is_demo": "false"}).context["paginator"].count == 2


def test_surveyor_cannot_list_another_towns_buildings(client, users, wulan, other_town):
    make_estate(town=other_town, buildings=4)
    client.force_login(users["surveyor"])
    assert client.get(URL).context["paginator"].count == 0


def test_list_query_count_does_not_grow_with_rows(client, users, wulan, django_assert_num_queries):
    make_estate(town=wulan, compounds=10, buildings=4, households=2)
    client.force_login(users["auditor"])
    # session, user, role groups, compound choices, town choices, count, rows
    with django_assert_num_queries(5):
        response = client.get(URL)
    assert len(response.context["rows"]) == 40


def test_export_query_count_does_not_grow_with_rows(client, users, wulan, django_assert_num_queries):
    # The list reads only the columns it shows (selectors.BUILDING_LIST_FIELDS): a column read outside
    # them would cost a query per row here.
    make_estate(town=wulan, compounds=10, buildings=4, households=2)
    client.force_login(users["staff"])
    with django_assert_num_queries(4):  # session, user, the COUNT (at once or the worker), rows
        response = client.get(URL, {"export": "xlsx"})
    rows = read_xlsx(response)
    assert len(rows) == 41
    assert rows[0][:3] == ["小区", "楼栋号", "乡镇"] and rows[1][2] == wulan.name
