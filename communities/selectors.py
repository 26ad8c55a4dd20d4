"""Reads of compounds, buildings and households for pages, exports and the eligibility review
(三、认定标准; 六 现场审核认定), already scoped to the user."""

from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from agencies.access import buildings_for, compounds_for, households_for, role_of, user_town_id
from agencies.choices import Role

from .choices import Consent, Verdict
from .eligibility import CONDITION_FIELDS, fact_label
from .models import Building, Compound, CompoundAssessment, Household, SurveyUpload, TownTotals
from .totals import verdict_totals

NOT_ASSESSED = "未评估"


def _count_of(model, field: str):
    """A correlated COUNT evaluated only for the rows a page returns (a JOIN + GROUP BY would count the
    whole table before LIMIT: 1.7 s for the building list at a million households)."""
    return Coalesce(Subquery(
        model.objects.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(n=Count("pk")).values("n")
    ), 0)


def compound_list(*, user):
    """Compounds this user may see, with what is recorded under each, ready for a list (one query a page)."""
    # Ordered as the (town, name) unique index is: a page is an index scan, not a sort of every compound
    # by town name (a sort that grows with the province; benchmarks/latency.py).
    queryset = Compound.objects.select_related("town", "community").annotate(
        recorded_buildings=_count_of(Building, "compound"),
    ).order_by("town_id", "name", "pk")
    return compounds_for(user, queryset)


def building_list(*, user):
    # Ordered as the (compound, number) unique index is, so a page is an index scan rather than a sort
    # of every building by town and compound name (benchmarks/latency.py at a million households).
    queryset = Building.objects.select_related("compound__town").annotate(
        recorded_households=_count_of(Household, "building"),
    ).order_by("compound_id", "number", "pk")
    return buildings_for(user, queryset)


def household_list(*, user):
    # Ordered as the (building, unit, room) unique index is, so a page is an index scan, not a sort
    # of every household (benchmarks/latency.py at a million households).
    queryset = Household.objects.select_related("building__compound__town").order_by("building_id", "unit", "room")
    return households_for(user, queryset)


def stored_total(*, user, field: str) -> int:
    """How many buildings or households (field) the user may see, from the stored per-town totals
    (communities.totals) instead of counting a million rows for an unfiltered list's page count."""
    return _visible_totals(user).aggregate(n=Sum(field))["n"] or 0


def _visible_totals(user):
    """The stored per-town rows in the user's scope: the same as compounds_for / buildings_for /
    households_for (surveyors their own town, liaisons nothing)."""
    role = role_of(user)
    if role is None or role == Role.LIAISON:
        return TownTotals.objects.none()
    if role == Role.SURVEYOR:
        return TownTotals.objects.filter(town_id=user_town_id(user))
    return TownTotals.objects.all()


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


def review_queue(*, user):
    """The compounds a user may review, most urgent first, with what the queue shows in one query."""
    queryset = Compound.objects.select_related("town", "community", "assessment")
    return compounds_for(user, queryset).order_by("-assessment__priority", "town__name", "name")


def verdict_counts(*, user, is_demo: bool | None = None) -> list[dict]:
    """How many of the compounds the user may see have each verdict (leaders see only this), in the order
    of Verdict, then those not assessed. From the stored per-town counts (communities.totals), which the
    assessment services keep in step: counting every compound through a join on each request was a
    fifth of the review queue's time at the large benchmark size."""
    counts = verdict_totals(_visible_totals(user), is_demo=is_demo)
    rows = [{"verdict": v.value, "label": v.label, "count": counts[v.value]} for v in Verdict]
    rows.append({"verdict": "", "label": NOT_ASSESSED, "count": counts["not_assessed"]})
    return rows


def compound_facts_table(*, compound: Compound) -> list[dict]:
    """The surveyed facts the rules read, labelled as users know them; None shows as 未知."""
    rows = [{"label": "建成年份", "value": compound.build_year}]
    rows += [{"label": fact_label(name), "value": getattr(compound, name)} for name in CONDITION_FIELDS]
    return rows


def review_history(*, compound: Compound) -> list:
    """The compound's review steps: history rows where its review status changed, with the user."""
    steps, previous = [], None
    for record in compound.history.select_related("history_user").order_by("history_date", "history_id"):
        if record.review_status != previous:
            steps.append(record)
            previous = record.review_status
    return steps


def compound_page(*, compound: Compound) -> dict:
    assessment = CompoundAssessment.objects.filter(compound=compound).first()
    return {
        "compound": compound,
        "assessment": assessment,
        "facts": compound_facts_table(compound=compound),
        "relaxations": list(compound.relaxations.select_related("building", "recorded_by")),
        "verifications": list(compound.verifications.select_related("verified_by")),
        "assessment_history": list(
            CompoundAssessment.history.filter(compound_id=compound.pk).select_related("history_user")
            .order_by("-history_date")
        ),
        "review_steps": review_history(compound=compound),
    }


def survey_uploads_for(user):
    """Uploads the user may see: staff and auditors all, a surveyor their own town's; nobody else any."""
    queryset = SurveyUpload.objects.select_related("town", "uploaded_by", "imported_by")
    role = role_of(user)
    if role in (Role.STAFF, Role.AUDITOR):
        return queryset
    if role == Role.SURVEYOR and user_town_id(user):
        return queryset.filter(town_id=user_town_id(user))
    return queryset.none()


def dashboard_verdicts(*, programme, today, user) -> dict:
    """Eligibility verdict counts of real compounds (ui.selectors.DASHBOARD_SECTIONS), each linked to
    the review queue filtered to that verdict."""
    from django.urls import reverse

    url = reverse("communities:review_queue")
    rows = verdict_counts(user=user, is_demo=False)
    total = sum(row["count"] for row in rows)
    bars = [
        {"label": row["label"], "value": row["count"], "total": total,
         "url": f"{url}?verdict={row['verdict']}" if row["verdict"] else url}
        for row in rows
    ]
    return {"bars": bars, "note": f"已录入真实小区 {total} 个（不含演示数据）。"}
