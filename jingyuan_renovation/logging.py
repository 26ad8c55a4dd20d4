"""One JSON object per log line, so a log shipper can index level, logger, request path and user.

The formatter runs exactly when things go wrong, often while the database or Redis is down: it must
never query either. `request.user` is read only if the request already loaded it (reading a lazy user
would load the session and the user from the database, raising inside logging and losing the error
being logged), and any field that cannot be turned into text is replaced, not allowed to raise.
"""

import json
import logging
from datetime import UTC, datetime

from django.utils.functional import empty

_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


def _username(request) -> str | None:
    user = request.__dict__.get("user")
    if user is None:
        return None
    wrapped = getattr(user, "_wrapped", user)  # SimpleLazyObject from AuthenticationMiddleware
    if wrapped is empty:
        return None  # not loaded by the request: loading it now would query the database
    return getattr(wrapped, "username", None) or None


def _text(value):
    if isinstance(value, str | int | float | bool | type(None)):
        return value
    try:
        return str(value)
    except Exception:  # noqa: BLE001 - a log line must not be lost to a broken __str__
        return f"<{type(value).__name__}>"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - wrong arguments for the format: keep the template
            message = str(record.msg)
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": message,
        }
        request = getattr(record, "request", None)
        if request is not None:
            try:
                entry["path"] = getattr(request, "path", None)
                entry["user"] = _username(request)
            except Exception as exc:  # noqa: BLE001 - whatever the request holds, the error is logged
                entry["request_unreadable"] = type(exc).__name__
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key not in ("request",) and not key.startswith("_"):
                entry[key] = _text(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=_text)


class ForbiddenWithoutTraceback(logging.Filter):
    """A 403 is a user reaching for a page their role does not open, not a fault: log one line with the
    reason, not Django's full traceback (91% of the log in a probe, burying the real errors)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403 and record.exc_info:
            error = record.exc_info[1]
            record.reason = _text(error) if error is not None else ""
            record.exc_info = None
            record.exc_text = None
        return True
