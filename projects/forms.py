from django import forms

from agencies.models import Agency
from communities.models import Compound

from . import admission_rules
from .choices import DocumentKind, FourItem, ScopeCategory, TaskStatus
from .models import ProjectDocument, ProjectStep, ScopeItem


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _compounds_for_picking(*, is_demo: bool):
    # town and assessment come with each compound: the admission rule reads the verdict of every ticked one.
    return Compound.objects.filter(is_demo=is_demo).select_related("town", "assessment")


def _admission_reasons(form, compounds) -> dict[int, str]:
    """The 列入原因 typed beside each picked compound (input reason_<id> of the picker table); a compound
    ruled 不符合, 资料不全 or 待现场审核认定 without one is a form error naming it (三、认定标准; 六(一))."""
    reasons = {}
    for compound in compounds:
        reason = (form.data.get(f"reason_{compound.pk}") or "").strip()
        refusal = admission_rules.missing_reason_refusal(compound, reason)
        if refusal:
            form.add_error("compounds" if "compounds" in form.fields else "compound", refusal)
        elif admission_rules.needs_reason(compound):
            reasons[compound.pk] = reason
    return reasons


class ProjectForm(forms.Form):
    """A new project. Its compounds are ticked in the searchable picker table (templates/projects/
    _compound_picker.html), never rendered as one select of every compound."""

    code = forms.SlugField(label="项目编号", max_length=40, help_text="字母、数字、连字符，如 JY2023-01")
    name = forms.CharField(label="项目名称", max_length=120)
    centrally_subsidised = forms.BooleanField(label="中央补助项目", required=False)
    responsible_agency = forms.ModelChoiceField(
        label="建设（责任）单位", queryset=Agency.objects.all(), required=False, help_text="留空为县住建局"
    )
    description = forms.CharField(label="项目说明", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    compounds = forms.ModelMultipleChoiceField(
        label="小区",
        queryset=_compounds_for_picking(is_demo=False),
        required=False,
        help_text="第1期；分期改造可在项目页添加",
    )
    PLAIN_FIELDS = ("code", "name", "centrally_subsidised", "responsible_agency", "description")

    def clean(self):
        data = super().clean()
        data["reasons"] = _admission_reasons(self, data.get("compounds") or ())
        return data


class ProjectEditForm(forms.Form):
    name = forms.CharField(label="项目名称", max_length=120)
    centrally_subsidised = forms.BooleanField(label="中央补助项目", required=False)
    responsible_agency = forms.ModelChoiceField(label="建设（责任）单位", queryset=Agency.objects.all())
    description = forms.CharField(label="项目说明", widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ProjectCompoundForm(forms.Form):
    """One compound (or phase) added to a project, picked in the same searchable table."""

    compound = forms.ModelChoiceField(label="小区", queryset=Compound.objects.none())
    phase = forms.IntegerField(label="期次", min_value=1, initial=1)
    households = forms.IntegerField(
        label="本期涉及户数", min_value=0, required=False, help_text="留空取小区户数"
    )
    PLAIN_FIELDS = ("phase", "households")

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compound"].queryset = _compounds_for_picking(is_demo=project.is_demo)

    def clean(self):
        data = super().clean()
        compound = data.get("compound")
        reasons = _admission_reasons(self, [compound] if compound else [])
        data["reason"] = reasons.get(compound.pk, "") if compound else ""
        return data
class StepPlanForm(forms.Form):
    planned_start = forms.DateField(label="计划开始", required=False, widget=DateInput())
    planned_end = forms.DateField(label="计划完成", required=False, widget=DateInput())
    responsible_agency = forms.ModelChoiceField(label="责任单位", queryset=Agency.objects.all())
    notes = forms.CharField(label="备注", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def clean(self):
        data = super().clean()
        if (
            data.get("planned_start")
            and data.get("planned_end")
            and data["planned_end"] < data["planned_start"]
        ):
            raise forms.ValidationError("计划完成日期不能早于计划开始日期。")
        return data


class StepActionForm(forms.Form):
    ACTIONS = [("start", "开始"), ("complete", "完成"), ("reopen", "撤销")]
    action = forms.ChoiceField(label="操作", choices=ACTIONS)
    on = forms.DateField(label="日期", required=False, widget=DateInput())
    text = forms.CharField(label="说明", required=False, max_length=500)

    def clean(self):
        data = super().clean()
        if data.get("action") in ("start", "complete") and not data.get("on"):
            raise forms.ValidationError("请填写实际日期。")
        return data


def scope_item_choices(items) -> list:
    """The catalog items grouped under the headings of 五 (category, then 子项), in catalog order, as
    <optgroup>s: 「完善配套设施 · 市政管网设施改造」 holds 供排水管网改造 and the other networks."""
    category_rank = {value: rank for rank, value in enumerate(ScopeCategory.values)}
    groups: dict[tuple, list] = {}
    for item in sorted(items, key=lambda i: (category_rank.get(i.category, 99), i.order, i.pk)):
        heading = ScopeCategory(item.category).label if item.category in category_rank else item.category
        label = heading if not item.subcategory or item.subcategory == heading else f"{heading} · {item.subcategory}"
        groups.setdefault((category_rank.get(item.category, 99), label), []).append(
            (item.pk, f"{item.name}（{item.unit}）")
        )
    # Items were visited by (category, order), so the groups are already in that order.
    return [("", "请选择改造内容")] + [(label, options) for (_, label), options in groups.items()]


class ScopeLineForm(forms.Form):
    """One line of scope. The quantity is entered once, in the catalog item's unit; the Ministry's
    outputs (管网公里, 电梯, 停车位…) derive from it (scope_rules.outputs_from_quantity)."""

    compound = forms.ModelChoiceField(label="小区", queryset=Compound.objects.none())
    scope_item = forms.ModelChoiceField(
        label="改造内容",
        queryset=ScopeItem.objects.all(),
        help_text="按工作方案五的类别分组；括号内为计量单位",
    )
    quantity = forms.DecimalField(
        label="工程量",
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text="按所选改造内容的计量单位填写；改造管网(公里)、加装电梯、停车位、充电桩、养老和托育设施数由工程量得出",
    )
    estimated_cost_yuan = forms.DecimalField(
        label="估算投资(元)", min_value=0, max_digits=14, decimal_places=2
    )
    notes = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compound"].queryset = project.compounds.all()
        field = self.fields["scope_item"]
        field.choices = scope_item_choices(field.queryset)
        field.widget.attrs["data-filterable"] = "true"


class FourItemAckForm(forms.Form):
    compound = forms.ModelChoiceField(label="小区", queryset=Compound.objects.none())
    item = forms.ChoiceField(label="缺项", choices=FourItem.choices)
    reason = forms.CharField(label="未纳入原因", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compound"].queryset = project.compounds.all()


class DocumentForm(forms.Form):
    title = forms.CharField(label="资料名称", max_length=200, required=False, help_text="留空取文件名")
    kind = forms.ChoiceField(label="资料类别", choices=DocumentKind.choices, initial=DocumentKind.OTHER)
    step = forms.ModelChoiceField(label="所属步骤", queryset=ProjectStep.objects.none(), required=False)
    file = forms.FileField(label="文件", help_text="PDF、JPG/PNG 图片或 Office 文件")

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step"].queryset = project.steps.order_by("order")
        self.fields["step"].label_from_instance = lambda step: step.name


class NoteForm(forms.Form):
    text = forms.CharField(label="内容", widget=forms.Textarea(attrs={"rows": 3}))
    step = forms.ModelChoiceField(label="所属步骤", queryset=ProjectStep.objects.none(), required=False)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step"].queryset = project.steps.order_by("order")
        self.fields["step"].label_from_instance = lambda step: step.name


class AcceptanceForm(forms.Form):
    accepted_on = forms.DateField(label="验收日期", widget=DateInput())
    passed = forms.BooleanField(label="验收合格", required=False)
    participants = forms.CharField(
        label="参加单位",
        widget=forms.Textarea(attrs={"rows": 2}),
        initial="建设单位、施工单位、监理单位、规划、发改、财政、住建及相关行业主管部门",
    )
    report = forms.ModelChoiceField(
        label="竣工验收报告", queryset=ProjectDocument.objects.none(), required=False
    )
    notes = forms.CharField(label="验收意见", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["report"].queryset = project.documents.all()


class TaskUpdateForm(forms.Form):
    """One progress report on a task: kept as a dated note beside the earlier ones, never overwriting them."""

    status = forms.ChoiceField(label="状态", choices=TaskStatus.choices)
    notes = forms.CharField(
        label="本次进展说明", widget=forms.Textarea(attrs={"rows": 3}), required=False,
        help_text="选择“受阻”时必须填写受阻原因",
    )
    completed_on = forms.DateField(
        label="完成日期", required=False, widget=DateInput(),
        help_text="状态为已完成时填写，不能晚于今天；留空取今天",
    )
