import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from projects import services
from projects import steps as catalog
from projects.choices import StepStatus

from .factories import CompoundFactory, accept, complete_through, make_project, plan, step

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(programme, wulan, staff_user):
    project = make_project(programme=programme, user=staff_user, compounds=[CompoundFactory(town=wulan)])
    plan(project, staff_user)
    return project


def test_catalog_names_the_order_of_section_six():
    """六(一) survey, verification, report; 六(二) feasibility study, approval, subsidy; 六(三)1 项目任务下达
    后 前期招投标及合同签订, then the design; 六(三)2 各项前期手续 and 施工、监理招投标, then 施工; 六(三)3
    竣工验收; the annex 决算编制、决算审计、移交; 六(三)4 业主大会、物业."""
    assert [s.name for s in catalog.STEPS] == [
        "摸底调查",
        "现场审核认定",
        "向县政府汇报",
        "编制可行性研究报告",
        "发改部门审批",
        "申请中央及省级配套补助资金",
        "项目任务下达",
        "前期招投标及合同签订",
        "设计（征求居民及管线单位意见）",
        "各项前期手续",
        "施工、监理招投标",
        "组织施工（监理、监督）",
        "竣工验收",
        "决算编制",
        "决算审计",
        "设施设备移交接收单位",
        "业主大会及物业管理",
    ]
    assert catalog.COMPLETION_GATE[-1] == "completion_acceptance"
    assert all(catalog.ORDER[dep] < catalog.ORDER[s.code] for s in catalog.STEPS for dep in s.depends_on)


def test_preliminary_tender_follows_the_task_issue_and_precedes_the_design_by_six_three_one():
    """六(三)1: 「项目任务下达后，由县住建局完成项目工程前期招投标及合同签订工作」, and the design unit
    (设计单位) then works with residents and the utilities."""
    tender = catalog.BY_CODE["preliminary_tender"]
    assert tender.depends_on == ("task_issued",) and tender.clause == "六(三)1"
    assert catalog.BY_CODE["task_issued"].clause == "六(三)1"
    assert catalog.BY_CODE["design"].depends_on == ("preliminary_tender",)
    assert catalog.BY_CODE["design"].clause.startswith("六(三)1")


def test_permits_and_construction_tender_follow_the_design_and_precede_construction_by_six_three_two():
    """六(三)2: 「各项前期手续及施工、监理招投标工作。中标单位办理相关手续后组织施工」."""
    for code in ("permits", "construction_tender"):
        assert catalog.BY_CODE[code].depends_on == ("design",)
        assert catalog.BY_CODE[code].clause.startswith("六(三)2")
    assert set(catalog.BY_CODE["construction"].depends_on) == {"permits", "construction_tender"}


def test_ready_gate_of_four_three_is_every_step_before_construction():
    """四(三) 「2023年6月底前完成各项前期工作并具备开工条件」: design, permits and the construction and
    supervision contracts included; 2024-05-31 「完成全部改造任务」 runs to 竣工验收."""
    assert tuple(s.code for s in catalog.STEPS[: catalog.ORDER["construction"] - 1]) == catalog.READY_GATE
    assert {"design", "permits", "construction_tender"} <= set(catalog.READY_GATE)
    gates = [catalog.gate_of(s.code) for s in catalog.STEPS]
    assert gates == ["ready_to_start"] * 11 + ["complete"] * 2 + [None] * 4


def test_construction_cannot_start_before_permits_and_construction_tender(project, staff_user):
    """六(三)2: the successful bidders build only after the permits and the construction tender."""
    complete_through(project, staff_user, "permits")
    with pytest.raises(ValidationError, match="须先完成“施工、监理招投标”"):
        services.project_step_start(
            step=step(project, "construction"), started_on=dt.date(2023, 6, 30), user=staff_user
        )


def test_project_gets_every_step_in_order_with_the_responsible_agency(project):
    steps = list(project.steps.order_by("order").select_related("responsible_agency"))
    assert [s.code for s in steps] == [s.code for s in catalog.STEPS]
    assert steps[0].responsible_agency.code == "wulan_town"
    assert step(project, "approval").responsible_agency.code == "development_reform"
    assert step(project, "final_audit").responsible_agency.code == "audit"


def test_step_cannot_be_completed_before_its_dependencies(project, staff_user):
    with pytest.raises(ValidationError) as refusal:
        services.project_advance(
            step=step(project, "approval"), completed_on=dt.date(2023, 5, 1), user=staff_user
        )
    assert refusal.value.messages == [
        "不能完成“发改部门审批”：须先完成“编制可行性研究报告”（工作方案六、实施步骤）。"
    ]
    assert step(project, "approval").status == StepStatus.NOT_STARTED


def test_step_cannot_be_started_before_its_dependencies(project, staff_user):
    with pytest.raises(ValidationError, match="不能开始“现场审核认定”：须先完成“摸底调查”"):
        services.project_step_start(
            step=step(project, "site_verification"), started_on=dt.date(2023, 3, 20), user=staff_user
        )


def test_steps_complete_in_order_and_history_records_who(project, staff_user):
    complete_through(project, staff_user, "county_report")
    survey = step(project, "survey")
    assert survey.status == StepStatus.DONE and survey.actual_end == dt.date(2023, 3, 15)
    latest = survey.history.latest()
    assert latest.history_user == staff_user
    assert latest.history_change_reason == "完成：2023-03-15"


def test_completion_date_cannot_precede_a_dependency(project, staff_user):
    complete_through(project, staff_user, "survey")
    with pytest.raises(ValidationError, match="不能早于前置步骤“摸底调查”的完成日期"):
        services.project_advance(
            step=step(project, "site_verification"), completed_on=dt.date(2023, 3, 1), user=staff_user
        )


def test_completion_in_the_future_is_refused(project, staff_user):
    with pytest.raises(ValidationError, match="实际完成日期不能晚于今天"):
        services.project_advance(
            step=step(project, "survey"), completed_on=dt.date(2999, 1, 1), user=staff_user
        )


def test_acceptance_step_refused_without_an_acceptance_record(project, staff_user):
    complete_through(project, staff_user, "construction")
    with pytest.raises(ValidationError) as refusal:
        services.project_advance(
            step=step(project, "completion_acceptance"), completed_on=dt.date(2024, 1, 10), user=staff_user
        )
    assert "尚无竣工验收记录" in refusal.value.messages[0]
    assert "六(三)3" in refusal.value.messages[0]


def test_acceptance_step_refused_when_acceptance_failed_or_has_no_report(project, staff_user):
    complete_through(project, staff_user, "construction")
    accept(project, staff_user, on=dt.date(2024, 1, 5), passed=False)
    acceptance = step(project, "completion_acceptance")
    with pytest.raises(ValidationError, match="竣工验收记录为不合格"):
        services.project_advance(step=acceptance, completed_on=dt.date(2024, 1, 10), user=staff_user)
    accept(project, staff_user, on=dt.date(2024, 1, 6), with_report=False)
    with pytest.raises(ValidationError, match="缺少竣工验收报告"):
        services.project_advance(step=acceptance, completed_on=dt.date(2024, 1, 10), user=staff_user)
    accept(project, staff_user, on=dt.date(2024, 1, 7))
    services.project_advance(step=acceptance, completed_on=dt.date(2024, 1, 10), user=staff_user)
    assert step(project, "completion_acceptance").is_done


def test_reopen_refused_while_a_later_step_has_started(project, staff_user):
    complete_through(project, staff_user, "site_verification")
    with pytest.raises(ValidationError, match="其后的步骤“现场审核认定”已开始"):
        services.project_step_reopen(step=step(project, "survey"), reason="日期录错", user=staff_user)
    services.project_step_reopen(step=step(project, "site_verification"), reason="日期录错", user=staff_user)
    assert step(project, "site_verification").status == StepStatus.IN_PROGRESS
    assert step(project, "site_verification").history.latest().history_change_reason == "撤销：日期录错"


def test_database_refuses_a_status_that_contradicts_the_dates(project):
    survey = step(project, "survey")
    survey.status = StepStatus.DONE
    with pytest.raises(ValidationError, match="步骤状态与实际日期不一致"):
        survey.full_clean()


def test_a_compound_phase_belongs_to_one_project(programme, wulan, staff_user):
    compound = CompoundFactory(town=wulan)
    make_project(programme=programme, user=staff_user, compounds=[compound], code="a")
    with pytest.raises(ValidationError, match="该小区的这一期已列入其他项目"):
        make_project(programme=programme, user=staff_user, compounds=[compound], code="b")
    phase_two = make_project(programme=programme, user=staff_user, compounds=[(compound, 2, 15)], code="c")
    assert phase_two.project_compounds.get().households == 15


def test_every_project_task_is_due_at_a_step_of_the_catalog():
    """A task template naming a step that no longer exists would never get a due date (附件 duties)."""
    from projects import duty_tasks

    assert {t.due_step for t in duty_tasks.PROJECT_TASKS} <= set(catalog.BY_CODE)
