"""Reads of compounds, buildings and households for pages and exports, already scoped to the user."""

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404

from agencies.access import buildings_for, compounds_for, households_for

from .choices import Consent
from .models import Building, Compound, Household


def compound_list(*, user):
    """Compounds this user may see, with what is recorded under each, ready for a list (one query a page)."""
    queryset = Compound.objects.select_related("town", "community").annotate(
        recorded_buildings=Count("buildings", distinct=True),
    ).order_by("town__name", "name", "pk")
    return compounds_for(user, queryset)


def building_list(*, user):
    queryset = Building.objects.select_related("compound__town").annotate(
        recorded_households=Count("households"),
    ).order_by("compound__town__name", "compound__name", "number", "pk")
    return buildings_for(user, queryset)


def household_list(*, user):
    queryset = Household.objects.select_related("building__compound__town").order_by(
        "building__compound__name", "building__number", "unit", "room", "pk",
    )
    return households_for(user, queryset)


def compound_get(*, user, pk: int) -> Compound:
    """The compound, or 404 when it does not exist or lies outside the user's town."""
    return get_object_or_404(compounds_for(user, Compound.objects.select_related("town", "community")), pk=pk)


def building_get(*, user, pk: int) -> Building:
    return get_object_or_404(buildings_for(user, Building.objects.select_related("compound__town")), pk=pk)


def household_get(*, user, pk: int) -> Household:
    return get_object_or_404(
        households_for(user, Household.objects.select_related("building__compound__town")), pk=pk
    )


def compound_buildings(*, compound: Compound) -> list[Building]:
    return list(compound.buildings.annotate(recorded_households=Count("households")).order_by("number", "pk"))


def consent_counts(*, households) -> dict:
    """Households agreeing / refusing / undecided on renovation and on a lift, in one query."""
    return households.aggregate(
        total=Count("pk"),
        renovation_agree=Count("pk", filter=Q(renovation_consent=Consent.AGREE)),
        renovation_disagree=Count("pk", filter=Q(renovation_consent=Consent.DISAGREE)),
        renovation_undecided=Count("pk", filter=Q(renovation_consent=Consent.UNDECIDED)),
        lift_agree=Count("pk", filter=Q(lift_consent=Consent.AGREE)),
    )


def building_households(*, building: Building) -> list[Household]:
    return list(building.households.order_by("unit", "room", "pk"))
