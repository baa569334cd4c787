"""Writes of learner data. Keyword-only functions that validate, then save in a transaction.

Views, the admin and commands call these, so one rule holds everywhere. Each write is idempotent: two
identical requests at once leave one row (the unique constraints decide, and get_or_create retries).
"""

import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.timesince import timeuntil

from learning import versions
from learning.links import ALLOWED_SCHEMES, UnsupportedURL, normalize_url
from learning.models import (
    Bookmark,
    Kind,
    Milestone,
    MilestoneCompletion,
    Rating,
    Resource,
    ResourceSuggestion,
    ReviewFlag,
    Step,
    TopicProgress,
    Track,
    TrackFollow,
)
from learning.models.curation import (
    FLAG_NOTE_MAX_LENGTH,
    SUGGESTION_REASON_MAX_LENGTH,
    FlagReason,
    SuggestionStatus,
)
from learning.models.learner import NOTE_MAX_LENGTH, REVIEW_MAX_LENGTH
from learning.text import clean_learner_text

NOT_STARTED = "not_started"
STATUS_CHOICES = [(NOT_STARTED, "Not started"), *TopicProgress.Status.choices]


@transaction.atomic
def set_topic_status(*, user, topic, status: str) -> TopicProgress | None:
    """Sets a learner's status for a topic; `not_started` removes it. Done keeps its first completion time."""
    if status == NOT_STARTED:
        TopicProgress.objects.filter(user=user, topic=topic).delete()
        return None
    if status not in TopicProgress.Status.values:
        raise ValidationError({"status": f"Unknown status {status!r}."})
    completed_at = timezone.now() if status == TopicProgress.Status.DONE else None
    progress, created = TopicProgress.objects.get_or_create(
        user=user, topic=topic, defaults={"status": status, "completed_at": completed_at}
    )
    if not created and progress.status != status:
        progress.status = status
        progress.completed_at = completed_at
        progress.save(update_fields=["status", "completed_at", "updated_at"])
    return progress


@transaction.atomic
def follow_track(*, user, track: Track) -> None:
    TrackFollow.objects.get_or_create(user=user, track=track)


@transaction.atomic
def unfollow_track(*, user, track: Track) -> None:
    TrackFollow.objects.filter(user=user, track=track).delete()


@transaction.atomic
def set_milestone_done(*, user, milestone: Milestone, done: bool) -> None:
    if done:
        MilestoneCompletion.objects.get_or_create(user=user, milestone=milestone)
        follow_track(user=user, track=milestone.stage.track)
    else:
        MilestoneCompletion.objects.filter(user=user, milestone=milestone).delete()


@transaction.atomic
def reset_track_progress(*, user, track: Track) -> int:
    """Forgets the learner's progress on every topic and milestone of the track; returns rows removed.

    Topics are shared, so their progress goes in every track that contains them: the confirmation page
    lists those topics before the learner agrees.
    """
    topic_ids = Step.objects.filter(track=track).values("topic_id")
    removed, _ = TopicProgress.objects.filter(user=user, topic_id__in=topic_ids).delete()
    completions, _ = MilestoneCompletion.objects.filter(user=user, milestone__stage__track=track).delete()
    return removed + completions


def _checked_note(note: str) -> str:
    note = clean_learner_text(note)
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {"note": f"Keep the note under {NOTE_MAX_LENGTH} characters (it has {len(note)})."}
        )
    return note


@transaction.atomic
def add_bookmark(*, user, resource, note: str = "") -> Bookmark:
    note = _checked_note(note)
    bookmark, created = Bookmark.objects.get_or_create(user=user, resource=resource, defaults={"note": note})
    if not created and note and bookmark.note != note:
        bookmark.note = note
        bookmark.save(update_fields=["note", "updated_at"])
    return bookmark


@transaction.atomic
def remove_bookmark(*, user, resource) -> None:
    Bookmark.objects.filter(user=user, resource=resource).delete()


@transaction.atomic
def update_bookmark_note(*, bookmark: Bookmark, note: str) -> Bookmark:
    bookmark.note = _checked_note(note)
    bookmark.save(update_fields=["note", "updated_at"])
    return bookmark


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


# ---------- Suggestions and review moderation ----------
# Learners suggest resources and report reviews; curators accept or reject suggestions and hide or keep
# reviews (learning/admin/moderation.py).

SUGGESTION_WINDOW = timedelta(hours=24)
SUGGESTION_URL_MAX_LENGTH = ResourceSuggestion._meta.get_field("url").max_length
SUGGESTION_TITLE_MAX_LENGTH = ResourceSuggestion._meta.get_field("title").max_length
REJECTION_MAX_LENGTH = ResourceSuggestion._meta.get_field("rejection_reason").max_length
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


class AlreadyDecided(ValidationError):
    """A curator already accepted or rejected the suggestion."""


def _bounded_text(value, *, field: str, max_length: int, missing: str | None = None) -> str:
    """Cleaned learner text within `max_length`; `missing` makes it required."""
    text = clean_learner_text(value)
    if missing and not text:
        raise ValidationError({field: missing})
    if len(text) > max_length:
        raise ValidationError({field: f"Keep it under {max_length:,} characters (it has {len(text):,})."})
    return text


def _suggested_url(raw: str) -> str:
    """The normalised http(s) URL, or a message saying what is wrong. A bare host assumes https://."""
    text = (raw or "").strip()
    if not text:
        raise ValidationError({"url": SUGGESTION_MISSING["url"]})
    scheme = _SCHEME.match(text)
    if scheme is None:
        text = "https://" + text.lstrip("/")
    elif scheme[1].lower() not in ALLOWED_SCHEMES:
        raise ValidationError(
            {"url": f"Only web links (http:// or https://) can be suggested, not “{scheme[1][:20]}:” links."}
        )
    try:
        url = normalize_url(text)
        URLValidator(schemes=ALLOWED_SCHEMES)(url)
    except (UnsupportedURL, ValidationError):
        raise ValidationError(
            {"url": "That isn't a web address: paste the whole link, such as https://docs.python.org/3/."}
        ) from None
    if len(url) > SUGGESTION_URL_MAX_LENGTH:
        raise ValidationError(
            {"url": f"Links longer than {SUGGESTION_URL_MAX_LENGTH} characters can't be stored."}
        )
    return url


def _suggestion_text(value, field: str) -> str:
    limit = {"title": SUGGESTION_TITLE_MAX_LENGTH, "reason": SUGGESTION_REASON_MAX_LENGTH}[field]
    return _bounded_text(value, field=field, max_length=limit, missing=SUGGESTION_MISSING[field])


def _checked_suggestion(*, url, title, kind, reason) -> dict:
    """The suggestion's fields cleaned, or one ValidationError naming every field that is wrong."""
    checks = {
        "url": lambda: _suggested_url(url),
        "title": lambda: " ".join(_suggestion_text(title, "title").split()),
        "kind": lambda: _checked_choice(kind, Kind.values, field="kind", message=SUGGESTION_MISSING["kind"]),
        "reason": lambda: _suggestion_text(reason, "reason"),
    }
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
    note = _bounded_text(note, field="note", max_length=FLAG_NOTE_MAX_LENGTH)
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


def _pending(suggestion: ResourceSuggestion) -> ResourceSuggestion:
    """The suggestion locked for this transaction, if no curator decided it yet."""
    locked = ResourceSuggestion.objects.select_for_update().get(pk=suggestion.pk)
    if locked.status != SuggestionStatus.PENDING:
        raise AlreadyDecided(f"“{locked.title}” was already {locked.get_status_display().lower()}.")
    return locked


def _decide(suggestion: ResourceSuggestion, *, curator, status, resource=None, rejection_reason=""):
    suggestion.status, suggestion.resource, suggestion.rejection_reason = status, resource, rejection_reason
    suggestion.reviewed_at, suggestion.reviewed_by = timezone.now(), curator
    suggestion.save(update_fields=["status", "resource", "rejection_reason", "reviewed_at", "reviewed_by"])
    return suggestion


@transaction.atomic
def accept_suggestion(*, suggestion: ResourceSuggestion, curator) -> tuple[ResourceSuggestion, bool]:
    """Attaches the suggested link to its topic: the resource with that URL, or a new published one.

    Returns the decided suggestion and whether a resource was created. Creating needs the curator's add
    permission on resources, attaching an existing one their change permission (PermissionDenied); a
    suggestion already decided raises AlreadyDecided.
    """
    suggestion = _pending(suggestion)
    resource = Resource.objects.filter(url=suggestion.url).first()
    needed = "learning.change_resource" if resource else "learning.add_resource"
    if not curator.has_perm(needed):
        raise PermissionDenied(f"Accepting “{suggestion.title}” needs the permission {needed}.")
    created = False
    if resource is None:
        resource, created = Resource.objects.get_or_create(
            url=suggestion.url, defaults={"title": suggestion.title, "kind": suggestion.kind}
        )
    resource.topics.add(suggestion.topic)
    return _decide(suggestion, curator=curator, status=SuggestionStatus.ACCEPTED, resource=resource), created


@transaction.atomic
def reject_suggestion(*, suggestion: ResourceSuggestion, curator, reason: str) -> ResourceSuggestion:
    """Rejects a pending suggestion with a reason the learner reads on their dashboard."""
    reason = _bounded_text(
        reason, field="reason", max_length=REJECTION_MAX_LENGTH, missing="Say why, for the learner."
    )
    return _decide(
        _pending(suggestion), curator=curator, status=SuggestionStatus.REJECTED, rejection_reason=reason
    )


@dataclass(frozen=True)
class Moderation:
    reviews: int  # reviews decided
    changed: int  # of those, how many were hidden or shown by this decision
    flags_resolved: int


@transaction.atomic
def _moderate(ratings, *, hide: bool) -> Moderation:
    ids = list(ratings.values_list("pk", flat=True))
    now = timezone.now()
    changed = Rating.objects.filter(pk__in=ids).exclude(is_hidden=hide).count()
    Rating.objects.filter(pk__in=ids).update(is_hidden=hide, moderated_at=now)
    authors = Rating.objects.filter(pk__in=ids).values_list("user_id", flat=True).distinct()
    versions.bump(versions.STATS, *(versions.learner(user_id) for user_id in authors))
    resolved = ReviewFlag.objects.filter(rating_id__in=ids, resolved_at__isnull=True).update(resolved_at=now)
    return Moderation(reviews=len(ids), changed=changed, flags_resolved=resolved)


def hide_reviews(*, ratings) -> Moderation:
    """Hides the reviews (not shown, not counted in averages) and resolves their open reports."""
    return _moderate(ratings, hide=True)


def restore_reviews(*, ratings) -> Moderation:
    """Shows the reviews again, or keeps them shown, and resolves their open reports."""
    return _moderate(ratings, hide=False)
