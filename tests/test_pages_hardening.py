"""Pages under probing (issue 16): POST to a read-only page is 405; every response carries a strict
Content-Security-Policy that no template breaks; the 500 and 404 pages speak Chinese, and the 500 page
needs neither the database nor a context processor; an oversized upload is refused from its
Content-Length before its body is read."""

import re
from pathlib import Path

import pytest
from django.http.multipartparser import MultiPartParser
from django.template import loader
from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import page_not_found, server_error

from tests.test_production_commands import ROOT
from tests.ui.test_exports import _routes

# Every named route, sorted by whether a POST to it does something. A new route must be placed in one
# set (test_every_route_is_classified), so a new read-only page cannot slip by without its 405.
READ_ONLY = {
    "home", "project_list", "project_detail", "project_ledger", "task_list", "indicators", "document_download",
    "report_view", "report_status", "report_download", "ui:dashboard",
    "communities:compound_list", "communities:compound_detail", "communities:building_list",
    "communities:building_detail", "communities:household_list", "communities:household_detail",
    "communities:review_queue", "communities:survey_list", "communities:survey_template",
    "communities:survey_detail", "communities:survey_status", "communities:survey_errors",
    "agencies:duty_list", "agencies:duty_detail",
    "funding:budget_line_list", "funding:project_funding", "funding:reconciliation", "funding:money_history",
    "communities:survey_original", "communities:town_detail", "changelog:change_log", "agencies:account_list",
    "ui:landing", "ui:search", "ui:work_queue", "ui:export_list", "ui:export_status", "ui:export_download",
    "password_change_done",
}
WRITES = {
    "login", "logout", "project_create", "project_edit", "project_compound_add", "step_edit", "scope_line_add",
    "scope_line_edit", "scope_line_delete", "four_item_acknowledge", "document_upload", "note_add",
    "acceptance_edit", "task_update", "report_list", "communities:verification_create",
    "communities:relaxation_create", "communities:compound_report", "communities:survey_upload",
    "communities:survey_confirm", "funding:budget_line_create", "funding:budget_line_edit",
    "funding:budget_line_delete", "funding:allocation_create", "funding:disbursement_create",
    "funding:expenditure_create", "funding:construction_cost_edit", "funding:pledge_create",
    "funding:pledge_edit", "funding:source_class_rules",
    "communities:compound_facts_edit", "communities:compound_merge_create", "agencies:account_create",
    "agencies:account_edit", "agencies:account_password_reset", "password_change", "funding:movement_reverse",
}
HEALTH = {"healthz"}


def _app_routes():
    return [(name, route, converters) for name, route, converters in _routes() if not route.startswith("admin/")]


def test_every_route_is_classified():
    names = {name for name, _, _ in _app_routes()}
    assert names - READ_ONLY - WRITES - HEALTH == set()
    assert (READ_ONLY | WRITES) - names == set()  # no stale names


@pytest.mark.django_db
def test_post_to_a_read_only_page_is_405(client, staff_user):
    client.force_login(staff_user)
    refused = {}
    for name, route, _ in _app_routes():
        if name not in READ_ONLY:
            continue
        url = "/" + re.sub(r"<(?:\w+:)?\w+>", "1", route)
        refused[name] = client.post(url, {"anything": "x"}).status_code
    assert {name for name, status in refused.items() if status != 405} == set(), refused


@pytest.mark.django_db
def test_every_page_carries_a_strict_content_security_policy(client, staff_user):
    client.force_login(staff_user)
    for url in (reverse("home"), reverse("communities:compound_list"), "/no-such-page/", reverse("login")):
        policy = client.get(url)["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "script-src 'self'" in policy
        assert "unsafe" not in policy and "http" not in policy, url


def test_no_template_has_inline_script_style_or_handler():
    """The policy forbids them, so a browser would silently drop them."""
    found = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for pattern in (r"<script(?![^>]*\bsrc=)[^>]*>", r"<style\b", r"\sstyle=\"", r"\son[a-z]+=\""):
            found += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in re.finditer(pattern, text)]
    assert found == []


def test_the_500_page_is_chinese_and_needs_no_database_or_context():
    """No database fixture: any query would raise. Django renders 500.html with no request context."""
    response = server_error(RequestFactory().get("/projects/"))
    page = response.content.decode()
    assert response.status_code == 500 and "系统出错" in page and "Server Error" not in page
    assert "系统出错" in loader.get_template("500.html").render()


@pytest.mark.django_db
def test_the_404_page_is_chinese(client, staff_user):
    client.force_login(staff_user)
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "未找到" in response.content.decode()
    assert "未找到" in page_not_found(RequestFactory().get("/x/"), Exception()).content.decode()


@pytest.mark.django_db
def test_an_upload_over_the_limit_is_refused_before_its_body_is_read(client, staff_user, wulan, settings,
                                                                     monkeypatch, tmp_path):
    settings.JINGYUAN_UPLOAD_MAX_BYTES = 1024 * 1024
    settings.JINGYUAN_DOCUMENT_MAX_MB = 1
    parsed = []
    real_parse = MultiPartParser.parse
    monkeypatch.setattr(MultiPartParser, "parse", lambda self: parsed.append(1) or real_parse(self))
    big = tmp_path / "huge.csv"
    big.write_bytes(b"a" * (3 * 1024 * 1024))
    client.force_login(staff_user)
    with big.open("rb") as handle:
        response = client.post(reverse("communities:survey_upload"), {"file": handle, "town": wulan.pk})
    assert response.status_code == 413 and parsed == []
    page = response.content.decode()
    assert "文件过大" in page and "2 MB" in page
    # Just under the limit the form reads it and answers as before.
    small = Path(tmp_path / "small.csv")
    small.write_bytes(b"a" * 1000)
    with small.open("rb") as handle:
        assert client.post(reverse("communities:survey_upload"), {"file": handle, "town": wulan.pk}).status_code == 200
    assert parsed == [1]
