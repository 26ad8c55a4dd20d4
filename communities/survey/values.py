"""Reading one cell's value the way a surveyor meant it.

Cells arrive as Excel numbers, text-typed numbers, full-width digits ('１９９８'), '1998年',
'1,234.5', Excel date serials and dates, with stray spaces. Each reader returns the clean value or
raises `ValueProblem` whose message says, in Chinese, what is wrong and what to write instead.
"""

import datetime as dt
import math
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from communities.choices import Consent, LeftOutItem, StructureType

from . import schema


class ValueProblem(ValueError):
    """A cell that cannot be read; `str()` is the message shown to the user."""


class FormulaWithoutValue:
    """Marks a formula cell saved without a computed result (the reader never evaluates formulas)."""

    def __repr__(self):
        return "<公式无结果>"


FORMULA_WITHOUT_VALUE = FormulaWithoutValue()

_SPACES = re.compile(r"\s+")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(\D|$))")
_EXCEL_EPOCH = dt.date(1899, 12, 30)

YES_WORDS = frozenset({"是", "有", "√", "✓", "✔", "y", "yes", "true", "1", "对"})
NO_WORDS = frozenset({"否", "无", "×", "✗", "✘", "x", "n", "no", "false", "0", "没有"})
_CONSENT = {label: value for value, label in Consent.choices}
_STRUCTURE = {label: value for value, label in StructureType.choices}
_UNDECIDED = Consent.UNDECIDED.value  # readers return plain values (builtin types), as the database does


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def display(value) -> str:
    """A cell's value as the user would recognise it in an error message."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d") if value.time() == dt.time() else value.isoformat(sep=" ")
    return str(value)


def _number_text(value) -> str:
    """Text with full-width digits made ASCII, spaces and thousands separators removed."""
    text = _SPACES.sub("", unicodedata.normalize("NFKC", str(value)))
    return _THOUSANDS.sub("", text)


def read_text(value, *, max_length: int | None = None, collapse: bool = True) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        raise ValueProblem("应为文字，不能是逻辑值（TRUE/FALSE）。请直接填写文字。")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = display(value)
    text = str(value)
    # Names are keys: NFKC makes '２号楼' and '2号楼' the same building; collapse stray spaces
    # (split() and \s+ both split at exactly the characters str.isspace() names). Blank text reads as "".
    text = " ".join(unicodedata.normalize("NFKC", text).split()) if collapse else text.strip()
    if max_length is not None and len(text) > max_length:
        raise ValueProblem(f"内容过长（{len(text)} 个字），最多 {max_length} 个字。请缩短。")
    return text


def _finite(number) -> bool:
    """False for Infinity and NaN, which a text cell ('inf', 'NaN') or a float cell can hold."""
    if isinstance(number, float):
        return math.isfinite(number)
    if isinstance(number, Decimal):
        return number.is_finite()
    return True


def read_count(value, *, max_value: int = schema.COUNT_MAX) -> int | None:
    if is_blank(value):
        return None
    if isinstance(value, bool | dt.datetime | dt.date):
        raise ValueProblem("应为整数，如 6。请填写数字。")
    if isinstance(value, int | float):
        number = value
    else:
        text = re.sub(r"(户|栋|层|个|单元|幢|座)$", "", _number_text(value))
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueProblem("应为整数，如 6。请只填写数字。") from None
    if not _finite(number):
        raise ValueProblem("应为整数，如 6。请只填写数字。")
    if number != int(number):
        raise ValueProblem("应为整数，不能有小数。请改为整数。")
    if number < 0:
        raise ValueProblem("不能为负数。请填写 0 或正整数。")
    if number > max_value:
        raise ValueProblem(f"数值过大（最多 {max_value}）。请检查是否填错列。")
    return int(number)


def read_area(value) -> Decimal | None:
    if is_blank(value):
        return None
    if isinstance(value, bool | dt.datetime | dt.date):
        raise ValueProblem("应为面积数字（平方米），如 1234.5。")
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    else:
        text = re.sub(r"(㎡|m2|m²|平方米|平米)$", "", _number_text(value), flags=re.IGNORECASE)
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueProblem("应为面积数字（平方米），如 1234.5。请去掉文字，只填数字。") from None
    if not number.is_finite():
        raise ValueProblem("应为面积数字（平方米），如 1234.5。")
    if number < 0:
        raise ValueProblem("面积不能为负数。")
    if number >= Decimal("10000000000"):
        raise ValueProblem("面积过大。请检查单位是否为平方米。")
    return number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def read_year(value, *, this_year: int) -> int | None:
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime | dt.date):
        year = value.year
    elif isinstance(value, bool):
        raise ValueProblem("应为四位年份，如 1998。")
    else:
        if isinstance(value, int | float):
            number = value
        else:
            text = re.sub(r"年.*$", "", _number_text(value))
            match = re.fullmatch(r"(\d{4})(?:[-./]\d{1,2}){0,2}", text)
            if match:
                number = int(match.group(1))
            else:
                try:
                    number = Decimal(text)
                except InvalidOperation:
                    raise ValueProblem("应为四位年份，如 1998。请只填写年份数字。") from None
        if not _finite(number):
            raise ValueProblem("应为四位年份，如 1998。请只填写年份数字。")
        if number != int(number):
            raise ValueProblem("应为四位年份，如 1998，不能有小数。")
        year = int(number)
        if 20000 <= year <= 80000:
            # An Excel date serial typed into a year column (e.g. 35796 = 1998-01-01).
            year = (_EXCEL_EPOCH + dt.timedelta(days=year)).year
    if year < 1900:
        raise ValueProblem("年份应不早于 1900。请填写四位年份，如 1998。")
    if year > this_year:
        raise ValueProblem(f"建成年份不能晚于今年（{this_year}）。请核实后填写。")
    return year


def read_yes_no(value) -> bool | None:
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    word = _SPACES.sub("", unicodedata.normalize("NFKC", str(value))).lower()
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    raise ValueProblem("只能填 是 或 否（也可用 有/无、√/×、Y/N）；不清楚请留空。")


def read_consent(value) -> str:
    if is_blank(value):
        return _UNDECIDED
    word = _SPACES.sub("", unicodedata.normalize("NFKC", str(value)))
    if word in _CONSENT:
        return _CONSENT[word]
    raise ValueProblem("只能填 同意、不同意 或 未表态；未询问请留空或填 未表态。")


def read_structure(value) -> str:
    if is_blank(value):
        return ""
    word = _SPACES.sub("", unicodedata.normalize("NFKC", str(value)))
    word = word.removesuffix("结构")
    if word in _STRUCTURE:
        return _STRUCTURE[word]
    raise ValueProblem(f"结构类型只能填 {'、'.join(_STRUCTURE)} 之一。")


# 三(二)3's items as surveyors write them: the list's words, and the short forms people use.
_LEFT_OUT_WORDS = {
    **{item: item for item in LeftOutItem.values},
    "养老": LeftOutItem.ELDERLY_CHILD_CARE.value, "扶幼": LeftOutItem.ELDERLY_CHILD_CARE.value,
    "养老扶幼设施": LeftOutItem.ELDERLY_CHILD_CARE.value, "无障碍": LeftOutItem.ACCESSIBILITY.value,
    "电梯": LeftOutItem.LIFT.value, "垃圾处理": LeftOutItem.REFUSE.value, "燃气": LeftOutItem.GAS.value,
    "天然气": LeftOutItem.GAS.value, "建筑节能改造": LeftOutItem.ENERGY_SAVING.value,
    "节能": LeftOutItem.ENERGY_SAVING.value,
}
_LEFT_OUT_SEPARATORS = re.compile(r"[、,;/，；\s]+")


def read_left_out(value, *, max_length: int = 100) -> str:
    """三(二)3 left-out items as the canonical text stored (list order, joined by 、); blank stays blank."""
    if is_blank(value):
        return ""
    if isinstance(value, bool | int | float | dt.date):
        raise ValueProblem(f"应填近年改造未涉及的内容，如 加装电梯、供气；可填 {'、'.join(LeftOutItem.values)}。")
    words = [word for word in _LEFT_OUT_SEPARATORS.split(unicodedata.normalize("NFKC", str(value))) if word]
    unknown = [word for word in words if word not in _LEFT_OUT_WORDS]
    if unknown:
        raise ValueProblem(f"「{'、'.join(unknown)}」不是三(二)3 所列内容。只能填 {'、'.join(LeftOutItem.values)}，"
                           "多项用“、”分隔。")
    chosen = {_LEFT_OUT_WORDS[word] for word in words}
    text = "、".join(item for item in LeftOutItem.values if item in chosen)
    if len(text) > max_length:
        raise ValueProblem(f"内容过长（{len(text)} 个字），最多 {max_length} 个字。")
    return text


def read_phone(value, *, max_length: int) -> str:
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return read_text(value, max_length=max_length).replace(" ", "")


def read_cell(value, column: schema.Column, *, this_year: int):
    """The clean value of one cell for its column, or ValueProblem."""
    if value is FORMULA_WITHOUT_VALUE:
        raise ValueProblem("这是公式，但文件里没有保存计算结果。请在 Excel/WPS 中打开、重新计算并保存，"
                           "或把公式改为数值。")
    if isinstance(value, str) and value.startswith("#") and value.rstrip("!?0/").upper() in {
            "#VALUE", "#REF", "#DIV", "#N/A", "#NAME", "#NUM", "#NULL"}:
        raise ValueProblem(f"公式结果是错误值 {value}。请修正公式或直接填写数值。")
    kind = column.kind
    if kind == schema.TEXT:
        return read_text(value, max_length=column.max_length)
    if kind == schema.LONG_TEXT:
        return read_text(value, max_length=column.max_length or schema.LONG_TEXT_MAX, collapse=False)
    if kind == schema.YEAR:
        return read_year(value, this_year=this_year)
    if kind == schema.COUNT:
        return read_count(value, max_value=column.max_value or schema.COUNT_MAX)
    if kind == schema.AREA:
        return read_area(value)
    if kind == schema.YES_NO:
        return read_yes_no(value)
    if kind == schema.CONSENT:
        return read_consent(value)
    if kind == schema.STRUCTURE:
        return read_structure(value)
    if kind == schema.PHONE:
        return read_phone(value, max_length=column.max_length or 30)
    if kind == schema.LEFT_OUT:
        return read_left_out(value, max_length=column.max_length or 100)
    raise AssertionError(f"unknown column kind {kind}")
