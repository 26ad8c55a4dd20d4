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


def test_each_duty_cites_the_part_of_the_annex_that_lists_it(programme):
    """附件: the leading group's duties precede 各部门职责分工, which lists the departments' and utilities'."""
    assert set(Duty.objects.filter(agency__code="leading_group").values_list("source", flat=True)) == {
        "附件 领导小组职责"}
    assert set(Duty.objects.exclude(agency__code="leading_group").values_list("source", flat=True)) == {
        "附件 职责分工"}


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
    # National classes (国办发〔2020〕23号) and "" for what the national guidance does not class.
    assert set(ScopeItem.objects.values_list("national_class", flat=True)) == {"basic", "improvement", "upgrade", ""}
    assert set(ScopeItem.objects.exclude(is_water_power_road_gas="").values_list("is_water_power_road_gas",
                                                                                 flat=True)) == {
        "water", "power", "road", "gas"}
    main = list(FundingSourceKind.objects.filter(group="main").values_list("name", flat=True))
    assert main == ["中央财政补助", "中央预算内资金", "地方政府专项债券资金", "地方自筹"]
    assert set(FundingSourceKind.objects.filter(is_central=True).values_list("code", flat=True)) == {
        "central_fiscal_subsidy", "central_budget_investment"}
    assert FundingSourceKind.objects.filter(name="住宅专项维修资金").exists()


def test_load_programme_writes_the_ndrc_rule_as_outside_the_plan_never_seven_two():
    """七(二) restricts no source; the central-budget rows cite the NDRC, labelled 非本方案条款."""
    from funding.models import SourceClassRule

    call_command("load_programme", stdout=StringIO())
    central = SourceClassRule.objects.filter(source__code="central_budget_investment")
    assert central.count() == 4
    assert set(central.values_list("clause", flat=True)) == {"国家发展改革委中央预算内投资要求（非本方案条款）"}


def test_management_mechanisms_of_five_four_have_no_national_class(programme):
    """五、4 (专业化物业, 业主自管) are long-term management mechanisms, not renovation items: the plan
    classes nothing and 国办发〔2020〕23号 does not class them, so no invented 提升类."""
    for code in ("professional_property_management", "owner_self_management"):
        item = ScopeItem.objects.get(code=code)
        assert item.national_class == ""
        assert item.category == "long_term_management"
        assert item.national_class_label == "不分类（长效管理机制，五、4）"
        assert "提升类" not in str(item)
    assert str(ScopeItem.objects.get(code="external_wall_insulation")) == "外墙保温（国家分类：完善类）"


@pytest.mark.parametrize(("code", "name", "clause"), [
    ("compound_walls", "围墙", "五"),  # 五: 供排水、供电、供气、供热、道路、绿化、照明、围墙等基础设施
    ("landscaping", "园林景观", "五、3(3)"),  # 具备条件的小区可建设园林景观等设施
    ("road_widening_resurfacing", "小区内道路拓宽改造、路面整修", "五、3(2)"),
    ("related_city_roads", "与小区直接相关的城市道路改造提升", "五"),
    ("related_public_transport", "与小区直接相关的公共交通设施改造提升", "五"),
    ("related_utility_lines", "与小区直接相关的通信、供电、供排水、供气、供热设施改造提升", "五"),
    ("related_parking", "与小区直接相关的停车库（场）改造提升", "五"),
    ("related_sewage_refuse", "与小区直接相关的污水与垃圾处理设施改造提升", "五"),
    ("billboard_spots", "广告牌位（社会资本）", "七(二)"),  # 引入社会资本…建设安装…广告牌位等设施
])
def test_the_catalog_holds_every_item_of_five_and_the_social_capital_billboards(programme, code, name, clause):
    item = ScopeItem.objects.get(code=code)
    assert (item.name, item.clause) == (name, clause)


def test_related_city_infrastructure_has_its_own_catalog_group(programme):
    """五 (first two paragraphs): 与小区直接相关的城市道路和公共交通、…、污水与垃圾处理等基础设施."""
    related = ScopeItem.objects.filter(category="related_infrastructure")
    assert related.count() == 5
    assert ScopeItem.objects.get(code="billboard_spots").national_class_label == "不分类（国办发〔2020〕23号未列此项）"


def test_the_catalog_data_migration_unclasses_stored_management_items_and_its_reverse_restores_them(programme):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("projects.migrations.0004_catalog_national_class")
    codes = ("professional_property_management", "owner_self_management")
    ScopeItem.objects.filter(code__in=codes).update(national_class="upgrade")  # as stored before
    migration.unclass_management_mechanisms(apps, None)
    assert set(ScopeItem.objects.filter(code__in=codes).values_list("national_class", flat=True)) == {""}
    migration.class_management_mechanisms_as_upgrade(apps, None)
    assert set(ScopeItem.objects.filter(code__in=codes).values_list("national_class", flat=True)) == {"upgrade"}


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


def test_programme_summary_json_lists_the_steps_of_section_six_with_their_gate(programme):
    """六(一)–六(三) in order, each with the clause that says it; 四(三): the steps before 施工 are
    what 2023-06-30 「完成各项前期工作并具备开工条件」 needs, the rest up to 竣工验收 2024-05-31."""
    out = StringIO()
    call_command("programme_summary", "--json", stdout=out)
    steps = json.loads(out.getvalue())["steps"]
    assert [(s["name"], s["gate"]) for s in steps] == [
        ("摸底调查", "ready_to_start"),
        ("现场审核认定", "ready_to_start"),
        ("向县政府汇报", "ready_to_start"),
        ("编制可行性研究报告", "ready_to_start"),
        ("发改部门审批", "ready_to_start"),
        ("申请中央及省级配套补助资金", "ready_to_start"),
        ("项目任务下达", "ready_to_start"),
        ("前期招投标及合同签订", "ready_to_start"),
        ("设计（征求居民及管线单位意见）", "ready_to_start"),
        ("各项前期手续", "ready_to_start"),
        ("施工、监理招投标", "ready_to_start"),
        ("组织施工（监理、监督）", "complete"),
        ("竣工验收", "complete"),
        ("决算编制", None),
        ("决算审计", None),
        ("设施设备移交接收单位", None),
        ("业主大会及物业管理", None),
    ]
    clauses = {s["name"]: s["clause"] for s in steps}
    assert clauses["项目任务下达"] == clauses["前期招投标及合同签订"] == "六(三)1"
    assert clauses["各项前期手续"].startswith("六(三)2") and clauses["施工、监理招投标"].startswith("六(三)2")
    assert clauses["竣工验收"] == "六(三)3" and clauses["摸底调查"] == "六(一)"


def test_programme_summary_says_how_long_ago_a_passed_deadline_was(programme):
    """四(三) deadlines in the past read 「已过 N 天」, never 「剩余 -N 天」."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    import time_machine

    with time_machine.travel(dt.datetime(2024, 6, 10, 12, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        out = StringIO()
        call_command("programme_summary", stdout=out)
    text = out.getvalue()
    assert "2023-06-30" in text and "已过 346 天" in text
    assert "2024-05-31" in text and "已过 10 天" in text
    assert "剩余 -" not in text
    assert "11. 施工、监理招投标（六(三)2" in text
