from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from .factories import CompoundFactory, add_line, complete_through, make_project, plan

pytestmark = pytest.mark.django_db

# Session, user with role and profile, count, page (with cost subquery), steps, compounds, filter choices.
LIST_QUERIES = 8


def _projects(programme, town, user, count, start=0):
    projects = []
    for index in range(start, start + count):
        compounds = [CompoundFactory(town=town), CompoundFactory(town=town)]
        project = make_project(
            programme=programme, user=user, compounds=compounds, code=f"p{index:02d}", central=index % 2 == 0
        )
        add_line(project, user, compounds[0], "roads_paving", cost="1000")
        projects.append(project)
    return projects


def _xlsx_rows(response):
    return list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))


def test_list_query_count_stays_flat_as_projects_grow(
    client, staff_user, programme, wulan, django_assert_num_queries
):
    client.force_login(staff_user)
    _projects(programme, wulan, staff_user, 3)
    with django_assert_num_queries(LIST_QUERIES):
        assert len(client.get(reverse("project_list")).context["rows"]) == 3
    _projects(programme, wulan, staff_user, 12, start=3)
    with django_assert_num_queries(LIST_QUERIES):
        assert len(client.get(reverse("project_list")).context["rows"]) == 15


def test_export_has_exactly_the_filtered_rows(client, staff_user, programme, wulan, other_town):
    client.force_login(staff_user)
    _projects(programme, wulan, staff_user, 4)
    elsewhere = make_project(
        programme=programme, user=staff_user, compounds=[CompoundFactory(town=other_town)], code="east"
    )
    response = client.get(reverse("project_list"), {"centrally_subsidised": "true", "export": "xlsx"})
    rows = _xlsx_rows(response)
    assert rows[0][0] == "项目编号"
    assert [row[0] for row in rows[1:]] == ["p00", "p02"]
    rows = _xlsx_rows(client.get(reverse("project_list"), {"town": other_town.pk, "export": "xlsx"}))
    assert [row[0] for row in rows[1:]] == [elsewhere.code]
    page = client.get(reverse("project_list"), {"town": other_town.pk})
    assert [row["project"].code for row in page.context["rows"]] == ["east"]


def test_stage_filter(client, staff_user, programme, wulan):
    client.force_login(staff_user)
    early, ready = _projects(programme, wulan, staff_user, 2)
    plan(ready, staff_user)
    complete_through(ready, staff_user, "construction_tender")
    page = client.get(reverse("project_list"), {"stage": "ready"})
    assert [row["project"].code for row in page.context["rows"]] == [ready.code]
    page = client.get(reverse("project_list"), {"stage": "preparing"})
    assert [row["project"].code for row in page.context["rows"]] == [early.code]
    page = client.get(reverse("project_list"), {"q": early.project_compounds.first().compound.name})
    assert [row["project"].code for row in page.context["rows"]] == [early.code]


def test_stage_ready_needs_permits_and_the_construction_tender_both(client, staff_user, programme, wulan):
    """四(三) 具备开工条件 with 六(三)2: permits done while the 施工、监理招投标 is open is still 前期."""
    client.force_login(staff_user)
    (project,) = _projects(programme, wulan, staff_user, 1)
    plan(project, staff_user)
    complete_through(project, staff_user, "permits")
    page = client.get(reverse("project_list"), {"stage": "preparing"})
    assert [row["project"].code for row in page.context["rows"]] == [project.code]
    page = client.get(reverse("project_list"), {"stage": "ready"})
    assert [row["project"].code for row in page.context["rows"]] == []
