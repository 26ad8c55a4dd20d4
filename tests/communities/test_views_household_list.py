import pytest
from django.urls import reverse

from communities.models import Household
from communities.totals import town_totals_refresh
from tests.communities.factories import HouseholdFactory, make_estate
from tests.xlsx import read_xlsx

pytestmark = pytest.mark.django_db
URL = reverse("communities:household_list")


@pytest.fixture
def resident(wulan):
    from tests.communities.factories import BuildingFactory, CompoundFactory

    building = BuildingFactory(compound=CompoundFactory(town=wulan, name="测试小区-住户"))
    resident = HouseholdFactory(building=building, head_name="王测试", phone="13912345678")
    town_totals_refresh(town_ids=[wulan.pk])  # as the services that record households do
    return resident


@pytest.mark.parametrize("role", ["staff", "surveyor"])
def test_staff_and_the_towns_surveyor_read_names_and_phones(client, users, resident, role):
    client.force_login(users[role])
    assert "王测试" in client.get(URL).content.decode()
    rows = read_xlsx(client.get(URL, {"export": "xlsx"}))
    name, phone = rows[0].index("户主姓名"), rows[0].index("联系电话")
    assert (rows[1][name], rows[1][phone]) == ("王测试", "13912345678")


@pytest.mark.parametrize("role", ["leader", "auditor"])
def test_other_roles_see_masked_names_on_the_page_and_in_the_export(client, users, resident, role):
    client.force_login(users[role])
    body = client.get(URL).content.decode()
    assert "王测试" not in body and "13912345678" not in body
    assert "王**" in body and "139****5678" in body
    rows = read_xlsx(client.get(URL, {"export": "xlsx"}))
    name, phone = rows[0].index("户主姓名"), rows[0].index("联系电话")
    assert (rows[1][name], rows[1][phone]) == ("王**", "139****5678")
    assert "王测试" not in str(rows)


def test_searching_by_resident_is_only_for_roles_that_may_read_them(client, users, resident):
    client.force_login(users["leader"])
    response = client.get(URL, {"resident": "王"})
    assert "resident" not in response.context["filter"].form.fields
    client.force_login(users["staff"])
    assert client.get(URL, {"resident": "王"}).context["paginator"].count == 1
    assert client.get(URL, {"resident": "李"}).context["paginator"].count == 0


def test_surveyor_sees_only_their_towns_households(client, users, resident, other_town):
    make_estate(town=other_town, households=3)
    client.force_login(users["surveyor"])
    assert client.get(URL).context["paginator"].count == 1


def test_filter_by_building_from_the_building_page_and_export_those_rows(client, users, wulan):
    compound = make_estate(town=wulan, buildings=2, households=4)[0]
    first = compound.buildings.order_by("pk").first()
    client.force_login(users["staff"])
    assert client.get(URL, {"building": first.pk}).context["paginator"].count == 4
    assert len(read_xlsx(client.get(URL, {"building": first.pk, "export": "xlsx"}))) == 5
    Household.objects.filter(building__compound=compound).update(renovation_consent="undecided")
    Household.objects.filter(pk=first.households.order_by("pk").first().pk).update(renovation_consent="agree")
    assert client.get(URL, {"compound": compound.pk, "renovation_consent": "agree"}).context["paginator"].count == 1


@pytest.mark.parametrize(("role", "queries"), [("staff", 4), ("leader", 4), ("surveyor", 4)])
def test_list_query_count_does_not_grow_with_rows(client, users, wulan, django_assert_num_queries, role, queries):
    make_estate(town=wulan, compounds=5, buildings=2, households=5)
    client.force_login(users[role])
    # session, user with role and profile (surveyor: town and masking), compound choices, count, rows
    with django_assert_num_queries(queries):
        response = client.get(URL)
    assert len(response.context["rows"]) == 50


@pytest.mark.parametrize("role", ["staff", "surveyor", "auditor"])
def test_export_query_count_does_not_grow_with_rows(client, users, wulan, django_assert_num_queries, role):
    # The list reads only the columns it shows (selectors.HOUSEHOLD_LIST_FIELDS), the town only as the
    # compound's key for masking: a column read outside them would cost a query per row here.
    make_estate(town=wulan, compounds=5, buildings=2, households=5)
    client.force_login(users[role])
    with django_assert_num_queries(4):  # session, user with role and profile, the COUNT, rows
        response = client.get(URL, {"export": "xlsx"})
    rows = read_xlsx(response)
    assert len(rows) == 51
    name = rows[0].index("户主姓名")
    masked = {"auditor": True}.get(role, False)
    assert all(("*" in row[name]) == masked for row in rows[1:] if len(row[name]) > 1)
