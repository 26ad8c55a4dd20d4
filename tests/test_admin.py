"""Every model is in the admin with Chinese labels, search and history; only housing-bureau staff get in."""

import pytest
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db

DOMAIN_APPS = {"agencies", "communities", "projects", "funding"}


def _domain_models():
    from django.apps import apps

    return [m for app in DOMAIN_APPS for m in apps.get_app_config(app).get_models()
            if not m.__name__.startswith("Historical")]


def test_every_domain_model_is_registered_with_search():
    for model in _domain_models():
        assert admin.site.is_registered(model), model
        assert admin.site._registry[model].search_fields, model


def test_staff_sees_every_changelist_and_history(client, users, programme):
    client.force_login(users["staff"])
    for model in _domain_models():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url
    seat = programme.seats.first()
    history = reverse("admin:agencies_leadinggroupseat_history", args=[seat.pk])
    assert client.get(history).status_code == 200


def test_admin_lists_33_seats(client, users, programme):
    client.force_login(users["staff"])
    response = client.get(reverse("admin:agencies_leadinggroupseat_changelist"))
    assert "33 领导小组成员" in response.content.decode()


@pytest.mark.parametrize("role", ["surveyor", "leader", "liaison", "auditor", "outsider"])
def test_other_roles_cannot_enter_the_admin(client, users, role):
    client.force_login(users[role])
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
