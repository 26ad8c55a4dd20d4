import pytest
from django.urls import reverse

from communities.models import Compound
from tests.communities.factories import CompoundFactory, make_estate
from tests.xlsx import read_xlsx

pytestmark = pytest.mark.django_db
URL = reverse("communities:compound_list")


def test_filters_select_rows_and_the_export_has_exactly_those_rows(client, users, wulan, other_town):
    make_estate(town=wulan, compounds=3, build_year=1990)
    make_estate(town=wulan, compounds=2, build_year=2005)
    make_estate(town=other_town, compounds=2, build_year=1990)
    client.force_login(users["staff"])
    query = {"town": wulan.pk, "built_before": 2000}
    page = client.get(URL, query)
    assert page.context["paginator"].count == 3
    rows = read_xlsx(client.get(URL, {**query, "export": "xlsx"}))
    assert rows[0][:2] == ["小区名称", "乡镇"]
    names = sorted(row[0] for row in rows[1:])
    expected = sorted(Compound.objects.filter(town=wulan, build_year__lt=2000).values_list("name", flat=True))
    assert names == expected


def test_sorting_by_a_column_header_orders_page_and_export_alike(client, users, wulan):
    for year in (1996, 1988, 1992):
        CompoundFactory(town=wulan, build_year=year)
    client.force_login(users["staff"])
    query = {"town": wulan.pk, "built_before": 2000, "sort": "-build_year"}
    page = client.get(URL, query)
    years = [row[3].value for row in page.context["rows"]]
    exported = read_xlsx(client.get(URL, {**query, "export": "xlsx"}))
    year_column = exported[0].index("建成年份")
    assert years == [1996, 1992, 1988]
    assert [row[year_column] for row in exported[1:]] == years
    assert f'href="?town={wulan.pk}&amp;built_before=2000&amp;sort=build_year"' in page.content.decode()


def test_pages_hold_the_configured_number_of_rows(client, users, wulan, settings):
    settings.LIST_PAGE_SIZE = 5
    make_estate(town=wulan, compounds=12)
    client.force_login(users["staff"])
    first, third = client.get(URL), client.get(URL, {"page": 3})
    assert len(first.context["rows"]) == 5
    assert first.context["paginator"].count == 15  # 12 + the plan's 3 named compounds
    assert len(third.context["rows"]) == 5
    assert "第 1 / 3 页" in first.content.decode()


def test_surveyor_lists_and_exports_only_their_town(client, users, wulan, other_town):
    make_estate(town=wulan, compounds=2)
    make_estate(town=other_town, compounds=2)
    client.force_login(users["surveyor"])
    assert client.get(URL, {"town": other_town.pk}).context["paginator"].count == 0
    rows = read_xlsx(client.get(URL, {"export": "xlsx"}))[1:]
    assert {row[1] for row in rows} == {"乌兰镇"}


def test_a_bad_filter_shows_its_error_beside_the_field_and_exports_nothing(client, users, programme):
    client.force_login(users["staff"])
    page = client.get(URL, {"built_before": "not-a-year"})
    assert page.context["paginator"].count == 0
    body = page.content.decode()
    assert 'id="id_built_before_errors"' in body and "输入一个数字" in body
    assert client.get(URL, {"built_before": "x", "export": "xlsx"}).status_code == 400


def test_formula_like_names_are_exported_as_text(client, users, wulan):
    CompoundFactory(town=wulan, name="=HYPERLINK(\"http://evil\",\"点我\")")
    client.force_login(users["staff"])
    rows = read_xlsx(client.get(URL, {"q": "HYPERLINK", "export": "xlsx"}))
    assert rows[1][0] == "'=HYPERLINK(\"http://evil\",\"点我\")"


def test_list_query_count_does_not_grow_with_rows(client, users, wulan, django_assert_num_queries):
    make_estate(town=wulan, compounds=40, buildings=2)
    client.force_login(users["staff"])
    # session, user with role and profile, count, rows, town and community choices
    with django_assert_num_queries(6):
        response = client.get(URL)
    assert len(response.context["rows"]) == 43


def test_export_query_count_does_not_grow_with_rows(client, users, wulan, django_assert_num_queries):
    make_estate(town=wulan, compounds=40, buildings=2)
    client.force_login(users["surveyor"])
    with django_assert_num_queries(4):  # + the COUNT that decides between at once and the worker
        response = client.get(URL, {"export": "xlsx"})
    assert len(read_xlsx(response)) == 44
