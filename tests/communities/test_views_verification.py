"""Verification, relaxation and report forms: housing-bureau staff only, through the services."""

import pytest
from django.urls import reverse

from communities.choices import ReviewStatus, Verdict
from communities.models import CompoundAssessment, EligibilityRelaxation, SiteVerification
from communities.services import compound_assess

from .factories import BuildingFactory, CompoundFactory, households

pytestmark = pytest.mark.django_db
OTHER_ROLES = ["surveyor", "leader", "liaison", "auditor", "outsider"]
VERIFICATION = {"verified_on": "2023-04-10", "town_participant": "乌兰镇 王某",
                "community_participant": "东街社区 李某", "design_institute": "示例设计院 张某",
                "decision": "confirmed", "notes": "属实"}
RELAXATION = {"reason": "与房产局家属楼紧密相连，居民改造意愿强烈", "approver": "县住建局",
              "approved_on": "2023-03-01", "joined_to": "房产局家属楼", "closely_joined": "on",
              "residents_strongly_want": "on", "renovation_necessary": "on"}


@pytest.fixture
def compound(wulan):
    compound = CompoundFactory(town=wulan, name="测试-审核")
    households(BuildingFactory(compound=compound), agreeing=4, total=4)
    compound_assess(compound=compound)
    return compound


def verify_url(compound):
    return reverse("communities:verification_create", args=[compound.pk])


def relax_url(compound):
    return reverse("communities:relaxation_create", args=[compound.pk])


def report_url(compound):
    return reverse("communities:compound_report", args=[compound.pk])


def test_anonymous_is_sent_to_login(client, compound):
    for target in (verify_url(compound), relax_url(compound)):
        assert client.get(target).status_code == 302
    assert client.post(report_url(compound)).status_code == 302


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_only_staff_may_verify_relax_or_report(client, users, compound, role):
    client.force_login(users[role])
    assert client.get(verify_url(compound)).status_code == 403
    assert client.post(verify_url(compound), VERIFICATION).status_code == 403
    assert client.post(relax_url(compound), RELAXATION).status_code == 403
    assert client.post(report_url(compound)).status_code == 403
    assert not SiteVerification.objects.exists() and not EligibilityRelaxation.objects.exists()


def test_staff_records_a_verification_then_reports(client, users, compound):
    client.force_login(users["staff"])
    assert client.get(verify_url(compound)).status_code == 200
    response = client.post(verify_url(compound), VERIFICATION)
    assert response.status_code == 302
    verification = SiteVerification.objects.get()
    assert verification.verified_by == users["staff"] and verification.design_institute == "示例设计院 张某"
    compound.refresh_from_db()
    assert compound.review_status == ReviewStatus.VERIFIED
    assert client.get(report_url(compound)).status_code == 405
    client.post(report_url(compound))
    compound.refresh_from_db()
    assert compound.review_status == ReviewStatus.REPORTED
    assert compound.history.latest().history_user == users["staff"]


def test_missing_participant_is_a_form_error(client, users, compound):
    client.force_login(users["staff"])
    response = client.post(verify_url(compound), VERIFICATION | {"design_institute": ""})
    assert response.status_code == 200 and response.context["form"].errors["design_institute"]
    assert not SiteVerification.objects.exists()


def test_service_refusal_shows_on_the_form(client, users, compound):
    compound.review_status = ReviewStatus.REPORTED
    compound.save()
    client.force_login(users["staff"])
    response = client.post(verify_url(compound), VERIFICATION)
    assert response.status_code == 200 and "已报县政府" in response.content.decode()


def test_report_refusal_is_a_message_not_an_error_page(client, users, compound):
    client.force_login(users["staff"])
    response = client.post(report_url(compound), follow=True)
    assert "只有现场审核确认列入的小区才能报县政府" in response.content.decode()
    compound.refresh_from_db()
    assert compound.review_status == ReviewStatus.SURVEYED


def test_staff_records_a_relaxation_and_the_verdict_follows(client, users, wulan):
    compound = CompoundFactory(town=wulan, build_year=2006)
    building = BuildingFactory(compound=compound, build_year=2006)
    households(building, agreeing=2, total=2)
    compound_assess(compound=compound)
    client.force_login(users["staff"])
    response = client.post(relax_url(compound), RELAXATION | {"building": building.pk})
    assert response.status_code == 302
    assessment = CompoundAssessment.objects.get(compound=compound)
    assert assessment.verdict == Verdict.RELAXED
    assert assessment.history.latest().history_user == users["staff"]


def test_relaxation_without_reason_is_refused(client, users, compound):
    client.force_login(users["staff"])
    response = client.post(relax_url(compound), RELAXATION | {"reason": "  "})
    assert response.status_code == 200 and response.context["form"].errors["reason"]
    assert not EligibilityRelaxation.objects.exists()


def test_relaxation_building_choices_are_the_compounds_own(client, users, compound):
    stranger = BuildingFactory()
    client.force_login(users["staff"])
    response = client.post(relax_url(compound), RELAXATION | {"building": stranger.pk})
    assert response.status_code == 200 and response.context["form"].errors["building"]


@pytest.mark.parametrize("condition", ["closely_joined", "residents_strongly_want", "renovation_necessary"])
def test_relaxation_form_requires_each_condition_of_three_1(client, users, compound, condition):
    """三(一): the form records 紧密相连、居民改造意愿强烈、有改造必要, each required."""
    client.force_login(users["staff"])
    data = {key: value for key, value in RELAXATION.items() if key != condition}
    response = client.post(relax_url(compound), data)
    assert response.status_code == 200 and response.context["form"].errors[condition]
    assert not EligibilityRelaxation.objects.exists()


def test_site_verification_records_the_demolition_judgement_and_the_verdict_follows_six_1(client, users, wulan):
    """六(一): 不宜整体拆除重建 (三(一)) is judged on site; until then the compound is 待现场审核认定."""
    compound = CompoundFactory(town=wulan, fit_for_demolition=None)
    households(BuildingFactory(compound=compound), agreeing=2, total=2)
    assert compound_assess(compound=compound).verdict == Verdict.PENDING_SITE
    client.force_login(users["staff"])
    page = client.get(reverse("communities:compound_detail", args=[compound.pk])).content.decode()
    assert "待现场审核认定" in page and "供排水管线老化：是" in page
    response = client.post(verify_url(compound), VERIFICATION | {"demolition_judgement": "not_fit"})
    assert response.status_code == 302
    assert SiteVerification.objects.get().demolition_judgement == "not_fit"
    compound.refresh_from_db()
    assert compound.fit_for_demolition is False
    assert compound.history.latest().history_user == users["staff"]
    assert CompoundAssessment.objects.get(compound=compound).verdict == Verdict.ELIGIBLE


def test_site_verification_judging_fit_for_demolition_rules_the_compound_out_six_1(client, users, wulan):
    compound = CompoundFactory(town=wulan, fit_for_demolition=None)
    households(BuildingFactory(compound=compound), agreeing=2, total=2)
    client.force_login(users["staff"])
    client.post(verify_url(compound), VERIFICATION | {"decision": "rejected", "demolition_judgement": "fit"})
    assessment = CompoundAssessment.objects.get(compound=compound)
    assert assessment.verdict == Verdict.INELIGIBLE
    assert {"clause": "三(一)", "fact": "宜整体拆除重建：是，不列入老旧小区改造", "effect": "不满足"} in assessment.reasons
