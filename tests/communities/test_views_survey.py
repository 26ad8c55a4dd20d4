import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from communities.choices import SurveyUploadState
from communities.models import Household, SurveyUpload

from .survey_files import SAMPLES, household_row, standard_sheets, write_xlsx

PAGES = ["survey_list", "survey_template", "survey_upload"]


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_login(client, db, page):
    response = client.get(reverse(f"communities:{page}"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", ["leader", "liaison", "auditor", "outsider"])
def test_other_roles_get_403(client, users, page, role):
    client.force_login(users[role])
    assert client.get(reverse(f"communities:{page}")).status_code == 403


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", ["staff", "surveyor"])
def test_staff_and_surveyors_may_use_the_pages(client, users, page, role):
    client.force_login(users[role])
    assert client.get(reverse(f"communities:{page}")).status_code == 200


def test_template_download_has_the_three_sheets_and_dropdowns(client, staff_user):
    client.force_login(staff_user)
    response = client.get(reverse("communities:survey_template"))
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["填写说明", "小区", "楼栋", "住户"]
    assert workbook["住户"]["H1"].value == "改造意愿"
    assert workbook["小区"].data_validations.dataValidation


@pytest.mark.parametrize("name", ["survey-libreoffice.xlsx", "survey-libreoffice.ods"])
def test_upload_preview_confirm_flow(client, surveyor_user, wulan, name):
    """An .ods as LibreOffice saves it by default goes through like an .xlsx."""
    client.force_login(surveyor_user)
    with (SAMPLES / name).open("rb") as handle:
        response = client.post(reverse("communities:survey_upload"), {"file": handle, "csv_encoding": "auto"})
    upload = SurveyUpload.objects.get()
    assert response.status_code == 302 and upload.town == wulan
    assert upload.file_format == name.rpartition(".")[2]
    page = client.get(reverse("communities:survey_detail", args=[upload.pk])).content.decode()
    assert "确认导入" in page and "住户" in page
    response = client.post(reverse("communities:survey_confirm", args=[upload.pk]))
    upload.refresh_from_db()
    assert upload.state == SurveyUploadState.IMPORTED
    assert Household.objects.count() == 21
    assert "已导入" in client.get(reverse("communities:survey_list")).content.decode()


def test_surveyor_cannot_pick_another_town(client, surveyor_user, other_town, wulan):
    client.force_login(surveyor_user)
    with (SAMPLES / "survey-libreoffice.xlsx").open("rb") as handle:
        client.post(reverse("communities:survey_upload"), {"file": handle, "town": other_town.pk, "csv_encoding": "auto"})
    assert SurveyUpload.objects.get().town == wulan  # the field is fixed to the account's town


def test_csv_upload_asks_which_sheet(client, staff_user, wulan):
    client.force_login(staff_user)
    with (SAMPLES / "compounds-gb18030.csv").open("rb") as handle:
        response = client.post(reverse("communities:survey_upload"), {"file": handle, "town": wulan.pk, "csv_encoding": "auto"})
    assert response.status_code == 200 and "请选择它是" in response.content.decode()
    with (SAMPLES / "compounds-gb18030.csv").open("rb") as handle:
        client.post(reverse("communities:survey_upload"), {"file": handle, "town": wulan.pk, "csv_sheet": "compounds",
                                               "csv_encoding": "gb18030"})
    assert SurveyUpload.objects.get().state == SurveyUploadState.READY


def test_oversized_upload_shows_the_limit(client, staff_user, wulan, settings):
    settings.JINGYUAN_UPLOAD_MAX_BYTES = 2048
    client.force_login(staff_user)
    with (SAMPLES / "survey-libreoffice.xlsx").open("rb") as handle:
        response = client.post(reverse("communities:survey_upload"), {"file": handle, "town": wulan.pk, "csv_encoding": "auto"})
    assert "文件太大" in response.content.decode()
    assert not SurveyUpload.objects.exists()


def test_errors_are_listed_and_the_marked_workbook_highlights_them(client, staff_user, wulan, tmp_path):
    sheets = standard_sheets()
    sheets["住户"].append(household_row(room="103", 改造意愿="也许吧"))
    path = write_xlsx(tmp_path / "bad.xlsx", sheets, title_rows=1)
    client.force_login(staff_user)
    with path.open("rb") as handle:
        client.post(reverse("communities:survey_upload"), {"file": handle, "town": wulan.pk, "csv_encoding": "auto"})
    upload = SurveyUpload.objects.get()
    page = client.get(reverse("communities:survey_detail", args=[upload.pk])).content.decode()
    assert "也许吧" in page and "确认导入" not in page
    assert client.post(reverse("communities:survey_confirm", args=[upload.pk])).status_code == 302
    assert not Household.objects.exists()
    response = client.get(reverse("communities:survey_errors", args=[upload.pk]))
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[0] == "错误清单"
    cell = workbook["住户"]["H5"]
    assert cell.value == "也许吧" and "同意" in cell.comment.text
    assert cell.fill.fgColor.rgb.endswith("FFC7CE")


def test_status_endpoint_reports_progress(client, staff_user, wulan):
    client.force_login(staff_user)
    with (SAMPLES / "survey-libreoffice.xls").open("rb") as handle:
        client.post(reverse("communities:survey_upload"), {"file": handle, "town": wulan.pk, "csv_encoding": "auto"})
    upload = SurveyUpload.objects.get()
    data = client.get(reverse("communities:survey_status", args=[upload.pk])).json()
    # The sample's two communities are not on record yet: each is announced (a 提示), not created silently.
    new_communities = [p["message"] for p in upload.errors if p["message"].startswith("将新建社区")]
    assert data == {"state": "ready", "state_label": "待确认", "progress": 100, "busy": False,
                    "errors": 0, "warnings": 2 + len(new_communities)} and len(new_communities) == 2  # + the old 小区 sheet's 2


def test_surveyor_does_not_see_another_towns_upload(client, staff_user, surveyor_user, other_town):
    client.force_login(staff_user)
    with (SAMPLES / "survey-libreoffice.xlsx").open("rb") as handle:
        client.post(reverse("communities:survey_upload"), {"file": handle, "town": other_town.pk, "csv_encoding": "auto"})
    upload = SurveyUpload.objects.get()
    client.force_login(surveyor_user)
    for name in ("survey_detail", "survey_status", "survey_errors"):
        assert client.get(reverse(f"communities:{name}", args=[upload.pk])).status_code == 404
    assert client.post(reverse("communities:survey_confirm", args=[upload.pk])).status_code == 404


def test_history_list_query_count_is_flat(client, staff_user, wulan, django_assert_max_num_queries):
    from django.core.files.base import ContentFile

    for index in range(15):
        upload = SurveyUpload(town=wulan, uploaded_by=staff_user, original_name=f"{index}.xlsx", sha256=f"{index:064d}",
                              size_bytes=1, file_format="xlsx")
        upload.original_file.save("x", ContentFile(b"x"), save=True)
    client.force_login(staff_user)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("communities:survey_list"))
    assert response.content.decode().count("14.xlsx") == 1


@pytest.mark.parametrize("content", [b"MZ\x90\x00 not a spreadsheet", b"PK\x03\x04 not a zip either"])
def test_the_marked_workbook_of_a_file_refused_as_a_whole_lists_the_error_alone(client, staff_user, wulan, content):
    client.force_login(staff_user)
    client.post(reverse("communities:survey_upload"),
                {"file": SimpleUploadedFile("survey.xlsx", content), "town": wulan.pk, "csv_encoding": "auto"})
    upload = SurveyUpload.objects.get()
    assert upload.state == "invalid" and upload.file_format == ""
    response = client.get(reverse("communities:survey_errors", args=[upload.pk]))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["错误清单"]
    assert workbook["错误清单"]["F2"].value == upload.errors[0]["message"]
