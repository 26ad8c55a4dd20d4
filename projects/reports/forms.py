from django import forms
from django.utils import timezone

from ..forms import DateInput
from .choices import ReportKind


class ReportRequestForm(forms.Form):
    kind = forms.ChoiceField(label="报告", choices=ReportKind.choices)
    cutoff = forms.DateField(label="数据截止日期", widget=DateInput(), initial=timezone.localdate)
    is_demo = forms.BooleanField(label="使用演示数据", required=False)

    def clean_cutoff(self):
        cutoff = self.cleaned_data["cutoff"]
        if cutoff > timezone.localdate():
            raise forms.ValidationError("数据截止日期不能晚于今天。")
        return cutoff
