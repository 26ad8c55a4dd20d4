import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.choices import StepStatus

from .factories import CompoundFactory, make_project, step

pytestmark = pytest.mark.django_db


@pytest.fixture
def compound(wulan):
    return CompoundFactory(
        town=wulan, recently_renovated=True, renovated_content="三供一业：供热改造", water_drainage_aged=True
    )


@pytest.fixture
def project(programme, compound, staff_user):
    return make_project(programme=programme, user=staff_user, compounds=[compound], central=True)


def test_detail_explains_deadlines_and_blockers(client, leader_user, project):
    client.force_login(leader_user)
    page = client.get(reverse("project_detail", args=[project.pk])).content.decode()
    assert "时限判断规则" in page and "进度系数" in page
    assert "当前阻碍" in page and "尚未录入改造内容明细" in page


def test_out_of_order_completion_shows_the_reason(client, staff_user, project):
    client.force_login(staff_user)
    response = client.post(
        reverse("step_edit", args=[project.pk, "construction_tender"]),
        {"form": "action", "action": "complete", "on": "2023-05-01"},
    )
    assert response.status_code == 200
    assert "不能完成“施工、监理招投标”：须先完成“设计（征求居民及管线单位意见）”" in response.content.decode()
    assert step(project, "construction_tender").status == StepStatus.NOT_STARTED


def test_staff_starts_a_step_through_the_form(client, staff_user, project):
    client.force_login(staff_user)
    response = client.post(
        reverse("step_edit", args=[project.pk, "survey"]),
        {"form": "action", "action": "start", "on": "2023-03-01"},
    )
    assert response.status_code == 302
    assert step(project, "survey").status == StepStatus.IN_PROGRESS


def test_scope_form_refuses_repeat_renovation_and_warns_about_four_items(
    client, staff_user, project, compound
):
    from projects.models import ScopeItem

    client.force_login(staff_user)
    url = reverse("scope_line_add", args=[project.pk])
    heating = ScopeItem.objects.get(code="heating_network")
    response = client.post(
        url,
        {"compound": compound.pk, "scope_item": heating.pk, "quantity": "1", "estimated_cost_yuan": "1000"},
    )
    assert "不得重复改造" in response.content.decode()
    roads = ScopeItem.objects.get(code="roads_paving")
    response = client.post(
        url,
        {"compound": compound.pk, "scope_item": roads.pk, "quantity": "100", "estimated_cost_yuan": "50000"},
        follow=True,
    )
    page = response.content.decode()
    assert "能改即改" in page and "未包含“水”类改造内容" in page
    assert "说明原因" in page


def test_upload_rejects_wrong_type_with_a_message(client, staff_user, project, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(staff_user)
    url = reverse("document_upload", args=[project.pk])
    response = client.post(url, {"kind": "other", "file": SimpleUploadedFile("a.exe", b"MZ")})
    assert "不支持的文件类型" in response.content.decode()
    response = client.post(
        url, {"kind": "photo", "file": SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n...")}
    )
    assert response.status_code == 302
    document = project.documents.get()
    download = client.get(reverse("document_download", args=[project.pk, document.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"\x89PNG")


def test_indicators_page_renders_for_auditor(client, auditor_user, project):
    client.force_login(auditor_user)
    page = client.get(reverse("indicators")).content.decode()
    assert "开工率" in page and "实物工作量" in page


def test_detail_lists_the_steps_in_the_order_of_section_six(client, leader_user, project):
    """六(三)1: 项目任务下达 → 前期招投标及合同签订 → 设计; 六(三)2: 各项前期手续, 施工、监理招投标 → 施工."""
    client.force_login(leader_user)
    page = client.get(reverse("project_detail", args=[project.pk])).content.decode()
    names = ["项目任务下达", "前期招投标及合同签订", "设计（征求居民及管线单位意见）", "各项前期手续",
             "施工、监理招投标", "组织施工（监理、监督）", "竣工验收", "决算编制", "决算审计"]
    positions = [page.index(f"<td>{name}</td>") for name in names]
    assert positions == sorted(positions)
    assert "合同签订</td>" not in page.replace("前期招投标及合同签订</td>", "")


def test_step_page_cites_the_clause_of_the_step(client, staff_user, project):
    client.force_login(staff_user)
    page = client.get(reverse("step_edit", args=[project.pk, "permits"])).content.decode()
    assert "依据：工作方案六(三)2" in page and "前置步骤：设计（征求居民及管线单位意见）" in page
    assert "所需时限：时限一（工作方案四(三)）" in page  # 前期手续 are part of 完成各项前期工作


def test_steps_compounds_and_scope_lines_render_dates_escape_notes_and_delete_with_the_pages_token(
    staff_user, project, compound
):
    """The page's step, compound and scope-line tables are Jinja2 partials: dates as Y-m-d, typed text
    escaped, and the delete button of a line posts the page's own CSRF token (the partial has no request)."""
    import re

    from django.test import Client

    from projects.models import ProjectStep, ScopeLine

    from .factories import add_line

    line = add_line(project, staff_user, compound, "roof_leak_repair", cost="12345.60")[0]
    ProjectStep.objects.filter(project=project, code="survey").update(notes="<script>x</script>\n第二行")
    step(project, "survey")
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)
    url = reverse("project_detail", args=[project.pk])
    page = client.get(url).content.decode()
    assert "<script>x</script>" not in page and "&lt;script&gt;x&lt;/script&gt;<br>第二行" in page
    assert "12345.60" in page and compound.name in page and "三供一业：供热改造" in page
    delete = reverse("scope_line_delete", args=[project.pk, line.pk])
    form = re.search(rf'<form method="post" action="{delete}" class="inline">(.*?)</form>', page).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    assert client.post(delete, {"csrfmiddlewaretoken": token}).status_code == 302
    assert not ScopeLine.objects.filter(pk=line.pk).exists()


def test_detail_query_count_does_not_grow_with_lines(client, staff_user, project, compound,
                                                     django_assert_num_queries):
    from .factories import add_line

    for code in ("roof_leak_repair", "greening", "lighting"):
        add_line(project, staff_user, compound, code)
    client.force_login(staff_user)
    with django_assert_num_queries(11):
        client.get(reverse("project_detail", args=[project.pk]))
