"""The signed-in user is read with their role and profile in one query, and still read fresh each request."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.access import role_of
from agencies.choices import Role
from jingyuan_renovation.auth_backends import RoleAwareModelBackend

pytestmark = pytest.mark.django_db


def test_one_query_gives_the_user_role_and_town(surveyor_user, wulan):
    with CaptureQueriesContext(connection) as queries:
        user = RoleAwareModelBackend().get_user(surveyor_user.pk)
        assert role_of(user) == Role.SURVEYOR
        assert user.profile.town_id == wulan.pk
    assert len(queries) == 1


def test_a_role_change_counts_from_the_next_request(client, surveyor_user):
    client.force_login(surveyor_user)
    assert client.get("/dashboard/").status_code == 403
    surveyor_user.groups.set([Group.objects.get(name=Role.LEADER.label)])
    assert client.get("/dashboard/").status_code == 200


def test_a_deactivated_user_is_signed_out_at_the_next_request(client, staff_user):
    client.force_login(staff_user)
    assert client.get("/").status_code == 200
    staff_user.is_active = False
    staff_user.save(update_fields=["is_active"])
    response = client.get("/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_unknown_user_id_is_nobody():
    assert RoleAwareModelBackend().get_user(987654321) is None
