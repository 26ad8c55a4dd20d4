"""Reads of agencies and their duties for pages and exports, already scoped to the user."""

from django.shortcuts import get_object_or_404

from .access import duties_for
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
