"""Public learner profiles, opt-in and off by default, and their embeddable SVG progress cards.

A private profile, an inactive user and an unknown handle all answer the same 404, so a profile's existence
never leaks. The owner may look at their own private profile (with a banner); its cards stay 404 until it is
public, because a card is served with a public cache header.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.views.decorators.cache import cache_control

from accounts.models import users_with_handle
from learning.catalogue.models import Track
from learning.progress import queries
from learning.progress.activity import streaks_of
from learning.progress.checklist import escape_markdown
from learning.progress.state import learner_state

CARD_WIDTH, CARD_HEIGHT = 400, 120


def visible_learner(username, *, viewer=None):
    """The active learner with this handle (any case) if their profile is public or is the viewer's own."""
    visible = Q(profile_is_public=True)
    if viewer is not None and viewer.is_authenticated:
        visible |= Q(pk=viewer.pk)
    return get_object_or_404(users_with_handle(username).filter(visible, is_active=True))


@dataclass(frozen=True)
class Embed:
    card_url: str
    markdown: str
    html: str


def embed_for(request, learner, track) -> Embed:
    """The card's absolute URL and copy-able snippets linking it to the profile (plain text, not markup)."""
    card_url = request.build_absolute_uri(
        reverse("learning:progress_card", args=[learner.username, track.slug])
    )
    profile_url = request.build_absolute_uri(reverse("learning:profile", args=[learner.username]))
    alt = f"Progress of {learner.username} on {track.title}"
    return Embed(
        card_url=card_url,
        markdown=f"[![{escape_markdown(alt)}]({card_url})]({profile_url})",
        html=(
            f'<a href="{escape(profile_url)}"><img src="{escape(card_url)}" alt="{escape(alt)}" '
            f'width="{CARD_WIDTH}" height="{CARD_HEIGHT}"></a>'
        ),
    )


def profile(request, username, *, extra=None):
    """The profile page; `extra(learner)`: what other rooms add to its context (learning.pages.profile: the
    learner's projects), read only once the profile is known to be visible."""
    learner = visible_learner(username, viewer=request.user)
    if learner.username != username:
        return redirect("learning:profile", learner.username, permanent=True)
    data = queries.public_profile_of(learner)
    public = learner.profile_is_public
    context = {
        # Only what may be public: never the user object, whose email a template could reach.
        "handle": learner.username,
        "member_since": learner.date_joined,
        "is_public": public,
        "is_own": learner.pk == request.user.pk,
        "following": [
            (track, progress, embed_for(request, learner, track) if public else None)
            for track, progress in data.following
        ],
        "also_progressing": data.also_progressing,
        "recently_done": data.recently_done,
        "done_count": data.done_count,
        "milestones_done": data.milestones_done,
        # Only if the learner chose to show it; the activity calendar itself is never public.
        "streaks": streaks_of(learner) if learner.streak_is_public else None,
        **(extra(learner) if extra else {}),
    }
    return render(request, "learning/profile.html", context)


@cache_control(public=True, max_age=300)
def progress_card(request, username, slug):
    learner = visible_learner(username)
    track = get_object_or_404(Track.objects.published(), slug=slug)
    progress = queries.progress_by_track([track], learner_state(learner))[track.pk]
    context = {
        "handle": learner.username,
        "track": track,
        "progress": progress,
        "streaks": streaks_of(learner) if learner.streak_is_public else None,
    }
    response = render(request, "learning/progress_card.svg", context, content_type="image/svg+xml")
    response["Content-Security-Policy"] = "default-src 'none'"  # an image: nothing may run or load
    response["Cross-Origin-Resource-Policy"] = "cross-origin"  # made to be embedded on other sites
    return response
