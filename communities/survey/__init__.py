"""Survey spreadsheets (摸底调查表): reading, checking, previewing and importing them (issue #4).

Public names: the services below; views, tasks and commands use only these.
"""

from .error_workbook import survey_error_workbook
from .reader import SurveyFileError
from .services import (
    SurveyImportError,
    SurveyReport,
    survey_check_may_upload,
    survey_file_check,
    survey_import,
    survey_import_start,
    survey_upload_check,
    survey_upload_create,
    survey_upload_towns,
)
from .template import survey_template_write

__all__ = [
    "SurveyFileError",
    "SurveyImportError",
    "SurveyReport",
    "survey_check_may_upload",
    "survey_error_workbook",
    "survey_file_check",
    "survey_import",
    "survey_import_start",
    "survey_template_write",
    "survey_upload_check",
    "survey_upload_create",
    "survey_upload_towns",
]
