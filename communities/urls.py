from django.urls import path

from . import views

app_name = "communities"

urlpatterns = [
    path("compounds/", views.CompoundListView.as_view(), name="compound_list"),
    path("compounds/<int:pk>/", views.compound_detail, name="compound_detail"),
    path("buildings/", views.BuildingListView.as_view(), name="building_list"),
    path("buildings/<int:pk>/", views.building_detail, name="building_detail"),
    path("households/", views.HouseholdListView.as_view(), name="household_list"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
]
