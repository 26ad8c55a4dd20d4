"""Survey import benchmark (issue #4). Run by hand; figures go in benchmarks/README.md.

    .venv/bin/python benchmarks/survey_import.py                      # SQLite in a temporary folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jy_issue4_bench .venv/bin/python benchmarks/survey_import.py

Generates a survey workbook of 2,000 compounds / 10,000 buildings / 100,000 households (and the
programme-sized 46 / 170 / 6,157), then reports, each step in its own process so peak RSS is its own:
(a) raw openpyxl read-only parse of the file (and python-calamine's, the survey reader since issue 18),
(b) the full import into an empty database, two ways: the one-shot command `import_survey PATH --user U`
(read, check, diff, write with history rows, in one process) and the browser flow (upload + check =
preview; then the confirmed import; then a re-upload of the same file, all unchanged), (c) peak RSS.
Each database is dropped and recreated on each run (`<name>` for the browser flow, `<name>_cli` for
the command). `--profile DIR` also writes a cProfile of the command and of the confirm step to DIR.
"""

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks import survey_workbook  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
SIZES = {"large": (2000, 10_000, 100_000), "programme": (46, 170, 6157)}
# "-sst": the same workbook with its text in the shared-strings table, as Excel, WPS and LibreOffice
# save it (openpyxl's write-only mode writes every text cell inline instead).
SIZES.update({f"{name}-sst": size for name, size in SIZES.items()})


def peak_rss_mb() -> float:
    """This process's peak RSS. VmHWM, not getrusage's ru_maxrss: Linux carries ru_maxrss over from the
    parent across fork and exec, so a small step started by a large parent would report the parent's."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak_rss() -> None:
    """Start measuring peak RSS afresh (Linux: writing 5 to clear_refs resets VmHWM)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def database_cpu_s() -> float:
    """CPU seconds used so far by the PostgreSQL server process serving this connection (0 on SQLite, whose
    work is this process's own, or when the server is not on this machine)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def step_parse(path: Path) -> dict:
    from openpyxl import load_workbook

    start, cpu = time.perf_counter(), time.process_time()
    workbook = load_workbook(path, read_only=True, data_only=True)
    rows = 0
    for sheet in workbook.worksheets:
        for _ in sheet.iter_rows(values_only=True):
            rows += 1
    workbook.close()
    result = {"openpyxl_parse_s": round(time.perf_counter() - start, 2),
              "openpyxl_parse_cpu_s": round(time.process_time() - cpu, 2), "rows": rows,
              "openpyxl_peak_rss_mb": round(peak_rss_mb(), 1)}
    return result


def step_calamine(path: Path) -> dict:
    try:
        import python_calamine
    except ImportError:
        return {}
    start, cpu = time.perf_counter(), time.process_time()
    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    rows = 0
    for name in workbook.sheet_names:
        for _ in workbook.get_sheet_by_name(name).iter_rows():
            rows += 1
    return {"calamine_parse_s": round(time.perf_counter() - start, 2),
            "calamine_parse_cpu_s": round(time.process_time() - cpu, 2),
            "calamine_peak_rss_mb": round(peak_rss_mb(), 1)}


def _setup_database():
    """Django on a fresh database: migrated, one staff user, the town."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingyuan_renovation.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from agencies.choices import Role
    from agencies.services import roles_sync, user_create
    from communities.models import Town

    call_command("migrate", verbosity=0)
    roles_sync()
    user = user_create(username="bench", password="bench-pass-7q!x", role=Role.STAFF)
    town, _ = Town.objects.get_or_create(name="乌兰镇")
    return user, town


def _profiled(name: str, function):
    """Run `function`; with BENCH_PROFILE_DIR set, under cProfile, the stats written to DIR/name.prof."""
    folder = os.environ.get("BENCH_PROFILE_DIR")
    if not folder:
        return function()
    import cProfile

    profiler = cProfile.Profile()
    try:
        return profiler.runcall(function)
    finally:
        profiler.dump_stats(str(Path(folder) / f"{name}.prof"))


def step_cli(path: Path) -> dict:
    """The one-shot command, file → database committed: `import_survey PATH --user bench`."""
    import io

    user, _ = _setup_database()
    from django.core.management import call_command

    from communities.models import Household

    out, err = io.StringIO(), io.StringIO()
    start, cpu, db_cpu = time.perf_counter(), time.process_time(), database_cpu_s()
    _profiled(f"cli-{path.stem}", lambda: call_command("import_survey", str(path), "--user", user.username,
                                                       stdout=out, stderr=err))
    cli_s, cpu, db_cpu = time.perf_counter() - start, time.process_time() - cpu, database_cpu_s() - db_cpu
    households = Household.objects.count()
    assert households, err.getvalue()[:2000]
    return {"cli_import_s": round(cli_s, 2), "cli_import_cpu_s": round(cpu, 2), "cli_import_db_cpu_s": round(db_cpu, 2),
            "cli_households": households,
            "cli_peak_rss_mb": round(peak_rss_mb(), 1)}


def step_import(path: Path) -> dict:
    user, town = _setup_database()
    from django.core.files import File

    from communities.models import Household
    from communities.survey import survey_import, survey_upload_create

    reset_peak_rss()
    start = time.perf_counter()
    with path.open("rb") as handle:
        upload = survey_upload_create(user=user, town=town, uploaded_file=File(handle, name=path.name))
    check_s = time.perf_counter() - start
    check_peak = peak_rss_mb()
    upload.refresh_from_db()  # a large file was checked by the (in-process) task
    assert upload.error_count == 0, upload.errors[:5]
    reset_peak_rss()
    start, cpu, db_cpu = time.perf_counter(), time.process_time(), database_cpu_s()
    upload = _profiled(f"confirm-{path.stem}", lambda: survey_import(upload=upload, user=user))
    import_s, cpu, db_cpu = time.perf_counter() - start, time.process_time() - cpu, database_cpu_s() - db_cpu
    confirm_peak = peak_rss_mb()
    assert upload.state == "imported", upload.errors[:5]
    households = Household.objects.count()
    reset_peak_rss()
    start = time.perf_counter()
    with path.open("rb") as handle:
        again = survey_upload_create(user=user, town=town, uploaded_file=File(handle, name=path.name))
    recheck_s = time.perf_counter() - start
    again.refresh_from_db()  # a large file was checked by the (in-process) task on its own copy
    return {"check_s": round(check_s, 2), "import_s": round(import_s, 2), "import_cpu_s": round(cpu, 2),
            "import_db_cpu_s": round(db_cpu, 2), "households": households,
            "recheck_unchanged_s": round(recheck_s, 2),
            "recheck_counts": {k: [v["create"], v["update"], v["unchanged"]] for k, v in again.counts.items()},
            "check_peak_rss_mb": round(check_peak, 1), "confirm_peak_rss_mb": round(confirm_peak, 1),
            "recheck_peak_rss_mb": round(peak_rss_mb(), 1)}


def run_step(step: str, path: Path, env: dict, script: str = __file__) -> dict:
    """One step of `script` in its own process (generation too: a child's peak RSS starts from its parent's);
    the step prints its figures as JSON on its last line."""
    output = subprocess.run([sys.executable, script, "--step", step, str(path)], env=env,
                            capture_output=True, text=True)
    if output.returncode:
        raise SystemExit(f"step {step} failed:\n{output.stderr[-4000:]}")
    return json.loads(output.stdout.strip().splitlines()[-1])


def fresh_database(env: dict, folder: str, suffix: str = "") -> None:
    """A new empty database for one step: SQLite in `folder`, or PostgreSQL `<name><suffix>` recreated."""
    env["JINGYUAN_VAR_DIR"] = folder
    url = env.get("DATABASE_URL")
    if not url:
        return
    import psycopg

    base, name = url.rsplit("/", 1)
    name += suffix
    with psycopg.connect(base + "/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = f"{base}/{name}"


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--step")
    parser.add_argument("path", nargs="?")
    parser.add_argument("--sizes", default="programme,large")
    parser.add_argument("--steps", default="parse,calamine,cli,import")
    parser.add_argument("--profile", metavar="DIR", help="write cProfile stats of the command and the confirm here")
    args = parser.parse_args()
    if args.step:
        if args.step.startswith("generate-"):
            size = args.step.removeprefix("generate-")
            compounds, buildings, households = SIZES[size]
            survey_workbook.write(Path(args.path), compounds=compounds, buildings=buildings,
                                  households=households, template=False)
            if size.endswith("-sst"):
                from tests.communities.survey_files import to_shared_strings

                to_shared_strings(Path(args.path))
            print("{}")
            return
        step = {"parse": step_parse, "calamine": step_calamine, "import": step_import, "cli": step_cli}[args.step]
        print(json.dumps(step(Path(args.path))))
        return
    OUT.mkdir(parents=True, exist_ok=True)
    backend = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    for size in args.sizes.split(","):
        path = OUT / f"survey-{size}.xlsx"
        if not path.exists():
            run_step(f"generate-{size}", path, dict(os.environ))
        result = {"size": size, "backend": backend, "file_mb": round(path.stat().st_size / 1024 / 1024, 2),
                  "load_before": load_average()}
        for step in args.steps.split(","):
            with tempfile.TemporaryDirectory() as tmp:
                env = dict(os.environ, JINGYUAN_MEDIA_ROOT=tmp)
                if args.profile:
                    Path(args.profile).mkdir(parents=True, exist_ok=True)
                    env["BENCH_PROFILE_DIR"] = str(Path(args.profile).resolve())
                fresh_database(env, tmp, suffix="_cli" if step == "cli" else "")
                result.update(run_step(step, path, env))
        result["load_after"] = load_average()
        parse_s = result.get("openpyxl_parse_s")
        if parse_s:
            for name in ("cli_import_s", "import_s"):
                if name in result:
                    result[name.replace("_s", "") + "_vs_parse"] = round(result[name] / parse_s, 2)
        parse_cpu = result.get("openpyxl_parse_cpu_s")
        if parse_cpu:  # CPU time (this process + its PostgreSQL server process): steadier on a loaded machine
            for name in ("cli_import", "import"):
                if f"{name}_cpu_s" in result:
                    used = result[f"{name}_cpu_s"] + result.get(f"{name}_db_cpu_s", 0)
                    result[f"{name}_cpu_vs_parse_cpu"] = round(used / parse_cpu, 2)
                    if result.get("calamine_parse_cpu_s"):
                        result[f"{name}_cpu_vs_calamine_cpu"] = round(used / result["calamine_parse_cpu_s"], 1)
        print(json.dumps(result, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
