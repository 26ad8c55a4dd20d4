"""Report pages: the run history with 生成报告, a status endpoint for the progress bar, the download
and a print-friendly HTML view of a finished workbook. Thin: role → form → one service/selector."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from agencies.access import require_role, role_of
from agencies.choices import Role

from .choices import ReportState
from .forms import ReportRequestForm
from .models import ReportRun
from .selectors import report_runs, workbook_tables
from .services import report_run_request

# Leaders, auditors and staff read reports; leaders and staff take the file away; staff ask for new ones.
# Surveyors (no money) and liaisons (one agency) have no business with programme-wide reports.
READ_ROLES = (Role.STAFF, Role.LEADER, Role.AUDITOR)
DOWNLOAD_ROLES = (Role.STAFF, Role.LEADER, Role.AUDITOR)  # auditors read everything (README roles)
REQUEST_ROLES = (Role.STAFF,)


def _run_for_user(request, pk: int, *roles) -> ReportRun:
    require_role(request.user, *roles)
    return get_object_or_404(ReportRun.objects.select_related("requested_by", "programme"), pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def report_list(request):
    role = require_role(request.user, *READ_ROLES)
    form = None
    if role in REQUEST_ROLES:
        form = ReportRequestForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                run = report_run_request(user=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                run.refresh_from_db(fields=["state", "reason"])
                if run.state == ReportState.FAILED:  # the broker was down (services._queue)
                    messages.error(request, run.reason)
                else:
                    messages.success(request, f"已提交：{run.get_kind_display()}正在后台生成。")
                return redirect("report_list")
    elif request.method == "POST":
        require_role(request.user, *REQUEST_ROLES)
    page = Paginator(report_runs(), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "projects/reports/list.html",
        {"form": form, "page": page, "can_download": role in DOWNLOAD_ROLES},
    )


@login_required
@require_GET
def report_status(request, pk: int):
    run = _run_for_user(request, pk, *READ_ROLES)
    done = run.state == ReportState.DONE
    return JsonResponse({
        "id": run.pk,
        "state": run.state,
        "state_label": run.get_state_display(),
        "progress": run.progress,
        "busy": run.is_busy,
        "reason": run.reason,
        "stale_note": run.stale_note,
        "sha256": run.sha256,
        "size_bytes": run.size_bytes,
        "duration_seconds": run.duration_seconds,
        "download_url": reverse("report_download", args=[run.pk])
        if done and role_of(request.user) in DOWNLOAD_ROLES else None,
        "view_url": reverse("report_view", args=[run.pk]) if done else None,
    })


@login_required
@require_GET
def report_download(request, pk: int):
    run = _run_for_user(request, pk, *DOWNLOAD_ROLES)
    if run.state != ReportState.DONE:
        raise Http404("报告尚未生成完成。")
    return FileResponse(run.file.open("rb"), as_attachment=True, filename=run.filename)


@login_required
@require_GET
def report_view(request, pk: int):
    """The finished workbook as print-friendly HTML: the very file's sheets, so page and file agree."""
    run = _run_for_user(request, pk, *READ_ROLES)
    if run.state != ReportState.DONE:
        raise Http404("报告尚未生成完成。")
    return render(
        request,
        "projects/reports/view.html",
        {"run": run, "sheets": workbook_tables(run=run), "can_download": role_of(request.user) in DOWNLOAD_ROLES},
    )
