"""One user per role (staff, surveyor, leader, liaison, auditor) plus an outsider, as view tests need."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from agencies.choices import Role
from agencies.services import roles_sync, user_create

PASSWORD = "test-pass-7q!x"


def pytest_configure(config):
    """Under pytest-xdist (`-n 2`), each test process gets its own Redis database: a real worker
    started by one process must never take another's tasks or answer its health check's ping."""
    import urllib.parse

    from django.conf import settings

    worker = os.environ.get("PYTEST_XDIST_WORKER")  # gw0, gw1, ...
    if not worker or not settings.REDIS_URL:
        return
    url = urllib.parse.urlsplit(settings.REDIS_URL)
    database = int(url.path.strip("/") or 0) + int(worker.removeprefix("gw"))
    if database > 15:
        raise pytest.UsageError(f"REDIS_URL's database + xdist workers exceeds Redis's 16 databases: {database}")
    isolated = urllib.parse.urlunsplit(url._replace(path=f"/{database}"))
    settings.REDIS_URL = settings.CELERY_BROKER_URL = settings.CELERY_RESULT_BACKEND = isolated
    if settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        settings.CACHES["default"]["LOCATION"] = isolated
    from jingyuan_renovation.celery import app

    app.conf.broker_url = app.conf.result_backend = isolated


# Tables whose rows the programme snapshot leaves to `roles_sync`: groups and their permissions are
# rebuilt by name, since a transactional test's flush gives permissions new ids.
_SNAPSHOT_SKIPS = frozenset({"auth_group", "auth_group_permissions", "auth_permission", "django_content_type"})


def _tables():
    from django.apps import apps

    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.managed and not meta.proxy and meta.db_table not in _SNAPSHOT_SKIPS:
            yield meta.db_table, [field.column for field in meta.local_concrete_fields]


@pytest.fixture(scope="session")
def _programme_rows(django_db_setup, django_db_blocker):
    """The rows `programme_load` adds to a migrated database, captured once per test process.

    Loading the work plan takes 1-3 s (hundreds of validated upserts with history); restoring its rows
    takes a few milliseconds. tests/test_programme_snapshot.py holds the restore equal to a real load."""
    from django.db import connection, transaction

    from projects.services import programme_load

    quote = connection.ops.quote_name
    with django_db_blocker.unblock(), transaction.atomic(), connection.cursor() as cursor:
        def rows(table, columns):
            cursor.execute(f"SELECT {', '.join(map(quote, columns))} FROM {quote(table)}")
            return cursor.fetchall()

        tables = list(_tables())
        before = {table: set(rows(table, columns)) for table, columns in tables}
        programme_load()
        added = []
        for table, columns in tables:
            new = [row for row in rows(table, columns) if row not in before[table]]
            if new:
                added.append((table, columns, len(before[table]), new))
        transaction.set_rollback(True)
    return added


def programme_restore(rows) -> None:
    """Insert the captured rows; if the test already wrote to one of their tables (its own town, say),
    ids could collide, so load the work plan for real as before."""
    from django.db import connection, transaction

    from agencies.services import roles_sync
    from projects.services import programme_load

    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, _, count, _ in rows:
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
            if cursor.fetchone()[0] != count:
                programme_load()
                return
    if connection.vendor == "postgresql":
        from psycopg.types.json import Jsonb

        # psycopg reads json columns as dicts and lists but writes those only when told they are JSON.
        rows = [(table, columns, count, [tuple(Jsonb(v) if isinstance(v, dict | list) else v for v in row)
                                         for row in values]) for table, columns, count, values in rows]
    with transaction.atomic(), connection.cursor() as cursor:
        roles_sync()
        for table, columns, _, values in rows:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {quote(table)} ({', '.join(map(quote, columns))}) VALUES ({marks})", values)


@pytest.fixture
def programme(db, _programme_rows):
    """The 2023 programme with every fact of the work plan loaded, as `load_programme` leaves it."""
    from projects.models import Programme

    programme_restore(_programme_rows)
    return Programme.objects.get(year=2023)


@pytest.fixture
def wulan(programme):
    from communities.models import Town

    return Town.objects.get(name="乌兰镇")


@pytest.fixture
def other_town(db):
    from communities.models import Town

    return Town.objects.create(name="东湾镇")


@pytest.fixture
def finance_agency(programme):
    from agencies.models import Agency

    return Agency.objects.get(code="finance")


@pytest.fixture
def roles(db):
    roles_sync()


@pytest.fixture
def staff_user(roles):
    """Each role's user has a display name (what pages show) beside a login name (never shown)."""
    return user_create(username="alice-staff", full_name="测试·住建局工作人员", password=PASSWORD, role=Role.STAFF)


@pytest.fixture
def surveyor_user(roles, wulan):
    return user_create(username="bob-surveyor", full_name="测试·乌兰镇调查员", password=PASSWORD, role=Role.SURVEYOR,
                       town=wulan)


@pytest.fixture
def leader_user(roles):
    return user_create(username="carol-leader", full_name="测试·县领导", password=PASSWORD, role=Role.LEADER)


@pytest.fixture
def liaison_user(roles, finance_agency):
    return user_create(username="dave-liaison", full_name="测试·县财政局联络员", password=PASSWORD, role=Role.LIAISON,
                       agency=finance_agency)


@pytest.fixture
def auditor_user(roles):
    return user_create(username="erin-auditor", full_name="测试·县审计局审计员", password=PASSWORD, role=Role.AUDITOR)


@pytest.fixture
def outsider_user(db):
    """An account with no role at all: logged in, but entitled to nothing."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(username="mallory", password=PASSWORD)


@pytest.fixture
def users(staff_user, surveyor_user, leader_user, liaison_user, auditor_user, outsider_user):
    return {
        "staff": staff_user, "surveyor": surveyor_user, "leader": leader_user,
        "liaison": liaison_user, "auditor": auditor_user, "outsider": outsider_user,
    }


def client_for(client, user):
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _celery_in_process(request):
    """Tasks run in-process unless a test asks for the real worker (marked live_worker)."""
    from jingyuan_renovation.celery import app

    if request.node.get_closest_marker("live_worker"):
        yield
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _database_sessions_where_queries_are_counted(request):
    """With REDIS_URL, sessions are read from the cache (cached_db): a page makes one query less. Query
    pins count the database session read, so the same pin holds with and without Redis."""
    if {"django_assert_num_queries", "django_assert_max_num_queries"} & set(request.fixturenames):
        settings = request.getfixturevalue("settings")
        settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Six role users per test: the production hasher's deliberate slowness would dominate the suite."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


ROOT = Path(__file__).resolve().parent.parent


def _database_url_of_test_db() -> str:
    from django.db import connection

    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def live_worker(transactional_db, tmp_path):
    """A real Celery worker process on Redis, reading the same (PostgreSQL) test database."""
    from django.conf import settings
    from django.db import connection

    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: no broker to run a real worker against")
    if connection.vendor != "postgresql":
        pytest.skip("a worker process cannot see an in-memory SQLite test database")
    # The worker writes files (reports) where this test reads them: the per-test MEDIA_ROOT.
    env = dict(os.environ, DATABASE_URL=_database_url_of_test_db(), REDIS_URL=settings.REDIS_URL,
               JINGYUAN_MEDIA_ROOT=str(settings.MEDIA_ROOT))
    log = (tmp_path / "worker.log").open("w")  # a file, not a pipe: a full pipe would stall the worker
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "jingyuan_renovation", "worker", "--pool=solo",
         "--loglevel=INFO", "-n", f"pytest-{os.getpid()}@%h", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True,
    )
    yield worker
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()
    log.close()


def _upload(user, town):
    """A survey upload (the LibreOffice sample) kept for `town`, previewed, not imported."""
    from django.core.files import File

    from communities.survey import survey_upload_create
    from tests.communities.survey_files import SAMPLES

    with (SAMPLES / "survey-libreoffice.xlsx").open("rb") as handle:
        return survey_upload_create(user=user, town=town, uploaded_file=File(handle, name="survey.xlsx"))


def _done_report(user):
    """A finished progress report run, built in-process the way the worker builds it."""
    import datetime as dt

    from projects.reports.models import ReportRun
    from projects.reports.services import report_run_build, report_run_claim
    from projects.selectors import programme_current

    run = ReportRun.objects.create(programme=programme_current(), kind="progress", cutoff=dt.date(2023, 9, 30),
                                   trigger="manual", requested_by=user)
    report_run_build(run_id=run.pk, attempt=report_run_claim(run_id=run.pk))
    run.refresh_from_db()
    return run


@pytest.fixture
def world(programme, wulan, other_town, users):
    """One compound (building, household) and one survey upload in the surveyor's town and one of each
    elsewhere; duties of two agencies. The role matrix and the list tests read from it."""
    from agencies.models import Agency, Duty
    from tests.communities.factories import make_estate

    own = make_estate(town=wulan)[0]
    foreign = make_estate(town=other_town)[0]
    finance = Agency.objects.get(code="finance")
    other_agency = Agency.objects.exclude(pk=finance.pk).filter(duties__isnull=False).first()
    return {
        "own_compound": own, "own_building": own.buildings.get(),
        "own_household": own.buildings.get().households.get(),
        "foreign_compound": foreign, "foreign_building": foreign.buildings.get(),
        "foreign_household": foreign.buildings.get().households.get(),
        "own_upload": _upload(users["staff"], wulan),
        "foreign_upload": _upload(users["staff"], other_town),
        "own_duty": Duty.objects.filter(agency=finance).first(),
        "done_report": _done_report(users["staff"]),
        "foreign_duty": Duty.objects.filter(agency=other_agency).first(),
        **_project_world(programme, users["staff"], own, finance, other_agency),
    }


def _project_world(programme, staff, compound, finance, other_agency):
    """A real project over `compound`, with one task for 县财政局 and one for another agency."""
    from projects.models import AgencyTask
    from projects.services import project_create

    project = project_create(programme=programme, code="jy-matrix", name="矩阵测试项目", compounds=[compound],
                             user=staff, reasons={compound.pk: "测试：先行列入，待补充认定资料"})
    own_task = AgencyTask.objects.create(programme=programme, project=project, agency=finance, title="拨付资金")
    foreign_task = AgencyTask.objects.create(programme=programme, project=project, agency=other_agency,
                                             title="其他单位任务")
    return {"project": project, "own_task": own_task, "foreign_task": foreign_task}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files go to a per-test folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
