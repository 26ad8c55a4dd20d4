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
    tasks = list(response.context["page"].object_list)
    assert tasks and {task.agency.code for task in tasks} == {"finance"}
    assert "agency" not in response.context["filter"].form.fields
    # Asking for another agency's tasks by URL changes nothing.
    audit = AgencyTask.objects.filter(agency__code="audit").first()
    response = client.get(reverse("task_list"), {"agency": audit.agency_id})
    assert {task.agency.code for task in response.context["page"].object_list} == {"finance"}


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
