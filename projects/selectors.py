import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from communities.models import Building, Compound, Household

from .models import Programme


def programme_current() -> Programme | None:
    return Programme.objects.order_by("-year").first()


def _recorded(*, is_demo: bool) -> dict:
    compounds = Compound.objects.filter(is_demo=is_demo).aggregate(
        compounds=Count("id"), floor_area=Sum("floor_area_m2"),
        with_area=Count("id", filter=Q(floor_area_m2__isnull=False)),
    )
    return {
        "compounds": compounds["compounds"],
        "buildings": Building.objects.filter(compound__is_demo=is_demo).count(),
        "households": Household.objects.filter(building__compound__is_demo=is_demo).count(),
        "floor_area_m2": str((compounds["floor_area"] or Decimal("0")).quantize(Decimal("0.01"))),
        "compounds_with_floor_area": compounds["with_area"],
    }


def programme_summary(*, programme: Programme, today: dt.date | None = None) -> dict:
    """Targets, deadlines and what is recorded so far, real and demo counted apart.

    Budget lines arrive with the funding capability; until then the recorded budget is reported as
    not yet tracked (None), never as a made-up figure.
    """
    today = today or timezone.localdate()
    return {
        "programme": {
            "year": programme.year,
            "document_number": programme.document_number,
            "title": programme.title,
        },
        "targets": {
            "compounds": programme.target_compounds,
            "buildings": programme.target_buildings,
            "households": programme.target_households,
            "floor_area_m2": str(programme.target_floor_area_m2),
            "budget_yuan": str(programme.target_budget_yuan),
            "budget_wan_yuan": str(programme.target_budget_wan),
        },
        "deadlines": [
            {
                "key": "ready",
                "date": programme.ready_deadline.isoformat(),
                "meaning": programme.ready_deadline_meaning,
                "days_left": (programme.ready_deadline - today).days,
            },
            {
                "key": "completion",
                "date": programme.completion_deadline.isoformat(),
                "meaning": programme.completion_deadline_meaning,
                "days_left": (programme.completion_deadline - today).days,
            },
        ],
        "recorded": {"real": _recorded(is_demo=False), "demo": _recorded(is_demo=True)},
        "recorded_budget_yuan": None,
    }


def programme_overview(*, programme: Programme) -> dict:
    """Everything the home page shows about the work plan, in a fixed number of queries."""
    from agencies.models import Agency
    from funding.models import FundingSourceKind

    from .models import ScopeItem

    agencies = list(Agency.objects.prefetch_related("duties").filter(duties__isnull=False).distinct())
    scope_items = list(ScopeItem.objects.all())
    categories: dict[str, list] = {}
    for item in scope_items:
        categories.setdefault(item.get_category_display(), []).append(item)
    return {
        "seats": list(programme.seats.select_related("agency").order_by("order")),
        "agencies_with_duties": agencies,
        "scope_by_category": categories,
        "funding_kinds": list(FundingSourceKind.objects.all()),
    }
