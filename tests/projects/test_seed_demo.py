import pytest
from django.core.management import call_command

from projects.models import Project, ProjectStep

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_only_demo_projects_and_can_run_twice(
    programme, settings, tmp_path, wulan, staff_user
):
    from .factories import CompoundFactory, make_project

    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path
    real = make_project(
        programme=programme, user=staff_user, compounds=[CompoundFactory(town=wulan)], code="real"
    )
    from io import StringIO

    call_command("seed_demo", compounds=12, stdout=StringIO())
    call_command("seed_demo", compounds=12, stdout=StringIO())
    demo = Project.objects.filter(is_demo=True)
    assert demo.count() == 4
    assert all(name.startswith("示例项目-") for name in demo.values_list("name", flat=True))
    assert all(c.is_demo for p in demo for c in p.compounds.all())
    assert ProjectStep.objects.filter(
        project__code="demo-01", code="completion_acceptance", status="done"
    ).exists()
    assert Project.objects.get(pk=real.pk).is_demo is False
