"""Export writer benchmark (issue 18): N household-shaped rows through the xlsx writer alone, no database.

    .venv/bin/python benchmarks/export_writer.py --rows 1000000                    # ui.xlsx.write_xlsx
    .venv/bin/python benchmarks/export_writer.py --rows 1000000 --engine openpyxl  # the former writer
    .venv/bin/python benchmarks/export_writer.py --rows 100000 --engine xlsxwriter # after pip install xlsxwriter

The rows are made by a generator (nothing kept), with the household export's ten columns and value kinds:
compound name, building, unit, room, a masked name and phone, a Decimal area (None at times), two consent
labels, a yes/no; every 1,000th name is formula-like. One process per run, so the peak RSS printed is the
writer's (plus Django's own ~60 MB, printed as baseline). Prints figures; asserts nothing.
"""

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADERS = ["小区", "楼栋", "单元", "房号", "户主姓名", "联系电话", "建筑面积(㎡)", "改造意愿", "加装电梯意愿", "愿意出资"]
LABELS = ("同意", "不同意", "未表态")


def rows(count: int):
    for i in range(count):
        yield (f"和平小区{i % 7500}", f"{i % 40 + 1}号楼", f"{i % 6 + 1}单元", f"{i % 30 + 1}0{i % 4 + 1}",
               "=王**" if i % 1000 == 0 else "王**", "139****5678", None if i % 17 == 0 else Decimal(f"{60 + i % 90}.35"),
               LABELS[i % 3], LABELS[(i + 1) % 3], bool(i % 2))


def write_openpyxl(path, count):
    """The writer ui.xlsx.write_xlsx was until issue 18 part 1 (openpyxl write-only), for comparison."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from ui.xlsx import safe_cell_value

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="住户")
    for index, label in enumerate(HEADERS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(10, len(label) * 2 + 2)
    sheet.freeze_panes = "A2"
    header = []
    for label in HEADERS:
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in rows(count):
        sheet.append([safe_cell_value(value) for value in row])
    workbook.save(path)


def write_xlsxwriter(path, count):
    """XlsxWriter in constant-memory mode, each cell typed directly (its fastest public path)."""
    import xlsxwriter

    from ui.xlsx import safe_row

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                               "strings_to_urls": False, "strings_to_numbers": False})
    sheet = workbook.add_worksheet("住户")
    sheet.freeze_panes(1, 0)
    sheet.write_row(0, 0, HEADERS, workbook.add_format({"bold": True}))
    for number, row in enumerate(rows(count), start=1):
        for column, value in enumerate(safe_row(row)):
            if value.__class__ is str:
                sheet.write_string(number, column, value)
            elif value is not None:
                sheet.write_number(number, column, value)
    workbook.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--engine", choices=["ui", "openpyxl", "xlsxwriter"], default="ui")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingyuan_renovation.settings")
    import django

    django.setup()
    from ui.xlsx import write_xlsx

    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.xlsx"
        started, cpu_started = time.perf_counter(), time.process_time()
        if args.engine == "ui":
            write_xlsx(path, title="住户", headers=HEADERS, rows=rows(args.rows))
        elif args.engine == "openpyxl":
            write_openpyxl(path, args.rows)
        else:
            write_xlsxwriter(path, args.rows)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        size = path.stat().st_size
    print(json.dumps({"engine": args.engine, "rows": args.rows, "seconds": round(elapsed, 2),
                      "rows_per_second": round(args.rows / elapsed), "cpu_seconds": round(cpu, 2),
                      "rows_per_cpu_second": round(args.rows / cpu), "baseline_rss_mb": round(baseline, 1),
                      "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                      "file_mb": round(size / 2**20, 1)}))


if __name__ == "__main__":
    main()
