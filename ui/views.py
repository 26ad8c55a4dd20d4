from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from agencies import access
from agencies.choices import Role
from communities.selectors import compounds_awaiting_review, uploads_awaiting_confirmation
from projects.selectors import programme_current, steps_overdue, tasks_overdue

from .landing import landing_url
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
        "tasks": tasks_overdue(today=today),
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
