"""Everything a learner owns, as a JSON-ready document, and deleting all of it with the account.

The export holds the account, its email addresses and linked logins (never a password hash or token), and
every learner row: followed tracks, topic progress, milestones, bookmarks with notes, ratings and reviews,
suggestions and review flags. Deleting the account deletes all of those with it (their foreign keys
cascade); curated content a learner's suggestion created stays, without a link back to them.
"""

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import logout
from django.db import transaction
from django.utils import timezone

from learning.models import (
    Bookmark,
    MilestoneCompletion,
    Rating,
    ResourceSuggestion,
    ReviewFlag,
    TopicProgress,
    TrackFollow,
)

EXPORT_VERSION = 1


def _time(value):
    return value.isoformat() if value else None


def export_for(user) -> dict:
    """All of the user's data; one query per kind of row, whatever their number."""
    return {
        "format": "roadmap-personal-data",
        "version": EXPORT_VERSION,
        "exported_at": _time(timezone.now()),
        "account": {
            "handle": user.username,
            "email": user.email,
            "date_joined": _time(user.date_joined),
            "last_login": _time(user.last_login),
            "profile_is_public": user.profile_is_public,
        },
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("pk")
        ],
        "linked_logins": [
            {"provider": account.provider, "uid": account.uid, "date_joined": _time(account.date_joined)}
            for account in SocialAccount.objects.filter(user=user).order_by("pk")
        ],
        "followed_tracks": [
            {"track": follow.track.slug, "title": follow.track.title, "started_at": _time(follow.started_at)}
            for follow in TrackFollow.objects.filter(user=user).select_related("track").order_by("pk")
        ],
        "topic_progress": [
            {
                "topic": progress.topic.slug,
                "title": progress.topic.title,
                "status": progress.status,
                "updated_at": _time(progress.updated_at),
                "completed_at": _time(progress.completed_at),
            }
            for progress in TopicProgress.objects.filter(user=user).select_related("topic").order_by("pk")
        ],
        "milestones_done": [
            {
                "track": done.milestone.stage.track.slug,
                "milestone": done.milestone.title,
                "completed_at": _time(done.completed_at),
            }
            for done in MilestoneCompletion.objects.filter(user=user)
            .select_related("milestone__stage__track")
            .order_by("pk")
        ],
        "bookmarks": [
            {
                "url": mark.resource.url,
                "title": mark.resource.title,
                "note": mark.note,
                "created_at": _time(mark.created_at),
            }
            for mark in Bookmark.objects.filter(user=user).select_related("resource").order_by("pk")
        ],
        "ratings": [
            {
                "url": rating.resource.url,
                "title": rating.resource.title,
                "stars": rating.stars,
                "review": rating.review,
                "hidden_by_moderator": rating.is_hidden,
                "created_at": _time(rating.created_at),
                "updated_at": _time(rating.updated_at),
            }
            for rating in Rating.objects.filter(user=user).select_related("resource").order_by("pk")
        ],
        "suggestions": [
            {
                "topic": suggestion.topic.slug,
                "url": suggestion.url,
                "title": suggestion.title,
                "kind": suggestion.kind,
                "why": suggestion.reason,
                "status": suggestion.status,
                "rejection_reason": suggestion.rejection_reason,
                "created_at": _time(suggestion.created_at),
            }
            for suggestion in ResourceSuggestion.objects.filter(user=user)
            .select_related("topic")
            .order_by("pk")
        ],
        "review_flags": [
            {
                "review_of": flag.rating.resource.url,
                "reason": flag.reason,
                "note": flag.note,
                "created_at": _time(flag.created_at),
            }
            for flag in ReviewFlag.objects.filter(user=user).select_related("rating__resource").order_by("pk")
        ],
    }


@transaction.atomic
def delete_account(request, *, user) -> None:
    """Deletes the account and everything it owns, and ends this session; other sessions end because
    their user no longer exists."""
    user.delete()
    logout(request)
