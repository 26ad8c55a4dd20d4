"""Celery: in-process without a broker; through Redis to a real worker process when REDIS_URL is set."""

import pytest

from projects.models import Programme
from projects.tasks import programme_summary_task


def test_task_runs_in_process_without_a_broker(programme):
    result = programme_summary_task.delay(programme.id)
    assert result.get(timeout=5)["targets"]["households"] == 6157


def test_task_for_a_deleted_programme_returns_quietly(db):
    assert programme_summary_task.delay(987654).get(timeout=5) is None


@pytest.mark.live_worker
def test_real_worker_runs_a_task_through_redis(live_worker):
    from projects.services import programme_load

    programme_load()
    programme = Programme.objects.get(year=2023)
    from jingyuan_renovation.celery import app

    assert not app.conf.task_always_eager
    result = programme_summary_task.delay(programme.id)
    summary = result.get(timeout=90)
    assert summary["targets"]["budget_yuan"] == "270180200.00"
    assert summary["recorded"]["real"]["compounds"] == 3
    # The answer came from the worker process, not from this one.
    assert result.backend.__class__.__name__ == "RedisBackend"
