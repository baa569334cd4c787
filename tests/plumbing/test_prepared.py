"""plumbing.prepared: the hand-written statements run as PostgreSQL prepared statements, through Django's
cursor, with the same answers; whatever can't be prepared runs as it is."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from plumbing import prepared
from plumbing.sql import Read, fetch_all, prepares_statements, read_together


class TestForms:
    @pytest.mark.parametrize(
        ("value", "declared"),
        [
            (True, "boolean"),
            (7, "bigint"),
            (1.5, "double precision"),
            (Decimal("1.5"), "numeric"),
            ("text", "text"),
            (datetime(2026, 12, 5, tzinfo=UTC), "timestamptz"),
            (datetime(2026, 12, 5), "timestamp"),
            (date(2026, 12, 5), "date"),
            ([1, 2], "bigint[]"),
            (("a", "b"), "text[]"),
            (None, None),
            ([], None),
            ([1, "a"], None),
            ([[1]], None),
            (object(), None),
        ],
    )
    def test_each_parameter_is_declared_by_its_python_value(self, value, declared):
        assert prepared.pg_type(value) == declared

    def test_named_parameters_are_numbered_once_each_in_order_of_first_appearance(self):
        form = prepared.form(
            "SELECT %(b)s, %(a)s, %(b)s WHERE x LIKE 'a%%'", {"a": "x", "b": 2, "unused": None}
        )
        assert form is not None
        assert form.prepare == f"PREPARE {form.name}(bigint, text) AS SELECT $1, $2, $1 WHERE x LIKE 'a%%'"
        assert form.execute == f"EXECUTE {form.name}(%(b)s, %(a)s)"

    def test_positional_parameters_each_get_their_number(self):
        form = prepared.form("SELECT %s + %s", [1, 2])
        assert form is not None
        assert form.prepare == f"PREPARE {form.name}(bigint, bigint) AS SELECT $1 + $2"
        assert form.execute == f"EXECUTE {form.name}(%s, %s)"

    def test_the_same_statement_with_values_of_other_types_is_another_prepared_statement(self):
        as_number, as_text = prepared.form("SELECT %s", [1]), prepared.form("SELECT %s", ["1"])
        assert as_number is not None
        assert as_text is not None
        assert as_number.name != as_text.name
        assert as_number == prepared.form("SELECT %s", [2])  # the same types: the same statement

    @pytest.mark.parametrize(
        ("statement", "params"),
        [
            ("SELECT 1", ()),  # nothing to bind: run as it is
            ("SELECT %(a)s", {"a": None}),  # no type to declare
            ("SELECT %s, %(a)s", {"a": 1}),  # psycopg takes one style or the other
        ],
    )
    def test_what_cant_be_prepared_runs_as_it_is(self, statement, params):
        assert prepared.form(statement, params) is None


@pytest.mark.django_db
class TestOnPostgresql:
    @pytest.fixture(autouse=True)
    def postgresql_only(self):
        if not prepares_statements():
            pytest.skip("prepared statements are PostgreSQL's")

    def names_prepared(self) -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM pg_prepared_statements")
            return {name for (name,) in cursor.fetchall()}

    def test_the_first_run_prepares_and_executes_in_one_query_and_later_runs_only_execute(self):
        statement = "SELECT %(n)s * 2, %(word)s || '!' WHERE %(day)s < DATE '2027-01-01'"
        params = {"n": 21, "word": "first", "day": date(2026, 12, 5)}
        form = prepared.form(statement, params)
        assert form is not None
        with CaptureQueriesContext(connection) as queries:
            first = fetch_all(statement, params)
            second = fetch_all(statement, params | {"n": 5, "word": "second"})
        assert (first, second) == ([(42, "first!")], [(10, "second!")])
        assert [query["sql"].split("(")[0] for query in queries] == [
            f"PREPARE {form.name}",
            f"EXECUTE {form.name}",
        ]
        assert form.name in self.names_prepared()

    def test_a_batch_prepares_each_read_once_and_answers_as_before(self):
        reads = [
            Read("SELECT %(user)s + 1", {"user": 41}, lambda rows: rows[0][0]),
            Read("SELECT %(user)s, %(name)s UNION ALL SELECT 2, 'b'", {"user": 41, "name": "a"}, list),
            Read("SELECT 1 WHERE 1 = 0", {}, lambda rows: rows or "nothing"),
        ]
        with CaptureQueriesContext(connection) as queries:
            first = read_together(*reads)
            second = read_together(*reads)
        assert first == second == [42, [(41, "a"), (2, "b")], "nothing"]
        assert len(queries) == 2  # one round trip each, as without prepared statements
        assert queries[0]["sql"].count("PREPARE ") == 2
        assert "PREPARE " not in queries[1]["sql"]
        assert queries[1]["sql"].count("EXECUTE ") == 2
        assert "SELECT 1 WHERE 1 = 0" in queries[1]["sql"]  # no parameters: sent as it is

    def test_reads_under_planner_settings_are_never_prepared(self):
        read = Read("SELECT current_setting('enable_seqscan'), %(n)s", {"n": 1}, list)
        with CaptureQueriesContext(connection) as queries:
            assert read_together(read, planner={"enable_seqscan": "off"}) == [[("off", 1)]]
        assert "PREPARE" not in queries[0]["sql"]
        assert "EXECUTE" not in queries[0]["sql"]

    def test_after_a_failed_batch_the_next_starts_afresh_with_deallocate_all(self):
        good = Read("SELECT %(n)s + 100", {"n": 1}, lambda rows: rows[0][0])
        failing = Read("SELECT 1 / %(zero)s", {"zero": 0}, list)
        # The first read's PREPARE ran before the second failed, and outlives the rolled-back transaction.
        with pytest.raises(DatabaseError), transaction.atomic():
            read_together(good, failing)
        with CaptureQueriesContext(connection) as queries:
            assert read_together(good, Read("SELECT %(m)s", {"m": 2}, list)) == [101, [(2,)]]
        assert queries[0]["sql"].startswith("DEALLOCATE ALL;")
        assert fetch_all(good.statement, good.params) == [(101,)]

    def test_a_value_without_a_type_runs_the_statement_as_it_is(self):
        with CaptureQueriesContext(connection) as queries:
            assert fetch_all("SELECT %(a)s IS NULL, %(b)s", {"a": None, "b": 3}) == [(True, 3)]
        assert queries[0]["sql"].startswith("SELECT")

    def test_a_connection_prepares_at_most_its_share_then_runs_statements_as_they_are(self, monkeypatch):
        fetch_all("SELECT %s", [0])  # what the connection holds is known (no failed batch pending)
        monkeypatch.setattr(
            prepared, "MAX_PER_CONNECTION", len(prepared._prepared[connection.connection]) + 1
        )
        with CaptureQueriesContext(connection) as queries:
            assert fetch_all("SELECT %s + 1000", [1]) == [(1001,)]
            assert fetch_all("SELECT %s + 2000", [1]) == [(2001,)]
        assert queries[0]["sql"].startswith("PREPARE")
        assert queries[1]["sql"] == "SELECT 1 + 2000"

    def test_the_setting_turns_it_off(self, settings):
        settings.DATABASE_PREPARED_STATEMENTS = False
        with CaptureQueriesContext(connection) as queries:
            assert fetch_all("SELECT %s * 3", [3]) == [(9,)]
        assert queries[0]["sql"] == "SELECT 3 * 3"

    def test_generic_plans_are_forced_for_them(self):
        assert fetch_all("SELECT current_setting('plan_cache_mode')") == [("force_generic_plan",)]
