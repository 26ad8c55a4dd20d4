from django.urls import path

from . import views

app_name = "ui"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("start/", views.landing, name="landing"),
    path("work/", views.work_queue, name="work_queue"),
    path("search/", views.search, name="search"),
    path("exports/", views.export_list, name="export_list"),
    path("exports/<int:pk>/status/", views.export_status, name="export_status"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
]
