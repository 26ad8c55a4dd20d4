"""Synthetic projects over the synthetic compounds (合成项目-000001 …), for measuring at national size.

Gansu packed 3454 compounds into 243 projects in 2019-2021 (≈14 a project): the generator groups the
synthetic compounds that have no project yet into projects of that size, each with the 14 steps of
六 planned on the programme's calendar and done up to a random point, some late. Rows are is_demo,
written in bulk without change history: benchmark load, not anyone's edit.
"""

import datetime as dt
import random

from django.db import transaction

from agencies.models import Agency
from communities.models import Compound
from communities.synthetic import SYNTHETIC_COMPOUND_PREFIX

from . import steps as step_catalog
from .choices import StepStatus
from .models import Programme, Project, ProjectCompound, ProjectStep

COMPOUNDS_PER_PROJECT = 14
_PLAN_START = dt.date(2023, 3, 1)
# (start, end) offsets in days from _PLAN_START: ready by 2023-06-04, accepted by 2024-01-15.
_PLAN = {
    "survey": (0, 14), "site_verification": (15, 25), "county_report": (26, 30),
    "feasibility_study": (31, 50), "approval": (51, 60), "subsidy_application": (61, 75),
    "tender": (61, 85), "contract": (86, 95), "design": (96, 120), "construction": (121, 300),
    "completion_acceptance": (301, 320), "final_audit": (321, 380), "handover": (321, 350),
    "property_management": (321, 360),
}


def _steps(project_id: int, agencies: dict, rng: random.Random) -> list[ProjectStep]:
    done_through = rng.randint(0, len(step_catalog.STEPS))
    late = rng.choice([0, 0, 0, 5, 20, 60])
    rows = []
    for index, definition in enumerate(step_catalog.STEPS):
        begin, end = _PLAN[definition.code]
        step = ProjectStep(
            project_id=project_id, code=definition.code, order=step_catalog.ORDER[definition.code],
            responsible_agency_id=agencies.get(definition.agency_code, agencies["housing"]),
            planned_start=_PLAN_START + dt.timedelta(days=begin), planned_end=_PLAN_START + dt.timedelta(days=end),
            status=StepStatus.NOT_STARTED,
        )
        if index < done_through:
            step.status = StepStatus.DONE
            step.actual_start = step.planned_start + dt.timedelta(days=late)
            step.actual_end = step.planned_end + dt.timedelta(days=late)
        elif index == done_through and rng.random() < 0.5:
            step.status = StepStatus.IN_PROGRESS
            step.actual_start = step.planned_start + dt.timedelta(days=late)
        rows.append(step)
    return rows


@transaction.atomic
def synthetic_projects_generate(*, programme: Programme, seed: int = 1) -> dict[str, int]:
    """Group synthetic compounds without a project into projects with planned and partly done steps."""
    rng = random.Random(seed)
    agencies = dict(Agency.objects.values_list("code", "id"))
    compounds = list(
        Compound.objects.filter(name__startswith=SYNTHETIC_COMPOUND_PREFIX, project_phases__isnull=True)
        .order_by("id").values_list("id", "household_count")
    )
    offset = Project.objects.filter(code__startswith="syn-").count()
    made = {"projects": 0, "steps": 0}
    for start in range(0, len(compounds), COMPOUNDS_PER_PROJECT * 200):
        chunk = compounds[start:start + COMPOUNDS_PER_PROJECT * 200]
        groups = [chunk[i:i + COMPOUNDS_PER_PROJECT] for i in range(0, len(chunk), COMPOUNDS_PER_PROJECT)]
        projects = Project.objects.bulk_create([
            Project(programme=programme, code=f"syn-{offset + made['projects'] + n + 1:06d}",
                    name=f"合成项目-{offset + made['projects'] + n + 1:06d}", is_demo=True,
                    centrally_subsidised=rng.random() < 0.7, responsible_agency_id=agencies["housing"])
            for n in range(len(groups))
        ])
        ProjectCompound.objects.bulk_create([
            ProjectCompound(project=project, compound_id=compound_id, phase=1, households=households or 0)
            for project, group in zip(projects, groups, strict=True) for compound_id, households in group
        ], batch_size=2000)
        steps = [step for project in projects for step in _steps(project.pk, agencies, rng)]
        ProjectStep.objects.bulk_create(steps, batch_size=2000)
        made["projects"] += len(projects)
        made["steps"] += len(steps)
    return made


