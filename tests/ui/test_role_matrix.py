"""Every page, for anonymous and each role: the status each must get.

To add a page, add a row to PAGES: the URL (a function of the `world` fixture), the method, and the
expected status per role. Anonymous users are always sent to the login page (302).
"""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

ROLES = ("staff", "surveyor", "leader", "liaison", "auditor", "outsider")


def expect(ok: tuple[str, ...], *, denied: int = 403, **others) -> dict[str, int]:
    """200 for the roles in `ok`, `denied` for the rest, with per-role exceptions in `others`."""
    statuses = {role: (200 if role in ok else denied) for role in ROLES}
    statuses.update(others)
    return statuses


EVERYONE = ("staff", "surveyor", "leader", "liaison", "auditor")
COMMUNITY_READERS = ("staff", "surveyor", "leader", "auditor")
DUTY_READERS = ("staff", "leader", "liaison", "auditor")
DASHBOARD_READERS = ("staff", "leader", "auditor")
SURVEY_UPLOADERS = ("staff", "surveyor")
SURVEY_READERS = ("staff", "surveyor", "auditor")  # auditors read uploads, upload and confirm nothing
PROJECT_READERS = ("staff", "leader", "auditor")
TASK_READERS = ("staff", "leader", "liaison", "auditor")
# Money: no surveyors; liaisons only of the finance bureau (conftest's liaison is one; others: test_views_access).
FUNDING_READERS = ("staff", "leader", "liaison", "auditor")
FUNDING_RECORDERS = ("staff", "liaison")
FUNDING_EDITORS = ("staff",)
FUNDING_HISTORY_READERS = ("staff", "auditor")
CHANGELOG_READERS = ("staff", "auditor")
NOBODY_WRITES = dict.fromkeys(ROLES, 405)


PAGES = [
    # (id, method, URL name, object of `world` it takes (or None), query string, expected statuses)
    ("home", "get", "home", None, "", expect(EVERYONE)),
    ("dashboard", "get", "ui:dashboard", None, "", expect(DASHBOARD_READERS)),
    ("compound_list", "get", "communities:compound_list", None, "", expect(COMMUNITY_READERS)),
    ("compound_export", "get", "communities:compound_list", None, "?export=xlsx", expect(COMMUNITY_READERS)),
    ("compound_own", "get", "communities:compound_detail", "own_compound", "", expect(COMMUNITY_READERS)),
    ("compound_foreign", "get", "communities:compound_detail", "foreign_compound", "",
     expect(COMMUNITY_READERS, surveyor=404)),
    ("building_list", "get", "communities:building_list", None, "", expect(COMMUNITY_READERS)),
    ("building_export", "get", "communities:building_list", None, "?export=xlsx", expect(COMMUNITY_READERS)),
    ("building_own", "get", "communities:building_detail", "own_building", "", expect(COMMUNITY_READERS)),
    ("building_foreign", "get", "communities:building_detail", "foreign_building", "",
     expect(COMMUNITY_READERS, surveyor=404)),
    ("household_list", "get", "communities:household_list", None, "", expect(COMMUNITY_READERS)),
    ("household_export", "get", "communities:household_list", None, "?export=xlsx",
     expect(COMMUNITY_READERS)),
    ("household_own", "get", "communities:household_detail", "own_household", "", expect(COMMUNITY_READERS)),
    ("household_foreign", "get", "communities:household_detail", "foreign_household", "",
     expect(COMMUNITY_READERS, surveyor=404)),
    ("review_queue", "get", "communities:review_queue", None, "", expect(COMMUNITY_READERS)),
    ("review_export", "get", "communities:review_queue", None, "?format=xlsx", expect(COMMUNITY_READERS)),
    ("verification_form", "get", "communities:verification_create", "own_compound", "", expect(("staff",))),
    ("relaxation_form", "get", "communities:relaxation_create", "own_compound", "", expect(("staff",))),
    ("compound_facts_edit", "get", "communities:compound_facts_edit", "own_compound", "", expect(("staff",))),
    ("compound_merge", "get", "communities:compound_merge_create", "own_compound", "", expect(("staff",))),
    ("compound_report", "post", "communities:compound_report", "own_compound", "",
     expect((), staff=302, surveyor=403)),
    ("survey_list", "get", "communities:survey_list", None, "", expect(SURVEY_READERS)),
    ("survey_template", "get", "communities:survey_template", None, "", expect(SURVEY_UPLOADERS)),
    ("survey_upload", "get", "communities:survey_upload", None, "", expect(SURVEY_UPLOADERS)),
    ("survey_own", "get", "communities:survey_detail", "own_upload", "", expect(SURVEY_READERS)),
    ("survey_own_status", "get", "communities:survey_status", "own_upload", "", expect(SURVEY_READERS)),
    ("survey_own_original", "get", "communities:survey_original", "own_upload", "", expect(SURVEY_READERS)),
    ("survey_foreign", "get", "communities:survey_detail", "foreign_upload", "",
     expect(SURVEY_READERS, surveyor=404)),
    ("survey_foreign_errors", "get", "communities:survey_errors", "foreign_upload", "",
     expect(SURVEY_READERS, surveyor=404)),
    ("survey_foreign_original", "get", "communities:survey_original", "foreign_upload", "",
     expect(SURVEY_READERS, surveyor=404)),
    ("survey_confirm_foreign", "post", "communities:survey_confirm", "foreign_upload", "",
     expect((), staff=302, surveyor=404)),
    ("project_list", "get", "project_list", None, "", expect(PROJECT_READERS)),
    ("project_export", "get", "project_list", None, "?export=xlsx", expect(PROJECT_READERS)),
    ("project_detail", "get", "project_detail", "project", "", expect(PROJECT_READERS)),
    ("project_ledger", "get", "project_ledger", "project", "", expect(PROJECT_READERS)),
    ("project_create", "get", "project_create", None, "", expect(("staff",))),
    ("project_edit", "get", "project_edit", "project", "", expect(("staff",))),
    ("project_compound_add", "get", "project_compound_add", "project", "", expect(("staff",))),
    # The searchable compound picker (issue 17): its search and an empty save are staff's alone too.
    ("project_create_search", "get", "project_create", None, "?q=小区", expect(("staff",))),
    ("project_create_post", "post", "project_create", None, "", expect((), staff=200)),
    ("project_compound_add_search", "get", "project_compound_add", "project", "?q=小区", expect(("staff",))),
    ("scope_line_add", "get", "scope_line_add", "project", "", expect(("staff",))),
    ("four_item_acknowledge", "get", "four_item_acknowledge", "project", "", expect(("staff",))),
    ("document_upload", "get", "document_upload", "project", "", expect(("staff",))),
    ("note_add", "get", "note_add", "project", "", expect(("staff",))),
    ("acceptance_edit", "get", "acceptance_edit", "project", "", expect(("staff",))),
    ("indicators", "get", "indicators", None, "", expect(PROJECT_READERS)),
    ("task_list", "get", "task_list", None, "", expect(TASK_READERS)),
    ("task_own", "get", "task_update", "own_task", "", expect(TASK_READERS)),
    ("task_foreign", "get", "task_update", "foreign_task", "", expect(TASK_READERS, liaison=404)),
    ("task_own_post", "post", "task_update", "own_task", "", expect(("staff", "liaison"))),
    ("duty_list", "get", "agencies:duty_list", None, "", expect(DUTY_READERS)),
    ("duty_export", "get", "agencies:duty_list", None, "?export=xlsx", expect(DUTY_READERS)),
    ("duty_own", "get", "agencies:duty_detail", "own_duty", "", expect(DUTY_READERS)),
    ("duty_foreign", "get", "agencies:duty_detail", "foreign_duty", "", expect(DUTY_READERS, liaison=404)),
    ("report_list", "get", "report_list", None, "", expect(DASHBOARD_READERS)),
    ("report_request", "post", "report_list", None, "", expect((), staff=200)),
    ("report_view", "get", "report_view", "done_report", "", expect(DASHBOARD_READERS)),
    ("report_status", "get", "report_status", "done_report", "", expect(DASHBOARD_READERS)),
    ("report_download", "get", "report_download", "done_report", "", expect(DASHBOARD_READERS)),
    # Django admin is the housing bureau's; everyone else is sent to its login.
    ("admin", "get", "admin:index", None, "", expect(("staff",), denied=302)),
    # Nothing on these pages changes data: a POST is refused whoever sends it.
    ("compound_list_post", "post", "communities:compound_list", None, "", NOBODY_WRITES),
    ("compound_detail_post", "post", "communities:compound_detail", "own_compound", "", NOBODY_WRITES),
    ("household_detail_post", "post", "communities:household_detail", "own_household", "", NOBODY_WRITES),
    ("duty_list_post", "post", "agencies:duty_list", None, "", NOBODY_WRITES),
    ("duty_detail_post", "post", "agencies:duty_detail", "own_duty", "", NOBODY_WRITES),
    ("dashboard_post", "post", "ui:dashboard", None, "", NOBODY_WRITES),
    ("export_list", "get", "ui:export_list", None, "", expect(EVERYONE)),
    ("export_list_post", "post", "ui:export_list", None, "", NOBODY_WRITES),
    # Funding (issue 6)
    ("budget_line_list", "get", "funding:budget_line_list", None, "", expect(FUNDING_READERS)),
    ("budget_line_export", "get", "funding:budget_line_list", None, "?export=xlsx", expect(FUNDING_READERS)),
    ("budget_line_create", "get", "funding:budget_line_create", None, "", expect(FUNDING_EDITORS)),
    ("budget_line_edit", "get", "funding:budget_line_edit", "budget_line", "", expect(FUNDING_EDITORS)),
    ("budget_line_delete", "post", "funding:budget_line_delete", "budget_line", "", expect((), staff=302)),
    ("project_funding", "get", "funding:project_funding", "project", "", expect(FUNDING_READERS)),
    ("allocation_create", "get", "funding:allocation_create", "project", "", expect(FUNDING_RECORDERS)),
    ("disbursement_create", "get", "funding:disbursement_create", "project", "", expect(FUNDING_RECORDERS)),
    ("expenditure_create", "get", "funding:expenditure_create", "project", "", expect(FUNDING_EDITORS)),
    ("construction_cost_edit", "get", "funding:construction_cost_edit", "project", "", expect(FUNDING_EDITORS)),
    ("pledge_create", "get", "funding:pledge_create", "project", "", expect(FUNDING_RECORDERS)),
    ("source_class_rules", "get", "funding:source_class_rules", None, "", expect(FUNDING_EDITORS)),
    ("reconciliation", "get", "funding:reconciliation", None, "", expect(FUNDING_READERS)),
    ("money_history", "get", "funding:money_history", None, "", expect(FUNDING_HISTORY_READERS)),
    ("money_history_export", "get", "funding:money_history", None, "?export=xlsx",
     expect(FUNDING_HISTORY_READERS)),
    ("budget_line_list_post", "post", "funding:budget_line_list", None, "", NOBODY_WRITES),
    ("project_funding_post", "post", "funding:project_funding", "project", "", NOBODY_WRITES),
    ("reconciliation_post", "post", "funding:reconciliation", None, "", NOBODY_WRITES),
    ("money_history_post", "post", "funding:money_history", None, "", NOBODY_WRITES),
    # Landing on one's work, search, accounts (issue 17)
    ("landing", "get", "ui:landing", None, "", dict.fromkeys(ROLES, 302)),
    ("work_queue", "get", "ui:work_queue", None, "", expect(("staff",))),
    ("search", "get", "ui:search", None, "?q=小区", expect(EVERYONE)),
    ("town_own", "get", "communities:town_detail", "own_town", "", expect(COMMUNITY_READERS)),
    ("town_foreign", "get", "communities:town_detail", "foreign_town", "", expect(COMMUNITY_READERS, surveyor=404)),
    ("account_list", "get", "agencies:account_list", None, "", expect(("staff",))),
    ("account_create", "get", "agencies:account_create", None, "", expect(("staff",))),
    ("account_edit", "get", "agencies:account_edit", "account", "", expect(("staff",))),
    ("account_password_reset", "get", "agencies:account_password_reset", "account", "", expect(("staff",))),
    # Everyone signed in changes their own password, whatever their role (or none).
    ("password_change", "get", "password_change", None, "", dict.fromkeys(ROLES, 200)),
    ("password_change_done", "get", "password_change_done", None, "", dict.fromkeys(ROLES, 200)),
    ("work_queue_post", "post", "ui:work_queue", None, "", NOBODY_WRITES),
    ("search_post", "post", "ui:search", None, "", NOBODY_WRITES),
    ("town_post", "post", "communities:town_detail", "own_town", "", NOBODY_WRITES),
    # The change log (issue 15)
    ("change_log", "get", "changelog:change_log", None, "", expect(CHANGELOG_READERS)),
    ("change_log_export", "get", "changelog:change_log", None, "?export=xlsx", expect(CHANGELOG_READERS)),
    ("change_log_post", "post", "changelog:change_log", None, "", NOBODY_WRITES),
]

# pledge_edit takes two ids and movement_reverse three: their rows are in tests/funding/test_views_pages.py and
# tests/funding/test_views_reversal.py; the matrix skips them by name.
MULTI_ARGUMENT_PAGES = {"funding:pledge_edit", "funding:movement_reverse"}
# An export run is its requester's alone (anyone else: 404): tests/ui/test_exports.py covers these.
OWN_ONLY_PAGES = {"ui:export_status", "ui:export_download"}


@pytest.fixture
def world(world, users, programme):
    """The shared world plus a project with a budget line (money pages need one)."""
    from tests.funding.factories import budget, funded_project

    project = funded_project(programme=programme, user=users["staff"], town=world["own_compound"].town,
                             code="matrix-01")
    line = budget(programme, users["staff"], "1000", project=project)
    return {**world, "project": project, "budget_line": line, "own_town": world["own_compound"].town,
            "foreign_town": world["foreign_compound"].town, "account": users["leader"]}


@pytest.mark.parametrize(("method", "name", "key", "query", "expected"), [p[1:] for p in PAGES],
                         ids=[p[0] for p in PAGES])
def test_every_role_gets_the_expected_status(client, world, users, method, name, key, query, expected):
    target = reverse(name, args=[world[key].pk] if key else []) + query
    anonymous = getattr(client, method)(target)
    assert anonymous.status_code == 302, "anonymous"
    assert reverse("login") in anonymous["Location"] or reverse("admin:login") in anonymous["Location"]
    got = {}
    for role in ROLES:
        client.force_login(users[role])
        got[role] = getattr(client, method)(target).status_code
        client.logout()
    assert got == expected


def test_the_matrix_covers_every_named_page_of_the_ui():
    """A page added to one of these URL namespaces without a row in PAGES fails here."""
    from django.urls import get_resolver

    import projects.urls

    names = {pattern.name for pattern in projects.urls.urlpatterns} - PROJECT_PAGES_WITH_TWO_KEYS
    for namespace in ("ui", "communities", "agencies", "funding", "changelog"):
        resolver = get_resolver().namespace_dict[namespace][1]
        names |= {f"{namespace}:{name}" for name in resolver.reverse_dict if isinstance(name, str)}
    assert names - {page[2] for page in PAGES} - MULTI_ARGUMENT_PAGES - OWN_ONLY_PAGES == set()


# Pages addressed by a project and a second key (step code, scope line, document): their access is the
# project's (_project_for_user), covered by tests/projects/test_views_access.py.
PROJECT_PAGES_WITH_TWO_KEYS = {"step_edit", "scope_line_edit", "scope_line_delete", "document_download"}
