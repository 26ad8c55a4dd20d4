"""The header's menus (issue 17): every role's header is one line at 1366 px and, folded behind 菜单, at
390 px; a menu opens by click (even without script) and by keyboard, shows its links, and marks the one the
user is on; and grouping the links into menus took no page away from any role."""

import re

import pytest
from django.urls import reverse

from agencies.choices import Role
from agencies.services import user_create
from tests.conftest import PASSWORD
from tests.ui.test_browser import browser  # noqa: F401 - the chromium fixture
from tests.ui.test_browser import pytestmark as browser_marks

DESK, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}
ROLES = ["staff", "surveyor", "leader", "liaison", "auditor"]

# Each role's navigation links before they were grouped into menus (ui/navigation.py NAV_ITEMS on main at
# f1504bd, plus base.html's 账号管理 for staff and 数据管理 for is_staff accounts, which staff are).
_EVERYONE = ["ui:landing", "home"]
_ESTATE = ["communities:compound_list", "communities:building_list", "communities:household_list",
           "communities:review_queue"]
_READERS = ["ui:dashboard", *_ESTATE, "project_list", "indicators", "funding:budget_line_list", "report_list",
            "task_list", "agencies:duty_list"]
LINKS_BEFORE = {
    "staff": [*_EVERYONE, *_READERS, "communities:survey_list", "funding:money_history", "changelog:change_log",
              "agencies:account_list", "admin:index"],
    "surveyor": [*_EVERYONE, *_ESTATE, "communities:survey_list"],
    "leader": [*_EVERYONE, *_READERS],
    "liaison": [*_EVERYONE, "funding:budget_line_list", "task_list", "agencies:duty_list"],
    "auditor": [*_EVERYONE, *_READERS, "communities:survey_list", "funding:money_history", "changelog:change_log"],
}

# The header's parts on its one line at a desk: brand, each menu title (or lone link), search, user menu.
TOP_LEVEL = ("header.topbar > .brand, #main-menu .nav-group > .nav-top, #main-menu .nav-group > details > summary,"
             " header.topbar > .search, header.topbar > .user-menu > summary, header.topbar > .menu-button")
LINES = """sel => {
  const boxes = [...document.querySelectorAll(sel)].map(e => e.getBoundingClientRect()).filter(r => r.height > 0);
  boxes.sort((a, b) => a.top - b.top);
  let lines = 0, bottom = -Infinity;
  for (const r of boxes) { if (r.top >= bottom) { lines += 1; bottom = r.bottom; } else { bottom = Math.max(bottom, r.bottom); } }
  return {lines, parts: boxes.length, header: document.querySelector('header.topbar').getBoundingClientRect().height,
          tallest: Math.max(...boxes.map(r => r.height))};
}"""


def header_lines(page) -> dict:
    """How many lines the header's visible parts take (parts whose boxes overlap vertically share a line)."""
    return page.evaluate(LINES, TOP_LEVEL)


def _nav_links(html: str) -> set[str]:
    menu = re.search(r'<nav class="nav" id="main-menu".*?</nav>', html, re.S).group(0)
    return set(re.findall(r'href="([^"]+)"', menu))


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_could_reach_from_the_menu_it_still_can(client, users, role):
    client.force_login(users[role])
    html = client.get(reverse("home")).content.decode()
    assert _nav_links(html) == {reverse(name) for name in LINKS_BEFORE[role]}


@pytest.mark.django_db
def test_a_lone_page_is_a_plain_link_and_the_current_page_marks_its_menu(client, users):
    client.force_login(users["leader"])
    html = client.get(reverse("funding:budget_line_list")).content.decode()
    menu = re.search(r'<nav class="nav" id="main-menu".*?</nav>', html, re.S).group(0)
    # the leader's 资金 menu holds one page: a link, not a dropdown of one
    assert re.search(r'<a class="nav-top active" href="/funding/" aria-current="page">资金</a>', menu)
    client.force_login(users["auditor"])
    html = client.get(reverse("funding:money_history")).content.decode()
    menu = re.search(r'<nav class="nav" id="main-menu".*?</nav>', html, re.S).group(0)
    # one link is current, the longest address that starts the path (not 资金 as well), and its menu
    assert re.findall(r'aria-current="page">([^<]+)<', menu) == ["资金变更记录"]
    assert re.search(r'<summary class="nav-top active">资金</summary>', menu)


def _log_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url and "/start/" not in url)


@pytest.mark.parametrize("role", ROLES)
@browser_marks[0]
@browser_marks[1]
def test_each_roles_header_is_one_line_on_a_desk_and_folded_on_a_phone(browser, live_server, users, role):  # noqa: F811
    context = browser.new_context(viewport=DESK, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        _log_in(page, live_server, users[role].username)
        desk = header_lines(page)
        assert desk["lines"] == 1 and desk["header"] <= desk["tallest"] + 24, desk
        assert page.locator("#main-menu .nav-panel a").first.is_hidden()  # menus start closed
        page.set_viewport_size({"width": 1280, "height": 800})  # a smaller laptop: still one line
        laptop = header_lines(page)
        assert laptop["lines"] == 1, laptop

        page.set_viewport_size(PHONE)
        folded = header_lines(page)
        assert folded["lines"] == 1 and folded["header"] <= 56, folded
        assert page.locator("#main-menu").is_hidden()
        page.click("label.menu-button")
        titles = page.locator("#main-menu .nav-group > .nav-top, #main-menu .nav-group > details > summary")
        groups = page.locator("#main-menu .nav-group")
        assert titles.count() == groups.count() >= 2
        tops = [titles.nth(i).bounding_box()["y"] for i in range(titles.count())]
        assert tops == sorted(tops) and len(set(tops)) == len(tops)  # stacked, one under another
        assert all(titles.nth(i).is_visible() for i in range(titles.count()))
        menu = page.locator("#main-menu details").first
        menu.locator("summary").click()
        assert all(link.is_visible() for link in menu.locator("a").all())
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        context.close()


@browser_marks[0]
@browser_marks[1]
@pytest.mark.parametrize("script", [True, False], ids=["with-script", "without-script"])
def test_a_menu_opens_by_click_and_shows_its_links(browser, live_server, users, programme, script):  # noqa: F811
    context = browser.new_context(viewport=DESK, locale="zh-CN", java_script_enabled=script)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        _log_in(page, live_server, users["staff"].username)
        estate = page.locator("#main-menu details", has=page.locator("summary", has_text="小区与调查"))
        assert page.locator("#main-menu >> text=楼栋").is_hidden()
        estate.locator("summary").click()
        for label in ("小区", "楼栋", "住户", "摸底调查", "认定审核"):
            assert estate.get_by_role("link", name=label, exact=True).is_visible()
        # the open menu hangs below its title, within the window
        box, title = estate.locator(".nav-panel").bounding_box(), estate.locator("summary").bounding_box()
        assert box["y"] >= title["y"] + title["height"] and box["x"] + box["width"] <= DESK["width"]
        # opening another menu closes the first (one menu at a time)
        page.locator("#main-menu summary", has_text="资金").click()
        assert page.locator("#main-menu >> text=资金变更记录").is_visible()
        assert page.locator("#main-menu >> text=楼栋").is_hidden()
        page.click("#main-menu >> text=资金变更记录")
        page.wait_for_url(f"**{reverse('funding:money_history')}")
        assert page.locator("#main-menu summary.active").inner_text() == "资金"
        # the user menu: the role, 修改密码 and 退出
        page.locator(".user-menu summary").click()
        assert page.locator(".user-menu .who-role").inner_text() == "住建局工作人员"
        assert page.locator(".user-menu .who-role").is_visible()
        assert page.locator(".user-menu >> text=修改密码").is_visible()
        page.locator(".user-menu >> text=退出").click()
        page.wait_for_url("**/login/**")
    finally:
        context.close()


@browser_marks[0]
@browser_marks[1]
def test_a_menu_opens_by_keyboard_and_closes_with_escape(browser, live_server, users, programme):  # noqa: F811
    context = browser.new_context(viewport=DESK, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        _log_in(page, live_server, users["auditor"].username)
        page.locator(".brand").focus()
        # Tab from the brand reaches the first menu title; Tab on along the titles to 报表与日志
        for _ in range(20):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.textContent.trim()") == "报表与日志":
                break
        assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
        page.keyboard.press("Enter")
        reports = page.locator("#main-menu details[open]")
        assert reports.count() == 1 and reports.get_by_role("link", name="变更日志").is_visible()
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "变更日志"
        page.keyboard.press("Escape")
        assert page.locator("#main-menu details[open]").count() == 0
        assert page.evaluate("document.activeElement.textContent.trim()") == "报表与日志"
        page.keyboard.press("Space")
        assert reports.get_by_role("link", name="报告").is_visible()
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        page.wait_for_url(f"**{reverse('report_list')}")
        assert page.locator("#main-menu summary.active").inner_text() == "报表与日志"
        # a click elsewhere closes an open menu
        page.locator("#main-menu summary", has_text="工作台").click()
        assert page.locator("#main-menu details[open]").count() == 1
        page.click("main h1")
        assert page.locator("#main-menu details[open]").count() == 0
    finally:
        context.close()


@pytest.mark.django_db
def test_a_liaison_outside_the_finance_bureau_gets_no_money_link_and_every_link_opens(client, roles, programme):
    """Of the liaisons only the finance bureau's may read money (access.require_funding_role): the others'
    menus leave 资金 out instead of offering a page that answers 403."""
    from agencies.models import Agency

    other = Agency.objects.exclude(code="finance").filter(kind="department").first()
    liaison = user_create(username="frank-liaison", full_name="测试·部门联络员", password=PASSWORD,
                          role=Role.LIAISON, agency=other)
    client.force_login(liaison)
    links = _nav_links(client.get(reverse("home")).content.decode())
    assert reverse("funding:budget_line_list") not in links
    assert links == {reverse(name) for name in LINKS_BEFORE["liaison"] if name != "funding:budget_line_list"}
    for url in links:
        assert client.get(url, follow=True).status_code == 200, url  # 我的工作 redirects to the open tasks
