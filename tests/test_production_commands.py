"""docker-compose.yml's commands, started directly (no Docker engine here), serve and stay up."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent

pytestmark = pytest.mark.live_server_process


def _compose_command(service: str) -> list[str]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    return list(compose["services"][service]["command"])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(tmp_path) -> dict:
    env = dict(os.environ, JINGYUAN_VAR_DIR=str(tmp_path), JINGYUAN_SECRET_KEY="test-" + "x" * 50,
               PATH=f"{VENV_BIN}:{os.environ['PATH']}")
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT']}/{db['NAME']}"
    return env


def _stop(process):
    process.terminate()
    try:
        return process.communicate(timeout=20)[0]
    except subprocess.TimeoutExpired:
        process.kill()
        return process.communicate()[0]


def test_compose_defines_every_service_with_a_health_check():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    for service in ("postgres", "redis", "web", "worker", "beat"):
        assert "healthcheck" in compose["services"][service], service


def test_web_command_serves_under_gunicorn(tmp_path, transactional_db):
    command = _compose_command("web")
    port = _free_port()
    command[command.index("--bind") + 1] = f"127.0.0.1:{port}"
    command[command.index("--workers") + 1] = "2"
    env = _env(tmp_path)
    # /healthz also asks for a Celery worker when REDIS_URL is set; this test is about the web command,
    # so it serves without a broker (the worker's health is tested in tests/test_health.py).
    env.pop("REDIS_URL", None)
    web = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                    assert response.status == 200
                    assert b'"database": "ok"' in response.read()
                break
            except OSError:
                if time.monotonic() > deadline or web.poll() is not None:
                    pytest.fail("gunicorn did not serve /healthz:\n" + _stop(web))
                time.sleep(0.5)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5) as response:
            assert "登录".encode() in response.read()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/css/app.css", timeout=5) as response:
            assert response.status == 200
    finally:
        _stop(web)


def test_beat_command_starts_against_redis(tmp_path):
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: beat needs a broker")
    command = _compose_command("beat")
    command[command.index("--schedule") + 1] = str(tmp_path / "celerybeat-schedule")
    beat = subprocess.Popen(command, cwd=ROOT, env=_env(tmp_path), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    time.sleep(6)
    alive = beat.poll() is None
    output = _stop(beat)
    assert alive, output
    assert "beat: Starting" in output
