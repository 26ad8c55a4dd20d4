"""The review queue (认定审核): who may see it, its filters, its export and its query count."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from communities.choices import Consent, ReviewStatus, Verdict
from communities.models import Compound
from communities.services import compound_assess

from .factories import BuildingFactory, CommunityFactory, CompoundFactory, HouseholdFactory, households

pytestmark = pytest.mark.django_db
URL = reverse("communities:review_queue")


def assessed(**kwargs):
    compound = CompoundFactory(**kwargs)
    households(BuildingFactory(compound=compound), agreeing=4, total=4)
    compound_assess(compound=compound)
    return compound


@pytest.fixture
def wulan_compound(wulan):
    return assessed(town=wulan, community=CommunityFactory(town=wulan, name="东街社区"), name="测试-乌兰-符合")


@pytest.fixture
def other_compound(other_town):
    return assessed(town=other_town, community=CommunityFactory(town=other_town), name="测试-东湾-不符合",
                    in_shantytown_plan=True)


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize("role", ["liaison", "outsider"])
def test_roles_without_business_here_get_403(client, users, role):
    client.force_login(users[role])
    assert client.get(URL).status_code == 403


@pytest.mark.parametrize("role", ["staff", "auditor"])
def test_staff_and_auditors_see_every_town(client, users, role, wulan_compound, other_compound):
    client.force_login(users[role])
    page = client.get(URL).content.decode()
    assert wulan_compound.name in page and other_compound.name in page


def test_surveyor_sees_only_their_own_town(client, users, wulan_compound, other_compound):
    client.force_login(users["surveyor"])
    response = client.get(URL)
    page = response.content.decode()
    assert response.status_code == 200
    assert wulan_compound.name in page and other_compound.name not in page
    assert [t.name for t in response.context["filter"].form.fields["town"].queryset] == ["乌兰镇"]


def test_leader_reads_the_list_with_its_filters_and_the_counts_by_verdict(client, users, wulan_compound,
                                                                          other_compound):
    """The dashboard's verdict bars link here: a leader gets the compounds behind each count, read-only."""
    client.force_login(users["leader"])
    response = client.get(URL)
    page = response.content.decode()
    assert response.status_code == 200
    assert wulan_compound.name in page and other_compound.name in page
    counts = {row["label"]: row["count"] for row in response.context["counts"]}
    # The three compounds the work plan names have no facts yet: 资料不全.
    assert counts == {"符合改造条件": 1, "放宽认定": 0, "不符合": 1, "资料不全": 3, "待现场审核认定": 0, "未评估": 0}
    filtered = client.get(URL, {"verdict": Verdict.ELIGIBLE}).content.decode()
    assert wulan_compound.name in filtered and other_compound.name not in filtered
    assert page.count("<form method=\"post\"") == 1  # the logout button only: nothing to change here


def test_demo_compounds_are_left_out_of_the_list_and_counts_unless_asked(client, users, programme, wulan,
                                                                         wulan_compound):
    """The same counts as the dashboard's verdict bars (real data only) by default; 演示数据 on request."""
    from django.urls import reverse as url_of

    demo = assessed(town=wulan, name="演示-乌兰-符合", is_demo=True)
    client.force_login(users["leader"])
    response = client.get(URL)
    counts = {row["verdict"]: row["count"] for row in response.context["counts"]}
    assert demo.name not in response.content.decode()
    dashboard = {s["key"]: s for s in client.get(url_of("ui:dashboard")).context["sections"]}
    bars = {bar["label"]: bar["value"] for bar in dashboard["verdicts"]["data"]["bars"]}
    assert sum(counts.values()) == sum(bars.values())
    eligible_bar = next(bar for bar in dashboard["verdicts"]["data"]["bars"] if bar["label"] == "符合改造条件")
    listed = client.get(eligible_bar["url"]).context["page_obj"].paginator.count
    assert listed == eligible_bar["value"] == 1
    with_demo = client.get(URL, {"demo": "include"})
    assert demo.name in with_demo.content.decode()
    assert sum(row["count"] for row in with_demo.context["counts"]) == sum(counts.values()) + 1
    only = client.get(URL, {"demo": "only"})
    assert only.context["page_obj"].paginator.count == 1


def test_nav_link_shows_for_reviewers_only(client, users):
    client.force_login(users["staff"])
    assert URL in client.get(reverse("home")).content.decode()
    client.force_login(users["liaison"])
    assert URL not in client.get(reverse("home")).content.decode()


def _names(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return {c.name for c in response.context["page_obj"]}


def test_filters(client, users, wulan, wulan_compound, other_compound, staff_user):
    low = assessed(town=wulan, name="测试-低意愿", power_aged=True, roads_damaged=True)
    HouseholdFactory.create_batch(3, building=low.buildings.get(), renovation_consent=Consent.DISAGREE)
    compound_assess(compound=low)
    client.force_login(users["staff"])
    assert _names(client, verdict=Verdict.INELIGIBLE) == {other_compound.name}
    assert _names(client, town=other_compound.town_id) == {other_compound.name}
    assert _names(client, community=wulan_compound.community_id) == {wulan_compound.name}
    assert _names(client, priority_min=50) == {low.name}
    assert _names(client, consent="below") == {low.name}
    assert _names(client, consent="meets") == {wulan_compound.name, other_compound.name}
    assert low.name not in _names(client, consent="unknown")
    wulan_compound.review_status = ReviewStatus.VERIFIED
    wulan_compound.save()
    assert _names(client, reviewed="yes") == {wulan_compound.name}
    assert wulan_compound.name not in _names(client, reviewed="no")


def test_queue_sorts_by_priority_first(client, users, wulan):
    assessed(town=wulan, name="测试-低优先")
    assessed(town=wulan, name="测试-高优先", power_aged=True, roads_damaged=True, no_natural_gas=True)
    client.force_login(users["staff"])
    names = [c.name for c in client.get(URL).context["page_obj"]]
    assert names.index("测试-高优先") < names.index("测试-低优先")


def test_xlsx_export_uses_the_same_filters_and_scope(client, users, wulan_compound, other_compound):
    client.force_login(users["surveyor"])
    response = client.get(URL, {"format": "xlsx", "verdict": Verdict.ELIGIBLE})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][2] == "小区" and [r[2] for r in rows[1:]] == [wulan_compound.name]
    assert "三(二)1" in rows[1][11]


def test_queue_query_count_does_not_grow_with_rows(client, users, wulan, django_assert_num_queries):
    client.force_login(users["surveyor"])
    client.get(URL)  # warm the session and role caches out of the count
    # session, user with role and profile, verdict counts, count, town and community choices, the page's ids
    # (sorted narrow), then those rows whole
    for index in range(40):
        assessed(town=wulan, name=f"测试-批量-{index:02d}")
    with django_assert_num_queries(8):
        response = client.get(URL)
    assert len(response.context["page_obj"]) == 43  # 40 + the three named compounds
    Compound.objects.filter(name__startswith="测试-批量-").exclude(name__endswith="00").delete()
    with django_assert_num_queries(8):
        client.get(URL)
