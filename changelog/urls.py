from django.urls import path

from . import views

app_name = "changelog"

urlpatterns = [
    path("changelog/", views.change_log, name="change_log"),
]
