"""Dates and times as the reader's language writes them (Django's locale formats)."""

import datetime

from django.utils.formats import date_format, time_format


def wall_clock(value: datetime.datetime) -> str:
    """A date and time as they are, in no other time zone: "5 décembre 2026, 18:30"
    (an event's start at the event, whatever the reader's zone)."""
    return f"{date_format(value, 'DATE_FORMAT')}, {time_format(value, 'TIME_FORMAT')}"


def wall_clock_time(value: datetime.datetime) -> str:
    return time_format(value, "TIME_FORMAT")
