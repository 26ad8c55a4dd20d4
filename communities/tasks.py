"""Background checks and imports of large survey files (over JINGYUAN_SURVEY_ASYNC_ROWS rows)."""

import logging

from celery import shared_task
from django.contrib.auth import get_user_model

from .choices import SurveyUploadState
from .models import SurveyUpload

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def survey_check_task(upload_id: int) -> None:
    from .survey.services import survey_upload_check

    upload = SurveyUpload.objects.select_related("town").filter(pk=upload_id).first()
    if upload is None or upload.state != SurveyUploadState.CHECKING:
        return  # gone, or a second delivery of a task that already ran
    survey_upload_check(upload=upload)


@shared_task(acks_late=True)
def survey_import_task(upload_id: int, user_id: int) -> None:
    from .survey.services import survey_import

    upload = SurveyUpload.objects.select_related("town").filter(pk=upload_id).first()
    user = get_user_model().objects.filter(pk=user_id).first()
    if upload is None or user is None or upload.state != SurveyUploadState.IMPORTING:
        return
    # survey_import records a failure on the upload itself; the task need not retry a file error.
    survey_import(upload=upload, user=user, claim=False)
