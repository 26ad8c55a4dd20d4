"""What an upload would change: cross-sheet checks, the diff against the database, and the write.

Natural keys (issue #4): a compound is town + 小区名称, a building compound + 楼栋号, a household
building + 单元 + 房号. Names are compared after the same cleaning the reader applies, so a stray
space or a full-width digit never creates a duplicate. Rows are only created or updated, never
deleted; only the columns the file has are compared and written.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace

from django.db import connection
from django.utils import timezone

from communities import bulk
from communities.choices import ReviewStatus, SurveySheet
from communities.models import Building, Community, Compound, Household

from . import schema
from .parse import WARNING, ParsedSheet, ParsedSurvey, Problem
from .values import display, read_text

WRITE_BATCH = 10_000  # rows per INSERT/COPY batch: bounded memory, few statements
_KEYS = {
    SurveySheet.COMPOUNDS: ("name",),
    SurveySheet.BUILDINGS: ("compound", "number"),
    SurveySheet.HOUSEHOLDS: ("compound", "building", "unit", "room"),
}


@dataclass
class SheetPlan:
    sheet: ParsedSheet | None
    create: list[tuple] = field(default_factory=list)            # parsed rows
    update: list[tuple[int, tuple]] = field(default_factory=list)  # (id, parsed row)
    unchanged: int = 0

    def counts(self) -> dict:
        return {"create": len(self.create), "update": len(self.update), "unchanged": self.unchanged}


@dataclass
class SurveyPlan:
    sheets: dict[str, SheetPlan]
    problems: list[Problem]

    def counts(self) -> dict:
        return {kind: {"title": SurveySheet(kind).label, **plan.counts()} for kind, plan in self.sheets.items()}


def _key(values, shared: dict | None = None) -> tuple:
    if shared is None:
        return tuple(read_text(value) for value in values)
    return tuple(shared.setdefault(text, text) for text in map(read_text, values))


def _shared_choices(model, fields: list[str], shared: dict):
    """A function making the choice values of a row of `fields` one string object each (memory, not speed)."""
    positions = [i for i, name in enumerate(fields) if model._meta.get_field(name).choices]
    if not positions:
        return tuple

    def dedupe(values) -> tuple:
        values = list(values)
        for i in positions:
            values[i] = shared.setdefault(values[i], values[i])
        return tuple(values)

    return dedupe


def survey_plan(parsed: ParsedSurvey, *, town) -> SurveyPlan:
    """Check the sheets against each other and the town's records; sort rows into create/update/unchanged."""
    problems = list(parsed.problems)  # the parse's own stay as they were (they may be kept for the import)
    sheets = {kind: SheetPlan(parsed.sheets.get(kind)) for kind in SurveySheet.values}
    if sheets[SurveySheet.COMPOUNDS].sheet is not None:
        sheets[SurveySheet.COMPOUNDS].sheet = _compounds_as_written(sheets[SurveySheet.COMPOUNDS].sheet, problems)
    for plan in sheets.values():
        if plan.sheet is not None:
            _rule_columns_absent(plan.sheet, problems)
    # The town's records are held for the diff: its repeated names (a compound's on every household)
    # as one string object each, which is most of the memory of a re-upload of 100,000 households.
    shared: dict[str, str] = {}

    # --- 小区 -------------------------------------------------------------------------------
    compound_fields = [f for f in _present(sheets, SurveySheet.COMPOUNDS) if f != "name"]
    db_fields = [("community__name" if f == "community" else f) for f in compound_fields]
    existing = {}
    for row in Compound.objects.filter(town=town).values_list("id", "name", *db_fields).iterator(2000):
        existing.setdefault(_key(row[1:2]), (row[0], tuple("" if v is None and f == "community" else v
                                                             for f, v in zip(compound_fields, row[2:], strict=True))))
    file_compounds = _diff(sheets[SurveySheet.COMPOUNDS], existing, compound_fields, problems, "小区")
    known_compounds = set(existing) | set(file_compounds)
    compound_households = {key: row[sheets[SurveySheet.COMPOUNDS].sheet.field_index["household_count"]]
                           for key, row in file_compounds.items()
                           if "household_count" in sheets[SurveySheet.COMPOUNDS].sheet.columns}

    # --- 楼栋 -------------------------------------------------------------------------------
    building_plan = sheets[SurveySheet.BUILDINGS]
    building_fields = [f for f in _present(sheets, SurveySheet.BUILDINGS) if f not in ("compound", "number")]
    existing = {}
    building_keys = {}  # id → key, for the households
    if building_plan.sheet is not None or sheets[SurveySheet.HOUSEHOLDS].sheet is not None:
        # Also for a households-only CSV: its buildings may be on record already.
        for row in Building.objects.filter(compound__town=town).values_list(
                "id", "compound__name", "number", *building_fields).iterator(2000):
            key = building_keys[row[0]] = _key(row[1:3], shared)
            existing.setdefault(key, (row[0], row[3:]))
    _check_parent(building_plan, known_compounds, problems, parent_fields=("compound",),
                  message="小区「{0}」在「小区」表和系统中都不存在。请先在「小区」表中填写该小区，或检查名称是否一致。")
    file_buildings = _diff(building_plan, existing, building_fields, problems, "楼栋")
    known_buildings = set(existing) | set(file_buildings)
    if building_plan.sheet is not None and "household_count" in building_plan.sheet.columns:
        _check_sum(building_plan, file_buildings, compound_households, problems)

    # --- 住户 -------------------------------------------------------------------------------
    household_plan = sheets[SurveySheet.HOUSEHOLDS]
    household_fields = [f for f in _present(sheets, SurveySheet.HOUSEHOLDS)
                        if f not in ("compound", "building", "unit", "room")]
    existing = {}
    if household_plan.sheet is not None:
        values_of = _shared_choices(Household, household_fields, shared)
        for row in Household.objects.filter(building__compound__town=town).values_list(
                "id", "building_id", "unit", "room", *household_fields).iterator(5000):
            existing.setdefault(building_keys[row[1]] + _key(row[2:4], shared), (row[0], values_of(row[4:])))
    del building_keys
    _check_parent(household_plan, known_compounds, problems, parent_fields=("compound",),
                  message="小区「{0}」在「小区」表和系统中都不存在。请检查小区名称是否与「小区」表一致。")
    _check_parent(household_plan, known_buildings, problems, parent_fields=("compound", "building"),
                  skip_unknown_first=known_compounds,
                  message="楼栋「{0} {1}」在「楼栋」表和系统中都不存在。请先在「楼栋」表中填写该楼栋，或检查楼栋号。")
    file_households = _diff(household_plan, existing, household_fields, problems, "住户")
    if building_plan.sheet is not None and "household_count" in building_plan.sheet.columns:
        rows_per_building = Counter(key[:2] for key in file_households)
        index = building_plan.sheet.field_index
        for key, row in file_buildings.items():
            declared = row[index["household_count"]]
            if declared is not None and rows_per_building.get(key, 0) > declared:
                problems.append(Problem(
                    building_plan.sheet.title, row[0], building_plan.sheet.header_for("household_count"),
                    display(declared),
                    f"「住户」表中该楼栋有 {rows_per_building[key]} 户，多于这里填写的户数 {declared}。"
                    "请核对户数或住户表。", level=WARNING, col=building_plan.sheet.col_for("household_count")))
    return SurveyPlan(sheets={kind: plan for kind, plan in sheets.items() if plan.sheet is not None},
                      problems=problems)


def _present(sheets: dict[str, SheetPlan], kind) -> list[str]:
    sheet = sheets[kind].sheet
    return list(sheet.present_fields) if sheet is not None else []


_GAS, _TELECOM, _COMBINED = "gas_supply_needs_work", "telecom_needs_work", "gas_or_telecom_combined"
_REVIEW = schema.GAS_TELECOM_REVIEW.field
_SPLIT_HEADERS = {column.field: column.header for column in schema.COMPOUND_SHEET.columns
                  if column.field in (_GAS, _TELECOM)}


def _compounds_as_written(sheet: ParsedSheet, problems: list) -> ParsedSheet:
    """The 小区 sheet with its legacy columns translated (a copy: the parsed rows may be kept for the import).

    - 供气或通信管线需改造 (before 三(二)2's two facts were split): its value goes to whichever of
      供气管线需改造 / 通信管线需改造 the sheet lacks, and the row is marked 供气/通信待核实;
      a sheet with both split columns clears that mark.
    - 宜整体拆除重建: judged at the on-site verification (六(一)), not surveyed; the column is left out.
    """
    if sheet.spec is schema.COMPOUND_SHEET_WRITTEN:
        return sheet
    old = sheet.field_index
    columns = {f: c for f, c in sheet.columns.items() if f not in (_COMBINED, "fit_for_demolition")}
    headers = {f: h for f, h in sheet.headers.items() if f in columns}
    filled_from_combined: list[str] = []
    if _COMBINED in sheet.columns:
        for name in (_GAS, _TELECOM):
            if name not in columns:
                columns[name] = sheet.columns[_COMBINED]
                headers[name] = sheet.headers[_COMBINED]
                filled_from_combined.append(name)
        combined = sheet.headers[_COMBINED]
        if filled_from_combined:
            columns[_REVIEW] = sheet.columns[_COMBINED]
            headers[_REVIEW] = combined
            problems.append(Problem(
                sheet.title, sheet.header_row, combined, combined,
                f"旧模板的合并列「{combined}」：已把每行的值同时填入"
                f"{'和'.join(f'「{_SPLIT_HEADERS[name]}」' for name in filled_from_combined)}"
                "，并标记为“供气/通信待核实”（三(二)2 中供气、通信是两项事实，只有供气计入水电路气）。"
                "请按新模板分别填写「供气管线需改造」「通信管线需改造」两列。",
                level=WARNING, col=sheet.columns[_COMBINED]))
        else:
            problems.append(Problem(
                sheet.title, sheet.header_row, combined, combined,
                f"已有「供气管线需改造」「通信管线需改造」两列，旧模板的合并列「{combined}」已忽略。",
                level=WARNING, col=sheet.columns[_COMBINED]))
    elif _GAS in columns and _TELECOM in columns:
        columns[_REVIEW] = columns[_GAS]  # the split columns settle the question: the mark is cleared
        headers[_REVIEW] = headers[_GAS]
    if "fit_for_demolition" in sheet.columns:
        header = sheet.headers["fit_for_demolition"]
        problems.append(Problem(
            sheet.title, sheet.header_row, header, header,
            f"「{header}」列未导入：是否不宜整体拆除重建由住建局组织现场审核认定时判断（三(一)、六(一)），"
            "不由摸底调查填写。", level=WARNING, col=sheet.columns["fit_for_demolition"]))

    spec = schema.COMPOUND_SHEET_WRITTEN

    def value_of(row, name):
        if name == _REVIEW:
            if filled_from_combined:
                return row[old[_COMBINED]] is not None
            return False
        if name in filled_from_combined:
            return row[old[_COMBINED]]
        return row[old[name]]

    fields = [column.field for column in spec.columns]
    rows = [(row[0], *(value_of(row, name) for name in fields)) for row in sheet.rows]
    return replace(sheet, spec=spec, columns=columns, headers=headers, rows=rows)


def _rule_columns_absent(sheet: ParsedSheet, problems: list) -> None:
    """One 提示 per sheet naming the optional columns the eligibility rules read that the sheet lacks."""
    absent = [column for column in sheet.spec.columns
              if column.clause and column.extra and not column.legacy and column.field not in sheet.columns]
    if not absent:
        return
    listed = "、".join(f"「{column.header}」（{column.clause}）" for column in absent)
    problems.append(Problem(
        sheet.title, sheet.header_row or None, "", "",
        f"本表没有 {listed} 列：这些是认定标准要看的事实，本次上传不会填写，相关小区的认定结论可能为资料不全。"
        "如已调查，请按系统模板补上这些列。", level=WARNING))


def _diff(plan: SheetPlan, existing: dict, fields: list[str], problems, noun: str) -> dict:
    """Sort the sheet's rows into create / update / unchanged; report duplicates. Returns key → row."""
    sheet = plan.sheet
    if sheet is None:
        return {}
    index = sheet.field_index
    key_positions = [index[f] for f in _KEYS[sheet.spec.sheet]]
    value_positions = [index[f] for f in fields]
    first_row: dict[tuple, tuple] = {}
    key_header = sheet.header_for(_KEYS[sheet.spec.sheet][-1])
    for row in sheet.rows:
        key = tuple(row[p] for p in key_positions)
        if key in first_row:
            problems.append(Problem(
                sheet.title, row[0], key_header, " ".join(key),
                f"与本表第 {first_row[key][0]} 行重复（同一{noun}只能填一行）。请合并为一行或删除其中一行。",
                col=sheet.col_for(_KEYS[sheet.spec.sheet][-1])))
            continue
        first_row[key] = row
        found = existing.get(key)
        if found is None:
            plan.create.append(row)
        elif tuple(row[p] for p in value_positions) != tuple(found[1]):
            plan.update.append((found[0], row))
        else:
            plan.unchanged += 1
    return first_row


def _check_parent(plan: SheetPlan, known: set, problems, *, parent_fields, message, skip_unknown_first=None):
    sheet = plan.sheet
    if sheet is None:
        return
    index = sheet.field_index
    positions = [index[f] for f in parent_fields]
    kept = []
    for row in sheet.rows:
        parent = tuple(row[p] for p in positions)
        if parent in known:
            kept.append(row)
            continue
        if skip_unknown_first is not None and parent[:1] not in skip_unknown_first:
            continue  # already reported as an unknown compound
        problems.append(Problem(sheet.title, row[0], sheet.header_for(parent_fields[-1]), parent[-1],
                                message.format(*parent), col=sheet.col_for(parent_fields[-1])))
    if skip_unknown_first is not None or len(kept) != len(sheet.rows):
        # Rows naming unknown parents take no further part (their errors are recorded).
        sheet.rows = kept


def _check_sum(building_plan: SheetPlan, file_buildings: dict, compound_households: dict, problems):
    index = building_plan.sheet.field_index["household_count"]
    totals: dict[tuple, int] = defaultdict(int)
    last_row: dict[tuple, int] = {}
    for key, row in file_buildings.items():
        if row[index] is not None:
            totals[key[:1]] += row[index]
            last_row[key[:1]] = row[0]
    for compound_key, total in totals.items():
        declared = compound_households.get(compound_key)
        if declared is not None and total > declared:
            problems.append(Problem(
                building_plan.sheet.title, last_row[compound_key], building_plan.sheet.header_for("household_count"),
                str(total),
                f"小区「{compound_key[0]}」各楼栋户数合计 {total}，多于「小区」表填写的户数 {declared}。请核对。",
                level=WARNING, col=building_plan.sheet.col_for("household_count")))


# --- the write -------------------------------------------------------------------------------
def survey_write(plan: SurveyPlan, *, town, user) -> dict:
    """Create and update every planned row, each with its history row (bulk.py).

    The caller holds the transaction and the town lock. Values are written as the reader returned
    them, without per-row model validation: the reader enforces each field's limits and the database
    constraints stay the guard.
    """
    now = timezone.now()
    compounds = plan.sheets.get(SurveySheet.COMPOUNDS)
    if compounds is not None:
        # A compound known only by name (未调查) that this survey gives facts is surveyed now; set before the
        # rows are written so their history rows (copied from the rows) record it with the uploader.
        Compound.objects.filter(pk__in=[pk for pk, _ in compounds.update],
                                review_status=ReviewStatus.NOT_SURVEYED).update(review_status=ReviewStatus.SURVEYED)
        _write_compounds(compounds, town=town, user=user, now=now)
    compound_ids = {_key((name,)): pk for pk, name in Compound.objects.filter(town=town).values_list("id", "name")}
    buildings = plan.sheets.get(SurveySheet.BUILDINGS)
    if buildings is not None:
        _write_rows(buildings, Building, parent_attr="compound_id", user=user, now=now,
                    parent_of=lambda row, index: compound_ids[(row[index["compound"]],)],
                    skip=("compound",))
    households = plan.sheets.get(SurveySheet.HOUSEHOLDS)
    if households is not None:
        building_ids = {
            _key((compound, number)): pk
            for pk, compound, number in Building.objects.filter(compound__town=town).values_list(
                "id", "compound__name", "number").iterator(5000)
        }
        _write_rows(households, Household, parent_attr="building_id", user=user, now=now,
                    parent_of=lambda row, index: building_ids[(row[index["compound"]], row[index["building"]])],
                    skip=("compound", "building"))
    return plan.counts()


def _created(model, plan: SheetPlan, *, written: list[str], values_of, user, now) -> None:
    """Insert the plan's new rows: `written` columns from `values_of(row)`, the others their defaults."""
    if not plan.create:
        return
    base = bulk.defaults(model, now=now)
    constant = [name for name in base if name not in written]
    constants = tuple(base[name] for name in constant)
    columns = ["id", *written, *constant]
    ids = bulk.take_ids(model, len(plan.create))
    for start in range(0, len(plan.create), WRITE_BATCH):
        batch_ids = ids[start:start + WRITE_BATCH]
        bulk.insert(model, columns, [(pk, *values_of(row), *constants)
                                     for pk, row in zip(batch_ids, plan.create[start:start + WRITE_BATCH],
                                                        strict=True)])
        bulk.history(model, batch_ids, history_type="+", user=user, now=now)


def _updated(model, plan: SheetPlan, *, written: list[str], values_of, user, now) -> None:
    """Set the `written` columns of the plan's changed rows to `values_of(row)`."""
    for start in range(0, len(plan.update), WRITE_BATCH):
        chunk = plan.update[start:start + WRITE_BATCH]
        bulk.update(model, written, [(*values_of(row), pk) for pk, row in chunk])
        bulk.history(model, [pk for pk, _ in chunk], history_type="~", user=user, now=now)


def _write_compounds(plan: SheetPlan, *, town, user, now):
    sheet = plan.sheet
    index = sheet.field_index
    fields = [f for f in sheet.present_fields if f != "name"]
    community_ids = {}
    if "community" in fields:
        wanted = {row[index["community"]] for row in plan.create} | {row[index["community"]] for _, row in plan.update}
        wanted.discard("")
        wanted.discard(None)
        community_ids = {_key((name,))[0]: pk for pk, name in town.communities.values_list("id", "name")}
        for name in sorted(wanted - set(community_ids)):
            community = Community(town=town, name=name)
            community.full_clean(exclude=["town"], validate_constraints=False, validate_unique=False)
            community.save()
            community_ids[name] = community.pk
    positions = [index[f] for f in fields]
    community_at = fields.index("community") if "community" in fields else None
    attnames = ["community_id" if f == "community" else f for f in fields]

    def values_of(row) -> list:
        values = [row[p] for p in positions]
        if community_at is not None:
            name = values[community_at]
            values[community_at] = community_ids.get(name) if name else None
        return values

    name_at = index["name"]
    _created(Compound, plan, written=["town_id", "name", *attnames], user=user, now=now,
             values_of=lambda row: (town.pk, row[name_at], *values_of(row)))
    updated_at = Compound._meta.get_field("updated_at").get_db_prep_save(now, connection)
    _updated(Compound, plan, written=[*attnames, "updated_at"], user=user, now=now,
             values_of=lambda row: (*values_of(row), updated_at))


def _write_rows(plan: SheetPlan, model, *, parent_attr, parent_of, skip, user, now):
    sheet = plan.sheet
    index = sheet.field_index
    keys = _KEYS[sheet.spec.sheet]
    own_keys = [f for f in keys if f not in skip]
    fields = [f for f in sheet.present_fields if f not in keys]
    key_positions = [index[f] for f in own_keys]
    positions = [index[f] for f in fields]
    _created(model, plan, written=[parent_attr, *own_keys, *fields], user=user, now=now,
             values_of=lambda row: (parent_of(row, index), *[row[p] for p in key_positions],
                                    *[row[p] for p in positions]))
    if fields:
        _updated(model, plan, written=fields, user=user, now=now, values_of=lambda row: [row[p] for p in positions])
