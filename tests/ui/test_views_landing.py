"""Each role lands on its own work after login (issue 17); the work plan page stays one click away."""

import datetime as dt

import pytest
from django.urls import reverse

from agencies.choices import Role
from tests.conftest import PASSWORD
from ui.landing import LANDING, landing_url

pytestmark = pytest.mark.django_db


def _login(client, user, next_url=None):
    data = {"username": user.username, "password": PASSWORD}
    url = reverse("login") + (f"?next={next_url}" if next_url else "")
    if next_url:
        data["next"] = next_url
    return client.post(url, data)


@pytest.mark.parametrize(("role", "expected"), [
    ("leader", lambda users: reverse("ui:dashboard")),
    ("surveyor", lambda users: reverse("communities:town_detail", args=[users["surveyor"].profile.town_id])),
    ("liaison", lambda users: reverse("task_list") + "?open=true"),
    ("staff", lambda users: reverse("ui:work_queue")),
    ("auditor", lambda users: reverse("changelog:change_log")),
])
def test_after_login_each_role_lands_on_its_work(client, users, role, expected):
    response = _login(client, users[role])
    assert response.status_code == 302 and response["Location"] == reverse("ui:landing")
    landed = client.get(response["Location"])
    assert landed["Location"] == expected(users)
    assert client.get(landed["Location"]).status_code == 200


def test_coming_from_the_front_page_still_lands_on_ones_work(client, users):
    """Typing the site's address sends to /login/?next=/; the front page is not a page asked for."""
    response = _login(client, users["staff"], next_url=reverse("home"))
    assert response["Location"] == reverse("ui:landing")


def test_a_page_asked_for_is_still_where_login_goes(client, users):
    response = _login(client, users["staff"], next_url=reverse("project_list"))
    assert response["Location"] == reverse("project_list")


def test_the_landing_is_one_mapping_for_every_role():
    assert set(LANDING) == set(Role)


def test_a_surveyor_without_a_town_and_an_outsider_land_on_the_work_plan(users):
    surveyor = users["surveyor"]
    surveyor.profile.town = None
    assert landing_url(surveyor) == reverse("home")
    assert landing_url(users["outsider"]) == reverse("home")


@pytest.mark.parametrize("role", ["staff", "surveyor", "leader", "liaison", "auditor"])
def test_the_work_plan_page_is_one_click_away(client, users, role):
    client.force_login(users[role])
    page = client.get(landing_url(users[role]))
    assert f'href="{reverse("home")}"' in page.content.decode()


# --- the staff's work queue -------------------------------------------------------------------------------


@pytest.fixture
def busy(programme, wulan, users):
    """Five surveyed compounds, a project whose planned steps are all past, and an upload to confirm."""
    from communities.services import compounds_assess_all
    from tests.communities.factories import make_estate
    from tests.conftest import _upload
    from tests.projects.factories import make_project, plan

    compounds = make_estate(town=wulan, compounds=5)
    compounds_assess_all()
    for n in range(3):
        project = make_project(programme=programme, user=users["staff"], compounds=[compounds[n]],
                               code=f"queue-{n}")
        plan(project, users["staff"], start=dt.date(2023, 3, 1))
    upload = _upload(users["staff"], wulan)
    return {"compounds": compounds, "upload": upload}


def test_the_work_queue_lists_reviews_uploads_overdue_steps_and_tasks(client, users, busy):
    from communities.choices import ReviewStatus, SurveyUploadState
    from communities.models import Compound

    client.force_login(users["staff"])
    response = client.get(reverse("ui:work_queue"))
    context = response.context
    # the five surveyed ones; the work plan's three named compounds are 未调查 (nothing surveyed yet)
    assert context["review"]["count"] == Compound.objects.filter(review_status=ReviewStatus.SURVEYED).count() == 5
    busy["upload"].refresh_from_db()
    assert busy["upload"].state == SurveyUploadState.READY and context["uploads"]["rows"] == [busy["upload"]]
    assert context["steps"]["count"] > 0 and all(s.days_late > 0 for s in context["steps"]["rows"])
    body = response.content.decode()
    assert "待现场审核认定的小区（5）" in body and busy["compounds"][0].name in body
    assert "已过计划完成日期的实施步骤" in body


def test_the_work_queue_pins_its_queries(client, users, busy, django_assert_num_queries):
    client.force_login(users["staff"])
    # session, user; the programme (overdue tasks are counted as the dashboard counts them); then a count
    # and a page for reviews, uploads, steps and tasks
    with django_assert_num_queries(11):
        client.get(reverse("ui:work_queue"))
