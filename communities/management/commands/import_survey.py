from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from communities.choices import CsvEncoding, SurveyFileFormat, SurveySheet, SurveyUploadState
from communities.models import Town
from communities.selectors import survey_problem_lines
from communities.survey import survey_file_check, survey_import, survey_upload_create
from communities.survey.reader import SurveyFileError, sniff_format


class Command(BaseCommand):
    help = ("检查并导入摸底调查表，与网页上传相同的检查和错误说明。有任何错误时不写入并以非零状态退出。\n"
            "python manage.py import_survey PATH --user USERNAME [--town 乌兰镇] [--dry-run]")

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--user", required=True, help="以该用户身份上传（调查员只能导入本人所属乡镇）")
        parser.add_argument("--town", default="乌兰镇", help="乡镇名称，默认 乌兰镇")
        parser.add_argument("--dry-run", action="store_true", help="只检查和预览，不保存上传、不写入数据")
        parser.add_argument("--csv-sheet", choices=SurveySheet.values, default="",
                            help="CSV 文件对应的表：compounds（小区）、buildings（楼栋）、households（住户）")
        parser.add_argument("--csv-encoding", choices=CsvEncoding.values, default=CsvEncoding.AUTO)

    def handle(self, *args, **options):
        try:
            self._handle(options)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None

    def _handle(self, options):
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"没有用户 {options['user']}")
        town = Town.objects.filter(name=options["town"]).first()
        if town is None:
            raise CommandError(f"没有乡镇「{options['town']}」")
        csv_sheet, csv_encoding = options["csv_sheet"], options["csv_encoding"]
        from communities.survey import survey_check_may_upload

        survey_check_may_upload(user=user, town=town)
        try:
            file_format = sniff_format(path, path.name)
        except SurveyFileError as exc:
            if options["dry_run"]:
                raise CommandError(str(exc)) from None
            file_format = ""  # kept as an upload record that says why, as the upload page does
        if file_format == SurveyFileFormat.CSV and not csv_sheet:
            raise CommandError("CSV 文件只含一张表：请用 --csv-sheet 指明它是哪一张表，"
                               "compounds（小区）、buildings（楼栋）或 households（住户），例如 --csv-sheet households。")
        if options["dry_run"]:
            report = survey_file_check(path=path, town=town, file_format=file_format, csv_sheet=csv_sheet,
                                       csv_encoding=csv_encoding)
            self._print(report.counts, report.problem_dicts())
            if report.error_count:
                raise CommandError(f"发现 {report.error_count} 个错误（仅检查，未写入）。")
            self.stdout.write(self.style.SUCCESS("检查通过（仅检查，未写入）。"))
            return
        # Checked here and now whatever the size (no task): the file is parsed once, its rows kept for the import.
        with path.open("rb") as handle:
            upload = survey_upload_create(user=user, town=town, uploaded_file=File(handle, name=path.name),
                                          csv_sheet=csv_sheet, csv_encoding=csv_encoding, background=False)
        if upload.state == SurveyUploadState.READY:
            upload = survey_import(upload=upload, user=user)
        self._print(upload.counts, upload.errors)
        if upload.state != SurveyUploadState.IMPORTED:
            raise CommandError(f"发现 {upload.error_count} 个错误，未写入任何数据（上传记录 #{upload.pk}）。")
        self.stdout.write(self.style.SUCCESS(f"导入完成（上传记录 #{upload.pk}）。"))

    def _print(self, counts: dict, problems: list[dict]) -> None:
        for row in counts.values():
            self.stdout.write(f"{row['title']}：新增 {row['create']}，更新 {row['update']}，不变 {row['unchanged']}")
        # As the preview lists them: errors first, a 提示 repeated on many rows as one line with its count.
        for problem in survey_problem_lines(problems):
            level = "错误" if problem["level"] == "error" else "提示"
            where = "，".join(part for part in (
                f"工作表「{problem['sheet']}」" if problem["sheet"] else "",
                f"第 {problem['rows_text']} 行" if problem["rows_text"] else "",
                f"列「{problem['column']}」" if problem["column"] else "",
                f"值「{problem['value']}」" if problem["value"] else "") if part)
            times = f"（共 {problem['count']} 次）" if problem["count"] > 1 else ""
            self.stderr.write(f"[{level}] {where}{'：' if where else ''}{problem['message']}{times}")
