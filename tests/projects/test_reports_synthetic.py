"""Synthetic projects for the report benchmark, and the report schedule settings."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from communities.synthetic import synthetic_generate
from projects import steps as catalog
from projects.models import Project, ProjectCompound, ProjectStep
from projects.synthetic import synthetic_projects_generate


@pytest.mark.django_db
def test_synthetic_projects_cover_the_synthetic_compounds_and_satisfy_the_constraints(programme):
    synthetic_generate(compounds=12, seed=3)
    made = synthetic_projects_generate(programme=programme, compounds_per_project=5)
    assert made == 3
    assert Project.objects.filter(is_demo=True).count() == 3
    assert ProjectCompound.objects.filter(project__is_demo=True).count() == 12
    assert ProjectStep.objects.filter(project__is_demo=True).count() == 3 * len(catalog.STEPS)
    assert synthetic_projects_generate(programme=programme) == 0  # every synthetic compound is covered


def test_report_cron_settings_are_checked(monkeypatch):
    from jingyuan_renovation.env import env_cron

    monkeypatch.setenv("JINGYUAN_X_CRON", "off")
    assert env_cron("JINGYUAN_X_CRON", "0 7 * * mon") is None
    monkeypatch.setenv("JINGYUAN_X_CRON", "0 7 *")
    with pytest.raises(ImproperlyConfigured):
        env_cron("JINGYUAN_X_CRON", "0 7 * * mon")
    monkeypatch.delenv("JINGYUAN_X_CRON")
    assert env_cron("JINGYUAN_X_CRON", "0 7 1 * *") == ("0", "7", "1", "*", "*")
