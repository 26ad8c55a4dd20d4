"""Reads of compounds, buildings and households for pages, exports and the eligibility review
(三、认定标准; 六 现场审核认定), already scoped to the user."""

import datetime as dt

from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from agencies.access import buildings_for, compounds_for, households_for, role_of, user_town_id
from agencies.choices import Role

from .choices import Consent, ReviewStatus, SurveyUploadState, Verdict
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
    queryset = Compound.objects.select_related("town", "community").only(*COMPOUND_LIST_FIELDS).annotate(
        recorded_buildings=_count_of(Building, "compound"),
    ).order_by("town_id", "name", "pk")
    return compounds_for(user, queryset)


# What the lists and their exports show of each row (communities.views): a compound row is 35 columns, and
# reading all of them, and the compound's under each building and household, was a fifth of a list page's
# time (model instances of 60 fields a row; benchmarks/README.md, fourth pass). A field read but not listed
# here costs a query per row: tests pin each list's and export's query count.
COMPOUND_LIST_FIELDS = (
    "name", "town__name", "community__name", "address", "owner_work_unit", "build_year", "building_count",
    "household_count", "floor_area_m2", "named_in_plan", "is_demo",
)
BUILDING_LIST_FIELDS = (
    "compound__name", "compound__town__name", "number", "build_year", "floors", "units", "household_count",
    "floor_area_m2", "structure_type", "has_lift",
)
HOUSEHOLD_LIST_FIELDS = (
    "building__number", "building__compound__name", "building__compound__town", "unit", "room", "head_name",
    "phone", "floor_area_m2", "renovation_consent", "lift_consent", "willing_to_contribute",
)


def building_list(*, user):
    # Ordered as the (compound, number) unique index is, so a page is an index scan rather than a sort
    # of every building by town and compound name (benchmarks/latency.py at a million households).
    queryset = Building.objects.select_related("compound__town").only(*BUILDING_LIST_FIELDS).annotate(
        recorded_households=_count_of(Household, "building"),
    ).order_by("compound_id", "number", "pk")
    return buildings_for(user, queryset)


def household_list(*, user):
    # Ordered as the (building, unit, room) unique index is, so a page is an index scan, not a sort
    # of every household (benchmarks/latency.py at a million households).
    queryset = (Household.objects.select_related("building__compound").only(*HOUSEHOLD_LIST_FIELDS)
                .order_by("building_id", "unit", "room"))
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
    """The compound with its assessment (same query), or 404 when it does not exist or lies outside the
    user's town."""
    return get_object_or_404(
        compounds_for(user, Compound.objects.select_related("town", "community", "assessment")), pk=pk)


def building_get(*, user, pk: int) -> Building:
    # The compound's assessment too (same query): the page says 「可申请放宽认定」 (三(一)) from it.
    return get_object_or_404(
        buildings_for(user, Building.objects.select_related("compound__town", "compound__assessment")), pk=pk)


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


NO_DOUBLE_SUBSIDY_EFFECT = "不得申报中央补助"  # the effect of a reason citing a no-double-subsidy fact (三(二))


def subsidy_label(assessment) -> str:
    """中央补助 as shown, for an assessment or one of its history rows: 不得重复申报 only when a
    no-double-subsidy fact is true (三(二)); an ineligible compound is not a subsidy question (its page
    says why it is ineligible)."""
    if any(r.get("effect") == NO_DOUBLE_SUBSIDY_EFFECT for r in assessment.reasons or ()):
        return "不得重复申报"
    if assessment.verdict == Verdict.INELIGIBLE:
        return "不适用（不符合改造条件）"
    return {True: "可申报", False: "不得申报", None: "待定（资料不全）"}[assessment.central_subsidy_allowed]


def compound_page(*, compound: Compound) -> dict:
    assessment = getattr(compound, "assessment", None)  # None when not assessed (compound_get reads it)
    return {
        "compound": compound,
        "assessment": assessment,
        "subsidy_label": subsidy_label(assessment) if assessment else "",
        # Why an ineligible compound is ineligible: the reasons that rule it out, each with its clause.
        "ruled_out_by": [r for r in assessment.reasons if r.get("effect") == "不满足"] if assessment else [],
        "facts": compound_facts_table(compound=compound),
        "relaxations": list(compound.relaxations.select_related("building", "recorded_by")),
        "verifications": list(compound.verifications.select_related("verified_by")),
        "assessment_history": [
            (record, subsidy_label(record))
            for record in CompoundAssessment.history.filter(compound_id=compound.pk).select_related("history_user")
            .order_by("-history_date")
        ],
        "review_steps": review_history(compound=compound),
    }


def compound_merges(*, compound: Compound) -> dict:
    """拆墙连片 (二(四)、五): what this compound was merged into, and what was merged into it (one query)."""
    from .models import CompoundMerge

    merges = list(CompoundMerge.objects.filter(Q(absorbed=compound) | Q(managed=compound))
                  .select_related("absorbed", "managed", "recorded_by").order_by("merged_on", "id"))
    return {
        "merged_into": next((m for m in merges if m.absorbed_id == compound.pk), None),
        "absorbed": [m for m in merges if m.managed_id == compound.pk],
        "clause": "二(四)、五",
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


SHOWN_ROWS_PER_LINE = 20  # row numbers listed on one grouped line of the preview; the rest as 「等」


def survey_problem_lines(problems: list[dict]) -> list[dict]:
    """An upload's problems as the preview lists them (issue 17): every error first, then the 提示, and
    a 提示 repeated on many rows (将新建社区「西街社」 on 3 rows) as one line with its count and rows.

    Reads the problems stored on the upload: no query. Errors stay one line each (each names its cell).
    """
    errors, hints, by_key = [], [], {}
    for problem in problems:
        if problem.get("level", "error") == "error":
            errors.append({**problem, "count": 1, "rows": [problem["row"]] if problem.get("row") else []})
            continue
        key = (problem.get("sheet"), problem.get("column"), problem.get("value"), problem.get("message"))
        line = by_key.get(key)
        if line is None:
            line = by_key[key] = {**problem, "count": 0, "rows": []}
            hints.append(line)
        line["count"] += 1
        if problem.get("row"):
            line["rows"].append(problem["row"])
    for line in hints:
        rows = line["rows"]
        line["rows_text"] = "、".join(map(str, rows[:SHOWN_ROWS_PER_LINE])) + ("等" if len(rows) > SHOWN_ROWS_PER_LINE else "")
    for line in errors:
        line["rows_text"] = str(line["row"]) if line.get("row") else ""
    return errors + hints


# Bar colours by meaning ({% bar_chart %} tones): qualifying green, relaxed amber, not qualifying red,
# incomplete or not yet assessed grey. A verdict not listed keeps the neutral brand colour.
VERDICT_TONES = {"eligible": "ok", "relaxed": "warn", "ineligible": "bad", "incomplete": "muted", "": "muted"}


def dashboard_verdicts(*, programme, today, user) -> dict:
    """Eligibility verdict counts of real compounds (ui.selectors.DASHBOARD_SECTIONS), each linked to
    the review queue filtered to that verdict."""
    from django.urls import reverse

    url = reverse("communities:review_queue")
    rows = verdict_counts(user=user, is_demo=False)
    total = sum(row["count"] for row in rows)
    bars = [
        {"label": row["label"], "value": row["count"], "total": total,
         "url": f"{url}?verdict={row['verdict']}" if row["verdict"] else url,
         "tone": VERDICT_TONES.get(row["verdict"])}
        for row in rows
    ]
    return {"bars": bars, "note": f"已录入真实小区 {total} 个（不含演示数据）。"}


# --- What a project's first two steps rest on (六(一)), read by projects.services -------------------------


def compounds_survey_dates(*, compound_ids) -> dict[int, dt.date]:
    """The day each compound was first written by an imported survey upload of its town (摸底调查, 六(一)).

    The survey import writes every row it creates or changes with a history row by the importing user
    between the upload and the end of its import; that history row is the record of the survey. A
    compound only loaded from the work plan or made by hand has none, so it is not surveyed.
    """
    from django.db.models import Exists, Min
    from django.utils import timezone

    from .choices import SurveyUploadState

    by_import = SurveyUpload.objects.filter(
        state=SurveyUploadState.IMPORTED,
        town_id=OuterRef("town_id"),
        imported_by_id=OuterRef("history_user_id"),
        uploaded_at__lte=OuterRef("history_date"),
        imported_at__gte=OuterRef("history_date"),
    )
    rows = (
        Compound.history.filter(id__in=list(compound_ids), history_type__in=["+", "~"])
        .filter(Exists(by_import))
        .order_by()
        .values("id")
        .annotate(first=Min("history_date"))
    )
    return {row["id"]: timezone.localdate(row["first"]) for row in rows}


def compounds_verifications(*, compound_ids) -> dict[int, list]:
    """Each compound's on-site verifications (现场审核认定, 六(一)), oldest first."""
    from .models import SiteVerification

    found: dict[int, list] = {}
    for verification in SiteVerification.objects.filter(compound_id__in=list(compound_ids)).order_by(
        "verified_on", "id"
    ):
        found.setdefault(verification.compound_id, []).append(verification)
    return found


# --- Landing pages (issue 17): the staff's work queue and a surveyor's town page -------------------------


def compounds_awaiting_review(*, user, limit: int = 10) -> dict:
    """Surveyed compounds not yet verified on site (六 现场审核认定), most urgent first: how many, and the
    first `limit` of them with their verdicts (two queries)."""
    queryset = compounds_for(user, Compound.objects.filter(review_status=ReviewStatus.SURVEYED))
    rows = list(queryset.select_related("town", "assessment")
                .order_by("-assessment__priority", "town__name", "name")[:limit])
    return {"count": queryset.count(), "rows": rows}


def uploads_awaiting_confirmation(*, user, town=None, limit: int = 10) -> dict:
    """Survey uploads checked and previewed, waiting for someone to confirm the import (two queries)."""
    queryset = survey_uploads_for(user).filter(state=SurveyUploadState.READY)
    if town is not None:
        queryset = queryset.filter(town=town)
    return {"count": queryset.count(), "rows": list(queryset.order_by("uploaded_at")[:limit])}


def town_page(*, user, town, upload_limit: int = 10, missing_limit: int = 20) -> dict:
    """What a town's surveyors work from: its compounds' verdict counts (stored totals), its recent
    uploads, and the compounds whose verdict is 资料不全 with the facts each lacks (三、认定标准)."""
    # Real and demo compounds apart: a demo figure is never counted as a real one.
    real = verdict_totals(TownTotals.objects.filter(town=town), is_demo=False)
    demo = verdict_totals(TownTotals.objects.filter(town=town), is_demo=True)
    keys = [(v.value, v.label) for v in Verdict] + [("not_assessed", NOT_ASSESSED)]
    verdicts = [{"verdict": "" if key == "not_assessed" else key, "label": label, "count": real[key],
                 "demo": demo[key]} for key, label in keys]
    incomplete = compounds_for(user, Compound.objects.filter(town=town, assessment__verdict=Verdict.INCOMPLETE))
    return {
        "town": town,
        "verdicts": verdicts,
        "compounds_total": sum(row["count"] for row in verdicts),
        "demo_total": sum(row["demo"] for row in verdicts),
        "uploads": list(survey_uploads_for(user).filter(town=town).order_by("-uploaded_at")[:upload_limit]),
        "missing": list(incomplete.select_related("assessment").order_by("name")[:missing_limit]),
        # From the stored totals (kept in step by the assessment services), not a count of the compounds.
        "missing_count": real["incomplete"] + demo["incomplete"],
    }
