"""/healthz answers up and down, names what is down, and reveals nothing else."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_up_with_embedded_defaults(client, db, settings):
    settings.REDIS_URL = None
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "redis": "not-configured",
                                                           "celery": "in-process"}}


def test_redis_down_is_503_naming_redis_and_celery(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["celery", "redis"]
    assert body["checks"]["database"] == "ok"
    assert "127.0.0.1" not in response.content.decode()


def test_database_down_is_503_naming_the_database(client, db, monkeypatch, settings):
    settings.REDIS_URL = None
    from django.db import OperationalError

    from jingyuan_renovation import health

    def database_refuses():
        raise OperationalError("connection refused")

    monkeypatch.setitem(health.CHECKS, "database", database_refuses)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["down"] == ["database"]


@pytest.mark.live_worker
def test_up_with_a_real_redis_and_worker(client, live_worker, settings):
    import time

    deadline = time.monotonic() + 60
    while True:
        response = client.get("/healthz")
        if response.status_code == 200 or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert response.status_code == 200, response.content
    assert response.json()["checks"] == {"database": "ok", "redis": "ok", "celery": "ok"}


@pytest.mark.live_worker
def test_redis_up_but_no_worker_is_503_naming_celery(client, transactional_db, settings):
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["down"] == ["celery"]


PRODUCTION_ENV = {
    "JINGYUAN_SECRET_KEY": "k" * 30 + "-production-like-secret-" + "z" * 30,
    "JINGYUAN_ALLOWED_HOSTS": "renovation.example.gov.cn",
    "JINGYUAN_CSRF_TRUSTED_ORIGINS": "https://renovation.example.gov.cn",
    "JINGYUAN_SECURE_SSL_REDIRECT": "true",
    "JINGYUAN_HSTS_SECONDS": "31536000",
    "JINGYUAN_DEBUG": "false",
}


def test_check_deploy_is_clean_with_production_settings():
    env = {k: v for k, v in os.environ.items() if not k.startswith("JINGYUAN_")}
    env.update(PRODUCTION_ENV)
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_production_logs_are_one_json_object_per_line():
    env = {k: v for k, v in os.environ.items() if not k.startswith("JINGYUAN_")}
    env.update(PRODUCTION_ENV)
    code = "import django, logging; django.setup(); logging.getLogger('jingyuan').warning('测试 %s', 42, extra={'town': '乌兰镇'})"  # noqa: E501
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=dict(env, DJANGO_SETTINGS_MODULE=
                            "jingyuan_renovation.settings"), capture_output=True, text=True, timeout=60)
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert line["level"] == "WARNING" and line["message"] == "测试 42" and line["town"] == "乌兰镇"


def test_s3_bucket_without_the_backend_installed_is_a_startup_error():
    try:
        import storages  # noqa: F401
        pytest.skip("django-storages is installed here")
    except ImportError:
        pass
    env = {k: v for k, v in os.environ.items() if not k.startswith("JINGYUAN_")}
    env.update(PRODUCTION_ENV, JINGYUAN_S3_BUCKET="files")
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode != 0
    assert "jingyuan.E002" in result.stderr
