"""Which compounds may be renovated, and why: section 三 (认定标准) of the county work plan as code.

Read this module top to bottom beside 三 of 靖政发〔2023〕75号 (../shared/seed/, summarised in
DOMAIN.md). Each rule cites its clause; every conclusion carries the fact it rests on, so a verdict can
be read back to the resident, the town and the county government.

The engine is a pure function: `assess(facts, rules)` reads a `CompoundFacts` snapshot and returns an
`Assessment`. It never queries the database and never guesses: a fact that is unknown (None) is listed
as missing and, unless a known fact already rules the compound out, the verdict is 资料不全.
services.compound_assess gathers the facts, calls `assess` and stores the result.

Verdicts, in the order they are decided:
    不符合      a known fact rules the compound out (too new without a recorded exception, in the
                shantytown plan, fit for demolition, none of the deficits of 三(二)1–3);
    资料不全    otherwise, when any fact the rules read is unknown;
    放宽认定    too new, admitted by a recorded exception with reason and approver (三(一));
    符合改造条件 everything else.
Resident consent below its threshold is flagged on a verdict, never turned into one (the compound
stays in the queue so the town can work with residents).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.conf import settings

from .choices import Verdict
from .models import Compound


@dataclass(frozen=True)
class Rules:
    """The adjustable parts of the rules; the defaults and their sources are in settings.py."""

    cutoff_year: int  # first build year that no longer qualifies (2000: built 1999 or earlier)
    renovation_consent: Fraction  # share of households and of floor area that must agree
    lift_consent: Fraction  # 双三分之二: by area and by headcount

    @classmethod
    def from_settings(cls) -> Rules:
        return cls(
            cutoff_year=settings.ELIGIBILITY_CUTOFF_YEAR,
            renovation_consent=settings.RENOVATION_CONSENT_THRESHOLD,
            lift_consent=settings.LIFT_CONSENT_THRESHOLD,
        )


# --- The facts the rules read ------------------------------------------------------------------

# 三(二)1–3: a compound qualifies on any one of these deficits (field names of Compound).
DEFICITS: dict[str, tuple[str, ...]] = {
    "三(二)1": ("water_drainage_aged", "power_aged", "heating_aged", "not_metered_per_household"),
    "三(二)2": ("public_facilities_lacking", "roads_damaged", "no_natural_gas", "gas_or_telecom_needs_work"),
    "三(二)3": ("recently_renovated",),
}
# 三(一): not fit for demolition and not in the shantytown (棚户区/危旧房) plan.
EXCLUSIONS: tuple[str, ...] = ("in_shantytown_plan", "fit_for_demolition")
# 三(二), last paragraph: 已纳入城镇棚户区改造计划或其他财政支持计划的项目以及完成改造的项目，不得重复申报中央补助支持.
NO_CENTRAL_SUBSIDY: tuple[str, ...] = ("in_shantytown_plan", "other_fiscal_support", "already_renovated")
# 三(二), last paragraph: 优先安排…特别是水、电、路、气等必要基础设施亟需更新的老旧小区.
# Each of the four counts once, whichever of its facts shows it; other deficits add a little.
PRIORITY_FOUR: dict[str, tuple[str, ...]] = {
    "水": ("water_drainage_aged",),
    "电": ("power_aged",),
    "路": ("roads_damaged",),
    "气": ("no_natural_gas", "gas_or_telecom_needs_work"),
}
PRIORITY_FOUR_POINTS = 25
PRIORITY_OTHER: tuple[str, ...] = ("heating_aged", "not_metered_per_household", "public_facilities_lacking")
PRIORITY_OTHER_POINTS = 5

CONDITION_FIELDS: tuple[str, ...] = tuple(
    dict.fromkeys([*(f for fields in DEFICITS.values() for f in fields), *EXCLUSIONS, *NO_CENTRAL_SUBSIDY])
)


def fact_label(name: str) -> str:
    """The Chinese name users know a fact by (the model's verbose_name)."""
    return str(Compound._meta.get_field(name).verbose_name)


@dataclass(frozen=True)
class BuildingYear:
    number: str
    year: int | None


@dataclass(frozen=True)
class ConsentTally:
    """Household answers to one question, counted by households and by floor area."""

    households_total: int = 0
    households_agreeing: int = 0
    area_total: Decimal = Decimal("0")
    area_agreeing: Decimal = Decimal("0")
    households_without_area: int = 0

    @property
    def by_households(self) -> Fraction | None:
        return Fraction(self.households_agreeing, self.households_total) if self.households_total else None

    @property
    def by_area(self) -> Fraction | None:
        # Never a guess: one household with no area makes the area share unknown.
        if not self.households_total or self.households_without_area or not self.area_total:
            return None
        return Fraction(self.area_agreeing) / Fraction(self.area_total)


@dataclass(frozen=True)
class RelaxationFact:
    building_number: str | None  # None: the whole compound
    reason: str
    approver: str
    approved_on: dt.date


@dataclass(frozen=True)
class CompoundFacts:
    """Everything the rules read about one compound, as surveyed (None = not known yet)."""

    build_year: int | None
    buildings: tuple[BuildingYear, ...] = ()
    conditions: Mapping[str, bool | None] = field(default_factory=dict)
    renovation_consent: ConsentTally = ConsentTally()
    lift_consent: ConsentTally = ConsentTally()
    relaxations: tuple[RelaxationFact, ...] = ()


# --- What the rules say ------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    clause: str  # e.g. "三(二)1"
    fact: str  # the fact in words, e.g. "建成年份 1996 < 2000"
    effect: str  # 满足 / 不满足 / 放宽 / 不得申报中央补助 / 提示 / 优先

    def __str__(self) -> str:
        return f"{self.fact} — {self.clause}"


@dataclass(frozen=True)
class MissingFact:
    field: str
    label: str
    clause: str


@dataclass(frozen=True)
class ConsentResult:
    households_total: int
    households_agreeing: int
    area_total: Decimal | None
    area_agreeing: Decimal | None
    by_households: Decimal | None  # share, 4 decimal places, for display and storage
    by_area: Decimal | None
    meets_by_households: bool | None
    meets_by_area: bool | None

    @property
    def meets(self) -> bool | None:
        """Both measures must reach the threshold; unknown when either is unknown and none fails."""
        if self.meets_by_households is False or self.meets_by_area is False:
            return False
        if self.meets_by_households is None or self.meets_by_area is None:
            return None
        return True


@dataclass(frozen=True)
class Assessment:
    verdict: Verdict
    central_subsidy_allowed: bool | None
    priority: int
    priority_parts: dict[str, int]
    renovation_consent: ConsentResult
    lift_consent: ConsentResult
    reasons: tuple[Reason, ...]
    missing: tuple[MissingFact, ...]
    cutoff_year: int

    @property
    def consent_flagged(self) -> bool:
        return self.renovation_consent.meets is False

    def as_dict(self) -> dict:
        data = asdict(self)
        data["verdict"] = self.verdict.value
        data["verdict_label"] = self.verdict.label
        data["consent_flagged"] = self.consent_flagged
        return data


# --- The rules, in the order of section 三 ------------------------------------------------------


def assess(facts: CompoundFacts, rules: Rules) -> Assessment:
    reasons: list[Reason] = []
    missing: list[MissingFact] = []
    ruled_out = False

    # 三(一)、三(二): built before the cut-off year; a compound that also has later buildings still
    # qualifies as a whole. A later compound may only come in through a recorded exception (三(一)).
    age = _built_before_cutoff(facts, rules, reasons, missing)
    relaxed = False
    if age is False:
        if facts.relaxations:
            relaxed = True
            for relaxation in facts.relaxations:
                target = relaxation.building_number or "整个小区"
                reasons.append(Reason(
                    "三(一)",
                    f"放宽认定年限：{target}，理由：{relaxation.reason}（批准人 {relaxation.approver}，"
                    f"{relaxation.approved_on.isoformat()}）",
                    "放宽",
                ))
        else:
            ruled_out = True

    # 三(二)1–3: at least one deficit.
    if _has_a_deficit(facts, reasons, missing) is False:
        ruled_out = True

    # 三(一): not in the shantytown plan, not fit for demolition.
    for name in EXCLUSIONS:
        value = facts.conditions.get(name)
        if value is None:
            missing.append(MissingFact(name, fact_label(name), "三(一)"))
        elif value:
            ruled_out = True
            reasons.append(Reason("三(一)", f"{fact_label(name)}：是，不列入老旧小区改造", "不满足"))

    # 三(一) 居民改造意愿强烈: counted by households and by area; below the threshold is a flag.
    renovation = _consent(facts.renovation_consent, rules.renovation_consent, "改造意愿", "三(一)", reasons)
    if renovation.meets_by_households is None:
        missing.append(MissingFact("renovation_consent", "住户改造意愿（尚无住户调查）", "三(一)"))
    elif renovation.meets_by_area is None:
        missing.append(MissingFact(
            "household_floor_area",
            f"住户建筑面积（{facts.renovation_consent.households_without_area} 户未填）", "三(一)",
        ))
    # Lifts: informative only, decided building by building later. The two-thirds rule is the Civil
    # Code's (art. 278), not a clause of the work plan (which names lifts only in 三(二)3).
    lift = _consent(facts.lift_consent, rules.lift_consent, "加装电梯意愿", LIFT_CONSENT_SOURCE, reasons)

    # 三(二), last paragraph: no second central subsidy.
    subsidy = _central_subsidy(facts, reasons, missing)

    # 三(二), last paragraph: 水、电、路、气 first.
    parts = _priority_parts(facts)
    if any(parts.values()):
        shown = "、".join(f"{name}{points}" for name, points in parts.items() if points)
        reasons.append(Reason("三(二)", f"优先度 {sum(parts.values())}（{shown}）", "优先"))

    if ruled_out:
        verdict = Verdict.INELIGIBLE
        subsidy = False
    elif missing:
        verdict = Verdict.INCOMPLETE
    elif relaxed:
        verdict = Verdict.RELAXED
    else:
        verdict = Verdict.ELIGIBLE
    return Assessment(
        verdict=verdict, central_subsidy_allowed=subsidy, priority=sum(parts.values()), priority_parts=parts,
        renovation_consent=renovation, lift_consent=lift, reasons=tuple(reasons), missing=tuple(missing),
        cutoff_year=rules.cutoff_year,
    )


def _built_before_cutoff(facts: CompoundFacts, rules: Rules, reasons: list[Reason],
                         missing: list[MissingFact]) -> bool | None:
    """True/False when the years say so, None (and a missing fact) when they cannot."""
    cutoff = rules.cutoff_year
    years = [b.year for b in facts.buildings if b.year is not None]
    if facts.build_year is not None:
        years.append(facts.build_year)
    later = [b for b in facts.buildings if b.year is not None and b.year >= cutoff]
    if years and min(years) < cutoff:
        reasons.append(Reason("三(一)", f"建成年份 {min(years)} < {cutoff}", "满足"))
        if later:
            listed = "、".join(f"{b.number}（{b.year}）" for b in later)
            reasons.append(Reason("三(二)", f"含 {cutoff} 年及以后建成的楼栋 {listed}，同一小区可一并列入", "满足"))
        return True
    unknown = [b.number for b in facts.buildings if b.year is None]
    if facts.build_year is None and (not facts.buildings or unknown):
        label = "建成年份" if not facts.buildings or len(unknown) == len(facts.buildings) \
            else f"建成年份（{'、'.join(unknown)}）"
        missing.append(MissingFact("build_year", label, "三(一)"))
        return None
    reasons.append(Reason("三(一)", f"建成年份 {min(years)} ≥ {cutoff}，不在{cutoff}年以前建成", "不满足"))
    return False


def _has_a_deficit(facts: CompoundFacts, reasons: list[Reason], missing: list[MissingFact]) -> bool | None:
    found = False
    unknown: list[MissingFact] = []
    for clause, names in DEFICITS.items():
        for name in names:
            value = facts.conditions.get(name)
            if value:
                found = True
                reasons.append(Reason(clause, f"{fact_label(name)}：是", "满足"))
            elif value is None:
                unknown.append(MissingFact(name, fact_label(name), clause))
    if found:
        return True
    if unknown:  # one unknown deficit might be the one that qualifies the compound
        missing.extend(unknown)
        return None
    reasons.append(Reason("三(二)", "三(二)1–3 所列条件均不具备", "不满足"))
    return False


def _share(value: Fraction | None) -> Decimal | None:
    if value is None:
        return None
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def _percent(value: Fraction) -> str:
    return f"{float(value) * 100:.1f}%"


LIFT_CONSENT_SOURCE = "《民法典》第二百七十八条（非本方案条款）"


def _consent(tally: ConsentTally, threshold: Fraction, label: str, clause: str,
             reasons: list[Reason]) -> ConsentResult:
    by_households, by_area = tally.by_households, tally.by_area
    # Exact comparison: 2 of 3 households is two thirds and meets a 2/3 threshold.
    meets_households = None if by_households is None else by_households >= threshold
    meets_area = None if by_area is None else by_area >= threshold
    for measure, share, meets, detail in (
        ("按户", by_households, meets_households, f"{tally.households_agreeing}/{tally.households_total} 户"),
        ("按面积", by_area, meets_area, f"{tally.area_agreeing}/{tally.area_total} ㎡"),
    ):
        if share is None:
            continue
        comparison = "≥" if meets else "<"
        effect = "满足" if meets else "提示"
        reasons.append(Reason(
            clause, f"{label}（{measure}）{detail} = {_percent(share)} {comparison} 门槛 {_percent(threshold)}", effect,
        ))
    return ConsentResult(
        households_total=tally.households_total, households_agreeing=tally.households_agreeing,
        area_total=tally.area_total if by_area is not None else None,
        area_agreeing=tally.area_agreeing if by_area is not None else None,
        by_households=_share(by_households), by_area=_share(by_area),
        meets_by_households=meets_households, meets_by_area=meets_area,
    )


def _central_subsidy(facts: CompoundFacts, reasons: list[Reason], missing: list[MissingFact]) -> bool | None:
    barred = False
    unknown = False
    for name in NO_CENTRAL_SUBSIDY:
        value = facts.conditions.get(name)
        if value:
            barred = True
            reasons.append(Reason("三(二)", f"{fact_label(name)}：是，不得重复申报中央补助", "不得申报中央补助"))
        elif value is None:
            unknown = True
            if not any(m.field == name for m in missing):
                missing.append(MissingFact(name, fact_label(name), "三(二)"))
    if barred:
        return False
    return None if unknown else True


def _priority_parts(facts: CompoundFacts) -> dict[str, int]:
    parts = {
        name: PRIORITY_FOUR_POINTS if any(facts.conditions.get(f) for f in fields) else 0
        for name, fields in PRIORITY_FOUR.items()
    }
    parts["其他设施"] = PRIORITY_OTHER_POINTS * sum(1 for f in PRIORITY_OTHER if facts.conditions.get(f))
    return parts
