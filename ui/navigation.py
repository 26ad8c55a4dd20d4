"""The top navigation: one row per page, shown only to the roles that may open it.

A new page adds a row here with the same role set its view passes to require_role (agencies.access).
"""

import functools
from dataclasses import dataclass

from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

from agencies import access


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset


NAV_ITEMS: list[NavItem] = [
    # Each role's own starting page (ui.landing): the town, the work queue, the agency's open tasks...
    NavItem("我的工作", "ui:landing", access.ALL_ROLES),
    NavItem("计划概览", "home", access.ALL_ROLES),
    NavItem("领导驾驶舱", "ui:dashboard", access.DASHBOARD_READERS),
    NavItem("小区", "communities:compound_list", access.COMMUNITY_READERS),
    NavItem("楼栋", "communities:building_list", access.COMMUNITY_READERS),
    NavItem("住户", "communities:household_list", access.COMMUNITY_READERS),
    NavItem("摸底调查", "communities:survey_list", access.SURVEY_READERS),
    NavItem("认定审核", "communities:review_queue", access.COMMUNITY_READERS),
    NavItem("改造项目", "project_list", access.DASHBOARD_READERS),
    NavItem("统计指标", "indicators", access.DASHBOARD_READERS),
    NavItem("资金", "funding:budget_line_list", access.FUNDING_READERS),
    NavItem("资金变更记录", "funding:money_history", access.FUNDING_HISTORY_READERS),
    NavItem("变更日志", "changelog:change_log", access.CHANGELOG_READERS),
    NavItem("报告", "report_list", access.DASHBOARD_READERS),
    NavItem("部门任务", "task_list", access.DUTY_READERS),
    NavItem("部门职责", "agencies:duty_list", access.DUTY_READERS),
]


def nav_for(user, current_path: str = "") -> list[dict]:
    role = access.role_of(user)
    if role is None:
        return []
    items = []
    for label, url in _links_for(role, get_urlconf(), get_script_prefix()):
        active = current_path == url if url == "/" else current_path.startswith(url)
        items.append({"label": label, "url": url, "active": active})
    return items


@functools.cache
def _links_for(role, urlconf, script_prefix) -> tuple[tuple[str, str], ...]:
    """The role's links, reversed once per process (per URL configuration and prefix): every page draws
    the menu, and its URLs never change while the process runs."""
    links = []
    for item in NAV_ITEMS:
        if role not in item.roles:
            continue
        try:
            links.append((item.label, reverse(item.url_name, urlconf=urlconf)))
        except NoReverseMatch:  # a page whose app is not installed in this build
            continue
    return tuple(links)
