import pytest

from agencies.access import compounds_for, mask_name, mask_phone, may_see_personal_data, role_of
from agencies.choices import Role
from communities.models import Compound

pytestmark = pytest.mark.django_db


def test_each_role_group_maps_to_its_role(users):
    assert {name: role_of(user) for name, user in users.items()} == {
        "staff": Role.STAFF, "surveyor": Role.SURVEYOR, "leader": Role.LEADER,
        "liaison": Role.LIAISON, "auditor": Role.AUDITOR, "outsider": None,
    }


def test_leaders_and_auditors_have_only_view_permissions(users):
    for name in ("leader", "auditor"):
        perms = users[name].get_all_permissions()
        assert perms and all(p.split(".")[1].startswith("view_") for p in perms), name


def test_auditor_reads_the_change_history_of_every_model(auditor_user):
    assert auditor_user.has_perm("communities.view_historicalcompound")
    assert auditor_user.has_perm("projects.view_historicalprogramme")


def test_surveyor_cannot_touch_money_or_agencies(surveyor_user):
    assert not surveyor_user.has_perm("funding.view_fundingsourcekind")
    assert not surveyor_user.has_perm("projects.change_programme")
    assert surveyor_user.has_perm("communities.change_compound")


def test_surveyor_sees_only_their_own_town(users, wulan, other_town):
    Compound.objects.create(town=other_town, name="外镇小区")
    visible = compounds_for(users["surveyor"], Compound.objects.all())
    assert set(visible.values_list("town__name", flat=True)) == {"乌兰镇"}
    assert compounds_for(users["staff"], Compound.objects.all()).count() == Compound.objects.count()
    assert compounds_for(users["outsider"], Compound.objects.all()).count() == 0


def test_personal_data_only_for_staff_and_own_town_surveyors(users, wulan, other_town):
    allowed = {name for name, user in users.items() if may_see_personal_data(user, town_id=wulan.id)}
    assert allowed == {"staff", "surveyor"}
    assert not may_see_personal_data(users["surveyor"], town_id=other_town.id)


def test_masking():
    assert mask_name("张三丰") == "张**"
    assert mask_phone("13912345678") == "139****5678"
