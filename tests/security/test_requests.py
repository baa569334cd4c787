"""Forged, oversized and odd requests: refused with a 4xx and a message, nothing stored, never a 5xx."""

import pytest
from django.test import Client
from django.urls import reverse

from learning.models import Bookmark, Rating, TopicProgress

pytestmark = pytest.mark.django_db


@pytest.fixture
def csrf_client(mallory):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(mallory)
    return client


def csrf_token(client, url):
    client.get(url)
    return client.cookies["csrftoken"].value


def test_a_post_without_csrf_is_refused_and_stores_nothing(csrf_client, resource):
    response = csrf_client.post(reverse("learning:rate", args=[resource.pk]), {"stars": 5})
    assert response.status_code == 403
    assert not Rating.objects.exists()


@pytest.mark.parametrize(
    ("origin", "status", "stored"),
    [
        ("https://evil.example", 403, 0),
        ("http://testserver.evil.example", 403, 0),
        ("http://testserver", 302, 1),
    ],
)
def test_a_post_needs_our_own_origin_even_with_a_token(csrf_client, resource, origin, status, stored):
    token = csrf_token(csrf_client, resource.get_absolute_url())
    response = csrf_client.post(
        reverse("learning:bookmark", args=[resource.pk]),
        {"csrfmiddlewaretoken": token},
        headers={"Origin": origin},
    )
    assert response.status_code == status
    assert Bookmark.objects.count() == stored


@pytest.mark.parametrize(
    "target", ["//evil.example", "/\\evil.example", "https:evil.example", "https://evil.example/x"]
)
def test_next_never_leaves_the_site(mallory_client, resource, target):
    response = mallory_client.post(reverse("learning:bookmark", args=[resource.pk]), {"next": target})
    assert response.status_code == 302
    assert response["Location"] == resource.get_absolute_url()


@pytest.mark.parametrize("stars", ["0", "6", "-1", "4.5", "five", "", "1e1", "٣"])
def test_ratings_out_of_range_are_refused(mallory_client, resource, stars):
    response = mallory_client.post(
        reverse("learning:rate", args=[resource.pk]), {"stars": stars, "review": "x"}
    )
    assert response.status_code == 400
    assert "Choose from 1 to 5 stars." in response.content.decode()
    assert not Rating.objects.exists()


def test_a_nul_byte_in_learner_text_is_refused(mallory_client, resource):
    response = mallory_client.post(
        reverse("learning:rate", args=[resource.pk]), {"stars": 4, "review": "a\x00b"}
    )
    assert response.status_code == 400
    assert "Null characters are not allowed." in response.content.decode()
    assert not Rating.objects.exists()


def test_invalid_utf8_is_replaced_not_fatal(mallory_client, resource):
    body = b"stars=4&review=ok%ED%A0%80end"
    response = mallory_client.post(
        reverse("learning:rate", args=[resource.pk]), body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 302
    assert Rating.objects.get().review == "ok\ufffd\ufffd\ufffdend"


def test_right_to_left_overrides_are_dropped_from_reviews(mallory_client, resource):
    mallory_client.post(
        reverse("learning:rate", args=[resource.pk]), {"stars": 4, "review": "good\u202egnp.exe\u2066"}
    )
    assert Rating.objects.get().review == "goodgnp.exe"


def test_an_oversized_body_is_refused(mallory_client, resource, settings):
    response = mallory_client.post(
        reverse("learning:rate", args=[resource.pk]),
        {"stars": 4, "review": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)},
    )
    assert response.status_code == 400
    assert not Rating.objects.exists()


def test_too_many_fields_are_refused(mallory_client, topic, settings):
    fields = {f"f{n}": "x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)} | {"status": "done"}
    response = mallory_client.post(reverse("learning:topic_status", args=[topic.slug]), fields)
    assert response.status_code == 400
    assert not TopicProgress.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/topics/..%2F..%2Fetc%2Fpasswd/",
        "/topics/../../etc/passwd",
        "/tracks/%2e%2e/",
        "/resources/99999999999999999999999/",
        "/u/%00/",
        "/u/..%2Fadmin/",
        "/tags/%E2%80%AE/",
        "/static/../settings.py",
    ],
)
def test_odd_paths_are_404(client, path):
    assert Client(raise_request_exception=False).get(path).status_code == 404


def test_a_foreign_host_header_is_refused(db):
    response = Client(raise_request_exception=False).get("/", headers={"Host": "evil.example"})
    assert response.status_code == 400
