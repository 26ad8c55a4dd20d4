"""The survey preview in a real browser (issue 17): a surveyor uploads a real workbook, reads the sample of
each sheet and the grouped hints, at a desk and on a phone, without the page scrolling sideways."""

import os

from django.urls import reverse

from tests.communities.survey_files import SAMPLES
from tests.ui.test_browser import browser, log_in, page  # noqa: F401 - the chromium fixtures
from tests.ui.test_browser import pytestmark as browser_marks

pytestmark = browser_marks

FITS = "document.documentElement.scrollWidth <= window.innerWidth"


def test_a_surveyor_reads_the_sample_and_the_hints_on_a_desk_and_on_a_phone(page, live_server, surveyor_user):  # noqa: F811
    log_in(page, live_server, surveyor_user.username)
    page.goto(f"{live_server.url}{reverse('communities:survey_upload')}")
    page.set_input_files("#id_file", str(SAMPLES / "survey-libreoffice.xlsx"))
    page.click("form[enctype] button[type=submit]")
    page.wait_for_load_state()
    sample = page.locator("#survey-sample")
    assert sample.locator("table").count() == 3
    assert sample.locator("table").first.locator("tbody tr").count() == 5
    problems = page.locator("#survey-problems tbody tr")
    # Six rows name two new communities: two lines, each with its count.
    new_communities = problems.filter(has_text="将新建社区")
    assert new_communities.count() == 2
    assert sorted(new_communities.nth(n).locator("td").nth(6).inner_text() for n in range(2)) == ["2 次", "4 次"]
    for size in ({"width": 1366, "height": 900}, {"width": 390, "height": 844}):
        page.set_viewport_size(size)
        assert page.evaluate(FITS), page.evaluate("document.documentElement.scrollWidth")
        if os.environ.get("SCREENSHOTS"):
            page.screenshot(path=f"{os.environ['SCREENSHOTS']}/survey-preview-{size['width']}.png", full_page=True)
