import django_filters

from .models import SurveyUpload


class SurveyUploadFilterSet(django_filters.FilterSet):
    """The upload history list (and any export of it) filters through this one set."""

    class Meta:
        model = SurveyUpload
        fields = ["town", "state"]
