import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from agencies.models import Agency, Duty
from agencies.services import agencies_load, roles_sync
from communities.choices import VerificationDecision
from communities.models import Compound
from communities.selectors import compounds_survey_dates, compounds_verifications
from communities.services import named_compounds_load, towns_load
from funding.services import funding_source_kinds_load
from jingyuan_renovation.loading import LoadCounts, upsert

from . import admission_rules, duty_tasks, scope_rules
from . import steps as step_catalog
from .choices import DocumentKind, StepStatus, TaskStatus
from .documents import document_check
from .models import (
    AcceptanceRecord,
    AgencyTask,
    FourItemsAcknowledgement,
    Programme,
    Project,
    ProjectCompound,
    ProjectDocument,
    ProjectNote,
    ProjectStep,
    ScopeItem,
    ScopeLine,
    TaskNote,
)

PROGRAMME_FILE = Path(settings.BASE_DIR) / "fixtures" / "programme_2023.json"


def _programme_values(row: dict) -> dict:
    values = {k: v for k, v in row.items() if k != "year"}
    for key in ("target_floor_area_m2", "target_budget_yuan"):
        values[key] = Decimal(values[key])
    for key in ("ready_deadline", "completion_deadline"):
        values[key] = dt.date.fromisoformat(values[key])
    return values


@transaction.atomic
def programme_load(*, path: Path = PROGRAMME_FILE) -> LoadCounts:
    """Load the work plan's facts (targets, deadlines, agencies, seats, duties, catalog, funding kinds).

    Idempotent: a second run finds every row unchanged and writes nothing. Only what the document
    states is loaded; the 43 unnamed compounds arrive through surveys.
    """
    data = json.loads(path.read_text(encoding="utf-8"))
    counts = LoadCounts()
    roles_sync()
    row = data["programme"]
    programme = upsert(Programme, lookup={"year": row["year"]}, values=_programme_values(row), counts=counts)
    towns = towns_load(towns=data["towns"], counts=counts)
    named_compounds_load(compounds=data["named_compounds"], towns=towns, counts=counts)
    agencies_load(
        programme=programme,
        agencies=data["agencies"],
        seats=data["seats"],
        duties=data["duties"],
        counts=counts,
    )
    for item in data["scope_items"]:
        upsert(
            ScopeItem,
            lookup={"code": item["code"]},
            values={k: v for k, v in item.items() if k != "code"},
            counts=counts,
        )
    funding_source_kinds_load(kinds=data["funding_source_kinds"], counts=counts)
    # The annex's programme-wide duties become tasks (idempotent, like the rest of the load).
    agency_tasks_derive(programme=programme)
    return counts


# --- Projects, steps and deadlines (issue 5) ------------------------------------------------------------


def _save(instance, *, user, reason: str = "") -> None:
    """Validate and save, recording who did it (and why) in the change history."""
    instance.full_clean()
    instance._history_user = user
    if reason:
        instance._change_reason = reason
    instance.save()


def _refuse(message: str):
    raise ValidationError(message)


def _agencies_by_code() -> dict[str, Agency]:
    return {agency.code: agency for agency in Agency.objects.all()}


@transaction.atomic
def project_create(
    *,
    programme: Programme,
    code: str,
    name: str,
    compounds: list,
    user,
    centrally_subsidised: bool = False,
    responsible_agency: Agency | None = None,
    description: str = "",
    is_demo: bool = False,
    reasons: dict[int, str] | None = None,
) -> Project:
    """Create a project covering `compounds` (Compound rows, phase 1, or (compound, phase, households)),
    with one row per step of 六 in the catalog's order and the annex duties derived as tasks.
    `reasons` maps a compound id to its 列入原因, required where its verdict is 不符合, 资料不全 or
    待现场审核认定 (三、认定标准; 六(一); projects.admission_rules)."""
    reasons = reasons or {}
    agencies = _agencies_by_code()
    project = Project(
        programme=programme,
        code=code,
        name=name,
        centrally_subsidised=centrally_subsidised,
        responsible_agency=responsible_agency or agencies["housing"],
        description=description,
        is_demo=is_demo,
    )
    _save(project, user=user)
    for entry in compounds:
        compound, phase, households = entry if isinstance(entry, tuple) else (entry, 1, None)
        project_compound_add(
            project=project,
            compound=compound,
            phase=phase,
            households=households,
            user=user,
            reason=reasons.get(compound.pk, ""),
        )
    for definition in step_catalog.STEPS:
        _save(
            ProjectStep(
                project=project,
                code=definition.code,
                order=step_catalog.ORDER[definition.code],
                responsible_agency=agencies.get(definition.agency_code, project.responsible_agency),
            ),
            user=user,
        )
    project_steps_from_records(project=project, user=user)
    agency_tasks_derive(project=project, user=user)
    return project


@transaction.atomic
def project_update(*, project: Project, user, **values) -> Project:
    allowed = {"name", "centrally_subsidised", "responsible_agency", "description"}
    if set(values) - allowed:
        raise TypeError(f"project_update cannot change {sorted(set(values) - allowed)}")
    for key, value in values.items():
        setattr(project, key, value)
    _save(project, user=user)
    return project


@transaction.atomic
def project_compound_add(
    *,
    project: Project,
    compound: Compound,
    user,
    phase: int = 1,
    households: int | None = None,
    reason: str = "",
) -> ProjectCompound:
    """Add a compound (or one phase of its work) to a project. A compound ruled 不符合, 资料不全 or
    待现场审核认定 needs a reason, kept on the row with the verdict and in its history (三、认定标准; 六(一))."""
    if compound.is_demo != project.is_demo:
        _refuse("演示小区只能列入演示项目，真实小区只能列入真实项目。")
    refusal = admission_rules.missing_reason_refusal(compound, reason)
    if refusal:
        _refuse(refusal)
    needs_reason = admission_rules.needs_reason(compound)
    row = ProjectCompound(
        project=project,
        compound=compound,
        phase=phase,
        households=households if households is not None else (compound.household_count or 0),
        admission_verdict=admission_rules.current_verdict(compound) if needs_reason else "",
        admission_reason=reason.strip() if needs_reason else "",
    )
    # The history's change reason holds 100 characters; the full reason is on the row (and its history).
    _save(row, user=user, reason=f"列入原因：{row.admission_reason}"[:100] if needs_reason else "")
    project_steps_from_records(project=project, user=user)
    return row


def _project_locked(project: Project) -> Project:
    # Two people advancing or reopening steps of one project at once could each see the other's
    # dependency as satisfied; locking the project row makes the checks and the write one unit.
    return Project.objects.select_for_update().get(pk=project.pk)


def _steps_by_code(project: Project) -> dict[str, ProjectStep]:
    return {step.code: step for step in project.steps.all()}


@transaction.atomic
def project_step_plan(
    *,
    step: ProjectStep,
    user,
    planned_start: dt.date | None,
    planned_end: dt.date | None,
    responsible_agency: Agency | None = None,
    notes: str | None = None,
) -> ProjectStep:
    """Set a step's planned dates, responsible agency and notes; task due dates follow the plan."""
    step.planned_start, step.planned_end = planned_start, planned_end
    if responsible_agency is not None:
        step.responsible_agency = responsible_agency
    if notes is not None:
        step.notes = notes
    _save(step, user=user)
    agency_tasks_derive(project=step.project, user=user)
    return step


def _missing_dependencies(step: ProjectStep, by_code: dict[str, ProjectStep]) -> list[ProjectStep]:
    return [by_code[dep] for dep in step.definition.depends_on if not by_code[dep].is_done]


def _names(steps) -> str:
    return "、".join(f"“{s.name}”" for s in steps)


@transaction.atomic
def project_step_start(*, step: ProjectStep, started_on: dt.date, user) -> ProjectStep:
    """Record that a step has begun; refused until every step it depends on is complete (六)."""
    project = _project_locked(step.project)
    by_code = _steps_by_code(project)
    step = by_code[step.code]
    if step.status != StepStatus.NOT_STARTED:
        _refuse(f"“{step.name}”已经开始，不能重复开始。")
    missing = _missing_dependencies(step, by_code)
    if missing:
        _refuse(f"不能开始“{step.name}”：须先完成{_names(missing)}（工作方案六、实施步骤）。")
    if started_on > timezone.localdate():
        _refuse("实际开始日期不能晚于今天。")
    late_deps = [by_code[d] for d in step.definition.depends_on if by_code[d].actual_end > started_on]
    if late_deps:
        _refuse(f"实际开始日期不能早于前置步骤{_names(late_deps)}的完成日期。")
    step.actual_start, step.status = started_on, StepStatus.IN_PROGRESS
    _save(step, user=user, reason=f"开始：{started_on:%Y-%m-%d}")
    return step


def completion_refusal(
    *, step: ProjectStep, by_code: dict[str, ProjectStep], completed_on: dt.date, today: dt.date
) -> str | None:
    """Why `step` may not be completed on `completed_on`, or None. Each reason names its clause."""
    if step.is_done:
        return f"“{step.name}”已经完成。"
    missing = _missing_dependencies(step, by_code)
    if missing:
        return f"不能完成“{step.name}”：须先完成{_names(missing)}（工作方案六、实施步骤）。"
    if completed_on > today:
        return "实际完成日期不能晚于今天。"
    if step.actual_start and completed_on < step.actual_start:
        return f"实际完成日期不能早于实际开始日期 {step.actual_start:%Y-%m-%d}。"
    late_deps = [by_code[d] for d in step.definition.depends_on if by_code[d].actual_end > completed_on]
    if late_deps:
        return f"实际完成日期不能早于前置步骤{_names(late_deps)}的完成日期。"
    if step.definition.requires_acceptance_record:
        record = AcceptanceRecord.objects.filter(project_id=step.project_id).first()
        if record is None:
            return (
                f"不能完成“{step.name}”：尚无竣工验收记录。施工单位提交竣工验收报告、建设单位组织综合验收合格后，"
                "方可办理竣工手续（工作方案六(三)3）。"
            )
        if not record.passed:
            return (
                f"不能完成“{step.name}”：{record.accepted_on:%Y-%m-%d} 的竣工验收记录为不合格"
                "（工作方案六(三)3）。"
            )
        if record.report_id is None:
            return f"不能完成“{step.name}”：竣工验收记录缺少竣工验收报告（工作方案六(三)3、七(五)）。"
        if record.accepted_on > completed_on:
            return f"实际完成日期不能早于竣工验收日期 {record.accepted_on:%Y-%m-%d}。"
    if step.code == "feasibility_study":
        open_gaps = [
            gap for gap in project_four_item_gaps(project=step.project) if gap.acknowledged_reason is None
        ]
        if open_gaps:
            listed = "；".join(f"{gap.compound_name}缺“{gap.item_label}”" for gap in open_gaps)
            return (
                f"不能完成“{step.name}”：中央补助项目须注重水、电、路、气4项，能改即改（工作方案五）。"
                f"{listed}。请纳入相应改造内容，或逐项说明未纳入的原因。"
            )
    return None


@transaction.atomic
def project_advance(*, step: ProjectStep, completed_on: dt.date, user, note: str = "") -> ProjectStep:
    """Complete a step of a project. Refused, with the reason, when a step it depends on is not
    complete, when 竣工验收 has no passed acceptance record with its report, or when a centrally
    subsidised project's 可研 leaves out 水电路气 items without a recorded reason."""
    project = _project_locked(step.project)
    by_code = _steps_by_code(project)
    step = by_code[step.code]
    refusal = completion_refusal(
        step=step, by_code=by_code, completed_on=completed_on, today=timezone.localdate()
    )
    if refusal:
        _refuse(refusal)
    step.actual_start = step.actual_start or completed_on
    step.actual_end, step.status = completed_on, StepStatus.DONE
    if note:
        step.notes = f"{step.notes}\n{note}".strip()
    _save(step, user=user, reason=f"完成：{completed_on:%Y-%m-%d}")
    return step


@transaction.atomic
def project_step_reopen(*, step: ProjectStep, reason: str, user) -> ProjectStep:
    """Undo a step's start or completion (a wrong entry); refused while a later step has begun."""
    if not reason.strip():
        _refuse("撤销须说明原因。")
    project = _project_locked(step.project)
    by_code = _steps_by_code(project)
    step = by_code[step.code]
    if step.status == StepStatus.NOT_STARTED:
        _refuse(f"“{step.name}”尚未开始，无需撤销。")
    later = [
        s
        for s in by_code.values()
        if step.code in s.definition.depends_on and s.status != StepStatus.NOT_STARTED
    ]
    if later:
        _refuse(f"不能撤销“{step.name}”：其后的步骤{_names(later)}已开始，请先撤销它们。")
    if step.is_done:
        step.actual_end, step.status = None, StepStatus.IN_PROGRESS
    else:
        step.actual_start, step.status = None, StepStatus.NOT_STARTED
    _save(step, user=user, reason=f"撤销：{reason.strip()}")
    return step


# --- Steps 摸底调查 and 现场审核认定 from the compounds' own records (六(一)) ---------------------------------

FROM_SURVEY_NOTE = "据所含小区的摸底调查导入记录登记（工作方案六(一)）"
FROM_VERIFICATION_NOTE = "据所含小区的现场审核认定记录登记（工作方案六(一)）"


def _record_step(step: ProjectStep, *, started_on, finished_on, note: str, user) -> None:
    """Start and/or complete `step` on the recorded dates, through the same checks as a user's entry;
    a date the checks refuse (e.g. before a date staff entered by hand) is left for staff to settle."""
    try:
        if step.status == StepStatus.NOT_STARTED and started_on is not None:
            step = project_step_start(step=step, started_on=started_on, user=user)
        if step.status == StepStatus.IN_PROGRESS and finished_on is not None:
            project_advance(step=step, completed_on=max(finished_on, step.actual_start), user=user, note=note)
    except ValidationError:
        pass


@transaction.atomic
def project_steps_from_records(*, project: Project, user=None) -> None:
    """Start or complete the project's 摸底调查 and 现场审核认定 from what is recorded of its compounds,
    so nobody enters twice what the survey import and the verification form already hold (六(一)).

    - 摸底调查 starts on the day the first of its compounds was imported from a survey and is done on the
      day the last one was;
    - 现场审核认定 starts on the first verification of one of its compounds and is done when every
      compound's latest verification is 确认列入改造, on the latest of those dates.
    A step already done is never changed; a later correction goes through project_step_reopen.
    """
    compound_ids = list(project.project_compounds.values_list("compound_id", flat=True))
    if not compound_ids:
        return
    by_code = _steps_by_code(project)
    if "survey" not in by_code:
        return  # project_create adds its compounds before its steps, and derives after
    survey = by_code["survey"]
    if not survey.is_done:
        dates = compounds_survey_dates(compound_ids=compound_ids)
        if dates:
            everyone = len(dates) == len(compound_ids)
            _record_step(survey, started_on=min(dates.values()), user=user, note=FROM_SURVEY_NOTE,
                         finished_on=max(dates.values()) if everyone else None)
            survey.refresh_from_db()
    verification = by_code["site_verification"]
    if survey.is_done and not verification.is_done:
        found = compounds_verifications(compound_ids=compound_ids)
        if found:
            first = max(min(v.verified_on for rows in found.values() for v in rows), survey.actual_end)
            latest = [rows[-1] for rows in found.values()]
            confirmed = len(found) == len(compound_ids) and all(
                v.decision == VerificationDecision.CONFIRMED for v in latest
            )
            _record_step(verification, started_on=first, user=user, note=FROM_VERIFICATION_NOTE,
                         finished_on=max(v.verified_on for v in latest) if confirmed else None)


def projects_steps_from_records(*, compound_ids, user=None) -> None:
    """project_steps_from_records for every project holding one of `compound_ids` (after a survey
    import or a verification is recorded). Only projects with one of those two steps still open are read."""
    open_steps = ProjectStep.objects.filter(
        project=OuterRef("pk"), code__in=["survey", "site_verification"]
    ).exclude(status=StepStatus.DONE)
    projects = (
        Project.objects.filter(project_compounds__compound_id__in=compound_ids)
        .filter(Exists(open_steps))
        .distinct()
        .order_by("pk")
    )
    for project in projects:
        project_steps_from_records(project=project, user=user)


# --- Scope -------------------------------------------------------------------------------------------

# The outputs now derive from the quantity (scope_rules.outputs_from_quantity); the names stay here
# for the callers that imported them from services.
OUTPUT_FROM_ITEM = scope_rules.OUTPUT_FROM_ITEM
OUTPUT_FIELDS = scope_rules.OUTPUT_FIELDS


def project_four_item_gaps(*, project: Project) -> list[scope_rules.FourItemGap]:
    compounds = [row.compound for row in project.project_compounds.select_related("compound")]
    lines = list(project.scope_lines.select_related("scope_item"))
    return scope_rules.four_item_gaps(
        project=project,
        compounds=compounds,
        lines=lines,
        acknowledgements=list(project.four_item_acknowledgements.all()),
    )


@transaction.atomic
def scope_line_save(
    *,
    project: Project,
    compound: Compound,
    scope_item: ScopeItem,
    quantity: Decimal,
    estimated_cost_yuan: Decimal,
    user,
    unit: str = "",
    line: ScopeLine | None = None,
    notes: str = "",
) -> tuple[ScopeLine, list[scope_rules.FourItemGap]]:
    """Add or change one scope line. Refused for a compound outside the project and for content
    already done under 三供一业 (不得重复改造, 五). The quantity is entered once: the outputs (管网公里,
    电梯, 停车位…) derive from it where the item measures that output (scope_rules.outputs_from_quantity).
    Returns the line and the project's open 水电路气 gaps, which the page shows as warnings to include
    the item or acknowledge with a reason."""
    if not project.project_compounds.filter(compound=compound).exists():
        _refuse(f"{compound.name}不在本项目中，请先把该小区加入项目。")
    refusal = scope_rules.repeat_renovation_refusal(compound=compound, scope_item=scope_item)
    if refusal:
        _refuse(refusal)
    line = line or ScopeLine(project=project)
    line.compound, line.scope_item, line.quantity = compound, scope_item, quantity
    line.unit = unit or scope_item.unit
    line.estimated_cost_yuan, line.notes = estimated_cost_yuan, notes
    outputs, refusal = scope_rules.outputs_from_quantity(scope_item=scope_item, quantity=quantity, unit=line.unit)
    if refusal:
        _refuse(refusal)
    for name, value in outputs.items():
        setattr(line, name, value)
    _save(line, user=user)
    agency_tasks_derive(project=project, user=user)
    return line, [gap for gap in project_four_item_gaps(project=project) if gap.acknowledged_reason is None]


@transaction.atomic
def scope_line_delete(*, line: ScopeLine, user) -> None:
    line._history_user = user
    line.delete()


@transaction.atomic
def four_item_acknowledge(
    *, project: Project, compound: Compound, item: str, reason: str, user
) -> FourItemsAcknowledgement:
    """Record why a needed 水电路气 item is left out (能改即改 allows it only with a reason, 五)."""
    gaps = {(gap.compound_id, gap.item) for gap in project_four_item_gaps(project=project)}
    if (compound.id, item) not in gaps:
        _refuse("该小区在本项目中没有这一项水电路气缺项，无需说明。")
    if len(reason.strip()) < 4:
        _refuse("请具体说明未纳入的原因（至少 4 个字）。")
    ack = FourItemsAcknowledgement(
        project=project, compound=compound, item=item, reason=reason.strip(), acknowledged_by=user
    )
    _save(ack, user=user)
    return ack


# --- Ledger: documents, notes, acceptance ------------------------------------------------------------------


@transaction.atomic
def document_upload(
    *,
    project: Project,
    title: str,
    uploaded_file,
    user,
    kind: str = DocumentKind.OTHER,
    step: ProjectStep | None = None,
) -> ProjectDocument:
    """Keep an evidence document after checking its type and size (projects/documents.py)."""
    facts = document_check(uploaded_file)
    if project.documents.filter(sha256=facts["sha256"]).exists():
        _refuse("本项目已上传过内容完全相同的文件。")
    if step is not None and step.project_id != project.id:
        _refuse("所属步骤须是本项目的步骤。")
    document = ProjectDocument(
        project=project,
        step=step,
        kind=kind,
        title=title or uploaded_file.name,
        file=uploaded_file,
        original_name=uploaded_file.name[:255],
        uploaded_by=user,
        **facts,
    )
    _save(document, user=user)
    return document


@transaction.atomic
def note_add(*, project: Project, text: str, user, step: ProjectStep | None = None) -> ProjectNote:
    if not text.strip():
        _refuse("备注内容不能为空。")
    note = ProjectNote(project=project, step=step, text=text.strip(), author=user)
    _save(note, user=user)
    return note


@transaction.atomic
def acceptance_record_save(
    *,
    project: Project,
    accepted_on: dt.date,
    passed: bool,
    participants: str,
    user,
    report: ProjectDocument | None = None,
    notes: str = "",
) -> AcceptanceRecord:
    """Record (or correct) the project's completion acceptance (竣工验收, 六(三)3)."""
    if project.steps.filter(code=step_catalog.STARTED_STEP, status=StepStatus.NOT_STARTED).exists():
        _refuse("施工尚未开始，不能记录竣工验收。")
    record = AcceptanceRecord.objects.filter(project=project).first() or AcceptanceRecord(project=project)
    record.accepted_on, record.passed, record.participants = accepted_on, passed, participants
    record.report, record.notes, record.recorded_by = report, notes, user
    _save(record, user=user)
    return record


# --- Agencies' duties as tasks ---------------------------------------------------------------------------


def _task_from_template(template: duty_tasks.TaskTemplate, *, programme, project, agencies, duties, due):
    agency = agencies.get(template.agency_code)
    if agency is None:
        return None
    return {
        "agency": agency,
        "duty": duties.get((template.agency_code, template.duty_order)),
        "title": template.title,
        "due_date": due,
    }


def _task_due(step: ProjectStep | None, programme: Programme) -> dt.date | None:
    """A project task is due when its step is planned to finish; while the step has no plan, at the
    deadline of 四(三) that needs the step (2023-06-30 for the steps before 施工, 2024-05-31 up to
    竣工验收), so a new project's tasks can fall overdue like any other. Steps after acceptance
    (决算、移交、物业) have no deadline in the work plan: their tasks wait for a planned date."""
    if step is None:
        return None
    if step.planned_end is not None:
        return step.planned_end
    gate = step_catalog.gate_of(step.code)
    if gate == step_catalog.READY_GATE_KEY:
        return programme.ready_deadline
    if gate == step_catalog.COMPLETION_GATE_KEY:
        return programme.completion_deadline
    return None


@transaction.atomic
def agency_tasks_derive(
    *, user=None, project: Project | None = None, programme: Programme | None = None
) -> dict:
    """Turn the annex's duties into tasks (projects/duty_tasks.py): for one project, or programme-wide.

    Idempotent. A task follows its step's planned completion (or, unplanned, the step's deadline of
    四(三), see _task_due) while not done; a conditional task
    whose condition no longer holds is removed only if nobody has worked on it yet.
    """
    agencies = _agencies_by_code()
    duties = {(d.agency.code, d.order): d for d in Duty.objects.select_related("agency")}
    counts = {"created": 0, "updated": 0, "removed": 0}
    if project is not None:
        programme = project.programme
        steps = _steps_by_code(project)
        item_codes = set(project.scope_lines.values_list("scope_item__code", flat=True))
        existing = {task.template_key: task for task in project.tasks.exclude(template_key="")}
        wanted = {}
        for template in duty_tasks.PROJECT_TASKS:
            if template.needs_items and not item_codes.intersection(template.needs_items):
                continue
            values = _task_from_template(
                template,
                programme=programme,
                project=project,
                agencies=agencies,
                duties=duties,
                due=_task_due(steps.get(template.due_step), programme),
            )
            if values:
                wanted[template.key] = values
    else:
        existing = {
            t.template_key: t for t in programme.agency_tasks.filter(project=None).exclude(template_key="")
        }
        wanted = {}
        for template in duty_tasks.PROGRAMME_TASKS:
            due = (
                programme.ready_deadline
                if template.due_deadline == "ready"
                else programme.completion_deadline
            )
            values = _task_from_template(
                template, programme=programme, project=None, agencies=agencies, duties=duties, due=due
            )
            if values:
                wanted[template.key] = values
    for key, values in wanted.items():
        task = existing.get(key)
        if task is None:
            _save(AgencyTask(programme=programme, project=project, template_key=key, **values), user=user)
            counts["created"] += 1
        elif task.status != TaskStatus.DONE and task.due_date != values["due_date"]:
            task.due_date = values["due_date"]
            _save(task, user=user, reason="随步骤计划调整完成时限")
            counts["updated"] += 1
    for key, task in existing.items():
        if key not in wanted and task.status == TaskStatus.TODO and not task.notes:
            task._history_user = user
            task.delete()
            counts["removed"] += 1
    return counts


@transaction.atomic
def agency_task_update(
    *, task: AgencyTask, status: str, notes: str, user, completed_on: dt.date | None = None
) -> AgencyTask:
    """A liaison (or staff) reports a task's status with a progress note; the view's access check decides
    who may. Each report is kept as a dated TaskNote (never overwritten); the task holds the latest.

    Refused: a completion date after today, and 受阻 without a reason (TaskNote.clean)."""
    # Two people of one agency may save the same task at once; the lock keeps each change in the history.
    task = AgencyTask.objects.select_for_update().get(pk=task.pk)
    notes = notes.strip()
    done = status == TaskStatus.DONE
    completed_on = (completed_on or task.completed_on or timezone.localdate()) if done else None
    note = TaskNote(task=task, status=status, text=notes, completed_on=completed_on, written_by=user)
    note.full_clean()
    note.save()
    task.status, task.completed_on = status, completed_on
    if notes:  # the list shows the latest thing said; a bare status change keeps the last words
        task.notes = notes
    _save(task, user=user, reason=f"状态：{TaskStatus(status).label}")
    return task


@transaction.atomic
def agency_task_create(
    *,
    programme: Programme,
    agency: Agency,
    title: str,
    user,
    project: Project | None = None,
    duty: Duty | None = None,
    due_date: dt.date | None = None,
) -> AgencyTask:
    """A task staff assign by hand (e.g. a heating company's line work)."""
    task = AgencyTask(
        programme=programme, project=project, agency=agency, duty=duty, title=title, due_date=due_date
    )
    _save(task, user=user)
    return task


# --- Demo data (only is_demo rows; called by seed_demo) ----------------------------------------------------

DEMO_PROJECT_PREFIX = "示例项目-"
# Offsets (days from 2023-03-01) of each step's planned start and end in the demo plans.
_DEMO_PLAN = {
    "survey": (0, 14),
    "site_verification": (15, 25),
    "county_report": (26, 30),
    "feasibility_study": (31, 45),
    "approval": (46, 52),
    "subsidy_application": (53, 60),
    "task_issued": (61, 63),
    "preliminary_tender": (64, 75),
    "design": (76, 95),
    "permits": (96, 110),
    "construction_tender": (96, 115),
    "construction": (122, 300),
    "completion_acceptance": (301, 320),
    "final_accounts": (321, 340),
    "final_audit": (341, 380),
    "handover": (321, 350),
    "property_management": (321, 360),
}
# (how many compounds, centrally subsidised, last completed step, days each step ran late)
_DEMO_PROJECTS = [
    (3, True, "completion_acceptance", 0),
    (2, True, "design", 3),
    (2, False, "approval", 12),
    (2, False, "survey", 20),
]


def projects_demo_delete() -> int:
    """Remove the demo projects (and their steps, scope, documents, tasks); real projects are untouched."""
    demo = Project.objects.filter(is_demo=True)
    AgencyTask.objects.filter(project__in=demo).delete()
    AcceptanceRecord.objects.filter(project__in=demo).delete()
    deleted, _ = demo.delete()
    return deleted


@transaction.atomic
def projects_demo_create(*, programme: Programme, user) -> dict[str, int]:
    """Visibly synthetic projects (示例项目-01…) over the demo compounds, at different stages.

    Built through the same services users call, so the ledger shows how a project moves. Only
    rows flagged is_demo are read or written; re-running replaces the demo projects.
    """
    from django.core.files.base import ContentFile

    projects_demo_delete()
    compounds = list(Compound.objects.filter(is_demo=True).order_by("name"))
    items = {item.code: item for item in ScopeItem.objects.all()}
    deficit_items = {
        "water_drainage_aged": "water_supply_drainage",
        "power_aged": "power_network",
        "roads_damaged": "roads_paving",
        "no_natural_gas": "gas_network",
        "gas_supply_needs_work": "gas_network",  # 三(二)2: gas lines are 气 too (telecom is not)
    }
    start = dt.date(2023, 3, 1)
    made = {"projects": 0, "scope_lines": 0}
    for index, (count, central, last_done, late_days) in enumerate(_DEMO_PROJECTS, start=1):
        chosen, compounds = compounds[:count], compounds[count:]
        if not chosen:
            break
        project = project_create(
            programme=programme,
            code=f"demo-{index:02d}",
            name=f"{DEMO_PROJECT_PREFIX}{index:02d}（演示数据）",
            compounds=chosen,
            user=user,
            centrally_subsidised=central,
            is_demo=True,
            description="演示数据：虚构的项目，用于试用系统。",
            # A demo compound not (yet) qualifying enters with a reason, as staff would give one
            # (三、认定标准; 六(一)); the project page then shows it as a blocker.
            reasons={compound.pk: "演示数据：示例项目先行列入，待补充认定资料" for compound in chosen},
        )
        for compound in chosen:
            wanted = list(dict.fromkeys(code for fact, code in deficit_items.items() if getattr(compound, fact))) or [
                "roads_paving"
            ]
            for code in [*wanted, "facade_stairwell_painting", "parking_spaces"]:
                quantity = Decimal("1.2") if items[code].unit == "km" else Decimal(20 + compound.id % 7 * 10)
                scope_line_save(
                    project=project,
                    compound=compound,
                    scope_item=items[code],
                    quantity=quantity,
                    estimated_cost_yuan=Decimal(150000 + compound.id % 5 * 30000),
                    user=user,
                )
                made["scope_lines"] += 1
        steps = _steps_by_code(project)
        for code, (begin, end) in _DEMO_PLAN.items():
            project_step_plan(
                step=steps[code],
                planned_start=start + dt.timedelta(days=begin),
                planned_end=start + dt.timedelta(days=end),
                user=user,
            )
        delay = 0
        for definition in step_catalog.STEPS:
            if step_catalog.ORDER[definition.code] > step_catalog.ORDER[last_done]:
                break
            step = ProjectStep.objects.get(project=project, code=definition.code)
            delay += late_days
            began = step.planned_start + dt.timedelta(days=delay)
            finished = step.planned_end + dt.timedelta(days=delay)
            for dep in definition.depends_on:
                began = max(began, ProjectStep.objects.get(project=project, code=dep).actual_end)
            finished = max(finished, began)
            project_step_start(step=step, started_on=began, user=user)
            if definition.requires_acceptance_record:
                report = document_upload(
                    project=project,
                    title="竣工验收报告（演示）",
                    kind=DocumentKind.ACCEPTANCE,
                    step=step,
                    uploaded_file=ContentFile(
                        f"%PDF-1.4\n% demo acceptance report {project.code}\n".encode(),
                        name=f"{project.code}-acceptance.pdf",
                    ),
                    user=user,
                )
                acceptance_record_save(
                    project=project,
                    accepted_on=finished,
                    passed=True,
                    report=report,
                    user=user,
                    participants="建设单位、施工单位、监理单位、规划、发改、财政、住建（演示）",
                )
            project_advance(step=step, completed_on=finished, user=user)
        note_add(project=project, text="演示备注：项目按计划推进中。", user=user)
        made["projects"] += 1
    return made
