"""A compound ruled 不符合, 资料不全 or 待现场审核认定 enters a project only with a recorded reason
(工作方案三、认定标准；六(一)), and stays a blocker on the project page."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from communities.choices import Verdict
from communities.models import CompoundAssessment
from projects import services
from projects.models import Project, ProjectCompound

from .factories import CompoundFactory, make_project

pytestmark = pytest.mark.django_db


def ruled(compound, verdict):
    CompoundAssessment.objects.create(compound=compound, verdict=verdict, cutoff_year=2000)
    compound.refresh_from_db()
    return compound


@pytest.mark.parametrize("verdict", [Verdict.INELIGIBLE, Verdict.INCOMPLETE, Verdict.PENDING_SITE])
def test_compound_without_qualifying_verdict_is_refused_without_a_reason_clause_three_and_six_one(
    programme, wulan, staff_user, verdict
):
    project = make_project(programme=programme, user=staff_user, compounds=[])
    compound = ruled(CompoundFactory(town=wulan, name="东苑小区"), verdict)
    with pytest.raises(ValidationError) as refusal:
        services.project_compound_add(project=project, compound=compound, user=staff_user, reason=" 好 ")
    assert refusal.value.messages == [
        f"东苑小区认定为“{verdict.label}”，不具备列入改造项目的条件（工作方案三、认定标准；六(一)）："
        "如确需列入，请填写列入原因（至少 4 个字）。"
    ]
    assert not ProjectCompound.objects.filter(compound=compound).exists()


def test_reason_is_kept_on_the_link_with_the_verdict_and_in_its_history(programme, wulan, staff_user):
    project = make_project(programme=programme, user=staff_user, compounds=[])
    compound = ruled(CompoundFactory(town=wulan), Verdict.INCOMPLETE)
    row = services.project_compound_add(
        project=project, compound=compound, user=staff_user, reason="产权资料正在补办，县政府已同意先行列入"
    )
    row.refresh_from_db()
    assert row.admission_verdict == Verdict.INCOMPLETE
    assert row.admission_reason == "产权资料正在补办，县政府已同意先行列入"
    record = row.history.latest()
    assert record.history_user == staff_user
    assert record.admission_reason == row.admission_reason
    assert record.history_change_reason == "列入原因：产权资料正在补办，县政府已同意先行列入"


@pytest.mark.parametrize("verdict", [Verdict.ELIGIBLE, Verdict.RELAXED, None])
def test_eligible_relaxed_and_not_yet_surveyed_compounds_need_no_reason(programme, wulan, staff_user, verdict):
    project = make_project(programme=programme, user=staff_user, compounds=[])
    compound = CompoundFactory(town=wulan)
    if verdict:
        ruled(compound, verdict)
    row = services.project_compound_add(project=project, compound=compound, user=staff_user, reason="随手写的")
    assert row.admission_reason == "" and row.admission_verdict == ""


def test_project_create_with_one_unexplained_ineligible_compound_saves_nothing(programme, wulan, staff_user):
    fine = CompoundFactory(town=wulan)
    bad = ruled(CompoundFactory(town=wulan), Verdict.INELIGIBLE)
    with pytest.raises(ValidationError, match="不具备列入改造项目的条件"):
        services.project_create(
            programme=programme, code="jy-09", name="测试", compounds=[fine, bad], user=staff_user
        )
    assert not Project.objects.filter(code="jy-09").exists()
    assert not ProjectCompound.objects.exists()


def test_project_create_records_each_compounds_reason(programme, wulan, staff_user):
    bad = ruled(CompoundFactory(town=wulan), Verdict.PENDING_SITE)
    project = services.project_create(
        programme=programme, code="jy-09", name="测试", compounds=[bad], user=staff_user,
        reasons={bad.pk: "现场审核已排期，与一期同步实施"},
    )
    assert project.project_compounds.get().admission_reason == "现场审核已排期，与一期同步实施"


def test_project_page_lists_an_ineligible_compound_as_a_blocker_with_its_reason(
    client, programme, wulan, staff_user, leader_user
):
    bad = ruled(CompoundFactory(town=wulan, name="西苑小区"), Verdict.INELIGIBLE)
    project = services.project_create(
        programme=programme, code="jy-09", name="测试", compounds=[bad], user=staff_user,
        reasons={bad.pk: "与东苑小区紧密相连，整体实施"},
    )
    client.force_login(leader_user)
    page = client.get(reverse("project_detail", args=[project.pk])).content.decode()
    assert (
        "西苑小区认定为“不符合”，不具备改造条件（工作方案三、认定标准；六(一)）；列入原因：与东苑小区紧密相连，整体实施"
        in page
    )


def test_a_verdict_that_turns_ineligible_after_admission_is_a_blocker_asking_for_a_reason(
    client, programme, wulan, staff_user
):
    compound = CompoundFactory(town=wulan, name="南苑小区")
    project = make_project(programme=programme, user=staff_user, compounds=[compound])
    ruled(compound, Verdict.INELIGIBLE)
    client.force_login(staff_user)
    page = client.get(reverse("project_detail", args=[project.pk])).content.decode()
    assert "南苑小区认定为“不符合”，不具备改造条件（工作方案三、认定标准；六(一)），且未记录列入原因" in page


def test_the_progress_report_lists_the_same_verdict_blocker_as_the_page(programme, wulan, staff_user):
    from projects.reports.progress import project_chunks, project_facts

    bad = ruled(CompoundFactory(town=wulan, name="北苑小区"), Verdict.INCOMPLETE)
    services.project_create(
        programme=programme, code="jy-09", name="测试", compounds=[bad], user=staff_user,
        reasons={bad.pk: "补办产权证明中"},
    )
    (projects, _), = list(project_chunks(programme=programme, is_demo=False))
    blockers = project_facts(projects[0], today=dt.date(2023, 6, 1))["blockers"]
    assert "北苑小区认定为“资料不全”，不具备改造条件（工作方案三、认定标准；六(一)）；列入原因：补办产权证明中" in blockers
