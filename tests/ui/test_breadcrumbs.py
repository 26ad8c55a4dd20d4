"""Form pages say where they sit with breadcrumbs, not only 「← 返回」 (issue 17)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _form_pages(world):
    project = world["project"]
    return [
        (reverse("project_create"), ["改造项目"]),
        (reverse("project_edit", args=[project.pk]), ["改造项目", project.code]),
        (reverse("step_edit", args=[project.pk, "design"]), ["改造项目", project.code]),
        (reverse("funding:allocation_create", args=[project.pk]), ["资金", project.code]),
        (reverse("communities:verification_create", args=[world["own_compound"].pk]),
         ["认定审核", world["own_compound"].name]),
        (reverse("communities:relaxation_create", args=[world["own_compound"].pk]),
         ["认定审核", world["own_compound"].name]),
        (reverse("communities:survey_upload"), ["摸底调查"]),
        (reverse("agencies:account_create"), ["账号管理"]),
        (reverse("task_update", args=[world["own_task"].pk]), ["部门任务"]),
    ]


def test_every_form_page_has_breadcrumbs_from_the_front_page(client, users, world):
    client.force_login(users["staff"])
    for url, trail in _form_pages(world):
        body = client.get(url).content.decode()
        start = body.index('class="breadcrumbs"')
        crumbs = body[start:body.index("</nav>", start)]
        assert f'href="{reverse("home")}">首页' in crumbs, url
        assert all(step in crumbs for step in trail), (url, trail)
        assert 'aria-current="page"' in crumbs and "← 返回" not in body, url
