"""Accounts through the real allauth URLs: sign-up, email confirmation, log in and out, passwords, GitHub."""

import json
import re
from contextlib import contextmanager
from html.parser import HTMLParser
from unittest.mock import patch
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils.http import urlencode

from tests.accounts.conftest import PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()

DASHBOARD = "/me/"  # LOGIN_REDIRECT_URL ("learning:dashboard")
NEW_PASSWORD = "a-sturdy-new-passphrase-42"
HANDLE = re.compile(r"^learner-[0-9a-f]{12}$")


def is_logged_in(client):
    return "_auth_user_id" in client.session


def log_in(client, email=None, password=PASSWORD, **extra):
    return client.post(reverse("account_login"), {"login": email, "password": password, **extra})


def link_in(message, path_prefix):
    """The first link in an email whose path starts with path_prefix."""
    match = re.search(r"https?://testserver(" + re.escape(path_prefix) + r"\S*)", message.body)
    assert match, message.body
    return match.group(1)


def sign_up(client, email="grace.hopper@example.com"):
    return client.post(
        reverse("account_signup"), {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )


# ---------- Sign-up and email confirmation ----------


def test_sign_up_sends_one_confirmation_email_and_shows_verification_sent(client):
    response = sign_up(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["grace.hopper@example.com"]
    assert message.subject.startswith("[Roadmap] ")
    assert link_in(message, "/accounts/confirm-email/")
    address = EmailAddress.objects.get(email="grace.hopper@example.com")
    assert not address.verified

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Check your inbox" in page.text


def test_new_user_cannot_log_in_before_confirming(client):
    sign_up(client)

    visitor = client.__class__()
    response = log_in(visitor, "grace.hopper@example.com", NEW_PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert not is_logged_in(visitor)


def test_new_users_get_a_neutral_handle_not_their_email(client):
    sign_up(client, email="grace.hopper@example.com")

    user = User.objects.get(email="grace.hopper@example.com")
    assert HANDLE.match(user.username), user.username
    assert "grace" not in user.username
    assert "hopper" not in user.username


def test_confirmation_link_shows_a_button_and_post_confirms(client):
    sign_up(client)
    confirm_path = link_in(mail.outbox[0], "/accounts/confirm-email/")
    visitor = client.__class__()  # e.g. the mail opened on another device

    page = visitor.get(confirm_path)
    assert page.status_code == 200
    assert "grace.hopper@example.com" in page.text
    # allauth signs the key again when it renders the page: the timestamp in it may differ from the mail's
    # by a second, so compare the address both keys stand for.
    action = re.search(r'action="(/accounts/confirm-email/([^"/]+)/)"', page.text)
    assert action, page.text
    mailed_key = confirm_path.rstrip("/").rsplit("/", 1)[1]
    assert (
        EmailConfirmationHMAC.from_key(action.group(2)).email_address
        == EmailConfirmationHMAC.from_key(mailed_key).email_address
    )
    assert re.search(
        r'<button class="button button--primary" type="submit">\s*Confirm\s*</button>', page.text
    )
    assert not EmailAddress.objects.get(email="grace.hopper@example.com").verified  # GET changes nothing

    response = visitor.post(confirm_path)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="grace.hopper@example.com").verified

    response = log_in(visitor, "grace.hopper@example.com", NEW_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == DASHBOARD
    assert is_logged_in(visitor)


def test_an_unknown_confirmation_key_explains_what_to_do(client):
    page = client.get(reverse("account_confirm_email", args=["not-a-key"]))

    assert page.status_code == 200
    assert "expired or is invalid" in page.text


# ---------- Logging in ----------


def test_log_in_with_email_and_password_redirects_to_dashboard(client, verified_user):
    response = log_in(client, "ada@example.com")

    assert response.status_code == 302
    assert response["Location"] == DASHBOARD
    assert int(client.session["_auth_user_id"]) == verified_user.pk


def test_log_in_is_case_insensitive_for_the_email(client, verified_user):
    response = log_in(client, "Ada@Example.com")

    assert response["Location"] == DASHBOARD


def test_wrong_password_shows_an_error_and_keeps_the_visitor_out(client, verified_user):
    response = log_in(client, "ada@example.com", "not the password")

    assert response.status_code == 200
    assert "not correct" in response.text
    assert 'role="alert"' in response.text
    assert not is_logged_in(client)


def test_log_in_honours_a_local_next(client, verified_user):
    page = client.get(reverse("account_login") + "?next=/topics/x/")
    assert '<input type="hidden" name="next" value="/topics/x/">' in page.text

    response = log_in(client, "ada@example.com", next="/topics/x/")

    assert response["Location"] == "/topics/x/"


def test_log_in_honours_next_in_the_query_string(client, verified_user):
    response = client.post(
        reverse("account_login") + "?next=/topics/x/", {"login": "ada@example.com", "password": PASSWORD}
    )

    assert response["Location"] == "/topics/x/"


UNSAFE_NEXT = ["//evil.example", "https://evil.example/", "/\\evil.example", "https:evil.example"]


@pytest.mark.parametrize("target", UNSAFE_NEXT)
def test_log_in_never_redirects_off_site(client, verified_user, target):
    response = log_in(client, "ada@example.com", next=target)

    assert response.status_code == 302
    assert response["Location"] == DASHBOARD
    assert "evil" not in response["Location"]


@pytest.mark.parametrize("target", UNSAFE_NEXT)
def test_log_in_never_redirects_off_site_from_the_query_string(client, verified_user, target):
    response = client.post(
        reverse("account_login") + "?" + urlencode({"next": target}),
        {"login": "ada@example.com", "password": PASSWORD},
    )

    assert response["Location"] == DASHBOARD


def test_repeated_wrong_passwords_are_rate_limited(client, verified_user):
    # allauth's default ACCOUNT_RATE_LIMITS["login_failed"] is "10/m/ip,5/300s/key": five failures for one
    # account within five minutes, then the form refuses even the right password.
    for _ in range(5):
        response = log_in(client, "ada@example.com", "not the password")
        assert "not correct" in response.text

    response = log_in(client, "ada@example.com", PASSWORD)

    assert response.status_code == 200
    assert "Too many failed login attempts" in response.text
    assert not is_logged_in(client)


def test_a_successful_log_in_does_not_count_towards_the_rate_limit(client, verified_user):
    for _ in range(6):
        client.logout()
        assert log_in(client, "ada@example.com")["Location"] == DASHBOARD


# ---------- Logging out ----------


def test_get_on_logout_only_asks_for_confirmation(logged_in_client):
    page = logged_in_client.get(reverse("account_logout"))

    assert page.status_code == 200
    assert 'action="/accounts/logout/"' in page.text
    assert is_logged_in(logged_in_client)
    assert logged_in_client.get(reverse("account_email")).status_code == 200


def test_post_on_logout_logs_out(logged_in_client):
    response = logged_in_client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert not is_logged_in(logged_in_client)


# ---------- Passwords ----------


def test_password_reset_by_email_link(client, verified_user):
    response = client.post(reverse("account_reset_password"), {"email": "ada@example.com"})
    assert response["Location"] == reverse("account_reset_password_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ada@example.com"]
    key_path = link_in(mail.outbox[0], "/accounts/password/reset/key/")

    # allauth moves the key into the session and redirects to a URL without it.
    response = client.get(key_path)
    assert response.status_code == 302
    form_path = response["Location"]
    page = client.get(form_path)
    assert page.status_code == 200
    assert "Choose a new password" in page.text

    response = client.post(form_path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response["Location"] == reverse("account_reset_password_from_key_done")

    assert "not correct" in log_in(client, "ada@example.com", PASSWORD).text
    assert log_in(client, "ada@example.com", NEW_PASSWORD)["Location"] == DASHBOARD


def test_a_used_reset_link_no_longer_works(client, verified_user):
    client.post(reverse("account_reset_password"), {"email": "ada@example.com"})
    key_path = link_in(mail.outbox[0], "/accounts/password/reset/key/")
    form_path = client.get(key_path)["Location"]
    client.post(form_path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    page = client.__class__().get(key_path)

    assert page.status_code == 200
    assert "This link doesn't work" in page.text


def test_password_change_for_a_logged_in_user(logged_in_client, verified_user):
    page = logged_in_client.get(reverse("account_change_password"))
    assert page.status_code == 200

    response = logged_in_client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    verified_user.refresh_from_db()
    assert verified_user.check_password(NEW_PASSWORD)
    assert is_logged_in(logged_in_client)  # the session survives its own password change


def test_password_change_needs_the_current_password(logged_in_client, verified_user):
    response = logged_in_client.post(
        reverse("account_change_password"),
        {"oldpassword": "wrong", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.text
    verified_user.refresh_from_db()
    assert verified_user.check_password(PASSWORD)


# ---------- Email management ----------


def test_email_management_page(logged_in_client):
    page = logged_in_client.get(reverse("account_email"))

    assert page.status_code == 200
    assert "ada@example.com" in page.text
    assert "Confirmed" in page.text
    assert 'aria-current="page"' in page.text  # the side menu marks where the learner is


def test_email_management_needs_a_login(client):
    response = client.get(reverse("account_email"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")


def test_adding_an_address_sends_a_confirmation(logged_in_client, verified_user):
    response = logged_in_client.post(
        reverse("account_email"), {"action_add": "", "email": "ada.lovelace@example.org"}
    )

    assert response.status_code == 302
    assert EmailAddress.objects.filter(user=verified_user, email="ada.lovelace@example.org", verified=False)
    assert len(mail.outbox) == 1


def test_re_sending_a_confirmation_says_so(logged_in_client, verified_user):
    EmailAddress.objects.create(user=verified_user, email="ada.lovelace@example.org", verified=False)

    response = logged_in_client.post(
        reverse("account_email"), {"action_send": "", "email": "ada.lovelace@example.org"}, follow=True
    )

    assert "Confirmation email sent to ada.lovelace@example.org." in response.text
    assert [message.to for message in mail.outbox] == [["ada.lovelace@example.org"]]


# ---------- Every page in the site's layout ----------


class PageParser(HTMLParser):
    """Collects what the layout checks need: h1s, labels, form controls, stylesheets, scripts."""

    def __init__(self):
        super().__init__()
        self.h1 = 0
        self.labels = set()
        self.controls = []
        self.stylesheets = []
        self.inline_scripts = 0
        self.inline_styles = 0
        self.ids = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if "style" in attrs:
            self.inline_styles += 1
        if tag == "h1":
            self.h1 += 1
        elif tag == "label" and attrs.get("for"):
            self.labels.add(attrs["for"])
        elif tag in ("input", "select", "textarea") and attrs.get("type") != "hidden":
            self.controls.append(attrs)
        elif tag == "link" and attrs.get("rel") == "stylesheet":
            self.stylesheets.append(attrs["href"])
        elif tag == "script" and "src" not in attrs:
            self.inline_scripts += 1
        elif tag == "style":
            self.inline_styles += 1


def parse(html):
    parser = PageParser()
    parser.feed(html)
    return parser


ANONYMOUS_PAGES = [
    "account_login",
    "account_signup",
    "account_reset_password",
    "account_reset_password_done",
    "account_email_verification_sent",
]
LOGGED_IN_PAGES = ["account_email", "account_change_password", "account_logout"]


def assert_in_site_layout(response, status=200):
    assert response.status_code == status
    html = response.text
    page = parse(html)
    assert '<a class="skip-link" href="#main">' in html
    assert '<header class="site-header">' in html
    assert html.count('<main id="main"') == 1
    assert page.h1 == 1
    assert "/static/css/site.css" in page.stylesheets
    assert page.inline_scripts == 0
    assert page.inline_styles == 0
    assert len(page.ids) == len(set(page.ids)), "duplicate ids"
    for control in page.controls:
        assert control.get("id") in page.labels, f"no label for {control}"


@pytest.mark.parametrize("url_name", ANONYMOUS_PAGES)
def test_entrance_pages_render_inside_the_site_layout(client, url_name):
    response = client.get(reverse(url_name))

    assert_in_site_layout(response)
    assert 'class="auth__card"' in response.text


@pytest.mark.parametrize("url_name", LOGGED_IN_PAGES)
def test_logged_in_pages_render_inside_the_site_layout(logged_in_client, url_name):
    response = logged_in_client.get(reverse(url_name))

    assert_in_site_layout(response)


def test_manage_pages_have_the_account_side_menu(logged_in_client):
    html = logged_in_client.get(reverse("account_change_password")).text

    assert '<nav class="settings__menu" aria-label="Account settings">' in html
    assert f'<a href="{reverse("account_change_password")}" aria-current="page">Change password</a>' in html
    assert f'<a href="{reverse("account_email")}">Email addresses</a>' in html


def test_login_page_explains_verification_and_links_to_sign_up_and_reset(client):
    html = client.get(reverse("account_login")).text

    assert "confirmed email address" in html
    assert f'href="{reverse("account_signup")}"' in html
    assert f'href="{reverse("account_reset_password")}"' in html


def test_verification_sent_page_says_to_check_the_inbox(client):
    html = client.get(reverse("account_email_verification_sent")).text

    assert "Check your inbox" in html
    assert "spam" in html


def test_field_errors_are_linked_to_their_inputs(client):
    response = client.post(
        reverse("account_signup"), {"email": "not-an-email", "password1": "short", "password2": "other"}
    )

    assert response.status_code == 200
    html = response.text
    assert_in_site_layout(response)
    assert '<ul class="field__errors" id="id_email_error">' in html
    email_input = re.search(r"<input[^>]*name=\"email\"[^>]*>", html).group(0)
    assert 'aria-invalid="true"' in email_input
    assert "id_email_error" in email_input
    # The password rules are the password field's help text, also linked to the input.
    password_input = re.search(r"<input[^>]*name=\"password1\"[^>]*>", html).group(0)
    assert "id_password1_helptext" in password_input


# ---------- GitHub ----------


class MockedResponse:
    """A canned `requests` response, as allauth's own test helpers (allauth.tests) build them."""

    def __init__(self, status_code, content, headers=None):
        self.status_code = status_code
        self.content = content.encode() if isinstance(content, str) else content
        self.headers = headers or {"content-type": "application/json"}

    @property
    def text(self):
        return self.content.decode()

    def json(self):
        return json.loads(self.text)

    def raise_for_status(self):
        if self.status_code >= 400:
            raise requests.HTTPError(self.status_code)


@contextmanager
def mocked_response(*responses):
    """Like allauth's `mocked_response`: every HTTP request made through a requests.Session gets the next
    canned response, in order; an unexpected extra request fails the test instead of reaching GitHub."""
    queue = list(responses)

    def next_response(method, url, *args, **kwargs):
        assert queue, f"unexpected {method} {url}"
        return queue.pop(0)

    with patch.object(requests.Session, "request", side_effect=next_response) as request:
        yield request
    assert not queue, "not every mocked response was used"


GITHUB_USER = {
    "type": "User",
    "id": 583231,
    "login": "octocat",
    "name": "The Octocat",
    "email": "octocat@github.example",
    "html_url": "https://github.com/octocat",
    "avatar_url": "https://avatars.githubusercontent.com/u/583231",
}
GITHUB_EMAILS = [
    {"email": "octocat@github.example", "primary": True, "verified": True, "visibility": "public"}
]


def github_login(client):
    """allauth's OAuth2TestsMixin.login: start the login, then come back to the callback with a code."""
    response = client.post(reverse("github_login") + "?process=login")
    assert response.status_code == 302
    authorize = urlparse(response["Location"])
    assert (
        f"{authorize.scheme}://{authorize.netloc}{authorize.path}"
        == "https://github.com/login/oauth/authorize"
    )
    query = parse_qs(authorize.query)
    assert query["client_id"] == ["gh-client-id"]
    assert query["redirect_uri"][0].endswith(reverse("github_callback"))
    with mocked_response(
        MockedResponse(
            200, json.dumps({"access_token": "testac", "token_type": "bearer", "scope": "user:email"})
        ),
        MockedResponse(200, json.dumps(GITHUB_USER)),
        MockedResponse(200, json.dumps(GITHUB_EMAILS)),
    ) as request:
        response = client.get(reverse("github_callback"), {"code": "test", "state": query["state"][0]})
    token_call = request.call_args_list[0]
    assert token_call.args[:2] == ("POST", "https://github.com/login/oauth/access_token")
    return response


def test_login_page_has_no_github_button_without_configuration(client):
    html = client.get(reverse("account_login")).text

    assert "GitHub" not in html


def test_login_and_signup_pages_show_a_github_button_when_configured(client, github_app):
    for url_name in ("account_login", "account_signup"):
        html = client.get(reverse(url_name)).text
        assert (
            '<form class="provider-form" method="post" action="/accounts/github/login/?process=login">'
            in html
        )
        assert "Continue with GitHub" in html


def test_github_round_trip_logs_in_a_new_learner_with_a_neutral_handle(client, github_app):
    response = github_login(client)

    assert response.status_code == 302
    assert response["Location"] == DASHBOARD
    account = SocialAccount.objects.get(provider="github", uid="583231")
    user = account.user
    assert int(client.session["_auth_user_id"]) == user.pk
    assert HANDLE.match(user.username), user.username
    assert "octo" not in user.username
    assert user.email == "octocat@github.example"
    assert EmailAddress.objects.get(user=user, email="octocat@github.example").verified
    assert not user.has_usable_password()


def test_github_login_again_reuses_the_account(client, github_app):
    github_login(client)
    client.logout()

    response = github_login(client)

    assert response["Location"] == DASHBOARD
    assert User.objects.filter(socialaccount__provider="github").count() == 1


def test_github_with_an_email_taken_by_another_account_does_not_log_into_it(client, github_app):
    # SOCIALACCOUNT_EMAIL_AUTHENTICATION is off: a GitHub account claiming an existing learner's address
    # must not log in as that learner. allauth answers as for any sign-up (so nobody learns which addresses
    # have accounts) and emails the address's owner instead.
    owner = UserFactory(username="learner-00000001", email="octocat@github.example")
    EmailAddress.objects.create(user=owner, email=owner.email, primary=True, verified=True)

    response = github_login(client)

    assert response["Location"] == reverse("account_email_verification_sent")
    assert not is_logged_in(client)
    assert not SocialAccount.objects.exists()
    assert list(User.objects.all()) == [owner]
    assert [message.to for message in mail.outbox] == [["octocat@github.example"]]
    assert "already exists" in mail.outbox[0].body


def test_connected_accounts_page_offers_github(logged_in_client, github_app):
    page = logged_in_client.get(reverse("socialaccount_connections"))

    assert_in_site_layout(page)
    assert "Connect GitHub" in page.text
    assert 'action="/accounts/github/login/?process=connect"' in page.text


def test_github_login_page_on_get_asks_before_leaving_the_site(client, github_app):
    page = client.get(reverse("github_login"))

    assert_in_site_layout(page)
    assert "Continue with GitHub" in page.text
    assert not SocialAccount.objects.exists()


@pytest.mark.parametrize(
    ("url_name", "status"), [("socialaccount_login_cancelled", 200), ("socialaccount_login_error", 401)]
)
def test_github_failure_pages_render_inside_the_site_layout(client, url_name, status):
    page = client.get(reverse(url_name))

    assert_in_site_layout(page, status)
    assert f'href="{reverse("account_login")}"' in page.text


def test_a_github_callback_without_a_login_in_progress_fails_gracefully(client, github_app):
    page = client.get(reverse("github_callback"), {"code": "test", "state": "forged"})

    assert_in_site_layout(page, 401)
    assert "That didn't work" in page.text
    assert not is_logged_in(client)


def test_a_github_learner_can_set_a_password(client, github_app):
    github_login(client)

    assert client.get(reverse("account_change_password"))["Location"] == reverse("account_set_password")
    page = client.get(reverse("account_set_password"))
    assert_in_site_layout(page)
    assert "Connected accounts" in page.text  # the side menu, now that GitHub is connected

    response = client.post(
        reverse("account_set_password"), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert User.objects.get(socialaccount__provider="github").check_password(NEW_PASSWORD)


def test_an_inactive_account_cannot_log_in(client, verified_user):
    verified_user.is_active = False
    verified_user.save()

    response = log_in(client, "ada@example.com")

    assert not is_logged_in(client)
    if response.status_code == 302:
        response = client.get(response["Location"])
    assert_in_site_layout(response)


def test_handles_never_clash(monkeypatch, db):
    from accounts import adapter
    from tests.factories import UserFactory

    UserFactory(username="learner-aaaaaaaaaaaa")
    tokens = iter(["aaaaaaaaaaaa", "bbbbbbbbbbbb"])
    monkeypatch.setattr(adapter.secrets, "token_hex", lambda n: next(tokens))
    assert adapter.new_handle() == "learner-bbbbbbbbbbbb"


def test_the_header_log_in_link_keeps_the_page_but_not_account_pages(client, db):
    assert 'href="/accounts/login/?next=/tracks/"' in client.get("/tracks/").content.decode()
    assert 'href="/accounts/login/"' in client.get("/accounts/signup/").content.decode()
