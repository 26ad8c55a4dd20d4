"""Real-browser journeys through the project forms (issue 17): staff builds a project from the
searchable compound picker, and finds a scope item by typing in the grouped catalog."""

import os

import pytest

from tests.conftest import PASSWORD  # noqa: F401  (the users' password, used by log_in)
from tests.ui.test_browser import CHROMIUM, browser, log_in, page  # noqa: F401  (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium at /usr/bin/chromium"),
]


def test_staff_builds_a_project_from_the_searchable_picker_giving_a_reason_for_an_ineligible_compound(
    page, live_server, users, programme, wulan  # noqa: F811
):
    from communities.choices import Verdict
    from communities.models import CompoundAssessment
    from projects.models import Project
    from tests.projects.factories import CompoundFactory

    east = CompoundFactory(town=wulan, name="东苑小区", household_count=96)
    CompoundAssessment.objects.create(compound=east, verdict=Verdict.ELIGIBLE, cutoff_year=2000)
    west = CompoundFactory(town=wulan, name="西苑小区", household_count=40)
    CompoundAssessment.objects.create(compound=west, verdict=Verdict.INELIGIBLE, cutoff_year=2000)
    CompoundFactory(town=wulan, name="河畔小区")
    log_in(page, live_server, "alice-staff")
    page.goto(f"{live_server.url}/projects/new/")
    page.fill("#id_code", "jy-30")
    page.fill("#id_name", "东西苑改造")
    page.fill("#picker-q", "苑")  # the static filter narrows the rows at once
    assert page.locator("#picker-table tbody tr:visible").count() == 2
    page.check(f"#pick-{east.pk}")
    page.check(f"#pick-{west.pk}")
    page.click("main form button[type=submit]:not([name=search])")
    assert "西苑小区认定为“不符合”" in page.text_content("#picker-errors")
    page.fill(f"input[name=reason_{west.pk}]", "与东苑小区紧密相连，整体实施")
    page.click("main form button[type=submit]:not([name=search])")
    project = Project.objects.get(code="jy-30")
    page.wait_for_url(f"{live_server.url}/projects/{project.pk}/")
    assert "列入原因：与东苑小区紧密相连，整体实施" in page.text_content("main")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_typing_in_the_scope_catalog_search_leaves_only_matching_items(page, live_server, users, programme, wulan):  # noqa: F811
    from tests.projects.factories import CompoundFactory, make_project

    project = make_project(programme=programme, user=users["staff"], compounds=[CompoundFactory(town=wulan)])
    log_in(page, live_server, "alice-staff")
    page.goto(f"{live_server.url}/projects/{project.pk}/scope/add/")
    page.fill("input.select-filter", "管网")
    visible = page.eval_on_selector_all(
        "#id_scope_item option", "os => os.filter(o => !o.hidden && o.value).map(o => o.textContent)"
    )
    # 管网 matches the items naming it and the whole group 「完善配套设施 · 市政管网设施改造」.
    assert "供排水管网改造（km）" in visible and "综合管沟（m）" in visible
    assert "门卫（处）" not in visible and "外墙保温（㎡）" not in visible
    page.select_option("#id_scope_item", label="供排水管网改造（km）")
