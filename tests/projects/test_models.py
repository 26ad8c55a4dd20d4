import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from agencies.models import LeadingGroupSeat
from projects.models import Programme

pytestmark = pytest.mark.django_db


def _programme(**overrides):
    values = dict(year=2030, document_number="测试〔2030〕1号", title="测试", target_compounds=1,
                  target_buildings=1, target_households=1, target_floor_area_m2=Decimal("1"),
                  target_budget_yuan=Decimal("1.00"), ready_deadline=dt.date(2030, 6, 30),
                  ready_deadline_meaning="a", completion_deadline=dt.date(2031, 5, 31),
                  completion_deadline_meaning="b")
    values.update(overrides)
    return Programme(**values)


def test_completion_deadline_must_follow_ready_deadline():
    with pytest.raises(IntegrityError), transaction.atomic():
        _programme(completion_deadline=dt.date(2030, 1, 1)).save()
    with pytest.raises(ValidationError) as error:
        _programme(completion_deadline=dt.date(2030, 1, 1)).full_clean()
    assert "全部完工时限必须晚于具备开工条件时限" in str(error.value)


def test_budget_cannot_be_negative():
    with pytest.raises(IntegrityError), transaction.atomic():
        _programme(target_budget_yuan=Decimal("-0.01")).save()


def test_budget_in_wan_yuan_rounds_to_two_places():
    assert _programme(target_budget_yuan=Decimal("270180200.00")).target_budget_wan == Decimal("27018.02")
    assert _programme(target_budget_yuan=Decimal("12345.00")).target_budget_wan == Decimal("1.23")


def test_leading_group_has_one_leader_and_one_office_director(programme):
    with pytest.raises(IntegrityError), transaction.atomic():
        LeadingGroupSeat.objects.create(programme=programme, order=99, role="leader", title="另一组长")
    with pytest.raises(IntegrityError), transaction.atomic():
        LeadingGroupSeat.objects.create(programme=programme, order=98, role="member", title="x",
                                        is_office_director=True)
