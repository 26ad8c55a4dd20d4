from django.urls import path

from . import views

app_name = "communities"

urlpatterns = [
    path("compounds/", views.CompoundListView.as_view(), name="compound_list"),
    path("compounds/<int:pk>/", views.compound_detail, name="compound_detail"),
    path("compounds/<int:pk>/verify/", views.verification_create, name="verification_create"),
    path("compounds/<int:pk>/facts/", views.compound_facts_edit, name="compound_facts_edit"),
    path("compounds/<int:pk>/relaxation/", views.relaxation_create, name="relaxation_create"),
    path("compounds/<int:pk>/report/", views.compound_report, name="compound_report"),
    path("compounds/<int:pk>/merge/", views.compound_merge_create, name="compound_merge_create"),
    path("buildings/", views.BuildingListView.as_view(), name="building_list"),
    path("buildings/<int:pk>/", views.building_detail, name="building_detail"),
    path("households/", views.HouseholdListView.as_view(), name="household_list"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("towns/<int:pk>/", views.town_detail, name="town_detail"),
    path("review/", views.review_queue, name="review_queue"),
    path("surveys/", views.survey_list, name="survey_list"),
    path("surveys/template.xlsx", views.survey_template, name="survey_template"),
    path("surveys/upload/", views.survey_upload, name="survey_upload"),
    path("surveys/<int:pk>/", views.survey_detail, name="survey_detail"),
    path("surveys/<int:pk>/status/", views.survey_status, name="survey_status"),
    path("surveys/<int:pk>/confirm/", views.survey_confirm, name="survey_confirm"),
    path("surveys/<int:pk>/errors.xlsx", views.survey_error_download, name="survey_errors"),
    path("surveys/<int:pk>/original/", views.survey_original, name="survey_original"),
]
