"""From rows to clean records: header matching, value reading and the checks one sheet can make alone.

Nothing here touches the database; `plan.py` adds the checks that need it (and the other sheets).
"""

import contextlib
import gc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.utils import timezone

from communities.choices import SurveyFileFormat

from . import schema
from .reader import MAX_CELL_CHARS, SheetReader, SurveyFileError, SurveyWorkbook, TooLongText
from .values import ValueProblem, display, is_blank, read_cell, read_text


@contextlib.contextmanager
def collector_paused():
    """Pause the cyclic garbage collector for a bulk read, check or write of a survey.

    The rows are tuples of plain values, freed by reference counting; the cyclic collector finds nothing
    to free in them, but with hundreds of thousands of them alive each of its full passes walks them all:
    a quarter to a third of the programme-sized import (benchmarks/README.md). Restores the collector's
    previous state, so it nests.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


ERROR = "error"
WARNING = "warning"
HEADER_SEARCH_ROWS = 20
SHOWN_VALUE_CHARS = 50  # a value quoted in a problem: enough to find the cell, never the whole of a long one

# A 所属乡镇 column is not written (the upload names its town) but checked: 六、实施步骤（一）摸底调查 has
# each town survey the compounds of its own jurisdiction (辖区内), so a row naming another town is refused.
TOWN_HEADER_KEYS = frozenset({"所属乡镇", "乡镇", "乡镇名称", "所在乡镇", "所属乡镇(街道)", "乡镇(街道)"})


def shown(value) -> str:
    """A cell's value as quoted in a problem, cut to its first SHOWN_VALUE_CHARS characters."""
    text = display(value)
    if len(text) > SHOWN_VALUE_CHARS:
        return f"{text[:SHOWN_VALUE_CHARS]}…（共 {len(text)} 个字符）"
    return text


@dataclass
class Problem:
    """One error or warning, located as the user sees it: sheet, row, column header, value."""

    sheet: str
    row: int | None
    column: str
    value: str
    message: str
    level: str = ERROR
    col: int | None = None  # 1-based column index in the user's sheet, for the error workbook

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "value": self.value,
                "message": self.message, "level": self.level, "col": self.col}


@dataclass
class ParsedSheet:
    """One data sheet, read: which fields it has, where, and its rows as (row number, values in spec order)."""

    spec: schema.SheetSpec
    title: str
    header_row: int = 0
    columns: dict[str, int] = field(default_factory=dict)   # field → 1-based column index
    headers: dict[str, str] = field(default_factory=dict)   # field → header text as in the file
    rows: list[tuple] = field(default_factory=list)          # (row number, value, value, ...)
    town_col: int | None = None                              # 1-based index of a 所属乡镇 column (checked only)
    header_keys: tuple[str, ...] = ()  # the header row's keys (else the searched row most like any sheet's)

    @property
    def field_index(self) -> dict[str, int]:
        """field → position in a row tuple (0 is the row number)."""
        return self.spec.field_index

    @property
    def present_fields(self) -> tuple[str, ...]:
        return tuple(column.field for column in self.spec.columns if column.field in self.columns)

    def header_for(self, field_name: str) -> str:
        return self.headers.get(field_name) or next(c.header for c in self.spec.columns if c.field == field_name)

    def col_for(self, field_name: str) -> int | None:
        return self.columns.get(field_name)


@dataclass
class ParsedSurvey:
    sheets: dict[str, ParsedSheet] = field(default_factory=dict)  # SurveySheet value → sheet
    problems: list[Problem] = field(default_factory=list)
    rows_read: int = 0
    this_year: int = 0  # the year build years were checked against

    @property
    def error_count(self) -> int:
        return sum(1 for problem in self.problems if problem.level == ERROR)


ProgressCallback = Callable[[int], None]


def survey_parse(path: Path, *, file_format: str, csv_sheet: str = "", csv_encoding: str = "auto",
                 progress: ProgressCallback | None = None, this_year: int | None = None,
                 town_name: str = "") -> ParsedSurvey:
    """Read every sheet of the file; file-level failures become a single problem, never an exception.

    `town_name`: the town the upload is for; rows whose 所属乡镇 names another are refused.
    """
    this_year = this_year or timezone.localdate().year
    parsed = ParsedSurvey(this_year=this_year)
    try:
        with SurveyWorkbook(path, file_format, csv_sheet=csv_sheet, csv_encoding=csv_encoding) as workbook:
            found = set()
            for sheet in _sheets_to_read(workbook.sheets, parsed.problems):
                found.add(sheet.spec.sheet)
                if sheet.skip:
                    continue
                parsed.sheets[sheet.spec.sheet] = _parse_sheet(sheet, parsed, this_year=this_year,
                                                               progress=progress, town_name=town_name)
            if file_format == SurveyFileFormat.CSV:
                parsed.problems[:0] = _csv_sheet_mismatch(parsed.sheets.values())
            else:
                titles = "、".join(f"「{title}」" for title in (s.title for s in workbook.sheets))
                for spec in schema.SHEETS:
                    if spec.sheet not in found:
                        parsed.problems.append(Problem(
                            spec.title, None, "", "",
                            f"工作簿缺少「{spec.title}」工作表（现有工作表：{titles}）。请使用系统模板，"
                            f"或把工作表改名为「{spec.title}」；没有数据也请保留该表的表头。"))
    except SurveyFileError as exc:
        parsed.sheets.clear()
        parsed.problems = [Problem("", None, "", "", str(exc))]
    return parsed


def _header_matches(keys, spec: schema.SheetSpec) -> int:
    return len(set(keys) & {schema.header_key(column.header) for column in spec.columns})


def _csv_sheet_mismatch(sheets) -> list[Problem]:
    """An error when the CSV's headers match another sheet better than the one chosen for it.

    A 住户 CSV read as the 小区 sheet would otherwise pass: its 小区名称 column is there, and each
    household's row would become a compound with the household's floor area. Named first in the preview.
    """
    problems = []
    for sheet in sheets:
        chosen = _header_matches(sheet.header_keys, sheet.spec)
        best = max(schema.SHEETS, key=lambda spec: _header_matches(sheet.header_keys, spec))
        matched = _header_matches(sheet.header_keys, best)
        if best is sheet.spec or matched <= chosen:
            continue
        problems.append(Problem(
            sheet.title, sheet.header_row or None, "", "",
            f"这份 CSV 看起来是「{best.title}」表：表头有 {matched} 列与「{best.title}」表相同，"
            f"与所选的「{sheet.spec.title}」表只有 {chosen} 列相同。请把「CSV 文件是哪张表」选为"
            f"「{best.title}」（命令行用 --csv-sheet {best.sheet.value}）后重新上传。"))
    return problems


def _sheets_to_read(sheets: list[SheetReader], problems: list[Problem]) -> list[SheetReader]:
    """One sheet of each kind, hidden ones never read unannounced.

    A hidden sheet beside a visible one of its kind (a stale 住户 hidden before 住户（新）) is left
    out with a 提示; two visible ones (or two hidden and none visible) are refused by name, since
    either may be the one meant. A lone hidden sheet is read, with a 提示 saying so.
    """
    by_kind: dict[str, list[SheetReader]] = {}
    for sheet in sheets:
        if sheet.spec is not None:
            by_kind.setdefault(sheet.spec.sheet, []).append(sheet)
    chosen = []
    for candidates in by_kind.values():
        title = candidates[0].spec.title
        visible = [sheet for sheet in candidates if not sheet.hidden]
        pool = visible or candidates
        names = "、".join(f"「{sheet.title}」{'（隐藏）' if sheet.hidden else ''}" for sheet in candidates)
        if len(pool) > 1:
            problems.append(Problem(
                pool[1].title, None, "", "",
                f"工作簿中有 {len(candidates)} 张「{title}」工作表：{names}，系统无法判断该读哪一张。"
                f"请只保留一张名称以「{title}」开头的工作表（删除或改名其余的），再重新上传。"))
            pool[0].skip = True  # its kind counts as present: no "missing sheet" error besides this one
            chosen.append(pool[0])
            continue
        sheet = pool[0]
        if sheet.hidden:
            problems.append(Problem(sheet.title, None, "", "",
                                    f"工作表「{sheet.title}」是隐藏的，已按「{title}」表读取。"
                                    "请在 Excel/WPS 中取消隐藏并核对这是要上传的内容。", level=WARNING))
        for other in candidates:
            if other is not sheet:
                problems.append(Problem(other.title, None, "", "",
                                        f"已忽略隐藏的工作表「{other.title}」，读取的是「{sheet.title}」。"
                                        f"如隐藏的表才是要上传的内容，请取消隐藏并删除另一张后重新上传。",
                                        level=WARNING))
        chosen.append(sheet)
    return chosen


def _parse_sheet(sheet: SheetReader, parsed: ParsedSurvey, *, this_year: int,
                 progress: ProgressCallback | None, town_name: str = "") -> ParsedSheet:
    spec = sheet.spec
    result = ParsedSheet(spec=spec, title=sheet.title)
    by_key = {schema.header_key(column.header): column for column in spec.columns}
    problems = parsed.problems
    columns: list[tuple[int, schema.Column]] = []
    readers: list[tuple] = []
    seen_before_header = 0
    shared: dict[str, str] = {}  # one string object per distinct key value (小区名称 repeats on every row)
    best_guess = 0
    for row_number, values in sheet.rows():
        if not result.header_row:
            seen_before_header += 1
            keys = [schema.header_key(value) if isinstance(value, str) else "" for value in values]
            known = [key for key in keys if key in by_key]
            guess = max(_header_matches(keys, other) for other in schema.SHEETS)
            if guess > best_guess:
                best_guess, result.header_keys = guess, tuple(keys)
            if schema.header_key(spec.columns[0].header) in keys and len(known) >= 2:
                result.header_row = row_number
                result.header_keys = tuple(keys)
                columns = _match_headers(result, values, keys, by_key, problems)
                if columns is None:
                    return result  # a key column is missing: its errors are recorded, rows are meaningless
                readers = _row_readers(result, columns, this_year)
            elif seen_before_header >= HEADER_SEARCH_ROWS:
                break
            continue
        record = _read_row(result, row_number, values, readers, problems, shared)
        if town_name and result.town_col is not None and record is not None:
            _check_town(result, row_number, values, town_name, problems)
        if record is not None:
            result.rows.append(record)
            parsed.rows_read += 1
            if progress is not None and parsed.rows_read % 2000 == 0:
                progress(parsed.rows_read)
    if not result.header_row:
        problems.append(Problem(sheet.title, None, "", "",
                                f"工作表「{sheet.title}」中没有找到表头（前 {HEADER_SEARCH_ROWS} 行内应有一行包含"
                                f"「{spec.columns[0].header}」等列名）。请使用系统模板的表头。"))
        return result
    for merged in sheet.merged:
        if merged.max_row > result.header_row and (merged.max_row > merged.min_row or merged.max_col > merged.min_col):
            first = max(merged.min_row, result.header_row + 1)
            header = next((result.headers[f] for f, c in result.columns.items() if c == merged.min_col), "")
            problems.append(Problem(
                sheet.title, first, header, "",
                f"第 {merged.min_row}–{merged.max_row} 行、第 {merged.min_col}–{merged.max_col} 列是合并单元格，"
                "合并后只有左上角有值，其余各行会被当作空白。请取消合并，并在每一行都填写完整。",
                col=merged.min_col))
    return result


def _match_headers(result: ParsedSheet, values, keys, by_key, problems) -> list | None:
    columns = []
    for index, key in enumerate(keys, start=1):
        if not key:
            continue
        column = by_key.get(key)
        text = display(values[index - 1]).strip()
        if column is None and key in TOWN_HEADER_KEYS and result.town_col is None:
            result.town_col = index
            result.headers["所属乡镇"] = text
            continue
        if column is None:
            problems.append(Problem(result.title, result.header_row, text, text,
                                    f"无法识别的列「{text}」，已忽略。如是模板中的列，请检查列名是否写错。",
                                    level=WARNING, col=index))
            continue
        if column.field in result.columns:
            problems.append(Problem(result.title, result.header_row, text, text,
                                    f"列「{text}」出现了两次（另一处在第 {result.columns[column.field]} 列）。"
                                    "请删除或改名其中一列。", col=index))
            continue
        result.columns[column.field] = index
        result.headers[column.field] = text
        columns.append((index, column))
    missing_key = False
    for column in result.spec.columns:
        if column.field in result.columns or column.extra:
            continue
        if column.key:
            missing_key = True
            problems.append(Problem(result.title, result.header_row, column.header, "",
                                    f"缺少必需的列「{column.header}」。请按模板补上这一列。"))
        else:
            problems.append(Problem(result.title, result.header_row, column.header, "",
                                    f"缺少列「{column.header}」：本次上传不会修改这一项。如需填报请按模板补上这一列。",
                                    level=WARNING))
    return None if missing_key else columns


def _check_town(result: ParsedSheet, row_number: int, values: list, town_name: str, problems) -> None:
    offset = result.town_col - 1
    raw = values[offset] if offset < len(values) else None
    if is_blank(raw):
        return
    try:
        named = read_text(raw)
    except ValueProblem:
        named = None
    if named == read_text(town_name):
        return
    header = result.headers["所属乡镇"]
    problems.append(Problem(
        result.title, row_number, header, shown(raw),
        f"「{header}」填的是「{shown(raw)}」，但本次上传的是「{town_name}」的调查表"
        "（六、实施步骤（一）摸底调查：各乡镇对辖区内小区摸底）。"
        f"请把这一行移到该乡镇的调查表中由该乡镇上传；如是笔误，请改为「{town_name}」。", col=result.town_col))


_CACHE_LIMIT = 4096  # distinct values remembered per column


def _cell_reader(column: schema.Column, this_year: int):
    """read_cell for one column, remembering what each distinct raw value read as.

    Most cells of a survey repeat (是/否, 同意, 砖混, a compound's name on each of its rows): a dict
    lookup instead of the normalisation and parsing. Keyed by type too, since True == 1 == 1.0.
    Cells that cannot be read are not remembered (each raises its own problem).
    """
    cache: dict = {}
    missing = object()

    def read(raw):
        if raw.__class__ is TooLongText:
            raise ValueProblem(f"这一格内容过长（{raw.length} 个字符），超过 Excel 一格最多 {MAX_CELL_CHARS} 个字符的上限，"
                               f"开头是「{raw.head}」。请检查是否粘贴错了内容，删去多余部分后重新上传。")
        key = (raw.__class__, raw)
        try:
            value = cache.get(key, missing)
        except TypeError:  # unhashable: never from a reader, but no reason to fail on it
            return read_cell(raw, column, this_year=this_year)
        if value is missing:
            value = read_cell(raw, column, this_year=this_year)
            if len(cache) < _CACHE_LIMIT:
                cache[key] = value
        return value

    return read


def _row_readers(result: ParsedSheet, columns, this_year: int) -> list[tuple]:
    """Per column of the file: (offset in the row, position in the record, reader, blank value, column)."""
    return [(index - 1, result.field_index[column.field], _cell_reader(column, this_year),
             read_cell(None, column, this_year=this_year), column) for index, column in columns]


def _read_row(result: ParsedSheet, row_number: int, values: list, readers, problems, shared: dict):
    """The row's clean values in spec order, or None for a blank row or one without its key.

    A row with a bad cell is still returned (that cell None), so other sheets that name it are not
    flooded with "unknown compound" errors; any error stops the import anyway.
    """
    record = [None] * (len(result.spec.columns) + 1)
    record[0] = row_number
    filled = False
    failed = ()
    width = len(values)
    for offset, position, read, blank, column in readers:
        raw = values[offset] if offset < width else None
        if raw is None:
            value = blank
        else:
            if not filled and not is_blank(raw):
                filled = True
            try:
                value = read(raw)
            except ValueProblem as problem:
                problems.append(Problem(result.title, row_number, result.headers[column.field], shown(raw),
                                        str(problem), col=offset + 1))
                failed = (*failed, column.field)
                continue
        if column.key:
            if value == "":
                continue
            value = shared.setdefault(value, value)
        record[position] = value
    if not filled:
        return None
    keyless = False
    for offset, position, _read, _blank, column in readers:
        if column.key and record[position] is None:
            keyless = True
            if column.field not in failed:
                problems.append(Problem(result.title, row_number, result.headers[column.field], "",
                                        f"「{column.header}」不能为空。请填写，或删除这一行。", col=offset + 1))
    return None if keyless else tuple(record)
