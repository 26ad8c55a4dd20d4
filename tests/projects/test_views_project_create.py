"""Project creation and 添加小区 pick compounds from a searchable table (town, verdict, households),
not a Ctrl-click <select multiple>; a compound ruled 不符合, 资料不全 or 待现场审核认定 needs a reason."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from communities.choices import Verdict
from communities.models import CompoundAssessment
from projects.models import Project, ProjectCompound
from projects.selectors import PICKER_LIMIT

from .factories import CompoundFactory, make_project

pytestmark = pytest.mark.django_db


def ruled(compound, verdict):
    CompoundAssessment.objects.create(compound=compound, verdict=verdict, cutoff_year=2000)
    return compound


def test_create_page_lists_compounds_with_town_verdict_and_households_as_checkboxes(client, staff_user, wulan):
    ruled(CompoundFactory(town=wulan, name="东苑小区", household_count=96), Verdict.ELIGIBLE)
    ruled(CompoundFactory(town=wulan, name="西苑小区", household_count=40), Verdict.INELIGIBLE)
    client.force_login(staff_user)
    page = client.get(reverse("project_create")).content.decode()
    assert "<select multiple" not in page and 'name="compounds" multiple' not in page
    east = re.search(r"<tr[^>]*>\s*<td><input type=\"checkbox\" name=\"compounds\".*?东苑小区.*?</tr>", page, re.S)
    assert east and "乌兰镇" in east.group(0) and "符合改造条件" in east.group(0) and "96" in east.group(0)
    west = re.search(r"<tr[^>]*>\s*<td><input type=\"checkbox\" name=\"compounds\".*?西苑小区.*?</tr>", page, re.S)
    assert west and "不符合" in west.group(0) and "name=\"reason_" in west.group(0)
    assert "js/compound-picker.js" in page and "<script>" not in page


def test_search_narrows_the_list_by_name_or_town(client, staff_user, wulan, other_town):
    CompoundFactory(town=wulan, name="东苑小区")
    CompoundFactory(town=other_town, name="河畔小区")
    client.force_login(staff_user)
    page = client.get(reverse("project_create"), {"q": "东苑"}).content.decode()
    assert "东苑小区" in page and "河畔小区" not in page
    page = client.get(reverse("project_create"), {"q": other_town.name}).content.decode()
    assert "河畔小区" in page and "东苑小区" not in page


def test_searching_keeps_what_is_ticked_and_typed_and_saves_nothing(client, staff_user, wulan):
    ticked = ruled(CompoundFactory(town=wulan, name="东苑小区"), Verdict.INCOMPLETE)
    CompoundFactory(town=wulan, name="河畔小区")
    client.force_login(staff_user)
    response = client.post(reverse("project_create"), {
        "code": "jy-20", "name": "东苑改造", "compounds": [ticked.pk], f"reason_{ticked.pk}": "资料补办中",
        "q": "河畔", "search": "1",
    })
    page = response.content.decode()
    assert response.status_code == 200 and not Project.objects.exists()
    assert 'value="jy-20"' in page and 'value="东苑改造"' in page
    assert re.search(rf'name="compounds" value="{ticked.pk}" id="pick-{ticked.pk}" checked', page)
    assert 'value="资料补办中"' in page and "河畔小区" in page
    assert "errorlist" not in page  # a search is not a save attempt


def test_staff_creates_a_project_from_ticked_compounds(client, staff_user, programme, wulan):
    first, second = CompoundFactory(town=wulan), CompoundFactory(town=wulan)
    client.force_login(staff_user)
    response = client.post(
        reverse("project_create"), {"code": "jy-21", "name": "两个小区", "compounds": [first.pk, second.pk]}
    )
    project = Project.objects.get(code="jy-21")
    assert response.status_code == 302 and response["Location"] == reverse("project_detail", args=[project.pk])
    assert set(project.compounds.all()) == {first, second}


def test_ineligible_compound_without_reason_is_an_error_naming_it_and_nothing_is_saved(
    client, staff_user, programme, wulan
):
    bad = ruled(CompoundFactory(town=wulan, name="西苑小区"), Verdict.INELIGIBLE)
    client.force_login(staff_user)
    response = client.post(reverse("project_create"), {"code": "jy-22", "name": "西苑", "compounds": [bad.pk]})
    page = response.content.decode()
    assert response.status_code == 200 and not Project.objects.exists()
    assert "西苑小区认定为“不符合”，不具备列入改造项目的条件（工作方案三、认定标准；六(一)）" in page
    response = client.post(reverse("project_create"), {
        "code": "jy-22", "name": "西苑", "compounds": [bad.pk], f"reason_{bad.pk}": "与东苑小区紧密相连，整体实施",
    })
    assert response.status_code == 302
    assert ProjectCompound.objects.get(compound=bad).admission_reason == "与东苑小区紧密相连，整体实施"


def test_the_list_is_limited_and_says_so(client, staff_user, wulan):
    CompoundFactory.create_batch(PICKER_LIMIT + 1, town=wulan)
    client.force_login(staff_user)
    page = client.get(reverse("project_create")).content.decode()
    assert page.count('name="compounds"') == PICKER_LIMIT
    assert f"只列出前 {PICKER_LIMIT} 个小区" in page


def _queries(client, url, data=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, data).status_code == 200
    return len(captured)


def test_create_page_queries_stay_flat_however_many_compounds(client, staff_user, wulan, django_assert_num_queries):
    client.force_login(staff_user)
    for n in range(3):
        ruled(CompoundFactory(town=wulan), Verdict.ELIGIBLE if n % 2 else Verdict.INELIGIBLE)
    few = _queries(client, reverse("project_create"))
    for n in range(30):
        ruled(CompoundFactory(town=wulan), Verdict.PENDING_SITE if n % 2 else Verdict.RELAXED)
    with django_assert_num_queries(few):
        client.get(reverse("project_create"), {"q": "测试"})


def test_add_compound_page_picks_one_by_radio_and_hides_compounds_already_in_the_project(
    client, staff_user, programme, wulan
):
    inside = CompoundFactory(town=wulan, name="已在项目小区")
    project = make_project(programme=programme, user=staff_user, compounds=[inside])
    outside = ruled(CompoundFactory(town=wulan, name="待加入小区"), Verdict.PENDING_SITE)
    client.force_login(staff_user)
    url = reverse("project_compound_add", args=[project.pk])
    page = client.get(url).content.decode()
    assert f'type="radio" name="compound" value="{outside.pk}"' in page and "已在项目小区" not in page
    response = client.post(url, {"compound": outside.pk, "phase": 1})
    assert "待加入小区认定为“待现场审核认定”" in response.content.decode()
    response = client.post(url, {"compound": outside.pk, "phase": 1, f"reason_{outside.pk}": "现场审核已排期"})
    assert response.status_code == 302
    assert project.project_compounds.get(compound=outside).admission_reason == "现场审核已排期"
