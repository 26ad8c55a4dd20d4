"""Which compounds may be renovated, and why: section 三 (认定标准) of the county work plan as code.

Read this module top to bottom beside 三 of 靖政发〔2023〕75号 (../shared/seed/, summarised in
DOMAIN.md). Each rule cites its clause; every conclusion carries the fact it rests on, so a verdict can
be read back to the resident, the town and the county government.

The engine is a pure function: `assess(facts, rules)` reads a `CompoundFacts` snapshot and returns an
`Assessment`. It never queries the database and never guesses: a fact that is unknown (None) is listed
as missing and, unless a known fact already rules the compound out, the verdict is 资料不全.
services.compound_assess gathers the facts, calls `assess` and stores the result.

Verdicts, in the order they are decided:
    不符合        a known fact rules the compound out (too new without a recorded exception, in the
                  shantytown plan, fit for demolition, none of the deficits of 三(二)1–3);
    资料不全      otherwise, when any surveyed fact the rules read is unknown;
    待现场审核认定 otherwise, when only 不宜整体拆除重建 is open: the on-site verification judges it (六(一));
    放宽认定      too new, admitted by a recorded exception naming the three conditions of 三(一);
    符合改造条件  everything else.
Resident consent is shown by households and by floor area (三(一) 居民改造意愿强烈). The plan sets no
number: the threshold is an outside, informative setting (other cities' practice), labelled as such;
below it a compound is flagged, never dropped.
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

    cutoff_year: int  # first build year that no longer qualifies (2001: built by the end of 2000)
    renovation_consent: Fraction  # informative: share of households and of floor area (other cities' practice)
    lift_consent: Fraction  # 双三分之二 by area and by headcount (民法典 art. 278), informative

    @classmethod
    def from_settings(cls) -> Rules:
        return cls(
            cutoff_year=settings.ELIGIBILITY_CUTOFF_YEAR,
            renovation_consent=settings.RENOVATION_CONSENT_THRESHOLD,
            lift_consent=settings.LIFT_CONSENT_THRESHOLD,
        )


# --- The facts the rules read ------------------------------------------------------------------

# 三(二)1–2: a compound qualifies on any one of these deficits (field names of Compound). 三(二)2
# 「未通天然气或供气、通信管线需改造」 is three facts: no natural gas, gas lines, telecom lines.
DEFICITS: dict[str, tuple[str, ...]] = {
    "三(二)1": ("water_drainage_aged", "power_aged", "heating_aged", "not_metered_per_household"),
    "三(二)2": ("public_facilities_lacking", "roads_damaged", "no_natural_gas", "gas_supply_needs_work",
               "telecom_needs_work"),
}
# 三(二)3: renovated in recent years (改扩翻, 三供一业) *and* that work left out one of the listed items
# (Compound.renovation_left_out, choices.LeftOutItem); the recent renovation alone does not qualify.
RECENTLY_RENOVATED = "recently_renovated"
# 三(一): not in the shantytown (棚户区/危旧房) plan (surveyed) and not fit for demolition (judged on site,
# 六(一): while unknown the compound waits for the verification instead of being 资料不全).
EXCLUSIONS: tuple[str, ...] = ("in_shantytown_plan", "fit_for_demolition")
DEMOLITION = "fit_for_demolition"
# Where the default cut-off (2000 itself qualifies) comes from: the plan's 「2000年以前」 and 「2000年以后」
# leave 2000 in neither group.
YEAR_2000_SOURCE = "国办发〔2020〕23号「2000年底前建成」（非本方案条款）"
# The plan sets no consent number (三(一) says only 居民改造意愿强烈): any threshold is from outside.
RENOVATION_THRESHOLD_SOURCE = "其他城市实践（非本方案条款）"
LIFT_THRESHOLD_SOURCE = "《民法典》第二百七十八条（非本方案条款）"
# 三(二), last paragraph: 已纳入城镇棚户区改造计划或其他财政支持计划的项目以及完成改造的项目，不得重复申报中央补助支持.
NO_CENTRAL_SUBSIDY: tuple[str, ...] = ("in_shantytown_plan", "other_fiscal_support", "already_renovated")
# 三(二), last paragraph: 优先安排…特别是水、电、路、气等必要基础设施亟需更新的老旧小区.
# Each of the four counts once, whichever of its facts shows it; other deficits add a little.
PRIORITY_FOUR: dict[str, tuple[str, ...]] = {
    "水": ("water_drainage_aged",),
    "电": ("power_aged",),
    "路": ("roads_damaged",),
    "气": ("no_natural_gas", "gas_supply_needs_work"),  # gas only: telecom is not 气
}
PRIORITY_FOUR_POINTS = 25
PRIORITY_OTHER: tuple[str, ...] = ("heating_aged", "not_metered_per_household", "public_facilities_lacking",
                                   "telecom_needs_work")
PRIORITY_OTHER_POINTS = 5

CONDITION_FIELDS: tuple[str, ...] = tuple(
    dict.fromkeys([*(f for fields in DEFICITS.values() for f in fields), RECENTLY_RENOVATED, *EXCLUSIONS,
                   *NO_CENTRAL_SUBSIDY])
)


def fact_label(name: str) -> str:
    """The Chinese name users know a fact by (the model's verbose_name)."""
    return str(Compound._meta.get_field(name).verbose_name)


@dataclass(frozen=True)
class BuildingYear:
    number: str
    year: int | None
    joined_to_renovation: bool | None = None  # surveyed 与改造小区紧密相连 (三(一) relaxation)


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
        # Never a guess: one household with no area makes the area share unknown (see partial_by_area).
        if not self.households_total or self.households_without_area or not self.area_total:
            return None
        return Fraction(self.area_agreeing) / Fraction(self.area_total)

    @property
    def partial_by_area(self) -> Fraction | None:
        """The share over the households that have an area, when some do not (shown as partial)."""
        if not self.households_without_area or not self.area_total:
            return None
        return Fraction(self.area_agreeing) / Fraction(self.area_total)


@dataclass(frozen=True)
class RelaxationFact:
    building_number: str | None  # None: the whole compound
    reason: str
    approver: str
    approved_on: dt.date
    joined_to: str = ""
    conditions_met: bool = True  # 紧密相连, 居民改造意愿强烈 and 有改造必要 all recorded (三(一))


@dataclass(frozen=True)
class CompoundFacts:
    """Everything the rules read about one compound, as surveyed (None = not known yet)."""

    build_year: int | None
    buildings: tuple[BuildingYear, ...] = ()
    conditions: Mapping[str, bool | None] = field(default_factory=dict)
    renovation_consent: ConsentTally = ConsentTally()
    lift_consent: ConsentTally = ConsentTally()
    relaxations: tuple[RelaxationFact, ...] = ()
    renovation_left_out: tuple[str, ...] = ()  # 三(二)3: items the recent renovation left out, needed now


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
    households_without_area: int = 0  # > 0: the area share is partial and the household share decides

    @property
    def meets(self) -> bool | None:
        """Both measures reach the (informative) threshold. When some households have no floor area the
        area share is partial, and the household share alone decides."""
        if self.meets_by_households is False or self.meets_by_area is False:
            return False
        if self.meets_by_households is None:
            return None
        if self.meets_by_area is None and not self.households_without_area:
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
    relaxation_candidate: bool = False  # 三(一): a later building 与改造小区紧密相连, no exception recorded yet

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
    candidate = False
    if age is False:
        relaxed = _relaxation(facts, reasons)
        if not relaxed:
            ruled_out = True
            candidate = _relaxation_candidates(facts, rules, reasons)

    # 三(二)1–3: at least one deficit.
    if _has_a_deficit(facts, reasons, missing) is False:
        ruled_out = True

    # 三(一): not in the shantytown plan (surveyed), not fit for demolition (judged on site, 六(一)).
    demolition_open = False
    for name in EXCLUSIONS:
        value = facts.conditions.get(name)
        if value is None and name == DEMOLITION:
            demolition_open = True
            reasons.append(Reason("三(一)、六(一)", "是否不宜整体拆除重建：由现场审核认定时判断", "待定"))
        elif value is None:
            missing.append(MissingFact(name, fact_label(name), "三(一)"))
        elif value:
            ruled_out = True
            reasons.append(Reason("三(一)", f"{fact_label(name)}：是，不列入老旧小区改造", "不满足"))
        elif name == DEMOLITION:
            reasons.append(Reason("三(一)、六(一)", "不宜整体拆除重建（现场审核认定）", "满足"))

    # 三(一) 居民改造意愿强烈: shown by households and by area against an informative outside threshold.
    renovation = _consent(facts.renovation_consent, rules.renovation_consent, "改造意愿", "三(一)",
                          RENOVATION_THRESHOLD_SOURCE, reasons)
    if renovation.meets_by_households is None:
        missing.append(MissingFact("renovation_consent", "住户改造意愿（尚无住户调查）", "三(一)"))
    # 加装电梯 (三(二)3, 五): informative only, the lift is decided building by building later.
    lift = _consent(facts.lift_consent, rules.lift_consent, "加装电梯意愿", "三(二)3", LIFT_THRESHOLD_SOURCE, reasons)

    # 三(二), last paragraph: no second central subsidy.
    subsidy = _central_subsidy(facts, reasons, missing)

    # 三(二), last paragraph: 水、电、路、气 first.
    parts = _priority_parts(facts)
    if any(parts.values()):
        shown = "、".join(f"{name}{points}" for name, points in parts.items() if points)
        reasons.append(Reason("三(二)", f"优先度 {sum(parts.values())}（{shown}）", "优先"))

    if demolition_open:
        missing.append(MissingFact(DEMOLITION, "不宜整体拆除重建（待现场审核认定）", "三(一)、六(一)"))
    if ruled_out:
        verdict = Verdict.INELIGIBLE
        # Not to be applied for (funding reads this); the pages still say 不得重复申报 only when a
        # no-double-subsidy fact is true, and otherwise why the compound is ineligible.
        subsidy = False
    elif any(m.field != DEMOLITION for m in missing):
        verdict = Verdict.INCOMPLETE
    elif demolition_open:
        verdict = Verdict.PENDING_SITE
    elif relaxed:
        verdict = Verdict.RELAXED
    else:
        verdict = Verdict.ELIGIBLE
    return Assessment(
        verdict=verdict, central_subsidy_allowed=subsidy, priority=sum(parts.values()), priority_parts=parts,
        renovation_consent=renovation, lift_consent=lift, reasons=tuple(reasons), missing=tuple(missing),
        cutoff_year=rules.cutoff_year, relaxation_candidate=candidate,
    )


def _built_before_cutoff(facts: CompoundFacts, rules: Rules, reasons: list[Reason],
                         missing: list[MissingFact]) -> bool | None:
    """True/False when the years say so, None (and a missing fact) when they cannot."""
    cutoff = rules.cutoff_year
    last = cutoff - 1  # the last year that qualifies
    years = [b.year for b in facts.buildings if b.year is not None]
    if facts.build_year is not None:
        years.append(facts.build_year)
    later = [b for b in facts.buildings if b.year is not None and b.year >= cutoff]
    if years and min(years) < cutoff:
        reasons.append(Reason("三(一)", f"建成年份 {min(years)} ≤ {last}，{last}年底前建成", "满足"))
        if min(years) == 2000:
            # 2000 is in neither of the plan's groups (2000年以前 / 2000年以后): say whose rule admits it.
            reasons.append(Reason(YEAR_2000_SOURCE, "2000 年建成：工作方案“2000年以前/以后”均未含 2000 年，"
                                  "按国家“2000年底前建成”认定", "满足"))
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
    reasons.append(Reason("三(一)", f"建成年份 {min(years)} > {last}，不在{last}年底前建成", "不满足"))
    return False


def _relaxation(facts: CompoundFacts, reasons: list[Reason]) -> bool:
    """三(一) 放宽认定年限: admitted by a recorded exception naming all three conditions. It admits what it
    names (a building, or the compound itself), not the rest of the compound."""
    valid = [r for r in facts.relaxations if r.conditions_met]
    for relaxation in facts.relaxations:
        target = relaxation.building_number or "整个小区"
        if not relaxation.conditions_met:
            reasons.append(Reason("三(一)", f"放宽认定记录（{target}）未写明紧密相连、居民改造意愿强烈、有改造必要"
                                  "三项条件，补录后方可放宽", "提示"))
            continue
        joined = f"与{relaxation.joined_to}紧密相连、" if relaxation.joined_to else "紧密相连、"
        reasons.append(Reason(
            "三(一)",
            f"放宽认定年限：{target}（{joined}居民改造意愿强烈、有改造必要），理由：{relaxation.reason}"
            f"（批准人 {relaxation.approver}，{relaxation.approved_on.isoformat()}）",
            "放宽",
        ))
    if not valid:
        return False
    if all(r.building_number for r in valid):
        named = list(dict.fromkeys(r.building_number for r in valid))
        others = [b.number for b in facts.buildings if b.number not in named]
        text = f"放宽认定只及于所列楼栋：{'、'.join(named)}"
        if others:
            text += f"；其余楼栋（{'、'.join(others)}）不在放宽范围内"
        reasons.append(Reason("三(一)", text, "提示"))
    return True


def _relaxation_candidates(facts: CompoundFacts, rules: Rules, reasons: list[Reason]) -> bool:
    """Later buildings surveyed as 与改造小区紧密相连: an exception may be applied for (三(一))."""
    candidates = [b for b in facts.buildings
                  if b.joined_to_renovation and b.year is not None and b.year >= rules.cutoff_year]
    if not candidates:
        return False
    listed = "、".join(f"{b.number}（{b.year}）" for b in candidates)
    reasons.append(Reason("三(一)", f"可申请放宽认定：{listed} 与改造小区紧密相连；须居民改造意愿强烈、有改造必要，"
                          "经批准录入后只放宽所列楼栋", "提示"))
    return True


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
    # 三(二)3: the recent renovation qualifies only with a left-out item recorded as needed.
    renovated = facts.conditions.get(RECENTLY_RENOVATED)
    if renovated and facts.renovation_left_out:
        found = True
        reasons.append(Reason("三(二)3", f"{fact_label(RECENTLY_RENOVATED)}：是，改造未涉及、现需改造："
                              f"{'、'.join(facts.renovation_left_out)}", "满足"))
    elif renovated:
        unknown.append(MissingFact("renovation_left_out", "改造未涉及内容（近年已改造，未填未涉及的内容）", "三(二)3"))
    elif renovated is None:
        unknown.append(MissingFact(RECENTLY_RENOVATED, fact_label(RECENTLY_RENOVATED), "三(二)3"))
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


def _consent(tally: ConsentTally, threshold: Fraction, label: str, clause: str, source: str,
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
        reasons.append(Reason(clause, f"{label}（{measure}）{detail} = {_percent(share)}", "意愿"))
        comparison = "≥" if meets else "<"
        reasons.append(Reason(
            source, f"{label}（{measure}）{_percent(share)} {comparison} 参考门槛 {_percent(threshold)}（仅供参考）",
            "满足" if meets else "提示",
        ))
    partial = tally.partial_by_area
    if tally.households_without_area and by_households is not None:
        known = f"已填面积部分 {tally.area_agreeing}/{tally.area_total} ㎡ = {_percent(partial)}，" if partial else ""
        reasons.append(Reason(clause, f"{label}（按面积）不完整：{tally.households_without_area} 户未填建筑面积，"
                              f"{known}以按户比例为准", "提示"))
    return ConsentResult(
        households_total=tally.households_total, households_agreeing=tally.households_agreeing,
        area_total=tally.area_total if by_area is not None else None,
        area_agreeing=tally.area_agreeing if by_area is not None else None,
        by_households=_share(by_households), by_area=_share(by_area),
        meets_by_households=meets_households, meets_by_area=meets_area,
        households_without_area=tally.households_without_area,
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
