"""Real survey files written in each format the importer accepts, for the survey tests."""

import csv
import io
import re
import zipfile
from pathlib import Path

from openpyxl import Workbook

from communities.survey.schema import BUILDING_SHEET, COMPOUND_SHEET, HOUSEHOLD_SHEET

# Copies of shared/samples/: survey files as offices really produce them (LibreOffice, GB18030), synthetic names.
SAMPLES = Path(__file__).resolve().parents[1] / "samples"

COMPOUND_HEADERS = [c.header for c in COMPOUND_SHEET.columns if not c.extra]
BUILDING_HEADERS = [c.header for c in BUILDING_SHEET.columns]
HOUSEHOLD_HEADERS = [c.header for c in HOUSEHOLD_SHEET.columns]


def compound_row(name="测试小区-A", **values):
    row = dict.fromkeys(COMPOUND_HEADERS)
    row.update({"小区名称": name, "所属社区": "测试社区", "建成年份": 1995, "户数": 4, "楼栋数": 1,
                "供排水管线老化": "是", "未通天然气": "否"})
    row.update(values)
    return [row[h] for h in COMPOUND_HEADERS]


def building_row(compound="测试小区-A", number="1号楼", **values):
    row = dict.fromkeys(BUILDING_HEADERS)
    row.update({"小区名称": compound, "楼栋号": number, "建成年份": 1995, "层数": 6, "单元数": 2, "户数": 2,
                "结构类型": "砖混", "有无电梯": "无"})
    row.update(values)
    return [row[h] for h in BUILDING_HEADERS]


def household_row(compound="测试小区-A", building="1号楼", unit="1单元", room="101", **values):
    row = dict.fromkeys(HOUSEHOLD_HEADERS)
    row.update({"小区名称": compound, "楼栋号": building, "单元": unit, "房号": room, "户主姓名": "测试户主",
                "联系电话": "13900000000", "建筑面积(㎡)": 65.5, "改造意愿": "同意", "加装电梯意愿": "未表态",
                "愿意出资": "是"})
    row.update(values)
    return [row[h] for h in HOUSEHOLD_HEADERS]


def standard_sheets():
    return {
        "小区": [COMPOUND_HEADERS, compound_row()],
        "楼栋": [BUILDING_HEADERS, building_row()],
        "住户": [HOUSEHOLD_HEADERS, household_row(room="101"), household_row(room="102")],
    }


def write_xlsx(path: Path, sheets: dict, *, title_rows: int = 0) -> Path:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for _ in range(title_rows):
            sheet.append([f"{title}调查表（测试）"])
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def write_csv(path: Path, rows: list, *, encoding: str) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def rewrite_zip_member(path: Path, member: str, change) -> Path:
    """Rewrite one XML part of an .xlsx in place (for hostile and hand-made files)."""
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    parts[member] = change(parts[member])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return path


def sheet_part(path: Path, title: str) -> str:
    """The zip member of the sheet called `title` (openpyxl numbers them in creation order)."""
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True)
    index = workbook.sheetnames.index(title) + 1
    workbook.close()
    return f"xl/worksheets/sheet{index}.xml"


def to_shared_strings(path: Path) -> Path:
    """Move every inline string of an .xlsx into a shared-strings table, where Excel, WPS and LibreOffice keep
    text (openpyxl writes every text cell inline)."""
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    table: dict[bytes, int] = {}
    inline = re.compile(rb'<c ([^>]*?)t="inlineStr"([^>]*)><is><t(?: [^>]*)?>(.*?)</t></is></c>', re.S)

    def shared(match):
        index = table.setdefault(match.group(3), len(table))
        return b"<c " + match.group(1) + b't="s"' + match.group(2) + b"><v>%d</v></c>" % index

    for name in [n for n in parts if n.startswith("xl/worksheets/sheet")]:
        parts[name] = inline.sub(shared, parts[name])
    count = sum(part.count(b't="s"') for name, part in parts.items() if name.startswith("xl/worksheets/sheet"))
    parts["xl/sharedStrings.xml"] = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">'
        % (count, len(table)) + b"".join(b'<si><t xml:space="preserve">' + text + b"</t></si>" for text in table)
        + b"</sst>")
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(b"</Types>", (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'))
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(b"</Relationships>", (
        b'<Relationship Id="rIdSst" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'sharedStrings" Target="sharedStrings.xml"/></Relationships>'))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return path


LIBREOFFICE_LAST_ROW = 1_048_576


def pad_like_libreoffice(path: Path, *, up_to: int = LIBREOFFICE_LAST_ROW, parts: tuple[str, ...] | None = None) -> Path:
    """Give each sheet of an .xlsx LibreOffice's formatted empty rows down to row `up_to`, as Calc saves a
    sheet whose whole columns were formatted (and its <dimension> then reaches that row too)."""
    with zipfile.ZipFile(path) as source:
        members = {info.filename: source.read(info) for info in source.infolist()}
    for name in parts or [n for n in members if n.startswith("xl/worksheets/sheet")]:
        xml = members[name]
        last = max(int(r) for r in re.findall(rb'<row r="(\d+)"', xml))
        padding = b"".join(
            b'<row r="%d" s="1" customFormat="true" ht="12.8" hidden="false" customHeight="false" '
            b'outlineLevel="0" collapsed="false"/>' % row for row in range(last + 1, up_to + 1))
        xml = xml.replace(b"</sheetData>", padding + b"</sheetData>", 1)
        members[name] = re.sub(rb'(<dimension ref="[A-Z]+\d+:[A-Z]+)\d+"', rb'\g<1>%d"' % up_to, xml, count=1)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in members.items():
            target.writestr(name, data)
    return path


def _central_entry(data: bytes, member: str) -> int:
    """Offset of `member`'s entry in the zip's central directory."""
    name = member.encode()
    offset = data.find(b"PK\x01\x02")
    while offset != -1:
        name_length = int.from_bytes(data[offset + 28:offset + 30], "little")
        if data[offset + 46:offset + 46 + name_length] == name:
            return offset
        offset = data.find(b"PK\x01\x02", offset + 4)
    raise KeyError(member)


def flip_byte(path: Path, member: str, *, at: int = 0) -> Path:
    """Flip one bit of `member`'s compressed bytes, as a bad sector or a broken copy would."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
    data = bytearray(path.read_bytes())
    header = info.header_offset
    start = header + 30 + int.from_bytes(data[header + 26:header + 28], "little") \
        + int.from_bytes(data[header + 28:header + 30], "little")
    data[start + min(at, info.compress_size - 1)] ^= 0x10
    path.write_bytes(bytes(data))
    return path


def understate_size(path: Path, member: str, *, size: int = 10) -> Path:
    """Make the zip directory state `member` unpacks to `size` bytes, fewer than it does."""
    data = bytearray(path.read_bytes())
    entry = _central_entry(bytes(data), member)
    data[entry + 24:entry + 28] = size.to_bytes(4, "little")
    path.write_bytes(bytes(data))
    return path
