import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from changelog.writer import index_bulk, last_history_id
from jingyuan_renovation.loading import LoadCounts, upsert

from . import bulk, eligibility
from .choices import Consent, DemolitionJudgement, ReviewStatus, StructureType, Verdict, VerificationDecision
from .models import (
    Building,
    Community,
    Compound,
    CompoundAssessment,
    CompoundMerge,
    EligibilityRelaxation,
    Household,
    SiteVerification,
    Town,
)
from .totals import town_totals_refresh

DEMO_PREFIX = "示例小区-"


def towns_load(*, towns: list[dict], counts: LoadCounts) -> dict[str, Town]:
    return {
        row["name"]: upsert(Town, lookup={"county": row["county"], "name": row["name"]}, values={},
                            counts=counts)
        for row in towns
    }


def named_compounds_load(*, compounds: list[dict], towns: dict[str, Town], counts: LoadCounts) -> None:
    """The three compounds the work plan names (四(一)); only their names are public, so no facts are set."""
    for row in compounds:
        lookup = {"town": towns[row["town"]], "name": row["name"]}
        if Compound.objects.filter(**lookup).exists():
            compound = upsert(Compound, lookup=lookup, values={"named_in_plan": True}, counts=counts)
        else:
            # Nothing about it has been surveyed: 未调查 until a survey import or a staff edit gives facts.
            compound = Compound(**lookup, named_in_plan=True, review_status=ReviewStatus.NOT_SURVEYED)
            compound.full_clean()
            compound.save()
            counts.add(Compound, "created")
        compound_assess(compound=compound)
    town_totals_refresh(town_ids={town.pk for town in towns.values()})


@transaction.atomic
def demo_compounds_create(*, town: Town, compounds: int = 12, seed: int = 2023) -> dict[str, int]:
    """Visibly synthetic compounds (示例小区-07), buildings and households for trying the system.

    Touches only rows flagged is_demo; real records are never read or changed. Re-running replaces
    the demo set with the same one (same seed).
    """
    rng = random.Random(seed)
    Compound.objects.filter(is_demo=True, town=town).delete()
    community, _ = Community.objects.get_or_create(town=town, name="示例社区")
    made = {"compounds": 0, "buildings": 0, "households": 0}
    for index in range(1, compounds + 1):
        year = rng.choice([1985, 1988, 1991, 1994, 1996, 1998, 1999, 2001, 2003])
        compound = Compound(
            town=town, community=community, name=f"{DEMO_PREFIX}{index:02d}", is_demo=True,
            address=f"示例路{index}号（演示数据）", owner_work_unit=f"示例单位{index:02d}（演示）",
            build_year=year, land_area_m2=Decimal(rng.randrange(3000, 20000)),
            water_drainage_aged=rng.random() < 0.6, power_aged=rng.random() < 0.5,
            heating_aged=rng.random() < 0.4, not_metered_per_household=rng.random() < 0.3,
            public_facilities_lacking=rng.random() < 0.5, roads_damaged=rng.random() < 0.5,
            no_natural_gas=rng.random() < 0.3, gas_supply_needs_work=rng.random() < 0.3,
            telecom_needs_work=rng.random() < 0.3,
            recently_renovated=rng.random() < 0.2, in_shantytown_plan=index == 11,
            other_fiscal_support=False, already_renovated=False, fit_for_demolition=False,
            notes="演示数据，非真实小区",
        )
        compound.full_clean()
        compound.save()
        made["compounds"] += 1
        compound_households = 0
        compound_area = Decimal("0")
        for number in range(1, rng.randint(2, 5) + 1):
            floors, units = rng.choice([5, 6, 7]), rng.randint(1, 3)
            building = Building.objects.create(
                compound=compound, number=f"{number}号楼", build_year=year + rng.choice([0, 0, 1, 2]),
                floors=floors, units=units, structure_type=StructureType.BRICK_CONCRETE, has_lift=False,
            )
            made["buildings"] += 1
            households = []
            for unit in range(1, units + 1):
                for floor in range(1, floors + 1):
                    for door in (1, 2):
                        area = Decimal(rng.randrange(550, 1200)) / 10
                        households.append(Household(
                            building=building, unit=f"{unit}单元", room=f"{floor}0{door}",
                            head_name=f"示例户主{index:02d}{number}{unit}{floor}{door}",
                            phone=f"1000000{index:02d}{number}{unit}{floor}{door}"[:11],
                            floor_area_m2=area,
                            renovation_consent=rng.choices(list(Consent), weights=[8, 1, 1])[0],
                            lift_consent=rng.choices(list(Consent), weights=[5, 3, 2])[0],
                            willing_to_contribute=rng.random() < 0.4,
                        ))
            before = last_history_id(Household)
            bulk_create_with_history(households, Household)
            # simple-history's bulk writer sends no signal: the change log's lines, set-based.
            index_bulk(Household, object_ids=[h.pk for h in households], after_history_id=before)
            building_area = sum((h.floor_area_m2 for h in households), Decimal("0"))
            building.household_count = len(households)
            building.floor_area_m2 = building_area
            building.save(update_fields=["household_count", "floor_area_m2"])
            made["households"] += len(households)
            compound_households += len(households)
            compound_area += building_area
        compound.building_count = number
        compound.household_count = compound_households
        compound.floor_area_m2 = compound_area
        compound.save(update_fields=["building_count", "household_count", "floor_area_m2"])
        compound_assess(compound=compound)
    town_totals_refresh(town_ids=[town.pk])
    return made


# --- Eligibility (三、认定标准) -------------------------------------------------------------------

# Fields a compound's facts may be changed through compound_facts_update (the survey facts of 三).
FACT_FIELDS = ("build_year", "building_count", "household_count", "floor_area_m2", "land_area_m2",
               "renovated_content", "renovation_left_out", "gas_telecom_to_review", *eligibility.CONDITION_FIELDS)


def _left_out(text: str) -> tuple[str, ...]:
    return tuple(item for item in (text or "").split("、") if item)


def _relaxation_fact(r: EligibilityRelaxation) -> eligibility.RelaxationFact:
    return eligibility.RelaxationFact(
        building_number=r.building.number if r.building_id else None, reason=r.reason, approver=r.approver,
        approved_on=r.approved_on, joined_to=r.joined_to, conditions_met=r.conditions_met)


def _consent_tally(compound: Compound, answer_field: str) -> eligibility.ConsentTally:
    """One aggregate query: households and floor area, all and agreeing, for one survey question."""
    agree = Q(**{answer_field: Consent.AGREE})
    row = Household.objects.filter(building__compound=compound).aggregate(
        total=Count("id"), agreeing=Count("id", filter=agree),
        area=Sum("floor_area_m2"), area_agreeing=Sum("floor_area_m2", filter=agree),
        without_area=Count("id", filter=Q(floor_area_m2__isnull=True)),
    )
    return _tally(row["total"], row["agreeing"], row["area"], row["area_agreeing"], row["without_area"])


def _tally(total, agreeing, area, area_agreeing, without_area) -> eligibility.ConsentTally:
    # SQLite sums decimals as floats; areas are kept to the 0.01 m² they were entered with.
    cent = Decimal("0.01")
    return eligibility.ConsentTally(
        households_total=total, households_agreeing=agreeing,
        area_total=Decimal(area or 0).quantize(cent),
        area_agreeing=Decimal(area_agreeing or 0).quantize(cent),
        households_without_area=without_area,
    )


def compound_facts(*, compound: Compound) -> eligibility.CompoundFacts:
    """The snapshot of a compound's facts that the rules read (four queries)."""
    buildings = tuple(
        eligibility.BuildingYear(number=number, year=year, joined_to_renovation=joined)
        for number, year, joined in compound.buildings.order_by("number").values_list(
            "number", "build_year", "joined_to_renovation_compound")
    )
    relaxations = tuple(
        _relaxation_fact(r) for r in compound.relaxations.select_related("building").order_by("approved_on", "id")
    )
    return eligibility.CompoundFacts(
        build_year=compound.build_year,
        buildings=buildings,
        conditions={name: getattr(compound, name) for name in eligibility.CONDITION_FIELDS},
        renovation_consent=_consent_tally(compound, "renovation_consent"),
        lift_consent=_consent_tally(compound, "lift_consent"),
        relaxations=relaxations,
        renovation_left_out=_left_out(compound.renovation_left_out),
    )


def _assessment_values(result: eligibility.Assessment) -> dict:
    renovation, lift = result.renovation_consent, result.lift_consent
    return {
        "verdict": result.verdict.value,
        "central_subsidy_allowed": result.central_subsidy_allowed,
        "priority": result.priority,
        "priority_parts": result.priority_parts,
        "households_total": renovation.households_total,
        "households_consenting": renovation.households_agreeing,
        "area_total_m2": renovation.area_total,
        "area_consenting_m2": renovation.area_agreeing,
        "consent_by_households": renovation.by_households,
        "consent_by_area": renovation.by_area,
        "consent_meets_threshold": renovation.meets,
        "lift_consent_by_households": lift.by_households,
        "lift_consent_by_area": lift.by_area,
        "lift_consent_meets_threshold": lift.meets,
        "reasons": [{"clause": r.clause, "fact": r.fact, "effect": r.effect} for r in result.reasons],
        "missing_facts": [{"field": m.field, "label": m.label, "clause": m.clause} for m in result.missing],
        "cutoff_year": result.cutoff_year,
        "relaxation_candidate": result.relaxation_candidate,
    }


def _assessment_values_fields() -> list[str]:
    """The fields `_assessment_values` sets (those an assessment's outcome is made of)."""
    return [name for name in (f.name for f in CompoundAssessment._meta.concrete_fields)
            if name not in ("id", "compound", "updated_at")]


def _same(stored, value) -> bool:
    if isinstance(stored, Decimal) and isinstance(value, Decimal):
        return stored.compare(value) == 0  # 12.50 and 12.5 are the same area
    return stored == value


@transaction.atomic
def compound_assess(*, compound: Compound, user=None,
                    rules: eligibility.Rules | None = None) -> CompoundAssessment:
    """Re-run the eligibility rules on a compound's current facts and store the outcome.

    Call it after anything that changes the facts (survey import, fact edits, exceptions). The row is
    saved only when the outcome changed, so its history is exactly the list of verdict changes, each
    with the user who caused it (None for imports and commands run without one).
    """
    # Two imports touching one compound must not both write the same assessment from stale facts.
    compound = Compound.objects.select_for_update().get(pk=compound.pk)
    result = eligibility.assess(compound_facts(compound=compound), rules or eligibility.Rules.from_settings())
    values = _assessment_values(result)
    assessment = CompoundAssessment.objects.filter(compound=compound).first()
    if assessment is not None and all(_same(getattr(assessment, k), v) for k, v in values.items()):
        return assessment
    if assessment is None:
        assessment = CompoundAssessment(compound=compound)
    for name, value in values.items():
        setattr(assessment, name, value)
    assessment.updated_at = timezone.now()
    assessment.full_clean()
    assessment._history_user = user
    assessment.save()
    town_totals_refresh(town_ids=[compound.town_id])  # the stored verdict counts, in the same commit
    return assessment


def compounds_assess_all(*, user=None, queryset=None) -> list[CompoundAssessment]:
    """Re-assess every compound (after a settings change, a survey import, or from `manage.py assess`)."""
    compounds = (queryset if queryset is not None else Compound.objects.all()).order_by("town__name", "name")
    return compounds_assess_many(queryset=compounds, user=user)


ASSESS_CHUNK = 1000


@transaction.atomic
def compounds_assess_many(*, queryset, user=None, rules: eligibility.Rules | None = None) -> list[CompoundAssessment]:
    """`compound_assess` for every compound of `queryset` (in its order), in a few queries per 1,000 compounds.

    The same facts, rules and outcome as one by one (tests compare the two), the same lock on each
    compound, and an assessment is saved, with its history row and `user`, only when it changed.
    """
    rules = rules or eligibility.Rules.from_settings()
    ids = list(queryset.values_list("pk", flat=True))
    assessments = []
    touched: set[int] = set()
    for start in range(0, len(ids), ASSESS_CHUNK):
        chunk = ids[start:start + ASSESS_CHUNK]
        list(Compound.objects.select_for_update().filter(pk__in=chunk).values_list("pk"))
        compounds = {compound.pk: compound for compound in queryset.filter(pk__in=chunk)}
        facts = _facts_of_many(compounds)
        stored = {a.compound_id: a for a in CompoundAssessment.objects.filter(compound_id__in=chunk)}
        created, changed = [], []
        for pk in chunk:
            values = _assessment_values(eligibility.assess(facts[pk], rules))
            assessment = stored.get(pk)
            if assessment is None or not all(_same(getattr(assessment, k), v) for k, v in values.items()):
                if assessment is None:
                    assessment = CompoundAssessment(compound=compounds[pk])
                    created.append(assessment)
                else:
                    changed.append(assessment)
                # Not validated row by row (compound_assess's full_clean): the values are the rules' own,
                # typed as compound_assess stores them, and the table's constraints check them.
                for name, value in values.items():
                    setattr(assessment, name, value)
                assessment.updated_at = timezone.now()
            assessment.compound = compounds[pk]
            assessments.append(assessment)
        now = timezone.now()
        bulk.insert_instances(CompoundAssessment, created, user=user, now=now)
        bulk.update_instances(CompoundAssessment, changed, [*_assessment_values_fields(), "updated_at"], user=user,
                              now=now)
        touched.update(compounds[a.compound_id].town_id for a in (*created, *changed))
    town_totals_refresh(town_ids=touched)  # the stored verdict counts, in the same commit
    return assessments


def _facts_of_many(compounds: dict[int, Compound]) -> dict[int, eligibility.CompoundFacts]:
    """compound_facts for many compounds: one query each for buildings, relaxations and consent."""
    ids = list(compounds)
    buildings = defaultdict(list)
    for compound_id, number, year, joined in Building.objects.filter(compound_id__in=ids).order_by(
            "compound_id", "number").values_list("compound_id", "number", "build_year", "joined_to_renovation_compound"):
        buildings[compound_id].append(eligibility.BuildingYear(number=number, year=year, joined_to_renovation=joined))
    relaxations = defaultdict(list)
    for r in EligibilityRelaxation.objects.filter(compound_id__in=ids).select_related("building").order_by(
            "approved_on", "id"):
        relaxations[r.compound_id].append(_relaxation_fact(r))
    renovation, lift = Q(renovation_consent=Consent.AGREE), Q(lift_consent=Consent.AGREE)
    tallies = {
        row["building__compound_id"]: row
        for row in Household.objects.filter(building__compound_id__in=ids).values("building__compound_id").annotate(
            total=Count("id"), without_area=Count("id", filter=Q(floor_area_m2__isnull=True)),
            area=Sum("floor_area_m2"),
            agreeing=Count("id", filter=renovation), area_agreeing=Sum("floor_area_m2", filter=renovation),
            lift_agreeing=Count("id", filter=lift), lift_area_agreeing=Sum("floor_area_m2", filter=lift),
        ).order_by()
    }
    empty = {"total": 0, "without_area": 0, "area": None, "agreeing": 0, "area_agreeing": None, "lift_agreeing": 0,
             "lift_area_agreeing": None}
    facts = {}
    for pk, compound in compounds.items():
        row = tallies.get(pk, empty)
        facts[pk] = eligibility.CompoundFacts(
            build_year=compound.build_year,
            buildings=tuple(buildings[pk]),
            conditions={name: getattr(compound, name) for name in eligibility.CONDITION_FIELDS},
            renovation_consent=_tally(row["total"], row["agreeing"], row["area"], row["area_agreeing"],
                                      row["without_area"]),
            lift_consent=_tally(row["total"], row["lift_agreeing"], row["area"], row["lift_area_agreeing"],
                                row["without_area"]),
            relaxations=tuple(relaxations[pk]),
            renovation_left_out=_left_out(compound.renovation_left_out),
        )
    return facts


@transaction.atomic
def compound_facts_update(*, compound: Compound, user, changes: dict) -> CompoundAssessment:
    """Change a compound's surveyed facts and re-assess it."""
    unknown = set(changes) - set(FACT_FIELDS)
    if unknown:
        raise ValueError(f"不是可修改的调查事实：{', '.join(sorted(unknown))}")
    for name, value in changes.items():
        setattr(compound, name, value)
    if compound.review_status == ReviewStatus.NOT_SURVEYED and changes:
        compound.review_status = ReviewStatus.SURVEYED  # a staff edit gives it facts (六 摸底调查)
    compound.full_clean()
    compound._history_user = user
    compound.save()
    if "floor_area_m2" in changes:
        town_totals_refresh(town_ids=[compound.town_id])
    return compound_assess(compound=compound, user=user)


@transaction.atomic
def relaxation_record(*, compound: Compound, user, reason: str, approver: str, approved_on: dt.date,
                      joined_to: str, closely_joined: bool, residents_strongly_want: bool,
                      renovation_necessary: bool, building: Building | None = None) -> EligibilityRelaxation:
    """Record a 放宽认定 exception (三(一)): the building (or the compound itself) it names, each of the three
    conditions (紧密相连 to a compound with renovation work, 居民改造意愿强烈, 有改造必要), the reason and the
    approver; then re-assess the compound. It admits what it names, not the whole compound."""
    relaxation = EligibilityRelaxation(compound=compound, building=building, reason=reason,
                                       approver=approver, approved_on=approved_on, recorded_by=user,
                                       joined_to=joined_to, closely_joined=closely_joined,
                                       residents_strongly_want=residents_strongly_want,
                                       renovation_necessary=renovation_necessary)
    relaxation.full_clean()
    relaxation._history_user = user
    relaxation.save()
    compound_assess(compound=compound, user=user)
    return relaxation


# --- Review workflow (六: 摸底调查 → 现场审核认定 → 报县政府) ---------------------------------------

# Which review steps may follow which. A verification may be repeated; 需补充资料 sends the compound
# back to surveyed; reporting to the county government ends this workflow.
REVIEW_TRANSITIONS: dict[str, frozenset[str]] = {
    ReviewStatus.NOT_SURVEYED: frozenset({ReviewStatus.NOT_SURVEYED, ReviewStatus.SURVEYED}),
    ReviewStatus.SURVEYED: frozenset({ReviewStatus.SURVEYED, ReviewStatus.VERIFIED}),
    ReviewStatus.VERIFIED: frozenset({ReviewStatus.SURVEYED, ReviewStatus.VERIFIED, ReviewStatus.REPORTED}),
    ReviewStatus.REPORTED: frozenset(),
}


@transaction.atomic
def compound_review_status_set(*, compound: Compound, user, status: ReviewStatus) -> Compound:
    """The only way a compound's review status changes; the compound's history records who moved it."""
    # Lock: two staff members reviewing one compound at once must not skip a step.
    locked = Compound.objects.select_for_update().get(pk=compound.pk)
    if status not in REVIEW_TRANSITIONS[locked.review_status]:
        raise ValidationError(
            f"审核状态不能从“{locked.get_review_status_display()}”改为“{ReviewStatus(status).label}”。"
        )
    if locked.review_status != status:
        locked.review_status = status
        locked.full_clean()
        locked._history_user = user
        locked.save(update_fields=["review_status", "updated_at"])
    compound.review_status = locked.review_status
    return locked


@transaction.atomic
def verification_record(*, compound: Compound, user, verified_on: dt.date, town_participant: str,
                        community_participant: str, design_institute: str, decision: VerificationDecision,
                        notes: str = "", demolition_judgement: str = "") -> SiteVerification:
    """Record an on-site verification (现场审核认定) and move the compound's review status with it.

    The verification is where 不宜整体拆除重建 (三(一)) is judged (六(一)): a judgement sets the compound's
    fact (in its history, with the user) and re-assesses it.
    """
    if compound.review_status == ReviewStatus.REPORTED:
        raise ValidationError("该小区已报县政府，不能再录入现场审核。")
    verification = SiteVerification(
        compound=compound, verified_by=user, verified_on=verified_on, town_participant=town_participant,
        community_participant=community_participant, design_institute=design_institute, decision=decision,
        notes=notes, demolition_judgement=demolition_judgement,
    )
    verification.full_clean()
    verification._history_user = user
    verification.save()
    if demolition_judgement:
        fit = demolition_judgement == DemolitionJudgement.FIT
        if compound.fit_for_demolition is not fit:
            compound_facts_update(compound=compound, user=user, changes={"fit_for_demolition": fit})
    status = ReviewStatus.SURVEYED if decision == VerificationDecision.NEEDS_INFO else ReviewStatus.VERIFIED
    compound_review_status_set(compound=compound, user=user, status=status)
    # The projects holding this compound record their 现场审核认定 step from it (六(一)): no double entry.
    from projects.services import projects_steps_from_records

    projects_steps_from_records(compound_ids=[compound.pk], user=user)
    return verification


@transaction.atomic
def compound_report(*, compound: Compound, user) -> Compound:
    """Mark a verified compound as reported to the county government (报县政府).

    Only a compound whose latest verification confirmed it, and whose verdict is 符合 or 放宽认定, goes.
    """
    latest = compound.verifications.order_by("-verified_on", "-id").first()
    if latest is None or latest.decision != VerificationDecision.CONFIRMED:
        raise ValidationError("只有现场审核确认列入的小区才能报县政府。")
    assessment = CompoundAssessment.objects.filter(compound=compound).first()
    if assessment is None or assessment.verdict not in (Verdict.ELIGIBLE, Verdict.RELAXED):
        raise ValidationError("只有认定为符合改造条件或放宽认定的小区才能报县政府。")
    return compound_review_status_set(compound=compound, user=user, status=ReviewStatus.REPORTED)


# The survey upload flow lives in its own package (communities/survey/); its public services are
# importable from here too, like every other write of this app.
from .survey import survey_import, survey_upload_check, survey_upload_create  # noqa: E402

__all__ = ["demo_compounds_create", "named_compounds_load", "survey_import", "survey_upload_check",
           "survey_upload_create", "towns_load"]


# --- 拆墙连片 (二(四), 五) -------------------------------------------------------------------------------


@transaction.atomic
def compound_merge(*, managed: Compound, absorbed: Compound, reason: str, merged_on: dt.date, user) -> CompoundMerge:
    """Merge an adjacent or nearby compound into another (拆墙连片, 二(四)、五: 相邻或临近的原分散住宅小区…
    整合成为一个小区，统一管理). Neither compound is changed or deleted: both keep their surveys, buildings,
    households and history; the merge is its own record, with its history. Refused, naming the clause,
    when it would merge a compound into itself, across towns, demo with real, twice, or in a chain."""
    # Lock both compounds (in id order, so two clerks merging the same pair cannot deadlock): two merges
    # at once could otherwise absorb A into B while B is absorbed into A.
    locked = {c.pk: c for c in Compound.objects.select_for_update().filter(pk__in=[managed.pk, absorbed.pk])
              .order_by("pk")}
    managed, absorbed = locked[managed.pk], locked[absorbed.pk]
    why = f"（拆墙连片，{CompoundMerge.CLAUSE}）"
    if managed.pk == absorbed.pk:
        raise ValidationError({"absorbed": f"小区不能并入自身{why}。"})
    if managed.town_id != absorbed.town_id:
        raise ValidationError({"absorbed": f"{absorbed.name}（{absorbed.town}）与{managed.name}（{managed.town}）"
                                           f"不在同一乡镇，不能按相邻或临近小区合并{why}。"})
    if managed.is_demo != absorbed.is_demo:
        raise ValidationError({"absorbed": "演示小区只能与演示小区合并，真实小区只能与真实小区合并。"})
    earlier = CompoundMerge.objects.filter(absorbed__in=[managed, absorbed]).select_related("absorbed", "managed")
    for merge in earlier:
        if merge.absorbed_id == absorbed.pk:
            raise ValidationError({"absorbed": f"{absorbed.name}已于{merge.merged_on:%Y-%m-%d}并入"
                                               f"{merge.managed.name}{why}。"})
        raise ValidationError({"absorbed": f"{managed.name}已并入{merge.managed.name}，"
                                           f"请把{absorbed.name}并入{merge.managed.name}{why}。"})
    if CompoundMerge.objects.filter(managed=absorbed).exists():
        raise ValidationError({"absorbed": f"{absorbed.name}已有小区并入，请把{managed.name}并入{absorbed.name}"
                                           f"{why}。"})
    merge = CompoundMerge(managed=managed, absorbed=absorbed, reason=reason.strip(), merged_on=merged_on,
                          recorded_by=user)
    merge.full_clean()
    merge._history_user = user
    merge._change_reason = f"拆墙连片（{CompoundMerge.CLAUSE}）：{absorbed.name}并入{managed.name}"
    merge.save()
    return merge
