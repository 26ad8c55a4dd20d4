"""/healthz: database, Redis and Celery worker status for load balancers and compose health checks.

No login and no secrets: only component names and "ok" / "down" / "in-process". 200 when all are
up, 503 naming what is down; the reason of a failure goes to the server log, not to the caller.
"""

import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse

logger = logging.getLogger(__name__)


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _redis() -> str:
    if not settings.REDIS_URL:
        return "not-configured"
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    finally:
        client.close()
    return "ok"


def _celery() -> str:
    if not settings.REDIS_URL:
        return "in-process"  # tasks run inside the web process: nothing separate can be down
    from jingyuan_renovation.celery import app

    replies = app.control.ping(timeout=settings.HEALTH_CELERY_TIMEOUT)
    if not replies:
        raise RuntimeError("no Celery worker answered ping")
    return "ok"


CHECKS = {"database": _database, "redis": _redis, "celery": _celery}


def health_status() -> dict[str, str]:
    status = {}
    for name, check in CHECKS.items():
        try:
            status[name] = check()
        except Exception:  # noqa: BLE001 - any failure is "down"; details go to the log
            logger.warning("health check %s failed", name, exc_info=True)
            status[name] = "down"
        if name == "redis" and status[name] == "down":
            status["celery"] = "down"  # no broker, no worker reachable: don't wait for the ping
            break
    return status


def healthz(request):
    checks = health_status()
    down = sorted(name for name, value in checks.items() if value == "down")
    body = {"status": "down" if down else "ok", "checks": checks}
    if down:
        body["down"] = down
    return JsonResponse(body, status=503 if down else 200)
