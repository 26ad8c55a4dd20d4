"""Factories for compounds, buildings and households (visibly synthetic).

The default compound qualifies on one deficit (water),
so a test changes only the fact it is about."""

import datetime as dt
from decimal import Decimal

import factory

from communities.choices import Consent
from communities.eligibility import CONDITION_FIELDS
from communities.models import Building, Community, Compound, EligibilityRelaxation, Household, Town
from communities.totals import town_totals_refresh


class TownFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Town
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"测试镇{n:02d}")


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    town = factory.SubFactory(TownFactory)
    name = factory.Sequence(lambda n: f"测试社区{n:02d}")


class CompoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Compound
        skip_postgeneration_save = True

    town = factory.SubFactory(TownFactory)
    community = factory.SubFactory(CommunityFactory, town=factory.SelfAttribute("..town"))
    name = factory.Sequence(lambda n: f"测试小区-{n:03d}")
    build_year = 1995
    # Every condition known and false, except one deficit (三(二)1) so the compound qualifies.
    water_drainage_aged = True
    power_aged = False
    heating_aged = False
    not_metered_per_household = False
    public_facilities_lacking = False
    roads_damaged = False
    no_natural_gas = False
    gas_supply_needs_work = False
    telecom_needs_work = False
    recently_renovated = False
    in_shantytown_plan = False
    other_fiscal_support = False
    already_renovated = False
    fit_for_demolition = False


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building

    compound = factory.SubFactory(CompoundFactory)
    number = factory.Sequence(lambda n: f"{n + 1}号楼")
    build_year = 1995


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    building = factory.SubFactory(BuildingFactory)
    unit = "1单元"
    room = factory.Sequence(lambda n: f"{n + 101}")
    head_name = factory.Sequence(lambda n: f"示例户主{n}")
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    floor_area_m2 = Decimal("80.00")
    renovation_consent = Consent.AGREE
    lift_consent = Consent.UNDECIDED


class RelaxationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EligibilityRelaxation

    compound = factory.SubFactory(CompoundFactory)
    joined_to = "房产局家属楼"
    closely_joined = True
    residents_strongly_want = True
    renovation_necessary = True
    reason = "与房产局家属楼紧密相连，居民改造意愿强烈"
    approver = "县住建局"
    approved_on = dt.date(2023, 3, 1)


def households(building, *, agreeing: int, total: int, area: Decimal = Decimal("80.00"), answer="renovation"):
    """`total` households in `building`, the first `agreeing` of them saying yes."""
    field = f"{answer}_consent"
    return [
        HouseholdFactory(building=building, floor_area_m2=area,
                         **{field: Consent.AGREE if index < agreeing else Consent.DISAGREE})
        for index in range(total)
    ]


UNKNOWN_CONDITIONS = dict.fromkeys(CONDITION_FIELDS)


def make_estate(*, town, compounds: int = 1, buildings: int = 1, households: int = 1, **compound_fields):
    """`compounds` compounds in `town`, each with `buildings` buildings of `households` households.

    Like every service that writes compounds, it leaves the town's stored totals in step.
    """
    compound_fields.setdefault("floor_area_m2", Decimal("1000.00"))
    made = []
    for _ in range(compounds):
        compound = CompoundFactory(town=town, **compound_fields)
        for _ in range(buildings):
            building = BuildingFactory(compound=compound, floors=6)
            HouseholdFactory.create_batch(households, building=building)
        made.append(compound)
    town_totals_refresh(town_ids=[town.pk])
    return made

