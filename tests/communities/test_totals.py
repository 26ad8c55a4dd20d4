"""The stored per-town totals the home page and dashboard read stay equal to the rows they count,
whichever service wrote the rows."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Q, Sum
from django.urls import reverse

from communities.models import Building, Compound, Household, TownTotals
from communities.services import compound_facts_update
from communities.totals import VERDICT_FIELDS, recorded_totals, town_totals_refresh, verdict_totals

from .factories import make_estate
from .survey_files import SAMPLES

pytestmark = pytest.mark.django_db


def _live() -> dict[bool, dict]:
    """What counting every row says, real and demo apart."""
    result = {}
    for is_demo in (False, True):
        compounds = Compound.objects.filter(is_demo=is_demo).aggregate(
            n=Count("id"), area=Sum("floor_area_m2"), with_area=Count("id", filter=Q(floor_area_m2__isnull=False)))
        result[is_demo] = {
            "compounds": compounds["n"],
            "compounds_with_floor_area": compounds["with_area"],
            "floor_area_m2": compounds["area"] or Decimal("0"),
            "buildings": Building.objects.filter(compound__is_demo=is_demo).count(),
            "households": Household.objects.filter(building__compound__is_demo=is_demo).count(),
        }
        verdicts = dict(Compound.objects.filter(is_demo=is_demo).values_list("assessment__verdict")
                        .annotate(n=Count("id")).order_by())
        result[is_demo].update({name: verdicts.get(None if name == "not_assessed" else name, 0)
                                for name in VERDICT_FIELDS})
    return result


def test_loading_the_programme_and_the_demo_keeps_totals_in_step(settings):
    call_command("load_programme", verbosity=0)
    assert recorded_totals()[False]["compounds"] == 3
    call_command("seed_demo", "--force", "--compounds", "5", verbosity=0)
    stored = recorded_totals()
    assert stored == _live()
    assert stored[True]["households"] > 0
    # Re-seeding replaces the demo set: the totals do not double.
    call_command("seed_demo", "--force", "--compounds", "5", verbosity=0)
    assert recorded_totals() == _live() == stored


def test_survey_import_keeps_totals_in_step(staff_user, wulan):
    call_command("import_survey", str(SAMPLES / "survey-libreoffice.xlsx"), "--user", staff_user.username)
    stored = recorded_totals()
    assert stored == _live()
    assert stored[False]["households"] == 21


def test_synthetic_generator_keeps_totals_in_step():
    call_command("generate_synthetic", "--compounds", "12", "--seed", "3", "--projects", "0")
    assert recorded_totals() == _live()
    assert recorded_totals()[True]["compounds"] == 12


def test_changing_a_compound_floor_area_moves_the_total(staff_user, wulan):
    (compound,) = make_estate(town=wulan, floor_area_m2=Decimal("1000.00"))
    compound_facts_update(compound=compound, user=staff_user, changes={"floor_area_m2": Decimal("2500.50")})
    assert recorded_totals()[False]["floor_area_m2"] == Decimal("2500.50") == _live()[False]["floor_area_m2"]


def test_refresh_of_one_town_leaves_the_others_alone(wulan, other_town):
    make_estate(town=wulan, compounds=2, buildings=1, households=3)
    make_estate(town=other_town, compounds=1, buildings=2, households=2)
    other = TownTotals.objects.get(town=other_town, is_demo=False)
    town_totals_refresh(town_ids=[wulan.pk])
    assert TownTotals.objects.get(town=other_town, is_demo=False).refreshed_at == other.refreshed_at
    assert recorded_totals()[False]["households"] == 10


def test_home_page_shows_the_stored_totals(client, users, programme, wulan):
    make_estate(town=wulan, compounds=2, buildings=2, households=5)
    client.force_login(users["staff"])
    body = client.get(reverse("home")).content.decode()
    assert "<td>住户</td><td>6157 户</td><td>20 户</td><td>0 户</td>" in body


def test_unfiltered_lists_count_from_the_stored_totals_filtered_ones_count_rows(
        client, users, wulan, other_town):
    make_estate(town=wulan, compounds=2, buildings=2, households=3)
    make_estate(town=other_town, compounds=1, buildings=1, households=4)
    url = reverse("communities:household_list")
    client.force_login(users["staff"])
    assert client.get(url).context["paginator"].count == 16
    client.force_login(users["surveyor"])  # 乌兰镇's surveyor: their own town's figure
    assert client.get(url).context["paginator"].count == 12
    assert client.get(reverse("communities:building_list")).context["paginator"].count == 4
    # A filter narrows the rows, so the pager counts them.
    assert client.get(url, {"renovation_consent": "disagree"}).context["paginator"].count == 0
    # Sorting alone is not a filter.
    client.force_login(users["staff"])
    assert client.get(url, {"sort": "-floor_area_m2"}).context["paginator"].count == 16


def test_a_stale_stored_total_never_hides_rows(client, users, wulan, settings):
    settings.LIST_PAGE_SIZE = 5
    make_estate(town=wulan, compounds=1, buildings=1, households=7)
    TownTotals.objects.filter(town=wulan).update(households=3)  # as if a write had skipped the refresh
    client.force_login(users["staff"])
    page = client.get(reverse("communities:household_list")).context["page_obj"]
    assert len(page.object_list) == 5


def test_refresh_totals_command_checks_and_corrects(wulan, capsys):
    make_estate(town=wulan, compounds=1, buildings=1, households=4)
    call_command("refresh_totals", "--check")
    TownTotals.objects.filter(town=wulan).update(households=1)  # a row changed by hand in SQL
    with pytest.raises(CommandError, match="1 组合计与实际不一致"):
        call_command("refresh_totals", "--check")
    assert TownTotals.objects.get(town=wulan).households == 1  # --check writes nothing
    call_command("refresh_totals")
    assert "乌兰镇（真实）" in capsys.readouterr().out
    assert TownTotals.objects.get(town=wulan).households == 4


def test_editing_in_the_admin_keeps_totals_in_step(client, users, wulan, other_town):
    (compound,) = make_estate(town=wulan, compounds=1, buildings=2, households=2)
    client.force_login(users["staff"])
    building = compound.buildings.first()
    response = client.post(reverse("admin:communities_household_add"), {
        "building": building.pk, "unit": "9单元", "room": "901", "head_name": "", "phone": "",
        "floor_area_m2": "70.00", "renovation_consent": "agree", "lift_consent": "undecided", "notes": "",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    assert recorded_totals()[False]["households"] == 5 == _live()[False]["households"]
    # Moving the compound to another town moves its figures with it.
    data = {field.name: getattr(compound, field.attname) for field in Compound._meta.concrete_fields
            if field.editable and field.name not in ("id", "review_status")}
    data = {name: ("" if value is None else value) for name, value in data.items()}
    data.update(town=other_town.pk, community="")
    response = client.post(reverse("admin:communities_compound_change", args=[compound.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert TownTotals.objects.get(town=other_town, is_demo=False).households == 5
    assert not TownTotals.objects.filter(town=wulan, is_demo=False, households__gt=0).exists()
    response = client.post(reverse("admin:communities_building_delete", args=[building.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert recorded_totals() == _live()
    assert recorded_totals()[False]["buildings"] == 1


def test_a_verdict_change_moves_the_stored_verdict_counts_in_the_same_commit(wulan, staff_user):
    from communities.services import compound_assess

    compound = make_estate(town=wulan)[0]
    compound_assess(compound=compound, user=staff_user)
    compound.refresh_from_db()
    verdict = compound.assessment.verdict
    before = verdict_totals(town_id=wulan.pk)
    compound_facts_update(compound=compound, user=staff_user, changes={"in_shantytown_plan": True})
    compound.refresh_from_db()
    assert compound.assessment.verdict == "ineligible" != verdict
    after = verdict_totals(town_id=wulan.pk)
    assert after[verdict] == before[verdict] - 1
    assert after["ineligible"] == before["ineligible"] + 1
    assert recorded_totals() == _live()
    call_command("refresh_totals", "--check", verbosity=0)


def test_a_compound_waiting_for_the_site_verification_is_counted_as_pending_six_1(wulan, staff_user):
    """待现场审核认定 (六(一)) is a verdict of its own in the stored counts; refresh_totals --check agrees."""
    from communities.services import compound_assess

    from .factories import BuildingFactory, CompoundFactory, households

    compound = CompoundFactory(town=wulan, fit_for_demolition=None)
    households(BuildingFactory(compound=compound), agreeing=2, total=2)
    compound_assess(compound=compound)
    assert verdict_totals(town_id=wulan.pk, is_demo=False)["pending_site"] == 1
    assert recorded_totals() == _live()
    call_command("refresh_totals", "--check", verbosity=0)
    compound_facts_update(compound=compound, user=staff_user, changes={"fit_for_demolition": False})
    assert verdict_totals(town_id=wulan.pk, is_demo=False)["pending_site"] == 0
    assert recorded_totals() == _live()


def test_recorded_as_of_a_past_day_counts_only_what_was_recorded_by_then(wulan, staff_user):
    """A report as of an earlier cut-off: compounds by 创建时间, buildings and households by their first
    history row, verdicts as the assessments' history had them; today's figures are the stored totals."""
    import datetime as dt

    from django.utils import timezone

    from communities.choices import Verdict
    from communities.models import CompoundAssessment
    from communities.services import compound_assess
    from communities.totals import recorded_as_of

    old = make_estate(town=wulan, compounds=1, buildings=2, households=3, water_drainage_aged=True)[0]
    unassessed = make_estate(town=wulan, compounds=1, buildings=1, households=1)[0]
    compound_assess(compound=old)
    then = timezone.make_aware(dt.datetime(2023, 5, 1, 9))
    Compound.objects.filter(pk__in=[old.pk, unassessed.pk]).update(created_at=then)
    for model in (Compound, Building, Household, CompoundAssessment):
        model.history.model.objects.update(history_date=then)
    make_estate(town=wulan, compounds=1, buildings=1, households=2)  # recorded today
    old.refresh_from_db()
    compound_facts_update(compound=old, user=staff_user, changes={"build_year": 1990})  # edited today
    unassessed.refresh_from_db()
    compound_assess(compound=unassessed)  # assessed only today

    past = recorded_as_of(dt.date(2023, 5, 31))[False]
    named = Compound.objects.filter(named_in_plan=True).count()  # the plan's compounds, loaded today
    assert (past["compounds"], past["buildings"], past["households"]) == (2, 3, 7)
    verdict_then = CompoundAssessment.history.filter(compound_id=old.pk).order_by("history_date").first().verdict
    assert past[verdict_then] == 1 and past["not_assessed"] == 1
    assert sum(past[v.value] for v in Verdict) == 1
    assert recorded_as_of(dt.date(2023, 4, 30))[False]["compounds"] == 0
    today = recorded_as_of(timezone.localdate())
    assert today == recorded_totals()
    assert today[False]["compounds"] == 3 + named
