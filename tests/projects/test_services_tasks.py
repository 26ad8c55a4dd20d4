import datetime as dt

import pytest

from projects import services
from projects.choices import TaskStatus
from projects.models import AgencyTask

from .factories import CompoundFactory, add_line, make_project, plan

pytestmark = pytest.mark.django_db


def test_programme_wide_duties_become_tasks_once(programme):
    tasks = AgencyTask.objects.filter(project=None)
    assert tasks.filter(agency__code="media_centre", due_date=programme.completion_deadline).exists()
    assert tasks.filter(agency__code="law_enforcement", due_date=programme.ready_deadline).exists()
    before = tasks.count()
    assert services.agency_tasks_derive(programme=programme) == {"created": 0, "updated": 0, "removed": 0}
    assert tasks.count() == before


def test_project_tasks_follow_the_annex_and_the_plan(programme, wulan, staff_user):
    project = make_project(programme=programme, user=staff_user, compounds=[CompoundFactory(town=wulan)])
    codes = set(project.tasks.values_list("agency__code", flat=True))
    assert {"finance", "audit", "development_reform", "wulan_town"} <= codes
    assert "water" not in codes  # no water lines in the scope yet
    finance = project.tasks.get(agency__code="finance")
    assert finance.duty.text.startswith("负责统筹安排老旧小区改造补助资金")
    plan(project, staff_user)
    finance.refresh_from_db()
    assert finance.due_date == dt.date(2023, 12, 26)  # construction's planned completion


def test_utility_task_appears_with_its_lines_and_goes_if_untouched(programme, wulan, staff_user):
    compound = CompoundFactory(town=wulan)
    project = make_project(programme=programme, user=staff_user, compounds=[compound])
    line, _ = add_line(project, staff_user, compound, "water_supply_drainage")
    assert project.tasks.filter(agency__code="water").exists()
    services.scope_line_delete(line=line, user=staff_user)
    services.agency_tasks_derive(project=project, user=staff_user)
    assert not project.tasks.filter(agency__code="water").exists()


def test_task_update_records_status_notes_and_who(programme, wulan, staff_user, liaison_user):
    project = make_project(programme=programme, user=staff_user, compounds=[CompoundFactory(town=wulan)])
    task = project.tasks.get(agency__code="finance")
    services.agency_task_update(
        task=task,
        status=TaskStatus.DONE,
        notes="首批资金已拨付",
        user=liaison_user,
        completed_on=dt.date(2023, 8, 1),
    )
    task.refresh_from_db()
    assert (task.status, task.completed_on) == (TaskStatus.DONE, dt.date(2023, 8, 1))
    record = task.history.latest()
    assert record.history_user == liaison_user and record.history_change_reason == "状态：已完成"
    services.agency_task_update(task=task, status=TaskStatus.IN_PROGRESS, notes="追加拨付", user=liaison_user)
    task.refresh_from_db()
    assert task.completed_on is None


# --- Every duty of the annex (附件 职责分工) becomes a task (issue 14) ------------------------------------


def test_every_duty_of_the_annex_is_carried_by_a_task_template():
    """附件: each of the 37 duties (leading group, departments, utilities) has at least one task."""
    import json

    from projects import duty_tasks
    from projects.services import PROGRAMME_FILE

    duties = json.loads(PROGRAMME_FILE.read_text(encoding="utf-8"))["duties"]
    assert len(duties) == 37
    carried = {(t.agency_code, t.duty_order) for t in duty_tasks.PROJECT_TASKS + duty_tasks.PROGRAMME_TASKS}
    missing = [(d["agency"], d["order"], d["text"]) for d in duties if (d["agency"], d["order"]) not in carried]
    assert missing == []


def test_each_heating_company_gets_its_own_line_task_with_its_own_duty(programme, wulan, staff_user):
    """附件: 供热等管线单位负责配合并出资参与管线改造 — the shared duty applies to each of the three
    heating companies; the annex splits nothing by district."""
    compound = CompoundFactory(town=wulan)
    project = make_project(programme=programme, user=staff_user, compounds=[compound])
    heating = ("heating_wanjiaxing", "heating_jingle", "heating_jingxing")
    assert not project.tasks.filter(agency__code__in=heating).exists()
    add_line(project, staff_user, compound, "heating_network")
    tasks = project.tasks.filter(agency__code__in=heating).select_related("agency", "duty")
    assert sorted(t.agency.code for t in tasks) == sorted(heating)
    assert all(t.duty.agency_id == t.agency_id and "管线改造" in t.duty.text for t in tasks)


def test_the_leading_group_duties_become_project_tasks(programme, wulan, staff_user):
    """附件 领导小组: 统筹资金制定方案、前期手续、评审用地、改造内容与费用测算、组织施工验收决算审计、
    违章建筑依法拆除 (with demolition in the scope)、设施设备移交."""
    compound = CompoundFactory(town=wulan)
    project = make_project(programme=programme, user=staff_user, compounds=[compound])
    orders = set(project.tasks.filter(agency__code="leading_group").values_list("duty__order", flat=True))
    assert orders == {1, 2, 3, 4, 5, 7}
    add_line(project, staff_user, compound, "demolish_illegal_structures")
    orders = set(project.tasks.filter(agency__code="leading_group").values_list("duty__order", flat=True))
    assert orders == {1, 2, 3, 4, 5, 6, 7}


def test_housing_bureau_duties_two_and_three_and_ndrc_duty_three_become_tasks(programme, wulan, staff_user):
    """附件 县住建局 2 (消防设施设备设计、施工、安装、验收) and 3 (市政管道、道路、绿化、垃圾清运、路灯),
    县发改局 3 (前期物业服务收费标准)."""
    compound = CompoundFactory(town=wulan)
    project = make_project(programme=programme, user=staff_user, compounds=[compound])
    assert project.tasks.filter(agency__code="housing", duty__order=3, template_key="municipal.housing").exists()
    assert project.tasks.filter(agency__code="development_reform", duty__order=3).exists()
    assert not project.tasks.filter(agency__code="housing", duty__order=2).exists()  # no fire items yet
    add_line(project, staff_user, compound, "fire_wells")
    fire = project.tasks.get(template_key="fire.housing")
    assert fire.duty.text == "负责指导、监督老旧小区消防设施设备设计、施工、安装、验收。"


def test_wulan_town_tasks_carry_its_full_duty_including_disputes_and_illegal_structures(programme, wulan,
                                                                                       staff_user):
    """附件 乌兰镇: 前期摸底、民意调查、政策宣传、矛盾纠纷化解、拆违治乱 — every part is a task."""
    project = make_project(programme=programme, user=staff_user, compounds=[CompoundFactory(town=wulan)])
    titles = "、".join(project.tasks.filter(agency__code="wulan_town").values_list("title", flat=True))
    for part in ("前期摸底", "民意调查", "政策宣传", "矛盾纠纷化解", "拆违治乱"):
        assert part in titles


def test_each_task_update_is_kept_as_a_dated_note_not_overwritten(programme, wulan, staff_user, liaison_user):
    from projects.models import TaskNote

    project = make_project(programme=programme, user=staff_user, compounds=[CompoundFactory(town=wulan)])
    task = project.tasks.get(agency__code="finance")
    services.agency_task_update(task=task, status=TaskStatus.IN_PROGRESS, notes="已收到申请", user=liaison_user)
    services.agency_task_update(task=task, status=TaskStatus.IN_PROGRESS, notes="已拨付首批", user=staff_user)
    notes = list(TaskNote.objects.filter(task=task).order_by("written_at", "id"))
    assert [(n.text, n.written_by) for n in notes] == [("已收到申请", liaison_user), ("已拨付首批", staff_user)]
    task.refresh_from_db()
    assert task.notes == "已拨付首批"  # the list shows the latest; the earlier note is still kept


def test_a_completion_date_in_the_future_is_refused_and_nothing_is_saved(programme, wulan, staff_user,
                                                                         liaison_user):
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    project = make_project(programme=programme, user=staff_user, compounds=[CompoundFactory(town=wulan)])
    task = project.tasks.get(agency__code="finance")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        services.agency_task_update(task=task, status=TaskStatus.DONE, notes="", user=liaison_user,
                                    completed_on=tomorrow)
    assert "不能晚于今天" in refused.value.message_dict["completed_on"][0]
    task.refresh_from_db()
    assert task.status == TaskStatus.TODO and not task.progress_notes.exists()


def test_blocked_needs_a_reason(programme, wulan, staff_user, liaison_user):
    from django.core.exceptions import ValidationError

    project = make_project(programme=programme, user=staff_user, compounds=[CompoundFactory(town=wulan)])
    task = project.tasks.get(agency__code="finance")
    with pytest.raises(ValidationError) as refused:
        services.agency_task_update(task=task, status=TaskStatus.BLOCKED, notes="  ", user=liaison_user)
    assert "受阻原因" in refused.value.message_dict["text"][0]
    services.agency_task_update(task=task, status=TaskStatus.BLOCKED, notes="等待审计局审定控制价",
                                user=liaison_user)
    task.refresh_from_db()
    assert task.status == TaskStatus.BLOCKED


def test_the_database_refuses_a_blocked_note_without_reason(programme, wulan, staff_user):
    from django.db import IntegrityError, transaction

    from projects.models import TaskNote

    project = make_project(programme=programme, user=staff_user, compounds=[CompoundFactory(town=wulan)])
    task = project.tasks.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        TaskNote.objects.create(task=task, status=TaskStatus.BLOCKED, text="", written_by=staff_user)


def test_notes_written_before_notes_were_kept_become_the_first_note(programme, wulan, staff_user):
    """Migration projects.0006 carries each task's old notes over, so the first new update hides nothing."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("projects.migrations.0006_task_notes")
    project = make_project(programme=programme, user=staff_user, compounds=[CompoundFactory(town=wulan)])
    task = project.tasks.first()
    AgencyTask.objects.filter(pk=task.pk).update(notes="旧的进展说明")
    migration.notes_carry_over(apps, None)
    note = task.progress_notes.get()
    assert (note.text, note.status, note.written_by) == ("旧的进展说明", task.status, staff_user)
