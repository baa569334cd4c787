"""What a learner wrote, in their personal-data export (accounts.personal_data): one query per section."""

from accounts.personal_data import export_time, register_section
from learning.community.models import Rating, ResourceSuggestion, ReviewFlag


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


def register() -> None:
    register_section("ratings", ratings)
    register_section("suggestions", suggestions)
    register_section("review_flags", review_flags)
