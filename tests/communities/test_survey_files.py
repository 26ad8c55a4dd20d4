"""Every accepted format, the real sample files, messy values and each hostile file."""

import re
import shutil
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
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
    flip_byte,
    household_row,
    pad_like_libreoffice,
    rewrite_zip_member,
    sheet_part,
    standard_sheets,
    to_shared_strings,
    understate_size,
    write_csv,
    write_xlsx,
)


def check(path, town, **kwargs):
    path = Path(path)
    return survey_file_check(path=path, town=town, file_format=sniff_format(path, path.name), **kwargs)


def errors_of(report):
    return [p for p in report.problems if p.level == "error"]


# --- formats and samples ------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["survey-libreoffice.xlsx", "survey-libreoffice.xls", "survey-libreoffice.ods"])
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
def test_an_entity_past_a_long_comment_in_a_part_is_refused_when_the_workbook_is_opened(wulan, tmp_path, part,
                                                                                       padding):
    """Even past the quick scan's first bytes (a DTD placed after a long comment), and even when the file is
    checked without being sniffed first: opening the workbook checks every part's prolog before calamine
    reads anything."""
    path = to_shared_strings(write_xlsx(tmp_path / "xxe2.xlsx", standard_sheets()))
    member, root = (sheet_part(path, "小区"), b"<worksheet") if part == "sheet" else ("xl/sharedStrings.xml", b"<sst")
    comment = b"<!--" + b"x" * padding + b"-->"
    rewrite_zip_member(path, member, lambda xml: xml.replace(
        root, comment + root.replace(b"<", b"<!DOCTYPE ") + b' [<!ENTITY a "boom">]>' + root, 1))
    report = survey_file_check(path=path, town=wulan, file_format=SurveyFileFormat.XLSX)
    assert len(report.problems) == 1
    assert "不安全的 XML 声明" in report.problems[0].message


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
    with pytest.raises(SurveyFileError, match="不是电子表格"):
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


def test_an_error_value_saved_by_excel_is_reported_not_read_as_blank(wulan, tmp_path):
    """calamine reads an error cell (t="e") as empty; the sheet scan gives its text back."""
    sheets = standard_sheets()
    sheets["楼栋"] = [BUILDING_HEADERS, building_row(户数=4)]
    path = write_xlsx(tmp_path / "error.xlsx", sheets)
    rewrite_zip_member(path, sheet_part(path, "楼栋"), lambda xml: re.sub(  # 户数 is column F
        rb'<c r="F2"[^>]*><v>4</v></c>', b'<c r="F2" t="e"><f>1/0</f><v>#DIV/0!</v></c>', xml, count=1))
    errors = errors_of(check(path, wulan))
    assert [(p.sheet, p.row, p.column) for p in errors] == [("楼栋", 2, "户数")]
    assert "#DIV/0!" in errors[0].message


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
    # openpyxl writes non-ASCII text as character references when lxml is installed: either form is replaced.
    as_references = "".join(c if c.isascii() else f"&#{ord(c)};" for c in plain).encode()
    for part in parts:
        rewrite_zip_member(path, part, lambda xml: xml.replace(plain.encode(), rich.encode())
                           .replace(as_references, rich.encode()))
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


# --- damaged, padded and hostile files (issue #16) -----------------------------------------------
def file_problems(path, town, **kwargs) -> list[str]:
    """What the preview says of a file as a whole, whether sniffing or reading it finds the fault."""
    path = Path(path)
    try:
        file_format = sniff_format(path, path.name)
    except SurveyFileError as exc:
        return [str(exc)]
    report = survey_file_check(path=path, town=town, file_format=file_format, **kwargs)
    return [problem.message for problem in report.problems if problem.level == "error"]


@pytest.mark.parametrize("member", ["xl/workbook.xml", "xl/styles.xml", "xl/_rels/workbook.xml.rels", "sheet",
                                    "xl/sharedStrings.xml"])
def test_a_flipped_byte_in_a_small_part_says_the_file_is_damaged_and_what_to_do(wulan, tmp_path, member):
    path = to_shared_strings(write_xlsx(tmp_path / "s.xlsx", standard_sheets()))
    flip_byte(path, sheet_part(path, "住户") if member == "sheet" else member, at=5)
    (message,) = file_problems(path, wulan)
    assert "文件已损坏" in message and "另存为" in message


@pytest.mark.parametrize("member", ["xl/workbook.xml", "sheet"])
def test_a_zip_directory_understating_a_members_size_says_the_file_is_damaged(wulan, tmp_path, member):
    path = write_xlsx(tmp_path / "s.xlsx", standard_sheets())
    understate_size(path, sheet_part(path, "住户") if member == "sheet" else member)
    (message,) = file_problems(path, wulan)
    assert "文件已损坏" in message


@pytest.mark.parametrize("padding", [10_000, 100_000])
def test_a_dtd_past_the_first_bytes_is_named_unsafe_without_an_english_log_line(wulan, tmp_path, caplog, padding):
    """Whichever XML library openpyxl uses (with lxml it parses workbook.xml and ignores a DTD)."""
    path = write_xlsx(tmp_path / "xxe3.xlsx", standard_sheets())
    rewrite_zip_member(path, "xl/workbook.xml", lambda xml: xml.replace(
        b"<workbook", b"<!--" + b"x" * padding + b'--><!DOCTYPE workbook [<!ENTITY a "boom">]><workbook', 1))
    with caplog.at_level("INFO"):
        (message,) = file_problems(path, wulan)
    assert "不安全的 XML 声明" in message
    assert [r for r in caplog.records if r.name.startswith("communities") and r.levelno >= 20] == []


def test_libreoffice_padded_rows_are_read_to_the_last_row_with_a_value(wulan, tmp_path):
    """Calc saves formatted empty rows down to row 1,048,576 (here 200,000, to keep the test quick): the
    rows are read as in the unpadded file, the size estimate counts rows with cells, and the reader's grid
    ends at the last row with a value (benchmarks/survey_padded.py measures the full-height file)."""
    from communities.survey.reader import SurveyWorkbook, xlsx_estimated_rows

    path = pad_like_libreoffice(Path(shutil.copy(SAMPLES / "survey-libreoffice.xlsx", tmp_path / "padded.xlsx")),
                                up_to=200_000)
    assert 30 < xlsx_estimated_rows(path) < 100
    with SurveyWorkbook(path, SurveyFileFormat.XLSX) as workbook:
        for sheet in workbook.sheets:
            assert max(number for number, _ in sheet.rows()) < 30
            assert workbook._workbook.get_sheet_by_name(sheet.title).end[0] < 30  # no empty rows held
    report = check(path, wulan)
    assert errors_of(report) == []
    assert {k: v["create"] for k, v in report.counts.items()} == {"compounds": 6, "buildings": 6, "households": 21}


@pytest.mark.parametrize("shared", [False, True])
def test_a_cell_over_excels_limit_is_refused_showing_its_first_characters(wulan, tmp_path, shared):
    sheets = standard_sheets()
    sheets["小区"][1] = compound_row("LONG-CELL")
    path = write_xlsx(tmp_path / "long.xlsx", sheets)  # openpyxl itself cuts a cell at 32,767: written by hand
    rewrite_zip_member(path, sheet_part(path, "小区"), lambda xml: xml.replace(b"LONG-CELL", "长".encode() * 40_000))
    if shared:
        to_shared_strings(path)
    report = check(path, wulan)
    (problem,) = [p for p in errors_of(report) if p.sheet == "小区"]
    assert problem.row == 2 and problem.column == "小区名称"
    assert "32767" in problem.message and "40000" in problem.message
    assert len(problem.message) < 200 and len(problem.value) < 80 and problem.value.startswith("长长长")


def test_a_long_cell_under_excels_limit_is_quoted_short(wulan, tmp_path):
    sheets = standard_sheets()
    sheets["小区"][1] = compound_row("长" * 30_000)
    report = check(write_xlsx(tmp_path / "long.xlsx", sheets), wulan)
    (problem,) = [p for p in errors_of(report) if p.sheet == "小区"]
    assert "最多 100 个字" in problem.message and len(problem.value) < 80


@pytest.mark.parametrize("sheet, header", [("小区", "备注"), ("小区", "拟改造内容"), ("楼栋", "备注"), ("住户", "备注")])
def test_free_text_is_capped_at_a_length_a_person_writes(wulan, tmp_path, sheet, header):
    from communities.survey.schema import LONG_TEXT_MAX

    sheets = standard_sheets()
    headers = sheets[sheet][0]
    sheets[sheet][1][headers.index(header)] = "备" * (LONG_TEXT_MAX + 1)
    report = check(write_xlsx(tmp_path / "notes.xlsx", sheets), wulan)
    (problem,) = errors_of(report)
    assert problem.column == header and f"最多 {LONG_TEXT_MAX} 个字" in problem.message
    sheets[sheet][1][headers.index(header)] = "备" * LONG_TEXT_MAX
    assert errors_of(check(write_xlsx(tmp_path / "notes2.xlsx", sheets), wulan)) == []


def test_a_csv_field_over_the_csv_limit_is_explained_in_chinese(wulan, tmp_path):
    path = write_csv(tmp_path / "小区.csv", [COMPOUND_HEADERS, compound_row("长" * 200_000)], encoding="utf-8")
    (message,) = file_problems(path, wulan, csv_sheet="compounds")
    assert "内容过长" in message and "field" not in message


def _hidden(path, *titles):
    from openpyxl import load_workbook

    workbook = load_workbook(path)
    for title in titles:
        workbook[title].sheet_state = "hidden"
    workbook.save(path)
    return path


def test_a_stale_hidden_sheet_is_left_out_and_said_so(wulan, tmp_path):
    """A hidden 住户 before a visible 住户（新）: the visible one is read, the hidden one named in a 提示."""
    sheets = standard_sheets()
    stale = [HOUSEHOLD_HEADERS, household_row(room="101", 改造意愿="不同意"), household_row(room="102", 改造意愿="不同意")]
    path = write_xlsx(tmp_path / "s.xlsx", {"小区": sheets["小区"], "楼栋": sheets["楼栋"], "住户": stale,
                                            "住户（新）": sheets["住户"]})
    report = check(_hidden(path, "住户"), wulan)
    assert errors_of(report) == []
    assert report.parsed.sheets["households"].title == "住户（新）"
    (note,) = [p for p in report.problems if p.level == "warning" and "隐藏" in p.message]
    assert "「住户」" in note.message and "「住户（新）」" in note.message


def test_two_visible_sheets_of_one_kind_are_refused_by_name(wulan, tmp_path):
    sheets = standard_sheets()
    path = write_xlsx(tmp_path / "s.xlsx", {**sheets, "住户（新）": sheets["住户"]})
    (problem,) = errors_of(check(path, wulan))
    assert "「住户」" in problem.message and "「住户（新）」" in problem.message and "只保留一张" in problem.message


def test_a_lone_hidden_sheet_is_read_and_said_so(wulan, tmp_path):
    report = check(_hidden(write_xlsx(tmp_path / "s.xlsx", standard_sheets()), "楼栋"), wulan)
    assert errors_of(report) == [] and report.counts["buildings"]["create"] == 1
    assert any(p.level == "warning" and "「楼栋」是隐藏的" in p.message for p in report.problems)


def test_rows_naming_another_town_are_refused_with_row_column_and_fix(wulan, other_town, tmp_path):
    """六、实施步骤（一）摸底调查: each town surveys its own jurisdiction."""
    sheets = standard_sheets()
    sheets["小区"] = [[*COMPOUND_HEADERS, "所属乡镇"], [*compound_row("测试小区-A"), wulan.name],
                     [*compound_row("测试小区-B"), other_town.name]]
    report = check(write_xlsx(tmp_path / "s.xlsx", sheets), wulan)
    (problem,) = errors_of(report)
    assert (problem.sheet, problem.row, problem.column, problem.value) == ("小区", 3, "所属乡镇", other_town.name)
    assert wulan.name in problem.message and "六、实施步骤（一）" in problem.message
    assert problem.col == len(COMPOUND_HEADERS) + 1
    assert not [p for p in report.problems if "无法识别的列" in p.message]


def test_a_community_not_yet_known_is_announced_in_the_preview(wulan, tmp_path):
    from communities.models import Community

    Community.objects.create(town=wulan, name="东街社区")
    sheets = standard_sheets()
    sheets["小区"] = [COMPOUND_HEADERS, compound_row("测试小区-A", 所属社区="东街社区"),
                     compound_row("测试小区-B", 所属社区="西街社"), compound_row("测试小区-C", 所属社区="西街社")]
    report = check(write_xlsx(tmp_path / "s.xlsx", sheets), wulan)
    notes = [p for p in report.problems if "新建社区" in p.message]
    # One 提示 on each row naming it (the preview groups them into one line with the count, issue 17).
    assert [(p.level, p.row, p.column, p.value) for p in notes] == [("warning", 3, "所属社区", "西街社"),
                                                                    ("warning", 4, "所属社区", "西街社")]
    assert "将新建社区「西街社」" in notes[0].message and "东街社区" in notes[0].message
    assert not Community.objects.filter(name="西街社").exists()


# --- property tests: damaged zips and long cells (issue #16) -------------------------------------
PROPERTY = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
_SOUND = {}


def _sound_workbook(tmp_path) -> bytes:
    if "xlsx" not in _SOUND:
        _SOUND["xlsx"] = to_shared_strings(write_xlsx(tmp_path / "sound.xlsx", standard_sheets())).read_bytes()
    return _SOUND["xlsx"]


@given(damage=st.sampled_from(["flip", "understate", "truncate"]), where=st.floats(0, 1), bit=st.integers(0, 7))
@PROPERTY
def test_any_damaged_workbook_is_refused_in_words_or_read_never_raised(staff_user, wulan, tmp_path, media_root,
                                                                      damage, where, bit):
    """Whatever byte is damaged, an upload is kept as a record that says what is wrong (or, if the damage
    touched nothing the reader needs, is read), and leaves no file without its record."""
    from django.core.files.base import ContentFile

    from communities.models import SurveyUpload
    from communities.survey import survey_upload_create

    data = bytearray(_sound_workbook(tmp_path))
    with zipfile.ZipFile(tmp_path / "sound.xlsx") as archive:
        members = [info.filename for info in archive.infolist()]
    if damage == "flip":
        data[int(where * (len(data) - 1))] ^= 1 << bit
    elif damage == "understate":
        path = tmp_path / "understated.xlsx"
        path.write_bytes(bytes(data))
        data = bytearray(understate_size(path, members[int(where * (len(members) - 1))], size=bit).read_bytes())
    else:
        data = data[:max(4, int(where * len(data)))]
    upload = survey_upload_create(user=staff_user, town=wulan, uploaded_file=ContentFile(bytes(data), name="s.xlsx"))
    assert upload.state in ("invalid", "ready")
    for problem in upload.errors:
        assert problem["message"] and not problem["message"].isascii()
        assert "Error" not in problem["message"] and "Traceback" not in problem["message"]
    files = {path for path in media_root.rglob("*") if path.is_file() and not path.name.endswith(".rows")}
    assert files == {Path(u.original_file.path) for u in SurveyUpload.objects.all()}


@given(length=st.one_of(st.integers(0, 120), st.integers(1990, 2010), st.integers(32_700, 33_000),
                        st.integers(33_000, 120_000)),
       header=st.sampled_from(["小区名称", "所属社区", "详细地址", "产权单位", "已改造内容", "拟改造内容", "备注"]),
       char=st.sampled_from(["长", "a", "𠀀", " "]), shared=st.booleans())
@PROPERTY
def test_a_cell_of_any_length_is_read_or_refused_with_a_short_message(wulan, tmp_path, length, header, char, shared):
    from communities.survey.schema import COMPOUND_SHEET, LONG_TEXT_MAX

    column = next(c for c in COMPOUND_SHEET.columns if c.header == header)
    limit = column.max_length or LONG_TEXT_MAX
    sheets = standard_sheets()
    sheets["小区"][1][COMPOUND_HEADERS.index(header)] = "LONG-CELL"
    path = write_xlsx(tmp_path / "long.xlsx", sheets)
    text = ("x" if header == "小区名称" else "") + char * length  # a name is never blank
    # as Excel writes text with edge spaces: xml:space="preserve" (without it calamine trims them, as Excel does)
    rewrite_zip_member(path, sheet_part(path, "小区"), lambda xml: xml.replace(
        b"<t>LONG-CELL</t>", b'<t xml:space="preserve">' + text.encode() + b"</t>"))
    if shared:
        to_shared_strings(path)
    report = check(path, wulan)
    for problem in report.problems:
        assert len(problem.value) <= 80 and len(problem.message) <= 300
    refused = [p for p in errors_of(report) if p.sheet == "小区" and p.column == header]
    read_length = len(" ".join(text.split())) if column.kind == "text" else len(text.strip())
    assert bool(refused) == (len(text) > 32_767 or read_length > limit), (len(text), read_length, limit, refused)


# --- .ods (LibreOffice's own format) and far cells -------------------------------------------------
ODS_SAMPLE = SAMPLES / "survey-libreoffice.ods"
_ODS_PADDING = (b'<table:table-row table:style-name="ro1" table:number-rows-repeated="1048565">'
                b'<table:table-cell table:number-columns-repeated="16384"/></table:table-row>')


def _ods_copy(tmp_path, name="survey.ods") -> Path:
    return Path(shutil.copy(ODS_SAMPLE, tmp_path / name))


def test_an_ods_is_recognised_by_content_and_its_padding_is_not_counted(tmp_path):
    """LibreOffice saves empty formatted rows as one row repeated a million times (the sample does)."""
    from communities.survey.reader import zip_estimated_rows

    path = _ods_copy(tmp_path, "调查表.xlsx")  # the name does not decide the format
    with zipfile.ZipFile(path) as archive:
        assert _ODS_PADDING in archive.read("content.xml")
    assert sniff_format(path, path.name) == SurveyFileFormat.ODS
    assert 30 < zip_estimated_rows(path, SurveyFileFormat.ODS) < 100


def test_an_opendocument_text_renamed_to_ods_is_refused(tmp_path):
    path = _ods_copy(tmp_path, "report.ods")
    rewrite_zip_member(path, "mimetype", lambda _: b"application/vnd.oasis.opendocument.text")
    with pytest.raises(SurveyFileError, match="不是 .ods 电子表格"):
        sniff_format(path, path.name)


def test_a_password_protected_ods_is_refused(tmp_path):
    path = _ods_copy(tmp_path)
    rewrite_zip_member(path, "META-INF/manifest.xml", lambda xml: xml.replace(
        b' manifest:full-path="content.xml"', b' manifest:full-path="content.xml"><manifest:encryption-data/'
        b'></manifest:file-entry><manifest:file-entry manifest:media-type="" manifest:full-path="x"', 1))
    with pytest.raises(SurveyFileError, match="加密"):
        sniff_format(path, path.name)


@pytest.mark.parametrize("member", ["content.xml", "styles.xml"])
def test_a_dtd_in_an_ods_part_is_refused_before_it_is_read(tmp_path, member):
    path = _ods_copy(tmp_path)
    rewrite_zip_member(path, member, lambda xml: xml.replace(
        b"<office:document-", b'<!DOCTYPE x [<!ENTITY a "boom">]><office:document-', 1))
    with pytest.raises(SurveyFileError, match="不安全的 XML"):
        sniff_format(path, path.name)


def test_merged_cells_in_ods_data_rows_are_errors_and_its_merged_title_is_not(wulan, tmp_path):
    """calamine reports no merged cells for an .ods: the scan of content.xml finds them
    (table:number-rows-spanned); the sample's title row is merged across already."""
    path = _ods_copy(tmp_path)

    def merge_first_building_name(xml):
        headers = xml.index("楼栋号".encode(), xml.index('table:name="楼栋"'.encode()))
        first_cell = xml.index(b"<table:table-cell", xml.index(b"<table:table-row", headers))  # 1号楼, row 4
        cell = xml.index(b"<table:table-cell", first_cell + 1)  # its 小区名称, second column
        return xml[:cell] + b'<table:table-cell table:number-rows-spanned="2"' + xml[cell + 17:]

    rewrite_zip_member(path, "content.xml", merge_first_building_name)
    report = check(path, wulan)
    merged = [p for p in errors_of(report) if "合并单元格" in p.message]
    assert [(p.sheet, p.row) for p in merged] == [("楼栋", 4)]


def test_a_stray_value_at_the_last_row_is_refused_naming_its_cell(wulan, tmp_path):
    """calamine would hold a million empty rows in memory for it."""
    sheets = standard_sheets()
    path = write_xlsx(tmp_path / "stray.xlsx", sheets)
    from openpyxl import load_workbook

    workbook = load_workbook(path)
    workbook["住户"]["B1048576"] = "x"
    workbook.save(path)
    (message,) = file_problems(path, wulan)
    assert "「住户」的 B1048576 格有内容" in message and "删除" in message


def test_a_stray_value_in_the_last_column_is_refused_naming_row_and_column(wulan, tmp_path):
    sheets = standard_sheets()
    path = write_xlsx(tmp_path / "stray.xlsx", sheets)
    from openpyxl import load_workbook

    workbook = load_workbook(path)
    workbook["楼栋"]["XFD1"] = "x"
    workbook.save(path)
    (message,) = file_problems(path, wulan)
    assert "「楼栋」第 1 行在第 16384 列还有内容" in message


@pytest.mark.parametrize("before", [b"<table:table-cell/><table:table-cell/>",
                                    b'<table:table-cell table:number-columns-repeated="2"/>'])
def test_a_stray_value_far_below_an_ods_table_is_refused_naming_its_cell(wulan, tmp_path, before):
    """Empty cells before it written one by one or as one repeated cell: either way it is in column C."""
    path = _ods_copy(tmp_path)
    stray = (b'<table:table-row table:number-rows-repeated="1000000"><table:table-cell/></table:table-row>'
             b"<table:table-row>" + before + b'<table:table-cell office:value-type="string">'
             b"<text:p>x</text:p></table:table-cell></table:table-row>")
    rewrite_zip_member(path, "content.xml", lambda xml: xml.replace(_ODS_PADDING, stray + _ODS_PADDING, 1))
    (message,) = file_problems(path, wulan)
    assert "「小区」的 C1000011 格有内容" in message


def test_a_sheet_written_with_prefixed_tags_is_scanned_too(wulan, tmp_path):
    """Some exporters write <x:row>, <x:c>: the scan finds a formula saved without its result there too."""
    sheets = standard_sheets()
    sheets["楼栋"] = [BUILDING_HEADERS, building_row(户数="=1+1")]
    path = write_xlsx(tmp_path / "prefixed.xlsx", sheets)
    rewrite_zip_member(path, sheet_part(path, "楼栋"), lambda xml: re.sub(
        rb"<(/?)(?![?!])(\w+)", rb"<\1x:\2", xml).replace(b' xmlns="', b' xmlns:x="', 1))
    with zipfile.ZipFile(path) as archive:
        assert b"<x:row " in archive.read(sheet_part(path, "楼栋"))
    errors = errors_of(check(path, wulan))
    assert [(p.sheet, p.row, p.column) for p in errors] == [("楼栋", 2, "户数")] and "公式" in errors[0].message
