from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import DecimalValidator
from django.utils import timezone

from projects.forms import DateInput
from ui.people import display_name

from .choices import FundingClass
from .history import MONEY_MODELS
from .models import FundingSourceKind
from .rules import PLEDGE_SOURCES

YUAN_PER_WAN = Decimal(10000)
CENT = Decimal("0.01")


class WanYuanField(forms.DecimalField):
    """An amount typed in 万元, as the pages show it, handed on in 元 (Decimal, two places), as stored.

    The form field keeps the service's argument name (amount_yuan …) because what it hands on is 元.
    0.01 元 is 0.000001 万元: more than six decimals is refused, never rounded away. Initial values
    come from the database in 元 and are shown in 万元; typed text is shown back as typed.
    """

    def __init__(self, label: str, **kwargs):
        kwargs.setdefault("help_text", "单位：万元（最多六位小数，即精确到 0.01 元）；保存时换算为元，下方显示对应的元")
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "data-wan-yuan": "",
                                                           "autocomplete": "off"}))
        super().__init__(label=label, min_value=Decimal("0"), **kwargs)
        # Precision is checked in 元 by to_python, with a sentence saying how to fix it.
        self.validators = [v for v in self.validators if not isinstance(v, DecimalValidator)]

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(",", "").replace("，", "")
        wan = super().to_python(value)
        if wan is None:
            return None
        yuan = wan * YUAN_PER_WAN
        if yuan != yuan.quantize(CENT):
            raise ValidationError(
                f"金额最多精确到 0.01 元（万元后六位小数）：{value} 万元 = {yuan.normalize():f} 元，"
                f"请删去多余的小数位。", code="too_precise")
        if abs(yuan) >= Decimal(10) ** 14:
            raise ValidationError("金额过大：最多 99999999999999.99 元。", code="too_large")
        return yuan.quantize(CENT)

    def validate(self, value):
        super().validate(value)
        if value is not None and value < 0:
            raise ValidationError("金额不能为负数。", code="min_value")

    def prepare_value(self, value):
        if isinstance(value, Decimal | int) and not isinstance(value, bool):
            return _wan_text(Decimal(value) / YUAN_PER_WAN)
        return value


def _wan_text(wan: Decimal) -> str:
    """12.5 万元 → "12.50"; 0.000001 万元 → "0.000001": two decimals at least, all that are needed."""
    whole, fraction = f"{wan:.6f}".split(".")
    return f"{whole}.{fraction.rstrip('0').ljust(2, '0')}"


def _amount(label: str, **extra) -> WanYuanField:
    return WanYuanField(label, **extra)


def _sources():
    return FundingSourceKind.objects.all()


class BudgetLineForm(forms.Form):
    project = forms.ModelChoiceField(label="项目", queryset=None, required=False,
                                     help_text="留空表示全计划层面的预算")
    source = forms.ModelChoiceField(label="资金来源", queryset=_sources())
    funding_class = forms.ChoiceField(label="改造内容类别", choices=FundingClass.choices)
    amount_yuan = _amount("预算金额(万元)")
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = programme.projects.order_by("code")


class AllocationForm(forms.Form):
    source = forms.ModelChoiceField(label="资金来源", queryset=_sources())
    document_number = forms.CharField(label="下达文号", max_length=60)
    allocated_on = forms.DateField(label="下达日期", widget=DateInput())
    amount_yuan = _amount("下达金额(万元)")
    note = forms.CharField(label="说明", max_length=200, required=False)


class DisbursementForm(forms.Form):
    source = forms.ModelChoiceField(label="资金来源", queryset=_sources())
    voucher_number = forms.CharField(label="拨付凭证号", max_length=60)
    disbursed_on = forms.DateField(label="拨付日期", widget=DateInput())
    amount_yuan = _amount("拨付金额(万元)")
    note = forms.CharField(label="说明", max_length=200, required=False)


class ExpenditureForm(forms.Form):
    source = forms.ModelChoiceField(label="资金来源", queryset=_sources())
    payee = forms.CharField(label="收款单位", max_length=120)
    reference = forms.CharField(label="发票/合同号", max_length=80)
    paid_on = forms.DateField(label="支付日期", widget=DateInput())
    amount_yuan = _amount("支出金额(万元)")
    note = forms.CharField(label="说明", max_length=200, required=False)


class ReversalForm(forms.Form):
    reason = forms.CharField(label="冲销原因", max_length=200,
                             help_text="写明错在哪里，如“金额录错，应为 12.50 万元”；正确的金额请冲销后重新记录",
                             widget=forms.Textarea(attrs={"rows": 3}))
    reversed_on = forms.DateField(label="冲销日期", widget=DateInput(), initial=timezone.localdate)

    def clean_reversed_on(self):
        day = self.cleaned_data["reversed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("冲销日期不能晚于今天。")
        return day


class PledgeForm(forms.Form):
    source = forms.ModelChoiceField(label="资金来源", queryset=FundingSourceKind.objects.filter(code__in=PLEDGE_SOURCES))
    pledger = forms.CharField(label="出资单位", max_length=120, help_text="如供电公司、燃气公司、原产权单位")
    pledged_yuan = _amount("承诺出资(万元)")
    pledged_on = forms.DateField(label="承诺日期", widget=DateInput())
    received_yuan = _amount("实际到位(万元)", initial=0)
    received_on = forms.DateField(label="最近到位日期", widget=DateInput(), required=False)
    note = forms.CharField(label="说明", max_length=200, required=False)


class ConstructionCostForm(forms.Form):
    approved_cost_yuan = _amount("核定建安投资(万元)")
    document_number = forms.CharField(label="批复文号", max_length=60)
    approved_on = forms.DateField(label="批复日期", widget=DateInput())


class SourceClassRuleForm(forms.Form):
    rule_id = forms.IntegerField(widget=forms.HiddenInput)
    allowed = forms.BooleanField(label="可以支付", required=False)
    capped_by_construction_cost = forms.BooleanField(label="以核定建安投资为限", required=False)
    note = forms.CharField(label="说明", max_length=200, required=False)


SourceClassRuleFormSet = forms.formset_factory(SourceClassRuleForm, extra=0)


class PersonChoiceField(forms.ModelChoiceField):
    """A user drop-down that reads display names (ui.people), never login names."""

    def label_from_instance(self, obj):
        return display_name(obj)


class MoneyHistoryFilterForm(forms.Form):
    model = forms.ChoiceField(label="记录类型", required=False,
                              choices=[("", "全部"), *((key, str(m._meta.verbose_name)) for key, m in MONEY_MODELS.items())])
    user = PersonChoiceField(label="操作人", required=False, queryset=get_user_model().objects.order_by("first_name", "pk"))
    date_from = forms.DateField(label="起始日期", required=False, widget=DateInput())
    date_to = forms.DateField(label="截止日期", required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "截止日期不能早于起始日期。")
        return data
