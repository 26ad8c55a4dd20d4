import datetime as dt
from decimal import Decimal

import pytest

from communities.choices import Consent, StructureType
from communities.survey.schema import header_key, sheet_for_title
from communities.survey.values import (
    ValueProblem,
    read_area,
    read_consent,
    read_count,
    read_structure,
    read_text,
    read_year,
    read_yes_no,
)


@pytest.mark.parametrize("raw, year", [
    (1998, 1998), (1998.0, 1998), ("1998", 1998), ("１９９８", 1998), ("1998年", 1998), (" 1998 ", 1998),
    ("1998.05", 1998), ("1998-05-01", 1998), (dt.datetime(1998, 5, 1), 1998), (35796, 1998), (None, None), ("", None),
])
def test_years_arrive_in_every_shape(raw, year):
    assert read_year(raw, this_year=2025) == year


@pytest.mark.parametrize("raw", ["一九九八", "98.5", 1850, "abc"])
def test_unreadable_years_are_explained(raw):
    with pytest.raises(ValueProblem):
        read_year(raw, this_year=2025)


def test_build_year_in_the_future_is_an_error():
    with pytest.raises(ValueProblem, match="不能晚于今年"):
        read_year(2031, this_year=2025)


@pytest.mark.parametrize("raw, area", [
    ("1,234.5", Decimal("1234.50")), ("1,210", Decimal("1210.00")), ("１２３４．５", Decimal("1234.50")),
    (261.3, Decimal("261.30")), (12, Decimal("12.00")), ("88.6㎡", Decimal("88.60")), ("88.6 m2", Decimal("88.60")),
    ("65.555", Decimal("65.56")), (None, None),
])
def test_areas_accept_thousands_separators_full_width_and_units(raw, area):
    assert read_area(raw) == area


@pytest.mark.parametrize("raw", ["-5", "约80", True])
def test_bad_areas_are_explained(raw):
    with pytest.raises(ValueProblem):
        read_area(raw)


@pytest.mark.parametrize("raw, count", [("6", 6), ("６", 6), (6.0, 6), ("120户", 120), ("1,200", 1200), (None, None)])
def test_counts_accept_text_typed_and_full_width_numbers(raw, count):
    assert read_count(raw) == count


@pytest.mark.parametrize("raw", ["6.5", "-1", "六"])
def test_bad_counts_are_explained(raw):
    with pytest.raises(ValueProblem):
        read_count(raw)


# Found by the property test of CSV uploads (tests/test_hardening.py): 'Infinity' is a valid Decimal.
@pytest.mark.parametrize("raw", ["Infinity", "-inf", "NaN", "sNaN", float("inf"), float("nan")])
def test_infinite_and_not_a_number_counts_and_years_are_explained(raw):
    with pytest.raises(ValueProblem, match="只填写"):
        read_count(raw)
    with pytest.raises(ValueProblem, match="年份"):
        read_year(raw, this_year=2025)


@pytest.mark.parametrize("raw, answer", [
    ("是", True), ("否", False), ("有", True), ("无", False), ("√", True), ("×", False), ("Y", True), ("n", False),
    (" 是 ", True), (True, True), (1, True), (0, False), (None, None), ("", None),
])
def test_yes_no_words(raw, answer):
    assert read_yes_no(raw) is answer


def test_unknown_yes_no_word_is_explained():
    with pytest.raises(ValueProblem, match="是 或 否"):
        read_yes_no("不清楚")


def test_consent_and_structure():
    assert read_consent("同意") == Consent.AGREE
    assert read_consent(" 不同意") == Consent.DISAGREE
    assert read_consent(None) == Consent.UNDECIDED
    assert read_structure("砖混结构") == StructureType.BRICK_CONCRETE
    with pytest.raises(ValueProblem):
        read_consent("随便")
    with pytest.raises(ValueProblem):
        read_structure("钢结构")


def test_names_lose_stray_spaces_and_full_width_digits():
    assert read_text("  样例小区-04  ") == "样例小区-04"
    assert read_text("２号楼") == "2号楼"
    assert read_text(101) == "101"
    assert read_text(101.0) == "101"


def test_headers_match_by_text_not_by_bracket_width_or_unit():
    assert header_key(" 占地面积（㎡） ") == header_key("占地面积(㎡)") == header_key("占地面积(m2)")
    assert header_key(" 建成年份 ") == "建成年份"
    assert sheet_for_title(" 小区 ").title == "小区"
    assert sheet_for_title("汇总") is None
