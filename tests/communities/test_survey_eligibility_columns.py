"""The survey columns the eligibility rules (三) read: gas and telecom apart (三(二)2), the left-out item of
三(二)3, the old combined column, 宜整体拆除重建 left to the site verification (六(一)), and the 提示 a
sheet gets when an optional column that feeds the rules is absent. Real .xlsx files throughout."""

import io

import pytest
from openpyxl import load_workbook

from communities.choices import SurveyUploadState, Verdict
from communities.models import Compound, CompoundAssessment
from communities.survey import survey_import, survey_template_write

from .survey_files import COMPOUND_HEADERS, compound_row, standard_sheets, write_xlsx
from .test_survey_services import upload_file

pytestmark = pytest.mark.django_db


def _workbook(tmp_path, extra: dict, **values):
    """The standard three sheets with `extra` columns (header → value) appended to the 小区 sheet."""
    sheets = standard_sheets()
    sheets["小区"] = [[*COMPOUND_HEADERS, *extra], [*compound_row(**values), *extra.values()]]
    return write_xlsx(tmp_path / "survey.xlsx", sheets)


def _warnings(upload, sheet="小区"):
    return [p["message"] for p in upload.errors if p["level"] == "warning" and p["sheet"] == sheet]


def test_old_combined_gas_telecom_column_fills_both_facts_marked_for_review_three_two_2(staff_user, wulan, tmp_path):
    """三(二)2: an old workbook's 供气或通信管线需改造 still imports; its value goes to both facts, marked
    待核实, with a 提示 saying so."""
    path = _workbook(tmp_path, {"供气或通信管线需改造": "是"}, **{"供排水管线老化": "否"})
    upload = upload_file(staff_user, wulan, path)
    assert upload.state == SurveyUploadState.READY
    [hint] = [m for m in _warnings(upload) if "合并列" in m]
    assert "供气管线需改造" in hint and "通信管线需改造" in hint and "待核实" in hint
    survey_import(upload=upload, user=staff_user)
    compound = Compound.objects.get(town=wulan, name="测试小区-A")
    assert (compound.gas_supply_needs_work, compound.telecom_needs_work, compound.gas_telecom_to_review) == (
        True, True, True)
    assessment = CompoundAssessment.objects.get(compound=compound)
    assert assessment.priority_parts["气"] == 25  # the gas half counts as 气


def test_split_columns_are_two_facts_and_clear_the_review_mark_three_two_2(staff_user, wulan, tmp_path):
    Compound.objects.create(town=wulan, name="测试小区-A", gas_supply_needs_work=True, telecom_needs_work=True,
                            gas_telecom_to_review=True)
    path = _workbook(tmp_path, {"供气管线需改造": "否", "通信管线需改造": "是", "改造未涉及内容": ""})
    upload = upload_file(staff_user, wulan, path)
    assert not [m for m in _warnings(upload) if "合并列" in m or "本表没有" in m]
    survey_import(upload=upload, user=staff_user)
    compound = Compound.objects.get(town=wulan, name="测试小区-A")
    assert (compound.gas_supply_needs_work, compound.telecom_needs_work, compound.gas_telecom_to_review) == (
        False, True, False)
    # Telecom is not 气 (三(二) 水、电、路、气).
    assert CompoundAssessment.objects.get(compound=compound).priority_parts["气"] == 0


def test_left_out_item_column_is_read_and_qualifies_a_recently_renovated_compound_three_two_3(
        staff_user, wulan, tmp_path):
    path = _workbook(tmp_path, {"供气管线需改造": "否", "通信管线需改造": "否", "改造未涉及内容": "电梯，垃圾处理"},
                     **{"供排水管线老化": "否", "近年已改造(三供一业等)": "是"})
    upload = upload_file(staff_user, wulan, path)
    survey_import(upload=upload, user=staff_user)
    compound = Compound.objects.get(town=wulan, name="测试小区-A")
    assert compound.renovation_left_out == "加装电梯、垃圾处理设施"
    reasons = CompoundAssessment.objects.get(compound=compound).reasons
    assert any(r["clause"] == "三(二)3" and "加装电梯、垃圾处理设施" in r["fact"] for r in reasons)


def test_a_left_out_item_not_in_the_list_is_an_error_naming_row_and_column_three_two_3(staff_user, wulan, tmp_path):
    path = _workbook(tmp_path, {"改造未涉及内容": "外墙粉刷"})
    upload = upload_file(staff_user, wulan, path)
    assert upload.state == SurveyUploadState.INVALID
    [error] = [p for p in upload.errors if p["level"] == "error"]
    assert (error["sheet"], error["row"], error["column"]) == ("小区", 2, "改造未涉及内容")
    assert "外墙粉刷" in error["message"] and "加装电梯" in error["message"]


def test_recent_renovation_without_its_left_out_item_is_not_a_qualifying_deficit_three_two_3(
        staff_user, wulan, tmp_path):
    path = _workbook(tmp_path, {"供气管线需改造": "否", "通信管线需改造": "否", "改造未涉及内容": ""},
                     **{"供排水管线老化": "否", "近年已改造(三供一业等)": "是"})
    survey_import(upload=upload_file(staff_user, wulan, path), user=staff_user)
    assessment = CompoundAssessment.objects.get(compound__name="测试小区-A")
    assert assessment.verdict == Verdict.INCOMPLETE
    assert {"field": "renovation_left_out", "label": "改造未涉及内容（近年已改造，未填未涉及的内容）",
            "clause": "三(二)3"} in assessment.missing_facts
    assert not [r for r in assessment.reasons if r["clause"] == "三(二)3" and r["effect"] == "满足"]


def test_preview_says_per_sheet_when_optional_rule_columns_are_absent(staff_user, wulan, tmp_path):
    """One 提示 for the 小区 sheet naming the absent columns the rules read, each with its clause."""
    upload = upload_file(staff_user, wulan, write_xlsx(tmp_path / "survey.xlsx", standard_sheets()))
    [hint] = [m for m in _warnings(upload) if m.startswith("本表没有")]
    assert "「供气管线需改造」（三(二)2）" in hint and "「通信管线需改造」（三(二)2）" in hint
    assert "「改造未涉及内容」（三(二)3）" in hint
    assert not [m for m in _warnings(upload, "楼栋") if m.startswith("本表没有")]


def test_demolition_column_of_an_old_workbook_is_left_to_the_site_verification_six_1(staff_user, wulan, tmp_path):
    """三(一) 不宜整体拆除重建 is judged at the on-site verification (六(一)), not by the surveyor."""
    path = _workbook(tmp_path, {"宜整体拆除重建": "否"})
    upload = upload_file(staff_user, wulan, path)
    assert any("现场审核认定" in m and "宜整体拆除重建" in m for m in _warnings(upload))
    survey_import(upload=upload, user=staff_user)
    compound = Compound.objects.get(town=wulan, name="测试小区-A")
    assert compound.fit_for_demolition is None
    assert CompoundAssessment.objects.get(compound=compound).verdict in (Verdict.PENDING_SITE, Verdict.INCOMPLETE)


def test_template_has_the_split_and_left_out_columns_but_no_legacy_ones():
    workbook = load_workbook(io.BytesIO(survey_template_write()))
    headers = [cell.value for cell in workbook["小区"][1]]
    assert {"供气管线需改造", "通信管线需改造", "改造未涉及内容"} <= set(headers)
    assert "供气或通信管线需改造" not in headers and "宜整体拆除重建" not in headers
