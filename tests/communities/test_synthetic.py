import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from communities.models import Building, Compound, CompoundAssessment, Household

pytestmark = pytest.mark.django_db


def test_generates_visibly_synthetic_rows_with_consistent_totals():
    call_command("generate_synthetic", "--compounds", "25", "--seed", "7", "--projects", "0")
    compounds = Compound.objects.all()
    assert compounds.count() == 25
    assert all(c.is_demo and c.name.startswith("合成小区-") for c in compounds)
    for compound in compounds:
        assert compound.building_count == compound.buildings.count() > 0
        assert compound.household_count == Household.objects.filter(building__compound=compound).count()
    assert Building.objects.filter(floor_area_m2__isnull=True).count() == 0
    assert all(name.startswith("合成户主") for name in Household.objects.values_list("head_name", flat=True))
    # assessed as a survey import leaves them: the review queue and verdict counts carry real load
    assert CompoundAssessment.objects.filter(compound__in=compounds).count() == 25


def test_same_seed_same_shape_and_a_second_run_adds_new_compounds():
    call_command("generate_synthetic", "--compounds", "5", "--seed", "7", "--projects", "0")
    households = Household.objects.count()
    call_command("generate_synthetic", "--compounds", "5", "--seed", "7", "--projects", "0")
    assert Compound.objects.count() == 10
    assert Compound.objects.filter(name="合成小区-000010").exists()
    assert Household.objects.count() == 2 * households


def test_refuses_a_non_positive_size():
    with pytest.raises(CommandError, match="正整数"):
        call_command("generate_synthetic", "--compounds", "0")


def test_groups_compounds_into_projects_with_planned_steps(programme):
    from projects import steps as step_catalog
    from projects.models import Project, ProjectStep
    from projects.selectors import project_deadline_statuses

    call_command("generate_synthetic", "--compounds", "30", "--seed", "3")
    projects = Project.objects.filter(code__startswith="syn-")
    assert projects.count() == 3  # 14 + 14 + 2
    assert all(p.is_demo and p.name.startswith("合成项目-") for p in projects)
    assert Compound.objects.filter(project_phases__isnull=True).count() == 3  # only the plan's named ones
    assert ProjectStep.objects.filter(project__in=projects).count() == 3 * len(step_catalog.STEPS)
    assert not ProjectStep.objects.filter(planned_start__isnull=True).exists()
    # the deadline rule can read every synthetic project
    statuses = project_deadline_statuses(programme=programme, today=programme.completion_deadline,
                                         queryset=projects)
    assert len(statuses) == 3


def test_projects_need_the_programme_loaded(db):
    with pytest.raises(CommandError, match="load_programme"):
        call_command("generate_synthetic", "--compounds", "2")
