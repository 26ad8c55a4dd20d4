import datetime as dt
import re

import pytest
from django.urls import reverse

from tests.communities.factories import make_estate
from ui import selectors as ui_selectors

pytestmark = pytest.mark.django_db


def _figure(body: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}">([^<]*)<', body)
    assert match, name
    return match.group(1).strip()


@pytest.fixture
def recorded(wulan, other_town):
    """3 real compounds (2 buildings × 4 households each, 1000 ㎡ each) + the plan's 3 named ones; 2 demo."""
    make_estate(town=wulan, compounds=2, buildings=2, households=4)
    make_estate(town=other_town, compounds=1, buildings=2, households=4)
    make_estate(town=wulan, compounds=2, buildings=1, households=3, is_demo=True)


def test_leader_sees_targets_against_recorded_real_and_demo_apart(client, users, recorded):
    client.force_login(users["leader"])
    body = client.get(reverse("ui:dashboard")).content.decode()
    # 3 named in the plan (no buildings) + 3 made here
    assert _figure(body, "compounds-real") == "6"
    assert _figure(body, "compounds-target") == "46"
    assert _figure(body, "compounds-demo") == "2"
    assert _figure(body, "buildings-real") == "6"
    assert _figure(body, "buildings-target") == "170"
    assert _figure(body, "households-real") == "24"
    assert _figure(body, "households-target") == "6157"
    assert _figure(body, "households-demo") == "6"
    assert _figure(body, "floor_area-target") == "75.07"
    assert _figure(body, "floor_area-real") == "0.30"
    assert _figure(body, "budget-target") == "27018.02"


def test_each_figure_links_to_the_filtered_list_behind_it(client, users, recorded):
    client.force_login(users["staff"])
    body = client.get(reverse("ui:dashboard")).content.decode()
    link = re.search(r'href="([^"]+)" data-figure="households-real"', body).group(1)
    listed = client.get(link.replace("&amp;", "&"))
    assert listed.context["paginator"].count == 24
    link = re.search(r'href="([^"]+)" data-figure="compounds-demo"', body).group(1)
    assert client.get(link).context["paginator"].count == 2


def test_days_left_to_each_deadline(client, users, programme, monkeypatch):
    monkeypatch.setattr("ui.views.timezone.localdate", lambda: dt.date(2024, 5, 1))
    client.force_login(users["leader"])
    body = client.get(reverse("ui:dashboard")).content.decode()
    assert "2024年5月31日" in body and "2023年6月30日" in body
    assert _figure(body, "deadline-completion-days") == "剩余 30 天"
    assert _figure(body, "deadline-ready-days") == "已过 306 天"
    assert "数据截至 2024年5月1日" in body


def test_every_section_shows_its_figures_from_the_owning_app_selector(client, users, programme):
    """The sections read their apps' selectors directly (no look-up by dotted name), so none is pending."""
    import inspect

    client.force_login(users["auditor"])
    body = client.get(reverse("ui:dashboard")).content.decode()
    assert "暂无数据（" not in body
    assert "尚未建立改造项目。" in body
    assert "目标 27018.02 万元，差额 -27018.02 万元" in body
    assert "import_module" not in inspect.getsource(ui_selectors)


def test_deadline_and_verdict_sections_count_real_projects_and_compounds(client, users, programme, wulan):
    from communities.services import demo_compounds_create
    from projects.models import Project
    from projects.services import projects_demo_create

    demo_compounds_create(town=wulan, compounds=12)
    projects_demo_create(programme=programme, user=users["staff"])
    assert Project.objects.filter(is_demo=True).exists()
    client.force_login(users["leader"])
    sections = {s["key"]: s for s in client.get(reverse("ui:dashboard")).context["sections"]}
    deadline_rows = sections["deadline_status"]["data"]["rows"]
    # demo projects are not counted as real progress
    assert [sum(cell["text"] for cell in row["cells"][1:]) for row in deadline_rows] == [0, 0]
    verdicts = {bar["label"]: bar["value"] for bar in sections["verdicts"]["data"]["bars"]}
    assert verdicts["资料不全"] == 3  # the three compounds the plan names, with no facts yet


def test_a_section_draws_the_bars_and_rows_its_provider_returns(client, users, programme, monkeypatch):
    """What a section's selector returns: bars and rows, each with the link to the list behind it."""
    def provider(*, programme, today, user):
        return {"bars": [{"label": "按期", "value": 7, "url": "/projects/?status=on_track", "tone": "ok"}],
                "headers": ["项目", "逾期天数"], "rows": [{"cells": ["示例项目-01", 3], "url": "/projects/1/"}]}

    section = ui_selectors.DASHBOARD_SECTIONS[0]
    monkeypatch.setattr(ui_selectors, "DASHBOARD_SECTIONS",
                        [ui_selectors.DashboardSection(section.key, section.title, provider),
                         *ui_selectors.DASHBOARD_SECTIONS[1:]])
    client.force_login(users["leader"])
    body = client.get(reverse("ui:dashboard")).content.decode()
    assert 'href="/projects/?status=on_track"' in body
    assert "示例项目-01" in body and 'href="/projects/1/"' in body


def test_dashboard_is_drawn_without_a_cdn_or_script(client, users, recorded):
    client.force_login(users["leader"])
    body = client.get(reverse("ui:dashboard")).content.decode()
    # the charts need no script; the only one is the header menus' helper (static/js/main-menu.js), served
    # by the app itself, and the menus open without it
    assert "bar-fill" in body
    assert re.findall(r"<script[^>]*>", body) == ['<script src="/static/js/main-menu.js" defer>']
    assert "http://" not in body.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in body


@pytest.mark.parametrize("projects", [2, 8])
def test_dashboard_query_count_does_not_grow_with_rows(client, users, wulan, programme, django_assert_num_queries,
                                                       projects):
    from tests.projects.factories import make_project, plan

    compounds = make_estate(town=wulan, compounds=2 * projects, buildings=2, households=3)
    for index in range(projects):
        plan(make_project(programme=programme, user=users["staff"], code=f"jy-{index:02d}",
                          compounds=compounds[2 * index:2 * index + 2]), users["staff"])
    client.force_login(users["leader"])
    # The same count for 2 and 8 projects: every section reads its rows in a fixed number of queries,
    # and the recorded totals come from the stored per-town rows (one query), not from counting households.
    # Money is read as of today from the dated movements (three grouped queries, funding.selectors).
    with django_assert_num_queries(19):
        assert client.get(reverse("ui:dashboard")).status_code == 200


def test_agencies_with_overdue_tasks_count_real_tasks_only(client, users, programme, wulan):
    """The page says demo data is excluded: a demo project's overdue task is not an agency's overdue duty."""
    from projects.models import AgencyTask
    from tests.projects.factories import CompoundFactory, make_project

    real = make_project(programme=programme, user=users["staff"], code="jy-01",
                        compounds=[CompoundFactory(town=wulan)])
    demo = make_project(programme=programme, user=users["staff"], code="demo-01", is_demo=True,
                        compounds=[CompoundFactory(town=wulan, is_demo=True)])
    AgencyTask.objects.filter(project=real, agency__code="finance").update(due_date=dt.date(2023, 1, 1))
    AgencyTask.objects.filter(project=demo).update(due_date=dt.date(2023, 1, 1))
    client.force_login(users["leader"])
    sections = {s["key"]: s for s in client.get(reverse("ui:dashboard")).context["sections"]}
    rows = sections["agencies_overdue"]["data"]["rows"]
    late = (AgencyTask.objects.filter(due_date__lt=dt.date.today()).exclude(status="done")
            .exclude(project__is_demo=True))
    expected = {}
    for task in late.select_related("agency"):
        expected[task.agency.name] = expected.get(task.agency.name, 0) + 1
    assert {row["cells"][0]: row["cells"][1] for row in rows} == expected
    assert AgencyTask.objects.filter(project=demo, due_date__lt=dt.date.today()).exists()
    # the linked list shows the same tasks
    finance = next(row for row in rows if row["cells"][0] == real.tasks.get(agency__code="finance").agency.name)
    listed = client.get(finance["url"]).context["page_obj"].object_list
    assert len(listed) == finance["cells"][1]
