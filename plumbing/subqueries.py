"""Per-row counts and sums as correlated subqueries: they combine with any filter, annotation or ordering,
never multiply each other's rows through joins, and need no GROUP BY over the outer query."""

from django.db.models import Count, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce


def _per_row(rows, parent: str, total):
    related = rows.filter(**{parent: OuterRef("pk")}).order_by().values(parent)
    return Coalesce(Subquery(related.annotate(total=total).values("total")), 0)


def count_of(rows, parent: str):
    """Per outer row: how many of `rows` (a queryset or manager) point at it through `parent`; 0 when none
    do. COUNT(*) can be answered from an index alone."""
    return _per_row(rows, parent, Count("*"))


def sum_of(rows, parent: str, value: str):
    """Per outer row: the sum of `value` over the `rows` that point at it through `parent`; 0 when none do."""
    return _per_row(rows, parent, Sum(value))
