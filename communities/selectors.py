from agencies.access import role_of, user_town_id
from agencies.choices import Role

from .models import SurveyUpload


def survey_uploads_for(user):
    """Uploads the user may see: staff all, a surveyor their own town's; nobody else any."""
    queryset = SurveyUpload.objects.select_related("town", "uploaded_by", "imported_by")
    role = role_of(user)
    if role == Role.STAFF:
        return queryset
    if role == Role.SURVEYOR and user_town_id(user):
        return queryset.filter(town_id=user_town_id(user))
    return queryset.none()
