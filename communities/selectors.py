"""Reads for the eligibility pages and reports (三、认定标准; 六 现场审核认定)."""

from django.db.models import Count

from agencies.access import compounds_for

from .choices import Verdict
from .eligibility import CONDITION_FIELDS, fact_label
from .models import Compound, CompoundAssessment

NOT_ASSESSED = "未评估"


def review_queue(*, user):
    """The compounds a user may review, most urgent first, with what the queue shows in one query."""
    queryset = Compound.objects.select_related("town", "community", "assessment")
    return compounds_for(user, queryset).order_by("-assessment__priority", "town__name", "name")


def verdict_counts(*, queryset) -> list[dict]:
    """How many compounds have each verdict (leaders see only this), in the order of Verdict."""
    counts = dict(queryset.order_by().values_list("assessment__verdict").annotate(n=Count("id")))
    rows = [{"verdict": v.value, "label": v.label, "count": counts.get(v.value, 0)} for v in Verdict]
    rows.append({"verdict": "", "label": NOT_ASSESSED, "count": counts.get(None, 0)})
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
        "buildings": list(compound.buildings.order_by("number")),
        "relaxations": list(compound.relaxations.select_related("building", "recorded_by")),
        "verifications": list(compound.verifications.select_related("verified_by")),
        "assessment_history": list(
            CompoundAssessment.history.filter(compound_id=compound.pk).select_related("history_user")
            .order_by("-history_date")
        ),
        "review_steps": review_history(compound=compound),
    }
