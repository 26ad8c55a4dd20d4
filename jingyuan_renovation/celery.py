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
