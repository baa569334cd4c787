"""allauth adapters: public handles that never reveal an email address."""

import secrets

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.contrib.auth import get_user_model


def new_handle() -> str:
    """An unused neutral handle such as "learner-3f9a1c0b7e2d" (48 random bits, checked for a clash)."""
    User = get_user_model()
    while True:
        handle = f"learner-{secrets.token_hex(6)}"
        if not User.objects.filter(username=handle).exists():
            return handle


class AccountAdapter(DefaultAccountAdapter):
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
