"""The header every page shows, rendered once per process for each audience and part of the site
(plumbing.templatetags.site_meta.site_header), with this request's CSRF token and return path laid onto it."""

import re
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from plumbing import overlay
from plumbing.templatetags import site_meta
from tests.conftest import logged_in
from tests.factories import UserFactory
from tests.learning.conftest import build_track

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rendered_every_time")]


@pytest.mark.parametrize(
    ("path", "here"),
    [
        ("/", ""),
        ("/tracks/", "tracks"),
        ("/tracks/backend/", "tracks"),
        ("/resources/12/", "resources"),
        ("/tags/docs/", "tags"),
        ("/topics/http/", ""),
        ("/me/", "dashboard"),
        ("/me/bookmarks/", "bookmarks"),
        ("/me/profile/", ""),
        ("/search/", "search"),
        ("/accounts/login/", "login"),
        ("/accounts/signup/", "accounts"),
        ("/trackside/", ""),
        ("", ""),
    ],
)
def test_the_part_of_the_site_a_path_is_in(path, here):
    assert site_meta.nav_here(path) == here


def header(html: str) -> str:
    return re.search(r'<header class="site-header">.*?</header>', html, re.S).group(0)


def test_the_header_is_rendered_once_per_audience_and_part_of_the_site(monkeypatch):
    track = build_track(3)
    topics = [step.topic for step in track.steps.all()]
    rendered = []
    real = site_meta.render_to_string
    monkeypatch.setattr(
        site_meta, "render_to_string", lambda name, *a, **k: rendered.append(name) or real(name, *a, **k)
    )
    overlay.forget()
    visitor, learner = Client(), logged_in(UserFactory())
    for client in (visitor, learner):
        for topic in topics:
            assert client.get(topic.get_absolute_url()).status_code == 200
        assert client.get(track.get_absolute_url()).status_code == 200
    assert rendered == ["includes/site_header.html"] * 4  # topics and tracks, for visitors and learners


def test_a_visitors_login_link_comes_back_to_the_page_with_its_query_string():
    track = build_track(2)
    url = f"{track.get_absolute_url()}?x=%C3%A9+y&z=1"
    html = header(Client().get(url).content.decode())
    expected = f"{reverse('account_login')}?next={quote(url, safe='/')}"
    assert f'href="{expected}"' in html
    login = header(Client().get(reverse("account_login")).content.decode())
    assert f'href="{reverse("account_login")}" aria-current="page"' in login  # no way back to the login page


def test_the_current_part_of_the_site_is_marked_and_the_search_field_left_out_on_search():
    track = build_track(2)
    on_track = header(Client().get(track.get_absolute_url()).content.decode())
    assert on_track.count('aria-current="page"') == 2  # Tracks, inline and in the phone menu
    assert 'aria-current="page">Tracks</a>' in on_track
    assert 'role="search"' in on_track
    on_search = header(Client().get(reverse("learning:search")).content.decode())
    assert 'role="search"' not in on_search
    assert "aria-current" not in on_search


def test_a_learners_logout_form_carries_their_own_token_and_logs_them_out():
    track = build_track(2)
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())
    page = client.get(track.get_absolute_url()).content.decode()
    html = header(page)
    assert 'aria-current="page">My progress' not in html
    assert overlay.OPEN not in page
    token = re.search(
        r'action="/accounts/logout/"><input type="hidden" name="csrfmiddlewaretoken" value="(\w+)"', html
    )
    response = client.post(reverse("account_logout"), {"csrfmiddlewaretoken": token.group(1)})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    dashboard = header(logged_in(UserFactory()).get(reverse("learning:dashboard")).content.decode())
    assert 'aria-current="page">My progress</a>' in dashboard
