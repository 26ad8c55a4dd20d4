"""Logs stay useful when things go wrong (issue 16): the JSON formatter never queries the database or
Redis (it crashed while they were down, losing the error it was logging), and a 403 is one line."""

import json
import logging

import pytest
from django.db import OperationalError
from django.test import RequestFactory
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from jingyuan_renovation.logging import ForbiddenWithoutTraceback, JsonFormatter


def _record(**extra):
    record = logging.makeLogRecord({"name": "django.request", "levelname": "ERROR", "levelno": logging.ERROR,
                                    "msg": "Internal Server Error: %s", "args": ("/projects/",), **extra})
    return record


def test_an_error_is_logged_while_the_database_is_down():
    request = RequestFactory().get("/projects/")

    def user_from_a_dead_database():
        raise OperationalError("could not connect to server")

    request.user = SimpleLazyObject(user_from_a_dead_database)  # as AuthenticationMiddleware sets it
    try:
        raise RuntimeError("the real fault")
    except RuntimeError:
        import sys

        exc_info = sys.exc_info()
    line = JsonFormatter().format(_record(request=request, exc_info=exc_info))
    entry = json.loads(line)
    assert entry["message"] == "Internal Server Error: /projects/" and entry["path"] == "/projects/"
    assert entry["user"] is None and "the real fault" in entry["exception"]


def test_a_loaded_user_is_named_and_a_broken_extra_does_not_lose_the_line(django_user_model):
    request = RequestFactory().get("/")
    request.user = SimpleLazyObject(lambda: django_user_model(username="alice"))
    str(request.user)  # the request already loaded it

    class Unprintable:
        def __str__(self):
            raise OperationalError("redis gone")

    entry = json.loads(JsonFormatter().format(_record(request=request, thing=Unprintable())))
    assert entry["user"] == "alice" and entry["thing"] == "<Unprintable>"


@pytest.mark.django_db
def test_a_403_logs_one_line_with_its_reason_not_a_traceback(client, outsider_user, caplog):
    client.force_login(outsider_user)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get(reverse("project_list")).status_code == 403
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.exc_info is None and record.reason
    assert "Traceback" not in JsonFormatter().format(record)


def test_the_filter_leaves_other_errors_their_traceback():
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        import sys

        record = _record(exc_info=sys.exc_info(), status_code=500)
    assert ForbiddenWithoutTraceback().filter(record) and record.exc_info is not None
