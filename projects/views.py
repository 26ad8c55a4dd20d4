from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from agencies.access import require_role
from agencies.choices import Role

from .selectors import programme_current, programme_overview, programme_summary


@login_required
def home(request):
    """The programme as the work plan states it, with what has been recorded so far."""
    require_role(request.user, *Role)
    programme = programme_current()
    context = {"programme": programme}
    if programme is not None:
        context["summary"] = programme_summary(programme=programme)
        context.update(programme_overview(programme=programme))
    return render(request, "projects/home.html", context)
