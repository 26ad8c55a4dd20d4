"""The header's search (issue 17): one query string, results grouped by kind, each kind only for the roles
that may open its pages (agencies.access), each scoped as its list is scoped. One query per kind, however
many rows match (the rows carry what they show through select_related)."""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse

from agencies import access
from agencies.choices import Role
from agencies.models import LeadingGroupSeat
from communities.models import Compound
from projects.models import AgencyTask, Project
from ui.people import display_name

# Shortest query searched: one Chinese character already names few things (乌, 县).
MIN_LENGTH = 1
PER_KIND = 20


@dataclass
class Hit:
    label: str
    detail: str
    url: str


@dataclass
class Group:
    kind: str
    label: str
    hits: list[Hit] = field(default_factory=list)
    more_url: str = ""  # the full list, filtered by the same words, when there are more than PER_KIND


def _more(url_name: str, q: str, hits: list) -> str:
    return f"{reverse(url_name)}?{urlencode({'q': q})}" if len(hits) > PER_KIND else ""


def _compounds(user, q: str) -> Group:
    rows = list(access.compounds_for(user, Compound.objects.select_related("town"))
                .filter(Q(name__icontains=q) | Q(address__icontains=q)).order_by("name", "pk")[:PER_KIND + 1])
    hits = [Hit(c.name + ("（演示数据）" if c.is_demo else ""), f"{c.town} {c.address}".strip(),
                reverse("communities:compound_detail", args=[c.pk])) for c in rows[:PER_KIND]]
    return Group("compound", "小区", hits, _more("communities:compound_list", q, rows))


def _projects(user, q: str) -> Group:
    rows = list(Project.objects.filter(Q(code__icontains=q) | Q(name__icontains=q)).order_by("code")[:PER_KIND + 1])
    hits = [Hit(f"{p.code} {p.name}", "", reverse("project_detail", args=[p.pk])) for p in rows[:PER_KIND]]
    return Group("project", "改造项目", hits, _more("project_list", q, rows))


def _tasks(user, q: str, role) -> Group:
    queryset = AgencyTask.objects.select_related("agency", "project").filter(
        Q(title__icontains=q) | Q(project__code__icontains=q) | Q(project__name__icontains=q))
    if role == Role.LIAISON:
        queryset = queryset.filter(agency_id=access.user_agency_id(user))
    rows = list(queryset.order_by("due_date", "id")[:PER_KIND + 1])
    writes = role in (Role.STAFF, Role.LIAISON)
    hits = [Hit(t.title, f"{t.agency.short_name or t.agency.name} · "
                         f"{t.project.code if t.project else '全计划'} · {t.get_status_display()}",
                reverse("task_update", args=[t.pk]) if writes else f"{reverse('task_list')}?{urlencode({'q': t.title})}")
            for t in rows[:PER_KIND]]
    return Group("task", "部门任务", hits, _more("task_list", q, rows))


def _people(user, q: str, role) -> Group:
    """Accounts (staff only: they manage them) and the leading group's seats (the work plan's annex names
    them publicly, so every role finds them)."""
    hits = []
    more = ""
    if role == Role.STAFF:
        accounts = list(get_user_model().objects.filter(Q(username__icontains=q) | Q(first_name__icontains=q))
                        .order_by("username")[:PER_KIND + 1])
        hits += [Hit(display_name(u), f"账号 {u.username}" + ("" if u.is_active else "（已停用）"),
                     reverse("agencies:account_edit", args=[u.pk])) for u in accounts[:PER_KIND]]
        more = _more("agencies:account_list", q, accounts)
    seats = list(LeadingGroupSeat.objects.filter(Q(person_name__icontains=q) | Q(title__icontains=q))
                 .order_by("order")[:PER_KIND])
    home = reverse("home")
    hits += [Hit(s.person_name or "（文件未列姓名）", f"领导小组{s.get_role_display()} · {s.title}", f"{home}#leading-group")
             for s in seats]
    return Group("person", "人员", hits, more)


def search(*, user, q: str) -> list[Group]:
    """The groups this user may see for `q`, in a fixed order; empty groups are kept so the page can say
    "无结果" per kind."""
    q = q.strip()
    role = access.role_of(user)
    if role is None or len(q) < MIN_LENGTH:
        return []
    groups = []
    if role in access.COMMUNITY_READERS:
        groups.append(_compounds(user, q))
    if role in access.DASHBOARD_READERS:  # project pages: staff, leaders, auditors (projects.views.READ_ROLES)
        groups.append(_projects(user, q))
    if role in access.DUTY_READERS:
        groups.append(_tasks(user, q, role))
    groups.append(_people(user, q, role))
    return groups
