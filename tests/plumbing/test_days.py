"""plumbing/templatetags/days.py prints what Django's `date` filter prints for the same formats."""

import zoneinfo
from datetime import UTC, date, datetime

import pytest
from django.template import engines
from django.utils import timezone

FORMATS = {
    "iso_day": "Y-m-d",
    "short_day": "j M",
    "long_day": "j F",
    "day_month_year": "j M Y",
    "month_year": "F Y",
}
VALUES = [
    date(2026, 1, 5),
    date(2026, 12, 31),
    datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
    datetime(2026, 3, 28, 23, 30, tzinfo=UTC),  # already the 29th in Auckland, still the 28th in Honolulu
    datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # the night Europe leaves summer time
    None,
    "",
    "not a date",
]


def rendered(text: str, value, zone: str) -> str:
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        return engines["django"].from_string("{% load days %}" + text).render({"value": value})


@pytest.mark.parametrize("name", FORMATS)
@pytest.mark.parametrize("value", VALUES, ids=repr)
@pytest.mark.parametrize("zone", ["UTC", "Pacific/Auckland", "Pacific/Honolulu", "Europe/Paris"])
def test_each_filter_prints_what_date_prints(name, value, zone):
    ours = rendered(f"{{{{ value|{name} }}}}", value, zone)
    django = rendered(f'{{{{ value|date:"{FORMATS[name]}" }}}}', value, zone)
    assert ours == django


def test_a_datetime_is_the_viewers_day():
    late = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)
    assert (
        rendered("{{ value|iso_day }} {{ value|short_day }}", late, "Pacific/Auckland") == "2026-03-29 29 Mar"
    )
    assert (
        rendered("{{ value|iso_day }} {{ value|short_day }}", late, "Pacific/Honolulu") == "2026-03-28 28 Mar"
    )
    assert rendered("{{ value|long_day }} · {{ value|month_year }}", late, "UTC") == "28 March · March 2026"
