import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from projects import services

from .factories import CompoundFactory, make_project, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def project(programme, wulan, staff_user):
    return make_project(programme=programme, user=staff_user, compounds=[CompoundFactory(town=wulan)])


def test_pdf_is_kept_with_its_checksum(project, staff_user):
    import hashlib

    document = services.document_upload(
        project=project, title="立项批复", uploaded_file=pdf(), user=staff_user
    )
    assert document.sha256 == hashlib.sha256(b"%PDF-1.4\nevidence").hexdigest()
    assert document.content_type == "application/pdf" and document.size_bytes == 17
    assert document.history.latest().history_user == staff_user


def test_same_file_twice_is_refused(project, staff_user):
    services.document_upload(project=project, title="a", uploaded_file=pdf(), user=staff_user)
    with pytest.raises(ValidationError, match="内容完全相同的文件"):
        services.document_upload(project=project, title="b", uploaded_file=pdf("copy.pdf"), user=staff_user)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.exe", b"MZ....", "不支持的文件类型“.exe”"),
        ("fake.pdf", b"MZ not a pdf", "文件内容与扩展名“.pdf”不符"),
        ("empty.png", b"", "文件为空"),
    ],
)
def test_wrong_type_or_content_is_refused(project, staff_user, name, content, message):
    with pytest.raises(ValidationError, match=message):
        services.document_upload(
            project=project, title="x", uploaded_file=SimpleUploadedFile(name, content), user=staff_user
        )


def test_too_large_is_refused(project, staff_user, settings):
    settings.JINGYUAN_DOCUMENT_MAX_MB = 1
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (1024 * 1024))
    with pytest.raises(ValidationError, match="文件过大.*上限为 1 MB"):
        services.document_upload(project=project, title="x", uploaded_file=big, user=staff_user)


def test_office_and_image_files_are_accepted(project, staff_user):
    services.document_upload(
        project=project,
        title="照片",
        user=staff_user,
        uploaded_file=SimpleUploadedFile("site.jpg", b"\xff\xd8\xff\xe0 jpeg"),
    )
    services.document_upload(
        project=project,
        title="合同",
        user=staff_user,
        uploaded_file=SimpleUploadedFile("contract.docx", b"PK\x03\x04 docx"),
    )
    assert project.documents.count() == 2


def test_the_project_page_names_the_file_type_in_words(client, project, staff_user):
    """「文件类型：图片」, never image/png (issue 17)."""
    from django.urls import reverse

    png = SimpleUploadedFile("现场照片.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20, content_type="image/png")
    services.document_upload(project=project, title="现场照片", uploaded_file=png, user=staff_user)
    client.force_login(staff_user)
    body = client.get(reverse("project_detail", args=[project.pk])).content.decode()
    assert "<td>图片</td>" in body and "image/png" not in body


def test_history_shows_a_choice_by_its_label(project, staff_user):
    """A change of a field with choices reads 进行中, not in_progress (ui.history)."""
    from projects.choices import TaskStatus
    from ui.history import history_entries

    task = project.tasks.first()
    services.agency_task_update(task=task, status=TaskStatus.IN_PROGRESS, notes="已开始", user=staff_user)
    task.refresh_from_db()
    changes = [c for entry in history_entries(task) for c in entry.changes]
    assert ("状态", TaskStatus.TODO.label, TaskStatus.IN_PROGRESS.label) in changes
