"""A small programme with projects at different stages, for the report tests."""

import datetime as dt

from communities.models import Town
from tests.communities.factories import make_estate
from tests.projects.factories import add_line, complete_through, make_project, plan

# After the last step of the world below (jy-01's acceptance, 2024-01-15), so as of the cut-off every
# recorded fact below holds; its records are dated before it (backdate).
CUTOFF = dt.date(2024, 3, 31)
RECORDED_AT = dt.datetime(2023, 3, 1, 9, 0, tzinfo=dt.UTC)


def backdate(when=RECORDED_AT):
    """Date every record made so far at `when`: creation times and change-history rows, as if entered then."""
    from django.apps import apps

    from communities.models import Compound
    from projects.models import Project

    for model in apps.get_models():
        if model.__name__.startswith("Historical") and hasattr(model, "history_date"):
            model.objects.update(history_date=when)  # (not the m2m history of a user's groups: no date of its own)
    Compound.objects.update(created_at=when)
    Project.objects.update(created_at=when)


def make_report_world(*, programme, user, compound_name=None):
    """Three projects: one finished to acceptance, one through the contract, one only planned; a
    fourth recorded compound in no project. Returns the projects by code."""
    town = Town.objects.get(name="乌兰镇")
    estates = make_estate(town=town, compounds=4, buildings=2, households=3, water_drainage_aged=True)
    if compound_name:
        estates[0].name = compound_name
        estates[0].save()
    done = make_project(programme=programme, user=user, compounds=[estates[0]], code="jy-01", central=True)
    ready = make_project(programme=programme, user=user, compounds=[estates[1], estates[2]], code="jy-02")
    planned = make_project(programme=programme, user=user, compounds=[], code="jy-03")
    for project in (done, ready, planned):
        plan(project, user)
    # Each output comes from the quantity of the line that measures it (scope_rules.outputs_from_quantity).
    add_line(done, user, estates[0], "water_supply_drainage", quantity="1.5", cost="1234567.89")
    add_line(done, user, estates[0], "lift_retrofit", quantity="2", cost="0")
    add_line(ready, user, estates[1], "roads_paving", cost="100000")
    add_line(ready, user, estates[1], "parking_spaces", quantity="12", cost="0")
    complete_through(done, user, "completion_acceptance")
    complete_through(ready, user, "construction_tender", late_days=3)
    backdate()
    return {"jy-01": done, "jy-02": ready, "jy-03": planned, "waiting": estates[3]}
