"""Redis down or hung must not take the site down (issue 16): a real gunicorn, as docker-compose.yml starts
it, with REDIS_URL at a closed port and then at a socket that accepts and never answers, logs a user in and
serves every main page; /healthz keeps saying Redis is down. Before, login and every logged-in page
answered 500 (dead Redis) or waited 20 s (hung Redis)."""

import http.cookiejar
import re
import socket
import sqlite3
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.test_production_commands import _compose_command, _env, _free_port, _stop

PAGES = ["/", "/dashboard/", "/compounds/", "/review/", "/projects/", "/tasks/", "/funding/", "/reports/",
         "/duties/"]
# A page that takes longer than this is hung, whatever the machine's load (a hung Redis cost 20 s a page).
HANG = 8


class HungRedis:
    """Accepts connections on `port` and never answers a byte."""

    def __init__(self, port: int):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(64)
        self.held, self.stopped = [], False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stopped:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self):
        self.stopped = True
        self.sock.close()
        for conn in self.held:
            conn.close()


def _browser():
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar)), jar


def _get(opener, url):
    started = time.monotonic()
    try:
        with opener.open(url, timeout=HANG) as response:
            status, body = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read().decode()
    return status, body, time.monotonic() - started


def _log_in(opener, jar, base, username):
    status, body, _ = _get(opener, base + "/login/")
    assert status == 200, body[:500]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    data = urllib.parse.urlencode({"username": username, "password": PASSWORD,
                                   "csrfmiddlewaretoken": token}).encode()
    request = urllib.request.Request(base + "/login/", data=data, headers={"Referer": base + "/login/"})
    with opener.open(request, timeout=HANG) as response:  # follows the redirect to the home page
        assert response.status == 200 and "/login/" not in response.url, response.url
    assert any(cookie.name == "sessionid" for cookie in jar)


def _database_for_gunicorn(env, tmp_path):
    """The test database, as the server process will read it (SQLite in memory is copied to a file)."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(tmp_path / "db.sqlite3")
        connection.connection.backup(target)
        target.close()
        env.pop("DATABASE_URL", None)  # settings: JINGYUAN_VAR_DIR/db.sqlite3


def _serve(env, port):
    command = _compose_command("web")
    command[command.index("--bind") + 1] = f"127.0.0.1:{port}"
    command[command.index("--workers") + 1] = "1"
    web = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           cwd=str(__import__("pathlib").Path(__file__).resolve().parent.parent))
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return web
        except OSError:
            if time.monotonic() > deadline or web.poll() is not None:
                pytest.fail("gunicorn did not start:\n" + _stop(web))
            time.sleep(0.3)


def _walk(base, username) -> dict:
    opener, jar = _browser()
    _log_in(opener, jar, base, username)
    times = {}
    for page in PAGES:
        status, body, seconds = _get(opener, base + page)
        assert status == 200, f"{page}: {status}\n{body[:2000]}"
        times[page] = round(seconds, 3)
    status, body, _ = _get(opener, base + "/healthz")
    assert status == 503 and '"redis": "down"' in body, body
    return times


@pytest.mark.live_server_process
def test_site_serves_logged_in_pages_with_redis_dead_then_hung(transactional_db, programme, staff_user, tmp_path):
    redis_port, port = _free_port(), _free_port()  # nothing listens on redis_port: Redis is dead
    env = _env(tmp_path)
    env.update(REDIS_URL=f"redis://127.0.0.1:{redis_port}/0", JINGYUAN_CACHE_RETRY_SECONDS="1",
               JINGYUAN_HEALTH_CELERY_TIMEOUT_MS="200", JINGYUAN_SECURE_COOKIES="false")  # plain http
    # The tests hash with MD5 (conftest), which the server does not accept: give the server a hash it knows.
    staff_user.password = PBKDF2PasswordHasher().encode(PASSWORD, "outage-salt", iterations=1000)
    staff_user.save(update_fields=["password"])
    _database_for_gunicorn(env, tmp_path)
    web = _serve(env, port)
    hung = None
    try:
        dead_times = _walk(f"http://127.0.0.1:{port}", staff_user.username)
        hung = HungRedis(redis_port)
        time.sleep(1.2)  # the cache's pause after the dead phase ends: the next request tries Redis again
        hung_times = _walk(f"http://127.0.0.1:{port}", staff_user.username)
    finally:
        if hung:
            hung.close()
        output = _stop(web)
    assert set(dead_times) == set(hung_times) == set(PAGES)
    assert not re.search(r'"[A-Z]+ (?!/healthz)\S+ HTTP/1\.[01]" 5\d\d ', output), output[-4000:]


@pytest.mark.django_db
def test_a_large_upload_with_the_broker_down_says_the_worker_is_unavailable(
        client, staff_user, wulan, tmp_path, settings, monkeypatch, django_capture_on_commit_callbacks):
    """A file big enough for the worker, sent while Redis is down: the page says 后台服务暂不可用, the
    upload is not left 正在检查 with nobody to check it, and nothing answers 500."""
    from kombu.exceptions import OperationalError

    from communities.models import SurveyUpload
    from communities.tasks import survey_check_task
    from tests.communities.survey_files import COMPOUND_HEADERS, compound_row, write_csv

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6390. Connection refused.")

    monkeypatch.setattr(survey_check_task, "apply_async", broker_down)
    settings.JINGYUAN_SURVEY_ASYNC_ROWS = 0  # every file goes to the worker
    path = write_csv(tmp_path / "compounds.csv", [COMPOUND_HEADERS, compound_row()], encoding="utf-8")
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True), path.open("rb") as handle:
        response = client.post(reverse("communities:survey_upload"), {
            "file": handle, "town": wulan.pk, "csv_sheet": "compounds", "csv_encoding": "utf-8"})
    assert response.status_code == 302
    upload = SurveyUpload.objects.get()
    assert upload.state == "failed"
    page = client.get(response["Location"]).content.decode()
    assert "后台服务暂不可用，请稍后再试" in page


@pytest.mark.django_db
def test_a_report_requested_with_the_broker_down_fails_at_once_with_the_reason(
        client, programme, staff_user, monkeypatch, django_capture_on_commit_callbacks):
    from kombu.exceptions import OperationalError

    from projects.reports.models import ReportRun
    from projects.reports.tasks import report_build_task

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6390. Connection refused.")

    monkeypatch.setattr(report_build_task, "apply_async", broker_down)
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("report_list"), {"kind": "progress", "cutoff": "2023-09-30"})
    assert response.status_code == 302
    run = ReportRun.objects.get()
    assert run.state == "failed" and "后台服务暂不可用，请稍后再试" in run.reason
    assert "后台服务暂不可用" in client.get(reverse("report_list")).content.decode()


def test_a_session_deleted_while_redis_was_down_is_not_revived_when_it_returns(settings):
    """A logout during the outage could not delete the cached session; once Redis answers again the
    delete is replayed before anything is read, so the old cookie does not come back to life."""
    import redis
    from redis.exceptions import ConnectionError as RedisConnectionError

    from jingyuan_renovation import cache as resilient

    location = "redis://127.0.0.1:6379/1"
    try:
        redis.Redis.from_url(location, socket_connect_timeout=0.5).ping()
    except RedisConnectionError:
        pytest.skip("no local Redis on 127.0.0.1:6379")
    store = resilient.ResilientRedisCache(location, {"KEY_PREFIX": "h16-outage-test", "OPTIONS": {"retry_after": 1}})
    store.set("session-abc", {"user": 1})
    real_client = store._cache

    class DeadClient:
        def __getattr__(self, name):
            def down(*args, **kwargs):
                raise RedisConnectionError("Error 111 connecting. Connection refused.")
            return down

    store.__dict__["_cache"] = DeadClient()  # Redis goes down
    assert store.get("session-abc") is None  # a miss: the session is read from the database
    store.delete("session-abc")  # the logout
    store.__dict__["_cache"] = real_client  # Redis is back, still holding the old copy
    assert real_client.get(store.make_and_validate_key("session-abc"), None) == {"user": 1}
    resilient._down_until[location] = 0  # the pause is over
    assert store.get("session-abc") is None
    assert real_client.get(store.make_and_validate_key("session-abc"), None) is None
    assert location not in resilient._down_until


@pytest.mark.django_db
def test_confirming_a_large_import_with_the_broker_down_says_so_and_can_be_confirmed_again(
        staff_user, wulan, tmp_path, settings, monkeypatch, django_capture_on_commit_callbacks):
    from django.core.files import File
    from kombu.exceptions import OperationalError

    from communities.choices import SurveyUploadState
    from communities.models import Compound
    from communities.survey import SurveyImportError, survey_import_start, survey_upload_create
    from communities.tasks import survey_import_task
    from tests.communities.survey_files import COMPOUND_HEADERS, compound_row, write_csv

    path = write_csv(tmp_path / "compounds.csv", [COMPOUND_HEADERS, compound_row()], encoding="utf-8")
    with path.open("rb") as handle:
        upload = survey_upload_create(user=staff_user, town=wulan, uploaded_file=File(handle, name=path.name),
                                      csv_sheet="compounds", csv_encoding="utf-8", background=False)
    assert upload.state == SurveyUploadState.READY

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6390. Connection refused.")

    monkeypatch.setattr(survey_import_task, "apply_async", broker_down)
    settings.JINGYUAN_SURVEY_ASYNC_ROWS = 0  # the import goes to the worker
    with (pytest.raises(SurveyImportError, match="后台服务暂不可用，请稍后再试"),
          django_capture_on_commit_callbacks(execute=True)):
        survey_import_start(upload=upload, user=staff_user)
    upload.refresh_from_db()
    assert upload.state == SurveyUploadState.READY and not Compound.objects.filter(name="测试小区-A").exists()
