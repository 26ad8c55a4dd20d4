"""Money pages. Thin: access check → form → one service or selector → response."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from agencies import access
from projects.models import Project
from projects.selectors import programme_current
from ui.lists import Column, FilteredListView, invalid_filter_response
from ui.people import display_name
from ui.xlsx import xlsx_response

from . import forms, selectors, services
from .filters import BudgetLineFilterSet
from .history import money_changes, money_history_queryset
from .models import Allocation, BudgetLine, Disbursement, Expenditure, Pledge, SourceClassRule
from .rules import NDRC_CENTRAL_BUDGET, REVERSAL_BASIS, wan


def _programme():
    programme = programme_current()
    if programme is None:
        raise Http404("尚未载入改造计划。")
    return programme


def _project_for_user(request, pk: int, roles: frozenset) -> Project:
    """The project if the user may use this money page; else 403 (role) or 404 (no such project)."""
    access.require_funding_role(request.user, roles)
    return get_object_or_404(Project.objects.select_related("programme"), pk=pk)


def _service(form, call) -> bool:
    """Run a service; its refusal is shown beside the field it concerns (or above the form)."""
    try:
        call()
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                for message in errors:
                    form.add_error(name if name in form.fields else None, message.messages[0])
        else:
            for message in error.messages:
                form.add_error(None, message)
        return False
    return True


def _form_page(request, *, form, title: str, back: str, project=None, note: str = ""):
    return render(request, "funding/form.html",
                  {"form": form, "title": title, "back": back, "project": project, "note": note})


# --- Budget lines -----------------------------------------------------------------------------------


def _wan_of(path: str):
    def value(row):
        return wan(getattr(row, path))
    return value


class BudgetLineListView(FilteredListView):
    title = "预算明细"
    intro = "金额按万元显示（两位小数），按元存储；导出的 Excel 同时给出元和万元。"
    roles = access.FUNDING_READERS
    filterset_class = BudgetLineFilterSet
    export_name = "预算明细"
    template_name = "funding/budget_line_list.html"
    columns = [
        Column("项目编号", lambda row: row.project.code if row.project_id else "全计划", sort="project"),
        Column("项目名称", "project.name"),
        Column("资金来源", "source.name", sort="source"),
        Column("改造内容类别", "get_funding_class_display", sort="funding_class"),
        Column("国家分类（国办发〔2020〕23号）", "national_class_label", export_only=True),
        Column("预算金额(万元)", _wan_of("amount_yuan"), sort="amount", numeric=True),
        Column("预算金额(元)", "amount_yuan", numeric=True, export_only=True),
        Column("说明", "note"),
        Column("录入人", lambda line: display_name(line.created_by), export_only=True),
        Column("更新时间", "updated_at", sort="updated_at", export_only=True),
    ]

    def get(self, request, *args, **kwargs):
        access.require_funding_role(request.user, self.roles)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.budget_line_list()

    def get_extra_context(self, filterset) -> dict:
        return {"can_edit": access.role_of(self.request.user) in access.FUNDING_EDITORS}


budget_line_list = BudgetLineListView.as_view()


@login_required
def budget_line_edit(request, pk: int | None = None):
    access.require_funding_role(request.user, access.FUNDING_EDITORS)
    programme = _programme()
    line = get_object_or_404(BudgetLine, pk=pk) if pk else None
    initial = {}
    if line:
        initial = {"project": line.project, "source": line.source, "funding_class": line.funding_class,
                   "amount_yuan": line.amount_yuan, "note": line.note}
    elif request.GET.get("project"):
        initial["project"] = request.GET["project"]
    form = forms.BudgetLineForm(request.POST or None, initial=initial, programme=programme)
    if request.method == "POST" and form.is_valid() and _service(
            form, lambda: services.budget_line_save(programme=programme, user=request.user, line=line,
                                                    **form.cleaned_data)):
        messages.success(request, "预算明细已保存。")
        project = form.cleaned_data["project"]
        return redirect("funding:project_funding", pk=project.pk) if project else redirect("funding:budget_line_list")
    return _form_page(request, form=form, title="修改预算明细" if line else "新增预算明细",
                      back=reverse("funding:budget_line_list"),
                      note="中央补助来源须符合三(二)不得重复申报的规定；资金来源适用范围见“资金来源适用范围”表。")


@login_required
@require_POST
def budget_line_delete(request, pk: int):
    access.require_funding_role(request.user, access.FUNDING_EDITORS)
    line = get_object_or_404(BudgetLine, pk=pk)
    services.budget_line_delete(line=line, user=request.user)
    messages.success(request, "预算明细已删除（变更记录中可查）。")
    return redirect("funding:budget_line_list")


# --- A project's money --------------------------------------------------------------------------------


@login_required
@require_GET
def project_funding(request, pk: int):
    project = _project_for_user(request, pk, access.FUNDING_READERS)
    role = access.role_of(request.user)
    context = selectors.project_funding(project=project)
    context.update({
        "project": project,
        "can_edit": role in access.FUNDING_EDITORS,
        "can_record": role in access.FUNDING_RECORDERS,
    })
    return render(request, "funding/project_funding.html", context)


def _movement(request, pk: int, *, roles, form_class, service, title: str, note: str = ""):
    project = _project_for_user(request, pk, roles)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid() and _service(
            form, lambda: service(project=project, user=request.user, **form.cleaned_data)):
        messages.success(request, f"{title}已记录。")
        return redirect("funding:project_funding", pk=project.pk)
    return _form_page(request, form=form, title=title, back=reverse("funding:project_funding", args=[project.pk]),
                      project=project, note=f"{note}已记录的{title[2:]}如有错误，请在项目资金页对该记录“冲销”后重新记录。")


@login_required
def allocation_create(request, pk: int):
    return _movement(request, pk, roles=access.FUNDING_RECORDERS, form_class=forms.AllocationForm,
                     service=services.allocation_record, title="资金下达",
                     note="中央补助来源须符合三(二)：已纳入棚改计划、其他财政支持计划或已完成改造的小区不得重复申报。")


@login_required
def disbursement_create(request, pk: int):
    return _movement(request, pk, roles=access.FUNDING_RECORDERS, form_class=forms.DisbursementForm,
                     service=services.disbursement_record, title="资金拨付",
                     note="累计拨付不能超过累计下达（按项目、按资金来源）。")


@login_required
def expenditure_create(request, pk: int):
    return _movement(request, pk, roles=access.FUNDING_EDITORS, form_class=forms.ExpenditureForm,
                     service=services.expenditure_record, title="资金支出",
                     note="累计支出不能超过累计拨付（按项目、按资金来源）。")


# Who may reverse an entry: the roles that record that kind of entry.
_REVERSIBLE = {
    "allocations": (Allocation, access.FUNDING_RECORDERS, "下达"),
    "disbursements": (Disbursement, access.FUNDING_RECORDERS, "拨付"),
    "expenditures": (Expenditure, access.FUNDING_EDITORS, "支出"),
}


@login_required
def movement_reverse(request, pk: int, kind: str, movement_id: int):
    """Correct a wrong 下达/拨付/支出 by a reversing entry with a reason; the original stays on record."""
    if kind not in _REVERSIBLE:
        raise Http404("没有这类资金记录。")
    model, roles, step = _REVERSIBLE[kind]
    project = _project_for_user(request, pk, roles)
    movement = get_object_or_404(model.objects.select_related("source"), pk=movement_id, project=project)
    form = forms.ReversalForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _service(
            form, lambda: services.movement_reverse(movement=movement, user=request.user, **form.cleaned_data)):
        messages.success(request, f"{step}记录已冲销（原记录保留，变更记录中可查）。")
        return redirect(reverse("funding:project_funding", args=[project.pk]) + f"#{kind}")
    return render(request, "funding/reverse.html", {
        "form": form, "title": f"冲销{step}记录", "project": project, "movement": movement, "step": step,
        "date_text": services.movement_date_text(movement), "basis": REVERSAL_BASIS,
        "back": reverse("funding:project_funding", args=[project.pk]),
        "refusal": None if request.method == "POST" else selectors.movement_reversal_refusal(movement=movement),
    })


@login_required
def construction_cost_edit(request, pk: int):
    project = _project_for_user(request, pk, access.FUNDING_EDITORS)
    approval = getattr(project, "construction_cost_approval", None)
    initial = ({"approved_cost_yuan": approval.approved_cost_yuan, "document_number": approval.document_number,
                "approved_on": approval.approved_on} if approval else {})
    form = forms.ConstructionCostForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid() and _service(
            form, lambda: services.construction_cost_approve(project=project, user=request.user,
                                                             **form.cleaned_data)):
        messages.success(request, "核定建安投资已保存。")
        return redirect("funding:project_funding", pk=project.pk)
    return _form_page(request, form=form, title="核定建安投资", project=project,
                      back=reverse("funding:project_funding", args=[project.pk]),
                      note=f"中央预算内资金以核定的建安投资为限（{NDRC_CENTRAL_BUDGET}）。")


@login_required
def pledge_edit(request, pk: int, pledge_id: int | None = None):
    project = _project_for_user(request, pk, access.FUNDING_RECORDERS)
    pledge = get_object_or_404(Pledge, pk=pledge_id, project=project) if pledge_id else None
    initial = {}
    if pledge:
        initial = {name: getattr(pledge, name) for name in forms.PledgeForm.base_fields}
    form = forms.PledgeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid() and _service(
            form, lambda: services.pledge_save(project=project, user=request.user, pledge=pledge,
                                               **form.cleaned_data)):
        messages.success(request, "出资承诺已保存。")
        return redirect("funding:project_funding", pk=project.pk)
    return _form_page(request, form=form, title="出资承诺与到位", project=project,
                      back=reverse("funding:project_funding", args=[project.pk]),
                      note="通信、燃气、供电等管线单位和原产权单位的出资，记录承诺金额和实际到位金额（七(二)）。")


# --- Programme pages ------------------------------------------------------------------------------------


@login_required
def source_class_rules(request):
    """Staff edit which source may pay for which class of work (a policy kept as data; each row cites its source)."""
    access.require_funding_role(request.user, access.FUNDING_EDITORS)
    rules = list(SourceClassRule.objects.select_related("source").order_by("source__order", "source_id",
                                                                          "funding_class"))
    initial = [{"rule_id": r.pk, "allowed": r.allowed, "capped_by_construction_cost": r.capped_by_construction_cost,
                "note": r.note} for r in rules]
    formset = forms.SourceClassRuleFormSet(request.POST or None, initial=initial)
    if request.method == "POST" and formset.is_valid():
        by_id = {r.pk: r for r in rules}
        for form in formset:
            if form.has_changed() and form.cleaned_data["rule_id"] in by_id:
                data = form.cleaned_data
                services.source_class_rule_update(rule=by_id[data["rule_id"]], allowed=data["allowed"],
                                                  capped_by_construction_cost=data["capped_by_construction_cost"],
                                                  note=data["note"], user=request.user)
        messages.success(request, "资金来源适用范围已保存。")
        return redirect("funding:source_class_rules")
    rows = list(zip(rules, formset, strict=False))
    return render(request, "funding/source_class_rules.html",
                  {"formset": formset, "rows": rows, "ndrc_source": NDRC_CENTRAL_BUDGET})


@login_required
@require_GET
def reconciliation(request):
    access.require_funding_role(request.user, access.FUNDING_READERS)
    programme = _programme()
    return render(request, "funding/reconciliation.html", {
        "programme": programme,
        "reconciliation": selectors.funding_reconciliation(programme=programme),
        "by_source": selectors.funding_by_source(programme=programme),
        "by_project": selectors.funding_by_project(programme=programme),
        "demo": selectors.funding_reconciliation(programme=programme, include_demo=True),
    })


HISTORY_PAGE_SIZE = 50


@login_required
@require_GET
def money_history(request):
    """Every change to every money record (who, when, old → new), filterable; ?export=xlsx downloads it."""
    access.require_funding_role(request.user, access.FUNDING_HISTORY_READERS)
    form = forms.MoneyHistoryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    if form.is_bound and not form.is_valid():
        rows = None
    else:
        rows = money_history_queryset(model=filters.get("model", ""), user=filters.get("user"),
                                      date_from=filters.get("date_from"), date_to=filters.get("date_to"))
    if request.GET.get("export") == "xlsx":
        if rows is None:
            return invalid_filter_response(request, form)
        return xlsx_response(filename_stem="资金变更记录", title="资金变更记录",
                             headers=["时间", "操作人", "记录类型", "记录", "操作", "字段", "原值", "新值", "原因"],
                             rows=_history_rows(money_changes(list(rows))))
    page = Paginator(rows if rows is not None else [], HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "funding/money_history.html", {
        "form": form, "page_obj": page, "entries": money_changes(list(page.object_list)),
        "query": query.urlencode(),
    })


def _history_rows(entries):
    for entry in entries:
        for label, old, new in entry.changes or [("", "", "")]:
            yield [entry.when, entry.who, entry.model_label, entry.record, entry.action, label, old, new,
                   entry.reason]

