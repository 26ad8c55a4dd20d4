"""A filter the list cannot understand is refused with a styled Chinese page naming what to fix (issue 16),
never ignored: an ignored filter widened the review queue's export to every row."""

import pytest
from django.urls import reverse

from tests.communities.factories import make_estate

pytestmark = pytest.mark.django_db


def test_review_queue_export_with_an_unknown_verdict_is_refused_not_widened(client, staff_user, wulan):
    make_estate(town=wulan, compounds=2)
    client.force_login(staff_user)
    response = client.get(reverse("communities:review_queue"), {"verdict": "everything", "format": "xlsx"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "认定结论" in page and "everything" in page and "清除全部筛选条件" in page


def test_review_queue_page_with_a_bad_filter_shows_no_rows(client, staff_user, wulan):
    estates = make_estate(town=wulan, compounds=2)
    client.force_login(staff_user)
    page = client.get(reverse("communities:review_queue"), {"priority_min": "-5"}).content.decode()
    assert estates[0].name not in page


def test_list_export_with_a_bad_filter_gets_the_styled_page(client, staff_user, wulan):
    client.force_login(staff_user)
    response = client.get(reverse("communities:compound_list"), {"built_before": "abc", "export": "xlsx"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "<html" in page and "建成早于（年）" in page and "请改正后重试" in page


def test_money_history_export_with_a_bad_date_gets_the_styled_page(client, staff_user):
    client.force_login(staff_user)
    response = client.get(reverse("funding:money_history"), {"date_from": "yesterday", "export": "xlsx"})
    assert response.status_code == 400
    assert "请改正后重试" in response.content.decode()


def test_project_and_task_exports_with_an_unknown_choice_are_refused(client, staff_user, programme):
    client.force_login(staff_user)
    response = client.get(reverse("project_list"), {"stage": "nonsense", "export": "xlsx"})
    assert response.status_code == 400 and "阶段" in response.content.decode()
    response = client.get(reverse("task_list"), {"status": "nonsense", "export": "xlsx"})
    assert response.status_code == 400 and "状态" in response.content.decode()
