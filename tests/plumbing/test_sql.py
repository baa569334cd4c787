"""plumbing.sql: hand-written statements run through Django's connection, their values made the ORM's."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from plumbing.sql import as_date, as_datetime, fetch_all, fetch_one


class TestValues:
    def test_dates_from_either_database(self):
        assert as_date(date(2026, 3, 1)) == date(2026, 3, 1)
        assert as_date("2026-03-01") == date(2026, 3, 1)
        assert as_date(None) is None

    def test_datetimes_become_aware_in_utc_as_django_stored_them(self):
        stored = datetime(2026, 3, 1, 23, 59, 30, 5, tzinfo=UTC)
        assert as_datetime(stored) == stored
        assert as_datetime("2026-03-01 23:59:30.000005") == stored
        assert as_datetime(datetime(2026, 3, 1, 23, 59, 30, 5)) == stored
        assert as_datetime("2026-03-01 23:59:30") == stored.replace(microsecond=0)
        assert as_datetime(None) is None

    def test_an_aware_datetime_keeps_its_zone(self):
        plus_two = timezone(timedelta(hours=2))
        assert as_datetime(datetime(2026, 3, 1, 10, tzinfo=plus_two)).utcoffset() == timedelta(hours=2)

    def test_without_time_zones_the_value_stays_naive(self, settings):
        settings.USE_TZ = False
        assert as_datetime("2026-03-01 10:00:00").tzinfo is None


@pytest.mark.django_db
class TestStatements:
    def test_rows_with_positional_and_named_parameters(self):
        assert fetch_all("SELECT %s, %s UNION ALL SELECT %s, %s", [1, "a", 2, "b"]) == [(1, "a"), (2, "b")]
        assert fetch_one("SELECT %(n)s + %(n)s", {"n": 20}) == (40,)

    def test_a_statement_that_returns_no_row_is_an_error_for_fetch_one(self):
        assert fetch_all("SELECT 1 WHERE 1 = 0") == []
        with pytest.raises(ValueError, match="no row"):
            fetch_one("SELECT 1 WHERE 1 = 0")
