from django.apps import apps
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction

from jingyuan_renovation.loading import LoadCounts, upsert

from .choices import Role
from .models import Agency, Duty, LeadingGroupSeat, RoleChange, UserProfile

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
                full_name: str = "", must_change_password: bool = False):
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
                                         defaults={"town": town, "agency": agency, "is_demo": is_demo,
                                                   "must_change_password": must_change_password})
    return user


# --- Accounts, from the app's own pages (staff; issue 17) ---------------------------------------------------


def _scope_label(role: Role | str | None, *, town=None, agency=None) -> str:
    """What a role is tied to, as the role change log shows it: a surveyor's town, a liaison's agency."""
    if role == Role.SURVEYOR and town is not None:
        return str(town)
    if role == Role.LIAISON and agency is not None:
        return str(agency)
    return ""


def _role_scope_check(*, role: Role, town, agency) -> None:
    if role == Role.SURVEYOR and town is None:
        raise ValidationError({"town": "调查员必须属于一个乡镇（工作方案六：摸底调查由乡镇负责）。"})
    if role == Role.LIAISON and agency is None:
        raise ValidationError({"agency": "部门联络员必须属于一个单位（工作方案附件：职责分工按单位）。"})


def _current_role(user) -> str:
    names = list(user.groups.filter(name__in=[r.label for r in Role]).order_by("name").values_list("name", flat=True))
    return next((r.value for r in Role if names and r.label == names[0]), "")


@transaction.atomic
def account_create(*, username: str, full_name: str, role: Role, password: str, by, town=None, agency=None):
    """Staff open an account in one role (with its town or agency); the first password is theirs to pass
    on, so the new user must change it at first login. The role is recorded as a RoleChange."""
    username = username.strip()
    if get_user_model().objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"用户名“{username}”已被使用，请换一个。"})
    _role_scope_check(role=role, town=town, agency=agency)
    password_validation.validate_password(password)
    town, agency = (town if role == Role.SURVEYOR else None), (agency if role == Role.LIAISON else None)
    user = user_create(username=username, password=password, role=role, town=town, agency=agency,
                       full_name=full_name.strip(), must_change_password=True)
    RoleChange.objects.create(user=user, changed_by=by, new_role=role,
                              new_scope=_scope_label(role, town=town, agency=agency))
    return user


@transaction.atomic
def account_update(*, user, full_name: str, role: Role, is_active: bool, by, town=None, agency=None):
    """Staff change an account's name, role, town or agency, or (de)activate it. A change of role or of
    what it is tied to is recorded as a RoleChange (who, when, old, new)."""
    _role_scope_check(role=role, town=town, agency=agency)
    if user.pk == by.pk and (not is_active or role != Role.STAFF):
        raise ValidationError("不能停用自己的账号或取消自己的工作人员角色，请由另一位工作人员操作。")
    # Two staff editing one account at once: the lock keeps each role change in the log in order.
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    profile, _ = UserProfile.objects.get_or_create(user=user)
    old_role = _current_role(user)
    old_scope = _scope_label(old_role, town=profile.town, agency=profile.agency)
    town, agency = (town if role == Role.SURVEYOR else None), (agency if role == Role.LIAISON else None)
    new_scope = _scope_label(role, town=town, agency=agency)
    user.first_name = full_name.strip()
    user.is_active = is_active
    user.is_staff = user.is_superuser or role == Role.STAFF  # Django admin stays the housing bureau's
    user.full_clean(exclude=["password"])
    user.save()
    if old_role != role:
        user.groups.remove(*Group.objects.filter(name__in=[r.label for r in Role]))
        user.groups.add(Group.objects.get(name=Role(role).label))
    profile.town, profile.agency = town, agency
    profile.full_clean()
    profile._history_user = by
    profile.save()
    if (old_role, old_scope) != (role, new_scope):
        RoleChange.objects.create(user=user, changed_by=by, old_role=old_role, new_role=role,
                                  old_scope=old_scope, new_scope=new_scope)
    return user


@transaction.atomic
def account_password_reset(*, user, password: str, by) -> None:
    """Staff set a new password for someone who forgot theirs; that person must change it at next login."""
    password_validation.validate_password(password, user=user)
    user.set_password(password)
    user.save(update_fields=["password"])
    profile, _ = UserProfile.objects.get_or_create(user=user)
    profile.must_change_password = True
    profile._history_user = by
    profile.save()


@transaction.atomic
def account_password_changed(*, user) -> None:
    """The user chose their own password: no longer forced to change it."""
    profile = UserProfile.objects.filter(user=user, must_change_password=True).first()
    if profile is not None:
        profile.must_change_password = False
        profile._history_user = user
        profile.save(update_fields=["must_change_password"])
    cached = getattr(user, "profile", None)
    if cached is not None:
        cached.must_change_password = False
