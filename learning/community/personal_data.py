"""What a learner wrote, in their personal-data export (accounts.personal_data): one query per section."""

from accounts.personal_data import export_time, register_section
from learning.community.models import (
    ProjectFeedback,
    ProjectFlag,
    ProjectSubmission,
    ProjectVote,
    Rating,
    ResourceSuggestion,
    ReviewFlag,
)


def ratings(user) -> list[dict]:
    return [
        {
            "url": rating.resource.url,
            "title": rating.resource.title,
            "stars": rating.stars,
            "review": rating.review,
            "hidden_by_moderator": rating.is_hidden,
            "created_at": export_time(rating.created_at),
            "updated_at": export_time(rating.updated_at),
        }
        for rating in Rating.objects.filter(user=user).select_related("resource").order_by("pk")
    ]


def suggestions(user) -> list[dict]:
    return [
        {
            "topic": suggestion.topic.slug,
            "url": suggestion.url,
            "title": suggestion.title,
            "kind": suggestion.kind,
            "why": suggestion.reason,
            "status": suggestion.status,
            "rejection_reason": suggestion.rejection_reason,
            "created_at": export_time(suggestion.created_at),
        }
        for suggestion in ResourceSuggestion.objects.filter(user=user).select_related("topic").order_by("pk")
    ]


def review_flags(user) -> list[dict]:
    return [
        {
            "review_of": flag.rating.resource.url,
            "reason": flag.reason,
            "note": flag.note,
            "created_at": export_time(flag.created_at),
        }
        for flag in ReviewFlag.objects.filter(user=user).select_related("rating__resource").order_by("pk")
    ]


def project_submissions(user) -> list[dict]:
    rows = (
        ProjectSubmission.objects.filter(user=user)
        .select_related("milestone")
        .prefetch_related("checklist_met")
        .order_by("pk")
    )
    return [
        {
            "milestone": project.milestone.slug,
            "repository_url": project.repository_url,
            "live_url": project.live_url,
            "write_up": project.write_up,
            "checklist_met": [item.text for item in project.checklist_met.all()],
            "visibility": project.visibility,
            "featured": project.is_featured,
            "hidden_by_moderator": project.is_hidden,
            "created_at": export_time(project.created_at),
            "updated_at": export_time(project.updated_at),
        }
        for project in rows
    ]


def project_feedback(user) -> list[dict]:
    rows = ProjectFeedback.objects.filter(user=user).select_related("submission__milestone").order_by("pk")
    return [
        {
            "on_project_for": feedback.submission.milestone.slug,
            "text": feedback.text,
            "hidden_by_moderator": feedback.is_hidden,
            "created_at": export_time(feedback.created_at),
        }
        for feedback in rows
    ]


def project_votes(user) -> list[dict]:
    rows = ProjectVote.objects.filter(user=user).select_related("submission__milestone").order_by("pk")
    return [
        {"helpful_project_for": vote.submission.milestone.slug, "created_at": export_time(vote.created_at)}
        for vote in rows
    ]


def project_flags(user) -> list[dict]:
    rows = ProjectFlag.objects.filter(user=user).select_related("submission__milestone").order_by("pk")
    return [
        {
            "reported": "feedback" if flag.feedback_id else "project",
            "on_project_for": flag.submission.milestone.slug,
            "reason": flag.reason,
            "note": flag.note,
            "created_at": export_time(flag.created_at),
        }
        for flag in rows
    ]


def register() -> None:
    register_section("ratings", ratings)
    register_section("suggestions", suggestions)
    register_section("review_flags", review_flags)
    register_section("project_submissions", project_submissions)
    register_section("project_feedback", project_feedback)
    register_section("project_votes", project_votes)
    register_section("project_flags", project_flags)
