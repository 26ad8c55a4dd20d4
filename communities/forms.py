from django import forms
from django.conf import settings

from .choices import CsvEncoding, SurveySheet
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
                  "notes"]
        widgets = {"verified_on": DateInput(), "notes": forms.Textarea(attrs={"rows": 4})}


class RelaxationForm(forms.ModelForm):
    """放宽认定 (三(一)): a recorded exception with its reason and approver."""

    class Meta:
        model = EligibilityRelaxation
        fields = ["building", "reason", "approver", "approved_on"]
        widgets = {"approved_on": DateInput(), "reason": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, compound, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = Building.objects.filter(compound=compound)
        self.fields["building"].empty_label = "整个小区"


class SurveyUploadForm(forms.Form):
    """The upload page: a file; for CSV which sheet it is and its encoding; for staff, the town."""

    file = forms.FileField(label="摸底调查表文件", help_text="支持 .xlsx、.xlsm、.xls、.csv")
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
