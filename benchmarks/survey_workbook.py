"""The synthetic survey workbook both import benchmarks read (survey_import.py, import_compare.py).

Compounds, buildings and households with the same synthetic values in either layout:

- `template=False` (survey_import.py): as an office fills an older copy of the form: a title row above the 小区
  headers, every column the reader knows (the legacy ones too), and a stated 户数 that disagrees with the rows;
- `template=True` (import_compare.py): as the downloadable template lays it out: 填写说明 first, the headers on
  row 1 of each sheet, today's columns only, 户数 equal to the rows (django-import-export reads headers from row 1
  and its resources declare today's fields).

openpyxl's write-only mode writes no <dimension> element; Excel, WPS and LibreOffice do, and without one a
read-only open scans each sheet once more, so one is added as real files have it.
"""

import os
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
YES_NO = ["是", "否", "√", "×", "有", "无", None]
CONSENTS = ["同意", "不同意", "未表态"]


def write(path: Path, *, compounds: int, buildings: int, households: int, template: bool) -> dict:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingyuan_renovation.settings")
    import django

    django.setup()
    from openpyxl import Workbook

    from communities.survey.schema import BUILDING_SHEET, COMPOUND_SHEET, HOUSEHOLD_SHEET
    from communities.survey.template import INSTRUCTIONS

    columns = {spec.title: [c for c in spec.columns if not (template and c.legacy)]
               for spec in (COMPOUND_SHEET, BUILDING_SHEET, HOUSEHOLD_SHEET)}
    per_compound = buildings // compounds
    per_building, extra = divmod(households, buildings)
    workbook = Workbook(write_only=True)
    sizes = {}
    if template:
        notes = workbook.create_sheet("填写说明")
        for line in INSTRUCTIONS:
            notes.append([line])
        sizes["填写说明"] = (1, len(INSTRUCTIONS))

    sheet = workbook.create_sheet("小区")
    if not template:
        sheet.append(["乌兰镇老旧小区改造摸底调查表（基准测试，合成数据）"])
    sheet.append([c.header for c in columns["小区"]])
    for c in range(compounds):
        row = {"小区名称": f"基准小区-{c:05d}", "所属社区": f"基准社区-{c % 9}", "详细地址": f"基准路{c}号",
               "产权单位": "基准单位", "建成年份": 1980 + c % 25, "占地面积(㎡)": "1,234.5", "楼栋数": per_compound,
               "户数": per_compound * per_building if template else 9999, "建筑面积(㎡)": 5000.5, "备注": "合成数据"}
        sheet.append([row.get(col.header, YES_NO[(c + i) % len(YES_NO)] if col.kind == "yes_no" else None)
                      for i, col in enumerate(columns["小区"])])
    sizes["小区"] = (len(columns["小区"]), compounds + (1 if template else 2))

    sheet = workbook.create_sheet("楼栋")
    sheet.append([c.header for c in columns["楼栋"]])
    for b in range(buildings):
        sheet.append([f"基准小区-{b % compounds:05d}", f"{b // compounds + 1}号楼", 1980 + b % 25, 6, 2,
                      per_building + (1 if b < extra else 0), 1800.25, "砖混", "无", "否", None])
    sizes["楼栋"] = (len(columns["楼栋"]), buildings + 1)

    sheet = workbook.create_sheet("住户")
    sheet.append([c.header for c in columns["住户"]])
    for b in range(buildings):
        for h in range(per_building + (1 if b < extra else 0)):
            sheet.append([f"基准小区-{b % compounds:05d}", f"{b // compounds + 1}号楼", f"{h % 2 + 1}单元",
                          f"{h // 2 + 1:02d}0{h % 2 + 1}", f"户主{b}-{h}", f"139{b:05d}{h:03d}", 65.5 + h % 30,
                          CONSENTS[h % 3], CONSENTS[(h + 1) % 3], "是" if h % 2 else "否", None])
    sizes["住户"] = (len(columns["住户"]), households + 1)
    workbook.save(path)
    add_dimensions(path, sizes)
    return {"compounds": compounds, "buildings": buildings, "households": households}


def add_dimensions(path: Path, sizes: dict) -> None:
    """Write <dimension ref="A1:…"> at the top of each sheet (`sizes`: columns and rows, in sheet order)."""
    from openpyxl.utils import get_column_letter

    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    for index, (columns, rows) in enumerate(sizes.values(), start=1):
        name = f"xl/worksheets/sheet{index}.xml"
        ref = f'<dimension ref="A1:{get_column_letter(columns)}{rows}"/>'.encode()
        head, tag, tail = parts[name].partition(b"<sheetData")
        if b"<dimension" not in head:
            parts[name] = head + ref + tag + tail if b"<sheetViews" not in head else \
                head.replace(b"<sheetViews", ref + b"<sheetViews", 1) + tag + tail
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
