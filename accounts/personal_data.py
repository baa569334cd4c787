"""Everything a learner owns, as a JSON-ready document, and deleting all of it with the account.

The export holds the account, its email addresses and linked logins (never a password hash or token), and
every section the apps registered (register_section): in learning, followed tracks, topic progress,
milestones, bookmarks with notes, ratings and reviews, suggestions and review reports. Deleting the account
deletes all of those with it (their foreign keys cascade); curated content a learner's suggestion created
stays, without a link back to them.
"""

from collections.abc import Callable
from typing import Any

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import logout
from django.db import transaction
from django.utils import timezone

EXPORT_VERSION = 1
# Section name → a function of the user returning that section's rows, JSON-ready. Apps that keep learner
# rows register theirs when they load (learning.apps), so accounts never imports them.
_SECTIONS: dict[str, Callable[[Any], list[dict]]] = {}


def register_section(name: str, collect: Callable[[Any], list[dict]]) -> None:
    """Adds `name` to every personal-data export; `collect(user)` reads the rows in a fixed number of
    queries and returns them as JSON-ready dicts."""
    if name in _SECTIONS and _SECTIONS[name] is not collect:
        raise ValueError(f"Two apps export a personal-data section called {name!r}.")
    _SECTIONS[name] = collect


def export_time(value):
    """A time as the export writes it: ISO 8601, or None."""
    return value.isoformat() if value else None


def export_for(user) -> dict:
    """All of the user's data; one query per kind of row, whatever their number."""
    return {
        "format": "roadmap-personal-data",
        "version": EXPORT_VERSION,
        "exported_at": export_time(timezone.now()),
        "account": {
            "handle": user.username,
            "email": user.email,
            "date_joined": export_time(user.date_joined),
            "last_login": export_time(user.last_login),
            "profile_is_public": user.profile_is_public,
            "streak_is_public": user.streak_is_public,
            "time_zone": user.time_zone,
            "weekly_digest": user.digest_is_on,
            "digest_weekday": user.get_digest_weekday_display(),
            "calendar_feed_is_on": bool(user.calendar_token),
            "study_sessions_start": f"{user.study_starts_at:%H:%M}",
        },
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("pk")
        ],
        "linked_logins": [
            {
                "provider": account.provider,
                "uid": account.uid,
                "date_joined": export_time(account.date_joined),
            }
            for account in SocialAccount.objects.filter(user=user).order_by("pk")
        ],
        **{name: collect(user) for name, collect in _SECTIONS.items()},
    }


@transaction.atomic
def delete_account(request, *, user) -> None:
    """Deletes the account and everything it owns, and ends this session; other sessions end because
    their user no longer exists."""
    user.delete()
    logout(request)
