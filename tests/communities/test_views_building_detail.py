import pytest
from django.urls import reverse

from tests.communities.factories import make_estate

pytestmark = pytest.mark.django_db


def test_lists_its_households_masked_for_leaders(client, users, wulan):
    building = make_estate(town=wulan, households=3)[0].buildings.get()
    names = list(building.households.values_list("head_name", flat=True))
    client.force_login(users["leader"])
    body = client.get(reverse("communities:building_detail", args=[building.pk])).content.decode()
    assert "住户（3 户）" in body
    assert not any(name in body for name in names)
    client.force_login(users["surveyor"])
    body = client.get(reverse("communities:building_detail", args=[building.pk])).content.decode()
    assert all(name in body for name in names)


def test_detail_query_count_does_not_grow_with_households(client, users, wulan, django_assert_num_queries):
    building = make_estate(town=wulan, households=30)[0].buildings.get()
    client.force_login(users["surveyor"])
    # session, user with role and profile, building, households, history
    with django_assert_num_queries(5):
        assert client.get(reverse("communities:building_detail", args=[building.pk])).status_code == 200
