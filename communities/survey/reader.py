"""Opening a survey file safely and reading its rows, whatever program wrote it.

Formats are recognised by content, never by the file name: a renamed PDF is told apart from a
workbook. Before any XML is parsed an .xlsx or .ods is checked for zip bombs (sizes from the zip
directory), encryption and DTDs (XML entity attacks). Workbooks (.xlsx/.xlsm, .xls, .ods) are then read
by python-calamine (a Rust reader, 15–25× faster than openpyxl's read-only mode here, see
benchmarks/README.md); CSV line by line.

calamine holds a sheet as a dense grid from its first to its last cell, and does not say which cells are
formulas saved without a result, which are error values (#REF!…) nor, for .ods, which are merged: one
byte scan of the sheet's XML before calamine reads it (C-speed regular expressions, no XML parse) finds
the sheet's real extent (a stray value at A1048576 or XFD1 is refused by name before millions of empty
cells are allocated), those cells, and the merged ranges of an .ods.
"""

import codecs
import csv
import functools
import html
import logging
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from communities.choices import CsvEncoding, SurveyFileFormat

from . import schema
from .values import FORMULA_WITHOUT_VALUE

logger = logging.getLogger(__name__)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_SAVE_AS = "请在 Excel、WPS 或 LibreOffice 中“另存为” .xlsx 或 .ods 格式后重新上传。"
_ACCEPTED = "请上传 .xlsx、.xls、.ods 或 .csv 文件。"
CSV_SHEET_MISSING = "CSV 文件只含一张表：请在上传页选择它是「小区」「楼栋」还是「住户」表。"
UNSAFE_XML_MESSAGE = "工作簿含有不安全的 XML 声明（DTD/实体），已拒绝。" + _SAVE_AS
ENCRYPTED_MESSAGE = "工作簿设置了打开密码（已加密），系统无法读取。请取消密码后另存再上传。"


class SurveyFileError(Exception):
    """The file as a whole cannot be read; the message (Chinese) says why and what to do."""


# Excel's own limit (and WPS's): a cell holds at most 32,767 characters. A longer one can only come from a
# file written by a program, not a person; it is replaced by a marker as soon as it is read, so a
# 50 MB cell costs its parse, not copies of it in every message and page.
MAX_CELL_CHARS = 32_767
_SHOWN_CHARS = 20


@dataclass(frozen=True)
class TooLongText:
    """Stands for a text cell over MAX_CELL_CHARS: its length and first few characters."""

    length: int
    head: str

    def __str__(self):
        return f"{self.head}…（共 {self.length} 个字符）"


def _capped(value):
    if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
        return TooLongText(len(value), value[:_SHOWN_CHARS])
    return value


@dataclass
class MergedRange:
    min_row: int
    max_row: int
    min_col: int
    max_col: int


@dataclass
class SheetReader:
    """One sheet's rows: `rows()` yields (row number as Excel shows it, list of cell values)."""

    title: str
    spec: schema.SheetSpec | None
    _rows: object
    merged: list[MergedRange] = field(default_factory=list)
    hidden: bool = False  # hidden or "very hidden" in Excel/WPS
    skip: bool = False    # one of two sheets of a kind: refused, not read (parse._sheets_to_read)

    def rows(self) -> Iterator[tuple[int, list]]:
        yield from self._rows(self)


def sniff_format(path: Path, original_name: str) -> str:
    """The file's real format (a SurveyFileFormat value), or SurveyFileError for anything else."""
    size = path.stat().st_size
    if size > settings.JINGYUAN_UPLOAD_MAX_BYTES:
        raise SurveyFileError(too_big_message(size))
    if size == 0:
        raise SurveyFileError("文件是空的。请检查是否选错了文件。")
    with path.open("rb") as handle:
        head = handle.read(4096)
    suffix = Path(original_name).suffix.lower()
    if head.startswith(ZIP_MAGIC):
        return _check_zip(path)
    if head.startswith(OLE_MAGIC):
        if _ole_is_encrypted(path):
            raise SurveyFileError(ENCRYPTED_MESSAGE)
        return SurveyFileFormat.XLS
    if b"\x00" in head or head.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"Rar!", b"7z\xbc")):
        raise SurveyFileError(f"文件内容不是电子表格（扩展名为 {suffix or '无'}，可能是改了扩展名的其他文件）。"
                              + _ACCEPTED)
    lowered = head.lstrip().lower()
    if lowered.startswith((b"<html", b"<!doctype", b"<?xml", b"<table")):
        raise SurveyFileError("文件是网页（HTML/XML）格式，只是扩展名为表格。" + _SAVE_AS)
    if suffix in (".csv", ".txt", ""):
        return SurveyFileFormat.CSV
    raise SurveyFileError(f"文件内容不是电子表格（扩展名为 {suffix}）。" + _ACCEPTED)


def too_big_message(size: int) -> str:
    limit = settings.JINGYUAN_UPLOAD_MAX_BYTES
    return (f"文件太大（{size / 1024 / 1024:.1f} MB），上限为 {limit / 1024 / 1024:.0f} MB。"
            "请删除空白行和无关工作表，或分乡镇、分批上传。")


# What the zip and zlib modules raise for a damaged archive: a member whose CRC does not match (one
# flipped byte), a directory that understates a member's size, a truncated or garbled deflate stream.
DAMAGED_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError,
                      NotImplementedError, KeyError)
DAMAGED_MESSAGE = ("文件已损坏（压缩包内容校验失败，可能是下载或拷贝不完整），无法读取。"
                   "请用 Excel、WPS 或 LibreOffice 打开原文件，确认内容完整后“另存为”新的 .xlsx 再上传；"
                   "如打不开，请找填表人重新发送。")


def _check_zip(path: Path, *, inflate: bool = True) -> str:
    """The format of a zip-based workbook (XLSX or ODS) once it is known safe to read; SurveyFileError if not.

    `inflate`: also inflate every member once and check its CRC (at upload; a file checked again when it is
    opened for parsing was inflated when it arrived, and its SHA-256 is checked before an import)."""
    try:
        return _check_zip_members(path, inflate=inflate)
    except DAMAGED_ZIP_ERRORS as exc:
        logger.debug("survey file %s: damaged zip: %r", path, exc)
        raise SurveyFileError(DAMAGED_MESSAGE) from None


def _check_zip_members(path: Path, *, inflate: bool) -> str:
    archive = zipfile.ZipFile(path)
    with archive:
        infos = archive.infolist()
        names = {info.filename for info in infos}
        if "mimetype" in names and "content.xml" in names:
            with archive.open("mimetype") as member:
                mimetype = member.read(200).strip()  # before the size check: read no more than a name
            if mimetype != ODS_MIMETYPE:
                raise SurveyFileError("这是 WPS/LibreOffice 的其他文档格式（如 .odt 文字文档、.ots 模板），"
                                      "不是 .ods 电子表格。" + _SAVE_AS)
            file_format = SurveyFileFormat.ODS
        elif "xl/workbook.bin" in names:
            raise SurveyFileError("这是 .xlsb（二进制工作簿）格式。" + _SAVE_AS)
        elif "xl/workbook.xml" in names:
            file_format = SurveyFileFormat.XLSX
        else:
            raise SurveyFileError("文件是压缩包（可能是 Word 文档或改了扩展名的 zip），不是电子表格。"
                                  "请上传摸底调查表 .xlsx 或 .ods 文件。")
        if len(infos) > 10_000:
            raise SurveyFileError("工作簿内部文件数量异常，已拒绝。" + _SAVE_AS)
        # Zip bomb: the directory states each member's unpacked size; refuse before inflating anything.
        # (zipfile also stops reading a member at its stated size, so a lying directory gains nothing.)
        unpacked = sum(info.file_size for info in infos)
        limit = settings.JINGYUAN_UPLOAD_MAX_UNPACKED_BYTES
        if unpacked > limit:
            raise SurveyFileError(f"工作簿解压后过大（{unpacked / 1024 / 1024:.0f} MB，上限 {limit / 1024 / 1024:.0f} MB），"
                                  "疑似压缩炸弹或包含大量空白内容，已拒绝。请删除多余内容后重新保存。")
        if file_format == SurveyFileFormat.ODS and "META-INF/manifest.xml" in names:
            with archive.open("META-INF/manifest.xml") as manifest:
                if b"encryption-data" in manifest.read(limit):  # ODF names its encrypted members here
                    raise SurveyFileError(ENCRYPTED_MESSAGE)
        for info in infos:
            if info.flag_bits & 0x1:
                raise SurveyFileError("工作簿内容已加密，系统无法读取。请取消密码后另存再上传。")
            if info.filename.endswith((".xml", ".rels", ".vml", ".rdf")):
                with archive.open(info) as member:
                    start = member.read(_PROLOG_BYTES)
                # A DTD can only stand in the prolog, before the root element. A prolog seen whole and
                # free of one is safe whatever reads it; one that is not (a DTD, or 64 KB of comments
                # hiding what follows) is refused here, before anything is parsed.
                if b"<!DOCTYPE" in start or b"<!ENTITY" in start or (
                        len(start) == _PROLOG_BYTES and not _PROLOG_WITHOUT_DTD.match(start)):
                    raise SurveyFileError(UNSAFE_XML_MESSAGE)
        # Every member inflated once, CRC checked: a damaged copy is named damaged here, not met as a
        # reader's error halfway through a sheet (and a directory understating a size fails its CRC).
        for info in infos if inflate else ():
            with archive.open(info) as member:
                while member.read(1 << 20):
                    pass
    return file_format


def _ole_is_encrypted(path: Path) -> bool:
    """An OLE2 file holding an encrypted .xlsx (Office 'Encrypt with password') names these streams."""
    with path.open("rb") as handle:
        data = handle.read(min(path.stat().st_size, 4 * 1024 * 1024))
    return "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data


class SurveyWorkbook:
    """An opened survey file; use as a context manager and iterate `sheets`."""

    def __init__(self, path: Path, file_format: str, *, csv_sheet: str = "", csv_encoding: str = "auto"):
        self.path = Path(path)
        self.file_format = file_format
        self.csv_sheet = csv_sheet
        self.csv_encoding = csv_encoding or CsvEncoding.AUTO
        self.max_columns = settings.JINGYUAN_SURVEY_MAX_COLUMNS
        self._workbook = None
        self._parts: dict[str, str] = {}  # sheet title -> its XML part (.xlsx)
        self._ods_scans: dict[str, SheetScan] | None = None

    def __enter__(self):
        if self.file_format == SurveyFileFormat.CSV:
            return self
        try:
            if self.file_format in (SurveyFileFormat.XLSX, SurveyFileFormat.ODS):
                # Checked again at opening: a file parsed later (in the background) is judged as it is now.
                self.file_format = _check_zip(self.path, inflate=False)
                if self.file_format == SurveyFileFormat.XLSX:
                    self._parts = _xlsx_sheet_parts(self.path)
            from python_calamine import CalamineWorkbook, PasswordError

            try:
                self._workbook = CalamineWorkbook.from_path(str(self.path))
            except PasswordError:
                raise SurveyFileError(ENCRYPTED_MESSAGE) from None
        except SurveyFileError:
            raise
        except Exception as exc:  # calamine's own idea of a broken file becomes one clear message
            self.__exit__(None, None, None)
            logger.debug("survey file %s cannot be opened: %r", self.path, exc)
            raise SurveyFileError(broken_message(exc, self.file_format)) from exc
        return self

    def __exit__(self, *exc_info):
        if self._workbook is not None:
            self._workbook.close()
            self._workbook = None
        return False

    # --- which sheets -----------------------------------------------------------------------
    @property
    def sheets(self) -> list[SheetReader]:
        if self.file_format == SurveyFileFormat.CSV:
            spec = schema.SHEET_BY_KIND.get(self.csv_sheet)
            if spec is None:
                raise SurveyFileError(CSV_SHEET_MISSING)
            return [SheetReader(spec.title, spec, SurveyWorkbook._csv_rows.__get__(self))]
        from python_calamine import SheetTypeEnum, SheetVisibleEnum

        reader = SurveyWorkbook._calamine_rows.__get__(self)
        sheets = []
        for meta in self._workbook.sheets_metadata:
            if meta.typ not in (SheetTypeEnum.WorkSheet, SheetTypeEnum.MacroSheet, SheetTypeEnum.DialogSheet):
                continue
            sheet = SheetReader(meta.name, schema.sheet_for_title(meta.name), reader)
            # hidden or "very hidden" in Excel/WPS, hidden in LibreOffice
            sheet.hidden = sheet.spec is not None and meta.visible != SheetVisibleEnum.Visible
            sheets.append(sheet)
        return sheets

    def estimated_rows(self) -> int:
        """A cheap upper estimate of data rows, to choose between checking now and in the background."""
        if self.file_format == SurveyFileFormat.CSV:
            with self.path.open("rb") as handle:
                return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
        if self.file_format in (SurveyFileFormat.XLSX, SurveyFileFormat.ODS):
            return zip_estimated_rows(self.path, self.file_format)
        # .xls: at most 65,536 rows a sheet; calamine reads the survey sheets' extents.
        total = 0
        for sheet in self.sheets:
            if sheet.spec is not None:
                total += self._workbook.get_sheet_by_name(sheet.title).height
        return total

    # --- .xlsx, .xls, .ods --------------------------------------------------------------------
    def _calamine_rows(self, sheet: SheetReader):
        scan = self._scan(sheet)
        try:
            grid = self._workbook.get_sheet_by_name(sheet.title)
            if self.file_format == SurveyFileFormat.ODS:
                sheet.merged.extend(scan.merged if scan is not None else [])  # calamine gives none for .ods
            else:
                for (first_row, first_col), (last_row, last_col) in grid.merged_cell_ranges or []:
                    sheet.merged.append(MergedRange(first_row + 1, last_row + 1, first_col + 1, last_col + 1))
            lead = [None] * grid.start[1] if grid.start else []
            special = scan.cells if scan is not None else {}
            # calamine yields the rows from row 1 (empty ones above the first cell included), each from the
            # sheet's first used column: `lead` puts the columns before it back.
            for index, row in enumerate(grid.iter_rows()):
                width = len(row)
                while width and row[width - 1] == "":
                    width -= 1
                row_number = index + 1
                if special and row_number in special:
                    values = lead + [None if value == "" else value for value in row]
                    for column, value in special[row_number].items():
                        values.extend([None] * (column - len(values)))
                        values[column - 1] = value
                    width = len(values)
                    while width and values[width - 1] is None:
                        width -= 1
                    values = values[:width]
                    if not values:
                        continue
                elif width == 0:
                    continue
                else:
                    values = lead + [None if value == "" else value for value in row[:width]]
                if len(values) > self.max_columns:
                    raise SurveyFileError(_too_wide_message(sheet.title, row_number, len(values), self.max_columns))
                for position, value in enumerate(values):
                    if value.__class__ is str and len(value) > MAX_CELL_CHARS:
                        values[position] = _capped(value)
                yield row_number, values
        except SurveyFileError:
            raise
        except Exception as exc:
            logger.debug("survey sheet %s cannot be parsed: %r", sheet.title, exc)
            raise SurveyFileError(broken_message(exc, self.file_format)) from exc

    def _scan(self, sheet: SheetReader):
        if self.file_format == SurveyFileFormat.XLSX:
            part = self._parts.get(sheet.title)
            if part is None:
                return None
            scan = _scan_xlsx_sheet(self.path, part)
        elif self.file_format == SurveyFileFormat.ODS:
            if self._ods_scans is None:  # content.xml holds every table: scanned once
                self._ods_scans = _scan_ods(self.path)
            scan = self._ods_scans.get(sheet.title)
            if scan is None:
                return None
        else:
            return None
        scan.refuse_if_absurd(sheet.title, self.max_columns)
        return scan

    # --- .csv -------------------------------------------------------------------------------
    def _csv_encoding(self) -> str:
        if self.csv_encoding == CsvEncoding.GB18030:
            return "gb18030"
        if self.csv_encoding == CsvEncoding.UTF8:
            return "utf-8-sig"
        with self.path.open("rb") as handle:
            sample = handle.read(256 * 1024)
        if sample.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        try:
            codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        except UnicodeDecodeError:
            return "gb18030"
        return "utf-8-sig"

    def _csv_rows(self, sheet: SheetReader):
        encoding = self._csv_encoding()
        row_number = 0
        try:
            with self.path.open(encoding=encoding, newline="", errors="strict") as handle:
                for row_number, record in enumerate(csv.reader(handle), start=1):
                    width = 0
                    for index, value in enumerate(record):
                        if value.strip():
                            width = index + 1
                    if width == 0:
                        continue
                    if width > self.max_columns:
                        raise SurveyFileError(_too_wide_message(sheet.title, row_number, width, self.max_columns))
                    yield row_number, [_capped(value) for value in record[:width]]
        except UnicodeDecodeError:
            name = "UTF-8" if encoding.startswith("utf") else "GB18030"
            raise SurveyFileError(f"CSV 第 {row_number + 1} 行附近有无法按 {name} 编码读取的字符。"
                                  "请在上传页选择正确的编码（Excel/WPS 中文版默认另存的 CSV 一般是 GB18030），"
                                  "或另存为“CSV UTF-8”。") from None
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise SurveyFileError(f"CSV 第 {row_number + 1} 行附近有一格内容过长（超过 {csv.field_size_limit()} 个字符；"
                                      f"Excel 一格最多 {MAX_CELL_CHARS} 个字符）。请检查该行是否缺少引号或粘贴了整篇文字，"
                                      "改正后重新上传。") from None
            raise SurveyFileError(f"CSV 第 {row_number + 1} 行格式有误（{exc}）。请用 Excel/WPS 打开后重新另存为 CSV。") \
                from None


def _too_far_message(title: str, cell: str, empty_rows: int) -> str:
    return (f"工作表「{title}」的 {cell} 格有内容，但它与上面的数据之间隔着约 {empty_rows:,} 行空白"
            "（多半是误操作留下的内容）。系统读表时会把这些空白一并读入，已拒绝。"
            f"请在 Excel、WPS 或 LibreOffice 中删除 {cell} 格的内容（或整行）后重新保存上传。")


def column_letters(column: int) -> str:
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


@dataclass
class SheetScan:
    """What one byte scan of a sheet's XML finds before calamine reads it."""

    rows: int = 0             # rows holding cells (with a value)
    first_row: int = 0
    last_row: int = 0
    last_column: int = 0      # of the last row's last cell (0: not known)
    wide_column: int = 0      # the widest column holding a value, where it is known past column Z
    wide_row: int = 0
    cells: dict = field(default_factory=dict)  # row -> {column: value calamine does not give}
    merged: list = field(default_factory=list)  # MergedRange (.ods; calamine gives .xlsx's)

    def refuse_if_absurd(self, title: str, max_columns: int) -> None:
        if self.wide_column > max_columns:
            raise SurveyFileError(_too_wide_message(title, self.wide_row, self.wide_column, max_columns))
        # calamine allocates every cell from the first used row to the last: the rows between that hold
        # nothing, times the sheet's width, is what a stray far cell costs.
        empty_rows = (self.last_row - self.first_row + 1) - self.rows if self.rows else 0
        width = max(self.wide_column, self.last_column, 26)
        if empty_rows * width > settings.JINGYUAN_SURVEY_MAX_EMPTY_CELLS:
            cell = f"{column_letters(self.last_column or 1)}{self.last_row}"
            raise SurveyFileError(_too_far_message(title, cell, empty_rows))


_SCAN_CHUNK = 1 << 20
_X_ROW = (rb'<(?:\w+:)?row r="(\d+)"[^>]*+(?<!/)>')
_X_WIDE_CELL = (rb'<(?:\w+:)?c r="([A-Z]{2,3})(\d+)"[^>]*+(?<!/)>')
_X_CELL = (rb'<(?:\w+:)?c r="([A-Z]{1,3})\d+"[^>]*+(?<!/)>')
_X_FORMULA_ONLY = (
    rb'<(?:\w+:)?c r="([A-Z]{1,3})(\d+)"[^>]*+(?<!/)>\s*'
    rb'(?:<(?:\w+:)?f\b[^>]*+(?<=/)>|<(?:\w+:)?f\b[^>]*+(?<!/)>[^<]*+</(?:\w+:)?f>)\s*'
    rb'(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>')  # no <v>, or an empty one
_X_ERROR = (
    rb'<(?:\w+:)?c r="([A-Z]{1,3})(\d+)"[^>]*?\bt="e"[^>]*+(?<!/)>'
    rb'(?:\s*<(?:\w+:)?f\b[^>]*+(?:(?<=/)>|(?<!/)>[^<]*+</(?:\w+:)?f>))?\s*<(?:\w+:)?v>([^<]*)<')


_ANY_PREFIX = rb"(?:\w+:)?"
_X_SHEET_DATA = re.compile(rb"<(\w+:)?sheetData\b")


@functools.lru_cache(maxsize=8)
def _x_patterns(prefix: bytes | None) -> dict[str, re.Pattern]:
    """The scan's patterns for a sheet whose tags carry `prefix` ("" for none, as Excel, WPS, LibreOffice and
    openpyxl write; None when not known). A pattern starting with a literal (`<row r="`) is found by the
    regular-expression engine's fast literal search: several times faster than trying an optional prefix at every
    tag."""
    literal = _ANY_PREFIX if prefix is None else re.escape(prefix)
    patterns = {name: re.compile(source.replace(_ANY_PREFIX, literal)) for name, source in (
        ("row", _X_ROW), ("wide", _X_WIDE_CELL), ("cell", _X_CELL), ("formula", _X_FORMULA_ONLY),
        ("error", _X_ERROR))}
    if prefix is not None:
        patterns["row_end"] = b"</" + prefix + b"row>"
        patterns["row_start"] = b"<" + prefix + b'row r="'
    return patterns


def _row_number_before(data: bytes, end: int, start_tag: bytes) -> int:
    """The r of the row element whose end tag is at `end` (0 if it has none)."""
    start = data.rfind(start_tag, 0, end)
    if start == -1:
        return 0
    digits = data[start + len(start_tag):data.find(b'"', start + len(start_tag))]
    return int(digits) if digits.isdigit() else 0


def _scan_xlsx_sheet(path: Path, part: str) -> SheetScan:
    """The rows and far cells of an .xlsx sheet part, and the cells calamine reads as empty though they are
    not: formulas saved without a result (Excel/WPS show one once recalculated) and error values."""
    scan = SheetScan()
    carry = b""
    last_text = b""
    patterns = None
    try:
        with zipfile.ZipFile(path) as archive, archive.open(part) as member:
            while True:
                chunk = member.read(_SCAN_CHUNK)
                data = carry + chunk
                if chunk:
                    # cut after the last whole row (cells, formulas and errors never straddle a cut)
                    cut = data.rfind(b"row>") + 4
                    if cut == 3:
                        cut = data.rfind(b">") + 1
                    data, carry = data[:cut], data[cut:]
                if patterns is None:
                    found = _X_SHEET_DATA.search(data)
                    patterns = _x_patterns((found.group(1) or b"") if found else None)
                if data:
                    _scan_xlsx_chunk(data, scan, patterns)
                    found = data.rfind(b'r="%d"' % scan.last_row) if scan.last_row else -1
                    if found != -1:
                        end = data.find(b"row>", found)
                        last_text = data[found:end + 4 if end != -1 else len(data)]
                if not chunk:
                    break
    except DAMAGED_ZIP_ERRORS as exc:
        logger.debug("survey file %s: damaged zip: %r", path, exc)
        raise SurveyFileError(DAMAGED_MESSAGE) from None
    columns = _x_patterns(None)["cell"].findall(last_text)
    if columns:
        scan.last_column = _column_number(columns[-1])
    return scan


def _scan_xlsx_chunk(data: bytes, scan: SheetScan, patterns: dict) -> None:
    end_tag = patterns.get("row_end")
    if end_tag is not None:
        # Rows holding cells end with </row> (LibreOffice's formatted empty rows are <row …/>): counted by a
        # plain byte search, a million padded rows cost a memory scan, not a match each.
        count = data.count(end_tag)
        if count:
            if not scan.first_row:
                scan.first_row = _row_number_before(data, data.find(end_tag), patterns["row_start"])
            scan.rows += count
            scan.last_row = max(scan.last_row, _row_number_before(data, data.rfind(end_tag), patterns["row_start"]))
        rows = ()
    else:
        rows = patterns["row"].findall(data)
    if rows:
        if not scan.first_row:
            scan.first_row = int(rows[0])
        scan.rows += len(rows)
        scan.last_row = max(scan.last_row, int(rows[-1]))
    for letters, row in patterns["wide"].findall(data):
        column = _column_number(letters)
        if column > scan.wide_column:
            scan.wide_column, scan.wide_row = column, int(row)
    # (no `b"<f" in data` pre-test: the literal-prefixed patterns are quicker than a substring search)
    for letters, row in patterns["formula"].findall(data):
        scan.cells.setdefault(int(row), {})[_column_number(letters)] = FORMULA_WITHOUT_VALUE
    for letters, row, text in patterns["error"].findall(data):
        value = html.unescape(text.decode("utf-8", "replace")).strip() or "#VALUE!"
        scan.cells.setdefault(int(row), {})[_column_number(letters)] = value


_X_SHEET = re.compile(r"<(?:\w+:)?sheet\b([^>]*)>")
_X_ATTRIBUTE = re.compile(r'([\w:]+)="([^"]*)"')
_X_RELATIONSHIP = re.compile(r"<(?:\w+:)?Relationship\b([^>]*)>")


def _xlsx_sheet_parts(path: Path) -> dict[str, str]:
    """Sheet title -> its XML part, from workbook.xml and its relationships (already checked DTD-free)."""
    try:
        with zipfile.ZipFile(path) as archive:
            workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
            try:
                rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
            except KeyError:
                return {}
    except DAMAGED_ZIP_ERRORS as exc:
        logger.debug("survey file %s: damaged zip: %r", path, exc)
        raise SurveyFileError(DAMAGED_MESSAGE) from None
    targets = {}
    for match in _X_RELATIONSHIP.finditer(rels):
        attributes = dict(_X_ATTRIBUTE.findall(match.group(1)))
        target = attributes.get("Target", "")
        target = target[1:] if target.startswith("/") else "xl/" + target
        targets[attributes.get("Id")] = target
    parts = {}
    for match in _X_SHEET.finditer(workbook):
        attributes = dict(_X_ATTRIBUTE.findall(match.group(1)))
        relation = next((value for name, value in attributes.items() if name.endswith(":id")), None)
        if relation in targets and "name" in attributes:
            parts[html.unescape(attributes["name"])] = targets[relation]
    return parts


_O_TOKEN = re.compile(
    rb'<table:table\s[^>]*?table:name="([^"]*)"'
    rb'|<table:table-row(?=[\s/>])([^>]*+)(?<=/)>'
    rb'|<table:table-row(?=[\s/>])([^>]*+)(?<!/)>(.*?)</table:table-row>', re.S)
_O_CELL = re.compile(rb'<table:(covered-)?table-cell(?=[\s/>])([^>]*+)>')
_O_NUMBER = {name: re.compile(rb'table:' + name + rb'="(\d+)"') for name in (
    b"number-rows-repeated", b"number-columns-repeated", b"number-rows-spanned", b"number-columns-spanned")}


def _o_number(attributes: bytes, name: bytes) -> int:
    match = _O_NUMBER[name].search(attributes) if name in attributes else None
    return int(match.group(1)) if match else 1


def _scan_ods(path: Path) -> dict[str, SheetScan]:
    """Each table of an .ods content.xml: rows holding values (number-rows-repeated counted), the far cells,
    and merged cells (calamine does not report an .ods's)."""
    scans: dict[str, SheetScan] = {}
    scan = SheetScan()
    row_index = 0
    carry = b""
    try:
        with zipfile.ZipFile(path) as archive, archive.open("content.xml") as member:
            while True:
                chunk = member.read(_SCAN_CHUNK)
                data = carry + chunk
                if chunk:
                    cut = data.rfind(b"</table:table-row>")
                    cut = cut + len(b"</table:table-row>") if cut != -1 else 0
                    data, carry = data[:cut], data[cut:]
                for match in _O_TOKEN.finditer(data):
                    name, empty, attributes, body = match.groups()
                    if name is not None:
                        scan, row_index = SheetScan(), 0
                        scans[html.unescape(name.decode("utf-8", "replace"))] = scan
                        continue
                    if empty is not None:
                        row_index += _o_number(empty, b"number-rows-repeated")
                        continue
                    repeated = _o_number(attributes, b"number-rows-repeated")
                    first = row_index + 1
                    row_index += repeated
                    valued = b"office:value-type" in body or b"<text:" in body
                    if not valued and b"spanned" not in body:
                        continue
                    column = 0
                    last = 0
                    value_at = body.rfind(b"office:value-type")
                    if value_at != -1 and b"spanned" not in body and b"columns-repeated" not in body[:value_at]:
                        # No repeated or merged cell before the last value (most rows): it is the nth cell.
                        last = body.count(b"<table:table-cell", 0, value_at) + \
                            body.count(b"<table:covered-table-cell", 0, value_at)
                    cells = _O_CELL.findall(body) if not last else ()
                    for covered, cell in cells:
                        start = column + 1
                        column += _o_number(cell, b"number-columns-repeated")
                        if b"office:value-type" in cell:
                            last = column
                        if not covered and b"spanned" in cell:
                            rows = _o_number(cell, b"number-rows-spanned")
                            columns = _o_number(cell, b"number-columns-spanned")
                            if rows > 1 or columns > 1:
                                scan.merged.append(MergedRange(first, first + rows - 1, start, start + columns - 1))
                    if valued:
                        last = last or 1
                        scan.first_row = scan.first_row or first
                        scan.rows += repeated
                        scan.last_row, scan.last_column = row_index, last
                        if last > scan.wide_column:
                            scan.wide_column, scan.wide_row = last, first
                if not chunk:
                    break
    except DAMAGED_ZIP_ERRORS as exc:
        logger.debug("survey file %s: damaged zip: %r", path, exc)
        raise SurveyFileError(DAMAGED_MESSAGE) from None
    return scans


def zip_estimated_rows(path: Path, file_format: str) -> int:
    """A cheap upper estimate of an .xlsx's or .ods's rows: no XML is parsed."""
    if file_format == SurveyFileFormat.ODS:
        try:
            with zipfile.ZipFile(path) as archive, archive.open("content.xml") as member:
                # each row element once, repeated ones (LibreOffice's empty rows to 1,048,576) as one
                return sum(chunk.count(b"<table:table-row ") + chunk.count(b"<table:table-row>")
                           for chunk in iter(lambda: member.read(_SCAN_CHUNK), b""))
        except DAMAGED_ZIP_ERRORS as exc:
            logger.debug("survey file %s: damaged zip: %r", path, exc)
            raise SurveyFileError(DAMAGED_MESSAGE) from None
    return xlsx_estimated_rows(path)


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension ref="\$?[A-Z]+\$?\d+(?::\$?[A-Z]+\$?(\d+))?"')
_XML_BYTES_PER_ROW = 200  # a sheet without <dimension>: a generous guess from its unpacked size


def xlsx_estimated_rows(path: Path) -> int:
    """Rows of every worksheet of an .xlsx, from the <dimension> Excel, WPS and LibreOffice write at the top
    of each sheet (else from its size): no XML is parsed, not even the shared strings."""
    try:
        return _xlsx_estimated_rows(path)
    except DAMAGED_ZIP_ERRORS as exc:
        logger.debug("survey file %s: damaged zip: %r", path, exc)
        raise SurveyFileError(DAMAGED_MESSAGE) from None


def _xlsx_estimated_rows(path: Path) -> int:
    total = 0
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                continue
            with archive.open(info) as member:
                match = _DIMENSION.search(member.read(8192))
            rows = int(match.group(1) or 1) if match else info.file_size // _XML_BYTES_PER_ROW
            if rows > _DIMENSION_TRUSTED_ROWS:
                # LibreOffice states its formatted empty rows too (A1:K1048576): count rows with cells.
                rows = min(rows, _rows_with_cells(archive, info))
            total += rows
    return total


_DIMENSION_TRUSTED_ROWS = 65_536
_ROW_END = re.compile(rb"</(?:\w+:)?row>")


def _rows_with_cells(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> int:
    """Rows of a sheet part that hold cells (those end with </row>; empty ones are written <row …/>)."""
    count = 0
    carry = b""
    with archive.open(info) as member:
        for chunk in iter(lambda: member.read(1 << 20), b""):
            data = carry + chunk
            end = data.rfind(b">") + 1
            count += len(_ROW_END.findall(data, 0, end))
            carry = data[end:][-64:] if end else data[-64:]
    return count


def _too_wide_message(title: str, row_number: int, width: int, limit: int) -> str:
    return (f"工作表「{title}」第 {row_number} 行在第 {width} 列还有内容，超过了 {limit} 列的上限。"
            "摸底调查表只需要模板中的列：请删除多余的列（或只复制需要的列到新表）后重新上传。")


def broken_message(exc: BaseException, file_format: str = "") -> str:
    # A reader may wrap the error that says what happened: look down the whole chain.
    seen = set()
    cause = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        name = type(cause).__name__
        if "Forbidden" in name or "Entities" in name or "DTD" in name:
            return UNSAFE_XML_MESSAGE
        if isinstance(cause, zipfile.BadZipFile | zlib.error | EOFError):
            return DAMAGED_MESSAGE
        cause = cause.__cause__ or cause.__context__
    if file_format == SurveyFileFormat.XLS:
        return "文件不是有效的 Excel 97-2003（.xls）工作簿，或已损坏。" + _SAVE_AS
    return "文件已损坏或不是有效的电子表格，无法读取。" + _SAVE_AS



# An XML part whose prolog (what precedes the root element) holds only the XML declaration, comments,
# processing instructions and white space has no DTD, hence no entity declarations: nothing for an
# entity attack (billion laughs, external entities) to use. _check_zip refuses any part whose prolog is
# not seen whole within its first _PROLOG_BYTES and free of a DTD, before calamine reads anything.
_PROLOG_WITHOUT_DTD = re.compile(
    rb"\A(?:\xef\xbb\xbf)?(?:<\?xml[^>]*\?>)?(?:\s+|<!--(?:[^-]|-(?!->))*-->|<\?(?:[^?]|\?(?!>))*\?>)*<[A-Za-z_]")
_PROLOG_BYTES = 64 * 1024
