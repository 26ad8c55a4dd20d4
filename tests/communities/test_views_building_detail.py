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


def test_a_post_2000_building_joined_to_a_renovation_compound_shows_may_apply_for_relaxation_three_1(
        client, users, wulan, django_assert_num_queries):
    """三(一): a later building surveyed 与改造小区紧密相连 shows 「可申请放宽认定」, read in the same queries."""
    from communities.services import compound_assess
    from tests.communities.factories import BuildingFactory, CompoundFactory

    compound = CompoundFactory(town=wulan, build_year=2006)
    joined = BuildingFactory(compound=compound, number="5号楼", build_year=2006, joined_to_renovation_compound=True)
    apart = BuildingFactory(compound=compound, number="6号楼", build_year=2006, joined_to_renovation_compound=False)
    compound_assess(compound=compound)
    client.force_login(users["staff"])
    with django_assert_num_queries(5):
        body = client.get(reverse("communities:building_detail", args=[joined.pk])).content.decode()
    assert "可申请放宽认定" in body
    assert "可申请放宽认定" not in client.get(reverse("communities:building_detail", args=[apart.pk])).content.decode()
