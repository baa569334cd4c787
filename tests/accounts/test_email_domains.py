"""Email addresses must be at public domains: sign-up and adding an address refuse mail the site would
deliver to itself or inside its network (x@localhost, x@[127.0.0.1], a domain without a dot)."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "a-sturdy-new-passphrase-42"
REFUSED = [
    "x@localhost",
    "x@LOCALHOST.",
    "x@[127.0.0.1]",
    "x@[IPv6:::1]",
    "x@127.0.0.1",
    "x@intranet",
    "x@mail.internal",
    "x@printer.local",
    "x@app.localhost",
]
MESSAGE = "Use an address at a public domain, such as you@example.com."


@pytest.mark.parametrize("email", REFUSED)
def test_sign_up_refuses_an_address_at_a_non_public_domain(client, email):
    response = client.post(
        reverse("account_signup"), {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    )

    assert response.status_code == 200  # the form again, with the reason
    assert MESSAGE in response.text or "Enter a valid email address." in response.text
    assert not get_user_model().objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize("email", ["x@localhost", "x@[127.0.0.1]", "x@app.localhost", "x@mail.internal"])
def test_sign_up_says_why_for_the_addresses_django_itself_accepts(client, email):
    response = client.post(
        reverse("account_signup"), {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    )
    assert MESSAGE in response.text


@pytest.mark.parametrize("email", ["x@localhost", "x@[127.0.0.1]"])
def test_adding_an_address_at_a_non_public_domain_is_refused(client, email):
    user = get_user_model().objects.create_user(username="learner-0badf00d", email="ada@example.com")
    client.force_login(user)

    response = client.post(reverse("account_email"), {"action_add": "", "email": email})

    assert response.status_code == 200
    assert MESSAGE in response.text
    assert not EmailAddress.objects.filter(email=email).exists()
    assert mail.outbox == []


def test_an_ordinary_address_still_signs_up(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "grace@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert get_user_model().objects.filter(email="grace@example.org").exists()
