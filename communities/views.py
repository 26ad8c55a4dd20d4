"""Eligibility review pages (认定审核): queue, compound page, verification and exception forms.

Who sees what (DOMAIN.md roles): housing-bureau staff review and record; surveyors read their own
town's verdicts; auditors read everything; leaders see only the counts by verdict; liaisons and
accounts without a role get 403.
"""

from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from agencies.access import compounds_for, require_role, role_of
from agencies.choices import Role

from . import selectors, services
from .filters import CompoundReviewFilterSet
from .forms import RelaxationForm, SiteVerificationForm
from .models import Compound

QUEUE_ROLES = (Role.STAFF, Role.SURVEYOR, Role.AUDITOR, Role.LEADER)
READ_ROLES = (Role.STAFF, Role.SURVEYOR, Role.AUDITOR)
PAGE_SIZE = 50


def _compound_for_user(request, pk: int, *, write: bool = False) -> Compound:
    """The compound if the user may read it (write: may review it), else 403, or 404 outside their town."""
    require_role(request.user, *((Role.STAFF,) if write else READ_ROLES))
    queryset = compounds_for(request.user, Compound.objects.select_related("town", "community"))
    return get_object_or_404(queryset, pk=pk)


def _apply_form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@login_required
def review_queue(request):
    role = require_role(request.user, *QUEUE_ROLES)
    visible = selectors.review_queue(user=request.user)
    context = {"counts": selectors.verdict_counts(queryset=visible), "counts_only": role == Role.LEADER}
    if role != Role.LEADER:
        filterset = CompoundReviewFilterSet(request.GET or None, queryset=visible, request=request)
        compounds = filterset.qs
        if request.GET.get("format") == "xlsx":
            return _queue_xlsx(compounds)
        query = request.GET.copy()
        query.pop("page", None)
        context.update({
            "filter": filterset,
            "page": Paginator(compounds, PAGE_SIZE).get_page(request.GET.get("page")),
            "query": query.urlencode(),
        })
    return render(request, "communities/review_queue.html", context)


def _queue_xlsx(compounds) -> HttpResponse:
    """The filtered queue as a spreadsheet, same rows as the page (same FilterSet)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "认定审核"
    sheet.append(["乡镇", "社区", "小区", "建成年份", "认定结论", "可申报中央补助", "优先度", "改造意愿（按户）",
                  "改造意愿（按面积）", "审核状态", "缺少的资料", "认定理由"])
    for compound in compounds:
        assessment = getattr(compound, "assessment", None)
        subsidy = {True: "是", False: "否", None: "待定"}[assessment.central_subsidy_allowed] if assessment else ""
        sheet.append([
            compound.town.name, compound.community.name if compound.community else "", compound.name,
            compound.build_year, assessment.get_verdict_display() if assessment else selectors.NOT_ASSESSED,
            subsidy, assessment.priority if assessment else None,
            float(assessment.consent_by_households) if assessment and assessment.consent_by_households is not None
            else None,
            float(assessment.consent_by_area) if assessment and assessment.consent_by_area is not None else None,
            compound.get_review_status_display(),
            "、".join(m["label"] for m in assessment.missing_facts) if assessment else "",
            "；".join(f"{r['fact']} — {r['clause']}" for r in assessment.reasons) if assessment else "",
        ])
    buffer = BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="eligibility-review.xlsx"'
    return response


@login_required
def compound_detail(request, pk: int):
    compound = _compound_for_user(request, pk)
    context = selectors.compound_page(compound=compound)
    context["may_review"] = role_of(request.user) == Role.STAFF
    return render(request, "communities/compound_detail.html", context)


@login_required
def verification_create(request, pk: int):
    compound = _compound_for_user(request, pk, write=True)
    form = SiteVerificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.verification_record(compound=compound, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_form_errors(form, error)
        else:
            messages.success(request, "现场审核认定已记录。")
            return redirect("communities:compound_detail", pk=compound.pk)
    return render(request, "communities/verification_form.html", {"compound": compound, "form": form})


@login_required
def relaxation_create(request, pk: int):
    compound = _compound_for_user(request, pk, write=True)
    form = RelaxationForm(request.POST or None, compound=compound)
    if request.method == "POST" and form.is_valid():
        try:
            services.relaxation_record(compound=compound, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_form_errors(form, error)
        else:
            messages.success(request, "放宽认定已记录，认定结论已重新计算。")
            return redirect("communities:compound_detail", pk=compound.pk)
    return render(request, "communities/relaxation_form.html", {"compound": compound, "form": form})


@login_required
@require_POST
def compound_report(request, pk: int):
    compound = _compound_for_user(request, pk, write=True)
    try:
        services.compound_report(compound=compound, user=request.user)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, "已标记为报县政府。")
    return redirect("communities:compound_detail", pk=compound.pk)
