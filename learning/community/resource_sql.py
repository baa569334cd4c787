"""A resource page's shared part as hand-written SQL (plumbing.sql), read in one round trip.

Through the ORM, the first request for a resource's page under a catalogue and stats version read the
resource with its tags and topics (three queries), counted its written reviews and read a page of them with
their authors (two), and summed its ratings (one): about 18 ms of Python in a slow spell for a millisecond
or two of database time, paid for each of the long tail of resources a mix of learners asks for. These
statements read the same rows (tests/learning/test_resource_sql.py compares them with the querysets), and of
each review's author only the name the page shows: the shared copy of the page no longer carries whole user
rows. They run unchanged on SQLite and PostgreSQL.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.http import Http404

from learning.catalogue.models import Resource, Topic
from learning.catalogue.tags_sql import tags_of
from learning.community.models import Rating
from plumbing.sql import Read, as_datetime, columns, fetch_all, from_row, instances, read_together

RESOURCE_FIELDS = {
    "id",
    "url",
    "title",
    "author",
    "description",
    "kind",
    "cost",
    "level",
    "stack",
    "estimated_minutes",
    "is_published",
}
TOPIC_FIELDS = {"id", "title", "slug", "summary"}
REVIEW_FIELDS = {"id", "user_id", "resource_id", "stars", "review", "created_at"}
# The ratings that count (a moderator hid the others), and the written ones among them: the page's reviews.
COUNTED = "resource_id = %(resource)s AND NOT is_hidden"
WRITTEN = f"{COUNTED} AND review <> ''"
User = get_user_model()
LARGEST_ID = 2**63 - 1  # a big auto field's
LARGEST_PAGE = 10**6


@dataclass(frozen=True)
class ResourceRead:
    """The resource, its tags (by name) and the topics the viewer may see that it teaches (by title), how
    its counted ratings spread, and the reviews' paginator with the page asked for already read."""

    resource: Resource
    tags: tuple
    topics: tuple
    counts: dict  # "total", "average" and "s1".."s5", as rating_summary's aggregate names them
    reviews: Page


class Reviews:
    """The written reviews as a Paginator counts and slices them: the count, and the rows of the page read
    with it; another page (the one asked for was out of range: the paginator gives the last) is read when
    the paginator asks for it."""

    def __init__(self, total: int, offset: int, rows: list, read_page: Callable[[int], list]):
        self.total, self.offset, self.rows, self.read_page = total, offset, rows, read_page

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, part: slice) -> list:
        start = part.start or 0
        return self.rows if start == self.offset else self.read_page(start)


def resource_for_page(user_sees_drafts: bool, pk: int, *, reviews_page: int, per_page: int) -> ResourceRead:
    """The resource page's shared part for the resource `pk`; Http404 when there is no such resource the
    viewer may see (staff, `user_sees_drafts`, see unpublished ones). The page of reviews is read as
    Paginator.get_page reads it (not a page: the first; out of range: the last)."""
    if not 0 < pk <= LARGEST_ID:  # no such row, and a number the database can't take
        raise Http404("No resource matches the given query.")
    # A page out of range is read as the first, then the paginator asks for the last (Reviews).
    offset = (reviews_page - 1) * per_page if 0 < reviews_page <= LARGEST_PAGE else 0
    params = {
        "resource": pk,
        "drafts": user_sees_drafts,
        "resource_type": ContentType.objects.get_for_model(Resource).pk,
        "per_page": per_page,
        "offset": offset,
    }
    resources, tags, topics, counts, reviews = read_together(
        *(Read(statement, params, parse) for statement, parse in READS)
    )
    if not resources:
        raise Http404("No resource matches the given query.")

    def read_page(start: int) -> list:
        return _reviews(fetch_all(REVIEWS, params | {"offset": start}))

    rows = Reviews(counts.pop("written"), offset, reviews, read_page)
    page: Page = Paginator(cast(Any, rows), per_page).get_page(reviews_page)  # sized and sliced as a list
    page.object_list = list(page.object_list)
    page.paginator.object_list = page.object_list  # what the paginator keeps need not read again
    return ResourceRead(resources[0], tags, topics, counts, page)


def _counts(rows) -> dict:
    written, total, average, *by_stars = rows[0]
    counts = {"written": written, "total": total, "average": None if average is None else float(average)}
    return counts | {f"s{stars}": count or 0 for stars, count in enumerate(by_stars, 1)}


def _reviews(rows) -> list:
    reviews = []
    width = len(REVIEW_FIELDS)
    for row in rows:
        values = list(row[:width])
        values[-1] = as_datetime(values[-1])  # created_at, the last of the fields in the model's order
        review = from_row(Rating, REVIEW_FIELDS, values)
        review.user = from_row(User, {"id", "username"}, (review.user_id, row[width]))
        reviews.append(review)
    return reviews


REVIEWS = (
    f"SELECT {columns('x', Rating, REVIEW_FIELDS)}, u.username"  # noqa: S608 (the models' names)
    f" FROM learning_rating x JOIN {User._meta.db_table} u ON u.id = x.user_id"
    " WHERE x.resource_id = %(resource)s AND NOT x.is_hidden AND x.review <> ''"
    " ORDER BY x.created_at DESC, x.id DESC LIMIT %(per_page)s OFFSET %(offset)s"
)
READS = [
    (
        f"SELECT {columns('r', Resource, RESOURCE_FIELDS)} FROM learning_resource r"  # noqa: S608
        " WHERE r.id = %(resource)s AND (r.is_published OR %(drafts)s)",
        instances(Resource, RESOURCE_FIELDS),
    ),
    tags_of("resource_type", "%(resource)s"),
    (
        f"SELECT {columns('t', Topic, TOPIC_FIELDS)} FROM learning_topic t"  # noqa: S608
        " JOIN learning_resource_topics l ON l.topic_id = t.id"
        " WHERE l.resource_id = %(resource)s AND (t.is_published OR %(drafts)s) ORDER BY t.title, t.id",
        instances(Topic, TOPIC_FIELDS),
    ),
    # How many written reviews, how many counted ratings, their average, and how many of each number of stars.
    (
        f"SELECT (SELECT COUNT(*) FROM learning_rating WHERE {WRITTEN}), COUNT(*), AVG(stars),"  # noqa: S608
        + ", ".join(f" SUM(CASE WHEN stars = {n} THEN 1 ELSE 0 END)" for n in range(1, 6))
        + f" FROM learning_rating WHERE {COUNTED}",
        _counts,
    ),
    (REVIEWS, _reviews),
]
