"""How many queries a batch of hand-written reads counts as (plumbing.sql.read_together)."""

from django.db import connection


def read_together(reads: int) -> int:
    """The queries Django logs for `reads` statements read together: one batch on PostgreSQL, each on its
    own elsewhere (SQLite)."""
    return 1 if connection.vendor == "postgresql" else reads
