"""Settings for the renovation management system; every outside value is read here, once.

Variables are documented in .env.example. Unset DATABASE_URL → SQLite file under var/; unset
REDIS_URL → Celery tasks run in-process, no broker needed.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_cron, env_int, env_list, env_ratio, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("JINGYUAN_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("JINGYUAN_DEBUG", False)

# A fixed development key is only acceptable while nobody can reach the server; the system check
# jingyuan.E001 refuses it whenever DEBUG is off.
INSECURE_DEV_SECRET_KEY = "dev-insecure-jingyuan-renovation-do-not-use-in-production"
SECRET_KEY = env_str("JINGYUAN_SECRET_KEY", INSECURE_DEV_SECRET_KEY)

ALLOWED_HOSTS = env_list("JINGYUAN_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("JINGYUAN_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "simple_history",
    "axes",
    "agencies",
    "communities",
    "projects",
    "funding",
    "figures",
    "ui",
    "changelog",
]

MIDDLEWARE = [
    # Refuses an oversized body from its Content-Length before anything reads it (issue 16).
    "jingyuan_renovation.middleware.RequestBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy: everything from this origin only, no inline script or style.
    "jingyuan_renovation.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # With DEBUG off, a known password (demo account, staff reset) must be changed before anything else.
    "agencies.middleware.PasswordChangeRequiredMiddleware",
    # Records request.user on every history row (who changed what).
    "simple_history.middleware.HistoryRequestMiddleware",
    # Turns a locked-out login (too many failures) into the lockout page; axes wants it last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jingyuan_renovation.urls"
WSGI_APPLICATION = "jingyuan_renovation.wsgi.application"

# Widgets render through Django's own Jinja2 widget templates (django/forms/jinja2): the same markup as the
# stock Django-template widgets at a fraction of the time for a drop-down of a hundred towns; the drop-down's
# own template is templates/jinja2/django/forms/widgets/select.html (ui/widget_renderer.py).
FORM_RENDERER = "ui.widget_renderer.WidgetRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "agencies.context_processors.role",
                "ui.context_processors.navigation",
            ],
        },
    },
    {
        # The hot partials (table bodies) of the app's pages, included with {% jinja %} (ui/jinja2.py).
        "NAME": "jinja2",
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "ui.jinja2.environment", "autoescape": True},
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL is None:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    }
else:
    if not DATABASE_URL.startswith(("postgres://", "postgresql://", "sqlite://")):
        raise ImproperlyConfigured(
            f"DATABASE_URL must start with postgres:// (or sqlite:// for tests); got {DATABASE_URL.split(':')[0]}://"
        )
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("JINGYUAN_DB_CONN_MAX_AGE", 60))
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Celery ---------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL is not None and not REDIS_URL.startswith(("redis://", "rediss://")):
    raise ImproperlyConfigured(f"REDIS_URL must start with redis:// or rediss://; got {REDIS_URL!r}")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = REDIS_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("JINGYUAN_TASK_TIME_LIMIT", 900, minimum=10)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 5
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Sending a task while Redis is down or hung fails within seconds (the page then says 后台服务暂不可用)
# instead of retrying without end; the worker's own blocking reads are not affected (they poll in 1 s).
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}
CELERY_TIMEZONE = "Asia/Shanghai"

# --- Reports (docs/reports.md) ----------------------------------------------------------------
# Hard time limit of one report build; a run still "running" after it (plus a minute's grace) is
# stale: its worker died. The sweeper requeues it while attempts < JINGYUAN_REPORT_MAX_ATTEMPTS,
# then marks it failed with the reason.
REPORT_TIME_LIMIT = env_int("JINGYUAN_REPORT_TIME_LIMIT", 600, minimum=10)
REPORT_STALE_AFTER = env_int("JINGYUAN_REPORT_STALE_AFTER", REPORT_TIME_LIMIT + 60, minimum=5)
REPORT_MAX_ATTEMPTS = env_int("JINGYUAN_REPORT_MAX_ATTEMPTS", 2, minimum=1)
# Where report files go inside the default storage (MEDIA_ROOT or the S3 bucket).
REPORT_STORAGE_PREFIX = env_str("JINGYUAN_REPORT_STORAGE_PREFIX", "reports")
# Test-only: seconds the build sleeps between sheets, so a test can kill a worker mid-build. Keep 0.
REPORT_TEST_DELAY = env_int("JINGYUAN_REPORT_TEST_DELAY", 0, minimum=0)
# Scheduled runs: five-field cron expressions (minute hour day-of-month month day-of-week) in
# CELERY_TIMEZONE, or "off". Each beat message expires when the next one would be due soon anyway.
REPORT_PROGRESS_CRON = env_cron("JINGYUAN_REPORT_PROGRESS_CRON", "0 7 * * mon")
REPORT_BUDGET_CRON = env_cron("JINGYUAN_REPORT_BUDGET_CRON", "0 7 1 * *")
# List exports (导出 Excel) of more rows than this run on the worker with a progress page (ui.exports);
# 0 answers every export at once. Files are kept this many hours, then deleted.
EXPORT_ASYNC_MIN_ROWS = env_int("JINGYUAN_EXPORT_ASYNC_MIN_ROWS", 5000, minimum=0)
EXPORT_KEEP_HOURS = env_int("JINGYUAN_EXPORT_KEEP_HOURS", 72, minimum=1)
EXPORT_TIME_LIMIT = env_int("JINGYUAN_EXPORT_TIME_LIMIT", 1800, minimum=10)
EXPORT_STORAGE_PREFIX = env_str("JINGYUAN_EXPORT_STORAGE_PREFIX", "exports")
REPORT_SWEEP_SECONDS = env_int("JINGYUAN_REPORT_SWEEP_SECONDS", 300, minimum=10)


def _cron(fields: tuple[str, ...]):
    from celery.schedules import crontab

    minute, hour, day_of_month, month_of_year, day_of_week = fields
    try:
        return crontab(minute=minute, hour=hour, day_of_month=day_of_month, month_of_year=month_of_year,
                       day_of_week=day_of_week)
    except ValueError as exc:
        raise ImproperlyConfigured(f"Report schedule {' '.join(fields)!r} is not a valid cron expression: {exc}") from None


CELERY_BEAT_SCHEDULE: dict = {
    "reports-sweep-stale": {
        "task": "projects.report_runs_sweep",
        "schedule": float(REPORT_SWEEP_SECONDS),
        # A sweep that waited longer than its own interval is superseded by the next one.
        "options": {"expires": REPORT_SWEEP_SECONDS},
    },
    "exports-sweep": {
        "task": "ui.exports_sweep",
        "schedule": float(REPORT_SWEEP_SECONDS),
        "options": {"expires": REPORT_SWEEP_SECONDS},
    },
}
if REPORT_PROGRESS_CRON:
    CELERY_BEAT_SCHEDULE["report-progress-weekly"] = {
        "task": "projects.report_scheduled",
        "schedule": _cron(REPORT_PROGRESS_CRON),
        "args": ("progress",),
        # A weekly report not started within 6 hours (worker down all morning) is skipped, not piled up.
        "options": {"expires": env_int("JINGYUAN_REPORT_PROGRESS_EXPIRES", 6 * 3600, minimum=60)},
    }
if REPORT_BUDGET_CRON:
    CELERY_BEAT_SCHEDULE["report-budget-monthly"] = {
        "task": "projects.report_scheduled",
        "schedule": _cron(REPORT_BUDGET_CRON),
        "args": ("budget",),
        "options": {"expires": env_int("JINGYUAN_REPORT_BUDGET_EXPIRES", 24 * 3600, minimum=60)},
    }

# --- Auth -----------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed-login throttling (django-axes): the lockout check runs before the password is tried.
AUTHENTICATION_BACKENDS = [
    "jingyuan_renovation.auth_backends.LoginThrottleBackend",
    # ModelBackend, reading the role and profile with the user (one query per request, not three).
    "jingyuan_renovation.auth_backends.RoleAwareModelBackend",
]
AXES_FAILURE_LIMIT = env_int("JINGYUAN_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("JINGYUAN_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
# One account guessed from one address is locked; a colleague on the same office NAT is not.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The address is REMOTE_ADDR (no django-ipware); behind the proxy that is the proxy's own address, so
# there the lockout is in effect per account.
LOGIN_URL = "login"
# Each role lands on its own work (ui.landing); the work plan page stays one click away.
LOGIN_REDIRECT_URL = "ui:landing"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env_int("JINGYUAN_SESSION_SECONDS", 8 * 3600, minimum=300)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- Cache and sessions ---------------------------------------------------------------------
# With Redis (REDIS_URL), the cache is Redis, shared by every web process, and sessions are read from it
# (written through to the database, which stays the record): a page saves the session query. Without it
# the cache is per process, so sessions stay in the database alone: a logout in one process must end the
# session in all of them.
# Redis down or hung must not take the site down: the cache answers as a miss within the short timeouts
# below and then leaves Redis alone for a few seconds, so sessions are read from the database
# (jingyuan_renovation/cache.py). /healthz keeps reporting Redis as down.
CACHE_SOCKET_TIMEOUT = env_int("JINGYUAN_CACHE_TIMEOUT_MS", 500, minimum=50) / 1000
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "jingyuan_renovation.cache.ResilientRedisCache", "LOCATION": REDIS_URL,
                          "KEY_PREFIX": "jingyuan", "TIMEOUT": 300,
                          "OPTIONS": {"socket_connect_timeout": CACHE_SOCKET_TIMEOUT,
                                      "socket_timeout": CACHE_SOCKET_TIMEOUT,
                                      "retry_after": env_int("JINGYUAN_CACHE_RETRY_SECONDS", 10, minimum=1)}}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
# django-filter's empty choice reads 「全部」 in every drop-down (its default is 「---------」).
FILTERS_EMPTY_CHOICE_LABEL = "全部"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Files ----------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it even before collectstatic
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("JINGYUAN_MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Uploads and reports go to an S3-compatible store (MinIO, OSS, COS...) when a bucket is named;
# otherwise to MEDIA_ROOT. django-storages is the optional extra `s3`.
S3_BUCKET = env_str("JINGYUAN_S3_BUCKET")
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_str("JINGYUAN_S3_ENDPOINT_URL"),
            "access_key": env_str("JINGYUAN_S3_ACCESS_KEY"),
            "secret_key": env_str("JINGYUAN_S3_SECRET_KEY"),
            "region_name": env_str("JINGYUAN_S3_REGION"),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

# Largest evidence document a project's ledger accepts (projects/documents.py).
JINGYUAN_DOCUMENT_MAX_MB = env_int("JINGYUAN_DOCUMENT_MAX_MB", 20, minimum=1)
# Serve straight from the app's static folders too, so a fresh checkout works before collectstatic.
WHITENOISE_USE_FINDERS = True

# --- Survey uploads (摸底调查, docs/survey.md) -------------------------------------------------
# Largest file accepted, as uploaded.
JINGYUAN_UPLOAD_MAX_BYTES = env_int("JINGYUAN_UPLOAD_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)
# Largest total an .xlsx may unpack to: checked from the zip directory before any XML is parsed (zip bombs).
JINGYUAN_UPLOAD_MAX_UNPACKED_BYTES = env_int("JINGYUAN_UPLOAD_MAX_UNPACKED_BYTES", 400 * 1024 * 1024,
                                            minimum=1024)
# Files with more data rows than this are checked and imported by a Celery task behind a progress bar.
JINGYUAN_SURVEY_ASYNC_ROWS = env_int("JINGYUAN_SURVEY_ASYNC_ROWS", 5000, minimum=0)
# A row with content beyond this column is rejected (a sheet with 100,000 columns is not a survey).
JINGYUAN_SURVEY_MAX_COLUMNS = env_int("JINGYUAN_SURVEY_MAX_COLUMNS", 200, minimum=30)
# The reader (python-calamine) holds a sheet as a dense grid from its first used row to its last: a sheet
# whose empty rows between them, times its width, pass this many cells (~32 bytes each) is refused, naming
# the far cell (a stray value at A1048576 would otherwise cost gigabytes).
JINGYUAN_SURVEY_MAX_EMPTY_CELLS = env_int("JINGYUAN_SURVEY_MAX_EMPTY_CELLS", 2_000_000, minimum=10_000)

# --- Security (production values; `check --deploy` must be clean with DEBUG off) -------------
SECURE_SSL_REDIRECT = env_bool("JINGYUAN_SECURE_SSL_REDIRECT", False)
SESSION_COOKIE_SECURE = env_bool("JINGYUAN_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("JINGYUAN_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("JINGYUAN_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("JINGYUAN_HSTS_PRELOAD", True)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("JINGYUAN_BEHIND_PROXY", False) else None
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- Programme ------------------------------------------------------------------------------
# The demo accounts' password (seed_demo); the README states the default.
DEMO_PASSWORD = env_str("JINGYUAN_DEMO_PASSWORD", "jingyuan2023")
# Rows per page of every list (ui.lists); exports are not paged.
LIST_PAGE_SIZE = env_int("JINGYUAN_LIST_PAGE_SIZE", 50, minimum=5)

HEALTH_CELERY_TIMEOUT = float(env_int("JINGYUAN_HEALTH_CELERY_TIMEOUT_MS", 1500, minimum=100)) / 1000

LOG_FORMAT = env_str("JINGYUAN_LOG_FORMAT", "json" if not DEBUG else "plain")
if LOG_FORMAT not in ("json", "plain"):
    raise ImproperlyConfigured(f"JINGYUAN_LOG_FORMAT={LOG_FORMAT!r} must be json or plain.")

# --- Eligibility (三、认定标准; rules in communities/eligibility.py, explained in docs/eligibility.md) ---
# JINGYUAN_ELIGIBILITY_CUTOFF_YEAR: the first build year that no longer qualifies. The county text's
#   「2000年以前」 and 「2000年以后」 leave 2000 in neither group; the default 2001 follows the national
#   「2000年底前建成」 (国办发〔2020〕23号, outside the plan), so a compound built in 2000 qualifies.
#   Set 2000 to admit only 1999 and earlier.
ELIGIBILITY_CUTOFF_YEAR = env_int("JINGYUAN_ELIGIBILITY_CUTOFF_YEAR", 2001, minimum=1950)
# JINGYUAN_RENOVATION_CONSENT_THRESHOLD: the plan sets no number (三(一) says only 居民改造意愿强烈); this
#   informative reference share of households and of floor area comes from other cities' practice
#   (3/4 or 80%, outside the plan); below it a compound is flagged, never dropped.
RENOVATION_CONSENT_THRESHOLD = env_ratio("JINGYUAN_RENOVATION_CONSENT_THRESHOLD", "3/4")
# JINGYUAN_LIFT_CONSENT_THRESHOLD: the Civil Code's (art. 278, outside the plan) two thirds by area and by
#   headcount for a lift retrofit; informative.
LIFT_CONSENT_THRESHOLD = env_ratio("JINGYUAN_LIFT_CONSENT_THRESHOLD", "2/3")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "jingyuan_renovation.logging.JsonFormatter"},
    },
    "filters": {"forbidden_one_line": {"()": "jingyuan_renovation.logging.ForbiddenWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("JINGYUAN_LOG_LEVEL", "INFO")},
    "loggers": {
        # axes announces itself and every successful login at INFO; lockouts (WARNING) are what matter.
        "axes": {"level": "WARNING"},
        # A 403 is one line with its reason, not a traceback.
        "django.request": {"filters": ["forbidden_one_line"]},
    },
}
