"""Links that could run script or point anywhere odd are refused before they are stored."""

import pytest
from django.core.exceptions import ValidationError

from learning.catalogue.links import UnsupportedURL, normalize_url
from learning.models import Resource
from tests.factories import ResourceFactory

pytestmark = pytest.mark.django_db
BAD_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "ftp://example.com/x",
    "//evil.example/x",
    "http://",
]


@pytest.mark.parametrize("url", BAD_URLS)
def test_normalising_refuses_non_http_urls(url):
    with pytest.raises(UnsupportedURL):
        normalize_url(url)


@pytest.mark.parametrize("url", BAD_URLS)
def test_a_resource_with_a_non_http_url_is_never_stored(url):
    resource = Resource(title="x", url=url, kind="article")
    with pytest.raises(ValidationError):
        resource.full_clean()
    with pytest.raises(UnsupportedURL):
        ResourceFactory(url=url)
    assert not Resource.objects.exists()


def test_the_admin_refuses_a_javascript_url(curator_client):
    from django.urls import reverse

    response = curator_client.post(
        reverse("admin:learning_resource_add"),
        {"url": "javascript:alert(1)", "title": "x", "kind": "article", "cost": "free", "level": "beginner"},
    )
    assert response.status_code == 200
    assert "errornote" in response.content.decode()
    assert not Resource.objects.exists()
