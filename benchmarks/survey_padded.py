"""LibreOffice's padded rows (issue #16): peak RSS and time to check a small survey workbook whose
sheets carry formatted empty rows down to row 1,048,576. Run by hand; figures go in benchmarks/README.md.

    .venv/bin/python benchmarks/survey_padded.py

Pads tests/samples/survey-libreoffice.xlsx (6 compounds / 6 buildings / 21 households, as Calc saved
it) the way Calc saves a sheet whose whole columns were formatted, then checks it (the preview's
parse, cross-sheet checks and diff) in a fresh process, so its peak RSS is its own, and writes the
annotated error workbook of it. The unpadded sample is measured alongside for comparison.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.survey_import import peak_rss_mb, reset_peak_rss  # noqa: E402


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingyuan_renovation.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def step(path: Path) -> dict:
    _setup()
    from communities.models import Town
    from communities.survey import survey_error_workbook, survey_file_check
    from communities.survey.reader import sniff_format, xlsx_estimated_rows

    town, _ = Town.objects.get_or_create(name="乌兰镇")
    reset_peak_rss()
    start = time.perf_counter()
    file_format = sniff_format(path, path.name)
    report = survey_file_check(path=path, town=town, file_format=file_format)
    check_seconds = time.perf_counter() - start
    check_mb = peak_rss_mb()
    start = time.perf_counter()
    survey_error_workbook(path=path, file_format=file_format, csv_sheet="", csv_encoding="auto",
                          problems=report.problem_dicts())
    return {"check_s": round(check_seconds, 2), "check_peak_mb": round(check_mb),
            "error_workbook_s": round(time.perf_counter() - start, 2), "peak_mb": round(peak_rss_mb()),
            "estimated_rows": xlsx_estimated_rows(path), "errors": report.error_count,
            "households": report.counts.get("households", {}).get("create")}


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--step":
        print(json.dumps(step(Path(sys.argv[2]))))
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingyuan_renovation.settings")
    import django

    django.setup()
    from tests.communities.survey_files import SAMPLES, pad_like_libreoffice

    with tempfile.TemporaryDirectory() as folder:
        plain = Path(folder) / "survey-libreoffice.xlsx"
        shutil.copy(SAMPLES / "survey-libreoffice.xlsx", plain)
        padded = pad_like_libreoffice(shutil.copy(plain, Path(folder) / "survey-padded.xlsx"))
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3"}
        for path in (plain, padded):
            out = subprocess.run([sys.executable, __file__, "--step", str(path)], env=env, check=True,
                                 capture_output=True, text=True).stdout
            print(f"{path.name} ({path.stat().st_size / 1024 / 1024:.1f} MB): {out.strip()}")


if __name__ == "__main__":
    main()
