"""The rules of section 三, clause by clause, on fact snapshots (no database: the engine is pure)."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

from communities.choices import Verdict
from communities.eligibility import (
    CONDITION_FIELDS,
    DEFICITS,
    BuildingYear,
    CompoundFacts,
    ConsentTally,
    RelaxationFact,
    Rules,
    assess,
)

RULES = Rules(cutoff_year=2000, renovation_consent=Fraction(3, 4), lift_consent=Fraction(2, 3))
ALL_NO = dict.fromkeys(CONDITION_FIELDS, False)
ALL_AGREE = ConsentTally(households_total=4, households_agreeing=4, area_total=Decimal("320.00"),
                         area_agreeing=Decimal("320.00"))
RELAXATION = RelaxationFact(building_number="5号楼", reason="与房产局家属楼紧密相连，居民意愿强烈",
                            approver="县住建局 唐夫全", approved_on=dt.date(2023, 3, 1))


def facts(*, build_year=1995, buildings=(), consent=ALL_AGREE, relaxations=(), **conditions) -> CompoundFacts:
    """A qualifying compound (1995, water pipes aged, everyone agrees) with the given changes."""
    return CompoundFacts(
        build_year=build_year, buildings=tuple(buildings),
        conditions={**ALL_NO, "water_drainage_aged": True, **conditions},
        renovation_consent=consent, relaxations=tuple(relaxations),
    )


def clauses(result, effect=None):
    return [r.clause for r in result.reasons if effect is None or r.effect == effect]


def missing_fields(result):
    return [m.field for m in result.missing]


# --- 三(一)/三(二): built before the cut-off year -------------------------------------------------

@pytest.mark.parametrize("cutoff,year,verdict", [
    (2000, 1999, Verdict.ELIGIBLE),  # county text, the default: 2000年以前
    (2000, 2000, Verdict.INELIGIBLE),
    (2000, 2001, Verdict.INELIGIBLE),
    (2001, 1999, Verdict.ELIGIBLE),  # national guidance: built by the end of 2000
    (2001, 2000, Verdict.ELIGIBLE),
    (2001, 2001, Verdict.INELIGIBLE),
])
def test_build_year_against_the_cutoff_setting(settings, cutoff, year, verdict):
    settings.ELIGIBILITY_CUTOFF_YEAR = cutoff
    result = assess(facts(build_year=year), Rules.from_settings())
    assert result.verdict == verdict
    assert result.cutoff_year == cutoff
    sign = "<" if verdict == Verdict.ELIGIBLE else "≥"
    assert any(r.fact.startswith(f"建成年份 {year} {sign} {cutoff}") and r.clause == "三(一)" for r in result.reasons)


def test_default_cutoff_is_the_county_text():
    assert Rules.from_settings().cutoff_year == 2000


@pytest.mark.parametrize("buildings,label", [
    ((), "建成年份"),
    ((BuildingYear("1号楼", None), BuildingYear("2号楼", None)), "建成年份"),
    ((BuildingYear("1号楼", 2005), BuildingYear("2号楼", None)), "建成年份（2号楼）"),
])
def test_unknown_build_year_is_incomplete_not_a_guess(buildings, label):
    result = assess(facts(build_year=None, buildings=buildings), RULES)
    assert result.verdict == Verdict.INCOMPLETE
    assert missing_fields(result) == ["build_year"]
    assert result.missing[0].label == label
    assert result.central_subsidy_allowed is True  # the subsidy facts are known; only the verdict waits


def test_one_old_building_settles_the_year_even_if_others_are_unknown():
    result = assess(facts(build_year=None, buildings=[BuildingYear("1号楼", 1990), BuildingYear("2号楼", None)]),
                    RULES)
    assert result.verdict == Verdict.ELIGIBLE


def test_mixed_year_compound_qualifies_as_a_whole():
    result = assess(facts(build_year=None, buildings=[BuildingYear("1号楼", 1996), BuildingYear("3号楼", 2003)]),
                    RULES)
    assert result.verdict == Verdict.ELIGIBLE
    texts = [str(r) for r in result.reasons]
    assert "建成年份 1996 < 2000 — 三(一)" in texts
    assert any("3号楼（2003）" in t and t.endswith("三(二)") for t in texts)


def test_compound_year_and_building_years_all_after_cutoff_is_ineligible():
    result = assess(facts(build_year=2002, buildings=[BuildingYear("1号楼", 2002)]), RULES)
    assert result.verdict == Verdict.INELIGIBLE
    assert result.central_subsidy_allowed is False


# --- 三(二)1–3: at least one deficit -------------------------------------------------------------

DEFICIT_CASES = [(clause, name) for clause, names in DEFICITS.items() for name in names]


@pytest.mark.parametrize("clause,name", DEFICIT_CASES, ids=[n for _, n in DEFICIT_CASES])
def test_each_deficit_alone_qualifies_citing_its_clause(clause, name):
    result = assess(facts(**{"water_drainage_aged": False, name: True}), RULES)
    assert result.verdict == Verdict.ELIGIBLE
    assert clauses(result, "满足").count(clause) == 1
    assert result.central_subsidy_allowed is True


def test_no_deficit_at_all_is_ineligible():
    result = assess(facts(water_drainage_aged=False), RULES)
    assert result.verdict == Verdict.INELIGIBLE
    assert "三(二)1–3 所列条件均不具备 — 三(二)" in [str(r) for r in result.reasons]


def test_unknown_deficits_without_a_known_one_are_listed_exactly():
    result = assess(facts(water_drainage_aged=None, roads_damaged=None), RULES)
    assert result.verdict == Verdict.INCOMPLETE
    assert missing_fields(result) == ["water_drainage_aged", "roads_damaged"]
    assert [m.clause for m in result.missing] == ["三(二)1", "三(二)2"]


def test_unknown_deficits_do_not_matter_once_one_is_known():
    result = assess(facts(power_aged=None, roads_damaged=None), RULES)
    assert result.verdict == Verdict.ELIGIBLE
    assert result.missing == ()


def test_water_pipes_reason_reads_like_the_issue():
    result = assess(facts(), RULES)
    assert "供排水管线老化：是 — 三(二)1" in [str(r) for r in result.reasons]


# --- 三(一) exclusions and 三(二) no second central subsidy --------------------------------------

def test_shantytown_plan_excludes_and_bars_central_subsidy():
    result = assess(facts(in_shantytown_plan=True), RULES)
    assert result.verdict == Verdict.INELIGIBLE
    assert result.central_subsidy_allowed is False
    texts = [str(r) for r in result.reasons]
    assert "列入棚户区改造计划：是，不列入老旧小区改造 — 三(一)" in texts
    assert "列入棚户区改造计划：是，不得重复申报中央补助 — 三(二)" in texts


def test_fit_for_demolition_excludes():
    result = assess(facts(fit_for_demolition=True), RULES)
    assert result.verdict == Verdict.INELIGIBLE
    assert "三(一)" in clauses(result, "不满足")


@pytest.mark.parametrize("name", ["other_fiscal_support", "already_renovated"])
def test_other_fiscal_plan_or_already_renovated_stays_eligible_without_central_subsidy(name):
    result = assess(facts(**{name: True}), RULES)
    assert result.verdict == Verdict.ELIGIBLE
    assert result.central_subsidy_allowed is False
    assert clauses(result, "不得申报中央补助") == ["三(二)"]


def test_no_bar_known_allows_central_subsidy():
    assert assess(facts(), RULES).central_subsidy_allowed is True


@pytest.mark.parametrize("name", ["in_shantytown_plan", "other_fiscal_support", "already_renovated",
                                  "fit_for_demolition"])
def test_unknown_exclusion_or_subsidy_fact_is_incomplete(name):
    result = assess(facts(**{name: None}), RULES)
    assert result.verdict == Verdict.INCOMPLETE
    assert missing_fields(result) == [name]
    expected_subsidy = True if name == "fit_for_demolition" else None
    assert result.central_subsidy_allowed is expected_subsidy


def test_a_known_disqualifier_wins_over_missing_facts():
    result = assess(facts(build_year=None, in_shantytown_plan=True), RULES)
    assert result.verdict == Verdict.INELIGIBLE
    assert "build_year" in missing_fields(result)


def test_a_compound_with_no_facts_lists_every_missing_fact_once():
    nothing = CompoundFacts(build_year=None, conditions=dict.fromkeys(CONDITION_FIELDS))
    result = assess(nothing, RULES)
    assert result.verdict == Verdict.INCOMPLETE
    assert result.central_subsidy_allowed is None
    fields = missing_fields(result)
    assert sorted(fields) == sorted(["build_year", *CONDITION_FIELDS, "renovation_consent"])
    assert len(fields) == len(set(fields))


# --- 三(一) relaxation ---------------------------------------------------------------------------

def test_recorded_relaxation_admits_a_later_building_as_relaxed():
    result = assess(facts(build_year=2005, relaxations=[RELAXATION]), RULES)
    assert result.verdict == Verdict.RELAXED
    relaxed = [r for r in result.reasons if r.effect == "放宽"]
    assert len(relaxed) == 1 and relaxed[0].clause == "三(一)"
    assert "5号楼" in relaxed[0].fact and "紧密相连" in relaxed[0].fact and "唐夫全" in relaxed[0].fact


def test_later_compound_without_a_relaxation_is_ineligible():
    assert assess(facts(build_year=2005), RULES).verdict == Verdict.INELIGIBLE


def test_relaxation_does_not_override_an_exclusion():
    result = assess(facts(build_year=2005, relaxations=[RELAXATION], in_shantytown_plan=True), RULES)
    assert result.verdict == Verdict.INELIGIBLE


def test_relaxation_is_not_needed_for_an_old_compound():
    assert assess(facts(relaxations=[RELAXATION]), RULES).verdict == Verdict.ELIGIBLE


# --- 三(一) resident consent, by households and by area --------------------------------------------

@pytest.mark.parametrize("agreeing,total,area_agreeing,area_total,by_households,by_area", [
    (3, 4, "300.00", "400.00", True, True),      # both exactly at 3/4
    (74, 100, "300.00", "400.00", False, True),  # households just below, area at
    (75, 100, "299.99", "400.00", True, False),  # households at, area just below
    (2, 3, "200.00", "300.00", False, False),    # two thirds is below three quarters
])
def test_renovation_consent_against_threshold_by_households_and_area_separately(
        agreeing, total, area_agreeing, area_total, by_households, by_area):
    tally = ConsentTally(households_total=total, households_agreeing=agreeing,
                         area_total=Decimal(area_total), area_agreeing=Decimal(area_agreeing))
    result = assess(facts(consent=tally), RULES)
    consent = result.renovation_consent
    assert (consent.meets_by_households, consent.meets_by_area) == (by_households, by_area)
    assert consent.meets is (by_households and by_area)
    # Below the threshold is a flag on the verdict, never a silent drop.
    assert result.verdict == Verdict.ELIGIBLE
    assert result.consent_flagged is not (by_households and by_area)
    assert clauses(result, "提示").count("三(一)") == [by_households, by_area].count(False)


def test_consent_threshold_is_a_setting(settings):
    settings.RENOVATION_CONSENT_THRESHOLD = Fraction(4, 5)
    tally = ConsentTally(households_total=4, households_agreeing=3, area_total=Decimal(4), area_agreeing=Decimal(4))
    assert assess(facts(consent=tally), RULES).renovation_consent.meets_by_households is True
    assert assess(facts(consent=tally), Rules.from_settings()).renovation_consent.meets_by_households is False


@pytest.mark.parametrize("agreeing,area_agreeing,meets", [
    (2, "200.00", True),   # exactly two thirds by headcount and by area: meets (no 0.6666 rounding)
    (2, "199.99", False),
    (1, "200.00", False),
])
def test_lift_rule_two_thirds_by_area_and_headcount(agreeing, area_agreeing, meets):
    lift = ConsentTally(households_total=3, households_agreeing=agreeing, area_total=Decimal("300.00"),
                        area_agreeing=Decimal(area_agreeing))
    base = facts()
    result = assess(CompoundFacts(build_year=base.build_year, conditions=base.conditions,
                                  renovation_consent=ALL_AGREE, lift_consent=lift), RULES)
    assert result.lift_consent.meets is meets
    assert result.verdict == Verdict.ELIGIBLE  # the lift is decided later, building by building


def test_no_household_answers_is_incomplete():
    result = assess(facts(consent=ConsentTally()), RULES)
    assert result.verdict == Verdict.INCOMPLETE
    assert missing_fields(result) == ["renovation_consent"]


def test_a_household_without_floor_area_makes_the_area_share_unknown():
    tally = ConsentTally(households_total=4, households_agreeing=4, area_total=Decimal("240.00"),
                         area_agreeing=Decimal("240.00"), households_without_area=1)
    result = assess(facts(consent=tally), RULES)
    assert result.verdict == Verdict.INCOMPLETE
    assert result.missing[0].label == "住户建筑面积（1 户未填）"
    assert result.renovation_consent.by_area is None
    assert result.renovation_consent.by_households == Decimal("1.0000")


# --- 三(二) priority: 水、电、路、气 first -----------------------------------------------------------

def test_priority_parts_count_water_power_road_gas_first():
    result = assess(facts(power_aged=True, roads_damaged=True, no_natural_gas=True, gas_or_telecom_needs_work=True,
                          heating_aged=True), RULES)
    assert result.priority_parts == {"水": 25, "电": 25, "路": 25, "气": 25, "其他设施": 5}
    assert result.priority == 105
    assert "优先度 105（水25、电25、路25、气25、其他设施5） — 三(二)" in [str(r) for r in result.reasons]


def test_a_compound_missing_the_four_outranks_one_missing_other_facilities():
    four = assess(facts(power_aged=True), RULES).priority
    others = assess(facts(water_drainage_aged=False, heating_aged=True, public_facilities_lacking=True,
                          not_metered_per_household=True), RULES).priority
    assert four == 50 and others == 15


def test_as_dict_carries_clause_ids_for_the_command():
    data = assess(facts(), RULES).as_dict()
    assert data["verdict"] == "eligible" and data["verdict_label"] == "符合改造条件"
    assert {"clause": "三(二)1", "fact": "供排水管线老化：是", "effect": "满足"} in data["reasons"]
