"""One user per role (staff, surveyor, leader, liaison, auditor) plus an outsider, as view tests need."""

import pytest

from agencies.choices import Role
from agencies.services import roles_sync, user_create

PASSWORD = "test-pass-7q!x"


@pytest.fixture
def programme(db):
    """The 2023 programme with every fact of the work plan loaded, as `load_programme` leaves it."""
    from projects.services import programme_load

    programme_load()
    from projects.models import Programme

    return Programme.objects.get(year=2023)


@pytest.fixture
def wulan(programme):
    from communities.models import Town

    return Town.objects.get(name="乌兰镇")


@pytest.fixture
def other_town(db):
    from communities.models import Town

    return Town.objects.create(name="东湾镇")


@pytest.fixture
def finance_agency(programme):
    from agencies.models import Agency

    return Agency.objects.get(code="finance")


@pytest.fixture
def roles(db):
    roles_sync()


@pytest.fixture
def staff_user(roles):
    return user_create(username="alice-staff", password=PASSWORD, role=Role.STAFF)


@pytest.fixture
def surveyor_user(roles, wulan):
    return user_create(username="bob-surveyor", password=PASSWORD, role=Role.SURVEYOR, town=wulan)


@pytest.fixture
def leader_user(roles):
    return user_create(username="carol-leader", password=PASSWORD, role=Role.LEADER)


@pytest.fixture
def liaison_user(roles, finance_agency):
    return user_create(username="dave-liaison", password=PASSWORD, role=Role.LIAISON, agency=finance_agency)


@pytest.fixture
def auditor_user(roles):
    return user_create(username="erin-auditor", password=PASSWORD, role=Role.AUDITOR)


@pytest.fixture
def outsider_user(db):
    """An account with no role at all: logged in, but entitled to nothing."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(username="mallory", password=PASSWORD)


@pytest.fixture
def users(staff_user, surveyor_user, leader_user, liaison_user, auditor_user, outsider_user):
    return {
        "staff": staff_user, "surveyor": surveyor_user, "leader": leader_user,
        "liaison": liaison_user, "auditor": auditor_user, "outsider": outsider_user,
    }


def client_for(client, user):
    client.force_login(user)
    return client
