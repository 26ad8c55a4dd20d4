"""Visibly synthetic projects (合成项目-00001 …) over the synthetic compounds, for benchmarks.

communities.synthetic makes compounds, buildings and households; this groups the demo compounds no
project covers yet into projects of a few compounds each, with every step of 六 at staggered stages,
two scope lines per compound and one agency task per project (some overdue). Rows are flagged
is_demo and written with bulk_create, bypassing the change history: benchmark load, not anyone's edit.
"""

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from agencies.models import Agency
from communities.models import Compound
from communities.synthetic import SYNTHETIC_COMPOUND_PREFIX

from . import scope_rules
from . import steps as catalog
from .choices import StepStatus, TaskStatus
from .models import AgencyTask, Programme, Project, ProjectCompound, ProjectStep, ScopeItem, ScopeLine

SYNTHETIC_PROJECT_PREFIX = "合成项目-"
_START = dt.date(2023, 3, 1)
_STEP_DAYS = 25


@transaction.atomic
def synthetic_projects_generate(*, programme: Programme, compounds_per_project: int = 14, seed: int = 1) -> int:
    """Group the synthetic compounds no project covers into projects (Gansu: 3454 compounds in 243
    projects in 2019-2021, ≈14 a project); returns how many projects were made."""
    rng = random.Random(seed)
    agencies = {a.code: a for a in Agency.objects.all()}
    housing = agencies["housing"]
    items = list(ScopeItem.objects.filter(code__in=["water_supply_drainage", "roads_paving", "gas_network"]))
    covered = ProjectCompound.objects.values("compound_id")
    compounds = list(
        Compound.objects.filter(name__startswith=SYNTHETIC_COMPOUND_PREFIX).exclude(id__in=covered).order_by("id")
        .values_list("id", "household_count")
    )
    already = Project.objects.filter(code__startswith="syn-").count()
    groups = [compounds[i : i + compounds_per_project] for i in range(0, len(compounds), compounds_per_project)]
    projects = Project.objects.bulk_create([
        Project(
            programme=programme, code=f"syn-{already + n:05d}", name=f"{SYNTHETIC_PROJECT_PREFIX}{already + n:05d}",
            centrally_subsidised=n % 3 == 0, responsible_agency=housing, is_demo=True,
            description="合成数据：用于性能测试。",
        )
        for n, _ in enumerate(groups, start=1)
    ])
    phases, steps, lines, tasks = [], [], [], []
    for project, group in zip(projects, groups, strict=True):
        last_done = rng.randint(0, len(catalog.STEPS))  # how many steps are finished
        delay = rng.choice([0, 0, 5, 20, 60])
        for compound_id, households in group:
            phases.append(ProjectCompound(project=project, compound_id=compound_id, households=households or 0))
            for item in rng.sample(items, 2):
                # Outputs derive from the quantity as scope_line_save derives them (scope_rules).
                outputs, _ = scope_rules.outputs_from_quantity(scope_item=item, quantity=Decimal("1"), unit=item.unit)
                lines.append(ScopeLine(
                    project=project, compound_id=compound_id, scope_item=item, quantity=Decimal("1.00"),
                    unit=item.unit, estimated_cost_yuan=Decimal(rng.randint(50, 500) * 1000), **outputs,
                ))
        for index, definition in enumerate(catalog.STEPS):
            planned_start = _START + dt.timedelta(days=index * _STEP_DAYS)
            planned_end = planned_start + dt.timedelta(days=_STEP_DAYS - 1)
            step = ProjectStep(
                project=project, code=definition.code, order=catalog.ORDER[definition.code],
                responsible_agency=agencies.get(definition.agency_code, housing),
                planned_start=planned_start, planned_end=planned_end,
            )
            if index < last_done:
                step.status = StepStatus.DONE
                step.actual_start = planned_start + dt.timedelta(days=delay)
                step.actual_end = planned_end + dt.timedelta(days=delay)
            elif index == last_done and rng.random() < 0.5:
                step.status = StepStatus.IN_PROGRESS
                step.actual_start = planned_start + dt.timedelta(days=delay)
            steps.append(step)
        due = _START + dt.timedelta(days=rng.randint(30, 400))
        tasks.append(AgencyTask(
            programme=programme, project=project, agency=agencies.get("finance", housing),
            title="拨付改造资金（合成）", due_date=due,
            status=TaskStatus.DONE if rng.random() < 0.6 else TaskStatus.TODO,
            completed_on=None,
        ))
        if tasks[-1].status == TaskStatus.DONE:
            tasks[-1].completed_on = due
    ProjectCompound.objects.bulk_create(phases, batch_size=2000)
    ProjectStep.objects.bulk_create(steps, batch_size=2000)
    ScopeLine.objects.bulk_create(lines, batch_size=2000)
    AgencyTask.objects.bulk_create(tasks, batch_size=2000)
    return len(projects)
