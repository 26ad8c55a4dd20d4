"""Liaisons see and update only their own agency's tasks."""

import pytest
from django.urls import reverse

from projects.choices import TaskStatus
from projects.models import AgencyTask

from .factories import CompoundFactory, make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(programme, wulan, staff_user):
    return make_project(programme=programme, user=staff_user, compounds=[CompoundFactory(town=wulan)])


def test_liaison_lists_only_their_agency_tasks(client, liaison_user, project):
    client.force_login(liaison_user)
    response = client.get(reverse("task_list"))
    tasks = list(response.context["page_obj"].object_list)
    assert tasks and {task.agency.code for task in tasks} == {"finance"}
    assert "agency" not in response.context["filter"].form.fields
    # Asking for another agency's tasks by URL changes nothing.
    audit = AgencyTask.objects.filter(agency__code="audit").first()
    response = client.get(reverse("task_list"), {"agency": audit.agency_id})
    assert {task.agency.code for task in response.context["page_obj"].object_list} == {"finance"}


def test_liaison_updates_own_task_with_history(client, liaison_user, project):
    client.force_login(liaison_user)
    task = project.tasks.get(agency__code="finance")
    response = client.post(
        reverse("task_update", args=[task.pk]),
        {"status": TaskStatus.IN_PROGRESS, "notes": "第一批补助资金已拨付 300 万元"},
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS and task.history.latest().history_user == liaison_user


def test_liaison_cannot_see_or_update_another_agency_task(client, liaison_user, project):
    client.force_login(liaison_user)
    other = project.tasks.get(template_key="tender_price.audit")
    assert client.get(reverse("task_update", args=[other.pk])).status_code == 404
    assert (
        client.post(reverse("task_update", args=[other.pk]), {"status": "done", "notes": "x"}).status_code
        == 404
    )
    other.refresh_from_db()
    assert other.status == TaskStatus.TODO


@pytest.mark.parametrize("role", ["leader", "auditor"])
def test_leader_and_auditor_read_tasks_but_cannot_update(client, users, project, role):
    client.force_login(users[role])
    task = project.tasks.first()
    assert client.get(reverse("task_list")).status_code == 200
    assert client.post(reverse("task_update", args=[task.pk]), {"status": "done"}).status_code == 403


@pytest.mark.parametrize("role", ["leader", "auditor"])
def test_leader_and_auditor_open_a_task_read_only_with_its_history(client, users, project, role):
    """Auditors read everything (README roles): a task's facts and who changed it, without a form."""
    from projects import services

    task = project.tasks.first()
    services.agency_task_update(task=task, user=users["staff"], status=TaskStatus.DONE, notes="已拨付",
                                completed_on=task.due_date)
    client.force_login(users[role])
    response = client.get(reverse("task_update", args=[task.pk]))
    page = response.content.decode()
    assert response.status_code == 200 and "<form method=\"post\"" not in page.split("<main")[-1]
    assert task.title in page and "已拨付" in page and "测试·住建局工作人员" in page
    assert f'href="{reverse("task_update", args=[task.pk])}"' in client.get(reverse("task_list")).content.decode()


def test_task_list_exports_xlsx(client, liaison_user, project):
    from io import BytesIO

    from openpyxl import load_workbook

    client.force_login(liaison_user)
    response = client.get(reverse("task_list"), {"export": "xlsx"})
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "责任单位" and {row[0] for row in rows[1:]} == {"县财政局"}


def test_task_page_shows_deadline_and_every_progress_note(client, liaison_user, staff_user, project,
                                                         django_assert_max_num_queries):
    import datetime as dt

    from projects import services

    task = project.tasks.get(agency__code="finance")
    task.due_date = dt.date(2023, 6, 30)
    task.save()
    for words in ("已受理", "已拨付首批", "已拨付第二批"):
        services.agency_task_update(task=task, status=TaskStatus.IN_PROGRESS, notes=words, user=liaison_user)
    client.force_login(liaison_user)
    body = client.get(reverse("task_update", args=[task.pk])).content.decode()
    assert "2023年6月30日" in body and "已逾期" in body
    assert all(words in body for words in ("已受理", "已拨付首批", "已拨付第二批"))
    assert body.index("已拨付第二批") < body.index("已受理")  # newest first
    assert 'class="breadcrumbs"' in body
    # Pinned: the notes and their writers come in one query, however many there are.
    for n in range(5):
        services.agency_task_update(task=task, status=TaskStatus.IN_PROGRESS, notes=f"第{n}次", user=staff_user)
    with django_assert_max_num_queries(8):
        client.get(reverse("task_update", args=[task.pk]))


def test_blocked_without_reason_shows_the_error_beside_the_field(client, liaison_user, project):
    client.force_login(liaison_user)
    task = project.tasks.get(agency__code="finance")
    response = client.post(reverse("task_update", args=[task.pk]), {"status": TaskStatus.BLOCKED, "notes": ""})
    assert response.status_code == 200
    assert "受阻原因" in " ".join(response.context["form"].errors["notes"])
    task.refresh_from_db()
    assert task.status == TaskStatus.TODO


def test_a_future_completion_date_shows_the_error_beside_the_field(client, liaison_user, project):
    import datetime as dt

    from django.utils import timezone

    client.force_login(liaison_user)
    task = project.tasks.get(agency__code="finance")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client.post(reverse("task_update", args=[task.pk]),
                           {"status": TaskStatus.DONE, "notes": "", "completed_on": tomorrow.isoformat()})
    assert "不能晚于今天" in " ".join(response.context["form"].errors["completed_on"])


def test_liaison_lands_on_their_agency_open_tasks(client, liaison_user, project):
    from projects import services

    done = project.tasks.filter(agency__code="finance").first()
    services.agency_task_update(task=done, status=TaskStatus.DONE, notes="已完成", user=liaison_user)
    client.force_login(liaison_user)
    response = client.get(reverse("ui:landing"), follow=True)
    tasks = list(response.context["page_obj"].object_list)
    assert tasks and done not in tasks
    assert {t.agency.code for t in tasks} == {"finance"} and all(t.status != TaskStatus.DONE for t in tasks)


@pytest.fixture
def demo_project(programme, wulan, staff_user):
    return make_project(programme=programme, user=staff_user, code="demo-01", is_demo=True,
                        compounds=[CompoundFactory(town=wulan, is_demo=True)])


def test_the_task_list_leaves_demo_tasks_out_unless_asked(client, liaison_user, project, demo_project):
    client.force_login(liaison_user)
    listed = client.get(reverse("task_list")).context["page_obj"].object_list
    assert listed and all(task.project_id != demo_project.pk for task in listed)
    with_demo = client.get(reverse("task_list"), {"demo": "include"}).context["page_obj"].object_list
    assert {project.pk, demo_project.pk} <= {task.project_id for task in with_demo}
    only_demo = client.get(reverse("task_list"), {"demo": "only"}).context["page_obj"].object_list
    assert only_demo and {task.project_id for task in only_demo} == {demo_project.pk}
    assert "不含演示任务（默认）" in client.get(reverse("task_list")).content.decode()
