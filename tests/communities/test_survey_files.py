"""Every accepted format, the real sample files, messy values and each hostile file."""

import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from communities.choices import SurveyFileFormat
from communities.models import Building, Compound, Household
from communities.survey import survey_file_check
from communities.survey.reader import OLE_MAGIC, SurveyFileError, sniff_format

from .survey_files import (
    BUILDING_HEADERS,
    COMPOUND_HEADERS,
    HOUSEHOLD_HEADERS,
    SAMPLES,
    building_row,
    compound_row,
    household_row,
    rewrite_zip_member,
    sheet_part,
    standard_sheets,
    to_shared_strings,
    write_csv,
    write_xlsx,
)


def check(path, town, **kwargs):
    path = Path(path)
    return survey_file_check(path=path, town=town, file_format=sniff_format(path, path.name), **kwargs)


def errors_of(report):
    return [p for p in report.problems if p.level == "error"]


# --- formats and samples ------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["survey-libreoffice.xlsx", "survey-libreoffice.xls"])
def test_libreoffice_samples_are_read_completely(wulan, name):
    report = check(SAMPLES / name, wulan)
    assert errors_of(report) == []
    assert {k: v["create"] for k, v in report.counts.items()} == {"compounds": 6, "buildings": 6, "households": 21}


def test_gb18030_csv_sample_is_read_with_automatic_encoding(wulan):
    report = check(SAMPLES / "compounds-gb18030.csv", wulan, csv_sheet="compounds")
    assert errors_of(report) == []
    assert report.counts["compounds"]["create"] == 6


@pytest.mark.parametrize("encoding, choice", [("gb18030", "gb18030"), ("utf-8-sig", "auto"), ("utf-8", "utf-8"),
                                              ("gb18030", "auto")])
def test_csv_in_each_encoding(wulan, tmp_path, encoding, choice):
    path = write_csv(tmp_path / "小区.csv", [COMPOUND_HEADERS, compound_row("测试小区-甲")], encoding=encoding)
    report = check(path, wulan, csv_sheet="compounds", csv_encoding=choice)
    assert errors_of(report) == []
    assert report.counts["compounds"]["create"] == 1


def test_csv_in_the_wrong_encoding_is_explained(wulan, tmp_path):
    path = write_csv(tmp_path / "小区.csv", [COMPOUND_HEADERS, compound_row("测试小区-甲")], encoding="gb18030")
    report = check(path, wulan, csv_sheet="compounds", csv_encoding="utf-8")
    assert "编码" in errors_of(report)[0].message


def test_xlsx_written_by_openpyxl_with_title_rows(wulan, tmp_path):
    report = check(write_xlsx(tmp_path / "s.xlsx", standard_sheets(), title_rows=2), wulan)
    assert errors_of(report) == []
    assert report.counts["households"]["create"] == 2


def test_xlsm_is_read_and_its_macros_ignored(wulan, tmp_path):
    path = write_xlsx(tmp_path / "s.xlsm", standard_sheets())
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("xl/vbaProject.bin", b"\x00macro that must never run")
    assert errors_of(check(path, wulan)) == []


# --- messy values -------------------------------------------------------------------------------
def test_messy_values_of_every_kind_are_understood(wulan, tmp_path):
    import datetime as dt

    headers = [" 小区名称 ", "所属社区", "建成年份", "占地面积（㎡）", "建筑面积(m2)", "户数", "供排水管线老化",
               "供电线路老化", "未通天然气", "道路破损严重"]
    sheets = standard_sheets()
    sheets["小区"] = [
        headers,
        ["  测试小区-A ", "测试社区", "１９９８", "1,234.5", "２００", "４", "√", "有", "Y", "×"],
        [None] * len(headers),
        ["测试小区-B", None, "1987年", 1234.5, "300.25", "6", "是", "无", "n", "否"],
        ["测试小区-C", None, dt.datetime(1990, 1, 1), "880", 32874, "  5 ", "Y", "N", "否", "是"],
    ]
    sheets["楼栋"] = [BUILDING_HEADERS, building_row(compound="测试小区-A", number="１号楼")]
    report = check(write_xlsx(tmp_path / "messy.xlsx", sheets, title_rows=1), wulan)
    assert errors_of(report) == []
    plan = report.plan.sheets["compounds"]
    index = plan.sheet.field_index
    rows = {row[index["name"]]: row for row in plan.create}
    assert set(rows) == {"测试小区-A", "测试小区-B", "测试小区-C"}
    assert rows["测试小区-A"][index["build_year"]] == 1998
    assert str(rows["测试小区-A"][index["land_area_m2"]]) == "1234.50"
    assert rows["测试小区-B"][index["build_year"]] == 1987
    assert rows["测试小区-C"][index["build_year"]] == 1990
    assert rows["测试小区-A"][index["water_drainage_aged"]] is True
    assert rows["测试小区-B"][index["power_aged"]] is False
    # '１号楼' in the file is the '1号楼' of the households sheet
    assert report.counts["households"]["create"] == 2


def test_every_bad_cell_is_reported_with_sheet_row_column_value_and_fix(wulan, tmp_path):
    sheets = standard_sheets()
    sheets["小区"].append(compound_row("测试小区-B", **{"建成年份": "很久以前", "户数": "6.5", "未通天然气": "也许"}))
    sheets["小区"].append(compound_row("测试小区-A"))  # duplicate
    sheets["楼栋"].append(building_row(compound="不存在的小区", number="9号楼"))
    sheets["住户"].append(household_row(building="8号楼", room="801"))
    sheets["住户"].append(household_row(room="", 改造意愿="想"))
    report = check(write_xlsx(tmp_path / "bad.xlsx", sheets, title_rows=1), wulan)
    found = {(p.sheet, p.row, p.column) for p in errors_of(report)}
    assert ("小区", 4, "建成年份") in found
    assert ("小区", 4, "户数") in found
    assert ("小区", 4, "未通天然气") in found
    assert ("小区", 5, "小区名称") in found  # duplicate of row 3
    assert ("楼栋", 4, "小区名称") in found
    assert ("住户", 5, "楼栋号") in found
    assert ("住户", 6, "房号") in found
    assert ("住户", 6, "改造意愿") in found
    problem = next(p for p in report.problems if p.column == "建成年份")
    assert problem.value == "很久以前" and "1998" in problem.message


def test_households_over_the_compound_count_is_a_warning(wulan, tmp_path):
    sheets = standard_sheets()
    sheets["小区"][1] = compound_row(户数=3)
    sheets["楼栋"] = [BUILDING_HEADERS, building_row(number="1号楼", 户数=2), building_row(number="2号楼", 户数=2)]
    sheets["住户"] = [HOUSEHOLD_HEADERS] + [household_row(room=str(100 + n)) for n in range(3)]
    report = check(write_xlsx(tmp_path / "w.xlsx", sheets), wulan)
    assert errors_of(report) == []
    messages = [p.message for p in report.problems if p.level == "warning"]
    assert any("合计 4" in m for m in messages)
    assert any("有 3 户" in m for m in messages)


def test_many_trailing_empty_rows_and_blank_rows_are_skipped(wulan, tmp_path):
    """LibreOffice keeps formatting on empty rows to the sheet's end; they cost time, not errors."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    for title, rows in standard_sheets().items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
            sheet.append([])
        if title == "住户":
            for _ in range(100_000):
                cell = WriteOnlyCell(sheet, value=None)
                cell.font = Font(bold=True)
                sheet.append([cell])
    path = tmp_path / "trailing.xlsx"
    workbook.save(path)
    report = check(path, wulan)
    assert errors_of(report) == []
    assert report.counts["households"]["create"] == 2


# --- hostile and broken files -------------------------------------------------------------------
def test_size_limit(wulan, tmp_path, settings):
    settings.JINGYUAN_UPLOAD_MAX_BYTES = 2048
    path = write_xlsx(tmp_path / "big.xlsx", standard_sheets())
    with pytest.raises(SurveyFileError, match="文件太大"):
        sniff_format(path, path.name)


def test_zip_bomb_is_refused_before_inflating(wulan, tmp_path, settings):
    settings.JINGYUAN_UPLOAD_MAX_UNPACKED_BYTES = 5 * 1024 * 1024
    path = write_xlsx(tmp_path / "bomb.xlsx", standard_sheets())
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * (20 * 1024 * 1024))
    assert path.stat().st_size < 200_000
    with pytest.raises(SurveyFileError, match="压缩炸弹"):
        sniff_format(path, path.name)


def test_xml_entity_attack_is_refused(wulan, tmp_path):
    path = write_xlsx(tmp_path / "xxe.xlsx", standard_sheets())
    part = sheet_part(path, "小区")
    rewrite_zip_member(path, part, lambda xml: xml.replace(
        b"<worksheet", b'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">'
                       b'<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><worksheet', 1))
    with pytest.raises(SurveyFileError, match="不安全的 XML"):
        sniff_format(path, path.name)


@pytest.mark.parametrize("part", ["sheet", "shared strings"])
@pytest.mark.parametrize("padding", [10_000, 100_000])
def test_entity_in_a_part_is_refused_by_defusedxml_too(wulan, tmp_path, part, padding):
    """Even past the quick scan (a DTD placed after a long comment), the parser itself refuses it: a part
    goes to the fast standard-library parser only when its whole prolog is seen to hold no DTD."""
    from communities.survey.reader import _iterparse_for

    path = to_shared_strings(write_xlsx(tmp_path / "xxe2.xlsx", standard_sheets()))
    member, root = (sheet_part(path, "小区"), b"<worksheet") if part == "sheet" else ("xl/sharedStrings.xml", b"<sst")
    with zipfile.ZipFile(path) as archive:
        assert _iterparse_for(archive, member).__module__ == "xml.etree.ElementTree"
    comment = b"<!--" + b"x" * padding + b"-->"
    rewrite_zip_member(path, member, lambda xml: xml.replace(
        root, comment + root.replace(b"<", b"<!DOCTYPE ") + b' [<!ENTITY a "boom">]>' + root, 1))
    with zipfile.ZipFile(path) as archive:
        assert _iterparse_for(archive, member).__module__.startswith("defusedxml")
    report = survey_file_check(path=path, town=wulan, file_format=SurveyFileFormat.XLSX)
    assert len(report.problems) == 1
    assert "不安全" in report.problems[0].message or "无法读取" in report.problems[0].message


@pytest.mark.parametrize("content, name", [
    (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", "survey.xlsx"),
    (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "survey.xls"),
    (b"<html><body><table><tr><td>1</td></tr></table></body></html>", "survey.xls"),
    (b"just some notes, not a spreadsheet", "survey.xlsx"),
])
def test_renamed_non_spreadsheets_are_recognised(tmp_path, content, name):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(SurveyFileError):
        sniff_format(path, name)


def test_a_word_document_renamed_to_xlsx(tmp_path):
    path = tmp_path / "report.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(SurveyFileError, match="不是 Excel 工作簿"):
        sniff_format(path, path.name)


def test_password_protected_workbook(tmp_path):
    """Office saves an encrypted .xlsx as an OLE2 container with EncryptionInfo/EncryptedPackage streams."""
    path = tmp_path / "locked.xlsx"
    directory = "EncryptionInfo".encode("utf-16-le") + b"\0" * 40 + "EncryptedPackage".encode("utf-16-le")
    path.write_bytes(OLE_MAGIC + b"\0" * 504 + directory + b"\0" * 2048)
    with pytest.raises(SurveyFileError, match="密码"):
        sniff_format(path, path.name)


def test_corrupt_xls_is_explained(wulan, tmp_path):
    path = tmp_path / "broken.xls"
    path.write_bytes(OLE_MAGIC + b"\0" * 4000)
    report = check(path, wulan)
    assert len(report.problems) == 1 and "xls" in report.problems[0].message.lower()


def test_formula_without_cached_value_is_flagged_and_cached_values_are_used(wulan, tmp_path):
    sheets = standard_sheets()
    sheets["楼栋"] = [BUILDING_HEADERS, building_row(户数="=1+1"), building_row(number="2号楼", 层数="=2+4")]
    path = write_xlsx(tmp_path / "formula.xlsx", sheets)
    # Give the second formula a cached result, as Excel and WPS do when they save.
    rewrite_zip_member(path, sheet_part(path, "楼栋"), lambda xml: xml.replace(
        b"<f>2+4</f><v></v>", b"<f>2+4</f><v>6</v>").replace(b"<f>2+4</f><v />", b"<f>2+4</f><v>6</v>"))
    report = check(path, wulan)
    errors = errors_of(report)
    assert [(p.sheet, p.row, p.column) for p in errors] == [("楼栋", 2, "户数")]
    assert "公式" in errors[0].message


@pytest.mark.parametrize("storage", ["inline", "shared"])
def test_text_in_rich_text_runs_is_read_as_excel_shows_it(wulan, tmp_path, storage):
    """Text is stored inline (<is>: openpyxl's write-only mode, many exporters) or in the shared-strings
    table (<si>: Excel, WPS, LibreOffice), either way plain or in formatted runs, with a phonetic guide
    (<rPh>) that is not part of the text."""
    path = tmp_path / f"{storage}.xlsx"
    write_xlsx(path, standard_sheets())
    if storage == "shared":
        to_shared_strings(path)
    runs = ('<r><rPr><b/></rPr><t>测试</t></r><r><t xml:space="preserve">小区-A</t></r>'
            '<rPh sb="0" eb="2"><t>ce shi</t></rPh>')
    if storage == "inline":
        parts = [sheet_part(path, title) for title in ("小区", "楼栋", "住户")]
        plain, rich = "<is><t>测试小区-A</t></is>", f"<is>{runs}</is>"
    else:
        parts = ["xl/sharedStrings.xml"]
        plain, rich = '<si><t xml:space="preserve">测试小区-A</t></si>', f"<si>{runs}</si>"
    for part in parts:
        rewrite_zip_member(path, part, lambda xml: xml.replace(plain.encode(), rich.encode()))
        with zipfile.ZipFile(path) as archive:
            assert b"<rPh" in archive.read(part)
    report = check(path, wulan)
    assert errors_of(report) == []
    assert [row[1] for row in report.plan.sheets["compounds"].create] == ["测试小区-A"]
    assert len(report.plan.sheets["households"].create) == 2


def test_merged_cells_in_data_rows_are_errors(wulan, tmp_path):
    sheets = standard_sheets()
    sheets["楼栋"] = [BUILDING_HEADERS, building_row(number="1号楼"), building_row(number="2号楼")]
    path = tmp_path / "merged.xlsx"
    write_xlsx(path, sheets, title_rows=1)
    from openpyxl import load_workbook

    workbook = load_workbook(path)
    workbook["楼栋"].merge_cells("A1:K1")  # a merged title row is fine
    workbook["楼栋"].merge_cells("A3:A4")  # 小区名称 merged down two buildings is not
    workbook.save(path)
    report = check(path, wulan)
    merged = [p for p in errors_of(report) if "合并单元格" in p.message]
    assert len(merged) == 1 and merged[0].row == 3 and merged[0].sheet == "楼栋"


def test_missing_sheet_is_named(wulan, tmp_path):
    sheets = standard_sheets()
    del sheets["住户"]
    report = check(write_xlsx(tmp_path / "two.xlsx", sheets), wulan)
    assert any("缺少「住户」工作表" in p.message for p in errors_of(report))


def test_missing_key_column_is_named(wulan, tmp_path):
    sheets = standard_sheets()
    sheets["住户"] = [[h for h in HOUSEHOLD_HEADERS if h != "房号"], ["测试小区-A", "1号楼", "1单元"]]
    report = check(write_xlsx(tmp_path / "nokey.xlsx", sheets), wulan)
    assert any("缺少必需的列「房号」" in p.message for p in errors_of(report))


def test_sheet_without_a_header_row(wulan, tmp_path):
    sheets = standard_sheets()
    sheets["楼栋"] = [["随便写的"], ["1", "2", "3"]]
    report = check(write_xlsx(tmp_path / "nohead.xlsx", sheets), wulan)
    assert any("没有找到表头" in p.message for p in errors_of(report))


def test_csv_with_100000_columns(wulan, tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(COMPOUND_HEADERS + ["x"] * 100_000) + "\n", encoding="utf-8")
    report = check(path, wulan, csv_sheet="compounds")
    assert len(report.problems) == 1 and "列的上限" in report.problems[0].message


def test_xlsx_as_wide_as_excel_allows(wulan, tmp_path):
    sheets = standard_sheets()
    path = write_xlsx(tmp_path / "wide.xlsx", sheets)
    from openpyxl import load_workbook

    workbook = load_workbook(path)
    workbook["小区"].cell(row=2, column=16384, value="far away")
    workbook.save(path)
    report = check(path, wulan)
    assert len(report.problems) == 1 and "16384 列" in report.problems[0].message


def test_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(SurveyFileError, match="空的"):
        sniff_format(path, path.name)


def test_checking_writes_nothing(wulan, tmp_path):
    check(write_xlsx(tmp_path / "s.xlsx", standard_sheets()), wulan)
    assert not Compound.objects.filter(name="测试小区-A").exists()
    assert not Building.objects.exists() and not Household.objects.exists()
