"""`manage.py assess --json`: every compound's assessment, reasons with their clause ids."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from communities.models import CompoundAssessment

from .factories import BuildingFactory, CompoundFactory, households

pytestmark = pytest.mark.django_db


def test_assess_json_prints_every_compound_with_clauses():
    eligible = CompoundFactory(name="测试-命令-符合")
    households(BuildingFactory(compound=eligible), agreeing=3, total=4)
    CompoundFactory(name="测试-命令-棚改", in_shantytown_plan=True)
    out = StringIO()
    call_command("assess", "--json", stdout=out)
    rows = {row["name"]: row for row in json.loads(out.getvalue())}
    assert set(rows) == {"测试-命令-符合", "测试-命令-棚改"}
    row = rows["测试-命令-符合"]
    assert row["town"] == eligible.town.name
    assert (row["verdict"], row["central_subsidy_allowed"], row["priority"]) == ("eligible", True, 25)
    assert row["consent"]["by_households"] == "0.7500" and row["consent"]["meets_threshold"] is True
    assert {"clause": "三(二)1", "fact": "供排水管线老化：是", "effect": "满足"} in row["reasons"]
    shantytown = rows["测试-命令-棚改"]
    assert (shantytown["verdict"], shantytown["central_subsidy_allowed"]) == ("ineligible", False)
    assert "三(一)" in {r["clause"] for r in shantytown["reasons"]}
    # The command stores what it printed.
    assert CompoundAssessment.objects.count() == 2


def test_assess_plain_text_reads_like_the_issue():
    CompoundFactory(name="测试-命令-文本", build_year=1996)
    out = StringIO()
    call_command("assess", stdout=out)
    assert "建成年份 1996 ≤ 2000，2000年底前建成 — 三(一)" in out.getvalue()
    assert "缺少：住户改造意愿（尚无住户调查）" in out.getvalue()


def test_assess_json_marks_a_relaxation_candidate_and_keeps_its_shape():
    """三(一): a post-2000 compound whose building is surveyed 与改造小区紧密相连 may apply for 放宽认定."""
    compound = CompoundFactory(name="测试-命令-放宽", build_year=2005)
    BuildingFactory(compound=compound, number="5号楼", build_year=2005, joined_to_renovation_compound=True)
    CompoundFactory(name="测试-命令-普通", build_year=2005)
    out = StringIO()
    call_command("assess", "--json", stdout=out)
    rows = {row["name"]: row for row in json.loads(out.getvalue())}
    candidate, plain = rows["测试-命令-放宽"], rows["测试-命令-普通"]
    assert (candidate["verdict"], candidate["relaxation_candidate"]) == ("ineligible", True)
    assert plain["relaxation_candidate"] is False
    assert set(candidate) == set(plain)
    assert any(r["fact"].startswith("可申请放宽认定：5号楼（2005）") and r["clause"] == "三(一)"
               for r in candidate["reasons"])
