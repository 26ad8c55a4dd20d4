from io import StringIO

import pytest
from django.core.management import call_command

from funding import selectors
from funding.models import BudgetLine, FundingAccount
from projects.selectors import programme_current

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_visibly_demo_money_only_to_demo_projects(settings):
    settings.DEBUG = True
    call_command("load_programme", stdout=StringIO())
    call_command("seed_demo", "--compounds", "6", stdout=StringIO())
    call_command("seed_demo", "--compounds", "6", stdout=StringIO())  # re-running replaces, never duplicates
    lines = BudgetLine.objects.all()
    assert lines.exists()
    assert not lines.filter(project__is_demo=False).exists() and not lines.filter(project__isnull=True).exists()
    assert all(line.note == "演示数据" for line in lines)
    assert FundingAccount.objects.filter(disbursed_yuan__gt=0).exists()
    programme = programme_current()
    # Demo money never counts toward the programme.
    assert selectors.funding_reconciliation(programme=programme)["lines"] == 0
    assert selectors.funding_reconciliation(programme=programme, include_demo=True)["lines"] == lines.count()


def test_demo_money_with_reversals_is_removed_too(programme, staff_user, wulan):
    """A reversal protects its original (PROTECT), yet both go together when the demo money is cleared."""
    import datetime as dt

    from funding import services
    from funding.models import Allocation

    from .factories import allocate, funded_project

    demo = funded_project(programme=programme, user=staff_user, town=wulan, code="demo-rv", is_demo=True)
    wrong = allocate(demo, staff_user, "1000")
    services.allocation_reverse(allocation=wrong, reason="演示冲销", reversed_on=dt.date(2023, 8, 1), user=staff_user)
    services.funding_demo_delete()
    assert not Allocation.objects.filter(project=demo).exists()
