import datetime as dt
from decimal import Decimal

import pytest

from communities.choices import Consent, StructureType
from communities.survey.schema import header_key, sheet_for_title
from communities.survey.values import (
    ValueProblem,
    read_area,
    read_cell,
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


def test_counts_too_large_for_their_column_are_explained():
    from communities.survey.schema import BUILDING_SHEET

    floors = next(c for c in BUILDING_SHEET.columns if c.field == "floors")
    with pytest.raises(ValueProblem, match="32767"):
        read_cell(40000, floors, this_year=2025)
    assert read_cell("32767", floors, this_year=2025) == 32767


def test_every_value_read_fits_its_model_field():
    """The import writes what the reader returns without model validation (full_clean): each column's
    reader must enforce its field's limits, or PostgreSQL refuses the batch and SQLite keeps a bad value."""
    from django.db import models

    from communities.models import Building, Community, Compound, Household
    from communities.survey import schema, values

    targets = {
        # As written: the legacy columns translated away (plan.py), the review mark added.
        schema.COMPOUND_SHEET_WRITTEN: (Compound, {"community": Community._meta.get_field("name")}),
        schema.BUILDING_SHEET: (Building, {"compound": Compound._meta.get_field("name")}),
        schema.HOUSEHOLD_SHEET: (Household, {"compound": Compound._meta.get_field("name"),
                                             "building": Building._meta.get_field("number")}),
    }
    readers = {schema.CONSENT: set(values._CONSENT.values()), schema.STRUCTURE: {"", *values._STRUCTURE.values()}}
    for spec, (model, related) in targets.items():
        for column in spec.columns:
            field = related.get(column.field) or model._meta.get_field(column.field)
            where = f"{spec.title}.{column.header}"
            if isinstance(field, models.CharField):
                if field.choices:
                    assert readers[column.kind] <= {value for value, _ in field.choices} | ({""} if field.blank else set())
                else:
                    assert column.kind in (schema.TEXT, schema.LONG_TEXT, schema.PHONE, schema.LEFT_OUT), where
                    assert column.max_length == field.max_length, where
                    assert column.key or field.blank or column.field in related, where  # no 社区 is named ""
            elif isinstance(field, models.TextField):
                assert column.kind == schema.LONG_TEXT and field.blank, where
                assert (column.max_length or schema.LONG_TEXT_MAX) == field.max_length, where
            elif isinstance(field, models.PositiveSmallIntegerField):
                if column.kind == schema.YEAR:
                    # read_year: 1900 … this year
                    limits = {type(v).__name__: v.limit_value for v in field.validators}
                    assert field.null and limits == {"MinValueValidator": 1900, "MaxValueValidator": 2100}, where
                else:
                    assert column.kind == schema.COUNT and column.max_value <= 32767 and field.null, where
            elif isinstance(field, models.PositiveIntegerField):
                assert column.kind == schema.COUNT and (column.max_value or schema.COUNT_MAX) <= 2**31 - 1, where
                assert field.null, where
            elif isinstance(field, models.DecimalField):
                # read_area: under 10,000,000,000, two decimals
                assert column.kind == schema.AREA and field.decimal_places == 2, where
                assert field.max_digits - field.decimal_places >= 10 and field.null, where
            elif isinstance(field, models.BooleanField):
                # The review mark is set by plan.py (True/False), never read from a cell.
                assert column.kind == schema.YES_NO and (field.null or column is schema.GAS_TELECOM_REVIEW), where
            else:
                raise AssertionError(f"{where}: no rule for {type(field).__name__}")


@pytest.mark.parametrize("form_name, field", [("RelaxationForm", "reason"), ("SiteVerificationForm", "notes")])
def test_free_text_forms_take_at_most_a_length_a_person_writes(form_name, field):
    from communities import forms
    from communities.survey.schema import LONG_TEXT_MAX

    form_field = getattr(forms, form_name).base_fields[field]
    assert form_field.max_length == LONG_TEXT_MAX
    assert form_field.widget.attrs["maxlength"] == str(LONG_TEXT_MAX)
