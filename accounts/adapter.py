"""allauth adapters: public handles that never reveal an email address; addresses at public domains only."""

import secrets

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from plumbing.addresses import canonical_host, host_problem, literal_address

NOT_PUBLIC_EMAIL = "Use an address at a public domain, such as you@example.com."


def new_handle() -> str:
    """An unused neutral handle such as "learner-3f9a1c0b7e2d" (48 random bits, checked for a clash)."""
    User = get_user_model()
    while True:
        handle = f"learner-{secrets.token_hex(6)}"
        if not User.objects.filter(username=handle).exists():
            return handle


def email_domain_problem(email: str) -> str | None:
    """Why mail to `email` would not leave for a public domain: a local name (localhost, a name without a
    dot, *.internal...) or any address literal (x@[127.0.0.1]), which the site would deliver to itself."""
    domain = canonical_host(email.rpartition("@")[2])
    try:
        if literal_address(domain) is not None:
            return f"{domain} is an address, not a domain"
    except ValueError:
        return f"{domain} is not a domain"
    return host_problem(domain)


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email: str) -> str:
        # Sign-up and adding an address both come here (allauth's forms call it).
        email = super().clean_email(email)
        if email_domain_problem(email):
            raise ValidationError(NOT_PUBLIC_EMAIL)
        return email

    def populate_username(self, request, user):
        # allauth would derive the username from the email's local part, which is then shown next to
        # reviews; a neutral handle keeps the address private.
        if not user.username:
            user.username = new_handle()


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        user.username = new_handle()
        return user
