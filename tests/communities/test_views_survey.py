import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from communities.choices import SurveyUploadState
from communities.models import Household, SurveyUpload

from .survey_files import SAMPLES, compound_row, household_row, standard_sheets, write_xlsx

PAGES = ["survey_list", "survey_template", "survey_upload"]


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_login(client, db, page):
    response = client.get(reverse(f"communities:{page}"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", ["leader", "liaison", "auditor", "outsider"])
def test_other_roles_get_403(client, users, page, role):
    if (role, page) == ("auditor", "survey_list"):
        pytest.skip("auditors read the uploads: test_auditor_reads_uploads_and_their_originals_but_uploads_nothing")
    client.force_login(users[role])
    assert client.get(reverse(f"communities:{page}")).status_code == 403


def test_auditor_reads_uploads_and_their_originals_but_uploads_nothing(client, users, wulan):
    """README roles: auditors read everything: who uploaded which file, the result, the original file."""
    from django.core.files import File

    from communities.survey import survey_upload_create

    with (SAMPLES / "survey-libreoffice.xlsx").open("rb") as handle:
        upload = survey_upload_create(user=users["surveyor"], town=wulan,
                                      uploaded_file=File(handle, name="乌兰镇摸底.xlsx"))
    client.force_login(users["auditor"])
    listing = client.get(reverse("communities:survey_list")).content.decode()
    assert "乌兰镇摸底.xlsx" in listing and "测试·乌兰镇调查员" in listing and "bob-surveyor" not in listing
    assert reverse("communities:survey_upload") not in listing
    detail = client.get(reverse("communities:survey_detail", args=[upload.pk])).content.decode()
    assert upload.get_state_display() in detail and "确认导入</button>" not in detail
    original = client.get(reverse("communities:survey_original", args=[upload.pk]))
    assert original.status_code == 200
    assert b"".join(original.streaming_content) == (SAMPLES / "survey-libreoffice.xlsx").read_bytes()
    assert client.post(reverse("communities:survey_confirm", args=[upload.pk])).status_code == 403
    assert client.get(reverse("communities:survey_upload")).status_code == 403


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
    # The sample's two communities are not on record yet: each row naming one is announced (a 提示), not
    # created silently.
    new_communities = [p["value"] for p in upload.errors if p["message"].startswith("将新建社区")]
    assert data == {"state": "ready", "state_label": "待确认", "progress": 100, "busy": False,
                    "errors": 0, "warnings": 2 + len(new_communities)}  # + the old 小区 sheet's 2
    assert len(new_communities) == 6 and set(new_communities) == {"西街社区", "东街社区"}


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


# --- the preview (issue 17): a sample of the rows as read, errors first, repeated hints grouped ------------
def _section(page: str, section_id: str) -> str:
    start = page.index(f'id="{section_id}"')
    return page[start:page.index("</section>", start)]


def _upload(client, user, path, **data):
    client.force_login(user)
    with path.open("rb") as handle:
        client.post(reverse("communities:survey_upload"), {"file": handle, "csv_encoding": "auto", **data})
    return SurveyUpload.objects.latest("pk")


def test_the_preview_shows_the_first_five_rows_of_each_sheet_as_the_importer_read_them(client, surveyor_user, wulan):
    """As NetBox's import preview: the columns as understood, the values as they will be written."""
    upload = _upload(client, surveyor_user, SAMPLES / "survey-libreoffice.xlsx")
    sample = _section(client.get(reverse("communities:survey_detail", args=[upload.pk])).content.decode(),
                      "survey-sample")
    assert sample.count("<table") == 3 and "住户 · 共 21 行" in sample and "小区 · 共 6 行" in sample
    # The first five compounds, not the sixth; the file's 1,210 and N read as 1210.00 and 否.
    assert all(f"样例小区-0{n}" in sample for n in range(1, 6)) and "样例小区-06" not in sample
    assert "1210.00" in sample and "1,210" not in sample
    assert "<th>导入时</th>" in sample and "<td>新增</td>" in sample
    assert "A 列" in sample and "建成年份" in sample


def test_errors_are_listed_before_hints(client, staff_user, wulan, tmp_path):
    sheets = standard_sheets()
    sheets["住户"][0] = [*sheets["住户"][0], "不认识的列"]  # a 提示 on the header row, found before the error
    sheets["住户"].append(household_row(room="103", 改造意愿="也许吧"))
    upload = _upload(client, staff_user, write_xlsx(tmp_path / "bad.xlsx", sheets), town=wulan.pk)
    assert [p["level"] for p in upload.errors][:1] == ["warning"]
    problems = _section(client.get(reverse("communities:survey_detail", args=[upload.pk])).content.decode(),
                        "survey-problems")
    assert problems.index("也许吧") < problems.index("无法识别的列「不认识的列」")


def test_a_hint_repeated_on_rows_is_one_line_with_its_count_and_rows(client, staff_user, wulan, tmp_path):
    sheets = standard_sheets()
    sheets["小区"] += [compound_row(f"测试小区-{n}", 所属社区="西街社", 楼栋数=0, 户数=0) for n in "BCD"]
    upload = _upload(client, staff_user, write_xlsx(tmp_path / "s.xlsx", sheets), town=wulan.pk)
    problems = _section(client.get(reverse("communities:survey_detail", args=[upload.pk])).content.decode(),
                        "survey-problems")
    assert problems.count("将新建社区「西街社」") == 1
    line = problems[problems.rindex("<tr", 0, problems.index("将新建社区「西街社」")):]
    line = line[:line.index("</tr>")]
    assert "<td>3、4、5</td>" in line and "<td>3 次</td>" in line


def test_a_csv_uploaded_as_the_wrong_table_says_which_table_it_looks_like(client, staff_user, wulan):
    upload = _upload(client, staff_user, SAMPLES / "compounds-gb18030.csv", town=wulan.pk, csv_sheet="households")
    problems = _section(client.get(reverse("communities:survey_detail", args=[upload.pk])).content.decode(),
                        "survey-problems")
    first = problems[problems.index("<tbody>"):]
    first = first[:first.index("</tr>")]
    assert "这份 CSV 看起来是「小区」表" in first and "请把「CSV 文件是哪张表」选为「小区」" in first
    assert upload.state == SurveyUploadState.INVALID


def test_the_preview_page_query_count_does_not_grow_with_the_sample_or_the_problems(
        client, staff_user, wulan, tmp_path, django_assert_num_queries):
    small = _upload(client, staff_user, write_xlsx(tmp_path / "small.xlsx", standard_sheets()), town=wulan.pk)
    sheets = standard_sheets()
    sheets["小区"] += [compound_row(f"测试小区-{n}", 所属社区="西街社", 楼栋数=0, 户数=0) for n in range(40)]
    sheets["住户"] += [household_row(room=str(200 + n), 改造意愿="也许吧") for n in range(40)]
    large = _upload(client, staff_user, write_xlsx(tmp_path / "large.xlsx", sheets), town=wulan.pk)
    assert len(large.errors) > len(small.errors) + 80
    for upload in (small, large):
        with django_assert_num_queries(3):  # session, user, the upload with its town and people
            assert client.get(reverse("communities:survey_detail", args=[upload.pk])).status_code == 200


def test_a_hint_on_many_rows_lists_the_first_twenty_and_counts_them_all_while_errors_stay_one_a_line():
    from communities.selectors import survey_problem_lines

    hint = {"sheet": "小区", "column": "所属社区", "value": "西街社", "message": "将新建社区「西街社」…",
            "level": "warning", "col": 2}
    error = {"sheet": "住户", "column": "改造意愿", "value": "也许吧", "message": "只能填 同意…", "level": "error",
             "col": 8}
    problems = [{**hint, "row": row} for row in range(2, 27)] + [{**error, "row": 4}, {**error, "row": 9}]
    lines = survey_problem_lines(problems)
    assert [(line["level"], line["count"], line["rows_text"]) for line in lines] == [
        ("error", 1, "4"), ("error", 1, "9"),
        ("warning", 25, "、".join(map(str, range(2, 22))) + "等")]


def test_history_list_sorts_by_a_clicked_header_and_pages(client, staff_user, wulan, settings):
    """The upload history follows the one list pattern: sortable headers (▲/▼) and 首页…末页 pages."""
    import html
    import re

    from django.core.files.base import ContentFile

    settings.LIST_PAGE_SIZE = 5
    for index, name in enumerate(["c.xlsx", "a.xlsx", "e.xlsx", "b.xlsx", "d.xlsx", "g.xlsx", "f.xlsx"]):
        upload = SurveyUpload(town=wulan, uploaded_by=staff_user, original_name=name, sha256=f"{index:064d}",
                              size_bytes=1, file_format="xlsx")
        upload.original_file.save("x", ContentFile(b"x"), save=True)
    client.force_login(staff_user)
    url = reverse("communities:survey_list")
    first = client.get(url)
    body = first.content.decode()
    assert [row["upload"].original_name for row in first.context["rows"]] == ["f.xlsx", "g.xlsx", "d.xlsx",
                                                                                 "b.xlsx", "e.xlsx"]  # newest first
    assert "末页" in body and "第 1 / 2 页" in body
    href = html.unescape(re.search(r'<a href="([^"]+)">文件名</a>', body).group(1))
    by_name = client.get(url + href)
    assert [row["upload"].original_name for row in by_name.context["rows"]] == ["a.xlsx", "b.xlsx", "c.xlsx",
                                                                                   "d.xlsx", "e.xlsx"]
    assert "文件名 ▲" in by_name.content.decode()
    last = client.get(url + href + "&page=2")
    assert [row["upload"].original_name for row in last.context["rows"]] == ["f.xlsx", "g.xlsx"]
