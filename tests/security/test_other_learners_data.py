"""A learner can never see or change another learner's data, whatever id they send."""

import pytest
from django.urls import reverse

from learning.models import Bookmark, Rating, TopicProgress
from tests.factories import BookmarkFactory, RatingFactory, TopicProgressFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def victims_data(victim, resource, topic):
    return {
        "bookmark": BookmarkFactory(user=victim, resource=resource, note="victim's private note"),
        "rating": RatingFactory(user=victim, resource=resource, stars=5, review="victim's review"),
        "progress": TopicProgressFactory(user=victim, topic=topic),
    }


def test_another_learners_bookmark_note_is_404_and_unchanged(mallory_client, victims_data):
    bookmark = victims_data["bookmark"]
    response = mallory_client.post(reverse("learning:bookmark_note", args=[bookmark.pk]), {"note": "pwned"})
    assert response.status_code == 404
    assert Bookmark.objects.get(pk=bookmark.pk).note == "victim's private note"


def test_another_learners_notes_and_progress_never_show(mallory_client, victims_data):
    for url in (reverse("learning:bookmarks"), reverse("learning:dashboard")):
        html = mallory_client.get(url).content.decode()
        assert "victim&#x27;s private note" not in html
        assert "victim's private note" not in html


def test_deleting_a_rating_only_ever_deletes_ones_own(mallory_client, victims_data, resource):
    response = mallory_client.post(reverse("learning:rating_delete", args=[resource.pk]))
    assert response.status_code == 302
    assert Rating.objects.filter(pk=victims_data["rating"].pk).exists()


def test_a_posted_user_field_is_ignored(mallory_client, mallory, victim, victims_data, resource, topic):
    mallory_client.post(
        reverse("learning:rate", args=[resource.pk]),
        {"stars": 1, "review": "x", "user": victim.pk, "user_id": victim.pk},
    )
    mallory_client.post(
        reverse("learning:topic_status", args=[topic.slug]), {"status": "skipped", "user": victim.pk}
    )
    assert Rating.objects.get(pk=victims_data["rating"].pk).stars == 5
    assert TopicProgress.objects.get(pk=victims_data["progress"].pk).status == "done"
    assert Rating.objects.get(user=mallory).stars == 1


def test_another_learners_export_is_not_reachable(mallory_client, victims_data):
    data = mallory_client.get(reverse("accounts:export_data")).content.decode()
    assert "victim" not in data


@pytest.mark.parametrize("url_name", ["learning:bookmark_note"])
def test_huge_ids_are_404_not_errors(mallory_client, url_name):
    response = mallory_client.post(reverse(url_name, args=[2**63 + 10]), {"note": "x"})
    assert response.status_code == 404
