import pytest
from django.urls import reverse

from agencies.models import Duty

pytestmark = pytest.mark.django_db


def test_shows_the_duty_its_agencys_other_duties_and_history(client, users, finance_agency):
    duty = Duty.objects.filter(agency=finance_agency).first()
    duty.text = duty.text + "（已修订）"
    duty.save()
    client.force_login(users["liaison"])
    body = client.get(reverse("agencies:duty_detail", args=[duty.pk])).content.decode()
    assert "（已修订）" in body
    assert f"本单位全部职责（{finance_agency.duties.count()} 条）" in body
    assert "职责内容：" in body and "修改" in body
