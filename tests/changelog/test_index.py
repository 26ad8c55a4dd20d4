"""The change log's index: every history row of every tracked model gets one line, with its town and
project, whether written by a save, a delete, a bulk batch or before the log existed."""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from changelog.models import Change
from changelog.writer import history_model_of, object_type, project_path, town_path, tracked_models
from communities import bulk
from communities.models import Household
from tests.communities.factories import BuildingFactory, CompoundFactory, HouseholdFactory

pytestmark = pytest.mark.django_db

DOMAIN_APPS = ("agencies", "communities", "projects", "funding")


def _lines(obj):
    return Change.objects.filter(object_type=object_type(type(obj)), object_id=obj.pk).order_by("id")


def test_every_model_with_history_in_the_domain_apps_is_covered():
    """A model given HistoricalRecords tomorrow is covered without a line in the change log."""
    expected = {m._meta.label_lower for app in DOMAIN_APPS for m in apps.get_app_config(app).get_models()
                if hasattr(m._meta, "simple_history_manager_attribute")}
    covered = {object_type(m) for m in tracked_models()}
    assert expected and expected <= covered
    # The index is built from each history table with the columns every history table has.
    for model in tracked_models():
        historical = history_model_of(model)
        assert {f.name for f in historical._meta.fields} >= {"history_id", "history_date", "history_type",
                                                                "history_user", "id"}, model


def test_every_model_with_history_gets_a_line_from_the_backfill():
    """index_missing compiles for every history table (each with its town and project joins)."""
    written = call_command("changelog_backfill")  # noqa: F841 - runs without error on every table
    assert Change.objects.count() == 0  # nothing written yet in this empty database


def test_towns_and_projects_are_found_through_the_records_parents():
    from communities.models import Building, Compound
    from funding.models import Allocation
    from projects.models import Project, ProjectStep

    assert town_path(history_model_of(Compound)) == "town"
    assert town_path(history_model_of(Building)) == "compound__town"
    assert town_path(history_model_of(Household)) == "building__compound__town"
    assert project_path(history_model_of(Project), "projects.project") == "id"
    assert project_path(history_model_of(ProjectStep), "projects.projectstep") == "project"
    assert project_path(history_model_of(Allocation), "funding.allocation") == "project"


def test_a_save_is_logged_with_its_user_and_town(staff_user):
    household = HouseholdFactory()
    town = household.building.compound.town
    household._history_user = staff_user
    household.phone = "13900000000"
    household.save()
    lines = list(_lines(household))
    assert [line.action for line in lines] == ["+", "~"]
    assert lines[-1].user == staff_user and lines[-1].town_id == town.pk
    assert lines[-1].history_id == household.history.latest().history_id


def test_a_delete_keeps_its_town_although_the_record_is_gone():
    building = BuildingFactory()
    town_id, pk = building.compound.town_id, building.pk
    building.delete()
    deleted = Change.objects.get(object_type="communities.building", object_id=pk, action="-")
    assert deleted.town_id == town_id


def _bulk_households(building, count, user, *, unit):
    households = [Household(building=building, unit=unit, room=str(100 + i), head_name=f"户主{i}",
                            floor_area_m2="80.00") for i in range(count)]
    bulk.insert_instances(Household, households, user=user, now=timezone.now())
    return households


def test_a_bulk_batch_gets_one_line_per_row_in_a_fixed_number_of_queries(staff_user):
    """The survey import writes history with INSERT … SELECT (communities.bulk): its lines too, set-based."""
    building = BuildingFactory()
    with CaptureQueriesContext(connection) as few:
        small = _bulk_households(building, 3, staff_user, unit="1单元")
    with CaptureQueriesContext(connection) as many:
        large = _bulk_households(building, 60, staff_user, unit="2单元")
    assert len(many.captured_queries) == len(few.captured_queries)
    lines = Change.objects.filter(object_type="communities.household", object_id__in=[h.pk for h in large])
    assert lines.count() == 60
    assert set(lines.values_list("action", "user", "town")) == {("+", staff_user.pk, building.compound.town_id)}
    assert Change.objects.filter(object_type="communities.household").count() == len(small) + len(large)


def test_a_bulk_batch_writes_the_lines_the_backfill_would_write(staff_user):
    """On PostgreSQL a batch's lines come from the rows its history INSERT returns (one statement, the history
    table not read back); on SQLite from the history table. Either way: the lines `index_missing` writes."""
    from communities.models import Compound
    from communities.services import compounds_assess_many

    building = BuildingFactory()
    households = _bulk_households(building, 5, staff_user, unit="1单元")
    for household in households:
        household.phone = "13900000001"
    bulk.update_instances(Household, households, ["phone"], user=staff_user, now=timezone.now())
    compounds_assess_many(queryset=Compound.objects.filter(pk=building.compound_id), user=staff_user)
    columns = ("object_type", "history_id", "object_id", "changed_at", "action", "user", "town", "project")
    written = set(Change.objects.values_list(*columns))
    assert {line[0] for line in written} >= {"communities.household", "communities.compoundassessment"}
    assert sum(1 for line in written if line[0] == "communities.household") == 10  # 5 created, 5 changed
    Change.objects.all().delete()
    call_command("changelog_backfill")
    assert set(Change.objects.values_list(*columns)) == written


def test_the_backfill_indexes_history_written_before_the_log_and_is_idempotent():
    compound = CompoundFactory()
    HouseholdFactory.create_batch(3, building=BuildingFactory(compound=compound))
    before = set(Change.objects.values_list("object_type", "history_id", "town"))
    Change.objects.all().delete()
    call_command("changelog_backfill")
    call_command("changelog_backfill")
    assert set(Change.objects.values_list("object_type", "history_id", "town")) == before


def test_a_survey_import_puts_every_written_row_in_the_log_with_its_town(staff_user, wulan):
    """The import writes rows and history set-based (communities.bulk); every history row it writes has
    its line, by the importing user, in the upload's town."""
    from django.core.files import File

    from communities.models import Building, Compound
    from communities.survey import survey_import, survey_upload_create
    from tests.communities.survey_files import SAMPLES

    with (SAMPLES / "survey-libreoffice.xlsx").open("rb") as handle:
        upload = survey_upload_create(user=staff_user, town=wulan, uploaded_file=File(handle, name="s.xlsx"))
    survey_import(upload=upload, user=staff_user)
    for model in (Compound, Building, Household):
        history = set(model.history.filter(history_user=staff_user).values_list("history_id", flat=True))
        lines = Change.objects.filter(object_type=object_type(model), history_id__in=history)
        assert history and lines.count() == len(history), model
        assert set(lines.values_list("user", "town")) == {(staff_user.pk, wulan.pk)}, model
