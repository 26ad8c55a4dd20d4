from django.urls import path

from . import views

urlpatterns = [
    path("surveys/", views.survey_list, name="survey_list"),
    path("surveys/template.xlsx", views.survey_template, name="survey_template"),
    path("surveys/upload/", views.survey_upload, name="survey_upload"),
    path("surveys/<int:pk>/", views.survey_detail, name="survey_detail"),
    path("surveys/<int:pk>/status/", views.survey_status, name="survey_status"),
    path("surveys/<int:pk>/confirm/", views.survey_confirm, name="survey_confirm"),
    path("surveys/<int:pk>/errors.xlsx", views.survey_error_download, name="survey_errors"),
]
