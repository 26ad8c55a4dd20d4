"""Pages of compounds, buildings and households (lists in the ui.lists pattern, detail pages) and the
eligibility review (认定审核): queue, verification and exception forms.

Who sees what (DOMAIN.md roles): housing-bureau staff review and record; surveyors read their own
town; leaders and auditors read; liaisons and accounts without a role get 403.
"""

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST, require_safe

from agencies import access
from agencies.access import compounds_for, require_role, role_of
from agencies.choices import Role
from ui.history import history_entries
from ui.lists import Column, FilteredListView
from ui.people import display_name
from ui.xlsx import xlsx_download

from . import selectors, services
from .choices import SurveyUploadState
from .filters import (
    BuildingFilterSet,
    CompoundFilterSet,
    CompoundReviewFilterSet,
    HouseholdFilterSet,
    SurveyUploadFilterSet,
)
from .forms import CompoundFactsForm, CompoundMergeForm, RelaxationForm, SiteVerificationForm, SurveyUploadForm
from .models import Compound, Town
from .selectors import survey_uploads_for
from .survey import (
    SurveyImportError,
    survey_error_workbook,
    survey_import_start,
    survey_template_write,
    survey_upload_create,
)
from .survey.services import SAMPLE_ROWS

_PERSONAL_FIELDS = {"head_name": "name", "phone": "phone"}
QUEUE_ROLES = (Role.STAFF, Role.SURVEYOR, Role.AUDITOR, Role.LEADER)


class CompoundListView(FilteredListView):
    title = "小区"
    intro = "调查录入的小区。演示数据名称以“示例小区-”开头，不计入真实进度。"
    roles = access.COMMUNITY_READERS
    filterset_class = CompoundFilterSet
    detail_url_name = "communities:compound_detail"
    export_name = "小区"
    columns = [
        Column("小区名称", "name", sort="name", link=True),
        Column("乡镇", "town.name", sort="town"),
        Column("社区", "community.name"),
        Column("详细地址", "address", export_only=True),
        Column("产权单位", "owner_work_unit", export_only=True),
        Column("建成年份", "build_year", sort="build_year", numeric=True),
        Column("楼栋数（调查）", "building_count", sort="building_count", numeric=True),
        Column("已录入楼栋", "recorded_buildings", sort="recorded_buildings", numeric=True),
        Column("户数（调查）", "household_count", sort="household_count", numeric=True),
        Column("建筑面积(㎡)", "floor_area_m2", sort="floor_area_m2", numeric=True),
        Column("工作方案点名", "named_in_plan"),
        Column("演示数据", "is_demo"),
    ]

    def get_queryset(self):
        return selectors.compound_list(user=self.request.user)

    def stored_total(self):
        return selectors.stored_total(user=self.request.user, field="compounds")


class BuildingListView(FilteredListView):
    title = "楼栋"
    roles = access.COMMUNITY_READERS
    filterset_class = BuildingFilterSet
    detail_url_name = "communities:building_detail"
    export_name = "楼栋"
    columns = [
        Column("小区", "compound.name", sort="compound"),
        Column("楼栋号", "number", sort="number", link=True),
        Column("乡镇", "compound.town.name", export_only=True),
        Column("建成年份", "build_year", sort="build_year", numeric=True),
        Column("层数", "floors", sort="floors", numeric=True),
        Column("单元数", "units", numeric=True),
        Column("户数（调查）", "household_count", sort="household_count", numeric=True),
        Column("已录入住户", "recorded_households", sort="recorded_households", numeric=True),
        Column("建筑面积(㎡)", "floor_area_m2", sort="floor_area_m2", numeric=True),
        Column("结构类型", "get_structure_type_display"),
        Column("有无电梯", "has_lift"),
    ]

    def get_queryset(self):
        return selectors.building_list(user=self.request.user)

    def stored_total(self):
        return selectors.stored_total(user=self.request.user, field="buildings")


class HouseholdListView(FilteredListView):
    title = "住户"
    intro = "户主姓名和联系电话仅对县住建局工作人员和本乡镇调查员显示，其他角色看到的是遮蔽后的信息（导出同样遮蔽）。"
    roles = access.COMMUNITY_READERS
    filterset_class = HouseholdFilterSet
    detail_url_name = "communities:household_detail"
    export_name = "住户"
    columns = [
        Column("小区", "building.compound.name", sort="compound"),
        Column("楼栋", "building.number", sort="building"),
        Column("单元", "unit", sort="unit"),
        Column("房号", "room", sort="room", link=True),
        Column("户主姓名", "head_name", personal="name"),
        Column("联系电话", "phone", personal="phone"),
        Column("建筑面积(㎡)", "floor_area_m2", sort="floor_area_m2", numeric=True),
        Column("改造意愿", "get_renovation_consent_display", sort="renovation_consent"),
        Column("加装电梯意愿", "get_lift_consent_display"),
        Column("愿意出资", "willing_to_contribute"),
    ]

    def get_queryset(self):
        return selectors.household_list(user=self.request.user)

    def stored_total(self):
        return selectors.stored_total(user=self.request.user, field="households")

    personal_town_lookup = "building__compound__town_id"

    def personal_town_id(self, row):
        return row.building.compound.town_id


@login_required
@require_GET
def compound_detail(request, pk: int):
    """Facts, eligibility verdict with its reasons, buildings, consent, verifications and history."""
    access.require_role(request.user, *access.COMMUNITY_READERS)
    compound = selectors.compound_get(user=request.user, pk=pk)
    context = selectors.compound_page(compound=compound)
    context.update({
        "buildings": selectors.compound_buildings(compound=compound),
        "consent": selectors.consent_counts(
            households=selectors.household_list(user=request.user).filter(building__compound=compound)
        ),
        "history": history_entries(compound),
        "merges": selectors.compound_merges(compound=compound),
        "may_review": role_of(request.user) == Role.STAFF,
        "may_see_queue": role_of(request.user) in QUEUE_ROLES,
    })
    return render(request, "communities/compound_detail.html", context)


@login_required
@require_GET
def building_detail(request, pk: int):
    access.require_role(request.user, *access.COMMUNITY_READERS)
    building = selectors.building_get(user=request.user, pk=pk)
    town_id = building.compound.town_id
    households = [
        {
            "household": household,
            "head_name": access.personal_value(request.user, household.head_name, kind="name", town_id=town_id),
            "phone": access.personal_value(request.user, household.phone, kind="phone", town_id=town_id),
        }
        for household in selectors.building_households(building=building)
    ]
    return render(request, "communities/building_detail.html", {
        "building": building, "households": households, "history": history_entries(building),
    })


@login_required
@require_GET
def household_detail(request, pk: int):
    access.require_role(request.user, *access.COMMUNITY_READERS)
    household = selectors.household_get(user=request.user, pk=pk)
    town_id = household.building.compound.town_id
    visible = access.may_see_personal_data(request.user, town_id=town_id)
    return render(request, "communities/household_detail.html", {
        "household": household,
        "head_name": access.personal_value(request.user, household.head_name, kind="name", town_id=town_id),
        "phone": access.personal_value(request.user, household.phone, kind="phone", town_id=town_id),
        "personal_visible": visible,
        "history": history_entries(household, masked=None if visible else _PERSONAL_FIELDS),
    })


def _compound_for_user(request, pk: int, *, write: bool = False) -> Compound:
    """The compound if the user may read it (write: may review it), else 403, or 404 outside their town."""
    require_role(request.user, *((Role.STAFF,) if write else access.COMMUNITY_READERS))
    queryset = compounds_for(request.user, Compound.objects.select_related("town", "community"))
    return get_object_or_404(queryset, pk=pk)


def _apply_form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _assessed(value):
    """An export cell from the compound's assessment, empty where it has none."""
    def cell(compound):
        assessment = getattr(compound, "assessment", None)
        return value(assessment) if assessment else None
    return cell


def _share(field: str):
    return _assessed(lambda a: None if getattr(a, field) is None else float(getattr(a, field)))


# Page and export of the review queue. The page draws its rows with templates/jinja2/communities/review_rows.html;
# the export keeps its own order (乡镇, 社区, 小区 …) and its detail columns.
QUEUE_COLUMNS = [
    Column("乡镇", "town.name", export_only=True),
    Column("社区", lambda c: c.community.name if c.community else "", export_only=True),
    Column("小区", "name", sort="name"),
    Column("乡镇", "town.name", sort="town", page_only=True),
    Column("社区", "community.name", page_only=True),
    Column("建成年份", "build_year", sort="build_year"),
    Column("认定结论", lambda c: c.assessment.get_verdict_display() if getattr(c, "assessment", None)
           else selectors.NOT_ASSESSED, sort="verdict"),
    Column("中央补助", "pk", page_only=True),
    Column("可申报中央补助", lambda c: selectors.subsidy_label(c.assessment) if getattr(c, "assessment", None)
           else "", export_only=True),
    Column("优先度", _assessed(lambda a: a.priority), sort="priority"),
    Column("改造意愿（按户 / 按面积）", "pk", page_only=True),
    Column("改造意愿（按户）", _share("consent_by_households"), export_only=True),
    Column("改造意愿（按面积）", _share("consent_by_area"), export_only=True),
    Column("审核状态", "get_review_status_display", sort="review_status"),
    Column("缺少的资料", lambda c: "、".join(m["label"] for m in c.assessment.missing_facts)
           if getattr(c, "assessment", None) else "", export_only=True),
    Column("认定理由", lambda c: "；".join(f"{r['fact']} — {r['clause']}" for r in c.assessment.reasons)
           if getattr(c, "assessment", None) else "", export_only=True),
]
REVIEW_ACTIONS = Column("操作", "pk", page_only=True)


class ReviewQueueView(FilteredListView):
    """The review queue (认定审核), most urgent first. Staff get each compound's 现场审核认定 here; surveyors,
    auditors and leaders read the same list and filters without it. Demo compounds are left out of the list
    and the counts unless the 演示数据 filter asks for them. ?format=xlsx (the old export link) still works."""

    title = "认定审核"
    intro = "依据工作方案“三、认定标准”逐条认定；每条理由注明条款和所依据的调查事实。"
    roles = frozenset(QUEUE_ROLES)
    filterset_class = CompoundReviewFilterSet
    export_name = "认定审核"
    template_name = "communities/review_queue.html"

    @property
    def columns(self):
        return QUEUE_COLUMNS + ([REVIEW_ACTIONS] if self._reviews() else [])

    def _reviews(self) -> bool:
        return role_of(self.request.user) == Role.STAFF

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "xlsx" and not request.GET.get("export"):
            query = request.GET.copy()
            del query["format"]
            query["export"] = "xlsx"
            request.GET = query
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.review_queue(user=self.request.user)

    def paginate(self, rows, *, total, number):
        """The page's keys are picked by sorting the ids alone, then only those rows are read whole. Sorting
        every wide row (assessment reasons and all) to keep fifty was most of the queue's time at the large
        benchmark size (benchmarks/README.md)."""
        paginator = Paginator(rows.values_list("pk", flat=True), settings.LIST_PAGE_SIZE)
        page = paginator.get_page(number)
        ids = list(page.object_list)
        whole = rows.order_by().in_bulk(ids)
        page.object_list = [whole[pk] for pk in ids]
        return paginator, page

    def page_rows(self, objects, columns) -> list:
        return list(objects)

    def get_extra_context(self, filterset) -> dict:
        return {
            "counts": selectors.verdict_counts(user=self.request.user, is_demo=filterset.demo_scope()),
            "counts_demo": filterset.demo_scope(),
            "can_review": self._reviews(),
        }


review_queue = ReviewQueueView.as_view()


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
def compound_merge_create(request, pk: int):
    """拆墙连片 (二(四)、五): staff merge an adjacent compound into this one."""
    compound = _compound_for_user(request, pk, write=True)
    form = CompoundMergeForm(request.POST or None, managed=compound)
    if request.method == "POST" and form.is_valid():
        try:
            services.compound_merge(managed=compound, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_form_errors(form, error)
        else:
            messages.success(request, f"已按拆墙连片原则并入{compound.name}（二(四)、五）。")
            return redirect("communities:compound_detail", pk=compound.pk)
    return render(request, "communities/compound_merge_form.html", {
        "compound": compound, "form": form, "merges": selectors.compound_merges(compound=compound),
    })


@login_required
def compound_facts_edit(request, pk: int):
    """Staff correct the facts of 三(二)2–3 (gas and telecom apart, the left-out item of 三(二)3)."""
    compound = _compound_for_user(request, pk, write=True)
    form = CompoundFactsForm(request.POST or None, instance=compound)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in CompoundFactsForm.Meta.fields}
        try:
            services.compound_facts_update(compound=compound, user=request.user, changes=changes)
        except ValidationError as error:
            _apply_form_errors(form, error)
        else:
            messages.success(request, "调查事实已修改，认定结论已重新计算。")
            return redirect("communities:compound_detail", pk=compound.pk)
    return render(request, "communities/compound_facts_form.html", {"compound": compound, "form": form})


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


SURVEY_ROLES = tuple(access.SURVEY_UPLOADERS)
SURVEY_READ_ROLES = tuple(access.SURVEY_READERS)
ERRORS_SHOWN = 1000


def _upload_for_user(request, pk, *, write: bool = False):
    """The upload if the user may see it (404 otherwise), after the role check (403): auditors read
    uploads but confirm none."""
    require_role(request.user, *(SURVEY_ROLES if write else SURVEY_READ_ROLES))
    return get_object_or_404(survey_uploads_for(request.user), pk=pk)


@login_required
@require_safe
def survey_template(request):
    require_role(request.user, *SURVEY_ROLES)
    return xlsx_download(survey_template_write(), "摸底调查表模板.xlsx")


@login_required
def survey_upload(request):
    require_role(request.user, *SURVEY_ROLES)
    form = SurveyUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            upload = survey_upload_create(user=request.user, town=form.cleaned_data["town"],
                                          uploaded_file=form.cleaned_data["file"],
                                          csv_sheet=form.cleaned_data["csv_sheet"],
                                          csv_encoding=form.cleaned_data["csv_encoding"])
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            return redirect("communities:survey_detail", pk=upload.pk)
    return render(request, "communities/survey_upload.html",
                  {"form": form, "max_mb": settings.JINGYUAN_UPLOAD_MAX_BYTES // (1024 * 1024)})


class SurveyListView(FilteredListView):
    """The upload history (摸底调查上传记录), newest first, sortable and paged like every list."""

    title = "摸底调查上传记录"
    roles = frozenset(SURVEY_READ_ROLES)
    filterset_class = SurveyUploadFilterSet
    template_name = "communities/survey_list.html"
    # The row body is templates/jinja2/communities/survey_rows.html (two links a row: the upload, its file).
    columns = [
        Column("上传时间", "uploaded_at", sort="uploaded_at"),
        Column("乡镇", "town.name", sort="town"),
        Column("文件名", "original_name", sort="original_name"),
        Column("上传人", "uploaded_by"),
        Column("状态", "get_state_display", sort="state"),
        Column("错误", "error_count", sort="error_count", numeric=True),
        Column("提示", "warning_count", sort="warning_count", numeric=True),
    ]

    def get_queryset(self):
        return survey_uploads_for(self.request.user)

    def page_rows(self, objects, columns) -> list:
        return [{"upload": upload, "by": display_name(upload.uploaded_by),
                 "when": timezone.localtime(upload.uploaded_at).strftime("%Y-%m-%d %H:%M")} for upload in objects]

    def get_extra_context(self, filterset) -> dict:
        return {"may_upload": role_of(self.request.user) in SURVEY_ROLES}


survey_list = SurveyListView.as_view()


@login_required
@require_safe
def survey_detail(request, pk):
    upload = _upload_for_user(request, pk)
    lines = selectors.survey_problem_lines(upload.errors)
    return render(request, "communities/survey_detail.html", {
        "may_upload": role_of(request.user) in SURVEY_ROLES,
        "upload": upload, "problems": lines[:ERRORS_SHOWN], "more_problems": max(len(lines) - ERRORS_SHOWN, 0),
        "counts": list(upload.counts.values()), "sample": upload.sample, "sample_rows": SAMPLE_ROWS,
    })


@login_required
@require_safe
def survey_status(request, pk):
    """Polled by the progress bar while a large file is checked or imported."""
    upload = _upload_for_user(request, pk)
    return JsonResponse({"state": upload.state, "state_label": upload.get_state_display(),
                         "progress": upload.progress, "busy": upload.is_busy,
                         "errors": upload.error_count, "warnings": upload.warning_count})


@login_required
@require_POST
def survey_confirm(request, pk):
    upload = _upload_for_user(request, pk, write=True)
    try:
        upload = survey_import_start(upload=upload, user=request.user)
    except SurveyImportError as exc:
        messages.error(request, str(exc))
    else:
        if upload.state == "imported":
            messages.success(request, "导入完成。")
        elif upload.state == "invalid":
            messages.error(request, "导入前复核发现错误，未写入任何数据。")
    return redirect("communities:survey_detail", pk=upload.pk)


@login_required
@require_safe
def survey_error_download(request, pk):
    upload = _upload_for_user(request, pk)
    content = survey_error_workbook(path=Path(upload.original_file.path), file_format=upload.file_format,
                                    csv_sheet=upload.csv_sheet, csv_encoding=upload.csv_encoding,
                                    problems=upload.errors)
    return xlsx_download(content, f"{Path(upload.original_name).stem}-错误标注.xlsx")


@login_required
@require_GET
def town_detail(request, pk: int):
    """A town's page, where its surveyors land (issue 17): upload, their uploads, verdict counts, what is
    missing. Surveyors see only their own town (another is 404, as if it did not exist)."""
    role = access.require_role(request.user, *access.COMMUNITY_READERS)
    if role == Role.SURVEYOR and access.user_town_id(request.user) != pk:
        raise Http404("没有这个乡镇。")
    town = get_object_or_404(Town, pk=pk)
    context = selectors.town_page(user=request.user, town=town)
    context.update({
        "may_upload": role in access.SURVEY_UPLOADERS,
        "waiting": [u for u in context["uploads"] if u.state == SurveyUploadState.READY],
    })
    return render(request, "communities/town_detail.html", context)


@login_required
@require_GET
def survey_original(request, pk):
    """The file exactly as it was uploaded (the evidence an auditor checks the import against)."""
    upload = _upload_for_user(request, pk)
    return FileResponse(upload.original_file.open("rb"), as_attachment=True, filename=upload.original_name)
