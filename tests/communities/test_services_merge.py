"""拆墙连片 (二(四)、五): 对于相邻或临近的原分散住宅小区实行拆墙连片原则，整合成为一个小区，统一管理."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from communities.models import Compound, CompoundMerge
from communities.services import compound_facts_update, compound_merge

from .factories import BuildingFactory, CompoundFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2023, 3, 15)


@pytest.fixture
def pair(wulan):
    managed = CompoundFactory(town=wulan, name="测试-东院")
    absorbed = CompoundFactory(town=wulan, name="测试-西院")
    BuildingFactory(compound=absorbed, number="1号楼")
    return managed, absorbed


def _merge(pair, user, **extra):
    managed, absorbed = pair
    values = {"managed": managed, "absorbed": absorbed, "reason": "两院相邻，拆除中间围墙后统一改造、统一管理",
              "merged_on": DAY, "user": user, **extra}
    return compound_merge(**values)


def test_merging_adjacent_compounds_keeps_both_and_records_who_why_when_and_the_clause(pair, staff_user):
    """二(四)、五: the absorbed compound is not deleted; its buildings and history stay; the merge is recorded."""
    managed, absorbed = pair
    history_before = absorbed.history.count()
    merge = _merge(pair, staff_user)
    assert Compound.objects.filter(pk__in=[managed.pk, absorbed.pk]).count() == 2
    assert absorbed.buildings.count() == 1
    assert absorbed.history.count() == history_before
    assert (merge.managed, merge.absorbed, merge.clause, merge.merged_on) == (managed, absorbed, "二(四)、五", DAY)
    assert merge.recorded_by == staff_user
    record = merge.history.get()
    assert record.history_user == staff_user and "拆墙连片（二(四)、五）" in record.history_change_reason
    # Later changes to the absorbed compound still go to its own history.
    compound_facts_update(compound=absorbed, user=staff_user, changes={"household_count": 12})
    assert absorbed.history.count() > history_before


def test_a_compound_cannot_be_merged_into_itself(pair, staff_user):
    managed, _ = pair
    with pytest.raises(ValidationError, match=r"小区不能并入自身（拆墙连片，二\(四\)、五）"):
        _merge(pair, staff_user, absorbed=managed)


def test_compounds_of_different_towns_are_not_adjacent(pair, staff_user, other_town):
    far = CompoundFactory(town=other_town, name="测试-外镇")
    with pytest.raises(ValidationError, match="不在同一乡镇"):
        _merge(pair, staff_user, absorbed=far)


def test_a_compound_is_merged_once_and_never_in_a_chain(pair, staff_user, wulan):
    managed, absorbed = pair
    _merge(pair, staff_user)
    third = CompoundFactory(town=wulan, name="测试-北院")
    with pytest.raises(ValidationError, match="测试-西院已于2023-03-15并入测试-东院"):
        _merge(pair, staff_user, managed=third)
    with pytest.raises(ValidationError, match="测试-西院已并入测试-东院，请把测试-北院并入测试-东院"):
        _merge(pair, staff_user, managed=absorbed, absorbed=third)
    with pytest.raises(ValidationError, match="测试-东院已有小区并入，请把测试-北院并入测试-东院"):
        _merge(pair, staff_user, managed=third, absorbed=managed)
    _merge(pair, staff_user, absorbed=third)  # a second neighbour joins the managed compound
    assert set(CompoundMerge.objects.filter(managed=managed).values_list("absorbed__name", flat=True)) == {
        "测试-西院", "测试-北院"}


def test_demo_and_real_compounds_are_not_merged(pair, staff_user, wulan):
    demo = CompoundFactory(town=wulan, name="示例小区-99", is_demo=True)
    with pytest.raises(ValidationError, match="演示小区只能与演示小区合并"):
        _merge(pair, staff_user, absorbed=demo)


def test_staff_merge_through_the_page_and_both_compound_pages_show_it(client, users, pair):
    managed, absorbed = pair
    client.force_login(users["staff"])
    url = reverse("communities:compound_merge_create", args=[managed.pk])
    page = client.get(url).content.decode()
    assert "二(四)、五" in page and "测试-西院" in page
    response = client.post(url, {"absorbed": absorbed.pk, "reason": "相邻，拆墙连片", "merged_on": "2023-03-15"})
    assert response.status_code == 302
    assert CompoundMerge.objects.get().history.get().history_user == users["staff"]
    managed_page = client.get(reverse("communities:compound_detail", args=[managed.pk])).content.decode()
    assert "拆墙连片（二(四)、五）" in managed_page and "测试-西院" in managed_page
    absorbed_page = client.get(reverse("communities:compound_detail", args=[absorbed.pk])).content.decode()
    assert "按拆墙连片原则并入" in absorbed_page and "测试-东院" in absorbed_page


def test_a_refused_merge_is_shown_on_the_form_and_nothing_is_saved(client, users, pair):
    managed, _ = pair
    client.force_login(users["staff"])
    url = reverse("communities:compound_merge_create", args=[managed.pk])
    response = client.post(url, {"absorbed": managed.pk, "reason": "x", "merged_on": "2023-03-15"})
    assert response.status_code == 200
    assert not CompoundMerge.objects.exists()


@pytest.mark.parametrize("role", ["surveyor", "leader", "liaison", "auditor", "outsider"])
def test_only_staff_may_merge_compounds(client, users, pair, role):
    managed, absorbed = pair
    client.force_login(users[role])
    url = reverse("communities:compound_merge_create", args=[managed.pk])
    assert client.get(url).status_code in (403, 404)
    client.post(url, {"absorbed": absorbed.pk, "reason": "x", "merged_on": "2023-03-15"})
    assert not CompoundMerge.objects.exists()
