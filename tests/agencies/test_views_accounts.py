"""Accounts from the app's own pages (issue 17): staff create, assign, deactivate and reset; everyone
changes their own password; a known password must be changed first when DEBUG is off."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from agencies.access import role_of
from agencies.choices import Role
from agencies.models import RoleChange
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Renovate-2024-jy!"


def test_staff_create_a_surveyor_tied_to_a_town_and_the_role_is_recorded(client, users, wulan):
    client.force_login(users["staff"])
    response = client.post(reverse("agencies:account_create"), {
        "username": "zhang-san", "full_name": "张三", "role": Role.SURVEYOR, "town": wulan.pk,
        "password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
    })
    assert response.status_code == 302
    user = get_user_model().objects.get(username="zhang-san")
    assert role_of(user) == Role.SURVEYOR and user.profile.town == wulan and user.first_name == "张三"
    assert user.profile.must_change_password  # the first password is the staff member's, not theirs
    change = RoleChange.objects.get(user=user)
    assert (change.changed_by, change.old_role, change.new_role, change.new_scope) == (
        users["staff"], "", Role.SURVEYOR, "乌兰镇")


def test_a_surveyor_without_a_town_is_refused_beside_the_field(client, users):
    client.force_login(users["staff"])
    response = client.post(reverse("agencies:account_create"), {
        "username": "li-si", "role": Role.SURVEYOR, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
    })
    assert response.status_code == 200
    assert "乡镇" in " ".join(response.context["form"].errors["town"])
    assert not get_user_model().objects.filter(username="li-si").exists()


def test_a_taken_username_or_a_weak_password_is_refused(client, users):
    client.force_login(users["staff"])
    taken = client.post(reverse("agencies:account_create"), {
        "username": "CAROL-LEADER", "role": Role.LEADER, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert "已被使用" in " ".join(taken.context["form"].errors["username"])
    weak = client.post(reverse("agencies:account_create"), {
        "username": "wang-wu", "role": Role.LEADER, "password1": "12345678", "password2": "12345678"})
    assert weak.context["form"].errors and not get_user_model().objects.filter(username="wang-wu").exists()


def test_a_role_change_is_recorded_with_who_when_old_and_new(client, users, finance_agency):
    client.force_login(users["staff"])
    leader = users["leader"]
    response = client.post(reverse("agencies:account_edit", args=[leader.pk]), {
        "full_name": "赵六", "role": Role.LIAISON, "agency": finance_agency.pk, "is_active": "on"})
    assert response.status_code == 302
    leader = get_user_model().objects.get(pk=leader.pk)
    assert role_of(leader) == Role.LIAISON and leader.profile.agency == finance_agency
    change = RoleChange.objects.get(user=leader)
    assert (change.changed_by, change.old_role, change.new_role, change.old_scope, change.new_scope) == (
        users["staff"], Role.LEADER, Role.LIAISON, "", "县财政局")
    assert change.changed_at is not None
    # Saving again without a change adds no record.
    client.post(reverse("agencies:account_edit", args=[leader.pk]), {
        "full_name": "赵六", "role": Role.LIAISON, "agency": finance_agency.pk, "is_active": "on"})
    assert RoleChange.objects.filter(user=leader).count() == 1
    page = client.get(reverse("agencies:account_edit", args=[leader.pk])).content.decode()
    assert "角色变更记录（1）" in page and "部门联络员" in page


def test_a_deactivated_account_can_no_longer_log_in(client, users):
    client.force_login(users["staff"])
    auditor = users["auditor"]
    client.post(reverse("agencies:account_edit", args=[auditor.pk]), {"role": Role.AUDITOR})  # is_active off
    client.logout()
    assert not client.login(username=auditor.username, password=PASSWORD)


def test_staff_cannot_deactivate_themselves(client, users):
    staff = users["staff"]
    client.force_login(staff)
    response = client.post(reverse("agencies:account_edit", args=[staff.pk]), {"role": Role.STAFF})
    assert response.status_code == 200 and "不能停用自己的账号" in response.content.decode()
    staff.refresh_from_db()
    assert staff.is_active


def test_staff_reset_a_password_and_the_user_must_change_it(client, users):
    client.force_login(users["staff"])
    leader = users["leader"]
    response = client.post(reverse("agencies:account_password_reset", args=[leader.pk]),
                           {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    leader.refresh_from_db()
    assert leader.check_password(NEW_PASSWORD) and leader.profile.must_change_password


def test_account_list_pins_its_queries(client, users, django_assert_num_queries):
    from agencies.services import user_create

    for n in range(15):
        user_create(username=f"bulk-{n}", password=PASSWORD, role=Role.LEADER)
    client.force_login(users["staff"])
    with django_assert_num_queries(4):  # session, user (+role, profile), count, page of accounts
        response = client.get(reverse("agencies:account_list"))
    body = response.content.decode()
    assert "bulk-14" in body and "领导" in body and "乌兰镇" in body


@pytest.mark.parametrize("role", ["staff", "surveyor", "leader", "liaison", "auditor"])
def test_everyone_changes_their_own_password(client, users, role):
    user = users[role]
    client.force_login(user)
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_a_known_password_must_be_changed_first_when_debug_is_off(client, users, settings):
    settings.DEBUG = False
    leader = users["leader"]
    leader.profile.must_change_password = True
    leader.profile.save()
    client.force_login(leader)
    for url in (reverse("home"), reverse("ui:dashboard"), reverse("ui:landing")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("password_change"), url
    assert client.get(reverse("password_change")).status_code == 200
    client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    leader.profile.refresh_from_db()
    assert not leader.profile.must_change_password
    assert client.get(reverse("ui:dashboard")).status_code == 200


def test_with_debug_on_the_demo_password_is_not_forced(client, users, settings):
    settings.DEBUG = True
    leader = users["leader"]
    leader.profile.must_change_password = True
    leader.profile.save()
    client.force_login(leader)
    assert client.get(reverse("ui:dashboard")).status_code == 200


def test_the_header_links_to_password_change_and_staff_see_account_management(client, users):
    client.force_login(users["staff"])
    body = client.get(reverse("home")).content.decode()
    assert reverse("password_change") in body and reverse("agencies:account_list") in body
    client.force_login(users["leader"])
    body = client.get(reverse("home")).content.decode()
    assert reverse("password_change") in body and reverse("agencies:account_list") not in body
