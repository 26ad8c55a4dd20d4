import factory

from communities.models import Building, Compound, Household, Town


class TownFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Town
        django_get_or_create = ("county", "name")

    name = factory.Sequence(lambda n: f"测试镇{n:02d}")


class CompoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Compound

    town = factory.SubFactory(TownFactory)
    name = factory.Sequence(lambda n: f"测试小区-{n:03d}")
    build_year = 1995


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building

    compound = factory.SubFactory(CompoundFactory)
    number = factory.Sequence(lambda n: f"{n + 1}号楼")


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    building = factory.SubFactory(BuildingFactory)
    unit = "1单元"
    room = factory.Sequence(lambda n: f"{101 + n}")
