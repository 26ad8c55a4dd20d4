import datetime as dt
from collections import namedtuple
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from communities.totals import recorded_as_of
from ui.people import display_name

from . import admission_rules, deadlines, scope_rules
from . import steps as step_catalog
from .choices import StepStatus, TaskStatus
from .models import Programme, StepFacts


def programme_current() -> Programme | None:
    return Programme.objects.order_by("-year").first()


def _recorded(figures: dict) -> dict:
    area = Decimal(figures["floor_area_m2"])
    return {
        "compounds": figures["compounds"],
        "buildings": figures["buildings"],
        "households": figures["households"],
        "floor_area_m2": str(area.quantize(Decimal("0.01"))),
        # The target is in 万㎡ (work plan 二): the recorded area beside it too, rounded as the reports round.
        "floor_area_wan_m2": str((area / 10000).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)),
        "compounds_with_floor_area": figures["compounds_with_floor_area"],
    }


def programme_summary(*, programme: Programme, today: dt.date | None = None) -> dict:
    """Targets, deadlines and what is recorded at the end of `today` (the cut-off), real and demo apart.

    For today that is the totals stored per town by the services that write compounds; for an earlier
    cut-off it is reconstructed from the change history (communities.totals.recorded_as_of). The recorded
    budget is funding.selectors.funding_reconciliation's, read by the pages beside this.
    """
    today = today or timezone.localdate()
    totals = recorded_as_of(today)
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
        "recorded": {"real": _recorded(totals[False]), "demo": _recorded(totals[True])},
        "recorded_budget_yuan": None,
        "steps": procedure_steps(),
    }


def procedure_steps() -> list[dict]:
    """The procedure of 六 in order, each step with its name as users see it, its clause and the
    deadline of 四(三) that needs it ("ready_to_start", "complete", or None after acceptance)."""
    return [
        {"code": step.code, "name": step.name, "clause": step.clause, "gate": step_catalog.gate_of(step.code)}
        for step in step_catalog.STEPS
    ]


def step_as_of(step, cutoff: dt.date):
    """The step as it stood at the end of the cut-off day, from its dates (never saved): started once its
    actual start is on or before the cut-off, done once its actual end is. Status follows the dates
    (the table's status_matches_dates constraint), so this is exact."""
    if step.actual_end and step.actual_end > cutoff:
        step.actual_end = None
    if step.actual_start and step.actual_start > cutoff:
        step.actual_start = None
    step.status = (StepStatus.DONE if step.actual_end else StepStatus.IN_PROGRESS if step.actual_start
                   else StepStatus.NOT_STARTED)
    return step


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


# --- Projects, steps and deadlines (issue 5) ------------------------------------------------------------


def projects_for_list(queryset=None):
    """Projects with everything a list row needs, in a fixed number of queries however many rows."""
    from .models import Project, ScopeLine

    queryset = Project.objects.all() if queryset is None else queryset
    cost = (
        ScopeLine.objects.filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(total=Sum("estimated_cost_yuan"))
        .values("total")
    )
    return (
        queryset.select_related("programme", "responsible_agency")
        .annotate(estimated_cost_yuan=Subquery(cost))
        .order_by("code")
    )


def current_step_names(steps) -> list[str]:
    """The steps being worked on now: in progress, or ready to start (every dependency done)."""
    by_code = {s.code: s for s in steps}
    names = [s.name for s in steps if s.status == StepStatus.IN_PROGRESS]
    if not names:
        names = [
            s.name
            for s in steps
            if s.status == StepStatus.NOT_STARTED
            and all(by_code[d].is_done for d in s.definition.depends_on if d in by_code)
        ]
    return names


class StepRow(StepFacts, namedtuple("StepValues", ["code", "order", "status", "planned_start", "planned_end",
                                                   "actual_start", "actual_end"])):
    """A step as the project list reads it: the fields the deadline rules (projects.deadlines) and the
    current-step names use, read as values into a tuple. A page of 50 projects has some 900 steps."""

    __slots__ = ()


def step_rows_by_project(steps) -> dict[int, list[StepRow]]:
    """Each project's steps (a ProjectStep queryset) as StepRow values in step order, keyed by project id,
    from one query of plain values."""
    by_project: dict[int, list[StepRow]] = {}
    for values in steps.order_by("project_id", "order").values_list(*StepRow._fields, "project_id"):
        by_project.setdefault(values[-1], []).append(StepRow._make(values[:-1]))
    return by_project


def phases_attach(projects) -> list:
    """Give each project `phase_rows`: (compound name, town name, phase, households) in list order, and
    `step_rows` (StepRow, in step order), each from one query of plain values. A list page of 50
    projects over 14 compounds each built some 3,000 model instances (phase, compound, town, step) for a
    few strings a row; this builds none."""
    from .models import ProjectCompound, ProjectStep

    projects = list(projects)
    by_project: dict[int, list] = {project.pk: [] for project in projects}
    steps: dict[int, list] = {}
    ids = list(by_project)
    for start in range(0, len(ids), 500):  # the export passes every project: stay under SQLite's bound-parameter limit
        chunk = ids[start:start + 500]
        rows = (ProjectCompound.objects.filter(project_id__in=chunk)
                .order_by("project_id", "compound__name", "phase")
                .values_list("project_id", "compound__name", "compound__town__name", "phase", "households"))
        for project_id, *row in rows:
            by_project[project_id].append(tuple(row))
        steps.update(step_rows_by_project(ProjectStep.objects.filter(project_id__in=chunk)))
    for project in projects:
        project.phase_rows = by_project[project.pk]
        project.step_rows = steps.get(project.pk, [])
    return projects


def _phase_rows(project) -> list[tuple]:
    if hasattr(project, "phase_rows"):
        return project.phase_rows
    return [(p.compound.name, p.compound.town.name, p.phase, p.households) for p in project.project_compounds.all()]


def project_row(project, *, today: dt.date) -> dict:
    """One project as the list and its export show it: steps prefetched, compounds from phases_attach
    (or a prefetch of project_compounds with their compounds and towns)."""
    steps = project.step_rows if hasattr(project, "step_rows") else list(project.steps.all())
    phases = _phase_rows(project)
    done = sum(1 for s in steps if s.is_done)
    return {
        "project": project,
        "compounds": "、".join(name + (f"（第{phase}期）" if phase > 1 else "") for name, _, phase, _ in phases),
        "towns": "、".join(sorted({town for _, town, _, _ in phases})),
        "households": sum(households for _, _, _, households in phases),
        "steps_done": done,
        "steps_total": len(steps),
        "current": "、".join(current_step_names(steps))
        or ("全部完成" if steps and done == len(steps) else ""),
        "deadlines": deadlines.project_deadlines(programme=project.programme, steps=steps, today=today),
        "estimated_cost_yuan": project.estimated_cost_yuan or Decimal("0"),
    }


def project_blockers(
    *, project, steps, acceptance, gaps, tasks, compounds, lines, today: dt.date, phases=None
) -> list[str]:
    """What holds the project up now, each in one sentence a reader can act on. `phases` (the
    ProjectCompound rows with compound__assessment loaded) add the compounds whose verdict does not
    qualify them (三、认定标准; 六(一)); callers that omit it skip that check."""
    blockers = []
    if not compounds:
        blockers.append("项目尚未包含任何小区。")
    for phase in phases or ():
        verdict_blocker = admission_rules.blocker(phase)
        if verdict_blocker:
            blockers.append(verdict_blocker)
    if compounds and not lines:
        blockers.append("尚未录入改造内容明细（工作方案五）。")
    by_code = {s.code: s for s in steps}
    for step in steps:
        ready = all(by_code[d].is_done for d in step.definition.depends_on)
        if step.status == StepStatus.NOT_STARTED and ready:
            if step.planned_start and step.planned_start < today:
                blockers.append(
                    f"“{step.name}”计划于 {step.planned_start:%Y-%m-%d} 开始，尚未开始"
                    f"（{step.responsible_agency.short_name or step.responsible_agency.name}）。"
                )
            elif step.planned_end is None:
                blockers.append(f"“{step.name}”可以开始，但尚未确定计划日期。")
        if step.status != StepStatus.DONE and step.planned_end and step.planned_end < today:
            blockers.append(
                f"“{step.name}”已超过计划完成日期 {(today - step.planned_end).days} 天"
                f"（计划 {step.planned_end:%Y-%m-%d}）。"
            )
    construction = by_code.get(step_catalog.STARTED_STEP)
    if construction and construction.is_done:
        if acceptance is None:
            blockers.append("施工已完成，尚无竣工验收记录（工作方案六(三)3）。")
        elif not acceptance.passed:
            blockers.append(f"{acceptance.accepted_on:%Y-%m-%d} 竣工验收不合格，须整改后重新验收。")
        elif acceptance.report_id is None:
            blockers.append("竣工验收记录缺少竣工验收报告。")
    for gap in gaps:
        if gap.acknowledged_reason is None:
            blockers.append(gap.message + "请纳入或说明原因。")
    for task in tasks:
        if task.status != TaskStatus.DONE and task.due_date and task.due_date < today:
            blockers.append(
                f"{task.agency.short_name or task.agency.name}的任务“{task.title}”已逾期"
                f"（时限 {task.due_date:%Y-%m-%d}）。"
            )
        elif task.status == TaskStatus.BLOCKED:
            blockers.append(
                f"{task.agency.short_name or task.agency.name}报告任务“{task.title}”受阻：{task.notes}"
            )
    return blockers


# --- Compound picker (project creation, adding a compound) -----------------------------------------------

PICKER_LIMIT = 50


def _picker_row(compound) -> dict:
    verdict = admission_rules.current_verdict(compound)
    return {
        "compound": compound,
        "verdict": verdict or "",
        "verdict_label": compound.assessment.get_verdict_display() if verdict else "未认定",
        "needs_reason": verdict in admission_rules.VERDICTS_NEEDING_REASON,
        "project_count": getattr(compound, "project_count", 0),
    }


def compound_picker(
    *, query: str = "", selected_ids=(), is_demo: bool = False, exclude_project=None, limit: int = PICKER_LIMIT
) -> dict:
    """The rows of the searchable compound picker: the compounds already ticked (kept whatever the
    search), then up to `limit` others whose name, town or address contains `query`, each with its
    town, verdict (三、认定标准), households and how many projects it is already in. Two queries."""
    from communities.models import Compound

    ids = sorted({int(i) for i in selected_ids if str(i).isdigit()})
    base = (
        Compound.objects.filter(is_demo=is_demo)
        .select_related("town", "assessment")
        .annotate(project_count=Count("project_phases"))
        .order_by("town__name", "name", "pk")
    )
    if exclude_project is not None:
        base = base.exclude(project_phases__project=exclude_project)
    selected = [_picker_row(c) for c in base.filter(pk__in=ids)] if ids else []
    query = (query or "").strip()
    matches = base.exclude(pk__in=ids)
    if query:
        matches = matches.filter(
            Q(name__icontains=query) | Q(town__name__icontains=query) | Q(address__icontains=query)
        )
    found = list(matches[: limit + 1])
    return {
        "query": query,
        "selected": selected,
        "matches": [_picker_row(c) for c in found[:limit]],
        "more": len(found) > limit,
        "limit": limit,
    }


def project_detail(*, project, today: dt.date | None = None) -> dict:
    """Everything the project page shows, in a fixed number of queries."""
    from .models import AcceptanceRecord

    today = today or timezone.localdate()
    steps = list(project.steps.select_related("responsible_agency").order_by("order"))
    phases = list(project.project_compounds.select_related("compound__town", "compound__assessment"))
    compounds = [p.compound for p in phases]
    lines = list(
        project.scope_lines.select_related("compound", "scope_item").order_by(
            "compound__name", "scope_item__order"
        )
    )
    acknowledgements = list(project.four_item_acknowledgements.select_related("acknowledged_by"))
    gaps = scope_rules.four_item_gaps(
        project=project, compounds=compounds, lines=lines, acknowledgements=acknowledgements
    )
    acceptance = AcceptanceRecord.objects.filter(project=project).select_related("report").first()
    tasks = list(project.tasks.select_related("agency", "duty").order_by("due_date", "id"))
    totals = {
        name: sum((getattr(line, name) for line in lines), Decimal("0") if name == "pipes_km" else 0)
        for name in (
            "pipes_km",
            "lifts",
            "parking_spaces",
            "charging_piles",
            "elderly_care_facilities",
            "child_care_facilities",
        )
    }
    totals["estimated_cost_yuan"] = sum((line.estimated_cost_yuan for line in lines), Decimal("0"))
    return {
        "project": project,
        "steps": steps,
        "phases": phases,
        "households": sum(p.households for p in phases),
        "lines": lines,
        "totals": totals,
        "gaps": gaps,
        "acknowledgements": acknowledgements,
        "acceptance": acceptance,
        "documents": list(project.documents.select_related("uploaded_by", "step").order_by("-uploaded_at")),
        "notes": list(project.project_notes.select_related("author").order_by("-created_at")),
        "tasks": tasks,
        "deadlines": deadlines.project_deadlines(programme=project.programme, steps=steps, today=today),
        "blockers": project_blockers(
            project=project,
            steps=steps,
            acceptance=acceptance,
            gaps=gaps,
            tasks=tasks,
            compounds=compounds,
            lines=lines,
            today=today,
            phases=phases,
        ),
        "deadline_rule": deadlines.RULE_TEXT,
        "today": today,
    }


# --- Ledger (台账, 七(五)) -------------------------------------------------------------------------

_LEDGER_SKIP = {
    "id",
    "order",
    "updated_at",
    "created_at",
    "uploaded_at",
    "acknowledged_at",
    "programme",
    "project",
    "template_key",
    "file",
}
_ACTIONS = {"+": "新增", "~": "修改", "-": "删除"}


def _ledger_models():
    from .models import (
        AcceptanceRecord,
        AgencyTask,
        FourItemsAcknowledgement,
        Project,
        ProjectCompound,
        ProjectDocument,
        ProjectNote,
        ProjectStep,
        ScopeLine,
    )

    return [
        Project,
        ProjectCompound,
        ProjectStep,
        ScopeLine,
        FourItemsAcknowledgement,
        ProjectDocument,
        ProjectNote,
        AcceptanceRecord,
        AgencyTask,
    ]


def _display(field, value, lookups) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if field.is_relation:
        return lookups.get(field.related_model._meta.model_name, {}).get(value, f"#{value}")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, dt.date | dt.datetime):
        return value.strftime("%Y-%m-%d")
    return str(value)


def _ledger_label(model_name: str, row, lookups) -> str:
    if model_name == "project":
        return f"{row.code} {row.name}"
    if model_name == "projectstep":
        return step_catalog.name_of(row.code)
    if model_name == "scopeline":
        compound = lookups["compound"].get(row.compound_id, "")
        return f"{compound} {lookups['scopeitem'].get(row.scope_item_id, '')}"
    if model_name == "projectcompound":
        return f"{lookups['compound'].get(row.compound_id, '')} 第{row.phase}期"
    if model_name == "fouritemsacknowledgement":
        return f"{lookups['compound'].get(row.compound_id, '')} 未含{row.get_item_display()}"
    if model_name == "projectdocument":
        return f"{row.title}（SHA-256 {row.sha256[:12]}…）"
    if model_name == "projectnote":
        return row.text[:40]
    if model_name == "acceptancerecord":
        return f"竣工验收 {row.accepted_on:%Y-%m-%d}"
    if model_name == "agencytask":
        return f"{lookups['agency'].get(row.agency_id, '')}：{row.title}"
    return str(row)


def project_ledger(*, project) -> list[dict]:
    """Every change to the project, its steps, scope, documents, notes, acceptance and tasks, oldest first.

    Read from the change history (django-simple-history): one query per kind of record plus a few
    name look-ups, however long the ledger grows.
    """
    from agencies.models import Agency, Duty
    from communities.models import Compound

    from .models import ProjectDocument, ProjectStep, ScopeItem

    histories = []
    for model in _ledger_models():
        history_model = model.history.model
        key = {"id": project.pk} if model._meta.model_name == "project" else {"project_id": project.pk}
        histories.append(
            (
                model,
                list(
                    history_model.objects.filter(**key)
                    .select_related("history_user")
                    .order_by("history_date", "history_id")
                ),
            )
        )
    def referenced(attname: str) -> set:
        return {getattr(row, attname) for _, rows in histories for row in rows if hasattr(row, attname)}

    # Names of only the records the history mentions, as values (an empty id set runs no query).
    lookups = {
        "agency": {pk: short or name for pk, short, name in Agency.objects.values_list("id", "short_name", "name")},
        "scopeitem": dict(ScopeItem.objects.values_list("id", "name")),
        "compound": dict(Compound.objects.filter(id__in=referenced("compound_id")).values_list("id", "name")),
        "duty": {pk: text[:30] for pk, text in Duty.objects.filter(id__in=referenced("duty_id")).values_list("id", "text")},
        "projectstep": {
            sid: step_catalog.name_of(code)
            for sid, code in ProjectStep.objects.filter(project=project).values_list("id", "code")
        },
        "projectdocument": dict(ProjectDocument.objects.filter(project=project).values_list("id", "title")),
    }
    entries = []
    for model, rows in histories:
        fields = [
            f
            for f in model._meta.concrete_fields
            if f.name not in _LEDGER_SKIP
            and not (f.is_relation and f.related_model._meta.model_name == "user")
        ]
        previous: dict[int, object] = {}
        for row in rows:
            before = previous.get(row.id)
            changes = []
            for field in fields:
                new = getattr(row, field.attname)
                old = getattr(before, field.attname) if before is not None else None
                if row.history_type == "~" and before is not None and old == new:
                    continue
                if row.history_type == "-" or (row.history_type == "+" and new in (None, "", 0, False)):
                    continue
                changes.append(
                    {
                        "field": str(field.verbose_name),
                        "old": _display(field, old, lookups) if row.history_type == "~" else "",
                        "new": _display(field, new, lookups),
                    }
                )
            previous[row.id] = row
            if row.history_type == "~" and not changes:
                continue  # a save that changed nothing the ledger shows
            user = row.history_user
            entries.append(
                {
                    "when": row.history_date,
                    "who": display_name(user),
                    "kind": str(model._meta.verbose_name),
                    "object": _ledger_label(model._meta.model_name, row, lookups),
                    "action": _ACTIONS[row.history_type],
                    "changes": changes,
                    "reason": row.history_change_reason or "",
                }
            )
    entries.sort(key=lambda e: e["when"])
    return entries


# --- Indicators (the Ministry's monthly statistics) -------------------------------------------------------


def _rate(part, whole):
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def indicators(*, programme, is_demo: bool = False, cutoff: dt.date | None = None) -> dict:
    """Started (开工) and completed projects, compounds and households, their rates against the plan,
    and the physical outputs — per programme and per town. Real and demo data are never mixed.

    Plan for the programme = the document's targets (46 compounds, 6157 households); plan for a town =
    the compounds and households of that town already in the programme's projects (the document sets
    no town targets). A compound counts as started when any project covering it has started
    construction, as completed when every project covering it has passed 竣工验收. With a cut-off,
    started and completed are as of it: construction's actual start, acceptance's actual end on or before it.
    """
    from .models import ProjectCompound, ProjectStep, ScopeLine

    phases = list(
        ProjectCompound.objects.filter(project__programme=programme, project__is_demo=is_demo).values(
            "project_id", "compound_id", "households", "compound__town_id", "compound__town__name"
        )
    )
    states = ProjectStep.objects.filter(
        project__programme=programme,
        project__is_demo=is_demo,
        code__in=[step_catalog.STARTED_STEP, step_catalog.COMPLETED_STEP],
    )
    started, completed = set(), set()
    for pid, code, actual_start, actual_end in states.values_list("project_id", "code", "actual_start", "actual_end"):
        if code == step_catalog.STARTED_STEP and actual_start and (cutoff is None or actual_start <= cutoff):
            started.add(pid)
        if code == step_catalog.COMPLETED_STEP and actual_end and (cutoff is None or actual_end <= cutoff):
            completed.add(pid)
    output_fields = (
        "pipes_km",
        "lifts",
        "parking_spaces",
        "charging_piles",
        "elderly_care_facilities",
        "child_care_facilities",
        "estimated_cost_yuan",
    )
    outputs_by_town = {
        row["compound__town_id"]: row
        for row in ScopeLine.objects.filter(project__programme=programme, project__is_demo=is_demo)
        .values("compound__town_id")
        .annotate(**{name: Sum(name) for name in output_fields})
        .order_by()
    }

    def figures(rows, outputs, plan_compounds, plan_households):
        compounds: dict[int, list] = {}
        for row in rows:
            compounds.setdefault(row["compound_id"], []).append(row["project_id"])
        started_compounds = {c for c, pids in compounds.items() if any(p in started for p in pids)}
        completed_compounds = {c for c, pids in compounds.items() if all(p in completed for p in pids)}
        households = sum(r["households"] for r in rows)
        started_households = sum(r["households"] for r in rows if r["project_id"] in started)
        completed_households = sum(r["households"] for r in rows if r["project_id"] in completed)
        projects = {r["project_id"] for r in rows}
        return {
            "projects": len(projects),
            "projects_started": len(projects & started),
            "projects_completed": len(projects & completed),
            "compounds": len(compounds),
            "households": households,
            "plan_compounds": plan_compounds,
            "plan_households": plan_households,
            "compounds_started": len(started_compounds),
            "compounds_completed": len(completed_compounds),
            "households_started": started_households,
            "households_completed": completed_households,
            "rate_started_by_count": _rate(len(started_compounds), plan_compounds),
            "rate_started_by_households": _rate(started_households, plan_households),
            "rate_completed_by_count": _rate(len(completed_compounds), plan_compounds),
            "rate_completed_by_households": _rate(completed_households, plan_households),
            "outputs": {name: outputs.get(name) or 0 for name in output_fields},
        }

    towns: dict[int, dict] = {}
    for row in phases:
        towns.setdefault(row["compound__town_id"], {"name": row["compound__town__name"], "rows": []})[
            "rows"
        ].append(row)
    total_outputs = {name: sum((o[name] or 0) for o in outputs_by_town.values()) for name in output_fields}
    by_town = []
    for town_id, town in sorted(towns.items(), key=lambda item: item[1]["name"]):
        rows = town["rows"]
        planned_households = sum(r["households"] for r in rows)
        by_town.append(
            {
                "town": town["name"],
                **figures(
                    rows,
                    outputs_by_town.get(town_id, {}),
                    len({r["compound_id"] for r in rows}),
                    planned_households,
                ),
            }
        )
    return {
        "total": figures(phases, total_outputs, programme.target_compounds, programme.target_households),
        "by_town": by_town,
        "is_demo": is_demo,
    }


# --- Dashboard sections (ui.selectors.DASHBOARD_SECTIONS) --------------------------------------------


def project_deadline_statuses(*, programme, today: dt.date, queryset=None) -> list[tuple]:
    """(project, [DeadlineAssessment for ready, completion]) for every real project of the programme.

    One pass over prefetched steps (a fixed number of queries); the dashboard, its overdue list and
    the project list's deadline filter all read statuses from here, so they always agree.
    """
    from .models import Project, ProjectStep

    base = Project.objects.filter(programme=programme, is_demo=False) if queryset is None else queryset
    # The steps as values, as the project list reads them, from one query over the same projects: at a
    # province's thousands of projects, ~17 step model instances each made the dashboard's cost.
    steps = step_rows_by_project(ProjectStep.objects.filter(project__in=base.values("pk")))
    return [
        (project, deadlines.project_deadlines(programme=project.programme, steps=steps.get(project.pk, []),
                                              today=today))
        for project in base.select_related("programme").order_by("code")
    ]


def dashboard_deadline_status(*, programme, today: dt.date, user) -> dict:
    """How many projects are 按期 / 有风险 / 逾期 / 已完成 for each deadline, each linked to its list."""
    from django.urls import reverse

    from .choices import DeadlineStatus

    statuses = project_deadline_statuses(programme=programme, today=today)
    list_url = reverse("project_list")
    rows = []
    for index, (key, label, deadline) in enumerate((
        ("ready", "具备开工条件", programme.ready_deadline),
        ("completion", "全部完工", programme.completion_deadline),
    )):
        counts = {status: 0 for status in DeadlineStatus}
        for _project, assessed in statuses:
            counts[assessed[index].status] += 1
        rows.append({
            "cells": [f"{label}（{deadline:%Y-%m-%d}）",
                      *[{"text": counts[s], "url": f"{list_url}?is_demo=false&deadline_{key}={s.value}"}
                        for s in DeadlineStatus]],
            "url": f"{list_url}?is_demo=false",
        })
    return {
        "headers": ["时限", *[s.label for s in DeadlineStatus]],
        "rows": rows,
        "note": f"共 {len(statuses)} 个项目（不含演示数据）；状态规则见项目详情页。" if statuses else "尚未建立改造项目。",
    }


def dashboard_progress(*, programme, today: dt.date, user) -> dict:
    """Started and completed rates by compound count and by households, against the plan."""
    from django.urls import reverse

    figures = indicators(programme=programme)["total"]
    url = reverse("indicators")
    bars = [
        {"label": "开工（小区个数）", "value": figures["compounds_started"], "total": figures["plan_compounds"],
         "url": url},
        {"label": "开工（户数）", "value": figures["households_started"], "total": figures["plan_households"],
         "url": url},
        {"label": "完工（小区个数）", "value": figures["compounds_completed"], "total": figures["plan_compounds"],
         "url": url},
        {"label": "完工（户数）", "value": figures["households_completed"], "total": figures["plan_households"],
         "url": url},
    ]
    return {"bars": bars, "note": f"项目 {figures['projects']} 个，已开工 {figures['projects_started']} 个，"
                                  f"已竣工验收 {figures['projects_completed']} 个（不含演示数据）。"}


def dashboard_overdue(*, programme, today: dt.date, user) -> dict:
    """Projects overdue on either deadline, with the steps still open."""
    from django.urls import reverse

    from .choices import DeadlineStatus

    rows = []
    for project, assessed in project_deadline_statuses(programme=programme, today=today):
        late = [a for a in assessed if a.status == DeadlineStatus.OVERDUE]
        if late:
            rows.append({
                "cells": [project.code, project.name, "、".join(a.label for a in late),
                          "、".join(late[0].remaining[:3])],
                "url": reverse("project_detail", args=[project.pk]),
            })
    return {"headers": ["项目编号", "项目名称", "逾期时限", "未完成步骤"], "rows": rows,
            "note": "" if rows else "没有逾期项目。"}


def tasks_overdue(*, programme, cutoff: dt.date, demo: bool = False):
    """Agency tasks overdue at the end of the cut-off day: due before it and not done by it (a task done
    later was still open then). Real data (programme-wide tasks and real projects') unless demo=True,
    which reads demo projects' tasks only. The dashboard, the progress report and check_figures read it."""
    from django.db.models import Q

    from .models import AgencyTask

    done_by_then = Q(status=TaskStatus.DONE) & (Q(completed_on__isnull=True) | Q(completed_on__lte=cutoff))
    scope = Q(project__is_demo=True) if demo else Q(project__isnull=True) | Q(project__is_demo=False)
    return AgencyTask.objects.filter(scope, programme=programme, due_date__lt=cutoff).exclude(done_by_then)


def overdue_by_agency(*, programme, cutoff: dt.date, demo: bool = False) -> list[dict]:
    """[{"agency_id", "agency__name", "n"}] of tasks_overdue, most overdue tasks first."""
    return list(
        tasks_overdue(programme=programme, cutoff=cutoff, demo=demo)
        .values("agency_id", "agency__name")
        .annotate(n=Count("id"))
        .order_by("-n", "agency__name")
    )


def dashboard_agencies_overdue(*, programme, today: dt.date, user) -> dict:
    """Agencies with real tasks past their due date and not done, most overdue tasks first; each linked
    to the task list filtered the same way (that list leaves demo tasks out by default too)."""
    from django.urls import reverse

    counts = overdue_by_agency(programme=programme, cutoff=today)
    url = reverse("task_list")
    rows = [{"cells": [row["agency__name"], row["n"]], "url": f"{url}?agency={row['agency_id']}&overdue=true"}
            for row in counts]
    return {"headers": ["单位", "逾期任务数"], "rows": rows,
            "note": "不含演示数据。" if rows else "没有逾期的部门任务（不含演示数据）。"}


def task_notes(*, task) -> list:
    """A task's progress notes, newest first, each with who wrote it (one query)."""
    return list(task.progress_notes.select_related("written_by").order_by("-written_at", "-id"))


def steps_overdue(*, today: dt.date, limit: int = 20) -> dict:
    """Steps of 六 whose planned completion has passed and that are not done, longest overdue first: how
    many, and the first `limit` with their project and responsible agency (two queries)."""
    from .models import ProjectStep

    queryset = ProjectStep.objects.filter(planned_end__lt=today).exclude(status=StepStatus.DONE)
    rows = list(queryset.select_related("project", "responsible_agency").order_by("planned_end", "project_id", "order")[:limit])
    for step in rows:
        step.days_late = (today - step.planned_end).days
    return {"count": queryset.count(), "rows": rows}


def tasks_overdue_page(*, programme, today: dt.date, limit: int = 20) -> dict:
    """The work queue's agency tasks past their due date and not done — real data, exactly what the dashboard
    counts (tasks_overdue): how many, and the first `limit` (two queries)."""
    queryset = tasks_overdue(programme=programme, cutoff=today)
    rows = list(queryset.select_related("agency", "project").order_by("due_date", "id")[:limit])
    return {"count": queryset.count(), "rows": rows}
