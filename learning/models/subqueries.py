"""Per-row counts and sums as correlated subqueries: they combine with any filter, annotation or ordering,
never multiply each other's rows through joins, and need no GROUP BY over the outer query."""

from django.db.models import Count, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce


def count_of(rows, parent: str, *, value: str | None = None):
    """Per outer row: how many of `rows` (a queryset or manager) point at it through `parent`, or the sum of
    their `value`; 0 when none do."""
    related = rows.filter(**{parent: OuterRef("pk")}).order_by().values(parent)
    total = Sum(value) if value else Count("*")  # COUNT(*) can be answered from an index alone
    return Coalesce(Subquery(related.annotate(total=total).values("total")), 0)
