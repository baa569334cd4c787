"""The user admin shows and changes whether a learner's profile is public; the list can be filtered by it.

Only superusers manage users: curators are refused the user admin (tests/learning/test_roles.py)."""

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_user_list_shows_and_filters_public_profiles(superuser_client):
    UserFactory(username="public-ada", profile_is_public=True)
    UserFactory(username="private-bob")
    response = superuser_client.get("/admin/accounts/user/", {"profile_is_public__exact": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "public-ada" in html
    assert "private-bob" not in html


def test_the_user_page_edits_the_public_profile_switch(superuser_client):
    learner = UserFactory(username="ada")
    response = superuser_client.get(f"/admin/accounts/user/{learner.pk}/change/")
    assert response.status_code == 200
    assert 'name="profile_is_public"' in response.content.decode()
