"""plumbing.sql: hand-written statements run through Django's connection, their values made the ORM's."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from plumbing.sql import Read, as_date, as_datetime, batches_statements, fetch_all, read_together


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
        assert fetch_all("SELECT %(n)s + %(n)s", {"n": 20}) == [(40,)]
        assert fetch_all("SELECT 1 WHERE 1 = 0") == []


@pytest.mark.django_db
class TestReadTogether:
    def reads(self):
        return [
            Read("SELECT %(n)s * 2", {"n": 21}, lambda rows: rows[0][0]),
            Read("SELECT %(n)s UNION ALL SELECT %(m)s ORDER BY 1", {"n": 21, "m": 3}, lambda rows: rows),
            Read("SELECT 1 WHERE 1 = 0", {}, lambda rows: rows or "nothing"),
        ]

    def test_each_reads_answer_in_order_in_one_batch_on_postgresql(self):
        with CaptureQueriesContext(connection) as queries:
            answers = read_together(*self.reads())
        assert answers == [42, [(3,), (21,)], "nothing"]
        assert len(queries) == (1 if connection.vendor == "postgresql" else 3)
        assert [read.run() for read in self.reads()] == answers

    def test_with_server_side_binding_they_run_one_by_one(self, monkeypatch):
        monkeypatch.setitem(connection.settings_dict, "OPTIONS", {"server_side_binding": True})
        assert not batches_statements()
        with CaptureQueriesContext(connection) as queries:
            assert read_together(*self.reads()) == [42, [(3,), (21,)], "nothing"]
        assert len(queries) == 3

    def test_one_read_or_none(self):
        assert read_together() == []
        assert read_together(self.reads()[0]) == [42]

    def test_a_parameter_given_two_values_is_refused_before_anything_runs(self):
        if not batches_statements():
            pytest.skip("only a batch merges the reads' parameters")
        with CaptureQueriesContext(connection) as queries, pytest.raises(ValueError, match="'n'"):
            read_together(Read("SELECT %(n)s", {"n": 1}, list), Read("SELECT %(n)s", {"n": 2}, list))
        assert len(queries) == 0


@pytest.mark.django_db
class TestPlannerSettings:
    """read_together(planner=...): PostgreSQL's planner settings for these reads only."""

    SEQSCAN = Read("SELECT current_setting('enable_seqscan')", {}, lambda rows: rows[0][0])

    def setting_now(self):
        return self.SEQSCAN.run()

    @pytest.fixture(autouse=True)
    def postgresql_only(self):
        if connection.vendor != "postgresql":
            pytest.skip("planner settings are PostgreSQL's")

    def test_the_reads_see_the_setting_and_what_follows_does_not(self):
        # The test runs in a transaction, as a request inside an atomic block would: the setting still ends.
        with CaptureQueriesContext(connection) as queries:
            answers = read_together(
                self.SEQSCAN, Read("SELECT %(n)s", {"n": 7}, list), planner={"enable_seqscan": "off"}
            )
        assert answers == ["off", [(7,)]]
        assert len(queries) == 1
        assert self.setting_now() == "on"

    def test_one_read_with_a_setting_is_one_round_trip_too(self):
        with CaptureQueriesContext(connection) as queries:
            assert read_together(self.SEQSCAN, planner={"enable_seqscan": "off"}) == ["off"]
        assert len(queries) == 1
        assert self.setting_now() == "on"

    def test_with_server_side_binding_they_run_one_by_one_in_a_transaction(self, monkeypatch):
        monkeypatch.setitem(connection.settings_dict, "OPTIONS", {"server_side_binding": True})
        with CaptureQueriesContext(connection) as queries:
            answers = read_together(self.SEQSCAN, self.SEQSCAN, planner={"enable_seqscan": "off"})
        assert answers == ["off", "off"]
        assert next(query["sql"] for query in queries) == "SET LOCAL enable_seqscan = off"
        assert len(queries) == 4
        assert self.setting_now() == "on"

    @pytest.mark.parametrize(
        "planner", [{"enable_seqscan; DROP TABLE x": "off"}, {"enable_seqscan": "off; DROP TABLE x"}]
    )
    def test_anything_but_a_setting_is_refused_before_anything_runs(self, planner):
        with CaptureQueriesContext(connection) as queries, pytest.raises(ValueError, match="planner setting"):
            read_together(self.SEQSCAN, planner=planner)
        assert len(queries) == 0


@pytest.mark.django_db
def test_sqlite_ignores_planner_settings():
    if connection.vendor == "postgresql":
        pytest.skip("SQLite's case")
    with CaptureQueriesContext(connection) as queries:
        assert read_together(Read("SELECT 2", {}, list), planner={"enable_seqscan": "off"}) == [[(2,)]]
    assert len(queries) == 1
