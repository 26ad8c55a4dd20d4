"""Report benchmark (issue #7): time and peak memory of each report, built the way the worker builds it.

    .venv/bin/python benchmarks/reports.py                      # programme size and large, PostgreSQL
    .venv/bin/python benchmarks/reports.py --sizes programme

For each size a fresh PostgreSQL database is made, the programme loaded, and
`generate_synthetic --compounds N --projects 5` run (visibly synthetic compounds, buildings,
households, and projects of five compounds with steps, scope lines and tasks). Then each report is
built by `build_report KIND --demo` in its own process, so its peak RSS is its own.
Targets: < 2 s at programme size; < 30 s and < 300 MB at 5,000 compounds / ~100,000 households.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# 46 compounds ≈ the programme; 5,000 synthetic compounds ≈ 100,000 households at its generator's shape.
SIZES = {"programme": 46, "large": 5000}


def run_report(kind: str, env: dict, output: Path) -> dict:
    code = (
        "import resource, time, sys; from django.core.management import call_command; "
        "import django; django.setup(); t = time.perf_counter(); "
        f"call_command('build_report', '{kind}', '--cutoff', '2024-05-31', '--output', r'{output}', '--demo'); "
        "print('RESULT', time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
    )
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    wall = time.perf_counter() - started
    build_s, peak_mb = map(float, re.search(r"RESULT (\S+) (\S+)", out.stdout).groups())
    return {"kind": kind, "build_s": round(build_s, 2), "process_wall_s": round(wall, 2),
            "peak_rss_mb": round(peak_mb, 1), "file_kb": round(output.stat().st_size / 1024, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="programme,large")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--db", default="jingyuan_bench_reports")
    args = parser.parse_args()
    for size in args.sizes.split(","):
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", args.db], check=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", args.db], check=True)
        with tempfile.TemporaryDirectory() as tmp:
            env = dict(os.environ, DATABASE_URL=f"{args.pg}/{args.db}", JINGYUAN_MEDIA_ROOT=tmp,
                       DJANGO_SETTINGS_MODULE="jingyuan_renovation.settings", PYTHONPATH=str(ROOT))
            env.pop("REDIS_URL", None)
            manage = [sys.executable, str(ROOT / "manage.py")]
            subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
            subprocess.run([*manage, "load_programme"], env=env, check=True, capture_output=True)
            made = subprocess.run([*manage, "generate_synthetic", "--compounds", str(SIZES[size]), "--projects", "5"],
                                  env=env, check=True, capture_output=True, text=True).stdout.strip()
            for kind in ("progress", "budget"):
                result = run_report(kind, env, Path(tmp) / f"{kind}.xlsx")
                print(json.dumps({"size": size, "data": made.replace("\n", " "), **result}, ensure_ascii=False))


if __name__ == "__main__":
    main()
