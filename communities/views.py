"""Survey upload pages (摸底调查): template, upload, preview, confirm, history, error workbook."""

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from agencies.access import require_role
from agencies.choices import Role

from .filters import SurveyUploadFilterSet
from .forms import SurveyUploadForm
from .selectors import survey_uploads_for
from .survey import (
    SurveyImportError,
    survey_error_workbook,
    survey_import_start,
    survey_template_write,
    survey_upload_create,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SURVEY_ROLES = (Role.STAFF, Role.SURVEYOR)
ERRORS_SHOWN = 1000


def _upload_for_user(request, pk):
    """The upload if the user may see it (404 otherwise), after the role check (403)."""
    require_role(request.user, *SURVEY_ROLES)
    return get_object_or_404(survey_uploads_for(request.user), pk=pk)


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@login_required
def survey_template(request):
    require_role(request.user, *SURVEY_ROLES)
    return _xlsx_response(survey_template_write(), "摸底调查表模板.xlsx")


@login_required
def survey_upload(request):
    require_role(request.user, *SURVEY_ROLES)
    form = SurveyUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            upload = survey_upload_create(user=request.user, town=form.cleaned_data["town"],
                                          uploaded_file=form.cleaned_data["file"],
                                          csv_sheet=form.cleaned_data["csv_sheet"],
                                          csv_encoding=form.cleaned_data["csv_encoding"])
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            return redirect("survey_detail", pk=upload.pk)
    return render(request, "communities/survey_upload.html",
                  {"form": form, "max_mb": settings.JINGYUAN_UPLOAD_MAX_BYTES // (1024 * 1024)})


@login_required
def survey_list(request):
    require_role(request.user, *SURVEY_ROLES)
    filterset = SurveyUploadFilterSet(request.GET or None, queryset=survey_uploads_for(request.user))
    return render(request, "communities/survey_list.html",
                  {"filter": filterset, "uploads": filterset.qs[:200]})


@login_required
def survey_detail(request, pk):
    upload = _upload_for_user(request, pk)
    problems = upload.errors[:ERRORS_SHOWN]
    return render(request, "communities/survey_detail.html", {
        "upload": upload, "problems": problems, "more_problems": max(len(upload.errors) - ERRORS_SHOWN, 0),
        "counts": list(upload.counts.values()),
    })


@login_required
def survey_status(request, pk):
    """Polled by the progress bar while a large file is checked or imported."""
    upload = _upload_for_user(request, pk)
    return JsonResponse({"state": upload.state, "state_label": upload.get_state_display(),
                         "progress": upload.progress, "busy": upload.is_busy,
                         "errors": upload.error_count, "warnings": upload.warning_count})


@login_required
@require_POST
def survey_confirm(request, pk):
    upload = _upload_for_user(request, pk)
    try:
        upload = survey_import_start(upload=upload, user=request.user)
    except SurveyImportError as exc:
        messages.error(request, str(exc))
    else:
        if upload.state == "imported":
            messages.success(request, "导入完成。")
        elif upload.state == "invalid":
            messages.error(request, "导入前复核发现错误，未写入任何数据。")
    return redirect("survey_detail", pk=upload.pk)


@login_required
def survey_error_download(request, pk):
    upload = _upload_for_user(request, pk)
    content = survey_error_workbook(path=Path(upload.original_file.path), file_format=upload.file_format,
                                    csv_sheet=upload.csv_sheet, csv_encoding=upload.csv_encoding,
                                    problems=upload.errors)
    return _xlsx_response(content, f"{Path(upload.original_name).stem}-错误标注.xlsx")
