from django.urls import path

from . import views

app_name = "funding"

urlpatterns = [
    path("funding/", views.budget_line_list, name="budget_line_list"),
    path("funding/budget-lines/new/", views.budget_line_edit, name="budget_line_create"),
    path("funding/budget-lines/<int:pk>/", views.budget_line_edit, name="budget_line_edit"),
    path("funding/budget-lines/<int:pk>/delete/", views.budget_line_delete, name="budget_line_delete"),
    path("funding/projects/<int:pk>/", views.project_funding, name="project_funding"),
    path("funding/projects/<int:pk>/allocations/new/", views.allocation_create, name="allocation_create"),
    path("funding/projects/<int:pk>/disbursements/new/", views.disbursement_create, name="disbursement_create"),
    path("funding/projects/<int:pk>/expenditures/new/", views.expenditure_create, name="expenditure_create"),
    path("funding/projects/<int:pk>/<slug:kind>/<int:movement_id>/reverse/", views.movement_reverse,
         name="movement_reverse"),
    path("funding/projects/<int:pk>/construction-cost/", views.construction_cost_edit, name="construction_cost_edit"),
    path("funding/projects/<int:pk>/pledges/new/", views.pledge_edit, name="pledge_create"),
    path("funding/projects/<int:pk>/pledges/<int:pledge_id>/", views.pledge_edit, name="pledge_edit"),
    path("funding/rules/", views.source_class_rules, name="source_class_rules"),
    path("funding/reconciliation/", views.reconciliation, name="reconciliation"),
    path("funding/history/", views.money_history, name="money_history"),
]
