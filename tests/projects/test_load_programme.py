"""`load_programme` puts exactly the work plan's facts in the database, and running it again changes nothing."""

import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from agencies.models import Agency, Duty, LeadingGroupSeat
from communities.models import Building, Compound, Household, Town
from funding.models import FundingSourceKind
from projects.models import Programme, ScopeItem

pytestmark = pytest.mark.django_db


def _counts():
    return {model.__name__: model.objects.count() for model in
            (Programme, Town, Compound, Agency, LeadingGroupSeat, Duty, ScopeItem, FundingSourceKind)}


def _history_counts():
    return {model.__name__: model.history.count() for model in
            (Programme, Town, Compound, Agency, LeadingGroupSeat, Duty, ScopeItem, FundingSourceKind)}


def test_programme_targets_and_deadlines_are_as_the_document_states():
    call_command("load_programme", stdout=StringIO())
    programme = Programme.objects.get(year=2023)
    assert programme.document_number == "靖政发〔2023〕75号"
    assert (programme.target_compounds, programme.target_buildings, programme.target_households) == (46, 170, 6157)
    assert programme.target_floor_area_m2 == Decimal("750700.00")
    assert programme.target_budget_yuan == Decimal("270180200.00")
    assert programme.target_budget_wan == Decimal("27018.02")
    assert programme.ready_deadline == dt.date(2023, 6, 30)
    assert programme.completion_deadline == dt.date(2024, 5, 31)


def test_leading_group_has_33_seats_with_the_unnamed_natural_resources_head():
    call_command("load_programme", stdout=StringIO())
    seats = LeadingGroupSeat.objects.select_related("agency")
    assert seats.count() == 33
    assert seats.get(role="leader").person_name == "许伟民"
    assert sorted(seats.filter(role="deputy").values_list("person_name", flat=True)) == ["李晓清", "苗晓青"]
    natural_resources = seats.get(agency__code="natural_resources")
    assert natural_resources.person_name == ""
    assert seats.get(is_office_director=True).person_name == "唐夫全"


def test_every_department_in_the_annex_has_its_duties():
    call_command("load_programme", stdout=StringIO())
    assert Duty.objects.filter(agency__code="finance").first().text.startswith("负责统筹安排老旧小区改造补助资金")
    audit = Duty.objects.filter(agency__code="audit").first()
    assert audit.text == "负责老旧小区改造项目的招标控制价审核、竣工决算审计工作。"
    assert Duty.objects.filter(agency__code="development_reform").count() == 3
    # The pipeline companies share one duty; each holds it as its own trackable record.
    utilities = Agency.objects.filter(kind="utility")
    assert utilities.count() == 9
    assert all(agency.duties.count() == 1 for agency in utilities)
    assert Duty.objects.filter(agency__code="leading_group").count() == 7


def test_only_the_three_named_compounds_are_loaded_without_invented_facts():
    call_command("load_programme", stdout=StringIO())
    names = set(Compound.objects.values_list("name", flat=True))
    assert names == {"房产局家属楼", "中医院2号家属楼", "饮食服务公司2#家属楼"}
    for compound in Compound.objects.all():
        assert compound.named_in_plan and not compound.is_demo
        assert compound.build_year is None and compound.household_count is None and compound.floor_area_m2 is None
    assert Building.objects.count() == 0 and Household.objects.count() == 0


def test_the_named_compounds_are_not_surveyed_until_a_survey_or_staff_edit_gives_facts(staff_user):
    """四(一) names them; nothing about them is surveyed, so they are 未调查, not 「已摸底调查 — 系统」."""
    from communities.choices import ReviewStatus
    from communities.selectors import review_history
    from communities.services import compound_facts_update

    call_command("load_programme", stdout=StringIO())
    compounds = list(Compound.objects.order_by("name"))
    assert {c.review_status for c in compounds} == {ReviewStatus.NOT_SURVEYED}
    assert [step.review_status for step in review_history(compound=compounds[0])] == [ReviewStatus.NOT_SURVEYED]
    assert compounds[0].get_review_status_display() == "未调查"
    call_command("load_programme", stdout=StringIO())  # a reload keeps them as they are
    assert Compound.objects.filter(review_status=ReviewStatus.NOT_SURVEYED).count() == 3
    compound_facts_update(compound=compounds[0], user=staff_user, changes={"build_year": 1992})
    compounds[0].refresh_from_db()
    assert compounds[0].review_status == ReviewStatus.SURVEYED
    steps = review_history(compound=compounds[0])
    assert [s.review_status for s in steps] == [ReviewStatus.NOT_SURVEYED, ReviewStatus.SURVEYED]
    assert steps[-1].history_user == staff_user


def test_scope_catalog_and_funding_kinds():
    call_command("load_programme", stdout=StringIO())
    assert set(ScopeItem.objects.values_list("national_class", flat=True)) == {"basic", "improvement", "upgrade"}
    assert set(ScopeItem.objects.exclude(is_water_power_road_gas="").values_list("is_water_power_road_gas",
                                                                                 flat=True)) == {
        "water", "power", "road", "gas"}
    main = list(FundingSourceKind.objects.filter(group="main").values_list("name", flat=True))
    assert main == ["中央财政补助", "中央预算内资金", "地方政府专项债券资金", "地方自筹"]
    assert set(FundingSourceKind.objects.filter(is_central=True).values_list("code", flat=True)) == {
        "central_fiscal_subsidy", "central_budget_investment"}
    assert FundingSourceKind.objects.filter(name="住宅专项维修资金").exists()


def test_running_twice_changes_nothing_not_even_history():
    call_command("load_programme", stdout=StringIO())
    before, history_before = _counts(), _history_counts()
    out = StringIO()
    call_command("load_programme", stdout=out)
    assert _counts() == before
    assert _history_counts() == history_before
    assert "新增 0，更新 0" in out.getvalue().splitlines()[-1]


def test_a_changed_fact_is_corrected_on_reload_and_the_change_is_in_history():
    call_command("load_programme", stdout=StringIO())
    Programme.objects.filter(year=2023).update(target_households=6000)
    call_command("load_programme", stdout=StringIO())
    programme = Programme.objects.get(year=2023)
    assert programme.target_households == 6157
    latest = programme.history.first()
    assert latest.history_type == "~" and latest.target_households == 6157


def test_programme_summary_json_separates_real_and_demo(settings):
    settings.DEBUG = True
    call_command("load_programme", stdout=StringIO())
    call_command("seed_demo", "--compounds", "3", stdout=StringIO())
    out = StringIO()
    call_command("programme_summary", "--json", stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["targets"] == {"compounds": 46, "buildings": 170, "households": 6157,
                                  "floor_area_m2": "750700.00", "budget_yuan": "270180200.00",
                                  "budget_wan_yuan": "27018.02"}
    assert [d["date"] for d in summary["deadlines"]] == ["2023-06-30", "2024-05-31"]
    assert summary["recorded"]["real"]["compounds"] == 3
    assert summary["recorded"]["real"]["households"] == 0
    assert summary["recorded"]["demo"]["compounds"] == 3
    assert summary["recorded"]["demo"]["households"] == Household.objects.filter(
        building__compound__is_demo=True).count() > 0
    assert summary["recorded"]["real"]["floor_area_wan_m2"] == "0.00"


def test_programme_summary_without_programme_says_what_to_do():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="load_programme"):
        call_command("programme_summary", "--json", stdout=StringIO())
