from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from agencies import access
from agencies.choices import Role
from communities.selectors import compounds_awaiting_review, uploads_awaiting_confirmation
from projects.selectors import programme_current, steps_overdue, tasks_overdue_page

from .choices import ExportState
from .exports import export_runs_sweep
from .landing import landing_url
from .models import ExportRun
from .search import search as search_groups
from .selectors import dashboard_summary


@login_required
@require_GET
def dashboard(request):
    """The leaders' dashboard: one page a county leader reads in a minute."""
    access.require_role(request.user, *access.DASHBOARD_READERS)
    programme = programme_current()
    context = {"programme": programme, "today": timezone.localdate()}
    if programme is not None:
        context.update(dashboard_summary(programme=programme, today=context["today"], user=request.user))
    return render(request, "ui/dashboard.html", context)


class LandingLoginView(LoginView):
    """Django's login; with no page asked for (or only the site's front page), each role lands on its
    own work (ui.landing) rather than on the static work plan."""

    def get_redirect_url(self):
        url = super().get_redirect_url()
        return "" if url == reverse("home") else url


@login_required
@require_GET
def landing(request):
    return redirect(landing_url(request.user))


@login_required
@require_GET
def work_queue(request):
    """The housing bureau's work queue (issue 17): compounds to verify on site (六), uploads waiting to be
    confirmed, steps past their planned completion and agencies' overdue tasks."""
    access.require_role(request.user, Role.STAFF)
    today = timezone.localdate()
    return render(request, "ui/work_queue.html", {
        "today": today,
        "review": compounds_awaiting_review(user=request.user),
        "uploads": uploads_awaiting_confirmation(user=request.user),
        "steps": steps_overdue(today=today),
        "tasks": tasks_overdue_page(programme=programme_current(), today=today),
    })


@login_required
@require_GET
def search(request):
    """One search page: compounds, projects, tasks and people by name or code, grouped by kind, each kind
    only for the roles that may open it."""
    access.require_role(request.user, *access.ALL_ROLES)
    q = request.GET.get("q", "").strip()[:100]
    groups = search_groups(user=request.user, q=q)
    return render(request, "ui/search.html", {
        "search_query": q, "groups": groups, "total": sum(len(g.hits) for g in groups),
    })


def _own_export(request, pk: int) -> ExportRun:
    """A user's own export run; anyone else's is 404 (an export holds what its requester may see)."""
    access.require_role(request.user, *access.ALL_ROLES)
    return get_object_or_404(ExportRun, pk=pk, requested_by=request.user)


@login_required
@require_GET
def export_list(request):
    """我的导出: the user's large exports, their progress and downloads."""
    access.require_role(request.user, *access.ALL_ROLES)
    export_runs_sweep()
    page = Paginator(ExportRun.objects.filter(requested_by=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "ui/export_list.html", {"page": page, "keep_hours": settings.EXPORT_KEEP_HOURS,
                                                   "min_rows": settings.EXPORT_ASYNC_MIN_ROWS})


@login_required
@require_GET
def export_status(request, pk: int):
    run = _own_export(request, pk)
    return JsonResponse({"id": run.pk, "state": run.state, "state_label": run.get_state_display(),
                         "progress": run.progress, "busy": run.is_busy, "rows_written": run.rows_written,
                         "row_count": run.row_count, "reason": run.reason,
                         "download_url": reverse("ui:export_download", args=[run.pk])
                         if run.state == ExportState.DONE else None})


@login_required
@require_GET
def export_download(request, pk: int):
    run = _own_export(request, pk)
    if run.state != ExportState.DONE:
        raise Http404("导出尚未完成或已过期。")
    return FileResponse(run.file.open("rb"), as_attachment=True, filename=run.filename)
