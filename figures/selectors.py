"""The headline figures, one function each, as of a cut-off date, real data or demo data only.

This room sits above communities, projects and funding and reads their selectors directly: the home
page, the leaders' dashboard, the progress and budget reports and `manage.py check_figures` all take a
figure from here (or from the app selector named beside it, which is the same code), so a figure shown
in two places for the same cut-off is the same number. Demo data is never counted unless demo=True,
which reads demo data only (a report marked 演示数据).
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from communities.choices import Verdict
from communities.totals import recorded_as_of
from funding import selectors as funding
from projects import selectors as projects

_WAN = Decimal(10000)


def wan(value) -> Decimal:
    """元 → 万元 (or ㎡ → 万㎡), two decimals, half up as the work plan writes 27018.02万元."""
    return (Decimal(value) / _WAN).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def recorded(*, cutoff: dt.date, demo: bool = False) -> dict:
    """Compounds, buildings, households and floor area recorded by the end of the cut-off day
    (communities.totals.recorded_as_of; projects.selectors.programme_summary reads the same)."""
    figures = recorded_as_of(cutoff)[demo]
    area = Decimal(figures["floor_area_m2"])
    return {"compounds": figures["compounds"], "buildings": figures["buildings"],
            "households": figures["households"], "floor_area_m2": area, "floor_area_wan_m2": wan(area),
            "compounds_with_floor_area": figures["compounds_with_floor_area"]}


def verdicts(*, cutoff: dt.date, demo: bool = False) -> dict[str, int]:
    """Compounds per eligibility verdict as of the cut-off, and those not assessed ("")."""
    figures = recorded_as_of(cutoff)[demo]
    counts = {v.value: figures.get(v.value, 0) for v in Verdict}
    counts[""] = figures["not_assessed"]
    return counts


def money_by_source(*, programme, cutoff: dt.date, demo: bool = False) -> list[dict]:
    """Budget, allocated, disbursed, spent and balance per funding source (元) as of the cut-off."""
    return funding.funding_by_source(programme=programme, demo=demo, cutoff=cutoff)


def budget_total(*, programme, cutoff: dt.date, demo: bool = False) -> Decimal:
    """The budget lines' total (元) as of the cut-off, against the programme's 27018.02万元."""
    return funding.funding_reconciliation(programme=programme, demo=demo, cutoff=cutoff)["budgeted"]


def progress(*, programme, cutoff: dt.date, demo: bool = False) -> dict:
    """Projects, compounds and households started and completed as of the cut-off (the Ministry's 口径)."""
    return projects.indicators(programme=programme, is_demo=demo, cutoff=cutoff)["total"]


def overdue_by_agency(*, programme, cutoff: dt.date, demo: bool = False) -> dict[str, int]:
    """Overdue agency tasks per agency (name → count) at the end of the cut-off day."""
    return {row["agency__name"]: row["n"]
            for row in projects.overdue_by_agency(programme=programme, cutoff=cutoff, demo=demo)}
