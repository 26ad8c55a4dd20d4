from django.urls import path

from . import views
from .reports import views as report_views

urlpatterns = [
    path("", views.home, name="home"),
    path("projects/", views.project_list, name="project_list"),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/<int:pk>/", views.project_detail_view, name="project_detail"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("projects/<int:pk>/compounds/add/", views.project_compound_add, name="project_compound_add"),
    path("projects/<int:pk>/steps/<slug:code>/", views.step_edit, name="step_edit"),
    path("projects/<int:pk>/scope/add/", views.scope_line_edit, name="scope_line_add"),
    path("projects/<int:pk>/scope/<int:line_id>/", views.scope_line_edit, name="scope_line_edit"),
    path("projects/<int:pk>/scope/<int:line_id>/delete/", views.scope_line_delete, name="scope_line_delete"),
    path("projects/<int:pk>/four-items/", views.four_item_acknowledge, name="four_item_acknowledge"),
    path("projects/<int:pk>/documents/upload/", views.document_upload, name="document_upload"),
    path("projects/<int:pk>/documents/<int:document_id>/", views.document_download, name="document_download"),
    path("projects/<int:pk>/notes/add/", views.note_add, name="note_add"),
    path("projects/<int:pk>/acceptance/", views.acceptance_edit, name="acceptance_edit"),
    path("projects/<int:pk>/ledger/", views.ledger, name="project_ledger"),
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/<int:pk>/", views.task_update, name="task_update"),
    path("indicators/", views.indicators_view, name="indicators"),
    path("reports/", report_views.report_list, name="report_list"),
    path("reports/<int:pk>/", report_views.report_view, name="report_view"),
    path("reports/<int:pk>/status/", report_views.report_status, name="report_status"),
    path("reports/<int:pk>/download/", report_views.report_download, name="report_download"),
]
