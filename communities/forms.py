from django import forms

from .models import Building, EligibilityRelaxation, SiteVerification


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
