"""Writes of the survey upload flow: receive a file, check it (preview), import it (commit).

upload → `survey_upload_create` (kept, hashed, checked now or by a Celery task; a check without errors
keeps its parsed rows beside the file, see stored.py) → preview → `survey_import` (claims the upload,
loads the kept rows or else reads the stored file again, re-checks under the town lock, writes
everything in one transaction or nothing).
"""

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from openpyxl.utils import get_column_letter

from agencies.access import role_of, user_town_id
from agencies.choices import Role
from communities.choices import Consent, CsvEncoding, StructureType, SurveyFileFormat, SurveySheet, SurveyUploadState
from communities.models import Compound, SurveyUpload, Town
from jingyuan_renovation.celery import WORKER_UNAVAILABLE, task_send

from . import schema
from .parse import ERROR, WARNING, ParsedSurvey, Problem, ProgressCallback, collector_paused, shown, survey_parse
from .plan import SurveyPlan, survey_plan, survey_write
from .reader import (
    CSV_SHEET_MISSING,
    SurveyFileError,
    SurveyWorkbook,
    broken_message,
    sniff_format,
    too_big_message,
    zip_estimated_rows,
)
from .stored import survey_rows_discard, survey_rows_load, survey_rows_store
from .values import read_text

logger = logging.getLogger(__name__)

UPLOAD_ROLES = (Role.STAFF, Role.SURVEYOR)


class SurveyImportError(Exception):
    """The upload cannot be imported now (wrong state); the message is for the user."""


@dataclass
class SurveyReport:
    """What a check found: per-sheet create/update/unchanged counts and every problem."""

    counts: dict = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    plan: SurveyPlan | None = None
    parsed: ParsedSurvey | None = None

    @property
    def error_count(self) -> int:
        return sum(1 for problem in self.problems if problem.level == ERROR)

    @property
    def warning_count(self) -> int:
        return len(self.problems) - self.error_count

    def problem_dicts(self) -> list[dict]:
        return [problem.as_dict() for problem in self.problems]

    def sample(self, rows: int | None = None) -> list[dict]:
        """The first rows of each sheet as the importer read them, for the preview (as NetBox's import shows)."""
        if self.parsed is None:
            return []
        rows = SAMPLE_ROWS if rows is None else rows
        return [_sheet_sample(sheet, self.plan if not self.error_count else None, rows)
                for sheet in self.parsed.sheets.values() if sheet.header_row]


SAMPLE_ROWS = 5  # rows of each sheet the preview shows
_CHOICE_LABELS = {schema.CONSENT: dict(Consent.choices), schema.STRUCTURE: dict(StructureType.choices)}


def _shown_value(value, column: schema.Column) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    labels = _CHOICE_LABELS.get(column.kind)
    if labels is not None:
        return str(labels.get(value, value))
    return shown(value)


def _sheet_sample(sheet, plan: SurveyPlan | None, rows: int) -> dict:
    """One sheet's sample: its columns (the template's header; the file's column letter, and its header where
    written otherwise, e.g. 占地面积（㎡） with full-width brackets), the first
    `rows` rows' values as read (是/否, 同意, 65.50) and, when the check passed, what the import does with each."""
    columns = [column for column in sheet.spec.columns if column.field in sheet.columns]
    first = sheet.rows[:rows]
    actions: dict[int, str] = {}
    sheet_plan = plan.sheets.get(sheet.spec.sheet) if plan is not None else None
    if sheet_plan is not None:
        wanted = {row[0] for row in first}
        actions.update((row[0], "更新") for _, row in sheet_plan.update if row[0] in wanted)
        actions.update((row[0], "新增") for row in sheet_plan.create if row[0] in wanted)
    sample_rows = []
    for row in first:
        action = actions.get(row[0], "不变") if sheet_plan is not None else ""
        sample_rows.append({"row": row[0], "action": action,
                            "values": [_shown_value(row[sheet.field_index[c.field]], c) for c in columns]})
    return {
        "title": sheet.spec.title,
        "sheet": sheet.title,
        "total": len(sheet.rows),
        # Where each column was found: its letter, and the file's header where it is written otherwise.
        "columns": [{"header": c.header, "letter": get_column_letter(sheet.columns[c.field]),
                     "file_header": "" if sheet.headers[c.field] == c.header else sheet.headers[c.field]}
                    for c in columns],
        "rows": sample_rows,
    }


def survey_upload_towns(user):
    """The towns `user` may upload for: staff any, a surveyor only their own."""
    role = role_of(user)
    if role == Role.STAFF:
        return Town.objects.all()
    if role == Role.SURVEYOR and user_town_id(user):
        return Town.objects.filter(pk=user_town_id(user))
    return Town.objects.none()


def survey_check_may_upload(*, user, town: Town) -> None:
    if role_of(user) not in UPLOAD_ROLES:
        raise PermissionDenied("您的角色不能上传摸底调查表。")
    if not survey_upload_towns(user).filter(pk=town.pk).exists():
        raise PermissionDenied("调查员只能为本人所属乡镇上传摸底调查表。")


def survey_file_check(*, path: Path, town: Town, file_format: str, csv_sheet: str = "",
                      csv_encoding: str = CsvEncoding.AUTO, progress: ProgressCallback | None = None) -> SurveyReport:
    """Read and check a file against the town's records; writes nothing."""
    parsed = survey_parse(Path(path), file_format=file_format, csv_sheet=csv_sheet, csv_encoding=csv_encoding,
                          progress=progress, town_name=town.name)
    return _report(parsed, town=town)


def _report(parsed: ParsedSurvey, *, town: Town) -> SurveyReport:
    if not parsed.sheets:
        return SurveyReport(problems=parsed.problems, parsed=parsed)
    plan = survey_plan(parsed, town=town)
    plan.problems.extend(_new_communities(plan, town=town))
    return SurveyReport(counts=plan.counts(), problems=plan.problems, plan=plan, parsed=parsed)


def _new_communities(plan: SurveyPlan, *, town: Town) -> list[Problem]:
    """A 提示 on each row whose 所属社区 the import would create: a mistyped name (西街社) is seen before it is
    written, on every row that has it (the preview groups them into one line with the count)."""
    compounds = plan.sheets.get(SurveySheet.COMPOUNDS)
    if compounds is None or "community" not in compounds.sheet.columns:
        return []
    sheet = compounds.sheet
    position = sheet.field_index["community"]
    known = {read_text(name) for name in town.communities.values_list("name", flat=True)}
    rows = sorted((row for row in [*compounds.create, *(row for _, row in compounds.update)]
                   if row[position] and row[position] not in known), key=lambda row: row[0])
    listing = "、".join(sorted(known)[:10]) or "（暂无）"
    header, col = sheet.header_for("community"), sheet.col_for("community")
    return [Problem(sheet.title, row[0], header, row[position],
                    f"将新建社区「{row[position]}」（{town.name}尚无此社区；已有：{listing}）。"
                    "如是笔误，请改为已有社区的名称。", level=WARNING, col=col)
            for row in rows]


def _sha256(uploaded_file) -> str:
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    return digest.hexdigest()


def _stored_sha256(upload: SurveyUpload) -> str:
    digest = hashlib.sha256()
    with upload.original_file.storage.open(upload.original_file.name, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@transaction.atomic
def survey_upload_create(*, user, town: Town, uploaded_file, csv_sheet: str = "",
                         csv_encoding: str = CsvEncoding.AUTO, background: bool | None = None) -> SurveyUpload:
    """Keep the file and check it: now if small, else in a Celery task (state 正在检查 until done).

    `background` False checks now whatever the size (the command line), True always in a task.
    """
    survey_check_may_upload(user=user, town=town)
    if uploaded_file.size > settings.JINGYUAN_UPLOAD_MAX_BYTES:
        raise ValidationError(too_big_message(uploaded_file.size))
    name = Path(uploaded_file.name or "survey").name[:200]
    upload = SurveyUpload(town=town, uploaded_by=user, original_name=name, sha256=_sha256(uploaded_file),
                          size_bytes=uploaded_file.size, csv_sheet=csv_sheet, csv_encoding=csv_encoding,
                          file_format="")
    upload.original_file.save(name, uploaded_file, save=False)
    try:
        _sniff(upload, estimate=background is not False)
        upload.full_clean()
        upload.save()
        if upload.state == SurveyUploadState.CHECKING:
            if background is None:
                background = upload.data_rows > settings.JINGYUAN_SURVEY_ASYNC_ROWS
            if background:
                from communities.tasks import survey_check_task

                transaction.on_commit(lambda: task_send(survey_check_task, upload.pk,
                                                        on_unavailable=lambda: _worker_unavailable_for_check(upload)))
            else:
                survey_upload_check(upload=upload)
    except BaseException:
        # The record is rolled back with this transaction: its file must not stay behind, unowned.
        _discard_file(upload)
        raise
    return upload


def _sniff(upload: SurveyUpload, *, estimate: bool = True) -> None:
    """The file's format and size in rows; a file that cannot be read at all makes the upload 有错误.

    `estimate` False (checked now whatever the size, the command line): an .xlsx's or .ods's rows are not
    estimated, which for a large sheet meant unpacking it once more; the check records the rows it read.
    """
    path = Path(upload.original_file.path)
    try:
        upload.file_format = sniff_format(path, upload.original_name)
        if upload.file_format == SurveyFileFormat.CSV and upload.csv_sheet not in SurveySheet.values:
            raise SurveyFileError(CSV_SHEET_MISSING)
        if not estimate and upload.file_format in (SurveyFileFormat.XLSX, SurveyFileFormat.ODS):
            return
        if upload.file_format in (SurveyFileFormat.XLSX, SurveyFileFormat.ODS):
            # the check opens it: no need to parse anything twice
            upload.data_rows = zip_estimated_rows(path, upload.file_format)
        else:
            with SurveyWorkbook(path, upload.file_format, csv_sheet=upload.csv_sheet,
                                csv_encoding=upload.csv_encoding) as workbook:
                upload.data_rows = workbook.estimated_rows()
    except SurveyFileError as exc:
        message = str(exc)
    except Exception as exc:  # a reader library's own idea of a broken file, met while sizing it
        logger.warning("survey upload of %s: file unreadable while sizing it", upload.original_name, exc_info=True)
        message = broken_message(exc)
    else:
        return
    upload.state = SurveyUploadState.INVALID
    upload.errors = [Problem("", None, "", "", message).as_dict()]
    upload.error_count = 1


def _discard_file(upload: SurveyUpload) -> None:
    try:
        if upload.original_file.name:
            upload.original_file.storage.delete(upload.original_file.name)
    except Exception:
        logger.warning("survey upload: stored file %s not removed", upload.original_file.name, exc_info=True)


def _worker_unavailable_for_check(upload: SurveyUpload) -> None:
    """The broker is down: the file was kept but nobody will check it; say so instead of 正在检查 forever."""
    message = f"{WORKER_UNAVAILABLE}本文件超过 {settings.JINGYUAN_SURVEY_ASYNC_ROWS} 行，需由后台服务检查，请稍后重新上传。"
    SurveyUpload.objects.filter(pk=upload.pk, state=SurveyUploadState.CHECKING).update(
        state=SurveyUploadState.FAILED, progress=100, error_count=1,
        errors=[Problem("", None, "", "", message).as_dict()])
    upload.refresh_from_db()


def _worker_unavailable_for_import(upload: SurveyUpload) -> None:
    """The broker is down: give the claim back (the upload can be confirmed again) and tell the user."""
    SurveyUpload.objects.filter(pk=upload.pk, state=SurveyUploadState.IMPORTING).update(
        state=SurveyUploadState.READY, progress=100, imported_by=None)
    upload.refresh_from_db()
    raise SurveyImportError(f"{WORKER_UNAVAILABLE}导入未开始，未写入任何数据。")


def _progress_recorder(upload: SurveyUpload, *, start: int, span: int) -> ProgressCallback:
    total = max(upload.data_rows, 1)

    def record(rows: int) -> None:
        percent = min(start + span * rows // total, start + span)
        SurveyUpload.objects.filter(pk=upload.pk).update(progress=percent)

    return record


@collector_paused()
def survey_upload_check(*, upload: SurveyUpload) -> SurveyUpload:
    """Check a kept upload (the preview): counts and problems saved on it; writes no survey data."""
    try:
        report = _check(upload)
    except Exception:
        logger.exception("survey upload %s failed to check", upload.pk)
        SurveyUpload.objects.filter(pk=upload.pk).update(
            state=SurveyUploadState.FAILED, progress=100, error_count=1,
            errors=[Problem("", None, "", "", "检查文件时发生系统错误。请稍后重试或联系管理员。").as_dict()])
        raise
    _record_report(upload, report)
    if not upload.data_rows and report.parsed is not None:
        upload.data_rows = report.parsed.rows_read  # not estimated beforehand (see _sniff): the rows read
    upload.state = SurveyUploadState.INVALID if report.error_count else SurveyUploadState.READY
    if upload.state == SurveyUploadState.READY and report.parsed is not None:
        # Kept before the upload becomes ready, so that a confirmation finds it.
        survey_rows_store(upload, report.parsed)
    upload.full_clean()
    upload.save()
    return upload


def _check(upload: SurveyUpload) -> SurveyReport:
    return survey_file_check(path=Path(upload.original_file.path), town=upload.town,
                             file_format=upload.file_format, csv_sheet=upload.csv_sheet,
                             csv_encoding=upload.csv_encoding,
                             progress=_progress_recorder(upload, start=0, span=99))


def survey_import_claim(*, upload: SurveyUpload, user) -> None:
    """Move a previewed upload to 正在导入 exactly once (a double click or a retried task is a no-op)."""
    survey_check_may_upload(user=user, town=upload.town)
    claimed = SurveyUpload.objects.filter(pk=upload.pk, state=SurveyUploadState.READY).update(
        state=SurveyUploadState.IMPORTING, progress=0, imported_by=user)
    if not claimed:
        upload.refresh_from_db()
        raise SurveyImportError(f"该上传当前状态为「{upload.get_state_display()}」，不能导入。")
    upload.refresh_from_db()


def _parsed_for_import(upload: SurveyUpload) -> ParsedSurvey:
    """The rows the preview parsed and kept (stored.py), or else the stored file read again."""
    this_year = timezone.localdate().year
    parsed = survey_rows_load(upload, this_year=this_year)
    if parsed is not None:
        SurveyUpload.objects.filter(pk=upload.pk).update(progress=60)  # where reading the file again would end
        return parsed
    if _stored_sha256(upload) != upload.sha256:
        return ParsedSurvey(this_year=this_year, problems=[Problem(
            "", None, "", "", "服务器上保存的原始文件与上传时不一致（SHA-256 校验值不符），不能导入。请重新上传该文件。")])
    return survey_parse(Path(upload.original_file.path), file_format=upload.file_format, csv_sheet=upload.csv_sheet,
                        csv_encoding=upload.csv_encoding, this_year=this_year, town_name=upload.town.name,
                        progress=_progress_recorder(upload, start=0, span=60))


@collector_paused()
def survey_import(*, upload: SurveyUpload, user, claim: bool = True) -> SurveyUpload:
    """Import a previewed upload: all rows in one transaction, or nothing if any error is found.

    The rows come from the preview (kept beside the file) or, failing that, from reading the file
    again; either way they are re-checked against the database under the town lock, because the
    town's records may have changed since the preview (another upload, an edit).
    """
    if claim:
        survey_import_claim(upload=upload, user=user)
    try:
        parsed = _parsed_for_import(upload)
        with transaction.atomic():
            # Two uploads for one town must not interleave: each diff is computed against the
            # records as they are, and a concurrent import would make that diff stale (creating the
            # same compound twice, or overwriting a newer answer with an older file). Holding the
            # town row serialises imports per town while other towns import in parallel.
            town = Town.objects.select_for_update().get(pk=upload.town_id)
            current = SurveyUpload.objects.select_for_update().get(pk=upload.pk)
            if current.state != SurveyUploadState.IMPORTING:
                return current  # a duplicate run of the same task found the work done
            report = _report(parsed, town=town)
            del parsed  # the plan holds the rows it writes; nothing else of the parse is needed
            if report.error_count == 0:
                survey_write(report.plan, town=town, user=user)
                # The eligibility rules (三) read the facts just written: re-assess in the same
                # transaction, so a verdict never lags the survey it rests on.
                from communities.services import compounds_assess_all

                compounds_assess_all(user=user, queryset=Compound.objects.filter(town=town))
                from communities.totals import town_totals_refresh

                town_totals_refresh(town_ids=[town.pk])
                upload.state = SurveyUploadState.IMPORTED
                upload.imported_by = user
                upload.imported_at = timezone.now()
                # In the table before the projects read it: their 摸底调查 step rests on this import (六(一)).
                SurveyUpload.objects.filter(pk=upload.pk).update(
                    state=upload.state, imported_by=user, imported_at=upload.imported_at)
                from projects.services import projects_steps_from_records

                projects_steps_from_records(
                    compound_ids=Compound.objects.filter(town=town).values_list("pk", flat=True), user=user)
            _record_report(upload, report)
            if report.error_count:
                # Nothing of the survey was written in this block; only the verdict is kept.
                upload.state = SurveyUploadState.INVALID
            upload.full_clean()
            upload.save()
    except Exception:
        logger.exception("survey upload %s failed to import", upload.pk)
        SurveyUpload.objects.filter(pk=upload.pk).update(
            state=SurveyUploadState.FAILED, progress=100,
            errors=[Problem("", None, "", "", "导入时发生系统错误，未写入任何数据。请稍后重试或联系管理员。").as_dict()],
            error_count=1)
        upload.refresh_from_db()
        survey_rows_discard(upload)
        raise
    survey_rows_discard(upload)  # imported, or found wrong: either way no longer importable
    return upload


def _record_report(upload: SurveyUpload, report: SurveyReport) -> None:
    upload.counts = report.counts
    if report.parsed is not None:
        upload.sample = report.sample()
    upload.errors = report.problem_dicts()
    upload.error_count = report.error_count
    upload.warning_count = report.warning_count
    upload.progress = 100


def survey_import_start(*, upload: SurveyUpload, user) -> SurveyUpload:
    """Confirm from the browser: claim, then import now, or in a Celery task when the file is large."""
    survey_import_claim(upload=upload, user=user)
    if upload.data_rows > settings.JINGYUAN_SURVEY_ASYNC_ROWS:
        from communities.tasks import survey_import_task

        transaction.on_commit(lambda: task_send(survey_import_task, upload.pk, user.pk,
                                                on_unavailable=lambda: _worker_unavailable_for_import(upload)))
        return upload
    return survey_import(upload=upload, user=user, claim=False)
