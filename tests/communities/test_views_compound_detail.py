import pytest
from django.urls import reverse

from communities.choices import Consent
from tests.communities.factories import make_estate

pytestmark = pytest.mark.django_db


def test_shows_the_record_its_buildings_consent_and_history(client, users, wulan):
    compound = make_estate(town=wulan, buildings=2, households=3)[0]
    household = compound.buildings.first().households.first()
    household.renovation_consent = Consent.AGREE
    household.save()
    compound.address = "测试路1号"
    compound.save()
    client.force_login(users["leader"])
    body = client.get(reverse("communities:compound_detail", args=[compound.pk])).content.decode()
    assert compound.name in body and "测试路1号" in body
    assert "楼栋（2 栋）" in body
    assert "同意改造" in body and ">1</a> 户（16.7%）" in body
    assert "详细地址：— → 测试路1号" in body


def test_detail_query_count_does_not_grow_with_buildings(client, users, wulan, django_assert_num_queries):
    compound = make_estate(town=wulan, buildings=12, households=3)[0]
    client.force_login(users["staff"])
    # session, user, groups, compound, buildings, consent counts, history
    with django_assert_num_queries(7):
        assert client.get(reverse("communities:compound_detail", args=[compound.pk])).status_code == 200
