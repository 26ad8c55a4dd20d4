"""Builders for funding tests: projects over assessed compounds, money through the services users call."""

import datetime as dt
from decimal import Decimal

from communities.services import compound_assess
from funding import services
from funding.models import FundingSourceKind
from tests.communities.factories import CompoundFactory
from tests.projects.factories import make_project

CLEAR = {"in_shantytown_plan": False, "other_fiscal_support": False, "already_renovated": False}


def source(code: str) -> FundingSourceKind:
    return FundingSourceKind.objects.get(code=code)


def assessed_compound(*, town, **facts):
    compound = CompoundFactory(town=town, **{**CLEAR, **facts})
    compound_assess(compound=compound)
    return compound


def funded_project(*, programme, user, town, code="jy-01", is_demo=False, **facts):
    """A project over one compound whose no-double-subsidy facts are known (all 否 unless given)."""
    compound = assessed_compound(town=town, is_demo=is_demo, **facts)
    return make_project(programme=programme, user=user, compounds=[compound], code=code, is_demo=is_demo)


def allocate(project, user, amount, code="local_self_raised", number="靖财预〔2023〕1号"):
    return services.allocation_record(project=project, source=source(code), document_number=number,
                                      allocated_on=dt.date(2023, 4, 1), amount_yuan=Decimal(amount), user=user)


def disburse(project, user, amount, code="local_self_raised", number="拨-001"):
    return services.disbursement_record(project=project, source=source(code), voucher_number=number,
                                        disbursed_on=dt.date(2023, 5, 1), amount_yuan=Decimal(amount), user=user)


def spend(project, user, amount, code="local_self_raised", reference="HT-001"):
    return services.expenditure_record(project=project, source=source(code), payee="某建筑公司",
                                       reference=reference, paid_on=dt.date(2023, 6, 1),
                                       amount_yuan=Decimal(amount), user=user)


def budget(programme, user, amount, *, project=None, code="local_self_raised", funding_class="improvement"):
    return services.budget_line_save(programme=programme, project=project, source=source(code),
                                     funding_class=funding_class, amount_yuan=Decimal(amount), user=user)
