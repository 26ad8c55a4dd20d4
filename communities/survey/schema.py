"""The survey workbook's three data sheets: their headers, the field each fills and how to read it.

The headers are the ones surveyors' existing sheets use (issue #4): never rename them. The template
may add columns (the split 供气/通信 columns, 改造未涉及内容). Headers are matched by text, not position
(see `header_key`). Columns of older workbooks that are no longer written as they stand are `legacy`:
still recognised, translated by plan.py (the combined 供气或通信管线需改造) or left out with a 提示
(宜整体拆除重建, judged at the on-site verification, 六(一)).
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property

from communities.choices import SurveySheet

# Value kinds, read by communities.survey.values.
TEXT = "text"          # short text: names, numbers of buildings and rooms (whitespace collapsed)
LONG_TEXT = "long"     # free text: addresses, notes
YEAR = "year"
COUNT = "count"        # a whole number ≥ 0
AREA = "area"          # square metres, two decimals
YES_NO = "yes_no"      # 是/否 and friends; blank stays unknown
CONSENT = "consent"    # 同意/不同意/未表态
STRUCTURE = "structure"
PHONE = "phone"
LEFT_OUT = "left_out"  # 三(二)3 items a recent renovation left out, separated by 、 (choices.LeftOutItem)

# The import writes the values read here without model validation (tests/communities/test_survey_values.py
# checks these limits against the models): each column's limits are those of its model field.
SMALL_COUNT_MAX = 32_767     # PositiveSmallIntegerField
COUNT_MAX = 2_000_000_000    # under PositiveIntegerField's 2,147,483,647
# Free text (备注, 已改造内容, 拟改造内容) a LONG_TEXT column without its own max_length: the TextFields'
# max_length in communities.models (issue #16: a person writes a few paragraphs, not 50 MB).
LONG_TEXT_MAX = 2000


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    kind: str
    key: bool = False          # part of the natural key: the header must be present and the cell filled
    extra: bool = False        # added by the template; an older sheet without it is fine
    max_length: int | None = None
    max_value: int | None = None  # counts: the largest the database column holds
    clause: str = ""           # the work-plan clause whose rule reads this column (the preview names it when absent)
    legacy: bool = False       # an older workbook's column: read, then translated or left out (plan.py)


@dataclass(frozen=True)
class SheetSpec:
    sheet: SurveySheet
    title: str
    columns: tuple[Column, ...]

    @cached_property
    def field_index(self) -> dict[str, int]:
        """field → position in a parsed row tuple (position 0 holds the row number)."""
        return {column.field: position for position, column in enumerate(self.columns, start=1)}

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(column.field for column in self.columns)


COMPOUND_SHEET = SheetSpec(SurveySheet.COMPOUNDS, "小区", (
    Column("小区名称", "name", TEXT, key=True, max_length=100),
    Column("所属社区", "community", TEXT, max_length=40),
    Column("详细地址", "address", LONG_TEXT, max_length=200),
    Column("产权单位", "owner_work_unit", LONG_TEXT, max_length=100),
    Column("建成年份", "build_year", YEAR),
    Column("占地面积(㎡)", "land_area_m2", AREA),
    Column("楼栋数", "building_count", COUNT),
    Column("户数", "household_count", COUNT),
    Column("建筑面积(㎡)", "floor_area_m2", AREA),
    Column("供排水管线老化", "water_drainage_aged", YES_NO),
    Column("供电线路老化", "power_aged", YES_NO),
    Column("供暖管网老化", "heating_aged", YES_NO),
    Column("未实现一户一表", "not_metered_per_household", YES_NO),
    Column("公共设施缺失或失修", "public_facilities_lacking", YES_NO),
    Column("道路破损严重", "roads_damaged", YES_NO),
    Column("未通天然气", "no_natural_gas", YES_NO),
    # 三(二)2 names gas and telecom apart; older workbooks have the combined column below.
    Column("供气管线需改造", "gas_supply_needs_work", YES_NO, extra=True, clause="三(二)2"),
    Column("通信管线需改造", "telecom_needs_work", YES_NO, extra=True, clause="三(二)2"),
    Column("近年已改造(三供一业等)", "recently_renovated", YES_NO),
    Column("改造未涉及内容", "renovation_left_out", LEFT_OUT, extra=True, max_length=100, clause="三(二)3"),
    Column("已改造内容", "renovated_content", LONG_TEXT),
    Column("列入棚户区改造计划", "in_shantytown_plan", YES_NO),
    Column("享受其他财政支持", "other_fiscal_support", YES_NO),
    Column("已完成改造", "already_renovated", YES_NO),
    Column("拟改造内容", "planned_content", LONG_TEXT),
    Column("备注", "notes", LONG_TEXT),
    # Legacy columns (never in the template): see plan.py.
    Column("供气或通信管线需改造", "gas_or_telecom_combined", YES_NO, extra=True, legacy=True),
    Column("宜整体拆除重建", "fit_for_demolition", YES_NO, extra=True, legacy=True),
))
# The 小区 rows as plan.py writes them: the legacy columns translated away, and the review mark that the
# combined column sets (both facts took its one value) or the two split columns clear.
GAS_TELECOM_REVIEW = Column("供气/通信待核实", "gas_telecom_to_review", YES_NO)
COMPOUND_SHEET_WRITTEN = SheetSpec(SurveySheet.COMPOUNDS, "小区", (
    *(column for column in COMPOUND_SHEET.columns if not column.legacy), GAS_TELECOM_REVIEW,
))

BUILDING_SHEET = SheetSpec(SurveySheet.BUILDINGS, "楼栋", (
    Column("小区名称", "compound", TEXT, key=True, max_length=100),
    Column("楼栋号", "number", TEXT, key=True, max_length=30),
    Column("建成年份", "build_year", YEAR),
    Column("层数", "floors", COUNT, max_value=SMALL_COUNT_MAX),
    Column("单元数", "units", COUNT, max_value=SMALL_COUNT_MAX),
    Column("户数", "household_count", COUNT),
    Column("建筑面积(㎡)", "floor_area_m2", AREA),
    Column("结构类型", "structure_type", STRUCTURE),
    Column("有无电梯", "has_lift", YES_NO),
    Column("与改造小区紧密相连", "joined_to_renovation_compound", YES_NO, clause="三(一)"),
    Column("备注", "notes", LONG_TEXT),
))

HOUSEHOLD_SHEET = SheetSpec(SurveySheet.HOUSEHOLDS, "住户", (
    Column("小区名称", "compound", TEXT, key=True, max_length=100),
    Column("楼栋号", "building", TEXT, key=True, max_length=30),
    Column("单元", "unit", TEXT, key=True, max_length=20),
    Column("房号", "room", TEXT, key=True, max_length=20),
    Column("户主姓名", "head_name", TEXT, max_length=40),
    Column("联系电话", "phone", PHONE, max_length=30),
    Column("建筑面积(㎡)", "floor_area_m2", AREA),
    Column("改造意愿", "renovation_consent", CONSENT),
    Column("加装电梯意愿", "lift_consent", CONSENT),
    Column("愿意出资", "willing_to_contribute", YES_NO),
    Column("备注", "notes", LONG_TEXT),
))

SHEETS: tuple[SheetSpec, ...] = (COMPOUND_SHEET, BUILDING_SHEET, HOUSEHOLD_SHEET)
SHEET_BY_KIND = {spec.sheet: spec for spec in SHEETS}

_UNIT_SUFFIX = re.compile(r"\((m2|平方米|平米|米2)\)$")
_SPACES = re.compile(r"\s+")


def header_key(text) -> str:
    """A header as compared: NFKC (full-width brackets → half-width, ㎡ → m2), no spaces, unit dropped.

    '占地面积（㎡）', ' 建筑面积(m2) ' and '建筑面积(平方米)' all match their template header.
    """
    if text is None:
        return ""
    key = _SPACES.sub("", unicodedata.normalize("NFKC", str(text))).lower()
    return _UNIT_SUFFIX.sub("", key)


def sheet_for_title(title: str) -> SheetSpec | None:
    """The spec a workbook sheet is, by name: '小区', ' 小区 ' and '小区（填报）' are all 小区."""
    key = header_key(title)
    for spec in SHEETS:
        if key == spec.title or key.startswith(spec.title):
            return spec
    return None
