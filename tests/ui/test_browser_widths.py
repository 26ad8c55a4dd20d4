"""Every page of every role fits the screen, on a desk (1366 px) and on a phone (390 px): nothing scrolls
the page sideways (a wide table scrolls inside its card), the header is one line (its menus drop down; on a
phone they fold behind 菜单), and chart text keeps its size whatever the width. Pages come from the role
matrix, so a new page is covered."""

import pytest
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError

from tests.conftest import PASSWORD
from tests.ui.test_browser import browser  # noqa: F401 - the chromium fixture
from tests.ui.test_browser import pytestmark as browser_marks
from tests.ui.test_browser_menu import header_lines
from tests.ui.test_role_matrix import (
    PAGES,
    world,  # noqa: F401 - the matrix's world (with a funded project)
)

pytestmark = browser_marks

DESK, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}
FITS = "document.documentElement.scrollWidth <= window.innerWidth"


def _pages_for(role: str, objects) -> list[tuple[str, str]]:
    pages = []
    for page_id, method, name, key, query, expected in PAGES:
        if method != "get" or expected.get(role) != 200 or query or name.startswith("admin:"):
            continue
        pages.append((page_id, reverse(name, args=[objects[key].pk] if key else [])))
    return pages


def _log_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.parametrize("role", ["staff", "surveyor", "leader", "liaison", "auditor"])
def test_every_page_fits_a_desk_and_a_phone(browser, live_server, world, users, role):  # noqa: F811
    context = browser.new_context(viewport=DESK, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        _log_in(page, live_server, users[role].username)
        too_wide, header_wraps = [], []
        for page_id, path in _pages_for(role, world):
            page.set_viewport_size(DESK)
            try:
                response = page.goto(f"{live_server.url}{path}")
            except PlaywrightError as error:
                if "Download is starting" in str(error):
                    continue  # a file (template workbook, original upload): nothing to lay out
                raise
            if "text/html" not in response.headers.get("content-type", ""):
                continue  # status JSON: nothing to lay out
            for label, size in (("1366", DESK), ("390", PHONE)):
                page.set_viewport_size(size)
                if not page.evaluate(FITS):
                    too_wide.append(f"{page_id} @ {label}px: {page.evaluate('document.documentElement.scrollWidth')}")
                if (lines := header_lines(page))["lines"] != 1:
                    header_wraps.append(f"{page_id} @ {label}px: {lines}")
        assert too_wide == []
        assert header_wraps == []
    finally:
        context.close()


def test_phone_header_is_one_line_until_the_menu_opens(browser, live_server, users):  # noqa: F811
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    try:
        _log_in(page, live_server, users["staff"].username)
        header = page.locator("header.topbar")
        assert header.bounding_box()["height"] <= 56
        assert not page.locator("#main-menu").is_visible()
        page.click("label.menu-button")
        assert page.locator("#main-menu").is_visible()
        assert header.bounding_box()["height"] > 100
    finally:
        context.close()


def test_chart_text_keeps_its_size_on_a_desk_and_a_phone(browser, live_server, users, wulan):  # noqa: F811
    from tests.communities.factories import make_estate

    make_estate(town=wulan, compounds=2, buildings=2, households=5)
    context = browser.new_context(viewport=DESK, locale="zh-CN")
    page = context.new_page()
    try:
        _log_in(page, live_server, users["leader"].username)
        page.goto(f"{live_server.url}{reverse('ui:dashboard')}")
        sizes = {}
        for label, size in (("desk", DESK), ("phone", PHONE)):
            page.set_viewport_size(size)
            sizes[label] = page.evaluate(
                "[...document.querySelectorAll('.chart .bar-label, .chart .bar-text')]"
                ".map(e => e.getBoundingClientRect().height > 0 ? parseFloat(getComputedStyle(e).fontSize) : 13)")
        assert sizes["desk"] and all(12 <= s <= 14 for s in sizes["desk"] + sizes["phone"]), sizes
        # figures are not clipped: each bar's text is inside the chart's box
        clipped = page.evaluate(
            "[...document.querySelectorAll('.chart .bar-text')].filter(e => {"
            " const r = e.getBoundingClientRect(), c = e.closest('.chart').getBoundingClientRect();"
            " return r.width > 0 && (r.right > c.right + 1 || r.left < c.left - 1); }).length")
        assert clipped == 0
    finally:
        context.close()


@pytest.mark.django_db
def test_verdict_bars_are_coloured_by_meaning(programme, users):
    """不符合 is red and 资料不全 grey, never the same colour as 符合 (issue 17)."""
    from communities.selectors import dashboard_verdicts

    bars = dashboard_verdicts(programme=programme, today=None, user=users["leader"])["bars"]
    tones = {bar["label"]: bar["tone"] for bar in bars}
    assert tones["符合改造条件"] == "ok" and tones["不符合"] == "bad" and tones["资料不全"] == "muted"
    assert len({tones["符合改造条件"], tones["不符合"], tones["资料不全"]}) == 3
