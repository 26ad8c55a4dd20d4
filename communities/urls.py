from django.urls import path

from . import views

app_name = "communities"

urlpatterns = [
    path("review/", views.review_queue, name="review_queue"),
    path("compounds/<int:pk>/", views.compound_detail, name="compound_detail"),
    path("compounds/<int:pk>/verify/", views.verification_create, name="verification_create"),
    path("compounds/<int:pk>/relaxation/", views.relaxation_create, name="relaxation_create"),
    path("compounds/<int:pk>/report/", views.compound_report, name="compound_report"),
]
