"""Writes of learners' projects: submitting one for a milestone built, marking another's helpful, leaving
feedback, reporting a project or feedback. Keyword-only functions that validate, then save in a
transaction; a refusal is a ValidationError and stores nothing.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from learning.community.models import (
    FEEDBACK_MAX_LENGTH,
    FLAG_NOTE_MAX_LENGTH,
    PROJECT_WRITE_UP_MAX_LENGTH,
    FlagReason,
    ProjectFeedback,
    ProjectFlag,
    ProjectSubmission,
    ProjectVote,
    Visibility,
)
from learning.community.services import all_checked, bounded_text, public_url
from learning.progress.models import MilestoneCompletion

NOT_BUILT = "Mark the milestone as built first: projects are for milestones you built."
REPOSITORY_MISSING = "Paste the link to your project's repository."
NOT_THIS_MILESTONE = "Choose only items of this milestone's checklist."
VISIBILITY_MISSING = "Choose who may see your project."
FEEDBACK_MISSING = "Write your feedback first."
OWN_PROJECT = "You can't mark your own project as helpful."
ALREADY_REPORTED = "You already reported this."
REASON_MISSING = "Choose why you are reporting it."


def _project_fields(milestone, *, repository_url, live_url, write_up, checklist_met, visibility) -> dict:
    """The submission's fields cleaned, or one ValidationError naming every field that is wrong."""
    checks = {
        "repository_url": lambda: public_url(
            repository_url, field="repository_url", missing=REPOSITORY_MISSING, verb="shared"
        ),
        "live_url": lambda: (
            public_url(live_url, field="live_url", missing="", verb="shared")
            if (live_url or "").strip()
            else ""
        ),
        "write_up": lambda: bounded_text(write_up, field="write_up", max_length=PROJECT_WRITE_UP_MAX_LENGTH),
        "checklist_met": lambda: _items_of(milestone, checklist_met),
        "visibility": lambda: _visibility(visibility),
    }
    return all_checked(checks)


def _items_of(milestone, ids) -> list:
    """The milestone's checklist items with these ids; an id of any other item (or none) is refused."""
    try:
        wanted = {int(pk) for pk in ids or ()}
    except (TypeError, ValueError):
        raise ValidationError({"checklist_met": NOT_THIS_MILESTONE}) from None
    items = list(milestone.checklist.filter(pk__in=wanted))
    if len(items) != len(wanted):
        raise ValidationError({"checklist_met": NOT_THIS_MILESTONE})
    return items


def _visibility(value) -> str:
    if value not in Visibility.values:
        raise ValidationError({"visibility": VISIBILITY_MISSING})
    return value


@transaction.atomic
def submit_project(
    *, user, milestone, repository_url, live_url="", write_up="", checklist_met=(), visibility
) -> tuple[ProjectSubmission, bool]:
    """Creates or replaces the learner's one project for a milestone they marked as built; returns it and
    whether it is new. A moderator's decisions (hidden) and a curator's (featured) stay as they were."""
    if not MilestoneCompletion.objects.filter(user=user, milestone=milestone).exists():
        raise ValidationError(NOT_BUILT)
    fields = _project_fields(
        milestone,
        repository_url=repository_url,
        live_url=live_url,
        write_up=write_up,
        checklist_met=checklist_met,
        visibility=visibility,
    )
    items = fields.pop("checklist_met")
    submission, created = ProjectSubmission.objects.select_for_update().get_or_create(
        user=user, milestone=milestone, defaults=fields
    )
    if not created:
        for name, value in fields.items():
            setattr(submission, name, value)
        submission.save(update_fields=[*fields, "updated_at"])
    submission.checklist_met.set(items)
    return submission, created


@transaction.atomic
def delete_project(*, user, milestone) -> bool:
    """Deletes the learner's project for the milestone (its votes, feedback and reports go with it)."""
    deleted, _ = ProjectSubmission.objects.filter(user=user, milestone=milestone).delete()
    return bool(deleted)


@transaction.atomic
def mark_helpful(*, user, submission: ProjectSubmission, helpful: bool = True) -> bool:
    """Marks (or unmarks) another learner's shared project as helpful, once: marking again changes nothing.
    Returns whether the learner now finds it helpful."""
    if submission.user_id == user.pk:
        raise ValidationError(OWN_PROJECT)
    if not helpful:
        ProjectVote.objects.filter(user=user, submission=submission).delete()
        return False
    try:
        with transaction.atomic():
            ProjectVote.objects.get_or_create(user=user, submission=submission)
    except IntegrityError:  # a concurrent twin voted first: one vote it is
        pass
    return True


@transaction.atomic
def leave_feedback(*, user, submission: ProjectSubmission, text: str) -> ProjectFeedback:
    """Short plain-text feedback on a shared project (shown escaped)."""
    text = bounded_text(text, field="text", max_length=FEEDBACK_MAX_LENGTH, missing=FEEDBACK_MISSING)
    return ProjectFeedback.objects.create(user=user, submission=submission, text=text)


def _report(*, user, submission, feedback, reason, note) -> ProjectFlag:
    if reason not in FlagReason.values:
        raise ValidationError({"reason": REASON_MISSING})
    note = bounded_text(note, field="note", max_length=FLAG_NOTE_MAX_LENGTH)
    if ProjectFlag.objects.filter(user=user, submission=submission, feedback=feedback).exists():
        raise ValidationError(ALREADY_REPORTED)
    try:
        with transaction.atomic():
            return ProjectFlag.objects.create(
                user=user, submission=submission, feedback=feedback, reason=reason, note=note
            )
    except IntegrityError:
        raise ValidationError(ALREADY_REPORTED) from None


@transaction.atomic
def report_project(*, user, submission: ProjectSubmission, reason: str, note: str = "") -> ProjectFlag:
    """Reports another learner's shared project to the moderators, once per learner and project."""
    if submission.user_id == user.pk:
        raise ValidationError("You can't report your own project.")
    return _report(user=user, submission=submission, feedback=None, reason=reason, note=note)


@transaction.atomic
def report_feedback(*, user, feedback: ProjectFeedback, reason: str, note: str = "") -> ProjectFlag:
    """Reports another learner's feedback to the moderators, once per learner and feedback."""
    if feedback.user_id == user.pk:
        raise ValidationError("You can't report your own feedback.")
    return _report(user=user, submission=feedback.submission, feedback=feedback, reason=reason, note=note)
