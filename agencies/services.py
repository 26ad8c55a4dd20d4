from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from jingyuan_renovation.loading import LoadCounts, upsert

from .choices import Role
from .models import Agency, Duty, LeadingGroupSeat, UserProfile

DOMAIN_APPS = ("agencies", "communities", "projects", "funding")

# What each role may do, as Django permissions: (app_label, model, actions). "*" = every domain model.
# Object-level scope (a surveyor's town, a liaison's agency) is enforced by agencies.access.
_ROLE_PERMISSIONS: dict[Role, list[tuple[str, str, tuple[str, ...]]]] = {
    Role.STAFF: [(app, "*", ("view", "add", "change", "delete")) for app in DOMAIN_APPS],
    Role.SURVEYOR: [
        ("communities", "town", ("view",)),
        ("communities", "community", ("view",)),
        ("communities", "compound", ("view", "add", "change")),
        ("communities", "building", ("view", "add", "change")),
        ("communities", "household", ("view", "add", "change")),
    ],
    Role.LEADER: [(app, "*", ("view",)) for app in DOMAIN_APPS],
    Role.LIAISON: [
        ("agencies", "agency", ("view",)),
        ("agencies", "duty", ("view", "change")),
        ("agencies", "leadinggroupseat", ("view",)),
        ("projects", "programme", ("view",)),
    ],
    # Auditors read everything, history models included (their permissions come with "*").
    Role.AUDITOR: [(app, "*", ("view",)) for app in DOMAIN_APPS],
}


def _permissions_for(app_label: str, model_name: str, actions: tuple[str, ...]) -> list[Permission]:
    config = apps.get_app_config(app_label)
    names = [m._meta.model_name for m in config.get_models()] if model_name == "*" else [model_name]
    codenames = [f"{action}_{name}" for name in names for action in actions]
    return list(Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))


@transaction.atomic
def roles_sync() -> dict[str, int]:
    """Create the five role groups and give each exactly its permissions (idempotent)."""
    result = {}
    for role, grants in _ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.label)
        wanted = {perm for grant in grants for perm in _permissions_for(*grant)}
        if set(group.permissions.all()) != wanted:
            group.permissions.set(wanted)
        result[role.label] = len(wanted)
    return result


# The annex lists each department's duties under 各部门职责分工; the leading group's own duties are in
# the paragraph before it (fixtures mark those rows with their own source).
DUTY_SOURCE = "附件 职责分工"


def agencies_load(*, programme, agencies: list[dict], seats: list[dict], duties: list[dict],
                  counts: LoadCounts) -> None:
    """Upsert agencies, the leading group's seats and each agency's duties from the work plan annex."""
    by_code = {}
    for row in agencies:
        values = {k: v for k, v in row.items() if k != "code"}
        by_code[row["code"]] = upsert(Agency, lookup={"code": row["code"]}, values=values, counts=counts)
    for row in seats:
        values = {k: v for k, v in row.items() if k not in ("order", "agency")}
        values["agency"] = by_code[row["agency"]] if row.get("agency") else None
        upsert(LeadingGroupSeat, lookup={"programme": programme, "order": row["order"]}, values=values,
               counts=counts)
    for row in duties:
        upsert(Duty, lookup={"agency": by_code[row["agency"]], "order": row["order"]},
               values={"text": row["text"], "source": row.get("source", DUTY_SOURCE)}, counts=counts)


@transaction.atomic
def user_create(*, username: str, password: str, role: Role, town=None, agency=None, is_demo: bool = False,
                full_name: str = ""):
    """Create or reset a user in one role, with the town (surveyor) or agency (liaison) it is tied to."""
    if role == Role.SURVEYOR and town is None:
        raise ValueError("调查员必须属于一个乡镇。")
    if role == Role.LIAISON and agency is None:
        raise ValueError("部门联络员必须属于一个单位。")
    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(username=username)
    user.set_password(password)
    user.first_name = full_name
    user.is_staff = role == Role.STAFF  # Django admin is for the housing bureau only
    user.save()
    user.groups.set([Group.objects.get(name=role.label)])
    UserProfile.objects.update_or_create(user=user,
                                         defaults={"town": town, "agency": agency, "is_demo": is_demo})
    return user
