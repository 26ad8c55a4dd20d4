"""Export benchmark (issue 18): the household export built the way the worker builds it (ui.exports), its
write speed in rows per second and the process's peak memory, at a given data size.

    .venv/bin/python benchmarks/exports.py --compounds 500              # ~70,000 households
    .venv/bin/python benchmarks/exports.py --compounds 7500             # ~1 million households

A fresh PostgreSQL database is made, the programme loaded and `generate_synthetic --compounds N` run; then,
in a process of its own (so the peak RSS is the export's), a staff user's household export (every row, the
list's columns, personal data as staff may read it) is requested and built by the same services the worker
calls (the URL conf and views imported first, as in a worker that has run before). Prints figures; asserts
nothing. Targets: >= 30,000 rows/s, peak <= 200 MB at a million rows.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BUILD = """
import resource, time, django
django.setup()
from django.contrib.auth import get_user_model
from agencies.choices import Role
from agencies.services import user_create
from communities.models import Household
from ui.exports import export_run_build, export_run_claim
from ui.models import ExportRun
user = get_user_model().objects.filter(username="bench-export").first() or user_create(
    username="bench-export", password="bench-pass-2023!", role=Role.STAFF)
rows = Household.objects.count()
# A worker imports the URL conf and the views once in its life, not per export: do it before the clock starts.
from django.urls import resolve, reverse
resolve(reverse("communities:household_list"))
run = ExportRun.objects.create(requested_by=user, title="住户", filename_stem="住户",
                               view_name="communities:household_list", row_count=rows)
started, cpu_started = time.perf_counter(), time.process_time()
run = export_run_build(run_id=run.pk, attempt=export_run_claim(run_id=run.pk))
elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
print("RESULT", rows, run.rows_written, elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
      run.size_bytes, run.state, cpu)
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--compounds", type=int, default=500)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--db", default="jingyuan_bench_exports")
    parser.add_argument("--keep", action="store_true", help="reuse the database if it exists (skip generation)")
    args = parser.parse_args()
    exists = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-lqt"], capture_output=True,
                            text=True).stdout
    fresh = not (args.keep and re.search(rf"^\s*{args.db}\s", exists, re.M))
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, DATABASE_URL=f"{args.pg}/{args.db}", JINGYUAN_MEDIA_ROOT=tmp,
                   DJANGO_SETTINGS_MODULE="jingyuan_renovation.settings", PYTHONPATH=str(ROOT))
        env.pop("REDIS_URL", None)
        manage = [sys.executable, str(ROOT / "manage.py")]
        made = "reused"
        if fresh:
            subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", args.db], check=True)
            subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", args.db], check=True)
            subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
            subprocess.run([*manage, "load_programme"], env=env, check=True, capture_output=True)
            made = subprocess.run([*manage, "generate_synthetic", "--compounds", str(args.compounds), "--projects", "0"],
                                  env=env, check=True, capture_output=True, text=True).stdout.strip()
        out = subprocess.run([sys.executable, "-c", BUILD], env=env, cwd=ROOT, check=True, capture_output=True,
                             text=True).stdout
        rows, written, seconds, peak_mb, size, state, cpu = re.search(r"RESULT (.*)", out).group(1).split()
        print(json.dumps({"data": made.replace("\n", " "), "rows": int(rows), "written": int(written),
                          "state": state, "seconds": round(float(seconds), 2),
                          "rows_per_second": round(int(written) / float(seconds)),
                          # the export process's own CPU time: on a shared machine, wall time counts others' work
                          "cpu_seconds": round(float(cpu), 2), "rows_per_cpu_second": round(int(written) / float(cpu)),
                          "peak_rss_mb": round(float(peak_mb), 1), "file_mb": round(int(size) / 2**20, 1)},
                         ensure_ascii=False))


if __name__ == "__main__":
    main()
