import pytest
from django.urls import reverse

from tests.communities.factories import make_estate

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(wulan):
    household = make_estate(town=wulan)[0].buildings.get().households.get()
    household.head_name, household.phone = "赵测试", "13800001111"
    household.save()
    household.head_name = "钱测试"
    household.save()
    return household


def test_history_masks_names_for_roles_that_may_not_read_them(client, users, household):
    client.force_login(users["auditor"])
    body = client.get(reverse("communities:household_detail", args=[household.pk])).content.decode()
    assert "钱测试" not in body and "赵测试" not in body and "13800001111" not in body
    assert "户主姓名：赵** → 钱**" in body
    assert "已遮蔽" in body


def test_staff_read_the_full_history(client, users, household):
    client.force_login(users["staff"])
    body = client.get(reverse("communities:household_detail", args=[household.pk])).content.decode()
    assert "户主姓名：赵测试 → 钱测试" in body
    assert "13800001111" in body


@pytest.mark.parametrize("unit", ["1", "1单元"])
def test_household_title_reads_unit_then_room_once(client, users, household, unit):
    """「1单元 101」, never 「1单元单元 101」, whichever way the survey wrote the unit."""
    household.unit, household.room = unit, "101"
    household.save()
    client.force_login(users["staff"])
    body = client.get(reverse("communities:household_detail", args=[household.pk])).content.decode()
    assert "1单元 101" in body and "1单元单元" not in body
