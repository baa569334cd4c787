"""allauth adapters: public handles that never reveal an email address."""

import secrets

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter


def new_handle() -> str:
    return f"learner-{secrets.token_hex(4)}"


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
