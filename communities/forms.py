from django import forms
from django.conf import settings

from .choices import CsvEncoding, SurveySheet
from .models import Building, EligibilityRelaxation, SiteVerification
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
