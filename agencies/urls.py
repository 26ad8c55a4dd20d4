from django.urls import path

from . import views

app_name = "agencies"

urlpatterns = [
    path("duties/", views.DutyListView.as_view(), name="duty_list"),
    path("duties/<int:pk>/", views.duty_detail, name="duty_detail"),
]
