"""The track page's bulk, its map and its stages of nodes, rendered once per catalogue version and audience,
with the learner's state laid onto it per request (plumbing/overlay.py).

A track of a hundred steps renders a hundred nodes; through templates that is most of the page's time, and
it would be the same for every learner but for a few words per node. So the nodes are rendered once per
catalogue version (any curated change moves it) for each audience: visitors, learners, and staff (who see
drafts) as either; kept in this process's memory; and each request fills the slots from the learner's state
(statuses, milestones built, the next step, the messages said at a node), a string join.

The rest of the page's main part (its head, what changed, the intro, the links, the form around the nodes) is
rendered with them, in the shared context (nothing of the person who asked first: the CSRF token is a slot);
what is the learner's own there (their progress, follow button and weekly goal) is an `include` slot, the
template rendered per request in the page's context. The frame (track_detail.html) renders the head.
"""

from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from learning.catalogue import queries
from learning.catalogue.models import Track
from learning.progress.services import NOT_STARTED, STATUS_CHOICES
from learning.progress.state import LearnerState, TrackProgress
from plumbing import cache_tokens, overlay
from plumbing.markdown import render_markdown


@dataclass(frozen=True)
class TrackSkeleton:
    """What every learner's page of one track shares: read it, never change it (requests share it)."""

    track: Track
    steps: list  # in track order
    milestones: list
    # The page's main part: its head, the map, the stages of nodes; the learner's own bits are slots.
    main: overlay.Overlay


def track_skeleton(request, slug) -> TrackSkeleton:
    """The track's shared part as this request's audience sees it (404 for a track it may not see)."""
    user = request.user
    staff = bool(user.is_active and user.is_staff)  # as `visible_to`: staff see drafts
    learner = user.is_authenticated
    version = cache_tokens.current(request, cache_tokens.CATALOGUE)
    return overlay.memo(("track", slug, version, staff, learner), lambda: _build(request, slug, learner))


def _build(request, slug, learner) -> TrackSkeleton:
    track = queries.track_for_roadmap(request.user, slug)
    stages = list(track.stages.all())
    for stage in stages:
        _count_hours(stage)
    steps = [step for stage in stages for step in stage.steps.all()]
    milestones = [milestone for stage in stages for milestone in stage.milestones.all()]
    context = {"track": track, "stages": stages, "learner": learner}
    # The page's main part around them is rendered in the shared context (plumbing.overlay), so nothing of
    # the person who asked first is kept: its CSRF token is a slot, their progress an "include" slot.
    main = render_to_string(
        "learning/track_main.html",
        overlay.shared_context(request.path, authenticated=learner)
        | context
        | {
            "topic_count": len(steps),
            "milestone_count": len(milestones),
            "hours": sum(stage.hours for stage in stages),
            "changes": queries.track_changes(track),
            "intro": mark_safe(render_markdown(track.body)) if track.body else "",  # noqa: S308 - nh3-sanitised
            "map": render_to_string("includes/track_map.html", context, request),
            "roadmap": render_to_string("learning/track_roadmap.html", context, request),
        },
    )
    return TrackSkeleton(track=track, steps=steps, milestones=milestones, main=overlay.Overlay.of(main))


def _count_hours(stage) -> None:
    """A stage's `hours` (its required steps' topics and its milestones, as far as they are estimated) and
    `optional_hours` (its optional steps' topics), from the rows already read."""
    steps = list(stage.steps.all())
    stage.hours = sum(step.topic.hours or 0 for step in steps if not step.is_optional) + sum(
        milestone.hours or 0 for milestone in stage.milestones.all()
    )
    stage.optional_hours = sum(step.topic.hours or 0 for step in steps if step.is_optional)


STATE_SAID = {NOT_STARTED: "not started"}
# A node's select, by its status: each option sends its label (learning/progress/forms.py), no closing tags.
OPTIONS = {
    chosen: mark_safe(  # noqa: S308 - the status choices' own labels
        "".join(f"<option{' selected' if value == chosen else ''}>{label}" for value, label in STATUS_CHOICES)
    )
    for chosen, _ in STATUS_CHOICES
}
BUILT_LABEL = mark_safe(' · <span class="milestone__done">✓ Built</span>')
CURRENT = mark_safe(' aria-current="step"')


MILESTONE_SLOTS = {
    # slot: (its text when built, when not built yet)
    "milestone": (" milestone--done", ""),
    "milestone-label": (BUILT_LABEL, ""),
    "milestone-primary": ("", " button--primary"),
    "milestone-value": ("0", "1"),
    "milestone-action": ("Mark as not built yet", "I built it ✓"),
    "map-built": (" is-built", ""),
    "built": ("built", "not built yet"),
    "built-said": ("You built it.", "Not built yet."),
}


def milestone_fillers(built: bool) -> dict:
    """The slots of one milestone's page (its control), for a learner who built it or not."""
    chosen = 0 if built else 1
    return {kind: (lambda key, text=texts[chosen]: text) for kind, texts in MILESTONE_SLOTS.items()}


def fillers(state: LearnerState, progress: TrackProgress) -> dict:
    """Each slot kind of the track's fragments → the function from a slot's key to its text."""
    statuses = {str(topic_id): status for topic_id, status in state.statuses.items()}
    built = {str(pk) for pk in state.milestones_done}
    next_step: Any = progress.next_step
    next_id = str(next_step.topic_id) if next_step else None

    def status(key):
        return statuses.get(key, NOT_STARTED)

    def options(key):
        return OPTIONS[status(key)]

    def either(done, not_done):
        return lambda key: done if key in built else not_done

    return {
        "status": status,
        "options": options,
        "state": lambda key: STATE_SAID.get(status(key), status(key)),
        "next": lambda key: ", your next step" if key == next_id else "",
        "current": lambda key: CURRENT if key == next_id else "",
        **{kind: either(*texts) for kind, texts in MILESTONE_SLOTS.items()},
    }
