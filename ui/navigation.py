"""The top navigation: a handful of menus (工作台, 小区与调查, 项目, 资金, 单位任务, 报表与日志, 系统), each
a list of pages shown only to the roles that may open them.

A new page adds a row to its menu with the same role set its view passes to require_role (agencies.access).
A menu a role has no page in is not shown; a menu with one page is shown as that page's link.
"""

import functools
from dataclasses import dataclass

from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

from agencies import access
from agencies.choices import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset
    # Shown to accounts with Django's is_staff flag (the admin site's own door), whatever their role.
    admin_site: bool = False
    # For a liaison, shown only if their agency has this code (the view checks the same agency).
    liaison_agency: str | None = None


@dataclass(frozen=True)
class NavGroup:
    label: str
    items: tuple[NavItem, ...]


NAV_GROUPS: tuple[NavGroup, ...] = (
    NavGroup("工作台", (
        # Each role's own starting page (ui.landing): the town, the work queue, the agency's open tasks...
        NavItem("我的工作", "ui:landing", access.ALL_ROLES),
        NavItem("计划概览", "home", access.ALL_ROLES),
        NavItem("领导驾驶舱", "ui:dashboard", access.DASHBOARD_READERS),
    )),
    NavGroup("小区与调查", (
        NavItem("小区", "communities:compound_list", access.COMMUNITY_READERS),
        NavItem("楼栋", "communities:building_list", access.COMMUNITY_READERS),
        NavItem("住户", "communities:household_list", access.COMMUNITY_READERS),
        NavItem("摸底调查", "communities:survey_list", access.SURVEY_READERS),
        NavItem("认定审核", "communities:review_queue", access.COMMUNITY_READERS),
    )),
    NavGroup("项目", (
        NavItem("改造项目", "project_list", access.DASHBOARD_READERS),
        NavItem("统计指标", "indicators", access.DASHBOARD_READERS),
    )),
    NavGroup("资金", (
        # Of the liaisons only the finance bureau's may open the money pages (access.require_funding_role).
        NavItem("资金", "funding:budget_line_list", access.FUNDING_READERS,
                liaison_agency=access.FUNDING_FINANCE_AGENCY),
        NavItem("资金变更记录", "funding:money_history", access.FUNDING_HISTORY_READERS),
    )),
    NavGroup("单位任务", (
        NavItem("部门任务", "task_list", access.DUTY_READERS),
        NavItem("部门职责", "agencies:duty_list", access.DUTY_READERS),
    )),
    NavGroup("报表与日志", (
        NavItem("报告", "report_list", access.DASHBOARD_READERS),
        NavItem("变更日志", "changelog:change_log", access.CHANGELOG_READERS),
    )),
    NavGroup("系统", (
        NavItem("账号管理", "agencies:account_list", frozenset({Role.STAFF})),
        NavItem("数据管理", "admin:index", frozenset(), admin_site=True),
    )),
)

NAV_ITEMS: list[NavItem] = [item for group in NAV_GROUPS for item in group.items]


def nav_for(user, current_path: str = "") -> list[dict]:
    """The user's menus: [{label, active, items: [{label, url, active}]}], in NAV_GROUPS order.

    One link is active: the page whose address is the longest that starts the current path (资金变更记录
    on /funding/history/, not 资金 too); its menu is active with it."""
    role = access.role_of(user)
    admin_site = bool(getattr(user, "is_staff", False) and getattr(user, "is_active", False))
    agency = access.user_agency_code(user) if role == Role.LIAISON else None
    groups = _links_for(role, agency, admin_site, get_urlconf(), get_script_prefix())
    urls = [url for _, links in groups for _, url in links]
    matching = [url for url in urls if (current_path == url if url == "/" else current_path.startswith(url))]
    active_url = max(matching, key=len, default=None)
    menus = []
    for label, links in groups:
        items = [{"label": text, "url": url, "active": url == active_url} for text, url in links]
        menus.append({"label": label, "items": items, "active": any(item["active"] for item in items)})
    return menus


def flat(menus: list[dict]) -> list[dict]:
    """Every link of the menus, in order."""
    return [item for menu in menus for item in menu["items"]]


@functools.cache
def _links_for(role, agency, admin_site, urlconf, script_prefix) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """The role's menus and links, reversed once per process (per URL configuration and prefix): every
    page draws the menu, and its URLs never change while the process runs."""
    groups = []
    for group in NAV_GROUPS:
        links = []
        for item in group.items:
            if not (admin_site if item.admin_site else role in item.roles):
                continue
            if role == Role.LIAISON and item.liaison_agency and agency != item.liaison_agency:
                continue
            try:
                links.append((item.label, reverse(item.url_name, urlconf=urlconf)))
            except NoReverseMatch:  # a page whose app is not installed in this build
                continue
        if links:
            groups.append((group.label, tuple(links)))
    return tuple(groups)
