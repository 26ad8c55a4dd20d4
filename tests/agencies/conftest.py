import pytest

from agencies.models import Agency, Duty
from tests.communities.factories import make_estate


@pytest.fixture
def world(programme, wulan, other_town, users):
    """One compound (building, household) in the surveyor's town and one elsewhere; duties of two agencies."""
    own = make_estate(town=wulan)[0]
    foreign = make_estate(town=other_town)[0]
    finance = Agency.objects.get(code="finance")
    other_agency = Agency.objects.exclude(pk=finance.pk).filter(duties__isnull=False).first()
    return {
        "own_compound": own, "own_building": own.buildings.get(),
        "own_household": own.buildings.get().households.get(),
        "foreign_compound": foreign, "foreign_building": foreign.buildings.get(),
        "foreign_household": foreign.buildings.get().households.get(),
        "own_duty": Duty.objects.filter(agency=finance).first(),
        "foreign_duty": Duty.objects.filter(agency=other_agency).first(),
    }
