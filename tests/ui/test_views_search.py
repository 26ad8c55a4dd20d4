"""The header's search (issue 17): one page, results grouped by kind, each role seeing only what it may."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _groups(client, user, q):
    client.force_login(user)
    response = client.get(reverse("ui:search"), {"q": q})
    assert response.status_code == 200
    return {group.kind: [hit.label for hit in group.hits] for group in response.context["groups"]}


def test_staff_find_a_compound_a_project_a_task_and_a_person(client, users, world):
    compound = world["own_compound"]
    assert compound.name in _groups(client, users["staff"], compound.name)["compound"]
    assert any("jy-matrix" in label for label in _groups(client, users["staff"], "jy-matrix")["project"])
    assert "拨付资金" in _groups(client, users["staff"], "拨付资金")["task"]
    # found by login name or display name, shown by display name only (never the login name)
    assert _groups(client, users["staff"], "carol")["person"] == [users["leader"].get_full_name()]
    assert users["leader"].get_full_name() in _groups(client, users["staff"], "县领导")["person"]
    assert "许伟民" in _groups(client, users["staff"], "许伟民")["person"]  # the leading group's 组长


def test_a_surveyor_finds_only_their_own_towns_compounds_and_no_projects(client, users, world):
    groups = _groups(client, users["surveyor"], "测试小区")
    assert world["own_compound"].name in groups["compound"]
    assert world["foreign_compound"].name not in groups["compound"]
    assert "project" not in groups and "task" not in groups


def test_a_liaison_finds_only_their_agencys_tasks_and_no_compounds(client, users, world):
    groups = _groups(client, users["liaison"], "任务")
    assert "compound" not in groups and "project" not in groups
    assert "其他单位任务" not in groups["task"]
    assert "拨付资金" in _groups(client, users["liaison"], "拨付")["task"]


def test_only_staff_find_accounts(client, users, world):
    assert _groups(client, users["leader"], "carol").get("person", []) == []


def test_the_header_has_the_search_box(client, users):
    client.force_login(users["leader"])
    body = client.get(reverse("home")).content.decode()
    assert f'action="{reverse("ui:search")}"' in body


def test_search_pins_its_queries_whatever_the_matches(client, users, world, django_assert_num_queries):
    from tests.communities.factories import make_estate

    make_estate(town=world["own_compound"].town, compounds=15)
    client.force_login(users["staff"])
    # session+user, then one query per kind: compounds, projects, tasks, accounts, leading-group seats
    with django_assert_num_queries(7):
        client.get(reverse("ui:search"), {"q": "小区"})
