"""摸底调查 and 现场审核认定 of a project come from what is recorded of its compounds (六(一)): the survey
import and the on-site verification form, not a second entry on the project page. A new project's agency
tasks are due from its step plan, or while unplanned at the deadline of 四(三) that needs the step."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from communities.choices import VerificationDecision
from communities.models import Compound
from communities.services import verification_record
from communities.survey import survey_import
from projects.choices import StepStatus
from projects.models import AgencyTask
from projects.selectors import project_detail
from projects.services import project_step_reopen
from tests.communities.survey_files import SAMPLES
from tests.communities.test_survey_services import upload_file

from .factories import CompoundFactory, make_project, step

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _import(user, town, day: dt.date):
    with time_machine.travel(dt.datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI), tick=False):
        upload = upload_file(user, town, SAMPLES / "survey-libreoffice.xlsx")
        return survey_import(upload=upload, user=user)


def _verify(compound, user, day, decision=VerificationDecision.CONFIRMED):
    return verification_record(
        compound=compound, user=user, verified_on=day, town_participant="乌兰镇 张三",
        community_participant="东街社区 李四", design_institute="县设计院 王五", decision=decision,
    )


def test_survey_step_of_a_new_project_is_done_on_the_day_its_compounds_were_imported(
    programme, wulan, staff_user
):
    """六(一): 由乌兰镇…进行摸底 — the import of the survey workbook is that record."""
    _import(staff_user, wulan, dt.date(2023, 3, 10))
    compounds = list(Compound.objects.filter(town=wulan, name__in=["样例小区-01", "样例小区-02"]))
    project = make_project(programme=programme, user=staff_user, compounds=compounds)
    survey = step(project, "survey")
    assert (survey.status, survey.actual_start, survey.actual_end) == (
        StepStatus.DONE, dt.date(2023, 3, 10), dt.date(2023, 3, 10))
    assert "摸底调查导入记录" in survey.notes


def test_survey_import_after_the_project_exists_completes_its_survey_step(programme, wulan, staff_user):
    _import(staff_user, wulan, dt.date(2023, 3, 10))
    compound = Compound.objects.get(town=wulan, name="样例小区-01")
    project = make_project(programme=programme, user=staff_user, compounds=[compound])
    # A second compound, not yet surveyed: the step is under way, not done.
    late = CompoundFactory(town=wulan, name="样例小区-09")
    from projects.services import project_compound_add

    other = make_project(programme=programme, user=staff_user, compounds=[late], code="jy-02")
    project_compound_add(project=other, compound=compound, phase=2, user=staff_user, reason="测试：先行列入，待补充认定资料")
    assert step(other, "survey").status == StepStatus.IN_PROGRESS
    assert step(other, "survey").actual_start == dt.date(2023, 3, 10)
    assert step(project, "survey").is_done


def test_compound_never_surveyed_leaves_the_survey_step_not_started(programme, wulan, staff_user):
    """A compound made by hand (or loaded from the work plan) has no survey record."""
    project = make_project(programme=programme, user=staff_user, compounds=[CompoundFactory(town=wulan)])
    assert step(project, "survey").status == StepStatus.NOT_STARTED


def test_site_verification_step_follows_the_verification_records(programme, wulan, staff_user):
    """六(一): 由县住建局组织乌兰镇、相关社区、设计院等部门到现场进行审核认定."""
    _import(staff_user, wulan, dt.date(2023, 3, 10))
    first, second = Compound.objects.filter(town=wulan, name__in=["样例小区-01", "样例小区-02"]).order_by("name")
    project = make_project(programme=programme, user=staff_user, compounds=[first, second])
    _verify(first, staff_user, dt.date(2023, 3, 20))
    verification = step(project, "site_verification")
    assert (verification.status, verification.actual_start) == (StepStatus.IN_PROGRESS, dt.date(2023, 3, 20))
    _verify(second, staff_user, dt.date(2023, 3, 22), decision=VerificationDecision.NEEDS_INFO)
    assert step(project, "site_verification").status == StepStatus.IN_PROGRESS
    _verify(second, staff_user, dt.date(2023, 3, 25))
    verification = step(project, "site_verification")
    assert (verification.status, verification.actual_end) == (StepStatus.DONE, dt.date(2023, 3, 25))
    assert "现场审核认定记录" in verification.notes


def test_new_project_tasks_are_due_at_the_deadline_of_their_step_and_fall_overdue(
    programme, wulan, staff_user
):
    """四(三): the steps before 施工 are due by 2023-06-30, those up to 竣工验收 by 2024-05-31; a project
    made without a step plan still has tasks that can be overdue."""
    project = make_project(programme=programme, user=staff_user, compounds=[CompoundFactory(town=wulan)])
    due = dict(AgencyTask.objects.filter(project=project).values_list("template_key", "due_date"))
    assert due["survey.wulan"] == dt.date(2023, 6, 30)
    assert due["approval.ndrc"] == dt.date(2023, 6, 30)
    assert due["tender_price.audit"] == dt.date(2023, 6, 30)
    assert due["quality.housing"] == dt.date(2024, 5, 31)
    assert due["final_audit.audit"] is None  # 决算审计 comes after acceptance: no deadline in the plan
    if timezone.localdate() > dt.date(2023, 6, 30):
        blockers = project_detail(project=project)["blockers"]
        assert any("前期摸底、民意调查、政策宣传”已逾期" in b for b in blockers)


def test_command_records_the_steps_of_projects_made_before_the_derivation(programme, wulan, staff_user):
    """Projects that existed before 摸底调查/现场审核认定 were derived (六(一)) catch up with one command."""
    from io import StringIO

    from django.core.management import call_command

    _import(staff_user, wulan, dt.date(2023, 3, 10))
    compound = Compound.objects.get(town=wulan, name="样例小区-01")
    project = make_project(programme=programme, user=staff_user, compounds=[compound])
    # As a project made before the derivation stands: its survey step never entered.
    project_step_reopen(step=step(project, "survey"), reason="模拟旧项目", user=staff_user)
    project_step_reopen(step=step(project, "survey"), reason="模拟旧项目", user=staff_user)
    assert step(project, "survey").status == StepStatus.NOT_STARTED
    out = StringIO()
    call_command("steps_from_records", stdout=out)
    assert step(project, "survey").actual_end == dt.date(2023, 3, 10)
    assert "现余" in out.getvalue()
