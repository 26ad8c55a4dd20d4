from django.urls import path

from . import views

app_name = "ui"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
]
