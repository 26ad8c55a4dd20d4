"""Steps in the order of work plan 六 (issue 14): 项目任务下达 before the preliminary tender, the design
before 各项前期手续 and the 施工、监理招投标, and 决算编制 before 决算审计.

Each project's step rows are renumbered. The two old steps 工程招投标 and 合同签订 (both 六(三)1, the
document's 「前期招投标及合同签订」) become one step 前期招投标及合同签订: it keeps the tender's start
and the contract's end; the dates in between and both rows' notes are written into its notes, its
documents and notes keep pointing at it, and the change history records the merge (the old rows'
history stays). New steps (项目任务下达, 各项前期手续, 施工、监理招投标, 决算编制) start 未开始:
nothing recorded says when they were done. Agency tasks due at a step follow the step's planned end
(or, unplanned, the deadline of 四(三) that needs the step).
The reverse splits the merged step again from the change history (or, lacking it, by start and end).
"""


from django.db import migrations, models
from django.utils import timezone

# The catalogue as this migration leaves it (frozen here: projects/steps.py may change later).
NEW_ORDER = [
    "survey", "site_verification", "county_report", "feasibility_study", "approval", "subsidy_application",
    "task_issued", "preliminary_tender", "design", "permits", "construction_tender", "construction",
    "completion_acceptance", "final_accounts", "final_audit", "handover", "property_management",
]
OLD_ORDER = [
    "survey", "site_verification", "county_report", "feasibility_study", "approval", "subsidy_application",
    "tender", "contract", "design", "construction", "completion_acceptance", "final_audit", "handover",
    "property_management",
]
NEW_STEPS = {  # code: (agency code, note)
    "task_issued": ("housing", "工作方案六(三)1：项目任务下达。步骤调整时新增，如已下达请补录日期。"),
    "permits": ("housing", "工作方案六(三)2：各项前期手续。步骤调整时新增，如已完成请补录日期。"),
    "construction_tender": (
        "housing", "工作方案六(三)2：施工、监理招投标。步骤调整时新增，如已完成请补录日期。"),
    "final_accounts": ("housing", "附件：决算编制。步骤调整时新增，如已完成请补录日期。"),
}
# Project tasks (projects/duty_tasks.py as this migration leaves it): template key → the step they are
# due at. A task is due at its step's planned end, or, while the step has no plan, at the deadline of
# 四(三) that needs the step (services._task_due).
_CONSTRUCTION_TASKS = ("disburse.finance", "quality.housing", "materials.market", "lines.water", "lines.power",
                       "lines.gas", "lines.telecom", "lines.mobile", "lines.unicom", "childcare.education",
                       "eldercare.civil_affairs", "lifts.market")
TASK_STEPS_FORWARD = {
    "survey.wulan": "survey", "approval.ndrc": "approval", "subsidy.ndrc": "subsidy_application",
    "land.natural_resources": "approval", "tender_price.audit": "construction_tender",
    "final_audit.audit": "final_audit", **{key: "construction" for key in _CONSTRUCTION_TASKS},
}
TASK_STEPS_BACKWARD = {"tender_price.audit": "tender"}
READY_STEPS = NEW_ORDER[: NEW_ORDER.index("construction")]
COMPLETION_STEPS = NEW_ORDER[: NEW_ORDER.index("completion_acceptance") + 1]
MERGE_REASON = "步骤调整：工程招投标、合同签订合并为前期招投标及合同签订（六(三)1）"
SPLIT_REASON = "撤销步骤调整：恢复工程招投标、合同签订"
STEP_FIELDS = ["code", "order", "responsible_agency_id", "planned_start", "planned_end", "actual_start",
               "actual_end", "status", "notes", "updated_at", "project_id"]


def _d(value) -> str:
    return value.strftime("%Y-%m-%d") if value else "—"


def _history(apps, step, history_type: str, reason: str, now) -> None:
    historical = apps.get_model("projects", "HistoricalProjectStep")
    historical.objects.create(
        id=step.id, history_date=now, history_type=history_type, history_change_reason=reason[:100],
        **{name: getattr(step, name) for name in STEP_FIELDS},
    )


def _merged_status(tender, contract):
    start = (tender and tender.actual_start) or (contract and contract.actual_start)
    if contract is not None and contract.status == "done":
        return "done", start, contract.actual_end
    if start:
        return "in_progress", start, None
    return "not_started", None, None


def _task_due(apps, project, by_code, mapping, *, by_deadline: bool) -> None:
    task_model = apps.get_model("projects", "AgencyTask")
    for task in task_model.objects.filter(project=project, template_key__in=list(mapping)).exclude(status="done"):
        code = mapping[task.template_key]
        step = by_code.get(code)
        due = step.planned_end if step is not None else None
        if due is None and by_deadline:
            if code in READY_STEPS:
                due = project.programme.ready_deadline
            elif code in COMPLETION_STEPS:
                due = project.programme.completion_deadline
        if task.due_date != due:
            task.due_date = due
            task.save(update_fields=["due_date"])


def forward(apps, schema_editor):
    step_model = apps.get_model("projects", "ProjectStep")
    project_model = apps.get_model("projects", "Project")
    agency_model = apps.get_model("agencies", "Agency")
    document_model = apps.get_model("projects", "ProjectDocument")
    note_model = apps.get_model("projects", "ProjectNote")
    agencies = {a.code: a.id for a in agency_model.objects.all()}
    now = timezone.now()
    for project in project_model.objects.select_related("programme"):
        by_code = {s.code: s for s in step_model.objects.filter(project=project)}
        if "preliminary_tender" in by_code or not by_code:
            continue  # already migrated (or a project without steps)
        tender, contract = by_code.pop("tender", None), by_code.pop("contract", None)
        merged = tender or contract
        if merged is not None:
            status, start, end = _merged_status(tender, contract)
            kept = []
            for label, row in (("工程招投标", tender), ("合同签订", contract)):
                if row is None:
                    continue
                kept.append(f"原“{label}”计划 {_d(row.planned_start)} 至 {_d(row.planned_end)}，"
                            f"实际 {_d(row.actual_start)} 至 {_d(row.actual_end)}"
                            + (f"，备注：{row.notes}" if row.notes else ""))
            merged.code, merged.status = "preliminary_tender", status
            merged.actual_start, merged.actual_end = start, end
            merged.planned_start = (tender and tender.planned_start) or (contract and contract.planned_start)
            merged.planned_end = (contract and contract.planned_end) or (tender and tender.planned_end)
            merged.notes = f"{MERGE_REASON}。" + "；".join(kept) + "。"
            # Rows entered out of order must still satisfy the date-order constraints (every date is
            # in the notes above).
            if merged.planned_start and merged.planned_end and merged.planned_end < merged.planned_start:
                merged.planned_end = merged.planned_start
            if merged.actual_end and merged.actual_end < merged.actual_start:
                merged.actual_end = merged.actual_start
            other = contract if merged is tender else None
            if other is not None:
                document_model.objects.filter(step=other).update(step=merged)
                note_model.objects.filter(step=other).update(step=merged)
                _history(apps, other, "-", MERGE_REASON, now)
                other.delete()
            by_code["preliminary_tender"] = merged
        for code, (agency_code, note) in NEW_STEPS.items():
            if code not in by_code:
                step = step_model(project=project, code=code, order=0, notes=note,
                                  responsible_agency_id=agencies.get(agency_code, project.responsible_agency_id))
                by_code[code] = step
        for code, step in by_code.items():
            created = step.pk is None
            step.order = NEW_ORDER.index(code) + 1
            step.save()
            if created:
                _history(apps, step, "+", "步骤调整：按工作方案六新增", now)
            elif code == "preliminary_tender":
                _history(apps, step, "~", MERGE_REASON, now)
        _task_due(apps, project, by_code, TASK_STEPS_FORWARD, by_deadline=True)


def backward(apps, schema_editor):
    step_model = apps.get_model("projects", "ProjectStep")
    project_model = apps.get_model("projects", "Project")
    historical = apps.get_model("projects", "HistoricalProjectStep")
    document_model = apps.get_model("projects", "ProjectDocument")
    note_model = apps.get_model("projects", "ProjectNote")
    now = timezone.now()
    # Documents of the removed steps go to the old step nearest in meaning (the contract held the
    # construction and supervision contracts); none is lost.
    document_home = {"task_issued": "tender", "permits": "contract", "construction_tender": "contract",
                     "final_accounts": "final_audit"}
    for project in project_model.objects.select_related("programme"):
        by_code = {s.code: s for s in step_model.objects.filter(project=project)}
        merged = by_code.pop("preliminary_tender", None)
        if merged is None:
            continue
        past = {
            row.code: row
            for row in historical.objects.filter(project_id=project.id, code__in=["tender", "contract"])
            .exclude(history_type="-").order_by("history_date", "history_id")
        }
        tender = merged
        tender.code = "tender"
        contract = step_model(project=project, code="contract", order=0,
                              responsible_agency_id=merged.responsible_agency_id)
        if "tender" in past and "contract" in past:
            for row, old in ((tender, past["tender"]), (contract, past["contract"])):
                for name in ("planned_start", "planned_end", "actual_start", "actual_end", "status", "notes",
                             "responsible_agency_id"):
                    setattr(row, name, getattr(old, name))
        else:  # no history: the tender keeps the start, the contract the end
            contract.planned_start, contract.planned_end = merged.planned_end, merged.planned_end
            if merged.status == "done":
                contract.status, contract.actual_start, contract.actual_end = "done", merged.actual_end, merged.actual_end
                tender.actual_end = merged.actual_end
            else:
                contract.status = "not_started"
            tender.planned_end = tender.planned_end or tender.planned_start
        contract.order = 0
        contract.save()
        by_code["tender"], by_code["contract"] = tender, contract
        for code, home in document_home.items():
            step = by_code.pop(code, None)
            if step is None:
                continue
            document_model.objects.filter(step=step).update(step=by_code.get(home))
            note_model.objects.filter(step=step).update(step=by_code.get(home))
            _history(apps, step, "-", SPLIT_REASON, now)
            step.delete()
        for code, step in by_code.items():
            step.order = OLD_ORDER.index(code) + 1 if code in OLD_ORDER else step.order
            step.save()
        _history(apps, tender, "~", SPLIT_REASON, now)
        _history(apps, contract, "+", SPLIT_REASON, now)
        _task_due(apps, project, by_code, TASK_STEPS_BACKWARD, by_deadline=False)


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0004_catalog_national_class'),
        ('agencies', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='historicalprojectstep',
            name='code',
            field=models.CharField(choices=[('survey', '摸底调查'), ('site_verification', '现场审核认定'), ('county_report', '向县政府汇报'), ('feasibility_study', '编制可行性研究报告'), ('approval', '发改部门审批'), ('subsidy_application', '申请中央及省级配套补助资金'), ('task_issued', '项目任务下达'), ('preliminary_tender', '前期招投标及合同签订'), ('design', '设计（征求居民及管线单位意见）'), ('permits', '各项前期手续'), ('construction_tender', '施工、监理招投标'), ('construction', '组织施工（监理、监督）'), ('completion_acceptance', '竣工验收'), ('final_accounts', '决算编制'), ('final_audit', '决算审计'), ('handover', '设施设备移交接收单位'), ('property_management', '业主大会及物业管理')], max_length=40, verbose_name='步骤'),
        ),
        migrations.AlterField(
            model_name='projectstep',
            name='code',
            field=models.CharField(choices=[('survey', '摸底调查'), ('site_verification', '现场审核认定'), ('county_report', '向县政府汇报'), ('feasibility_study', '编制可行性研究报告'), ('approval', '发改部门审批'), ('subsidy_application', '申请中央及省级配套补助资金'), ('task_issued', '项目任务下达'), ('preliminary_tender', '前期招投标及合同签订'), ('design', '设计（征求居民及管线单位意见）'), ('permits', '各项前期手续'), ('construction_tender', '施工、监理招投标'), ('construction', '组织施工（监理、监督）'), ('completion_acceptance', '竣工验收'), ('final_accounts', '决算编制'), ('final_audit', '决算审计'), ('handover', '设施设备移交接收单位'), ('property_management', '业主大会及物业管理')], max_length=40, verbose_name='步骤'),
        ),
        migrations.RunPython(forward, backward),
    ]
