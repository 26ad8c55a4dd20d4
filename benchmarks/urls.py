from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import include, path

from agencies.access import ALL_ROLES, require_role


def trivial(request):
    """The server's floor: no session, no database, no template."""
    return HttpResponse("ok")


@login_required
def shell(request):
    """The floor of every page of the app: session, user and role lookups, and the page shell
    (base.html with its navigation) around an empty body."""
    require_role(request.user, *ALL_ROLES)
    return render(request, "base.html", {})


urlpatterns = [
    path("bench/trivial", trivial),
    path("bench/shell", shell),
    path("", include("jingyuan_renovation.urls")),
]
