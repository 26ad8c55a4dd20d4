from django.urls import path

from . import views

app_name = "agencies"

urlpatterns = [
    path("duties/", views.DutyListView.as_view(), name="duty_list"),
    path("duties/<int:pk>/", views.duty_detail, name="duty_detail"),
    path("accounts/", views.AccountListView.as_view(), name="account_list"),
    path("accounts/new/", views.account_create, name="account_create"),
    path("accounts/<int:pk>/", views.account_edit, name="account_edit"),
    path("accounts/<int:pk>/password/", views.account_password_reset, name="account_password_reset"),
]
