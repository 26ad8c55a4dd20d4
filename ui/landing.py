"""Where each role lands after login (issue 17): on its day's work, not on the static work plan.

The one place that decides it: change a role's page here and the login follows. The work plan page
(「计划概览」, `home`) stays in the menu, one click away, for everyone.
"""

from django.urls import NoReverseMatch, reverse

from agencies import access
from agencies.choices import Role

# Role → (URL name, query string). Auditors go to the change log once it is merged (helper h15changelog
# builds it as `changelog:list`); until then to the work plan page: switch the row below.
LANDING: dict[Role, tuple[str, str]] = {
    Role.LEADER: ("ui:dashboard", ""),
    Role.SURVEYOR: ("communities:town_detail", ""),  # their own town (the profile's), see landing_url
    Role.LIAISON: ("task_list", "?open=true"),  # their agency's open tasks (the list is scoped to it)
    Role.STAFF: ("ui:work_queue", ""),
    Role.AUDITOR: ("changelog:change_log", ""),
}


def landing_url(user) -> str:
    """The page this user starts on; the work plan page for a role without one (or a surveyor without a town)."""
    role = access.role_of(user)
    if role is None:
        return reverse("home")
    name, query = LANDING[role]
    args = []
    if role == Role.SURVEYOR:
        town_id = access.user_town_id(user)
        if town_id is None:
            return reverse("home")
        args = [town_id]
    try:
        return reverse(name, args=args) + query
    except NoReverseMatch:  # a page not in this build (e.g. the change log before it is merged)
        return reverse("home")
