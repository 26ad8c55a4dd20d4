"""The Celery application.

With REDIS_URL unset, settings make every task run in-process (task_always_eager), so a fresh
machine needs no broker; with REDIS_URL set, tasks go through Redis to a real worker.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingyuan_renovation.settings")

app = Celery("jingyuan_renovation")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# --- Sending work to the worker while Redis may be down ------------------------------------------
WORKER_UNAVAILABLE = "后台服务暂不可用，请稍后再试。"


def broker_errors() -> tuple[type[BaseException], ...]:
    from kombu.exceptions import OperationalError
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    return (OperationalError, RedisConnectionError, RedisTimeoutError, OSError)


def task_send(task, *args, on_unavailable, **kwargs) -> bool:
    """task.delay(*args, **kwargs); when the broker cannot be reached, log one line and call on_unavailable().

    Meant for transaction.on_commit: a page that queues work must answer 「后台服务暂不可用」, not 500,
    and the row it queued for must not stay 「正在检查」 with nobody to pick it up."""
    import logging

    try:
        task.delay(*args, **kwargs)
    except broker_errors() as error:
        logging.getLogger(__name__).warning("broker unavailable, %s not queued: %s: %s", task.name,
                                            type(error).__name__, error)
        on_unavailable()
        return False
    return True
