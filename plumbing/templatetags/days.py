"""Dates as the site prints them: `{{ value|iso_day }}` ("2026-12-03", for `<time datetime>`),
`{{ value|short_day }}` ("3 Dec"), `{{ value|long_day }}` ("3 December"), `{{ value|day_month_year }}`
("3 Dec 2026"), `{{ value|month_year }}` ("December 2026").

Each prints what Django's `date` filter prints for its format ("Y-m-d", "j M", "j F", "j M Y", "F Y"), in the
current time zone as `date` does (an aware datetime is shown as the viewer's local time: `expects_localtime`),
with the month names Django translates. They exist for speed: `date` parses its format and looks up each
part at every call, about 40 µs a value in a template, and the dashboard prints forty; these take a few.
tests/plumbing/test_days.py checks each against `date`."""

from collections.abc import Callable
from datetime import date, datetime

from django import template
from django.utils.dates import MONTHS, MONTHS_3

register = template.Library()


def _day(value) -> date | None:
    """The calendar day of a date or a (local) datetime; None for anything else, which prints as ""."""
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def day_filter(say: Callable[[date], str]):
    """A filter printing `say(day)` for a date or a datetime in the viewer's zone, "" for anything else."""

    def printed(value) -> str:
        day = _day(value)
        return say(day) if day else ""

    return register.filter(say.__name__, printed, expects_localtime=True)


def _month_3(day: date) -> str:
    return str(MONTHS_3[day.month]).title()


@day_filter
def iso_day(day: date) -> str:
    return day.isoformat()


@day_filter
def short_day(day: date) -> str:
    return f"{day.day} {_month_3(day)}"


@day_filter
def long_day(day: date) -> str:
    return f"{day.day} {MONTHS[day.month]}"


@day_filter
def day_month_year(day: date) -> str:
    return f"{day.day} {_month_3(day)} {day.year}"


@day_filter
def month_year(day: date) -> str:
    return f"{MONTHS[day.month]} {day.year}"
