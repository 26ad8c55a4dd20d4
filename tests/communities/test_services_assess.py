"""compound_assess and the services that change facts: stored verdicts, history with the user."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from communities.choices import Consent, Verdict
from communities.models import Compound, CompoundAssessment, EligibilityRelaxation
from communities.services import (
    compound_assess,
    compound_facts_update,
    compounds_assess_all,
    compounds_assess_many,
    demo_compounds_create,
    relaxation_record,
)

from .factories import (
    UNKNOWN_CONDITIONS,
    BuildingFactory,
    CompoundFactory,
    HouseholdFactory,
    RelaxationFactory,
    households,
)

pytestmark = pytest.mark.django_db
THREE_CONDITIONS = {"joined_to": "房产局家属楼", "closely_joined": True, "residents_strongly_want": True,
                    "renovation_necessary": True}


@pytest.fixture
def compound():
    compound = CompoundFactory()
    households(BuildingFactory(compound=compound), agreeing=4, total=4)
    return compound


def test_assessment_is_stored_with_reasons_and_consent(compound):
    assessment = compound_assess(compound=compound)
    assert assessment.verdict == Verdict.ELIGIBLE
    assert assessment.central_subsidy_allowed is True
    assert assessment.priority == 25 and assessment.priority_parts["水"] == 25
    assert {"clause": "三(二)1", "fact": "供排水管线老化：是", "effect": "满足"} in assessment.reasons
    assert (assessment.households_total, assessment.households_consenting) == (4, 4)
    assert assessment.area_total_m2 == Decimal("320.00")
    assert assessment.consent_by_households == Decimal("1.0000")
    assert assessment.missing_facts == []
    assert assessment.cutoff_year == 2001  # 2000年底前建成 by default (国办发〔2020〕23号)


def test_reassessing_unchanged_facts_adds_no_history(compound, staff_user):
    compound_assess(compound=compound, user=staff_user)
    compound_assess(compound=compound, user=staff_user)
    assert CompoundAssessment.history.filter(compound=compound).count() == 1


def test_a_fact_change_reassesses_and_records_the_user(compound, staff_user, surveyor_user):
    compound_assess(compound=compound, user=surveyor_user)
    compound_facts_update(compound=compound, user=staff_user, changes={"in_shantytown_plan": True})
    assessment = CompoundAssessment.objects.get(compound=compound)
    assert assessment.verdict == Verdict.INELIGIBLE
    records = list(CompoundAssessment.history.filter(compound=compound).order_by("history_date"))
    assert [(r.verdict, r.history_user) for r in records] == [
        (Verdict.ELIGIBLE, surveyor_user), (Verdict.INELIGIBLE, staff_user)]
    assert compound.history.latest().history_user == staff_user


def test_fact_update_refuses_fields_that_are_not_survey_facts(compound, staff_user):
    with pytest.raises(ValueError):
        compound_facts_update(compound=compound, user=staff_user, changes={"review_status": "reported"})


def test_fact_update_validates(compound, staff_user):
    with pytest.raises(ValidationError):
        compound_facts_update(compound=compound, user=staff_user, changes={"build_year": 1800})


def test_a_compound_without_facts_is_incomplete_listing_them(db):
    compound = Compound.objects.create(town=CompoundFactory().town, name="空白小区")
    assessment = compound_assess(compound=compound)
    assert assessment.verdict == Verdict.INCOMPLETE
    assert assessment.central_subsidy_allowed is None
    labels = [m["label"] for m in assessment.missing_facts]
    assert labels[0] == "建成年份" and "列入棚户区改造计划" in labels and "住户改造意愿（尚无住户调查）" in labels


@pytest.mark.parametrize("agreeing,meets", [(2, False), (3, True)])
def test_consent_by_households_counted_from_household_rows(agreeing, meets):
    compound = CompoundFactory()
    building = BuildingFactory(compound=compound)
    households(building, agreeing=agreeing, total=4)  # 80 m² each
    # Area stays at threshold regardless: the large agreeing flat carries it.
    HouseholdFactory(building=building, floor_area_m2=Decimal("1000.00"), renovation_consent=Consent.AGREE)
    assessment = compound_assess(compound=compound)
    assert assessment.households_total == 5
    assert (assessment.households_consenting >= 0.75 * 5) is meets
    assert assessment.consent_meets_threshold is meets
    assert assessment.verdict == Verdict.ELIGIBLE  # flagged, not dropped


@pytest.mark.parametrize("big_flat_agrees,meets", [(False, False), (True, True)])
def test_consent_by_area_counted_from_household_rows(big_flat_agrees, meets):
    compound = CompoundFactory()
    building = BuildingFactory(compound=compound)
    households(building, agreeing=3, total=3, area=Decimal("100.00"))  # 300 m² agree
    HouseholdFactory(building=building, floor_area_m2=Decimal("100.01"),
                     renovation_consent=Consent.AGREE if big_flat_agrees else Consent.DISAGREE)
    assessment = compound_assess(compound=compound)
    assert assessment.consent_by_households == (Decimal("1.0000") if big_flat_agrees else Decimal("0.7500"))
    # 300 of 400.01 m² is just below three quarters by area, though 3 of 4 households is at it.
    assert assessment.consent_meets_threshold is meets
    assert assessment.area_total_m2 == Decimal("400.01")


def test_lift_consent_two_thirds_exactly_meets(db):
    compound = CompoundFactory()
    households(BuildingFactory(compound=compound), agreeing=2, total=3, answer="lift")
    assessment = compound_assess(compound=compound)
    assert assessment.lift_consent_by_households == Decimal("0.6667")
    assert assessment.lift_consent_meets_threshold is True


def test_relaxation_with_reason_admits_a_later_compound_in_history(staff_user):
    compound = CompoundFactory(build_year=2004)
    building = BuildingFactory(compound=compound, build_year=2004, number="5号楼")
    households(building, agreeing=4, total=4)
    assert compound_assess(compound=compound, user=staff_user).verdict == Verdict.INELIGIBLE
    relaxation_record(compound=compound, building=building, user=staff_user, approver="县住建局",
                      reason="与房产局家属楼紧密相连，居民改造意愿强烈", approved_on=dt.date(2023, 3, 1),
                      **THREE_CONDITIONS)
    assessment = CompoundAssessment.objects.get(compound=compound)
    assert assessment.verdict == Verdict.RELAXED
    assert any(r["effect"] == "放宽" and "5号楼" in r["fact"] for r in assessment.reasons)
    latest = assessment.history.latest()
    assert (latest.verdict, latest.history_user) == (Verdict.RELAXED, staff_user)
    assert EligibilityRelaxation.history.get().history_user == staff_user


@pytest.mark.parametrize("reason", ["", "   "])
def test_relaxation_without_reason_is_refused_and_changes_nothing(staff_user, reason):
    compound = CompoundFactory(build_year=2004)
    households(BuildingFactory(compound=compound, build_year=2004), agreeing=1, total=1)
    compound_assess(compound=compound)
    with pytest.raises(ValidationError) as error:
        relaxation_record(compound=compound, user=staff_user, approver="县住建局", reason=reason,
                          approved_on=dt.date(2023, 3, 1), **THREE_CONDITIONS)
    assert "放宽认定必须写明理由" in str(error.value)
    assert not EligibilityRelaxation.objects.exists()
    assert CompoundAssessment.objects.get(compound=compound).verdict == Verdict.INELIGIBLE


def test_relaxation_without_reason_is_refused_by_the_database_too(db):
    compound = CompoundFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        EligibilityRelaxation.objects.create(compound=compound, reason="  ", approver="县住建局",
                                             approved_on=dt.date(2023, 3, 1))


def test_relaxation_building_must_belong_to_the_compound(staff_user):
    compound = CompoundFactory()
    stranger = BuildingFactory()
    with pytest.raises(ValidationError, match="楼栋不属于该小区"):
        relaxation_record(compound=compound, building=stranger, user=staff_user, approver="县住建局",
                          reason="紧密相连", approved_on=dt.date(2023, 3, 1), **THREE_CONDITIONS)


@pytest.mark.parametrize("condition", ["closely_joined", "residents_strongly_want", "renovation_necessary"])
def test_relaxation_lacking_one_of_the_three_conditions_of_three_1_is_refused(staff_user, condition):
    """三(一): 紧密相连、居民改造意愿强烈、有改造必要 — each is recorded, and each must hold."""
    compound = CompoundFactory(build_year=2004)
    with pytest.raises(ValidationError) as error:
        relaxation_record(compound=compound, user=staff_user, approver="县住建局", reason="紧密相连",
                          approved_on=dt.date(2023, 3, 1), **{**THREE_CONDITIONS, condition: False})
    assert "放宽认定须满足三(一)" in str(error.value)
    assert not EligibilityRelaxation.objects.exists()


def test_relaxation_records_each_condition_in_its_history(staff_user):
    compound = CompoundFactory(build_year=2004)
    building = BuildingFactory(compound=compound, build_year=2004)
    relaxation_record(compound=compound, building=building, user=staff_user, approver="县住建局 唐夫全",
                      reason="同一院落", approved_on=dt.date(2023, 3, 1), **THREE_CONDITIONS)
    record = EligibilityRelaxation.history.get()
    assert (record.joined_to, record.closely_joined, record.residents_strongly_want, record.renovation_necessary,
            record.building_id, record.approver, record.history_user) == (
        "房产局家属楼", True, True, True, building.pk, "县住建局 唐夫全", staff_user)


def test_demo_data_and_named_compounds_are_assessed_on_load(wulan):
    named = CompoundAssessment.objects.filter(compound__named_in_plan=True)
    assert named.count() == 3 and set(named.values_list("verdict", flat=True)) == {Verdict.INCOMPLETE}
    demo_compounds_create(town=wulan, compounds=12)
    demo = CompoundAssessment.objects.filter(compound__is_demo=True)
    assert demo.count() == 12
    shantytown = demo.get(compound__name="示例小区-11")
    assert shantytown.verdict == Verdict.INELIGIBLE and shantytown.central_subsidy_allowed is False


def test_assess_all_picks_up_a_changed_setting(settings, staff_user):
    compound = CompoundFactory(build_year=2000)
    households(BuildingFactory(compound=compound, build_year=2000), agreeing=1, total=1)
    assert compound_assess(compound=compound).verdict == Verdict.ELIGIBLE  # 2000 qualifies by default
    settings.ELIGIBILITY_CUTOFF_YEAR = 2000
    [assessment] = compounds_assess_all(user=staff_user)
    assert (assessment.verdict, assessment.cutoff_year) == (Verdict.INELIGIBLE, 2000)
    assert assessment.history.latest().history_user == staff_user


def _outcomes():
    from django.forms.models import model_to_dict

    return {a.compound_id: model_to_dict(a, exclude=["id", "updated_at"]) for a in CompoundAssessment.objects.all()}


def test_assessing_many_at_once_gives_what_one_by_one_gives(staff_user, surveyor_user):
    """compounds_assess_many (the survey import, `manage.py assess`) reads the facts of a thousand compounds
    per query; each outcome must be exactly compound_assess's, and only changes are recorded."""
    plain = CompoundFactory()
    households(BuildingFactory(compound=plain), agreeing=3, total=4)
    HouseholdFactory(building=plain.buildings.get(), floor_area_m2=None)  # area share unknown
    lift = CompoundFactory(power_aged=True, roads_damaged=True)
    households(BuildingFactory(compound=lift), agreeing=2, total=3, answer="lift", area=Decimal("55.55"))
    households(BuildingFactory(compound=lift), agreeing=1, total=2, area=Decimal("70.10"))
    later = CompoundFactory(build_year=2004)
    relaxed_building = BuildingFactory(compound=later, build_year=2004, number="5号楼")
    households(relaxed_building, agreeing=4, total=4)
    RelaxationFactory(compound=later, building=relaxed_building)
    RelaxationFactory(compound=CompoundFactory(build_year=2003))  # the whole compound, no households
    CompoundFactory(**UNKNOWN_CONDITIONS, build_year=None)  # nothing known
    CompoundFactory(in_shantytown_plan=True, other_fiscal_support=True)
    queryset = Compound.objects.order_by("pk")

    many = compounds_assess_many(queryset=queryset, user=staff_user)
    assert [a.compound_id for a in many] == list(queryset.values_list("pk", flat=True))
    assert len({a.verdict for a in many}) >= 3
    at_once = _outcomes()
    CompoundAssessment.objects.all().delete()
    CompoundAssessment.history.all().delete()  # with the deletions just recorded
    for compound in queryset:
        compound_assess(compound=compound, user=surveyor_user)
    assert _outcomes() == at_once

    compounds_assess_many(queryset=queryset, user=staff_user)  # nothing changed: nothing recorded
    assert CompoundAssessment.history.count() == len(many)
    Compound.objects.filter(pk=plain.pk).update(in_shantytown_plan=True)
    compounds_assess_many(queryset=queryset, user=staff_user)
    changed = CompoundAssessment.history.filter(compound_id=plain.pk).latest()
    assert (changed.verdict, changed.history_user, changed.history_type) == (Verdict.INELIGIBLE, staff_user, "~")
    assert CompoundAssessment.history.count() == len(many) + 1
    assert CompoundAssessment.objects.get(compound=plain).verdict == Verdict.INELIGIBLE
