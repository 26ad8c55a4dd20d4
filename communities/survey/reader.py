"""Opening a survey file safely and streaming its rows, whatever program wrote it.

Formats are recognised by content, never by the file name: a renamed PDF is told apart from a
workbook. Before any XML is parsed an .xlsx is checked for zip bombs (sizes from the zip directory)
and for DTDs (XML entity attacks; openpyxl parses through defusedxml as well). Rows are streamed:
.xlsx sheets through openpyxl's own sheet parser one row at a time, CSV line by line; an .xls is at
most 65,536 rows a sheet and is read by xlrd.

Why openpyxl and not python-calamine for .xlsx: see benchmarks/README.md (calamine parses faster but
materialises a whole sheet in memory and cannot tell a formula without a cached value from an empty
cell, nor report merged cells).
"""

import codecs
import csv
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
_SAVE_AS = "请在 Excel 或 WPS 中“另存为” .xlsx 格式后重新上传。"
CSV_SHEET_MISSING = "CSV 文件只含一张表：请在上传页选择它是「小区」「楼栋」还是「住户」表。"
UNSAFE_XML_MESSAGE = "工作簿含有不安全的 XML 声明（DTD/实体），已拒绝。" + _SAVE_AS


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
        _check_zip(path)
        return SurveyFileFormat.XLSX
    if head.startswith(OLE_MAGIC):
        if _ole_is_encrypted(path):
            raise SurveyFileError("工作簿设置了打开密码（已加密），系统无法读取。请取消密码后另存再上传。")
        return SurveyFileFormat.XLS
    if b"\x00" in head or head.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"Rar!", b"7z\xbc")):
        raise SurveyFileError(f"文件内容不是电子表格（扩展名为 {suffix or '无'}，可能是改了扩展名的其他文件）。"
                              "请上传 .xlsx、.xls 或 .csv 文件。")
    lowered = head.lstrip().lower()
    if lowered.startswith((b"<html", b"<!doctype", b"<?xml", b"<table")):
        raise SurveyFileError("文件是网页（HTML/XML）格式，只是扩展名为表格。" + _SAVE_AS)
    if suffix in (".csv", ".txt", ""):
        return SurveyFileFormat.CSV
    raise SurveyFileError(f"文件内容不是 Excel 工作簿（扩展名为 {suffix}）。请上传 .xlsx、.xls 或 .csv 文件。")


def too_big_message(size: int) -> str:
    limit = settings.JINGYUAN_UPLOAD_MAX_BYTES
    return (f"文件太大（{size / 1024 / 1024:.1f} MB），上限为 {limit / 1024 / 1024:.0f} MB。"
            "请删除空白行和无关工作表，或分乡镇、分批上传。")


# What the zip and zlib modules raise for a damaged archive: a member whose CRC does not match (one
# flipped byte), a directory that understates a member's size, a truncated or garbled deflate stream.
DAMAGED_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError,
                      NotImplementedError, KeyError)
DAMAGED_MESSAGE = ("文件已损坏（压缩包内容校验失败，可能是下载或拷贝不完整），无法读取。"
                   "请用 Excel 或 WPS 打开原文件，确认内容完整后“另存为”新的 .xlsx 再上传；"
                   "如打不开，请找填表人重新发送。")


def _check_zip(path: Path) -> None:
    try:
        _check_zip_members(path)
    except DAMAGED_ZIP_ERRORS as exc:
        logger.debug("survey file %s: damaged zip: %r", path, exc)
        raise SurveyFileError(DAMAGED_MESSAGE) from None


def _check_zip_members(path: Path) -> None:
    archive = zipfile.ZipFile(path)
    with archive:
        infos = archive.infolist()
        names = {info.filename for info in infos}
        if "mimetype" in names and any(name == "content.xml" for name in names):
            raise SurveyFileError("这是 WPS/LibreOffice 的 .ods/.et 格式。" + _SAVE_AS)
        if "xl/workbook.bin" in names:
            raise SurveyFileError("这是 .xlsb（二进制工作簿）格式。" + _SAVE_AS)
        if "xl/workbook.xml" not in names:
            raise SurveyFileError("文件是压缩包（可能是 Word 文档或改了扩展名的 zip），不是 Excel 工作簿。"
                                  "请上传摸底调查表 .xlsx 文件。")
        if len(infos) > 10_000:
            raise SurveyFileError("工作簿内部文件数量异常，已拒绝。" + _SAVE_AS)
        # Zip bomb: the directory states each member's unpacked size; refuse before inflating anything.
        # (zipfile also stops reading a member at its stated size, so a lying directory gains nothing.)
        unpacked = sum(info.file_size for info in infos)
        limit = settings.JINGYUAN_UPLOAD_MAX_UNPACKED_BYTES
        if unpacked > limit:
            raise SurveyFileError(f"工作簿解压后过大（{unpacked / 1024 / 1024:.0f} MB，上限 {limit / 1024 / 1024:.0f} MB），"
                                  "疑似压缩炸弹或包含大量空白内容，已拒绝。请删除多余内容后重新保存。")
        for info in infos:
            if info.flag_bits & 0x1:
                raise SurveyFileError("工作簿内容已加密，系统无法读取。请取消密码后另存再上传。")
            if info.filename.endswith((".xml", ".rels", ".vml")):
                with archive.open(info) as member:
                    start = member.read(_PROLOG_BYTES)
                # A DTD can only stand in the prolog, before the root element. A prolog seen whole and
                # free of one is safe whatever XML library openpyxl picks (with lxml installed it no
                # longer refuses DTDs itself); one that is not (a DTD, or 64 KB of comments hiding
                # what follows) is refused here, before anything is parsed.
                if b"<!DOCTYPE" in start or b"<!ENTITY" in start or (
                        len(start) == _PROLOG_BYTES and not _PROLOG_WITHOUT_DTD.match(start)):
                    raise SurveyFileError(UNSAFE_XML_MESSAGE)


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
        self._handle = None

    def __enter__(self):
        try:
            if self.file_format == SurveyFileFormat.XLSX:
                self._open_xlsx()
            elif self.file_format == SurveyFileFormat.XLS:
                self._open_xls()
        except SurveyFileError:
            raise
        except Exception as exc:  # every library's own idea of a broken file becomes one clear message
            self.__exit__(None, None, None)
            logger.debug("survey file %s cannot be opened: %r", self.path, exc)
            raise SurveyFileError(broken_message(exc)) from exc
        return self

    def __exit__(self, *exc_info):
        if self._workbook is not None:
            if self.file_format == SurveyFileFormat.XLSX:
                self._workbook.close()
            else:
                self._workbook.release_resources()
        if self._handle is not None:
            self._handle.close()
        return False

    # --- which sheets -----------------------------------------------------------------------
    @property
    def sheets(self) -> list[SheetReader]:
        if self.file_format == SurveyFileFormat.CSV:
            spec = schema.SHEET_BY_KIND.get(self.csv_sheet)
            if spec is None:
                raise SurveyFileError(CSV_SHEET_MISSING)
            return [SheetReader(spec.title, spec, SurveyWorkbook._csv_rows.__get__(self))]
        if self.file_format == SurveyFileFormat.XLSX:
            titles = self._workbook.sheetnames
            reader = SurveyWorkbook._xlsx_rows.__get__(self)
        else:
            titles = self._workbook.sheet_names()
            reader = SurveyWorkbook._xls_rows.__get__(self)
        sheets = [SheetReader(title, schema.sheet_for_title(title), reader) for title in titles]
        for sheet in sheets:
            if sheet.spec is not None:
                sheet.hidden = self._is_hidden(sheet.title)
        return sheets

    def _is_hidden(self, title: str) -> bool:
        if self.file_format == SurveyFileFormat.XLSX:
            return self._workbook[title].sheet_state != "visible"
        # xlrd: 0 visible, 1 hidden, 2 very hidden (read from the workbook's BOUNDSHEET records)
        return self._workbook.sheet_by_name(title).visibility != 0

    def estimated_rows(self) -> int:
        """A cheap upper estimate of data rows, to choose between checking now and in the background."""
        if self.file_format == SurveyFileFormat.CSV:
            with self.path.open("rb") as handle:
                return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
        if self.file_format == SurveyFileFormat.XLSX:
            return xlsx_estimated_rows(self.path)
        total = 0
        for sheet in self.sheets:
            if sheet.spec is not None:
                total += self._workbook.sheet_by_name(sheet.title).nrows
        return total

    # --- .xlsx ------------------------------------------------------------------------------
    def _open_xlsx(self):
        # openpyxl.load_workbook, with our reading of the shared-strings table (_ExcelReader).
        # keep_vba=False: macros of an .xlsm are never even loaded, let alone run. A file object, not
        # the path: stored uploads are named by hash, and openpyxl judges a path by its extension.
        self._handle = self.path.open("rb")
        reader = _ExcelReader(self._handle, read_only=True, keep_vba=False, data_only=True, keep_links=False)
        reader.read()
        self._workbook = reader.wb

    def _xlsx_rows(self, sheet: SheetReader):
        worksheet = self._workbook[sheet.title]
        workbook = self._workbook
        # openpyxl's own streaming sheet parser (what read-only iteration uses), asked for cached
        # values; our subclass only marks formula cells saved without one. Private attributes:
        # openpyxl is pinned to 3.1.x in pyproject.toml.
        part = worksheet._worksheet_path
        try:
            iterparse = _iterparse_for(workbook._archive, part)
            with workbook._archive.open(part) as member:
                source = _WithoutEmptyRows(member)
                parser = _CachedValueParser(source, worksheet._shared_strings, data_only=True, epoch=workbook.epoch,
                                            date_formats=workbook._date_formats,
                                            timedelta_formats=workbook._timedelta_formats)
                parser.iterparse = iterparse
                for row_number, cells in parser.parse():
                    if not cells:
                        continue
                    width = 0
                    for cell in cells:
                        if cell["value"] is not None:
                            width = cell["column"]
                    if width == 0:
                        continue
                    if width > self.max_columns:
                        raise SurveyFileError(_too_wide_message(sheet.title, row_number, width, self.max_columns))
                    values = [None] * width
                    for cell in cells:
                        column = cell["column"]
                        if column <= width:
                            values[column - 1] = _capped(cell["value"])
                    yield row_number, values
        except SurveyFileError:
            raise
        except Exception as exc:
            logger.debug("survey sheet %s cannot be parsed: %r", sheet.title, exc)
            raise SurveyFileError(broken_message(exc)) from exc
        merged = getattr(parser, "merged_cells", None)
        for cell_range in getattr(merged, "mergeCell", []) or []:
            from openpyxl.worksheet.cell_range import CellRange

            bounds = CellRange(cell_range.ref)
            sheet.merged.append(MergedRange(bounds.min_row, bounds.max_row, bounds.min_col, bounds.max_col))

    # --- .xls -------------------------------------------------------------------------------
    def _open_xls(self):
        import xlrd

        try:
            self._workbook = xlrd.open_workbook(self.path, formatting_info=True, on_demand=True)
        except xlrd.XLRDError as exc:
            if "encrypt" in str(exc).lower():
                raise SurveyFileError("工作簿设置了密码（已加密），系统无法读取。请取消密码后另存再上传。") from exc
            raise SurveyFileError("文件不是有效的 Excel 97-2003（.xls）工作簿。" + _SAVE_AS) from exc

    def _xls_rows(self, sheet: SheetReader):
        import xlrd

        book = self._workbook
        xls_sheet = book.sheet_by_name(sheet.title)
        for row_index in range(xls_sheet.nrows):
            width = 0
            values = []
            for column_index, cell in enumerate(xls_sheet.row(row_index)):
                value = _xls_value(cell, book.datemode, xlrd)
                values.append(value)
                if value is not None:
                    width = column_index + 1
            if width == 0:
                continue
            if width > self.max_columns:
                raise SurveyFileError(_too_wide_message(sheet.title, row_index + 1, width, self.max_columns))
            yield row_index + 1, [_capped(value) for value in values[:width]]
        for row_low, row_high, col_low, col_high in xls_sheet.merged_cells:
            sheet.merged.append(MergedRange(row_low + 1, row_high, col_low + 1, col_high))
        book.unload_sheet(sheet.title)

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


class _WithoutEmptyRows:
    """A sheet part as a file, less its rows without cells (`<row r="…" …/>`), for the XML parser.

    LibreOffice saves a sheet whose whole columns were formatted with a formatted empty row for each
    row down to 1,048,576: 125 MB of XML holding nothing. Cut out here by one regular expression over
    the bytes (C speed), the parse costs what the rows with cells cost: it stops, in effect, at the
    last row that holds something. Only rows that carry their number first (`<row r="…"`, as Excel,
    WPS, LibreOffice and openpyxl write them) are cut, so rows numbered by counting keep their
    numbers (any other row is left to the parser: slower, never wrong). The text is only cut between
    tags: a chunk's unfinished tag waits for the next chunk.
    """

    _EMPTY_ROW = re.compile(rb'<(?:\w+:)?row r="[^"]*"[^>]*/>')
    _CHUNK = 1 << 16
    # What the parser is given at a time. ElementTree builds every element of a chunk before the
    # caller clears any: 16 KB (what iterparse asks for) keeps that set small; 1 MB made a parse
    # of a 100,000-row sheet three times slower (garbage collection over the live elements).
    _SERVE = 1 << 14

    def __init__(self, source):
        self._source = source
        self._carry = b""
        self._done = False
        self._ready = b""
        self._offset = 0

    def read(self, size: int = -1) -> bytes:
        size = self._SERVE if size is None or size <= 0 else min(size, self._SERVE)
        if self._offset >= len(self._ready):
            self._ready, self._offset = self._fill(), 0
        piece = self._ready[self._offset:self._offset + size]
        self._offset += len(piece)
        return piece

    def _fill(self) -> bytes:
        while not self._done:
            data = self._source.read(self._CHUNK)
            if not data:
                self._done = True
                data, self._carry = self._carry, b""
            else:
                data = self._carry + data
                cut = data.rfind(b"<")
                if cut != -1 and data.find(b">", cut) == -1:
                    data, self._carry = data[:cut], data[cut:]
                else:
                    self._carry = b""
            data = self._EMPTY_ROW.sub(b"", data)
            if data:
                return data
        return b""


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


def _xls_value(cell, datemode, xlrd):
    kind = cell.ctype
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if kind == xlrd.XL_CELL_TEXT:
        return cell.value if cell.value.strip() else None
    if kind == xlrd.XL_CELL_NUMBER:
        return int(cell.value) if cell.value.is_integer() else cell.value
    if kind == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate.xldate_as_datetime(cell.value, datemode)
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return cell.value
    if kind == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if kind == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#VALUE!")
    return cell.value


def _too_wide_message(title: str, row_number: int, width: int, limit: int) -> str:
    return (f"工作表「{title}」第 {row_number} 行在第 {width} 列还有内容，超过了 {limit} 列的上限。"
            "摸底调查表只需要模板中的列：请删除多余的列（或只复制需要的列到新表）后重新上传。")


def broken_message(exc: BaseException) -> str:
    # openpyxl wraps what defusedxml raises ("Unable to read workbook"): look down the whole chain.
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
    return "文件已损坏或不是有效的电子表格，无法读取。" + _SAVE_AS


def _inline_text(element) -> str:
    """The text of an inline string (<is>), as openpyxl's `Text.from_tree(element).content` gives it.

    Its plain <t> and the <t> of each rich-text run <r>, phonetic runs (<rPh>) left out. openpyxl
    builds descriptor objects for each such cell; files written by openpyxl's write-only mode and many
    exporters store every text cell this way, so this is a third of the parse on such a file.
    """
    plain = None
    runs = []
    for child in element:
        tag = child.tag.rpartition("}")[2]
        if tag == "t":
            plain = child.text
        elif tag == "r":
            text = None
            for part in child:
                if part.tag.rpartition("}")[2] == "t":
                    text = part.text
            if text is not None:
                runs.append(text)
    if plain is not None:
        runs.insert(0, plain)
    return "".join(runs)


# An XML part whose prolog (what precedes the root element) holds only the XML declaration, comments,
# processing instructions and white space has no DTD, hence no entity declarations: nothing for an
# entity attack (billion laughs, external entities) to use. Such a part is parsed by the standard
# library's C-accelerated ElementTree; any other goes through defusedxml, as openpyxl would. (_check_zip
# already refuses parts with a DTD near their start; this is exact for the parts actually parsed.)
_PROLOG_WITHOUT_DTD = re.compile(
    rb"\A(?:\xef\xbb\xbf)?(?:<\?xml[^>]*\?>)?(?:\s+|<!--(?:[^-]|-(?!->))*-->|<\?(?:[^?]|\?(?!>))*\?>)*<[A-Za-z_]")
_PROLOG_BYTES = 64 * 1024


def _iterparse_for(archive: zipfile.ZipFile, name: str):
    """The iterparse to read part `name` with: the C parser if it provably has no DTD, else defusedxml's."""
    from xml.etree.ElementTree import iterparse as standard

    from openpyxl.xml.functions import iterparse as guarded  # defusedxml's when installed (a dependency)

    with archive.open(name) as member:
        head = member.read(_PROLOG_BYTES)
    return standard if _PROLOG_WITHOUT_DTD.match(head) else guarded


def _read_string_table(source, iterparse) -> list[str]:
    """openpyxl's read_string_table without its descriptor objects."""
    from openpyxl.xml.constants import SHEET_MAIN_NS

    tag = f"{{{SHEET_MAIN_NS}}}si"
    strings = []
    for _, node in iterparse(source):
        if node.tag == tag:
            strings.append(_capped(_inline_text(node).replace("x005F_", "")))
            node.clear()
    return strings


def _make_reader_class():
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.xml.constants import SHARED_STRINGS

    class SurveyExcelReader(ExcelReader):
        # Excel, WPS and LibreOffice keep every text in this table: reading it is a good part of a parse.
        def read_strings(self):
            part = self.package.find(SHARED_STRINGS)
            if part is not None:
                name = part.PartName[1:]
                with self.archive.open(name) as source:
                    self.shared_strings = _read_string_table(source, _iterparse_for(self.archive, name))

    return SurveyExcelReader


_ExcelReader = _make_reader_class()


def _make_parser_class():
    from openpyxl.utils.cell import coordinate_to_tuple
    from openpyxl.worksheet._reader import FORMULA_TAG, INLINE_STRING, MERGE_TAG, ROW_TAG, WorkSheetParser
    from openpyxl.worksheet.merge import MergeCells
    from openpyxl.xml.functions import iterparse as guarded

    class CachedValueParser(WorkSheetParser):
        iterparse = staticmethod(guarded)

        def parse(self):
            # WorkSheetParser.parse reduced to what a survey needs (rows, merged cells), with our XML parser.
            for _, element in self.iterparse(self.source):
                tag = element.tag
                if tag == ROW_TAG:
                    row = self.parse_row(element)
                    element.clear()
                    yield row
                elif tag == MERGE_TAG:
                    self.merged_cells = MergeCells.from_tree(element)
                    element.clear()

        def parse_row(self, row):
            # WorkSheetParser.parse_row without keeping every row's height and format (row_dimensions):
            # for LibreOffice's formatted rows down to row 1,048,576 that alone was 900 MB.
            number = row.get("r")
            if number is None:
                self.row_counter += 1
            else:
                try:
                    self.row_counter = int(number)
                except ValueError:
                    value = float(number)
                    if not value.is_integer():
                        raise ValueError(f"{number} is not a valid row number") from None
                    self.row_counter = int(value)
            self.col_counter = 0
            return self.row_counter, [self.parse_cell(element) for element in row]

        def parse_cell(self, element):
            if element.get("t") == "inlineStr":
                return self._parse_inline_string(element)
            cell = super().parse_cell(element)
            if cell["value"] is None and element.find(FORMULA_TAG) is not None:
                cell["value"] = FORMULA_WITHOUT_VALUE
            return cell

        def _parse_inline_string(self, element):
            # WorkSheetParser.parse_cell's inlineStr branch (data_only), without its descriptor objects.
            coordinate = element.get("r")
            style_id = element.get("s", 0)
            if style_id:
                style_id = int(style_id)
            if coordinate:
                row, column = coordinate_to_tuple(coordinate)
                self.col_counter = column
            else:
                self.col_counter += 1
                row, column = self.row_counter, self.col_counter
            data_type, value = "inlineStr", None
            child = element.find(INLINE_STRING)
            if child is not None:
                data_type, value = "s", _capped(_inline_text(child))
            elif element.find(FORMULA_TAG) is not None:
                value = FORMULA_WITHOUT_VALUE
            return {"row": row, "column": column, "value": value, "data_type": data_type, "style_id": style_id}

    return CachedValueParser


_CachedValueParser = _make_parser_class()
