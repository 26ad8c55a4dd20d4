import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from communities.models import Compound, Household, SurveyUpload

from .survey_files import SAMPLES, household_row, standard_sheets, write_xlsx


def test_survey_template_command(tmp_path):
    out = tmp_path / "模板.xlsx"
    call_command("survey_template", str(out))
    assert load_workbook(out).sheetnames == ["填写说明", "小区", "楼栋", "住户"]


def test_import_survey_dry_run_writes_nothing(staff_user, wulan, capsys):
    call_command("import_survey", str(SAMPLES / "survey-libreoffice.xlsx"), "--user", staff_user.username,
                 "--dry-run")
    assert "住户：新增 21" in capsys.readouterr().out
    assert not Household.objects.exists() and not SurveyUpload.objects.exists()


@pytest.mark.parametrize("name", ["survey-libreoffice.xls", "survey-libreoffice.ods"])
def test_import_survey_imports_and_keeps_the_upload(staff_user, wulan, capsys, name):
    call_command("import_survey", str(SAMPLES / name), "--user", staff_user.username, "--town", "乌兰镇")
    assert Household.objects.count() == 21
    assert SurveyUpload.objects.get().state == "imported"


def test_import_survey_unpacks_the_file_once_and_records_the_rows_it_read(staff_user, wulan, monkeypatch):
    """The command checks whatever the size, so it skips the row estimate (which decides between checking now
    and in the background, and unpacked a large sheet once more); its upload records the rows read instead."""
    from communities.survey import services

    def estimate(*args):
        raise AssertionError("estimated")

    monkeypatch.setattr(services, "zip_estimated_rows", estimate)
    call_command("import_survey", str(SAMPLES / "survey-libreoffice.xlsx"), "--user", staff_user.username)
    upload = SurveyUpload.objects.get()
    assert upload.state == "imported"
    assert upload.data_rows == 6 + 6 + 21  # compounds, buildings, households


def test_import_survey_fails_with_the_same_errors(staff_user, wulan, tmp_path, capsys):
    sheets = standard_sheets()
    sheets["住户"].append(household_row(room="103", 改造意愿="也许吧"))
    path = write_xlsx(tmp_path / "bad.xlsx", sheets)
    with pytest.raises(CommandError, match="1 个错误"):
        call_command("import_survey", str(path), "--user", staff_user.username)
    assert "工作表「住户」，第 4 行，列「改造意愿」，值「也许吧」" in capsys.readouterr().err
    assert not Compound.objects.filter(name="测试小区-A").exists()


def test_import_survey_csv(staff_user, wulan):
    call_command("import_survey", str(SAMPLES / "compounds-gb18030.csv"), "--user", staff_user.username,
                 "--csv-sheet", "compounds")
    assert Compound.objects.filter(town=wulan, name__startswith="样例小区").count() == 6


def test_surveyor_cli_limited_to_own_town(surveyor_user, other_town):
    with pytest.raises(CommandError, match="本人所属乡镇"):
        call_command("import_survey", str(SAMPLES / "survey-libreoffice.xlsx"), "--user", surveyor_user.username,
                     "--town", other_town.name, "--dry-run")


def test_csv_dry_run_without_its_sheet_names_the_option(staff_user, wulan):
    with pytest.raises(CommandError, match="--csv-sheet"):
        call_command("import_survey", str(SAMPLES / "compounds-gb18030.csv"), "--user", staff_user.username,
                     "--dry-run")


def test_csv_import_without_its_sheet_names_the_option(staff_user, wulan):
    with pytest.raises(CommandError, match="--csv-sheet"):
        call_command("import_survey", str(SAMPLES / "compounds-gb18030.csv"), "--user", staff_user.username)
    assert not SurveyUpload.objects.exists()


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_damaged_workbook_is_refused_in_chinese_without_a_traceback(staff_user, wulan, tmp_path, capsys, dry_run):
    from .survey_files import flip_byte

    path = flip_byte(write_xlsx(tmp_path / "damaged.xlsx", standard_sheets()), "xl/workbook.xml", at=3)
    with pytest.raises(CommandError) as raised:
        call_command("import_survey", str(path), "--user", staff_user.username, *(["--dry-run"] if dry_run else []))
    output = str(raised.value) + capsys.readouterr().err
    assert "文件已损坏" in output and "Traceback" not in output and "BadZipFile" not in output
    assert SurveyUpload.objects.filter(state="invalid").count() == (0 if dry_run else 1)


def test_import_survey_prints_errors_before_hints_and_a_repeated_hint_once_with_its_count(
        staff_user, wulan, tmp_path, capsys):
    from .survey_files import compound_row

    sheets = standard_sheets()
    sheets["小区"] += [compound_row(f"测试小区-{n}", 所属社区="西街社", 楼栋数=0, 户数=0) for n in "BCD"]
    sheets["住户"][0] = [*sheets["住户"][0], "不认识的列"]
    sheets["住户"].append(household_row(room="103", 改造意愿="也许吧"))
    with pytest.raises(CommandError, match="1 个错误"):
        call_command("import_survey", str(write_xlsx(tmp_path / "bad.xlsx", sheets)), "--user",
                     staff_user.username, "--dry-run")
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("[错误] 工作表「住户」，第 4 行，列「改造意愿」，值「也许吧」")
    (community,) = [line for line in lines if "西街社" in line]
    assert community.startswith("[提示] 工作表「小区」，第 3、4、5 行") and community.endswith("（共 3 次）")


def test_import_survey_names_the_table_a_csv_looks_like(staff_user, wulan, capsys):
    with pytest.raises(CommandError, match="个错误"):
        call_command("import_survey", str(SAMPLES / "compounds-gb18030.csv"), "--user", staff_user.username,
                     "--csv-sheet", "buildings", "--dry-run")
    first = capsys.readouterr().err.splitlines()[0]
    assert "这份 CSV 看起来是「小区」表" in first and "--csv-sheet compounds" in first
