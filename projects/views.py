from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from agencies.access import require_role, role_of, user_agency_id
from agencies.choices import Role
from ui.history import history_entries
from ui.lists import Column, FilteredListView

from . import exports, selectors, services
from . import forms as project_forms
from . import steps as step_catalog
from .filters import AgencyTaskFilter, ProjectFilter
from .models import AcceptanceRecord, AgencyTask, Project, ProjectDocument, ProjectStep, ScopeLine
from .selectors import (
    compound_picker,
    indicators,
    phases_attach,
    programme_current,
    programme_overview,
    programme_summary,
    project_detail,
    project_ledger,
    project_row,
    projects_for_list,
)

# Leaders and auditors read everything about projects; only housing-bureau staff change them.
# Surveyors work on surveys and liaisons on their agency's tasks, so project pages are not theirs.
READ_ROLES = (Role.STAFF, Role.LEADER, Role.AUDITOR)
WRITE_ROLES = (Role.STAFF,)
TASK_READ_ROLES = (Role.STAFF, Role.LEADER, Role.AUDITOR, Role.LIAISON)
TASK_WRITE_ROLES = (Role.STAFF, Role.LIAISON)


@login_required
@require_safe
def home(request):
    """The programme as the work plan states it, with what has been recorded so far."""
    require_role(request.user, *Role)
    programme = programme_current()
    context = {"programme": programme}
    if programme is not None:
        context.update(home_figures(programme=programme, today=timezone.localdate()))
        context.update(programme_overview(programme=programme))
    return render(request, "projects/home.html", context)


def home_figures(*, programme, today) -> dict:
    """The home page's figures as of today: recorded (projects.selectors.programme_summary) and the budget
    recorded (funding.selectors.funding_reconciliation), the selectors the dashboard, the reports and
    check_figures read, so the home page cannot disagree with them."""
    from funding.selectors import funding_reconciliation

    reconciliation = funding_reconciliation(programme=programme, cutoff=today)
    return {
        "summary": programme_summary(programme=programme, today=today),
        "budget_recorded_yuan": reconciliation["budgeted"],
        "budget_lines": reconciliation["lines"],
    }


def _project_for_user(request, pk: int, *, write: bool = False) -> Project:
    """The project if the user's role may read it (or change it, with write=True); else 403 / 404."""
    require_role(request.user, *(WRITE_ROLES if write else READ_ROLES))
    return get_object_or_404(Project.objects.select_related("programme", "responsible_agency"), pk=pk)


def _task_for_user(request, pk: int, *, write: bool = False) -> AgencyTask:
    """A task the user may see (or update): liaisons only their own agency's, as if others did not exist."""
    role = require_role(request.user, *(TASK_WRITE_ROLES if write else TASK_READ_ROLES))
    task = get_object_or_404(AgencyTask.objects.select_related("agency", "project", "duty"), pk=pk)
    if role == Role.LIAISON and task.agency_id != user_agency_id(request.user):
        raise Http404("没有这项任务。")
    return task


def _service(form, call) -> bool:
    """Run a service; a refusal becomes a form error the user can read. Returns True on success."""
    try:
        call()
    except ValidationError as error:
        for message in error.messages:
            form.add_error(None, message)
        return False
    return True


def _form_page(
    request, *, form, title: str, back: str, project=None, submit: str = "保存", note: str = "",
    template: str = "projects/form.html",
):
    return render(
        request,
        template,
        {"form": form, "title": title, "back": back, "project": project, "submit": submit, "note": note},
    )


# --- Project list and export -------------------------------------------------------------------------


class ProjectListView(FilteredListView):
    """All projects, filtered and sortable; ?export=xlsx downloads exactly the filtered rows in that order."""

    title = "改造项目"
    intro = "时限状态的判断规则见各项目页“时限判断规则”。"
    roles = frozenset(READ_ROLES)
    filterset_class = ProjectFilter
    export_name = "改造项目"
    template_name = "projects/project_list.html"
    # The page's headers; the row body is templates/jinja2/projects/project_rows.html and the export's
    # columns are exports.PROJECT_HEADER (export_table).
    columns = [
        Column("项目编号", "code", sort="code"),
        Column("项目名称", "name", sort="name"),
        Column("小区", "pk"),
        Column("户数", "pk", numeric=True),
        Column("步骤", "pk"),
        Column("当前步骤", "pk"),
        Column("具备开工条件", "pk"),
        Column("全部完工", "pk"),
        Column("估算投资(元)", "estimated_cost_yuan", sort="estimated_cost_yuan", numeric=True),
    ]

    def get_queryset(self):
        return projects_for_list(Project.objects.all())

    def page_rows(self, objects, columns) -> list:
        today = timezone.localdate()
        return [project_row(project, today=today) for project in phases_attach(objects)]

    def export_table(self, rows):
        """The project export's own columns (exports.PROJECT_HEADER): each row needs its steps and compounds,
        read for a chunk of projects at a time (phases_attach), not per cell."""
        today = timezone.localdate()

        def chunks():
            chunk = []
            for project in rows.iterator(chunk_size=500):
                chunk.append(project)
                if len(chunk) == 500:
                    yield from phases_attach(chunk)
                    chunk = []
            yield from phases_attach(chunk)

        return exports.PROJECT_HEADER, exports.project_rows_for_xlsx(
            project_row(project, today=today) for project in chunks())

    def get_extra_context(self, filterset) -> dict:
        return {"can_write": role_of(self.request.user) in WRITE_ROLES}


project_list = ProjectListView.as_view()


def _picker_page(request, *, form, title: str, back: str, multiple: bool, is_demo: bool, project=None,
                 submit: str = "保存"):
    """A form whose compounds are ticked in the searchable picker table (town, verdict, households),
    searched on the server (?q= or the 搜索 button, keeping what is ticked and typed)."""
    source = request.POST if request.method == "POST" else request.GET
    name = "compounds" if multiple else "compound"
    picked = source.getlist(name)
    picker = compound_picker(
        query=source.get("q", ""), selected_ids=picked, is_demo=is_demo, exclude_project=project
    )
    rows = picker["selected"] + picker["matches"]
    for row in rows:
        row["checked"] = str(row["compound"].pk) in picked
        row["reason"] = source.get(f"reason_{row['compound'].pk}", "")
    return render(
        request,
        "projects/compound_pick_form.html",
        {
            "form": form,
            "plain_fields": [form[field] for field in form.PLAIN_FIELDS],
            "picker_field": form[name],
            "picker": picker,
            "rows": rows,
            "input_name": name,
            "input_type": "checkbox" if multiple else "radio",
            "title": title,
            "back": back,
            "project": project,
            "submit": submit,
        },
    )


def _searching(request) -> bool:
    """The picker's 搜索 button re-draws the form with the new search, saving nothing."""
    return request.method == "POST" and "search" in request.POST


def _unbound(form_class, request, **kwargs):
    """The form as the user left it, without errors (a search is not a save attempt)."""
    initial = {name: request.POST.get(name) for name in form_class.PLAIN_FIELDS if name in request.POST}
    return form_class(initial=initial, **kwargs)


@login_required
def project_create(request):
    require_role(request.user, *WRITE_ROLES)
    programme = programme_current()
    if programme is None:
        raise Http404("尚未载入改造计划。")
    if request.method == "POST" and not _searching(request):
        form = project_forms.ProjectForm(request.POST)
        created = {}
        if form.is_valid() and _service(
            form,
            lambda: created.setdefault(
                "project",
                services.project_create(programme=programme, user=request.user, **form.cleaned_data),
            ),
        ):
            messages.success(request, "项目已创建，实施步骤和部门任务已生成。")
            return redirect("project_detail", pk=created["project"].pk)
    elif _searching(request):
        form = _unbound(project_forms.ProjectForm, request)
    else:
        form = project_forms.ProjectForm()
    return _picker_page(
        request, form=form, title="新建改造项目", back=reverse("project_list"), multiple=True, is_demo=False
    )


# --- Project page ----------------------------------------------------------------------------------


@login_required
@require_safe
def project_detail_view(request, pk: int):
    project = _project_for_user(request, pk)
    context = project_detail(project=project)
    context["can_write"] = role_of(request.user) in WRITE_ROLES
    return render(request, "projects/project_detail.html", context)


@login_required
def project_edit(request, pk: int):
    project = _project_for_user(request, pk, write=True)
    initial = {
        "name": project.name,
        "centrally_subsidised": project.centrally_subsidised,
        "responsible_agency": project.responsible_agency,
        "description": project.description,
    }
    form = project_forms.ProjectEditForm(request.POST or None, initial=initial)
    if (
        request.method == "POST"
        and form.is_valid()
        and _service(
            form, lambda: services.project_update(project=project, user=request.user, **form.cleaned_data)
        )
    ):
        messages.success(request, "项目信息已保存。")
        return redirect("project_detail", pk=project.pk)
    return _form_page(
        request, form=form, title="修改项目信息", back=reverse("project_detail", args=[pk]), project=project
    )


@login_required
def project_compound_add(request, pk: int):
    project = _project_for_user(request, pk, write=True)
    if request.method == "POST" and not _searching(request):
        form = project_forms.ProjectCompoundForm(request.POST, project=project)
        if form.is_valid() and _service(
            form,
            lambda: services.project_compound_add(project=project, user=request.user, **form.cleaned_data),
        ):
            messages.success(request, "小区已加入项目。")
            return redirect("project_detail", pk=project.pk)
    elif _searching(request):
        form = _unbound(project_forms.ProjectCompoundForm, request, project=project)
    else:
        form = project_forms.ProjectCompoundForm(project=project)
    return _picker_page(
        request,
        form=form,
        title="添加小区（分期）",
        back=reverse("project_detail", args=[pk]),
        multiple=False,
        is_demo=project.is_demo,
        project=project,
    )


@login_required
def step_edit(request, pk: int, code: str):
    """A step's plan (dates, agency, notes) and its start / completion / undo, for staff."""
    project = _project_for_user(request, pk, write=True)
    step = get_object_or_404(
        ProjectStep.objects.select_related("responsible_agency"), project=project, code=code
    )
    plan_form = project_forms.StepPlanForm(
        request.POST if request.POST.get("form") == "plan" else None,
        initial={
            "planned_start": step.planned_start,
            "planned_end": step.planned_end,
            "responsible_agency": step.responsible_agency,
            "notes": step.notes,
        },
    )
    action_form = project_forms.StepActionForm(
        request.POST if request.POST.get("form") == "action" else None, initial={"on": timezone.localdate()}
    )
    if request.method == "POST":
        if (
            plan_form.is_bound
            and plan_form.is_valid()
            and _service(
                plan_form,
                lambda: services.project_step_plan(step=step, user=request.user, **plan_form.cleaned_data),
            )
        ):
            messages.success(request, f"“{step.name}”的计划已保存。")
            return redirect("project_detail", pk=project.pk)
        if action_form.is_bound and action_form.is_valid():
            data = action_form.cleaned_data
            calls = {
                "start": lambda: services.project_step_start(
                    step=step, started_on=data["on"], user=request.user
                ),
                "complete": lambda: services.project_advance(
                    step=step, completed_on=data["on"], user=request.user, note=data["text"]
                ),
                "reopen": lambda: services.project_step_reopen(
                    step=step, reason=data["text"], user=request.user
                ),
            }
            if _service(action_form, calls[data["action"]]):
                messages.success(request, f"“{step.name}”已{dict(action_form.ACTIONS)[data['action']]}。")
                return redirect("project_detail", pk=project.pk)
    return render(
        request,
        "projects/step_form.html",
        {
            "project": project,
            "step": step,
            "plan_form": plan_form,
            "action_form": action_form,
            "depends_on": [step_catalog.name_of(code) for code in step.definition.depends_on],
        },
    )


def _kept_unit(line, form) -> str:
    """A line recorded in a unit other than the catalog's keeps it while its item stays the same;
    otherwise the quantity is in the catalog item's unit (the form shows that unit beside the item)."""
    if line is not None and line.scope_item_id == form.cleaned_data["scope_item"].pk:
        return line.unit
    return ""


@login_required
def scope_line_edit(request, pk: int, line_id: int | None = None):
    project = _project_for_user(request, pk, write=True)
    line = get_object_or_404(ScopeLine, pk=line_id, project=project) if line_id else None
    initial = {}
    if line is not None:
        initial = {name: getattr(line, name) for name in project_forms.ScopeLineForm.base_fields}
    form = project_forms.ScopeLineForm(request.POST or None, project=project, initial=initial)
    result = {}
    if (
        request.method == "POST"
        and form.is_valid()
        and _service(
            form,
            lambda: result.setdefault(
                "saved",
                services.scope_line_save(
                    project=project, user=request.user, line=line, unit=_kept_unit(line, form), **form.cleaned_data
                ),
            ),
        )
    ):
        messages.success(request, "改造内容已保存。")
        for gap in result["saved"][1]:
            messages.warning(request, gap.message + "请纳入相应改造内容，或在项目页说明未纳入的原因。")
        return redirect("project_detail", pk=project.pk)
    return _form_page(
        request,
        form=form,
        template="projects/scope_line_form.html",
        title="修改改造内容" if line else "添加改造内容",
        back=reverse("project_detail", args=[pk]),
        project=project,
        note="已实施“三供一业”等改造的小区，已改造内容不得重复改造（工作方案五）。",
    )


@login_required
@require_POST
def scope_line_delete(request, pk: int, line_id: int):
    project = _project_for_user(request, pk, write=True)
    line = get_object_or_404(ScopeLine, pk=line_id, project=project)
    services.scope_line_delete(line=line, user=request.user)
    messages.success(request, "改造内容已删除。")
    return redirect("project_detail", pk=project.pk)


@login_required
def four_item_acknowledge(request, pk: int):
    project = _project_for_user(request, pk, write=True)
    form = project_forms.FourItemAckForm(
        request.POST or None,
        project=project,
        initial={"compound": request.GET.get("compound"), "item": request.GET.get("item")},
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and _service(
            form,
            lambda: services.four_item_acknowledge(project=project, user=request.user, **form.cleaned_data),
        )
    ):
        messages.success(request, "缺项原因已记录。")
        return redirect("project_detail", pk=project.pk)
    return _form_page(
        request,
        form=form,
        title="说明水电路气缺项原因",
        back=reverse("project_detail", args=[pk]),
        project=project,
        note="中央补助项目须注重水、电、路、气4项，做到能改即改（工作方案五）。"
        "确实无法纳入的，须逐项说明原因。",
    )


@login_required
def document_upload(request, pk: int):
    project = _project_for_user(request, pk, write=True)
    form = project_forms.DocumentForm(request.POST or None, request.FILES or None, project=project)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _service(
            form,
            lambda: services.document_upload(
                project=project,
                title=data["title"],
                uploaded_file=data["file"],
                kind=data["kind"],
                step=data["step"],
                user=request.user,
            ),
        ):
            messages.success(request, "资料已上传。")
            return redirect("project_detail", pk=project.pk)
    return _form_page(
        request,
        form=form,
        title="上传项目资料",
        back=reverse("project_detail", args=[pk]),
        project=project,
        submit="上传",
    )


@login_required
@require_safe
def document_download(request, pk: int, document_id: int):
    project = _project_for_user(request, pk)
    document = get_object_or_404(ProjectDocument, pk=document_id, project=project)
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )


@login_required
def note_add(request, pk: int):
    project = _project_for_user(request, pk, write=True)
    form = project_forms.NoteForm(request.POST or None, project=project)
    if (
        request.method == "POST"
        and form.is_valid()
        and _service(form, lambda: services.note_add(project=project, user=request.user, **form.cleaned_data))
    ):
        messages.success(request, "备注已记入台账。")
        return redirect("project_detail", pk=project.pk)
    return _form_page(
        request, form=form, title="添加台账备注", back=reverse("project_detail", args=[pk]), project=project
    )


@login_required
def acceptance_edit(request, pk: int):
    project = _project_for_user(request, pk, write=True)
    record = AcceptanceRecord.objects.filter(project=project).first()
    initial = {}
    if record is not None:
        initial = {
            "accepted_on": record.accepted_on,
            "passed": record.passed,
            "participants": record.participants,
            "report": record.report,
            "notes": record.notes,
        }
    form = project_forms.AcceptanceForm(request.POST or None, project=project, initial=initial)
    if (
        request.method == "POST"
        and form.is_valid()
        and _service(
            form,
            lambda: services.acceptance_record_save(project=project, user=request.user, **form.cleaned_data),
        )
    ):
        messages.success(request, "竣工验收记录已保存。")
        return redirect("project_detail", pk=project.pk)
    return _form_page(
        request,
        form=form,
        title="竣工验收记录",
        back=reverse("project_detail", args=[pk]),
        project=project,
        note="施工单位提交竣工验收报告，建设单位组织综合验收，验收合格后方可完成"
        "“竣工验收”步骤（工作方案六(三)3）。请先上传竣工验收报告。",
    )


# --- Ledger ----------------------------------------------------------------------------------------


@login_required
@require_safe
def ledger(request, pk: int):
    """The project's ledger (台账): every change in time order, with who and when; ?export=xlsx."""
    project = _project_for_user(request, pk)
    entries = project_ledger(project=project)
    if request.GET.get("export") == "xlsx":
        return exports.xlsx_response(
            filename=f"项目台账_{project.code}",
            title="项目台账",
            header=exports.LEDGER_HEADER,
            rows=exports.ledger_rows_for_xlsx(entries),
        )
    return render(request, "projects/ledger.html", {"project": project, "entries": entries})


# --- Agencies' tasks --------------------------------------------------------------------------------


class TaskListView(FilteredListView):
    """Tasks from the annex's duties. A liaison sees only their own agency's (and has no 责任单位 filter);
    demo projects' tasks are left out unless the 演示数据 filter asks for them."""

    title = "部门任务"
    roles = frozenset(TASK_READ_ROLES)
    filterset_class = AgencyTaskFilter
    export_name = "部门任务"
    template_name = "projects/task_list.html"
    # Page and export share the columns; the page's row body is templates/jinja2/projects/task_rows.html.
    columns = [
        Column("责任单位", lambda t: str(t.agency), sort="agency"),
        Column("项目", lambda t: str(t.project) if t.project else "全计划", sort="project"),
        Column("任务", "title", sort="title"),
        Column("依据职责", lambda t: t.duty.text if t.duty else "", export_only=True),
        Column("完成时限", "due_date", sort="due_date"),
        Column("状态", "get_status_display", sort="status"),
        Column("进展说明", "notes"),
        Column("完成日期", "completed_on", export_only=True),
        Column("", "pk", page_only=True),
    ]

    def get_queryset(self):
        queryset = AgencyTask.objects.select_related("agency", "project", "duty").order_by("due_date", "id")
        if role_of(self.request.user) == Role.LIAISON:
            agency_id = user_agency_id(self.request.user)
            if agency_id is None:
                raise PermissionDenied("您的账号尚未关联单位。")
            queryset = queryset.filter(agency_id=agency_id)
        return queryset

    def page_rows(self, objects, columns) -> list:
        return list(objects)

    def get_extra_context(self, filterset) -> dict:
        role = role_of(self.request.user)
        intro = "由工作方案附件《职责分工》生成的任务。" + ("这里只列出本单位的任务。" if role == Role.LIAISON else "")
        return {"intro": intro, "today": timezone.localdate(), "can_update": role in TASK_WRITE_ROLES}


task_list = TaskListView.as_view()


@login_required
def task_update(request, pk: int):
    """The task page: its deadline, duty, every progress note and its change history for every reader; the
    form for the next note for staff and the task's agency (leaders and auditors read it only)."""
    if request.method == "GET" and role_of(request.user) not in TASK_WRITE_ROLES:
        task = _task_for_user(request, pk)
        return render(request, "projects/task_detail.html", {
            "task": task, "form": None, "notes": selectors.task_notes(task=task), "history": history_entries(task),
            "today": timezone.localdate()})
    task = _task_for_user(request, pk, write=True)
    form = project_forms.TaskUpdateForm(
        request.POST or None, initial={"status": task.status, "completed_on": task.completed_on}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.agency_task_update(task=task, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _errors_to_form(form, error, fields={"text": "notes"})
        else:
            messages.success(request, "任务进展已记录。")
            return redirect("task_update", pk=task.pk)
    return render(
        request,
        "projects/task_detail.html",
        {"task": task, "form": form, "notes": selectors.task_notes(task=task), "history": history_entries(task),
         "today": timezone.localdate()},
    )


def _errors_to_form(form, error: ValidationError, *, fields: dict[str, str]) -> None:
    """A service's refusal shown beside the field it names (model field → form field), else on top."""
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for name, messages_ in error.message_dict.items():
        field = fields.get(name, name)
        for message in messages_:
            form.add_error(field if field in form.fields else None, message)


# --- Indicators -------------------------------------------------------------------------------------


@login_required
@require_safe
def indicators_view(request):
    require_role(request.user, *READ_ROLES)
    programme = programme_current()
    if programme is None:
        raise Http404("尚未载入改造计划。")
    is_demo = request.GET.get("demo") == "1"
    return render(
        request,
        "projects/indicators.html",
        {"programme": programme, **indicators(programme=programme, is_demo=is_demo)},
    )
