"""The review workflow of 六: surveyed → verified on site → reported, every step in the history."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from communities.choices import ReviewStatus, VerificationDecision
from communities.models import Compound, SiteVerification
from communities.services import (
    compound_assess,
    compound_report,
    compound_review_status_set,
    verification_record,
)

from .factories import BuildingFactory, CompoundFactory, households

pytestmark = pytest.mark.django_db


@pytest.fixture
def compound():
    compound = CompoundFactory()
    households(BuildingFactory(compound=compound), agreeing=4, total=4)
    compound_assess(compound=compound)
    return compound


def verify(compound, user, decision=VerificationDecision.CONFIRMED, **extra):
    values = {"verified_on": dt.date(2023, 4, 10), "town_participant": "乌兰镇 王某",
              "community_participant": "东街社区 李某", "design_institute": "示例设计院 张某",
              "decision": decision, "notes": "管网老化属实"}
    return verification_record(compound=compound, user=user, **(values | extra))


def test_confirmed_verification_moves_compound_to_verified_with_history(compound, staff_user):
    verification = verify(compound, staff_user)
    compound.refresh_from_db()
    assert compound.review_status == ReviewStatus.VERIFIED
    assert verification.verified_by == staff_user
    step = compound.history.latest()
    assert (step.review_status, step.history_user) == (ReviewStatus.VERIFIED, staff_user)
    assert SiteVerification.history.get().history_user == staff_user


def test_rejection_is_a_verification_too(compound, staff_user):
    verify(compound, staff_user, VerificationDecision.REJECTED)
    compound.refresh_from_db()
    assert compound.review_status == ReviewStatus.VERIFIED
    with pytest.raises(ValidationError, match="确认列入"):
        compound_report(compound=compound, user=staff_user)


def test_needs_info_sends_a_verified_compound_back_to_surveyed(compound, staff_user):
    verify(compound, staff_user)
    verify(compound, staff_user, VerificationDecision.NEEDS_INFO)
    compound.refresh_from_db()
    assert compound.review_status == ReviewStatus.SURVEYED
    statuses = list(compound.history.order_by("history_date").values_list("review_status", flat=True))
    assert statuses[-2:] == [ReviewStatus.VERIFIED, ReviewStatus.SURVEYED]


def test_report_to_county_after_confirmation(compound, staff_user):
    verify(compound, staff_user)
    compound_report(compound=compound, user=staff_user)
    compound.refresh_from_db()
    assert compound.review_status == ReviewStatus.REPORTED
    assert compound.history.latest().history_user == staff_user


def test_cannot_report_before_verification(compound, staff_user):
    with pytest.raises(ValidationError):
        compound_report(compound=compound, user=staff_user)
    assert Compound.objects.get(pk=compound.pk).review_status == ReviewStatus.SURVEYED


def test_cannot_report_an_ineligible_compound_even_if_confirmed(compound, staff_user):
    verify(compound, staff_user)
    compound.in_shantytown_plan = True
    compound.save()
    compound_assess(compound=compound)
    with pytest.raises(ValidationError, match="符合改造条件"):
        compound_report(compound=compound, user=staff_user)


def test_a_reported_compound_takes_no_more_verifications(compound, staff_user):
    verify(compound, staff_user)
    compound_report(compound=compound, user=staff_user)
    compound.refresh_from_db()
    with pytest.raises(ValidationError, match="已报县政府"):
        verify(compound, staff_user)


def test_status_cannot_skip_verification(compound, staff_user):
    with pytest.raises(ValidationError, match="不能从"):
        compound_review_status_set(compound=compound, user=staff_user, status=ReviewStatus.REPORTED)


@pytest.mark.parametrize("field", ["town_participant", "community_participant", "design_institute"])
def test_verification_needs_each_participant(compound, staff_user, field):
    with pytest.raises(ValidationError):
        verify(compound, staff_user, **{field: " "})
    assert not SiteVerification.objects.exists()
    assert Compound.objects.get(pk=compound.pk).review_status == ReviewStatus.SURVEYED


def test_verification_date_cannot_be_in_the_future(compound, staff_user):
    with pytest.raises(ValidationError, match="审核日期"):
        verify(compound, staff_user, verified_on=dt.date.today() + dt.timedelta(days=2))
