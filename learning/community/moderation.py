"""Curators' decisions on what learners wrote: accepting or rejecting suggested resources, hiding or
restoring reviews (which resolves their open reports). Keyword-only functions, each in a transaction."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from learning.catalogue.models import Resource
from learning.community.models import (
    ProjectFeedback,
    ProjectFlag,
    ProjectSubmission,
    Rating,
    ResourceSuggestion,
    ReviewFlag,
    SuggestionStatus,
)
from learning.community.services import REJECTION_MAX_LENGTH, bounded_text


class AlreadyDecided(ValidationError):
    """Another curator decided the suggestion first."""


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
    reason = bounded_text(
        reason, field="reason", max_length=REJECTION_MAX_LENGTH, missing="Say why, for the learner."
    )
    return _decide(
        _pending(suggestion), curator=curator, status=SuggestionStatus.REJECTED, rejection_reason=reason
    )


@dataclass(frozen=True)
class Moderation:
    reviews: int  # rows decided (reviews, projects or feedback)
    changed: int  # of those, how many were hidden or shown by this decision
    flags_resolved: int


@transaction.atomic
def _moderate(model, rows, flags, *, hide: bool) -> Moderation:
    """Hides or shows the rows of `model` and resolves the open reports `flags(ids)` selects."""
    ids = list(rows.values_list("pk", flat=True))
    now = timezone.now()
    changed = model.objects.filter(pk__in=ids).exclude(is_hidden=hide).count()
    model.objects.filter(pk__in=ids).update(is_hidden=hide, moderated_at=now)  # moves the cache tokens
    resolved = flags(ids).update(resolved_at=now)
    return Moderation(reviews=len(ids), changed=changed, flags_resolved=resolved)


def _review_flags(ids):
    return ReviewFlag.objects.open().filter(rating_id__in=ids)


def hide_reviews(*, ratings) -> Moderation:
    """Hides the reviews (not shown, not counted in averages) and resolves their open reports."""
    return _moderate(Rating, ratings, _review_flags, hide=True)


def restore_reviews(*, ratings) -> Moderation:
    """Shows the reviews again, or keeps them shown, and resolves their open reports."""
    return _moderate(Rating, ratings, _review_flags, hide=False)


# ---------- Learners' projects and the feedback on them ----------


def _project_flags(ids):
    return ProjectFlag.objects.open().filter(submission_id__in=ids, feedback__isnull=True)


def _feedback_flags(ids):
    return ProjectFlag.objects.open().filter(feedback_id__in=ids)


def moderate_projects(*, submissions, hide: bool) -> Moderation:
    """Hides projects (shown to no one but their author, counted nowhere) or shows them again; resolves
    the open reports on them."""
    return _moderate(ProjectSubmission, submissions, _project_flags, hide=hide)


def moderate_feedback(*, feedback, hide: bool) -> Moderation:
    """Hides feedback (shown and counted nowhere) or shows it again; resolves the open reports on it."""
    return _moderate(ProjectFeedback, feedback, _feedback_flags, hide=hide)


@transaction.atomic
def feature_projects(*, submissions, featured: bool) -> int:
    """A curator's pick: featured projects come first in a milestone's "Learner projects"."""
    return ProjectSubmission.objects.filter(pk__in=submissions.values("pk")).update(is_featured=featured)
