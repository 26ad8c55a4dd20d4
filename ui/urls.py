from django.urls import path

from . import views

app_name = "ui"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("start/", views.landing, name="landing"),
    path("work/", views.work_queue, name="work_queue"),
    path("search/", views.search, name="search"),
]
