"""Writes of what learners write for each other and for curators: ratings and reviews, resource
suggestions, reports of reviews. Keyword-only functions that validate, then save in a transaction; each is
idempotent (two identical requests at once leave one row).
"""

import re
from datetime import timedelta
from typing import cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.timesince import timeuntil

from learning.catalogue.links import ALLOWED_SCHEMES, NonPublicURL, UnsupportedURL, normalize_url
from learning.catalogue.models import Kind
from learning.community.models import (
    FLAG_NOTE_MAX_LENGTH,
    REVIEW_MAX_LENGTH,
    SUGGESTION_REASON_MAX_LENGTH,
    FlagReason,
    Rating,
    ResourceSuggestion,
    ReviewFlag,
)
from plumbing.text import clean_learner_text, without_bidi_controls


@transaction.atomic
def rate_resource(*, user, resource, stars: int, review: str = "") -> Rating:
    """Creates or replaces the learner's one rating of the resource."""
    if not isinstance(stars, int) or isinstance(stars, bool) or not 1 <= stars <= 5:
        raise ValidationError({"stars": "Choose from 1 to 5 stars."})
    review = clean_learner_text(review)
    if len(review) > REVIEW_MAX_LENGTH:
        raise ValidationError({"review": f"Keep the review under {REVIEW_MAX_LENGTH} characters."})
    rating, created = Rating.objects.get_or_create(
        user=user, resource=resource, defaults={"stars": stars, "review": review}
    )
    if not created and (rating.stars, rating.review) != (stars, review):
        rating.stars, rating.review = stars, review
        rating.save(update_fields=["stars", "review", "updated_at"])
    return rating


@transaction.atomic
def delete_rating(*, user, resource) -> None:
    Rating.objects.filter(user=user, resource=resource).delete()


# ---------- Suggestions and reports ----------
# Learners suggest resources and report reviews; curators decide them (learning.community.moderation).

SUGGESTION_WINDOW = timedelta(hours=24)
# Char fields always have a max_length; django-stubs types Field.max_length as int | None.
SUGGESTION_URL_MAX_LENGTH = cast(int, ResourceSuggestion._meta.get_field("url").max_length)
SUGGESTION_TITLE_MAX_LENGTH = cast(int, ResourceSuggestion._meta.get_field("title").max_length)
REJECTION_MAX_LENGTH = cast(int, ResourceSuggestion._meta.get_field("rejection_reason").max_length)
SUGGESTION_MISSING = {
    "url": "Paste the link to the resource.",
    "title": "Give the resource's title.",
    "kind": "Choose what kind of resource it is.",
    "reason": "Say in a sentence or two why it is worth a learner's time.",
}
ALREADY_SUGGESTED = "You already suggested this link for this topic."
FLAG_REASON_MISSING = "Choose why you are reporting this review."
ALREADY_REPORTED = "You already reported this review."
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.IGNORECASE)


class AlreadyListed(ValidationError):
    """The suggested link already teaches the topic: `resource` is the listing."""

    def __init__(self, resource):
        super().__init__({"url": f"Already listed: “{resource.title}”."})
        self.resource = resource


class SuggestionLimitReached(ValidationError):
    """The learner made SUGGESTIONS_PER_DAY suggestions in the last 24 hours; `retry_at` says until when."""

    def __init__(self, *, limit: int, retry_at, now):
        local = timezone.localtime(retry_at)
        super().__init__(
            f"You made {limit} suggestions in the last 24 hours, the most we take in a day. You can suggest "
            f"again in {timeuntil(retry_at, now)} (from {local:%H:%M} {local.tzname()} on {local.day} "
            f"{local:%B})."
        )
        self.retry_at = retry_at


def bounded_text(value, *, field: str, max_length: int, missing: str | None = None) -> str:
    """Cleaned learner text within `max_length`; `missing` makes it required."""
    text = clean_learner_text(value)
    if missing and not text:
        raise ValidationError({field: missing})
    if len(text) > max_length:
        raise ValidationError({field: f"Keep it under {max_length:,} characters (it has {len(text):,})."})
    return text


def public_url(raw: str, *, field: str = "url", missing: str, verb: str = "suggested") -> str:
    """The normalised http(s) URL of a public web site, or a ValidationError on `field` saying what is wrong
    (`missing` when empty; `verb`: what the site does with the link, "suggested"). A bare host assumes
    https://."""
    text = without_bidi_controls(raw or "").strip()
    if not text:
        raise ValidationError({field: missing})
    scheme = _SCHEME.match(text)
    if scheme is None:
        text = "https://" + text.lstrip("/")
    elif scheme[1].lower() not in ALLOWED_SCHEMES:
        raise ValidationError(
            {field: f"Only web links (http:// or https://) can be {verb}, not “{scheme[1][:20]}:” links."}
        )
    try:
        url = normalize_url(text)
        URLValidator(schemes=ALLOWED_SCHEMES)(url)
    except NonPublicURL:
        private = "not to this machine or a private network"
        raise ValidationError({field: f"Only links to public web sites can be {verb}, {private}."}) from None
    except (UnsupportedURL, ValidationError):
        raise ValidationError(
            {field: "That isn't a web address: paste the whole link, such as https://docs.python.org/3/."}
        ) from None
    if len(url) > SUGGESTION_URL_MAX_LENGTH:
        raise ValidationError(
            {field: f"Links longer than {SUGGESTION_URL_MAX_LENGTH} characters can't be stored."}
        )
    return url


def _suggestion_text(value, field: str) -> str:
    limit = {"title": SUGGESTION_TITLE_MAX_LENGTH, "reason": SUGGESTION_REASON_MAX_LENGTH}[field]
    return bounded_text(value, field=field, max_length=limit, missing=SUGGESTION_MISSING[field])


def _checked_suggestion(*, url, title, kind, reason) -> dict:
    """The suggestion's fields cleaned, or one ValidationError naming every field that is wrong."""
    checks = {
        "url": lambda: public_url(url, missing=SUGGESTION_MISSING["url"]),
        "title": lambda: " ".join(_suggestion_text(title, "title").split()),
        "kind": lambda: _checked_choice(kind, Kind.values, field="kind", message=SUGGESTION_MISSING["kind"]),
        "reason": lambda: _suggestion_text(reason, "reason"),
    }
    return all_checked(checks)


def all_checked(checks: dict) -> dict:
    """Each field's check run in turn: the cleaned values, or one ValidationError naming every field that
    failed (a form that says all that is wrong at once)."""
    cleaned, errors = {}, {}
    for name, check in checks.items():
        try:
            cleaned[name] = check()
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _checked_choice(value, choices, *, field: str, message: str) -> str:
    if value not in choices:
        raise ValidationError({field: message})
    return value


def _check_daily_limit(user, now) -> None:
    limit = settings.SUGGESTIONS_PER_DAY
    recent = list(
        ResourceSuggestion.objects.filter(user=user, created_at__gt=now - SUGGESTION_WINDOW)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:limit]
    )
    if len(recent) >= limit:
        # The window frees a place when the oldest of the last `limit` suggestions is a day old.
        raise SuggestionLimitReached(limit=limit, retry_at=recent[-1] + SUGGESTION_WINDOW, now=now)


def _created_once(model, *, duplicate: ValidationError, **fields):
    """Creates the row; a concurrent twin caught by the unique constraint becomes `duplicate`."""
    try:
        with transaction.atomic():
            return model.objects.create(**fields)
    except IntegrityError:
        unique = {name: fields[name] for name in ("user", "topic", "rating", "url") if name in fields}
        if model.objects.filter(**unique).exists():
            raise duplicate from None
        raise


@transaction.atomic
def suggest_resource(*, user, topic, url, title, kind, reason) -> ResourceSuggestion:
    """Queues a learner's suggestion of a link for a topic for the curators.

    Refuses (ValidationError) a non-http(s) or malformed URL, missing or overlong text, a link the learner
    already suggested for the topic, a link the topic already lists (AlreadyListed) and more than
    SUGGESTIONS_PER_DAY suggestions in 24 hours (SuggestionLimitReached). Nothing is stored when refused.
    """
    cleaned = _checked_suggestion(url=url, title=title, kind=kind, reason=reason)
    # One learner's suggestions queue behind each other, so the daily limit holds under concurrent posts.
    list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))
    if ResourceSuggestion.objects.filter(user=user, topic=topic, url=cleaned["url"]).exists():
        raise ValidationError({"url": ALREADY_SUGGESTED})
    listed = topic.resources.filter(url=cleaned["url"]).first()
    if listed is not None:
        raise AlreadyListed(listed)
    _check_daily_limit(user, timezone.now())
    return _created_once(
        ResourceSuggestion,
        duplicate=ValidationError({"url": ALREADY_SUGGESTED}),
        user=user,
        topic=topic,
        **cleaned,
    )


@transaction.atomic
def flag_review(*, user, rating: Rating, reason: str, note: str = "") -> ReviewFlag:
    """Reports another learner's shown review to the moderators, once per learner and review."""
    if rating.user_id == user.pk:
        raise ValidationError("You can't report your own review.")
    if rating.is_hidden:
        raise ValidationError("A moderator already hid this review.")
    reason = _checked_choice(reason, FlagReason.values, field="reason", message=FLAG_REASON_MISSING)
    note = bounded_text(note, field="note", max_length=FLAG_NOTE_MAX_LENGTH)
    if ReviewFlag.objects.filter(user=user, rating=rating).exists():
        raise ValidationError(ALREADY_REPORTED)
    return _created_once(
        ReviewFlag,
        duplicate=ValidationError(ALREADY_REPORTED),
        user=user,
        rating=rating,
        reason=reason,
        note=note,
    )


# ---------- Curated rows taken over by others (the content loader's `replaces`) ----------


def move_ratings(*, old, new) -> None:
    """Ratings (with their reviews and reports) of resource `old` move to `new`; a learner who rated both
    keeps the rating they changed last. Suggestions that led to `old` now point at `new`."""
    for rating in Rating.objects.filter(resource=old):
        kept = Rating.objects.filter(user_id=rating.user_id, resource=new).first()
        if kept is not None and kept.updated_at >= rating.updated_at:
            rating.delete()
            continue
        if kept is not None:
            kept.delete()
        rating.resource = new
        rating.save(update_fields=["resource"])
    ResourceSuggestion.objects.filter(resource=old).update(resource=new)


def move_topic_suggestions(*, old, new: list) -> None:
    """Suggestions made on a replaced topic go to the first topic replacing it, so curators still see them."""
    ResourceSuggestion.objects.filter(topic=old).update(topic=new[0])
