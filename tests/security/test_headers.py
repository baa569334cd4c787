"""Security headers on every response, and the one deliberate exception: the embeddable progress card."""

import pytest
from django.urls import reverse

from tests.factories import TrackFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path", ["/", "/tracks/", "/search/?q=x", "/accounts/login/", "/admin/login/", "/healthz"]
)
def test_every_page_has_the_strict_policy_and_isolation_headers(client, path):
    response = client.get(path)
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response["Referrer-Policy"] == "same-origin"
    assert "geolocation=()" in response["Permissions-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_the_progress_card_may_be_embedded_elsewhere_but_runs_nothing(client):
    user = UserFactory(username="ada", profile_is_public=True)
    track = TrackFactory(slug="backend")
    response = client.get(reverse("learning:progress_card", args=[user.username, track.slug]))
    assert response.status_code == 200
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert response["Content-Security-Policy"] == "default-src 'none'"
