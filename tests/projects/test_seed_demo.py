from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError

from agencies.access import role_of
from agencies.choices import Role
from communities.models import Compound, Household
from projects.models import Project, ProjectStep

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    call_command("load_programme", stdout=StringIO())


def test_refuses_with_debug_off_unless_forced(loaded, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", "--force", "--compounds", "2", stdout=StringIO())
    assert Compound.objects.filter(is_demo=True).count() == 2


def test_creates_one_user_per_role_with_the_configured_password(loaded, settings):
    settings.DEBUG = True
    settings.DEMO_PASSWORD = "demo-pass-for-test"
    call_command("seed_demo", "--compounds", "1", stdout=StringIO())
    expected = {"staff": Role.STAFF, "surveyor": Role.SURVEYOR, "leader": Role.LEADER,
                "liaison": Role.LIAISON, "auditor": Role.AUDITOR}
    for username, role in expected.items():
        user = authenticate(username=username, password="demo-pass-for-test")
        assert user is not None, username
        assert role_of(user) == role
    surveyor = authenticate(username="surveyor", password="demo-pass-for-test")
    assert surveyor.profile.town.name == "乌兰镇"
    assert authenticate(username="liaison", password="demo-pass-for-test").profile.agency.name == "县财政局"


def test_demo_data_is_visibly_synthetic_and_rerunning_replaces_it(loaded, settings):
    settings.DEBUG = True
    call_command("seed_demo", "--compounds", "3", stdout=StringIO())
    names = sorted(Compound.objects.filter(is_demo=True).values_list("name", flat=True))
    assert names == ["示例小区-01", "示例小区-02", "示例小区-03"]
    households = Household.objects.filter(building__compound__is_demo=True).count()
    call_command("seed_demo", "--compounds", "3", stdout=StringIO())
    assert Compound.objects.filter(is_demo=True).count() == 3
    assert Household.objects.filter(building__compound__is_demo=True).count() == households
    assert all(h.startswith("示例户主") for h in Household.objects.values_list("head_name", flat=True))


def test_never_touches_real_records(loaded, settings, django_user_model):
    settings.DEBUG = True
    real = Compound.objects.get(name="房产局家属楼")
    real_history = real.history.count()
    call_command("seed_demo", "--compounds", "2", stdout=StringIO())
    call_command("seed_demo", "--compounds", "2", stdout=StringIO())
    real.refresh_from_db()
    assert real.history.count() == real_history
    assert Compound.objects.filter(is_demo=False).count() == 3


def test_refuses_to_reset_a_real_account_with_a_demo_username(loaded, settings, django_user_model):
    settings.DEBUG = True
    django_user_model.objects.create_user(username="staff", password="real-person-password")
    with pytest.raises(CommandError, match="staff"):
        call_command("seed_demo", stdout=StringIO())
    assert authenticate(username="staff", password="real-person-password") is not None


pytestmark = pytest.mark.django_db


def test_seed_demo_adds_only_demo_projects_and_can_run_twice(
    programme, settings, tmp_path, wulan, staff_user
):
    from .factories import CompoundFactory, make_project

    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path
    real = make_project(
        programme=programme, user=staff_user, compounds=[CompoundFactory(town=wulan)], code="real"
    )
    from io import StringIO

    call_command("seed_demo", compounds=12, stdout=StringIO())
    call_command("seed_demo", compounds=12, stdout=StringIO())
    demo = Project.objects.filter(is_demo=True)
    assert demo.count() == 4
    assert all(name.startswith("示例项目-") for name in demo.values_list("name", flat=True))
    assert all(c.is_demo for p in demo for c in p.compounds.all())
    assert ProjectStep.objects.filter(
        project__code="demo-01", code="completion_acceptance", status="done"
    ).exists()
    assert Project.objects.get(pk=real.pk).is_demo is False


def test_demo_accounts_must_change_the_public_password_at_first_login(loaded, settings):
    """The demo password is in the README: with DEBUG off each demo account is sent to change it (issue 17)."""
    from django.contrib.auth import get_user_model

    settings.DEBUG = True
    call_command("seed_demo", "--compounds", "1", stdout=StringIO())
    flags = dict(get_user_model().objects.filter(profile__is_demo=True)
                 .values_list("username", "profile__must_change_password"))
    assert flags == dict.fromkeys(["staff", "surveyor", "leader", "liaison", "auditor"], True)
