"""The logged-in user comes from the cache (accounts.backends), and any change to the user drops the copy."""

import pytest
from django.contrib.auth import get_user
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.backends import forget_user
from accounts.models import User
from accounts.services import update_public_profile
from tests.accounts.conftest import PASSWORD

NEW_PASSWORD = "a different horse entirely 42"
DASHBOARD = "/me/"


def user_queries(client) -> int:
    """How many queries read the users table while the learner's dashboard is served."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(DASHBOARD).status_code == 200
    return sum('from "accounts_user"' in query["sql"].lower() for query in captured)


def test_after_the_first_request_the_user_is_not_read_from_the_database(logged_in_client):
    assert user_queries(logged_in_client) == 1
    assert user_queries(logged_in_client) == 0
    assert user_queries(logged_in_client) == 0


def test_a_deactivated_user_is_logged_out_at_once(logged_in_client, verified_user):
    user_queries(logged_in_client)
    verified_user.is_active = False
    verified_user.save()
    response = logged_in_client.get(DASHBOARD)
    assert response.status_code == 302
    assert reverse("account_login") in response.url


def test_a_bulk_update_drops_the_copy_through_forget_user(logged_in_client, verified_user):
    user_queries(logged_in_client)
    User.objects.filter(pk=verified_user.pk).update(is_active=False)  # no signal: the copy is stale
    forget_user(verified_user.pk)
    assert logged_in_client.get(DASHBOARD).status_code == 302


def test_a_password_change_elsewhere_ends_this_session_at_once(verified_user):
    here, elsewhere = Client(), Client()
    for client in (here, elsewhere):
        assert client.login(email=verified_user.email, password=PASSWORD)
        client.get(DASHBOARD)
    response = elsewhere.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert elsewhere.get(DASHBOARD).status_code == 200  # the session that changed it stays
    assert here.get(DASHBOARD).status_code == 302  # the other one is over


def test_a_new_handle_shows_at_once(logged_in_client, verified_user):
    logged_in_client.get(reverse("accounts:profile_settings"))
    update_public_profile(user=verified_user, handle="ada-lovelace", is_public=True)
    assert get_user(logged_in_client).username == "ada-lovelace"


def test_a_deleted_user_is_logged_out(logged_in_client, verified_user):
    user_queries(logged_in_client)
    User.objects.filter(pk=verified_user.pk).delete()
    assert logged_in_client.get(DASHBOARD).status_code == 302


@pytest.mark.parametrize("backend", ["accounts.backends.ModelBackend", "accounts.backends.AllauthBackend"])
def test_both_backends_use_the_cache(verified_user, backend):
    client = Client()
    client.force_login(verified_user, backend=backend)
    assert user_queries(client) == 1
    assert user_queries(client) == 0
