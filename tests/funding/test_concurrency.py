"""Two clerks disbursing against one account at the same moment: exactly one may succeed (PostgreSQL)."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from funding.models import Disbursement, FundingAccount

from .factories import allocate, disburse, funded_project

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises every writer on one file lock: row locks (select_for_update) "
                    "and two concurrent transactions are tested on PostgreSQL only")


def _race(callables):
    """Run the callables in threads, each on its own database connection, released together."""
    barrier = threading.Barrier(len(callables))
    outcomes = [None] * len(callables)

    def run(index, call):
        try:
            barrier.wait()
            call()
            outcomes[index] = "ok"
        except ValidationError as error:
            outcomes[index] = " ".join(error.messages)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(callables)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_simultaneous_disbursements_cannot_both_pass(postgres_only, programme, staff_user, liaison_user, wulan):
    project = funded_project(programme=programme, user=staff_user, town=wulan)
    allocate(project, staff_user, "100000")
    outcomes = _race([
        lambda: disburse(project, liaison_user, "80000", number="拨-A"),
        lambda: disburse(project, staff_user, "80000", number="拨-B"),
    ])
    assert outcomes.count("ok") == 1, outcomes
    refusal = next(o for o in outcomes if o != "ok")
    assert "累计拨付不能超过累计下达" in refusal
    account = FundingAccount.objects.get(project=project)
    assert account.disbursed_yuan == Decimal("80000.00")
    assert Disbursement.objects.count() == 1


def test_many_small_simultaneous_disbursements_never_lose_an_update(postgres_only, programme, staff_user, wulan):
    project = funded_project(programme=programme, user=staff_user, town=wulan)
    allocate(project, staff_user, "500")
    outcomes = _race([(lambda n=n: disburse(project, staff_user, "100", number=f"拨-{n}")) for n in range(8)])
    assert outcomes.count("ok") == 5, outcomes
    account = FundingAccount.objects.get(project=project)
    assert account.disbursed_yuan == Decimal("500.00") == sum(d.amount_yuan for d in Disbursement.objects.all())


def test_two_clerks_reversing_one_entry_at_once_reverse_it_once(postgres_only, programme, staff_user, liaison_user,
                                                                  wulan):
    import datetime as dt

    from funding import services
    from funding.models import Allocation

    project = funded_project(programme=programme, user=staff_user, town=wulan)
    wrong = allocate(project, staff_user, "100000")
    day = dt.date(2023, 8, 1)
    outcomes = _race([
        lambda: services.allocation_reverse(allocation=wrong, reason="录错A", reversed_on=day, user=liaison_user),
        lambda: services.allocation_reverse(allocation=wrong, reason="录错B", reversed_on=day, user=staff_user),
    ])
    assert outcomes.count("ok") == 1, outcomes
    assert "已经冲销过" in next(o for o in outcomes if o != "ok")
    assert Allocation.objects.filter(reverses=wrong).count() == 1
    assert FundingAccount.objects.get(project=project).allocated_yuan == Decimal("0.00")


def test_a_reversal_racing_a_disbursement_never_overdraws_the_net_path(postgres_only, programme, staff_user,
                                                                       liaison_user, wulan):
    import datetime as dt

    from funding import services

    project = funded_project(programme=programme, user=staff_user, town=wulan)
    wrong = allocate(project, staff_user, "100000")
    outcomes = _race([
        lambda: services.allocation_reverse(allocation=wrong, reason="录错", reversed_on=dt.date(2023, 8, 1),
                                            user=staff_user),
        lambda: disburse(project, liaison_user, "80000", number="拨-A"),
    ])
    assert outcomes.count("ok") == 1, outcomes
    account = FundingAccount.objects.get(project=project)
    assert account.disbursed_yuan <= account.allocated_yuan
