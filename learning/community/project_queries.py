"""Reads of learners' projects: a milestone's "Learner projects" (one page of them, with their helpful
counts, checklist met and feedback, read in a constant number of queries), a learner's own project, the
feedback an author has not seen, and the projects of a public profile."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from learning.catalogue.models import Milestone, Track
from learning.community.models import ProjectFeedback, ProjectSubmission, ProjectVote
from plumbing.sql import Read, as_datetime
from plumbing.subqueries import count_of

PROJECTS_PER_PAGE = 10
SORTS = {"newest": "Newest", "helpful": "Most helpful"}
FEEDBACK_ON_DASHBOARD = 5


def helpful_count():
    """A project's votes, as a subquery (a deleted account's votes went with it)."""
    return count_of(ProjectVote.objects.all(), "submission")


def met_count():
    """How many checklist items the project meets, as a subquery over the M2M's table."""
    return count_of(ProjectSubmission.checklist_met.through.objects.all(), "projectsubmission")


def sort_of(given) -> str:
    return given if given in SORTS else "newest"


def gallery(milestone, *, sort: str):
    """The milestone's shown projects in the gallery's order, featured first, then newest or most helpful (a
    queryset: slice a page of it). Each has its author's handle and whether their profile is public (nothing
    else of the author's row), `helpful`, `met` and its shown feedback with its writers' handles
    (`shown_feedback`): the same for every learner. A page reads in two queries (its projects, their
    feedback), whatever their number."""
    order = ["-is_featured", *(["-helpful"] if sort == "helpful" else []), "-created_at", "-pk"]
    feedback = (
        ProjectFeedback.objects.shown()
        .select_related("user")
        .only("user", "submission", "text", "created_at", "user__username")
        .order_by("created_at", "pk")
    )
    return (
        ProjectSubmission.objects.shown()
        .filter(milestone=milestone)
        .select_related("user")
        .only(*CARD_FIELDS, "user__username", "user__profile_is_public")
        .annotate(helpful=helpful_count(), met=met_count())
        .prefetch_related(Prefetch("feedback", queryset=feedback, to_attr="shown_feedback"))
        .order_by(*order)
    )


# What a project's card shows of its row (and what the gallery sorts on).
CARD_FIELDS = ("user", "repository_url", "live_url", "write_up", "is_featured", "created_at")


@dataclass(frozen=True)
class OwnProject:
    """What a milestone's page shows of the learner's own project for it."""

    visibility: str
    is_hidden: bool
    is_featured: bool


@dataclass(frozen=True)
class Mine:
    """The learner's own part of a milestone's page: whether they built it, their project for it (or None)
    and which of the listed projects they marked helpful."""

    built: bool = False
    own: OwnProject | None = None
    voted: frozenset[int] = frozenset()


BUILT, OWN, VOTED = "built", "own", "voted"  # the kinds of row of mine()'s query


def mine(user, milestone, project_ids) -> Mine:
    """The learner's own part of the milestone's page, with their votes among `project_ids`: one query
    (UNION ALL: one round trip instead of three); none for a visitor. Hand-written (plumbing.sql)."""
    if not user.is_authenticated:
        return Mine()
    listed = {f"project_{index}": pk for index, pk in enumerate(project_ids)}
    parts = [BUILT_ROWS, OWN_ROWS]
    if listed:
        among = ", ".join(f"%({name})s" for name in listed)
        parts.append(f"{VOTED_ROWS} AND submission_id IN ({among})")
    params = {"user": user.pk, "milestone": milestone.pk, "blank": "", "no": False} | listed
    return Read(" UNION ALL ".join(parts), params, mine_from).run()


# The kinds of mine()'s rows: BUILT, OWN and VOTED (tests/learning/test_hand_written_sql.py checks the texts
# agree), each with an id and the own project's visibility, hidden and featured (blank elsewhere).
BUILT_ROWS = """SELECT 'built', milestone_id, %(blank)s, %(no)s, %(no)s FROM learning_milestonecompletion
    WHERE user_id = %(user)s AND milestone_id = %(milestone)s"""
OWN_ROWS = """SELECT 'own', id, visibility, is_hidden, is_featured FROM learning_projectsubmission
    WHERE user_id = %(user)s AND milestone_id = %(milestone)s"""
VOTED_ROWS = """SELECT 'voted', submission_id, %(blank)s, %(no)s, %(no)s FROM learning_projectvote
    WHERE user_id = %(user)s"""


def mine_from(rows) -> Mine:
    built, own, voted = False, None, set()
    for kind, pk, visibility, is_hidden, is_featured in rows:
        if kind == BUILT:
            built = True
        elif kind == OWN:
            own = OwnProject(visibility=visibility, is_hidden=bool(is_hidden), is_featured=bool(is_featured))
        else:
            voted.add(pk)
    return Mine(built=built, own=own, voted=frozenset(voted))


def shown_count(milestone) -> int:
    return ProjectSubmission.objects.shown().filter(milestone=milestone).count()


def own_project(user, milestone) -> ProjectSubmission | None:
    """The learner's own project for the milestone with the checklist items it meets, or None."""
    if not user.is_authenticated:
        return None
    return (
        ProjectSubmission.objects.filter(user=user, milestone=milestone)
        .prefetch_related("checklist_met")
        .first()
    )


def shown_project(pk) -> ProjectSubmission:
    """A project other learners may see (shared, not hidden, its track published), or 404."""
    return get_object_or_404(
        ProjectSubmission.objects.shown()
        .filter(milestone__track__in=Track.objects.published())
        .select_related("milestone"),
        pk=pk,
    )


def shown_feedback(pk) -> ProjectFeedback:
    """Feedback shown on a shown project (of a published track), or 404."""
    return get_object_or_404(
        ProjectFeedback.objects.shown()
        .filter(submission__in=ProjectSubmission.objects.shown().filter(milestone__track__is_published=True))
        .select_related("submission__milestone"),
        pk=pk,
    )


def new_feedback_for(user, since):
    """Shown feedback others left on the learner's projects (not hidden ones) after `since` (None: ever),
    newest first, with the writer and the project's milestone: for the dashboard and the weekly digest."""
    rows = (
        ProjectFeedback.objects.shown()
        .filter(submission__user=user, submission__is_hidden=False)  # hidden projects count nowhere
        .exclude(user=user)
        .select_related("user", "submission__milestone")
        .order_by("-created_at", "-pk")
    )
    return rows.filter(created_at__gt=since) if since is not None else rows


# new_feedback_for(user, None)'s newest rows, with what the dashboard says of each: who wrote it, on which
# project, when, and what (tests/learning/test_hand_written_sql.py checks that the two agree).
RECENT_FEEDBACK_SQL = """
    SELECT f.id, f.text, f.created_at, u.id, u.username, s.id, m.id, m.title
    FROM learning_projectfeedback f
    JOIN learning_projectsubmission s ON s.id = f.submission_id
    JOIN accounts_user u ON u.id = f.user_id
    JOIN learning_milestone m ON m.id = s.milestone_id
    WHERE s.user_id = %(user)s AND s.is_hidden = %(hidden)s AND f.is_hidden = %(hidden)s
      AND f.user_id <> %(user)s
    ORDER BY f.created_at DESC, f.id DESC
    LIMIT %(feedback)s
"""


def recent_feedback_for(user) -> list:
    """The newest feedback on the learner's projects, as the dashboard shows it: one query, hand-written
    (plumbing.sql)."""
    return recent_feedback_read(user).run()


def recent_feedback_read(user) -> Read:
    def parse(rows) -> list:
        return [
            ProjectFeedback(
                id=pk,
                text=text,
                created_at=as_datetime(created_at),
                user=get_user_model()(id=writer_id, username=username),
                submission=ProjectSubmission(
                    id=submission_id, user_id=user.pk, milestone=Milestone(id=milestone_id, title=title)
                ),
            )
            for pk, text, created_at, writer_id, username, submission_id, milestone_id, title in rows
        ]

    params = {"user": user.pk, "hidden": False, "feedback": FEEDBACK_ON_DASHBOARD}
    return Read(RECENT_FEEDBACK_SQL, params, parse)


@dataclass(frozen=True)
class PortfolioTrack:
    track: Track
    projects: list


def portfolio_of(learner) -> list[PortfolioTrack]:
    """The learner's shown projects grouped by their milestone's published track (track order, then the
    milestone's): one query."""
    rows = (
        ProjectSubmission.objects.shown()
        .filter(user=learner, milestone__track__is_published=True)
        .select_related("milestone__track", "milestone__stage")
        .annotate(helpful=helpful_count())
        .order_by("milestone__track__position", "milestone__track__title", "milestone__stage__position", "pk")
    )
    tracks: dict[int, PortfolioTrack] = {}
    for row in rows:
        track = row.milestone.track
        tracks.setdefault(track.pk, PortfolioTrack(track=track, projects=[])).projects.append(row)
    return list(tracks.values())
