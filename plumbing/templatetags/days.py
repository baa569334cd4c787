"""Dates as the site prints them: `{{ value|iso_day }}` ("2026-12-03", for `<time datetime>`),
`{{ value|short_day }}` ("3 Dec"), `{{ value|long_day }}` ("3 December"), `{{ value|day_month_year }}`
("3 Dec 2026"), `{{ value|month_year }}` ("December 2026").

Each prints what Django's `date` filter prints for its format ("Y-m-d", "j M", "j F", "j M Y", "F Y"), in the
current time zone as `date` does (an aware datetime is shown as the viewer's local time: `expects_localtime`),
with the month names Django translates. They exist for speed: `date` parses its format and looks up each
part at every call, about 40 µs a value in a template, and the dashboard prints forty; these take a few.
tests/plumbing/test_days.py checks each against `date`."""

from datetime import date, datetime

from django import template
from django.utils.dates import MONTHS, MONTHS_3

register = template.Library()


def _day(value) -> date | None:
    """The calendar day of a date or a (local) datetime; None for anything else, which prints as ""."""
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


@register.filter(expects_localtime=True)
def iso_day(value) -> str:
    day = _day(value)
    return day.isoformat() if day else ""


@register.filter(expects_localtime=True)
def short_day(value) -> str:
    day = _day(value)
    return f"{day.day} {str(MONTHS_3[day.month]).title()}" if day else ""


@register.filter(expects_localtime=True)
def long_day(value) -> str:
    day = _day(value)
    return f"{day.day} {MONTHS[day.month]}" if day else ""


@register.filter(expects_localtime=True)
def day_month_year(value) -> str:
    day = _day(value)
    return f"{day.day} {str(MONTHS_3[day.month]).title()} {day.year}" if day else ""


@register.filter(expects_localtime=True)
def month_year(value) -> str:
    day = _day(value)
    return f"{MONTHS[day.month]} {day.year}" if day else ""
