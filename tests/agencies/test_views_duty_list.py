import pytest
from django.urls import reverse

from agencies.models import Duty
from tests.xlsx import read_xlsx

pytestmark = pytest.mark.django_db
URL = reverse("agencies:duty_list")


def test_liaison_lists_and_exports_only_their_agencys_duties(client, users, finance_agency):
    client.force_login(users["liaison"])
    page = client.get(URL)
    expected = Duty.objects.filter(agency=finance_agency).count()
    assert expected and page.context["paginator"].count == expected
    rows = read_xlsx(client.get(URL, {"export": "xlsx"}))
    assert {row[0] for row in rows[1:]} == {finance_agency.name}
    assert len(rows) == expected + 1
    # choosing another agency in the filter shows nothing rather than its duties
    other = Duty.objects.exclude(agency=finance_agency).first().agency
    assert client.get(URL, {"agency": other.pk}).context["paginator"].count == 0


def test_keyword_filter_and_export_match(client, users, programme):
    client.force_login(users["leader"])
    query = {"q": "资金"}
    count = client.get(URL, query).context["paginator"].count
    assert 0 < count < Duty.objects.count()
    assert len(read_xlsx(client.get(URL, {**query, "export": "xlsx"}))) == count + 1


def test_list_query_count_does_not_grow_with_rows(client, users, programme, django_assert_num_queries):
    assert Duty.objects.count() >= 30
    client.force_login(users["staff"])
    # session, user, role groups, agency choices, count, rows
    with django_assert_num_queries(5):
        response = client.get(URL)
    assert len(response.context["rows"]) == min(Duty.objects.count(), 50)
