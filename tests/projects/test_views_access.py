"""Who may open which project page: anonymous → login, outsider 403, leader and auditor read-only."""

import pytest
from django.urls import reverse

from .factories import CompoundFactory, make_project

pytestmark = pytest.mark.django_db

READERS = {"staff": 200, "leader": 200, "auditor": 200, "surveyor": 403, "liaison": 403, "outsider": 403}
WRITERS = {"staff": 200, "leader": 403, "auditor": 403, "surveyor": 403, "liaison": 403, "outsider": 403}


@pytest.fixture
def project(programme, wulan, staff_user):
    return make_project(programme=programme, user=staff_user, compounds=[CompoundFactory(town=wulan)])


def _read_urls(project):
    return [
        reverse("project_list"),
        reverse("project_list") + "?export=xlsx",
        reverse("project_detail", args=[project.pk]),
        reverse("project_ledger", args=[project.pk]),
        reverse("project_ledger", args=[project.pk]) + "?export=xlsx",
        reverse("indicators"),
    ]


def _write_urls(project):
    pk = project.pk
    return [
        reverse("project_create"),
        reverse("project_edit", args=[pk]),
        reverse("project_compound_add", args=[pk]),
        reverse("step_edit", args=[pk, "survey"]),
        reverse("scope_line_add", args=[pk]),
        reverse("four_item_acknowledge", args=[pk]),
        reverse("document_upload", args=[pk]),
        reverse("note_add", args=[pk]),
        reverse("acceptance_edit", args=[pk]),
    ]


@pytest.mark.parametrize("role", list(READERS))
def test_read_pages_by_role(client, users, project, role):
    client.force_login(users[role])
    for url in _read_urls(project):
        assert client.get(url).status_code == READERS[role], url


@pytest.mark.parametrize("role", list(WRITERS))
def test_write_pages_by_role(client, users, project, role):
    client.force_login(users[role])
    for url in _write_urls(project):
        assert client.get(url).status_code == WRITERS[role], url


@pytest.mark.parametrize("role", ["leader", "auditor"])
def test_leader_and_auditor_cannot_post_changes(client, users, project, role):
    client.force_login(users[role])
    response = client.post(reverse("note_add", args=[project.pk]), {"text": "不应保存"})
    assert response.status_code == 403
    assert not project.project_notes.exists()
    response = client.post(
        reverse("step_edit", args=[project.pk, "survey"]),
        {"form": "action", "action": "start", "on": "2023-03-01"},
    )
    assert response.status_code == 403


def test_anonymous_is_sent_to_login(client, project):
    for url in _read_urls(project) + _write_urls(project) + [reverse("task_list")]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("staff", 200),
        ("leader", 200),
        ("auditor", 200),
        ("liaison", 200),
        ("surveyor", 403),
        ("outsider", 403),
    ],
)
def test_task_list_by_role(client, users, project, role, status):
    client.force_login(users[role])
    assert client.get(reverse("task_list")).status_code == status


def test_leader_sees_no_edit_links(client, users, project):
    client.force_login(users["leader"])
    page = client.get(reverse("project_detail", args=[project.pk])).content.decode()
    # The step link reads 办理; task titles may contain the word too (附件: 办理…前期手续).
    assert ">办理</a>" not in page and "上传资料" not in page
    client.force_login(users["staff"])
    page = client.get(reverse("project_detail", args=[project.pk])).content.decode()
    assert ">办理</a>" in page and "上传资料" in page
