"""Small typed readers of the process environment.

Every setting that comes from outside goes through one of these, so a bad value stops start-up
with a message naming the variable instead of surfacing later as a confusing error.
"""

import os
from fractions import Fraction
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def _raw(name: str) -> str | None:
    """The variable's value, or the contents of the file named by NAME_FILE (Docker secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_name!r} cannot be read: {exc}") from exc
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def env_str(name: str, default: str | None = None) -> str | None:
    value = _raw(name)
    return default if value is None else value


def env_bool(name: str, default: bool) -> bool:
    """Strict: only true/false (and 1/0, yes/no, on/off); anything else is a configuration error."""
    value = _raw(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean: use true or false.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is below the minimum {minimum}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_ratio(name: str, default: str) -> Fraction:
    """A share between 0 (exclusive) and 1 (inclusive), written as a decimal (0.75) or a fraction (2/3).

    Kept as an exact Fraction, not a Decimal: two thirds has no exact decimal form, and "exactly at
    the threshold" must pass (2 of 3 households is two thirds, not 0.6666 < 0.6667).
    """
    value = _raw(name) or default
    try:
        ratio = Fraction(value.replace(" ", ""))
    except (ValueError, ZeroDivisionError):
        raise ImproperlyConfigured(f"{name}={value!r} is not a share: write e.g. 0.75 or 2/3.") from None
    if not 0 < ratio <= 1:
        raise ImproperlyConfigured(f"{name}={value!r} must be above 0 and at most 1.")
    return ratio


def env_cron(name: str, default: str) -> tuple[str, ...] | None:
    """A five-field cron expression (minute hour day-of-month month day-of-week), or None for "off"."""
    value = _raw(name) or default
    if value.lower() == "off":
        return None
    fields = tuple(value.split())
    if len(fields) != 5:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a cron expression: write five fields, e.g. '0 7 * * mon', or off."
        )
    return fields
