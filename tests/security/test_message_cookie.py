"""In production the messages cookie is `__Host-messages` (plumbing.message_storage), Secure, for the whole
site and this host only, like the session and CSRF cookies; messages still reach the next page and are
shown once."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_cookies(settings):
    """What settings.py sets in production mode for the cookies."""
    settings.MESSAGE_STORAGE = "plumbing.message_storage.HostCookieFallbackStorage"
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.SESSION_COOKIE_NAME = "__Host-sessionid"


def test_a_message_travels_in_a_host_only_secure_cookie_and_shows_once(production_cookies):
    browser = Client()
    browser.force_login(UserFactory())

    logged_out = browser.post(reverse("account_logout"))  # "You have signed out." for the next page

    cookie = logged_out.cookies["__Host-messages"]
    assert "messages" not in logged_out.cookies
    assert (cookie["secure"], cookie["path"], cookie["domain"], cookie["httponly"]) == (True, "/", "", True)
    shown = browser.get(logged_out["Location"])
    assert "You have signed out." in shown.text
    assert shown.cookies["__Host-messages"]["max-age"] == 0  # deleted once shown (still Secure, as required)
    assert shown.cookies["__Host-messages"]["secure"] is True
    assert "You have signed out." not in browser.get(logged_out["Location"]).text
