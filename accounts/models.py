import zoneinfo
from datetime import time
from functools import cache

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower

DEFAULT_TIME_ZONE = "UTC"
WEEKDAY_CHOICES = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]


@cache
def time_zone_names() -> tuple[str, ...]:
    """The IANA time zones this system knows, sorted (Python's zoneinfo; the tzdata package where the OS
    has none)."""
    return tuple(sorted(zoneinfo.available_timezones()))


def validate_time_zone(name: str) -> None:
    if name not in time_zone_names():
        raise ValidationError(f"“{name}” is not a time zone this site knows. Pick one from the list.")


class User(AbstractUser):
    """The site's user. A custom model from the first migration, so fields can be added later.

    `username` is the learner's public handle (neutral, such as "learner-3f9a1c0b7e2d", until they choose
    one). It is unique ignoring case, so "Ada" and "ada" cannot be two people.
    """

    profile_is_public = models.BooleanField(
        "public profile",
        default=False,
        # HTML, as every help text (Django's forms and admin show it unescaped): hence &lt; and &gt;.
        help_text=(
            "Show the learner's handle, tracks and progress at /u/&lt;handle&gt;/. Off until they opt in."
        ),
    )

    streak_is_public = models.BooleanField(
        "streak on the public profile",
        default=False,
        help_text="Show the learner's current and longest streak on their public profile and progress cards.",
    )

    time_zone = models.CharField(
        max_length=64,
        default=DEFAULT_TIME_ZONE,
        validators=[validate_time_zone],
        help_text="The learner's days (streaks, the activity calendar) start at midnight in this IANA zone.",
    )

    digest_is_on = models.BooleanField(
        "weekly digest by email",
        default=False,
        help_text="Send the learner a weekly summary by email. Off until they opt in.",
    )
    digest_weekday = models.PositiveSmallIntegerField(
        "digest day",
        choices=WEEKDAY_CHOICES,
        default=0,
        help_text="The day of the week the digest comes, in the learner's time zone.",
    )
    study_starts_at = models.TimeField(
        "study sessions start",
        default=time(19, 0),
        help_text="When the study sessions of the learner's calendar feed start, in their time zone.",
    )
    # The secret of the learner's private calendar feed (/calendar/<token>.ics); empty while it is off.
    calendar_token = models.CharField(
        "calendar feed token",
        max_length=64,
        blank=True,
        default="",
        help_text="The secret part of the learner's calendar feed address; empty while the feed is off.",
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            models.UniqueConstraint(
                Lower("username"),
                name="user_username_unique_ignoring_case",
                violation_error_message="A user with that handle already exists.",
            ),
            models.UniqueConstraint(
                fields=["calendar_token"],
                condition=~models.Q(calendar_token=""),
                name="user_calendar_token_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(digest_weekday__gte=0, digest_weekday__lte=6),
                name="user_digest_weekday_valid",
            ),
        ]

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The learner's time zone (UTC if the stored name is unknown to this system)."""
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo(DEFAULT_TIME_ZONE)


def users_with_handle(handle: str):
    """The user whose handle is `handle` ignoring case: at most one, the database refuses a second."""
    return User.objects.alias(handle_key=Lower("username")).filter(handle_key=Lower(models.Value(handle)))
