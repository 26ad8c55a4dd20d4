"""The rules of section 三, clause by clause, on fact snapshots (no database: the engine is pure)."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

from communities.choices import Verdict
from communities.eligibility import (
    CONDITION_FIELDS,
    DEFICITS,
    LIFT_THRESHOLD_SOURCE,
    RENOVATION_THRESHOLD_SOURCE,
    YEAR_2000_SOURCE,
    BuildingYear,
    CompoundFacts,
    ConsentTally,
    RelaxationFact,
    Rules,
    assess,
)

RULES = Rules(cutoff_year=2001, renovation_consent=Fraction(3, 4), lift_consent=Fraction(2, 3))
ALL_NO = dict.fromkeys(CONDITION_FIELDS, False)
ALL_AGREE = ConsentTally(households_total=4, households_agreeing=4, area_total=Decimal("320.00"),
                         area_agreeing=Decimal("320.00"))
RELAXATION = RelaxationFact(building_number="5号楼", reason="与房产局家属楼紧密相连，居民意愿强烈",
                            approver="县住建局 唐夫全", approved_on=dt.date(2023, 3, 1))


def facts(*, build_year=1995, buildings=(), consent=ALL_AGREE, relaxations=(), left_out=(),
          **conditions) -> CompoundFacts:
    """A qualifying compound (1995, water pipes aged, everyone agrees) with the given changes."""
    return CompoundFacts(
        build_year=build_year, buildings=tuple(buildings),
        conditions={**ALL_NO, "water_drainage_aged": True, **conditions},
        renovation_consent=consent, relaxations=tuple(relaxations), renovation_left_out=tuple(left_out),
    )


def clauses(result, effect=None):
    return [r.clause for r in result.reasons if effect is None or r.effect == effect]


def missing_fields(result):
    return [m.field for m in result.missing]


# --- 三(一)/三(二): built before the cut-off year -------------------------------------------------

@pytest.mark.parametrize("cutoff,year,verdict", [
    (2000, 1999, Verdict.ELIGIBLE),  # the county's choice if it reads 2000年以前 strictly
    (2000, 2000, Verdict.INELIGIBLE),
    (2000, 2001, Verdict.INELIGIBLE),
    (2001, 1999, Verdict.ELIGIBLE),  # the default, national guidance: built by the end of 2000
    (2001, 2000, Verdict.ELIGIBLE),
    (2001, 2001, Verdict.INELIGIBLE),
])
def test_build_year_against_the_cutoff_setting(settings, cutoff, year, verdict):
    settings.ELIGIBILITY_CUTOFF_YEAR = cutoff
    result = assess(facts(build_year=year), Rules.from_settings())
    assert result.verdict == verdict
    assert result.cutoff_year == cutoff
    sign = "≤" if verdict == Verdict.ELIGIBLE else ">"
    assert any(r.fact.startswith(f"建成年份 {year} {sign} {cutoff - 1}") and r.clause == "三(一)"
               for r in result.reasons)


def test_a_compound_built_in_2000_qualifies_by_default_citing_the_national_rule_as_outside_the_plan():
    """三(一) 「2000年以前」 and 「2000年以后」 leave 2000 in neither group: by default the national
    「2000年底前建成」 (国办发〔2020〕23号) admits it, and the reason says it is not a clause of this plan."""
    rules = Rules.from_settings()
    assert rules.cutoff_year == 2001
    result = assess(facts(build_year=2000), rules)
    assert result.verdict == Verdict.ELIGIBLE
    outside = [r for r in result.reasons if r.clause == YEAR_2000_SOURCE]
    assert len(outside) == 1 and "非本方案条款" in outside[0].clause and "2000" in outside[0].fact
    assert not [r for r in assess(facts(build_year=1999), rules).reasons if r.clause == YEAR_2000_SOURCE]


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
    assert "建成年份 1996 ≤ 2000，2000年底前建成 — 三(一)" in texts
    assert any("3号楼（2003）" in t and t.endswith("三(二)") for t in texts)


def test_compound_year_and_building_years_all_after_cutoff_is_ineligible_citing_no_double_subsidy_fact():
    """An ineligible compound says why (三(一)); no reason cites 不得重复申报 (三(二)) without such a fact."""
    result = assess(facts(build_year=2002, buildings=[BuildingYear("1号楼", 2002)]), RULES)
    assert result.verdict == Verdict.INELIGIBLE
    assert result.central_subsidy_allowed is False  # not to be applied for: funding reads this
    assert clauses(result, "不满足") == ["三(一)"]
    assert not clauses(result, "不得申报中央补助")


# --- 三(二)1–3: at least one deficit -------------------------------------------------------------

DEFICIT_CASES = [(clause, name) for clause, names in DEFICITS.items() for name in names]


@pytest.mark.parametrize("clause,name", DEFICIT_CASES, ids=[n for _, n in DEFICIT_CASES])
def test_each_deficit_alone_qualifies_citing_its_clause(clause, name):
    result = assess(facts(**{"water_drainage_aged": False, name: True}), RULES)
    assert result.verdict == Verdict.ELIGIBLE
    assert clauses(result, "满足").count(clause) == 1
    assert result.central_subsidy_allowed is True


@pytest.mark.parametrize("name", ["gas_supply_needs_work", "telecom_needs_work"])
def test_gas_and_telecom_are_two_facts_each_qualifying_under_three_two_2(name):
    """三(二)2 「未通天然气或供气、通信管线需改造」: gas lines and telecom lines are separate facts."""
    result = assess(facts(water_drainage_aged=False, **{name: True}), RULES)
    assert result.verdict == Verdict.ELIGIBLE
    assert [r.fact for r in result.reasons if r.clause == "三(二)2"] == [
        {"gas_supply_needs_work": "供气管线需改造：是", "telecom_needs_work": "通信管线需改造：是"}[name]]


def test_recent_renovation_alone_is_not_a_qualifying_deficit_three_two_3():
    """三(二)3: a recent 改扩翻 / 三供一业 renovation qualifies only where it left out a listed item."""
    result = assess(facts(water_drainage_aged=False, recently_renovated=True), RULES)
    assert result.verdict == Verdict.INCOMPLETE
    assert [(m.field, m.clause) for m in result.missing] == [("renovation_left_out", "三(二)3")]
    assert not clauses(result, "满足").count("三(二)3")


def test_recent_renovation_with_a_left_out_item_qualifies_naming_it_three_two_3():
    result = assess(facts(water_drainage_aged=False, recently_renovated=True, left_out=("加装电梯", "供气")), RULES)
    assert result.verdict == Verdict.ELIGIBLE
    [reason] = [r for r in result.reasons if r.clause == "三(二)3"]
    assert reason.effect == "满足" and "加装电梯、供气" in reason.fact


def test_not_recently_renovated_and_no_other_deficit_is_ineligible_three_two_3():
    result = assess(facts(water_drainage_aged=False, recently_renovated=False, left_out=("供气",)), RULES)
    assert result.verdict == Verdict.INELIGIBLE


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


def test_demolition_fitness_as_the_only_open_question_awaits_the_site_verification_six_1():
    """三(一) 不宜整体拆除重建 is judged at the on-site verification (六(一)), not by the surveyor: a compound
    whose only open question is that judgement is 待现场审核认定 with its other findings, not 资料不全."""
    result = assess(facts(fit_for_demolition=None), RULES)
    assert result.verdict == Verdict.PENDING_SITE
    assert result.verdict.label == "待现场审核认定"
    assert [(m.field, m.clause) for m in result.missing] == [("fit_for_demolition", "三(一)、六(一)")]
    assert "供排水管线老化：是 — 三(二)1" in [str(r) for r in result.reasons]
    assert result.central_subsidy_allowed is True


def test_demolition_open_with_another_missing_fact_is_incomplete_listing_both():
    result = assess(facts(fit_for_demolition=None, in_shantytown_plan=None), RULES)
    assert result.verdict == Verdict.INCOMPLETE
    assert sorted(missing_fields(result)) == ["fit_for_demolition", "in_shantytown_plan"]


@pytest.mark.parametrize("name", ["other_fiscal_support", "already_renovated"])
def test_other_fiscal_plan_or_already_renovated_stays_eligible_without_central_subsidy(name):
    result = assess(facts(**{name: True}), RULES)
    assert result.verdict == Verdict.ELIGIBLE
    assert result.central_subsidy_allowed is False
    assert clauses(result, "不得申报中央补助") == ["三(二)"]


def test_no_bar_known_allows_central_subsidy():
    assert assess(facts(), RULES).central_subsidy_allowed is True


@pytest.mark.parametrize("name", ["in_shantytown_plan", "other_fiscal_support", "already_renovated"])
def test_unknown_exclusion_or_subsidy_fact_is_incomplete(name):
    result = assess(facts(**{name: None}), RULES)
    assert result.verdict == Verdict.INCOMPLETE
    assert missing_fields(result) == [name]
    assert result.central_subsidy_allowed is None  # each is also a no-double-subsidy fact (三(二))


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


def test_relaxation_admits_what_it_names_not_the_whole_compound_three_1():
    """三(一) 对个别…小区（楼宇）可适当放宽: an exception for 5号楼 says the other buildings stay out."""
    result = assess(facts(build_year=None, buildings=[BuildingYear("4号楼", 2004), BuildingYear("5号楼", 2005)],
                          relaxations=[RELAXATION]), RULES)
    assert result.verdict == Verdict.RELAXED
    assert "放宽认定只及于所列楼栋：5号楼；其余楼栋（4号楼）不在放宽范围内 — 三(一)" in [str(r) for r in result.reasons]


def test_relaxation_without_its_three_conditions_admits_nothing_three_1():
    """三(一): 紧密相连, 居民改造意愿强烈 and 有改造必要 together; a record lacking them is a hint to complete it."""
    incomplete = RelaxationFact(building_number="5号楼", reason="旧记录", approver="县住建局",
                                approved_on=dt.date(2023, 3, 1), conditions_met=False)
    result = assess(facts(build_year=2005, relaxations=[incomplete]), RULES)
    assert result.verdict == Verdict.INELIGIBLE
    assert any("补录后方可放宽" in r.fact and r.clause == "三(一)" for r in result.reasons)


def test_later_building_surveyed_as_closely_joined_is_a_relaxation_candidate_three_1():
    """A post-2000 building marked 与改造小区紧密相连 shows 「可申请放宽认定」 until an exception is recorded."""
    buildings = [BuildingYear("5号楼", 2005, joined_to_renovation=True), BuildingYear("6号楼", 2006)]
    result = assess(facts(build_year=None, buildings=buildings), RULES)
    assert result.verdict == Verdict.INELIGIBLE
    assert result.relaxation_candidate is True
    assert result.as_dict()["relaxation_candidate"] is True
    [hint] = [r for r in result.reasons if r.fact.startswith("可申请放宽认定")]
    assert hint.clause == "三(一)" and "5号楼（2005）" in hint.fact and "6号楼" not in hint.fact
    admitted = assess(facts(build_year=None, buildings=buildings, relaxations=[RELAXATION]), RULES)
    assert (admitted.verdict, admitted.relaxation_candidate) == (Verdict.RELAXED, False)


def test_an_old_compound_is_never_a_relaxation_candidate():
    buildings = [BuildingYear("1号楼", 1990), BuildingYear("5号楼", 2005, joined_to_renovation=True)]
    assert assess(facts(build_year=None, buildings=buildings), RULES).relaxation_candidate is False


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
    assert clauses(result, "提示").count(RENOVATION_THRESHOLD_SOURCE) == [by_households, by_area].count(False)


def test_consent_threshold_is_cited_as_outside_the_plan_never_as_three_1():
    """三(一) says only 居民改造意愿强烈: the shares cite 三(一), the threshold its real (outside) source."""
    result = assess(facts(), RULES)
    threshold = [r for r in result.reasons if "门槛" in r.fact]
    assert threshold and all(r.clause in (RENOVATION_THRESHOLD_SOURCE, LIFT_THRESHOLD_SOURCE) for r in threshold)
    assert all("非本方案条款" in r.clause and "仅供参考" in r.fact for r in threshold)
    shares = [r for r in result.reasons if r.fact.startswith("改造意愿（按")]
    assert {r.clause for r in shares if "门槛" not in r.fact} == {"三(一)"}


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


def test_a_household_without_floor_area_leaves_an_agreeing_compound_complete_with_a_partial_area_share():
    """三(一): one household without a floor area does not make an all-agreeing compound 资料不全; the
    household share decides and the area share is said to be partial."""
    tally = ConsentTally(households_total=4, households_agreeing=4, area_total=Decimal("240.00"),
                         area_agreeing=Decimal("240.00"), households_without_area=1)
    result = assess(facts(consent=tally), RULES)
    assert result.verdict == Verdict.ELIGIBLE
    assert result.missing == ()
    assert result.renovation_consent.by_area is None
    assert result.renovation_consent.by_households == Decimal("1.0000")
    assert result.renovation_consent.meets is True and not result.consent_flagged
    assert any("不完整：1 户未填建筑面积" in r.fact and "以按户比例为准" in r.fact and r.clause == "三(一)"
               for r in result.reasons)


# --- 三(二) priority: 水、电、路、气 first -----------------------------------------------------------

def test_priority_parts_count_water_power_road_gas_first():
    result = assess(facts(power_aged=True, roads_damaged=True, no_natural_gas=True, gas_supply_needs_work=True,
                          heating_aged=True), RULES)
    assert result.priority_parts == {"水": 25, "电": 25, "路": 25, "气": 25, "其他设施": 5}
    assert result.priority == 105
    assert "优先度 105（水25、电25、路25、气25、其他设施5） — 三(二)" in [str(r) for r in result.reasons]


@pytest.mark.parametrize("name,gas_points", [("gas_supply_needs_work", 25), ("telecom_needs_work", 0)])
def test_only_gas_counts_as_qi_for_the_water_power_road_gas_priority_three_two_2(name, gas_points):
    """三(二) 水、电、路、气: telecom lines needing work (三(二)2) are not 气."""
    assert assess(facts(**{name: True}), RULES).priority_parts["气"] == gas_points


def test_a_compound_missing_the_four_outranks_one_missing_other_facilities():
    four = assess(facts(power_aged=True), RULES).priority
    others = assess(facts(water_drainage_aged=False, heating_aged=True, public_facilities_lacking=True,
                          not_metered_per_household=True), RULES).priority
    assert four == 50 and others == 15


def test_as_dict_carries_clause_ids_for_the_command():
    data = assess(facts(), RULES).as_dict()
    assert data["verdict"] == "eligible" and data["verdict_label"] == "符合改造条件"
    assert {"clause": "三(二)1", "fact": "供排水管线老化：是", "effect": "满足"} in data["reasons"]
