"""Dates every app reads figures by."""

import datetime as dt

from django.utils import timezone


def end_of_day(day: dt.date) -> dt.datetime:
    """The last instant of `day` in the project's time zone: what was recorded on a cut-off day counts as of it."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min)) - dt.timedelta(
        microseconds=1)
