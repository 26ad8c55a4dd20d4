"""Deadline status (按期/有风险/逾期/已完成) before, on and after each deadline, with a frozen clock."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from projects import services
from projects.choices import DeadlineStatus
from projects.deadlines import assess
from projects.selectors import project_detail

from .factories import CompoundFactory, complete_through, make_project, plan, step

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def frozen(day: dt.date):
    """Freeze the clock at noon of `day` in the county's time zone."""
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 12, tzinfo=SHANGHAI), tick=False)


@pytest.fixture
def project(programme, wulan, staff_user):
    project = make_project(programme=programme, user=staff_user, compounds=[CompoundFactory(town=wulan)])
    plan(project, staff_user)
    return project


def standing(project, day):
    with frozen(day):
        ready, completion = project_detail(project=project)["deadlines"]
    return ready, completion


def test_clock_is_really_frozen_for_the_page():
    with frozen(dt.date(2023, 6, 30)):
        from django.utils import timezone

        assert timezone.localdate() == dt.date(2023, 6, 30)


def test_on_plan_before_the_ready_deadline_is_on_track(project, staff_user):
    complete_through(project, staff_user, "site_verification")
    ready, completion = standing(project, dt.date(2023, 3, 27))
    assert ready.status == DeadlineStatus.ON_TRACK
    assert ready.forecast == dt.date(2023, 6, 24)  # 施工、监理招投标's planned completion, at pace 1.00
    assert "进度系数 1.00" in ready.explanation
    assert completion.status == DeadlineStatus.ON_TRACK


def test_slow_pace_forecasts_a_miss_and_marks_at_risk(project, staff_user):
    complete_through(project, staff_user, "county_report", late_days=10)
    ready, _ = standing(project, dt.date(2023, 5, 1))
    # planned 30 days for what took 50 (pace 0.6); 85 planned days left (to 施工、监理招投标's
    # 2023-06-24) take 142 from the last completion 2023-04-30 → 2023-09-19.
    assert ready.pace == pytest.approx(0.6)
    assert ready.forecast == dt.date(2023, 9, 19)
    assert ready.status == DeadlineStatus.AT_RISK
    assert "晚于时限 2023-06-30" in ready.explanation


def test_not_started_at_all_shifts_the_plan_by_the_delay(project):
    early, _ = standing(project, dt.date(2023, 3, 5))
    assert early.status == DeadlineStatus.ON_TRACK and early.forecast == dt.date(2023, 6, 28)
    late, _ = standing(project, dt.date(2023, 4, 1))
    assert late.status == DeadlineStatus.AT_RISK and late.forecast == dt.date(2023, 7, 25)


def test_a_stalled_step_holds_up_the_forecast(project, staff_user):
    complete_through(project, staff_user, "design")
    tender = step(project, "construction_tender")
    services.project_step_start(step=tender, started_on=dt.date(2023, 6, 5), user=staff_user)
    services.project_advance(step=tender, completed_on=dt.date(2023, 6, 24), user=staff_user)
    ready, _ = standing(project, dt.date(2023, 6, 28))
    # 各项前期手续, planned to finish 2023-06-19, is not done: it can finish today at the earliest;
    # nothing else of this gate waits for it (施工、监理招投标 runs beside it, 六(三)2).
    assert ready.forecast == dt.date(2023, 6, 28)
    assert ready.status == DeadlineStatus.ON_TRACK
    assert "“各项前期手续”已超过计划完成日期仍未完成" in ready.explanation


def test_on_the_ready_deadline_day_unfinished_is_not_yet_overdue(project, staff_user):
    complete_through(project, staff_user, "permits")
    ready, _ = standing(project, dt.date(2023, 6, 30))
    assert ready.status == DeadlineStatus.ON_TRACK and ready.forecast == dt.date(2023, 6, 30)


def test_after_the_ready_deadline_unfinished_is_overdue(project, staff_user):
    complete_through(project, staff_user, "permits")
    ready, completion = standing(project, dt.date(2023, 7, 1))
    assert ready.status == DeadlineStatus.OVERDUE
    assert ready.remaining == ["施工、监理招投标"]
    assert "时限 2023-06-30 已过" in ready.explanation
    assert completion.status in (DeadlineStatus.ON_TRACK, DeadlineStatus.AT_RISK)


def test_ready_gate_done_in_time_stays_done_after_the_deadline(project, staff_user):
    complete_through(project, staff_user, "construction_tender")
    for day in (dt.date(2023, 6, 29), dt.date(2023, 6, 30), dt.date(2023, 7, 1)):
        ready, _ = standing(project, day)
        assert ready.status == DeadlineStatus.DONE
        assert ready.finished_on == dt.date(2023, 6, 24)
        assert "在时限之内" in ready.explanation


def test_ready_gate_done_late_says_how_late(project, staff_user):
    complete_through(project, staff_user, "construction_tender", late_days=6)
    ready, _ = standing(project, dt.date(2023, 8, 1))
    assert ready.status == DeadlineStatus.DONE
    assert ready.finished_on == dt.date(2023, 8, 29)
    assert "比时限晚 60 天" in ready.explanation


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2024, 5, 30), DeadlineStatus.AT_RISK),
        (dt.date(2024, 5, 31), DeadlineStatus.AT_RISK),
        (dt.date(2024, 6, 1), DeadlineStatus.OVERDUE),
    ],
)
def test_completion_deadline_before_on_and_after(project, staff_user, day, expected):
    complete_through(project, staff_user, "construction_tender")
    services.project_step_start(
        step=step(project, "construction"), started_on=dt.date(2023, 7, 1), user=staff_user
    )
    _, completion = standing(project, day)
    assert completion.status == expected


def test_completion_deadline_met_is_done_on_and_after(project, staff_user):
    complete_through(project, staff_user, "completion_acceptance")
    for day in (dt.date(2024, 5, 31), dt.date(2024, 6, 1)):
        ready, completion = standing(project, day)
        assert ready.status == completion.status == DeadlineStatus.DONE
        assert completion.finished_on == dt.date(2024, 1, 15)


def test_missing_planned_dates_make_the_forecast_impossible(programme, wulan, staff_user):
    project = make_project(
        programme=programme, user=staff_user, compounds=[CompoundFactory(town=wulan)], code="np"
    )
    ready, _ = standing(project, dt.date(2023, 4, 1))
    assert ready.status == DeadlineStatus.AT_RISK and ready.forecast is None
    assert "没有计划完成日期" in ready.explanation and "摸底调查" in ready.explanation


def test_assess_is_a_pure_rule_over_step_rows(project, staff_user):
    complete_through(project, staff_user, "survey")
    steps = list(project.steps.all())
    result = assess(
        key="ready",
        label="具备开工条件",
        deadline=dt.date(2023, 6, 30),
        gate=("survey", "site_verification"),
        steps=steps,
        today=dt.date(2023, 3, 20),
    )
    assert result.status == DeadlineStatus.ON_TRACK and result.forecast == dt.date(2023, 3, 26)


def test_ready_deadline_needs_design_permits_and_the_construction_tender(project, staff_user):
    """四(三) 「2023年6月底前完成各项前期工作并具备开工条件」 read with 六(三)1 and 六(三)2: the
    design, 各项前期手续 and 施工、监理招投标 are all 前期工作; the preliminary tender and contract
    alone do not make a project ready to start."""
    complete_through(project, staff_user, "preliminary_tender")
    ready, _ = standing(project, dt.date(2023, 7, 1))
    assert ready.status == DeadlineStatus.OVERDUE
    assert ready.remaining == ["设计（征求居民及管线单位意见）", "各项前期手续", "施工、监理招投标"]


def test_every_project_stands_the_same_on_the_dashboard_and_on_its_page(programme, wulan, staff_user):
    """The dashboard, its overdue list and the list's 时限状态 filter read every project's steps as values
    (project_deadline_statuses); the project page reads them as records (project_detail). For projects
    unplanned, on plan, late and finished, before and after each deadline, both say the same."""
    from projects.selectors import project_deadline_statuses

    make_project(programme=programme, user=staff_user, code="jy-a", compounds=[CompoundFactory(town=wulan)])  # unplanned
    on_plan = make_project(programme=programme, user=staff_user, code="jy-b", compounds=[CompoundFactory(town=wulan)])
    late = make_project(programme=programme, user=staff_user, code="jy-c", compounds=[CompoundFactory(town=wulan)])
    done = make_project(programme=programme, user=staff_user, code="jy-d", compounds=[CompoundFactory(town=wulan)])
    for project in (on_plan, late, done):
        plan(project, staff_user)
    complete_through(on_plan, staff_user, "site_verification")
    complete_through(late, staff_user, "county_report", late_days=10)
    complete_through(done, staff_user, "permits")
    for day in (dt.date(2023, 5, 1), dt.date(2023, 6, 30), dt.date(2023, 7, 1), dt.date(2024, 6, 1)):
        with frozen(day):
            statuses = project_deadline_statuses(programme=programme, today=day)
            assert [project.code for project, _ in statuses] == ["jy-a", "jy-b", "jy-c", "jy-d"]
            for project, assessed in statuses:
                assert assessed == project_detail(project=project)["deadlines"], (project.code, day)
