from django import forms
from django.conf import settings

from .choices import CsvEncoding, LeftOutItem, SurveySheet
from .models import Building, Compound, CompoundMerge, EligibilityRelaxation, SiteVerification
from .survey import survey_upload_towns
from .survey.reader import too_big_message


class DateInput(forms.DateInput):
    input_type = "date"


class SiteVerificationForm(forms.ModelForm):
    """现场审核认定: the housing bureau with the town, the 社区 and the design institute."""

    class Meta:
        model = SiteVerification
        fields = ["verified_on", "town_participant", "community_participant", "design_institute", "decision",
                  "demolition_judgement", "notes"]
        widgets = {"verified_on": DateInput(), "notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["demolition_judgement"].choices = [("", "本次未判断"),
                                                       *self.fields["demolition_judgement"].choices[1:]]


_CONDITION_HELP = "三(一)：三项条件都满足才能放宽认定年限"


class RelaxationForm(forms.ModelForm):
    """放宽认定 (三(一)): the building(s) or compound it names, each of the three conditions, the reason and
    the approver. It admits what it names, not the whole compound."""

    closely_joined = forms.BooleanField(label="与有改造任务的小区（楼宇）紧密相连", help_text=_CONDITION_HELP)
    residents_strongly_want = forms.BooleanField(label="居民改造意愿强烈", help_text=_CONDITION_HELP)
    renovation_necessary = forms.BooleanField(label="有改造必要", help_text=_CONDITION_HELP)

    class Meta:
        model = EligibilityRelaxation
        fields = ["building", "joined_to", "closely_joined", "residents_strongly_want", "renovation_necessary",
                  "reason", "approver", "approved_on"]
        widgets = {"approved_on": DateInput(), "reason": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, compound, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = Building.objects.filter(compound=compound)
        self.fields["building"].empty_label = "本小区（整个小区建于2000年以后）"
        self.fields["building"].help_text = "放宽只及于所选楼栋；多栋请逐栋录入"
        self.fields["joined_to"].required = True


class CompoundFactsForm(forms.ModelForm):
    """The facts of 三(二) staff correct after checking: gas and telecom apart (三(二)2) and, for a recently
    renovated compound, which left-out item is needed (三(二)3)."""

    renovation_left_out = forms.MultipleChoiceField(
        label="改造未涉及内容（三(二)3）", choices=LeftOutItem.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="近年改扩翻、三供一业改造未涉及、现需改造的内容；只有“近年已改造”不构成改造条件")

    class Meta:
        model = Compound
        fields = ["no_natural_gas", "gas_supply_needs_work", "telecom_needs_work", "gas_telecom_to_review",
                  "recently_renovated", "renovation_left_out", "renovated_content"]
        widgets = {"renovated_content": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["renovation_left_out"] = [item for item in self.instance.renovation_left_out.split("、")
                                                   if item]

    def clean_renovation_left_out(self):
        chosen = set(self.cleaned_data["renovation_left_out"])
        return "、".join(item for item in LeftOutItem.values if item in chosen)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("renovation_left_out") and cleaned.get("recently_renovated") is not True:
            self.add_error("renovation_left_out", "只有“近年已改造(三供一业等)”为“是”的小区才填改造未涉及内容（三(二)3）。")
        return cleaned


class SurveyUploadForm(forms.Form):
    """The upload page: a file; for CSV which sheet it is and its encoding; for staff, the town."""

    file = forms.FileField(label="摸底调查表文件", help_text="支持 .xlsx、.xlsm、.xls、.ods、.csv")
    town = forms.ModelChoiceField(label="乡镇", queryset=None, empty_label=None)
    csv_sheet = forms.ChoiceField(label="CSV 文件是哪张表", required=False,
                                  choices=[("", "（上传 Excel 工作簿时不用选）"), *SurveySheet.choices])
    csv_encoding = forms.ChoiceField(label="CSV 编码", choices=CsvEncoding.choices, initial=CsvEncoding.AUTO)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        towns = survey_upload_towns(user)
        self.fields["town"].queryset = towns
        if towns.count() == 1:
            self.fields["town"].initial = towns.first()
            self.fields["town"].disabled = True  # a surveyor's town comes from the account

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.JINGYUAN_UPLOAD_MAX_BYTES:
            raise forms.ValidationError(too_big_message(upload.size))
        return upload

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload and upload.name.lower().endswith((".csv", ".txt")) and not cleaned.get("csv_sheet"):
            self.add_error("csv_sheet", "CSV 文件只含一张表，请选择它是「小区」「楼栋」还是「住户」表。")
        return cleaned


class CompoundMergeForm(forms.ModelForm):
    """拆墙连片 (二(四)、五): merge an adjacent or nearby compound of the same town into this one."""

    class Meta:
        model = CompoundMerge
        fields = ["absorbed", "reason", "merged_on"]
        labels = {"absorbed": "并入本小区的相邻小区"}
        widgets = {"merged_on": DateInput(), "reason": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, managed, **kwargs):
        super().__init__(*args, **kwargs)
        # Candidates: the same town and kind of data, not itself, not merged already (the service
        # checks again, under a lock).
        self.fields["absorbed"].queryset = (
            Compound.objects.filter(town_id=managed.town_id, is_demo=managed.is_demo, merged_into__isnull=True)
            .exclude(pk=managed.pk).order_by("name")
        )

    def _post_clean(self):
        # The service validates the merge as a whole (with the managed compound and the user).
        pass
