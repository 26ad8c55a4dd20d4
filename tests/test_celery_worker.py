"""Celery: in-process without a broker; through Redis to a real worker process when REDIS_URL is set."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from projects.models import Programme
from projects.tasks import programme_summary_task

ROOT = Path(__file__).resolve().parent.parent


def test_task_runs_in_process_without_a_broker(programme):
    result = programme_summary_task.delay(programme.id)
    assert result.get(timeout=5)["targets"]["households"] == 6157


def test_task_for_a_deleted_programme_returns_quietly(db):
    assert programme_summary_task.delay(987654).get(timeout=5) is None


def _database_url_of_test_db() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def live_worker(transactional_db):
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: no broker to run a real worker against")
    if connection.vendor != "postgresql":
        pytest.skip("a worker process cannot see an in-memory SQLite test database")
    env = dict(os.environ, DATABASE_URL=_database_url_of_test_db(), REDIS_URL=settings.REDIS_URL)
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "jingyuan_renovation", "worker", "--pool=solo",
         "--loglevel=INFO", "-n", f"pytest-{os.getpid()}@%h", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    yield worker
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()


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
