from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from projects import services

from .factories import CompoundFactory, add_line, complete_through, make_project, plan

pytestmark = pytest.mark.django_db

# Session, user with role and profile, the project, nine kinds of history, six name look-ups.
LEDGER_QUERIES = 18


@pytest.fixture
def project(programme, wulan, staff_user):
    compounds = [CompoundFactory(town=wulan) for _ in range(3)]
    project = make_project(programme=programme, user=staff_user, compounds=compounds)
    plan(project, staff_user)
    return project


def test_ledger_query_count_stays_flat_as_the_ledger_grows(
    client, staff_user, project, django_assert_num_queries
):
    client.force_login(staff_user)
    with django_assert_num_queries(LEDGER_QUERIES):
        small = len(client.get(reverse("project_ledger", args=[project.pk])).context["entries"])
    complete_through(project, staff_user, "design")
    for compound in project.compounds.all():
        add_line(project, staff_user, compound, "roads_paving")
        add_line(project, staff_user, compound, "lighting")
        services.note_add(project=project, text=f"{compound.name} 居民议事会", user=staff_user)
    with django_assert_num_queries(LEDGER_QUERIES):
        large = len(client.get(reverse("project_ledger", args=[project.pk])).context["entries"])
    assert large > small + 20


def test_ledger_exports_xlsx_in_time_order(client, auditor_user, staff_user, project):
    complete_through(project, staff_user, "survey")
    client.force_login(auditor_user)
    response = client.get(reverse("project_ledger", args=[project.pk]), {"export": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("时间", "操作人", "对象类别", "对象", "操作", "变更内容", "原因/说明")
    assert [row[0] for row in rows[1:]] == sorted(row[0] for row in rows[1:])
    assert any(row[3] == "摸底调查" and row[6] == "完成：2023-03-15" for row in rows[1:])
