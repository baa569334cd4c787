"""The learner's reminder settings kept on their account: the weekly digest (opt-in, on a chosen weekday)
with its one-click unsubscribe token, and the secret of their private calendar feed.

The digest itself and the feed's events are learning's (they read learning data); accounts only stores the
choices and the secrets, and turns them on and off.
"""

import secrets

from django.core import signing
from django.db import transaction

from accounts.models import User

UNSUBSCRIBE_SALT = "accounts.reminders.digest-unsubscribe"
CALENDAR_TOKEN_BYTES = 24  # 32 URL-safe characters: not guessable, short enough for a calendar app's box


def unsubscribe_token(user) -> str:
    """A signed token naming the learner, for the digest's unsubscribe link: it works without logging in,
    never expires (an old digest's link still works) and can't be made for another learner without the
    SECRET_KEY."""
    return signing.dumps(user.pk, salt=UNSUBSCRIBE_SALT, compress=False)


def user_of_unsubscribe_token(token: str) -> User | None:
    """The learner a token names, or None for a tampered, foreign or unknown one."""
    try:
        pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(pk, int):
        return None
    return User.objects.filter(pk=pk, is_active=True).first()


@transaction.atomic
def update_digest(*, user, is_on: bool, weekday: int) -> None:
    """Turns the weekly digest on or off and sets the weekday it comes on (0 Monday … 6 Sunday)."""
    if weekday not in range(7):
        raise ValueError(f"A weekday is 0 (Monday) to 6 (Sunday), not {weekday!r}")
    user.digest_is_on, user.digest_weekday = is_on, weekday
    user.save(update_fields=["digest_is_on", "digest_weekday"])


@transaction.atomic
def unsubscribe(*, user) -> None:
    """Turns the digest off (the one-click unsubscribe); the chosen weekday stays for next time."""
    user.digest_is_on = False
    user.save(update_fields=["digest_is_on"])


@transaction.atomic
def new_calendar_token(*, user) -> str:
    """Turns the calendar feed on, or resets its link: a new secret, the old address answers 404 from now."""
    user.calendar_token = secrets.token_urlsafe(CALENDAR_TOKEN_BYTES)
    user.save(update_fields=["calendar_token"])
    return user.calendar_token


@transaction.atomic
def set_study_time(*, user, starts_at) -> None:
    """When the calendar feed's study sessions start (a time of day in the learner's zone)."""
    user.study_starts_at = starts_at
    user.save(update_fields=["study_starts_at"])


@transaction.atomic
def turn_calendar_off(*, user) -> None:
    user.calendar_token = ""
    user.save(update_fields=["calendar_token"])


def user_of_calendar_token(token: str) -> User | None:
    """The learner whose feed `token` is, or None (an empty, reset or unknown token)."""
    if not token:
        return None
    return User.objects.filter(calendar_token=token, is_active=True).first()
