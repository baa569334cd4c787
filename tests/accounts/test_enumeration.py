"""No enumeration: sign-up, log-in, password reset and adding an address answer the same status, redirect and
visible text whether or not the address is registered; the owner of a registered address hears about it by
mail, through the queue. "Registered" includes an address signed up with a moment ago, whose per-address
confirmation cooldown is used up (what made the difference before)."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory
from tests.mail_queue import queued_mail, run_worker

User = get_user_model()

NEW_PASSWORD = "a-sturdy-new-passphrase-42"
UNUSED = "nobody@example.com"


@pytest.fixture
def queue(database_queue):
    """The database queue, delivering into django.core.mail.outbox when the worker runs."""
    database_queue.MAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return database_queue


def learner(email):
    user = UserFactory(email=email)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user


def is_verified(email):
    return EmailAddress.objects.get(email=email, primary=True).verified


def sign_up(client, email):
    return client.post(
        reverse("account_signup"), {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )


def visible_text(html: str) -> str:
    html = re.sub(r"(?is)<(head|script|style)\b.*?</\1>", " ", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def seen(client, response, *addresses):
    """What the visitor sees: the status, where it redirects, and the visible text of the page they end on,
    with the addresses themselves blanked out."""
    location = response.get("Location")
    page = client.get(location) if response.status_code == 302 else response
    text = visible_text(page.content.decode())
    for number, address in enumerate(addresses):
        text = text.replace(address, f"<address {number}>")
    return response.status_code, location, page.status_code, text


def delivered():
    """Runs the worker; what it delivered, as (recipients, subject)."""
    return [(message.to, message.subject) for message in delivered_messages()]


def delivered_messages():
    run_worker()
    sent = list(mail.outbox)
    mail.outbox.clear()
    return sent


@pytest.fixture
def registered(request, queue):
    """A registered address: a verified learner's, or one signed up with a moment ago (not yet confirmed)."""
    if request.param == "verified":
        learner("ada@example.com")
    else:
        sign_up(Client(), "ada@example.com")
        delivered()  # its confirmation mail
    return "ada@example.com"


@pytest.mark.parametrize("registered", ["verified", "just signed up"], indirect=True)
def test_sign_up_answers_the_same_for_a_registered_address(registered):
    users = User.objects.count()

    taken = seen(client := Client(), sign_up(client, registered), registered)
    new = seen(client := Client(), sign_up(client, UNUSED), UNUSED)

    assert taken == new
    assert taken[1] == reverse("account_email_verification_sent")
    assert "Check your inbox" in taken[3]
    assert User.objects.count() == users + 1  # the new address only
    # The owner hears that someone tried; within the cooldown of the confirmation mail they were sent a
    # moment ago, that mail stands for it (allauth sends one mail per address per few minutes).
    assert mail.outbox == []  # queued, not sent: the answer can't depend on SMTP
    waiting = [task for task in queued_mail() if task.status == "READY"]
    assert len(waiting) == (2 if is_verified(registered) else 1)
    owner = [([registered], "[Roadmap] Account Already Exists")] if is_verified(registered) else []
    assert delivered() == [*owner, ([UNUSED], "[Roadmap] Please Confirm Your Email Address")]


@pytest.mark.parametrize("registered", ["verified", "just signed up"], indirect=True)
def test_log_in_answers_the_same_for_a_registered_address(registered):
    def log_in(email):
        client = Client()
        response = client.post(reverse("account_login"), {"login": email, "password": "not-the-password"})
        return seen(client, response, email)

    taken, new = log_in(registered), log_in(UNUSED)

    assert taken == new
    assert taken[0] == 200
    assert "The email address and/or password you specified are not correct." in taken[3]
    assert delivered() == []  # a wrong password mails no one, registered or not


@pytest.mark.parametrize("registered", ["verified", "just signed up"], indirect=True)
def test_password_reset_answers_the_same_for_a_registered_address(registered):
    def reset(email):
        client = Client()
        return seen(client, client.post(reverse("account_reset_password"), {"email": email}), email)

    taken, new = reset(registered), reset(UNUSED)

    assert taken == new
    assert taken[1] == reverse("account_reset_password_done")
    sent = delivered()
    assert sent == [([registered], "[Roadmap] Password Reset Email"), ([UNUSED], "[Roadmap] Unknown Account")]


@pytest.mark.parametrize("registered", ["verified", "just signed up"], indirect=True)
def test_adding_another_accounts_address_answers_the_same_as_an_unused_one(registered):
    def add(email, me):
        client = Client()
        client.force_login(learner(me))
        response = client.post(reverse("account_email"), {"action_add": "", "email": email})
        return seen(client, response, email, me)

    taken = add(registered, "zoe@example.com")  # listed after the added address, as below
    new = add(UNUSED, "zara@example.com")

    assert taken == new
    assert taken[1] == reverse("account_email")
    assert "Added <address 0>. Open the link we email to it to confirm it." in taken[3]
    assert "<address 0> Not confirmed" in taken[3]  # the row, on both
    # The owner of the registered address is asked to confirm it, and told to ignore it if it wasn't them;
    # except within the cooldown of the mail they were sent a moment ago, whose link still works.
    sent = {message.to[0]: message for message in delivered_messages()}
    assert sent[UNUSED].subject == "[Roadmap] Please Confirm Your Email Address"
    if is_verified(registered):
        assert sent[registered].subject == "[Roadmap] Please Confirm Your Email Address"
        assert "If this wasn't you, you can ignore this email" in sent[registered].body
    else:
        assert registered not in sent
