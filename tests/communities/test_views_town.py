"""A town's page, where its surveyors land (issue 17): upload, uploads, verdict counts, what is missing."""

import pytest
from django.urls import reverse

from communities.services import compounds_assess_all
from tests.communities.factories import CompoundFactory, make_estate

pytestmark = pytest.mark.django_db


@pytest.fixture
def town_world(wulan, users):
    """Six qualifying compounds and four without a build year (资料不全, 三、认定标准) in 乌兰镇."""
    from communities.totals import town_totals_refresh

    make_estate(town=wulan, compounds=6)
    for _ in range(4):
        CompoundFactory(town=wulan, build_year=None)
    compounds_assess_all()
    town_totals_refresh(town_ids=[wulan.pk])
    return wulan


def test_a_surveyor_sees_upload_button_verdict_counts_and_what_is_missing(client, users, town_world):
    client.force_login(users["surveyor"])
    response = client.get(reverse("communities:town_detail", args=[town_world.pk]))
    body = response.content.decode()
    assert reverse("communities:survey_upload") in body
    counts = {row["verdict"]: row["count"] for row in response.context["verdicts"]}
    assert counts["eligible"] >= 6 and counts["incomplete"] >= 4
    assert response.context["missing_count"] == counts["incomplete"]
    missing = response.context["missing"][0]
    assert "建成年份" in body and missing.assessment.missing_facts


def test_the_town_page_lists_the_towns_uploads_waiting_to_be_confirmed(client, users, town_world):
    from tests.conftest import _upload

    upload = _upload(users["surveyor"], town_world)
    client.force_login(users["surveyor"])
    response = client.get(reverse("communities:town_detail", args=[town_world.pk]))
    assert response.context["uploads"] == [upload]
    assert "等待确认导入（1）" in response.content.decode()


def test_a_leader_reads_the_counts_without_upload_controls(client, users, town_world):
    client.force_login(users["leader"])
    body = client.get(reverse("communities:town_detail", args=[town_world.pk])).content.decode()
    assert "本镇小区认定结论" in body and reverse("communities:survey_upload") not in body


def test_the_town_page_pins_its_queries(client, users, town_world, django_assert_num_queries):
    for _ in range(10):
        CompoundFactory(town=town_world, build_year=None)
    compounds_assess_all()
    client.force_login(users["surveyor"])
    # session, user, town, real counts, demo counts, uploads, the page of compounds missing facts
    with django_assert_num_queries(7):
        client.get(reverse("communities:town_detail", args=[town_world.pk]))
