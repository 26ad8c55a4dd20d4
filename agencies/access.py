"""The one place that answers "who may do what, where" (roles of DOMAIN.md).

Every view calls these helpers, so role and scope checks read the same everywhere.
"""

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from .choices import Role

_GROUP_TO_ROLE = {role.label: role for role in Role}
ROLE_GROUP_NAMES = tuple(_GROUP_TO_ROLE)

# Roles that may change anything at all; leaders and auditors only read.
WRITE_ROLES = frozenset({Role.STAFF, Role.SURVEYOR, Role.LIAISON})
# Roles that see residents' names and phone numbers (surveyors only within their own town).
PERSONAL_DATA_ROLES = frozenset({Role.STAFF, Role.SURVEYOR})

# Who may open which kind of page. Views pass these to require_role and the navigation (ui.navigation)
# shows a link only to the roles listed here, so the menu and the door always agree.
ALL_ROLES = frozenset(Role)
# Compounds, buildings, households: the town's surveyors report them; leaders and auditors read them.
COMMUNITY_READERS = frozenset({Role.STAFF, Role.SURVEYOR, Role.LEADER, Role.AUDITOR})
# Agencies' duties: a liaison sees their own agency's; surveyors have no business there.
DUTY_READERS = frozenset({Role.STAFF, Role.LEADER, Role.LIAISON, Role.AUDITOR})
# The leaders' dashboard carries money figures: not for surveyors (no money) nor liaisons (one agency).
DASHBOARD_READERS = frozenset({Role.STAFF, Role.LEADER, Role.AUDITOR})
# Who uploads survey workbooks (摸底调查): surveyors for their own town, staff for any.
SURVEY_UPLOADERS = frozenset({Role.STAFF, Role.SURVEYOR})
# Who reads survey uploads (who, which file, the result, the original file): the uploaders, and auditors,
# who read everything (README roles) but upload and confirm nothing.
SURVEY_READERS = frozenset({Role.STAFF, Role.SURVEYOR, Role.AUDITOR})
# Money (funding): surveyors never see it; of the liaisons only the county finance bureau's (县财政局), which
# allocates and disburses (require_funding_role checks the agency). Leaders and auditors read.
FUNDING_FINANCE_AGENCY = "finance"
FUNDING_READERS = frozenset({Role.STAFF, Role.LEADER, Role.AUDITOR, Role.LIAISON})
# Who records allocations (下达), disbursements (拨付) and pledged shares: the finance bureau and staff.
FUNDING_RECORDERS = frozenset({Role.STAFF, Role.LIAISON})
# Who edits budget lines, the source-vs-class table, approved costs and records spending: staff.
FUNDING_EDITORS = frozenset({Role.STAFF})
# Who reads the change history of every money record: auditors (and staff, who answer for it).
FUNDING_HISTORY_READERS = frozenset({Role.STAFF, Role.AUDITOR})
# Who reads the change log of every record (变更日志): auditors, and staff, who answer for the records.
CHANGELOG_READERS = frozenset({Role.STAFF, Role.AUDITOR})


def role_of(user) -> Role | None:
    """The user's role; a superuser counts as housing-bureau staff. Cached on the user object."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated or not user.is_active:
        return None
    if hasattr(user, "_jingyuan_role"):
        return user._jingyuan_role
    if user.is_superuser:
        return remember_role(user, None)
    names = user.groups.filter(name__in=ROLE_GROUP_NAMES).order_by("name").values_list("name", flat=True)[:1]
    return remember_role(user, next(iter(names), None))


def remember_role(user, group_name: str | None) -> Role | None:
    """Cache on `user` the role its role group (the first by name, if several) gives; superusers are staff."""
    role = Role.STAFF if user.is_superuser else _GROUP_TO_ROLE.get(group_name)
    user._jingyuan_role = role
    return role


def require_role(user, *roles: Role) -> Role:
    """Return the user's role if it is one of `roles`, else raise PermissionDenied (403)."""
    role = role_of(user)
    if role is None or role not in roles:
        raise PermissionDenied("您的角色无权访问此页面。")
    return role


def require_funding_role(user, roles: frozenset) -> Role:
    """require_role for money pages: a liaison passes only if their agency is the finance bureau."""
    role = require_role(user, *roles)
    if role == Role.LIAISON and user_agency_code(user) != FUNDING_FINANCE_AGENCY:
        raise PermissionDenied("只有县财政局的联络员可以查看和记录资金。")
    return role


def user_agency_code(user) -> str | None:
    profile = getattr(user, "profile", None)
    agency = profile.agency if profile and profile.agency_id else None
    return agency.code if agency else None


def user_town_id(user) -> int | None:
    profile = getattr(user, "profile", None)
    return profile.town_id if profile else None


def user_agency_id(user) -> int | None:
    profile = getattr(user, "profile", None)
    return profile.agency_id if profile else None


def compounds_for(user, queryset):
    """Restrict a Compound queryset to what the user may see: surveyors only their own town."""
    role = role_of(user)
    if role is None or role == Role.LIAISON:
        return queryset.none()
    if role == Role.SURVEYOR:
        town_id = user_town_id(user)
        return queryset.filter(town_id=town_id) if town_id else queryset.none()
    return queryset


def buildings_for(user, queryset):
    """Restrict a Building queryset the way compounds_for restricts their compounds."""
    role = role_of(user)
    if role is None or role == Role.LIAISON:
        return queryset.none()
    if role == Role.SURVEYOR:
        town_id = user_town_id(user)
        return queryset.filter(compound__town_id=town_id) if town_id else queryset.none()
    return queryset


def households_for(user, queryset):
    """Restrict a Household queryset the way compounds_for restricts their compounds."""
    role = role_of(user)
    if role is None or role == Role.LIAISON:
        return queryset.none()
    if role == Role.SURVEYOR:
        town_id = user_town_id(user)
        return queryset.filter(building__compound__town_id=town_id) if town_id else queryset.none()
    return queryset


def duties_for(user, queryset):
    """Restrict a Duty queryset: liaisons only their own agency's, surveyors and outsiders none."""
    role = role_of(user)
    if role is None or role not in DUTY_READERS:
        return queryset.none()
    if role == Role.LIAISON:
        agency_id = user_agency_id(user)
        return queryset.filter(agency_id=agency_id) if agency_id else queryset.none()
    return queryset


def may_search_personal_data(user) -> bool:
    """Searching by a resident's name or phone would reveal it, so only roles that may read it search it.

    Surveyors' lists are already limited to their own town, where they may read names.
    """
    return role_of(user) in PERSONAL_DATA_ROLES


def may_see_personal_data(user, *, town_id: int) -> bool:
    """Residents' names and phones: staff everywhere, surveyors in their own town, nobody else."""
    role = role_of(user)
    if role == Role.STAFF:
        return True
    return role == Role.SURVEYOR and user_town_id(user) == town_id


def mask_name(name: str) -> str:
    return (name[0] + "*" * (len(name) - 1)) if name else ""


def mask_phone(phone: str) -> str:
    digits = phone.strip()
    if not digits:
        return ""
    return digits[:3] + "****" + digits[-4:] if len(digits) >= 8 else "****"


_MASKS = {"name": mask_name, "phone": mask_phone}


def personal_value(user, value: str, *, kind: str, town_id: int | None) -> str:
    """A resident's name or phone as this user may see it: in full, or masked (pages and exports alike)."""
    if town_id is not None and may_see_personal_data(user, town_id=town_id):
        return value
    return _MASKS[kind](value or "")
