from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from agencies import access
from projects.selectors import programme_current

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
