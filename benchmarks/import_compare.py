"""Survey import side by side with django-import-export 4.x on the same workbook (issue 18, benchmarks).

    .venv/bin/pip install -e '.[bench]'          # django-import-export 4.x: this benchmark only
    .venv/bin/python benchmarks/import_compare.py                    # SQLite, 20,000 households, 3 rounds
    .venv/bin/python benchmarks/import_compare.py --postgres         # PostgreSQL (DATABASE_URL or jy_iebench)
        [--households 20000] [--rounds 3] [--contenders floor-calamine,floor-openpyxl,project,ie-defaults,...]
        [--defaults-households 5000]   # the ie-defaults contender on a smaller workbook of its own (rows/s)

One workbook of N households in the survey template's format (填写说明 plus 小区 / 楼栋 / 住户, the template's
headers on row 1; N/50 compounds, N/10 buildings, as benchmarks/survey_import.py's large file), then, in each of
`--rounds` interleaved rounds, each contender in a process of its own on a fresh copy of one migrated database
(a staff user and the town 乌兰镇; a SQLite file copied, or a PostgreSQL database created from a template):

- floor-calamine / floor-openpyxl: the parse floors, every row of every sheet read with python-calamine and with
  openpyxl's read-only mode (`iter_rows(values_only=True)`), nothing else;
- project: this project's import end to end, `manage.py import_survey PATH --user bench` (upload record, check,
  the rows kept, the write with history rows, the eligibility assessment, the town's totals);
- ie-defaults: django-import-export with its defaults: a ModelResource per sheet (Compound, Building, Household)
  keyed by the natural keys, foreign keys resolved by ForeignKeyWidget (a building by compound name + number),
  `import_data(dataset, dry_run=False)`. Each row is saved with `save()`, so django-simple-history's signal writes
  its history row (and the change log its line) as for any save; no assessment;
- ie-bulk: the same resources with `use_bulk = True`, `batch_size = 1000` (bulk_create: no signals, so no history);
- ie-tuned: bulk plus the library's performance advice (`skip_diff`, CachedForeignKeyWidget, an instance loader that
  reads the town's records once), history rows by django-simple-history's `bulk_create_with_history` with the change
  log's lines (`changelog.writer.index_bulk`), then what the project runs after its write: the eligibility
  assessment (`compounds_assess_all`), the town's totals and the projects' survey steps.

The library's contenders get tablib datasets built from the workbook read by python-calamine (the fast reader; the
library's own xlsx format would read it with openpyxl), and that read is inside their time. All three sheets are
imported in one transaction, as the project's import is. The widgets read the template's words as the project's
reader does (是/否/有/无/√/×, 同意/不同意/未表态, 砖混…, "1,234.5"). After each run the script checks the database:
every contender must have written the same compounds, communities, buildings and households, value for value
(a hash of every column but ids and timestamps), and the history rows, change-log lines and assessments its mode
writes; a mismatch stops the benchmark.
"""

import argparse
import hashlib
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks import survey_import, survey_workbook  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
CONTENDERS = ("floor-calamine", "floor-openpyxl", "project", "ie-defaults", "ie-bulk", "ie-tuned")
TOWN = "乌兰镇"
USER = "bench"
SHEETS = ("小区", "楼栋", "住户")
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/jy_iebench"


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingyuan_renovation.settings")
    import django

    django.setup()


# --- the parse floors --------------------------------------------------------------------------
def step_floor_calamine(path: Path) -> dict:
    import python_calamine

    start = time.perf_counter()
    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    rows = sum(len(workbook.get_sheet_by_name(name).to_python()) for name in workbook.sheet_names)
    return {"seconds": time.perf_counter() - start, "rows": rows}


def step_floor_openpyxl(path: Path) -> dict:
    from openpyxl import load_workbook

    start = time.perf_counter()
    workbook = load_workbook(path, read_only=True, data_only=True)
    rows = sum(1 for sheet in workbook.worksheets for _ in sheet.iter_rows(values_only=True))
    workbook.close()
    return {"seconds": time.perf_counter() - start, "rows": rows}


# --- the database ------------------------------------------------------------------------------
def step_template(path: Path) -> dict:
    """Migrate the (empty) template database; one staff user and the town."""
    _django()
    from django.core.management import call_command

    from agencies.choices import Role
    from agencies.services import roles_sync, user_create
    from communities.models import Town

    call_command("migrate", verbosity=0)
    roles_sync()
    user_create(username=USER, password="bench-pass-7q!x", role=Role.STAFF)
    Town.objects.get_or_create(name=TOWN)
    return {}


def _user_and_town():
    from django.contrib.auth import get_user_model

    from communities.models import Town

    return get_user_model().objects.get(username=USER), Town.objects.get(name=TOWN)


def _rows_hash(queryset, fields: list[str]) -> str:
    """Every row's values (in `fields`), sorted, hashed: equal hashes, equal tables."""
    rows = sorted(repr(row) for row in queryset.values_list(*fields).iterator(chunk_size=5000))
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()[:16]


def _columns(model, parent: str, parent_keys: list[str]) -> list[str]:
    skip = {"id", parent, "created_at", "updated_at"}
    return [*parent_keys, *(f.name for f in model._meta.concrete_fields if f.name not in skip)]


def fingerprint(town) -> dict:
    """What a run left in the database: the survey's records, their history, change log lines, assessments."""
    from django.db.models import Count

    from changelog.models import Change
    from communities.models import Building, Community, Compound, CompoundAssessment, Household

    compounds = Compound.objects.filter(town=town)
    buildings = Building.objects.filter(compound__town=town)
    households = Household.objects.filter(building__compound__town=town)
    communities = Community.objects.filter(town=town)
    models = {"compound": Compound, "community": Community, "building": Building, "household": Household,
              "compoundassessment": CompoundAssessment}
    return {
        "counts": {"compounds": compounds.count(), "communities": communities.count(),
                   "buildings": buildings.count(), "households": households.count()},
        "data": {
            "compounds": _rows_hash(compounds, ["community__name", *_columns(Compound, "community", [])]),
            "communities": _rows_hash(communities, ["name"]),
            "buildings": _rows_hash(buildings, _columns(Building, "compound", ["compound__name"])),
            "households": _rows_hash(households, _columns(Household, "building",
                                                          ["building__compound__name", "building__number"])),
        },
        "history": {name: model.history.count() for name, model in models.items()},
        "history_with_user": {name: model.history.filter(history_user__isnull=False).count()
                              for name, model in models.items()},
        "change_log": {row["object_type"].removeprefix("communities."): row["n"]
                       for row in Change.objects.filter(object_type__in=[f"communities.{m}" for m in models])
                       .values("object_type").annotate(n=Count("id")).order_by()},
        "assessments": dict(CompoundAssessment.objects.filter(compound__town=town).values_list("verdict")
                            .annotate(n=Count("id")).order_by()),
    }


# --- this project's import ---------------------------------------------------------------------
def step_project(path: Path) -> dict:
    _django()
    import io

    from django.core.management import call_command

    import communities.management.commands.import_survey  # noqa: F401 - loaded before the clock starts

    user, town = _user_and_town()
    out, err = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    call_command("import_survey", str(path), "--user", user.username, "--town", town.name, stdout=out, stderr=err)
    seconds = time.perf_counter() - start
    assert "导入完成" in out.getvalue(), err.getvalue()[:2000]
    return {"seconds": seconds, "fingerprint": fingerprint(town)}


# --- django-import-export ----------------------------------------------------------------------
def _widgets():
    """Widgets that read the template's words as the project's reader does."""
    from decimal import ROUND_HALF_UP, Decimal

    from import_export import widgets

    from communities.choices import Consent, StructureType
    from communities.survey import schema
    from communities.survey.values import NO_WORDS, YES_WORDS

    class YesNoWidget(widgets.BooleanWidget):
        TRUE_VALUES = [*widgets.BooleanWidget.TRUE_VALUES, *sorted(YES_WORDS)]
        FALSE_VALUES = [*widgets.BooleanWidget.FALSE_VALUES, *sorted(NO_WORDS)]

        def clean(self, value, row=None, **kwargs):
            if value in self.NULL_VALUES:
                return None
            if value in self.TRUE_VALUES:
                return True
            if value in self.FALSE_VALUES:
                return False
            raise ValueError(f"只能填 是 或 否：{value!r}")

    class AreaWidget(widgets.DecimalWidget):
        """Square metres: '1,234.5' as the surveyors write it, two decimals as the column stores them."""

        def clean(self, value, row=None, **kwargs):
            if self.is_empty(value):
                return None
            return Decimal(str(value).replace(",", "")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    class LabelWidget(widgets.Widget):
        """A choice written as its label (同意, 砖混); blank is `blank`."""

        def __init__(self, choices, blank):
            super().__init__()
            self.values, self.blank = {label: value for value, label in choices}, blank

        def clean(self, value, row=None, **kwargs):
            if value in (None, ""):
                return self.blank
            return self.values[str(value).strip()]

    def make(kind: str):
        return {
            schema.TEXT: widgets.CharWidget, schema.LONG_TEXT: widgets.CharWidget, schema.PHONE: widgets.CharWidget,
            schema.LEFT_OUT: widgets.CharWidget, schema.YEAR: widgets.IntegerWidget,
            schema.COUNT: widgets.IntegerWidget, schema.AREA: AreaWidget, schema.YES_NO: YesNoWidget,
            schema.CONSENT: lambda: LabelWidget(Consent.choices, Consent.UNDECIDED.value),
            schema.STRUCTURE: lambda: LabelWidget(StructureType.choices, ""),
        }[kind]()

    return make


def _resources(mode: str, *, town, user) -> list:
    """Compound, Building and Household resources for `mode` (defaults, bulk, tuned), in import order."""
    from django.db.models import F
    from django.utils import timezone
    from import_export import fields, instance_loaders, resources, widgets
    from simple_history.utils import bulk_create_with_history, bulk_update_with_history

    from changelog.writer import index_bulk, last_history_id
    from communities.models import Building, Community, Compound, Household
    from communities.survey import schema

    make_widget = _widgets()
    tuned = mode == "tuned"
    fk_base = widgets.CachedForeignKeyWidget if tuned else widgets.ForeignKeyWidget

    class CommunityWidget(fk_base):
        def get_queryset(self, value, row, *args, **kwargs):
            return Community.objects.filter(town=town)

    class CompoundWidget(fk_base):
        def get_queryset(self, value, row, *args, **kwargs):
            return Compound.objects.filter(town=town)

    class BuildingWidget(fk_base):
        """A building by its compound's name (the row's 小区名称) and its number."""

        def get_queryset(self, value, row, *args, **kwargs):
            queryset = Building.objects.filter(compound__town=town)
            if tuned:  # read once; the compound along, for the row report's str(household)
                return queryset.select_related("compound").annotate(compound_name=F("compound__name"))
            return queryset

        def get_lookup_kwargs(self, value, row, **kwargs):
            compound = row["小区名称"]
            return {"compound_name" if tuned else "compound__name": compound, "number": value}

    class NaturalKeyLoader(instance_loaders.BaseInstanceLoader):
        """The town's existing records read once, found by the row's natural key (tuned)."""

        def __init__(self, resource, dataset=None):
            super().__init__(resource, dataset)
            key_paths, self.headers = resource.natural_key
            self.known = {tuple(str(v) for v in values[1:]): values[0]
                          for values in resource.get_queryset().values_list("pk", *key_paths)}

        def get_instance(self, row):
            pk = self.known.get(tuple(str(row[h]).strip() for h in self.headers))
            return None if pk is None else self.resource.get_queryset().get(pk=pk)

    class Base(resources.ModelResource):
        def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
            if not tuned:
                return super().bulk_create(using_transactions, dry_run, raise_errors, batch_size, result)
            if self.create_instances and (using_transactions or not dry_run):
                model = self._meta.model
                try:
                    after = last_history_id(model)
                    created = bulk_create_with_history(self.create_instances, model, batch_size=batch_size,
                                                       default_user=user, default_date=timezone.now())
                    index_bulk(model, object_ids=[o.pk for o in created], after_history_id=after)
                except Exception as e:
                    self.handle_import_error(result, e, raise_errors)
                finally:
                    self.create_instances.clear()

        def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
            if not tuned:
                return super().bulk_update(using_transactions, dry_run, raise_errors, batch_size, result)
            if self.update_instances and (using_transactions or not dry_run):
                model = self._meta.model
                try:
                    after = last_history_id(model)
                    bulk_update_with_history(self.update_instances, model, self.get_bulk_update_fields(),
                                             batch_size=batch_size, default_user=user, default_date=timezone.now())
                    index_bulk(model, object_ids=[o.pk for o in self.update_instances], after_history_id=after)
                except Exception as e:
                    self.handle_import_error(result, e, raise_errors)
                finally:
                    self.update_instances.clear()

    def declared(spec, skip=()) -> dict:
        return {c.field: fields.Field(attribute=c.field, column_name=c.header, widget=make_widget(c.kind))
                for c in spec.columns if not c.legacy and c.field not in skip}

    def meta(model, import_id_fields, field_names):
        options = {"model": model, "fields": tuple(field_names), "import_id_fields": import_id_fields}
        if mode in ("bulk", "tuned"):
            options.update(use_bulk=True, batch_size=1000)
        if tuned:
            options.update(skip_diff=True, instance_loader_class=NaturalKeyLoader)
        return type("Meta", (), options)

    compound_fields = declared(schema.COMPOUND_SHEET)
    compound_fields["community"] = fields.Field(attribute="community", column_name="所属社区",
                                                widget=CommunityWidget(Community, "name"))

    def compound_init(self, row=None):
        # The project's rule for the 2 split columns (plan.py): given both, nothing is left to review.
        return Compound(town=town, gas_telecom_to_review=False)

    def compound_before_import(self, dataset, **kwargs):
        """所属社区 names a community of the town: the ones not known yet are created (with history)."""
        names = {str(v).strip() for v in dataset["所属社区"] if v not in (None, "")}
        known = set(Community.objects.filter(town=town).values_list("name", flat=True))
        for name in sorted(names - known):
            Community.objects.create(town=town, name=name)

    CompoundResource = type("CompoundResource", (Base,), {
        **compound_fields, "Meta": meta(Compound, ["name"], compound_fields),
        "natural_key": (["name"], ["小区名称"]),
        "get_queryset": lambda self: Compound.objects.filter(town=town),
        "init_instance": compound_init, "before_import": compound_before_import})

    building_fields = declared(schema.BUILDING_SHEET, skip=("compound",))
    building_fields["compound"] = fields.Field(attribute="compound", column_name="小区名称",
                                               widget=CompoundWidget(Compound, "name"))
    BuildingResource = type("BuildingResource", (Base,), {
        **building_fields, "Meta": meta(Building, ["compound", "number"], building_fields),
        "natural_key": (["compound__name", "number"], ["小区名称", "楼栋号"]),
        "get_queryset": lambda self: Building.objects.filter(compound__town=town)})

    household_fields = declared(schema.HOUSEHOLD_SHEET, skip=("compound", "building"))
    household_fields["building"] = fields.Field(attribute="building", column_name="楼栋号",
                                                widget=BuildingWidget(Building, "number"))
    HouseholdResource = type("HouseholdResource", (Base,), {
        **household_fields, "Meta": meta(Household, ["building", "unit", "room"], household_fields),
        "natural_key": (["building__compound__name", "building__number", "unit", "room"],
                        ["小区名称", "楼栋号", "单元", "房号"]),
        "get_queryset": lambda self: Household.objects.filter(building__compound__town=town)})
    return [("小区", CompoundResource()), ("楼栋", BuildingResource()), ("住户", HouseholdResource())]


def read_datasets(path: Path) -> dict:
    """The three data sheets as tablib datasets (header on row 1), read by python-calamine."""
    import python_calamine
    import tablib

    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    datasets = {}
    for title in SHEETS:
        rows = workbook.get_sheet_by_name(title).to_python()
        datasets[title] = tablib.Dataset(*rows[1:], headers=rows[0])
    return datasets


def step_ie(path: Path, mode: str) -> dict:
    _django()
    import warnings

    from django.db import transaction

    from communities.models import Compound
    from communities.services import compounds_assess_all
    from communities.totals import town_totals_refresh
    from projects.services import projects_steps_from_records

    user, town = _user_and_town()
    resources = _resources(mode, town=town, user=user)
    warnings.simplefilter("ignore")  # 4.x deprecation notes, once per row, are not the import's cost
    start = time.perf_counter()
    datasets = read_datasets(path)
    read_s = time.perf_counter() - start
    totals = {}
    with transaction.atomic():  # all three sheets or nothing, as the project's import
        for title, resource in resources:
            result = resource.import_data(datasets[title], dry_run=False, raise_errors=True)
            assert not result.has_errors() and not result.has_validation_errors(), title
            totals[title] = dict(result.totals)
        if mode == "tuned":
            compounds_assess_all(user=user, queryset=Compound.objects.filter(town=town))
            town_totals_refresh(town_ids=[town.pk])
            projects_steps_from_records(compound_ids=Compound.objects.filter(town=town).values_list("pk", flat=True),
                                        user=user)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "read_s": read_s, "totals": totals, "fingerprint": fingerprint(town)}


STEPS = {"floor-calamine": step_floor_calamine, "floor-openpyxl": step_floor_openpyxl, "project": step_project,
         "ie-defaults": lambda p: step_ie(p, "defaults"), "ie-bulk": lambda p: step_ie(p, "bulk"),
         "ie-tuned": lambda p: step_ie(p, "tuned"), "template": step_template}


# --- the driver --------------------------------------------------------------------------------
def run_step(step: str, path: Path, env: dict) -> dict:
    return survey_import.run_step(step, path, env, script=__file__)


class Databases:
    """A migrated template database, and a fresh copy of it for each run."""

    def __init__(self, folder: Path, url: str | None):
        self.folder, self.url = folder, url
        self.runs = 0
        env = self.env_for("template")
        if url:
            self._recreate(self._name("template"))
        run_step("template", Path("-"), env)

    def _name(self, suffix: str) -> str:
        return f"{self.url.rsplit('/', 1)[1]}_{suffix}"

    def _admin(self, *statements: str) -> None:
        import psycopg

        with psycopg.connect(self.url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
            for statement in statements:
                connection.execute(statement)

    def _recreate(self, name: str, template: str | None = None) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{name}"',
                    f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))

    def env_for(self, suffix: str) -> dict:
        env = dict(os.environ, JINGYUAN_VAR_DIR=str(self.folder / suffix), JINGYUAN_MEDIA_ROOT=str(self.folder / "media"))
        env.pop("REDIS_URL", None)  # tasks in-process: the command checks in process anyway
        (self.folder / suffix).mkdir(parents=True, exist_ok=True)
        if self.url:
            env["DATABASE_URL"] = f"{self.url.rsplit('/', 1)[0]}/{self._name(suffix)}"
        return env

    def fresh(self) -> dict:
        """The environment of a run on a new copy of the template."""
        env = self.env_for("run")
        if self.url:
            self._recreate(self._name("run"), template=self._name("template"))
        else:
            shutil.copyfile(self.folder / "template" / "db.sqlite3", self.folder / "run" / "db.sqlite3")
        shutil.rmtree(self.folder / "media", ignore_errors=True)
        return env

    def drop(self) -> None:
        if self.url:
            self._admin(f'DROP DATABASE IF EXISTS "{self._name("run")}"',
                        f'DROP DATABASE IF EXISTS "{self._name("template")}"')


def check(contender: str, got: dict, reference: dict) -> None:
    """Stop unless `contender` left the records the project's import leaves (and the history its mode writes)."""
    problems = []
    for part in ("counts", "data"):
        if got[part] != reference[part]:
            problems.append(f"{part}: {got[part]} != project's {reference[part]}")
    survey = ("compound", "building", "household")
    expected_history = dict(reference["history"])
    expected_log = dict(reference["change_log"])
    if contender in ("ie-defaults", "ie-bulk"):  # no assessment
        expected_history["compoundassessment"] = 0
        expected_log.pop("compoundassessment", None)
    if contender == "ie-bulk":  # bulk_create sends no signal: no history for the survey's rows
        for name in survey:
            expected_history[name] = 0
            expected_log.pop(name, None)
    if got["history"] != expected_history:
        problems.append(f"history: {got['history']} != expected {expected_history}")
    if got["change_log"] != expected_log:
        problems.append(f"change log: {got['change_log']} != expected {expected_log}")
    expected_assessments = reference["assessments"] if contender in ("project", "ie-tuned") else {}
    if got["assessments"] != expected_assessments:
        problems.append(f"assessments: {got['assessments']} != expected {expected_assessments}")
    if problems:
        raise SystemExit(f"{contender} did not write what the project's import writes:\n" + "\n".join(problems))


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _range(values: list[float]) -> str:
    return f"{min(values):.2f}–{max(values):.2f}" if len(values) > 1 else f"{values[0]:.2f}"


def report(results: dict, households: dict, backend: str) -> None:
    project = statistics.median(results["project"]) if results.get("project") else None
    print(f"\n{backend}: median (range) of {max(len(v) for v in results.values())} rounds")
    print("| contender | households | median s | range s | households/s | ÷ project |")
    print("| --- | ---: | ---: | --- | ---: | ---: |")
    for contender in CONTENDERS:
        times = results.get(contender)
        if not times:
            continue
        median, n = statistics.median(times), households[contender]
        ratio = ""
        if project:
            # per household, so a contender run on a smaller workbook compares too
            ratio = f"{(median / n) / (project / households['project']):.2f}×"
        rate = f"{n / median:,.0f}" if not contender.startswith("floor") else "(parse)"
        print(f"| {contender} | {n:,} | {median:.2f} | {_range(times)} | {rate} | {ratio} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("path", nargs="?", help=argparse.SUPPRESS)
    parser.add_argument("--households", type=int, default=20_000)
    parser.add_argument("--defaults-households", type=int, default=0,
                        help="run ie-defaults on a workbook of this many households instead (it is the slow one)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--contenders", default=",".join(CONTENDERS))
    parser.add_argument("--postgres", action="store_true",
                        help=f"PostgreSQL: DATABASE_URL, else {PG_DEFAULT} (databases <name>_template, <name>_run)")
    args = parser.parse_args()
    if args.step:
        if args.step == "generate":
            households = int(os.environ["BENCH_HOUSEHOLDS"])
            print(json.dumps(survey_workbook.write(Path(args.path), compounds=max(1, households // 50),
                                                   buildings=max(1, households // 10), households=households,
                                                   template=True)))
            return
        print(json.dumps(STEPS[args.step](Path(args.path)), ensure_ascii=False, default=str))
        return

    OUT.mkdir(parents=True, exist_ok=True)
    contenders = [c for c in args.contenders.split(",") if c]
    unknown = set(contenders) - set(CONTENDERS)
    if unknown:
        raise SystemExit(f"unknown contenders: {', '.join(sorted(unknown))}")
    sizes = {c: args.households for c in contenders}
    if args.defaults_households and "ie-defaults" in sizes:
        sizes["ie-defaults"] = args.defaults_households
    files = {}
    for n in sorted(set(sizes.values())):
        path = OUT / f"compare-{n}.xlsx"
        if not path.exists():
            run_step("generate", path, dict(os.environ, BENCH_HOUSEHOLDS=str(n)))
        files[n] = path
    url = (os.environ.get("DATABASE_URL") or PG_DEFAULT) if args.postgres else None
    backend = "PostgreSQL" if url else "SQLite"
    print(f"{backend}; workbook {files[args.households].name} "
          f"({files[args.households].stat().st_size / 1e6:.1f} MB); load average {load_average()}", flush=True)
    results: dict[str, list[float]] = {c: [] for c in contenders}
    references: dict[int, dict] = {}
    with tempfile.TemporaryDirectory(prefix="iebench-") as tmp:
        databases = Databases(Path(tmp), url)
        try:
            for round_number in range(1, args.rounds + 1):
                # The project first in each round: it is the reference the others are checked against.
                order = [c for c in ("project", *CONTENDERS) if c in contenders]
                order = list(dict.fromkeys(order))
                for contender in order:
                    n = sizes[contender]
                    if not contender.startswith("floor") and contender != "project" and n not in references:
                        # the project's import of that workbook is the reference for its size
                        references[n] = run_step("project", files[n], databases.fresh())["fingerprint"]
                    env = databases.fresh() if not contender.startswith("floor") else dict(os.environ)
                    result = run_step(contender, files[n], env)
                    if "fingerprint" in result:
                        if contender == "project":
                            references.setdefault(n, result["fingerprint"])
                        check(contender, result["fingerprint"], references[n])
                    results[contender].append(result["seconds"])
                    extra = f" (read {result['read_s']:.2f} s)" if "read_s" in result else ""
                    print(json.dumps({"round": round_number, "contender": contender, "households": n,
                                      "seconds": round(result["seconds"], 2), "load": load_average()})
                          + extra, flush=True)
        finally:
            databases.drop()
    counts = references.get(args.households, {}).get("counts")
    if counts:
        print(f"each import wrote {counts}")
    report(results, sizes, backend)
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
