"""Reads of agencies and their duties for pages and exports, already scoped to the user."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404

from .access import ROLE_GROUP_NAMES, duties_for
from .models import Agency, Duty


def duty_list(*, user):
    """Duties this user may see (a liaison: their own agency's), in the annex's order."""
    queryset = Duty.objects.select_related("agency").order_by("agency__order", "agency__id", "order", "pk")
    return duties_for(user, queryset)


def duty_agencies(*, user):
    """Agencies that hold a duty this user may see: the choices of the duty list's agency filter."""
    return Agency.objects.filter(duties__in=duty_list(user=user)).distinct().order_by("order", "id")


def duty_get(*, user, pk: int) -> Duty:
    """The duty, or 404 when it does not exist or belongs to another agency than a liaison's own."""
    return get_object_or_404(duty_list(user=user), pk=pk)


def agency_duties(*, user, agency: Agency) -> list[Duty]:
    return list(duty_list(user=user).filter(agency=agency))


# --- Accounts (staff pages, issue 17) -------------------------------------------------------------------


def account_list():
    """Every account with its role (the first role group by name, as access.role_of reads it) and
    profile, in one query for the list page."""
    role_group = Group.objects.filter(user=OuterRef("pk"), name__in=ROLE_GROUP_NAMES).order_by("name")
    return (get_user_model().objects.select_related("profile__town", "profile__agency")
            .annotate(role_group=Subquery(role_group.values("name")[:1])).order_by("username"))


def role_changes(*, user) -> list:
    """The account's role changes, newest first, each with who made it."""
    return list(user.role_changes.select_related("changed_by"))
