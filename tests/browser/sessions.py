"""Logging a browser in without the login form: the session cookie of a test client logged in as the user."""

from django.conf import settings
from django.test import Client


def log_in(context, live_server, user) -> None:
    """Gives the browser context (a Playwright BrowserContext) `user`'s session on the live server."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
