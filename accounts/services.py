"""Writes of a learner's account settings: keyword-only, validated, in one transaction."""

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import users_with_handle, validate_time_zone

HANDLE_MIN_LENGTH = 3
HANDLE_MAX_LENGTH = 30
HANDLE_PATTERN = re.compile(r"[A-Za-z0-9_-]+")
HANDLE_RULE = f"{HANDLE_MIN_LENGTH} to {HANDLE_MAX_LENGTH} letters, digits, hyphens (-) or underscores (_)"
HANDLE_TAKEN = "That handle is taken. Please choose another one."


def check_handle(handle: str, *, user) -> None:
    """Refuses a handle that breaks the rules or that another user has (ignoring case)."""
    if len(handle) < HANDLE_MIN_LENGTH:
        raise ValidationError(f"Your handle must be at least {HANDLE_MIN_LENGTH} characters long.")
    if len(handle) > HANDLE_MAX_LENGTH:
        raise ValidationError(
            f"Your handle can be at most {HANDLE_MAX_LENGTH} characters long (this one has {len(handle)})."
        )
    if not HANDLE_PATTERN.fullmatch(handle):
        raise ValidationError(
            "Use only letters (a–z, A–Z), digits, hyphens (-) and underscores (_): "
            "no spaces, dots or other symbols."
        )
    if users_with_handle(handle).exclude(pk=user.pk).exists():
        raise ValidationError(HANDLE_TAKEN)


@transaction.atomic
def update_public_profile(*, user, handle: str, is_public: bool, streak_is_public: bool) -> None:
    """Sets the learner's public handle, whether their profile is public and whether it shows their streak."""
    try:
        check_handle(handle, user=user)
    except ValidationError as error:
        raise ValidationError({"username": error.messages}) from error
    before = user.username, user.profile_is_public, user.streak_is_public
    user.username, user.profile_is_public, user.streak_is_public = handle, is_public, streak_is_public
    try:
        with transaction.atomic():
            # A save, not an update: its signals drop the cached user and move the learner's page tokens
            # (and the public ones, since the handle shows next to their reviews).
            user.save(update_fields=["username", "profile_is_public", "streak_is_public"])
    except IntegrityError as error:  # another learner took the handle between the check and the save
        user.username, user.profile_is_public, user.streak_is_public = before
        raise ValidationError({"username": [HANDLE_TAKEN]}) from error


@transaction.atomic
def update_time_zone(*, user, time_zone: str) -> None:
    """Sets the zone whose midnight starts the learner's days. Days already recorded keep the date they had
    where the learner was then; only what comes next is dated in the new zone."""
    try:
        validate_time_zone(time_zone)
    except ValidationError as error:
        raise ValidationError({"time_zone": error.messages}) from error
    user.time_zone = time_zone
    user.save(update_fields=["time_zone"])  # its signals move the learner's page tokens
