"""The compound page: facts, verdict, reasons, buildings, consent, history; read-only but for staff."""

import pytest
from django.urls import reverse

from communities.choices import Consent
from communities.models import Household
from communities.services import compound_assess, compound_facts_update

from .factories import BuildingFactory, CompoundFactory, households, make_estate

pytestmark = pytest.mark.django_db


@pytest.fixture
def compound(wulan, surveyor_user):
    compound = CompoundFactory(town=wulan, name="测试-详情", build_year=1996, roads_damaged=None)
    households(BuildingFactory(compound=compound, build_year=1996), agreeing=4, total=4)
    compound_assess(compound=compound, user=surveyor_user)
    return compound


def url(compound):
    return reverse("communities:compound_detail", args=[compound.pk])


def test_anonymous_is_sent_to_login(client, compound):
    assert client.get(url(compound)).status_code == 302


@pytest.mark.parametrize("role", ["liaison", "outsider"])
def test_other_roles_get_403(client, users, compound, role):
    client.force_login(users[role])
    assert client.get(url(compound)).status_code == 403


def test_surveyor_of_another_town_gets_404(client, users, other_town):
    compound = CompoundFactory(town=other_town)
    client.force_login(users["surveyor"])
    assert client.get(url(compound)).status_code == 404


def test_staff_sees_verdict_reasons_facts_and_history_with_users(client, users, compound):
    compound_facts_update(compound=compound, user=users["staff"], changes={"in_shantytown_plan": True})
    client.force_login(users["staff"])
    page = client.get(url(compound)).content.decode()
    assert "不符合" in page
    assert "建成年份 1996 ≤ 2000" in page and "三(一)" in page
    assert "列入棚户区改造计划：是，不得重复申报中央补助" in page
    assert "道路破损严重" in page and "未知" in page  # an unknown fact is shown as unknown
    # Verdict history: first by the surveyor, then the change by staff, by display name, never login name.
    assert "测试·乌兰镇调查员" in page and "测试·住建局工作人员" in page
    assert "bob-surveyor" not in page and "alice-staff" not in page
    assert "录入现场审核认定" in page


@pytest.mark.parametrize("role", ["surveyor", "auditor", "leader"])
def test_readers_see_the_page_without_review_actions(client, users, compound, role):
    client.force_login(users[role])
    response = client.get(url(compound))
    page = response.content.decode()
    assert response.status_code == 200
    assert "符合改造条件" in page and "供排水管线老化：是" in page
    assert "录入现场审核认定" not in page and "录入放宽认定" not in page


def test_incomplete_compound_lists_what_is_missing(client, users, compound):
    compound_facts_update(compound=compound, user=users["staff"], changes={"water_drainage_aged": None})
    client.force_login(users["staff"])
    response = client.get(url(compound))
    assert response.context["assessment"].verdict == "incomplete"
    page = response.content.decode()
    assert "缺少的资料" in page and "供排水管线老化 — 三(二)1" in page and "道路破损严重 — 三(二)2" in page


def test_shows_the_record_its_buildings_consent_and_history(client, users, wulan):
    compound = make_estate(town=wulan, buildings=2, households=3)[0]
    Household.objects.filter(building__compound=compound).update(renovation_consent=Consent.UNDECIDED)
    household = compound.buildings.first().households.first()
    household.renovation_consent = Consent.AGREE
    household.save()
    compound.address = "测试路1号"
    compound.save()
    client.force_login(users["leader"])
    body = client.get(reverse("communities:compound_detail", args=[compound.pk])).content.decode()
    assert compound.name in body and "测试路1号" in body
    assert "楼栋（2 栋）" in body
    assert "同意改造" in body and ">1</a> 户（16.7%）" in body
    assert "详细地址：— → 测试路1号" in body


def test_detail_query_count_does_not_grow_with_buildings(client, users, wulan, django_assert_num_queries):
    compound = make_estate(town=wulan, buildings=12, households=3)[0]
    client.force_login(users["staff"])
    # session, user with role and profile, compound with its assessment, relaxations, verifications,
    # verdict history, review steps, buildings, consent counts, change history, 拆墙连片 merges
    with django_assert_num_queries(11):
        assert client.get(reverse("communities:compound_detail", args=[compound.pk])).status_code == 200


def test_double_subsidy_text_only_when_a_no_double_subsidy_fact_is_true_three_2(client, users, wulan):
    """「中央补助：不得重复申报」 only when such a fact is true (三(二)); an ineligible compound says why instead."""
    too_new = CompoundFactory(town=wulan, name="测试-太新", build_year=2008)
    households(BuildingFactory(compound=too_new, build_year=2008), agreeing=2, total=2)
    compound_assess(compound=too_new)
    fiscal = CompoundFactory(town=wulan, name="测试-其他财政", other_fiscal_support=True)
    households(BuildingFactory(compound=fiscal), agreeing=2, total=2)
    compound_assess(compound=fiscal)
    client.force_login(users["staff"])
    page = client.get(url(too_new)).content.decode()
    assert "不得重复申报" not in page
    assert "中央补助：不适用（不符合改造条件）" in page
    assert "不符合改造条件：建成年份 2008 &gt; 2000，不在2000年底前建成（三(一)）" in page
    page = client.get(url(fiscal)).content.decode()
    assert "中央补助：不得重复申报" in page


def test_consent_with_a_household_lacking_area_shows_the_household_share_and_a_partial_area_three_1(
        client, users, wulan):
    compound = CompoundFactory(town=wulan, name="测试-缺面积")
    building = BuildingFactory(compound=compound)
    households(building, agreeing=3, total=3)
    Household.objects.filter(pk=Household.objects.filter(building=building).first().pk).update(floor_area_m2=None)
    assessment = compound_assess(compound=compound)
    assert assessment.verdict == "eligible" and assessment.consent_meets_threshold is True
    client.force_login(users["staff"])
    page = client.get(url(compound)).content.decode()
    assert "不完整（有住户未填建筑面积，以按户为准）" in page
    assert "其他城市实践（非本方案条款）" in page and "仅供参考" in page


def test_a_later_building_joined_to_a_renovation_compound_shows_may_apply_for_relaxation_three_1(
        client, users, wulan):
    compound = CompoundFactory(town=wulan, name="测试-可放宽", build_year=2006)
    BuildingFactory(compound=compound, number="5号楼", build_year=2006, joined_to_renovation_compound=True)
    assert compound_assess(compound=compound).relaxation_candidate is True
    client.force_login(users["staff"])
    page = client.get(url(compound)).content.decode()
    assert page.count("可申请放宽认定") >= 2  # beside the verdict and beside 5号楼


def test_staff_record_the_left_out_item_and_split_gas_telecom_on_the_facts_form_three_two_3(client, users, wulan):
    compound = CompoundFactory(town=wulan, name="测试-事实表", water_drainage_aged=False, gas_telecom_to_review=True)
    households(BuildingFactory(compound=compound), agreeing=2, total=2)
    assert compound_assess(compound=compound).verdict == "ineligible"
    facts_url = reverse("communities:compound_facts_edit", args=[compound.pk])
    client.force_login(users["surveyor"])
    assert client.get(facts_url).status_code == 403
    client.force_login(users["staff"])
    data = {"no_natural_gas": "false", "gas_supply_needs_work": "false", "telecom_needs_work": "true",
            "recently_renovated": "true", "renovation_left_out": ["加装电梯", "建筑节能"], "renovated_content": "三供一业供水"}
    response = client.post(facts_url, data)
    assert response.status_code == 302
    compound.refresh_from_db()
    assert compound.renovation_left_out == "加装电梯、建筑节能"
    assert (compound.gas_supply_needs_work, compound.telecom_needs_work, compound.gas_telecom_to_review) == (
        False, True, False)
    assert compound.history.latest().history_user == users["staff"]
    from communities.models import CompoundAssessment

    assessment = CompoundAssessment.objects.get(compound=compound)
    assert assessment.verdict == "eligible"
    assert any(r["clause"] == "三(二)3" and "加装电梯、建筑节能" in r["fact"] for r in assessment.reasons)


def test_left_out_item_without_a_recent_renovation_is_refused_on_the_form_three_two_3(client, users, wulan):
    compound = CompoundFactory(town=wulan, name="测试-事实表2")
    client.force_login(users["staff"])
    response = client.post(reverse("communities:compound_facts_edit", args=[compound.pk]),
                           {"recently_renovated": "false", "renovation_left_out": ["供气"]})
    assert response.status_code == 200 and response.context["form"].errors["renovation_left_out"]
    compound.refresh_from_db()
    assert compound.renovation_left_out == ""
