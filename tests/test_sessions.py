"""Sessions: read from Redis when REDIS_URL is set (one query less per page), from the database alone
when not (a per-process cache could keep a logged-out session alive in another process)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parent.parent


def _settings_with(**env) -> dict:
    code = ("import json; from django.conf import settings; "
            "print(json.dumps([settings.SESSION_ENGINE, settings.CACHES['default']['BACKEND']]))")
    environment = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    environment.update(env, DJANGO_SETTINGS_MODULE="jingyuan_renovation.settings")
    out = subprocess.run([sys.executable, "-c", "import django; django.setup(); " + code], cwd=ROOT,
                         env=environment, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_without_redis_sessions_live_in_the_database_only():
    assert _settings_with() == ["django.contrib.sessions.backends.db",
                                "django.core.cache.backends.locmem.LocMemCache"]


def test_with_redis_sessions_are_cached_in_redis_and_written_to_the_database():
    assert _settings_with(REDIS_URL="redis://127.0.0.1:6379/9") == [
        "django.contrib.sessions.backends.cached_db", "jingyuan_renovation.cache.ResilientRedisCache"]


@pytest.mark.django_db
def test_with_redis_a_page_reads_no_session_row_and_logout_ends_the_session(client, settings, staff_user):
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: sessions are database-only")
    assert client.post("/login/", {"username": staff_user.username, "password": PASSWORD}).status_code == 302
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    assert not [q for q in queries.captured_queries if "django_session" in q["sql"]]
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post("/logout/")
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie  # the old cookie, replayed
    response = client.get("/")
    assert response.status_code == 302 and "/login/" in response["Location"]
