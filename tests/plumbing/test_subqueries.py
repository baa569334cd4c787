"""plumbing.subqueries.counts_in_one: several counts of one owner's rows in one query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from learning.community.models import Rating
from learning.progress.models import Bookmark, TopicNote
from plumbing.subqueries import counts_in_one
from tests.factories import BookmarkFactory, RatingFactory, TopicNoteFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_each_count_is_the_owners_own_and_read_in_one_query():
    learner, other = UserFactory(), UserFactory()
    BookmarkFactory.create_batch(3, user=learner)
    BookmarkFactory(user=other)
    TopicNoteFactory(user=learner)
    RatingFactory.create_batch(2, user=other)
    with CaptureQueriesContext(connection) as queries:
        counts = counts_in_one(
            "user",
            bookmarks=Bookmark.objects.filter(user=learner),
            notes=TopicNote.objects.filter(user=learner),
            ratings=Rating.objects.filter(user=learner),
        )
    assert counts == {"bookmarks": 3, "notes": 1, "ratings": 0}  # none: 0, not missing
    assert len(queries) == 1


def test_no_querysets_no_query():
    with CaptureQueriesContext(connection) as queries:
        assert counts_in_one("user") == {}
    assert len(queries) == 0
