"""The learner's dashboard (/me/): their tracks, goals, calendar, reviews, suggestions and the feedback on
their projects, read in five queries whatever their number, six for a learner who suggested resources
(tests/learning/test_learner_data.py counts them).

The learner's statuses, built milestones, followed tracks, weekly goals with this week's work and their
counts come in one query (DASHBOARD_ROWS); the tracks and their outlines are the catalogue version's memo.
The reads are hand-written SQL (plumbing.sql): through the ORM, building them cost more than running them."""

from dataclasses import dataclass, fields

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from learning.catalogue import queries
from learning.community.project_queries import recent_feedback_read
from learning.community.queries import Suggestions, suggestions_of
from learning.pages.views import learners_date
from learning.progress import activity, goals, state
from learning.progress import queries as progress_queries
from plumbing import cache_tokens
from plumbing.page_cache import cached_page
from plumbing.sql import Read, read_together


@login_required
@cached_page(cache_tokens.CATALOGUE, vary=learners_date)  # streaks and reviews move at the learner's midnight
def dashboard(request):
    user = request.user
    today = activity.learners_day(user)
    # Every read at once (one round trip on PostgreSQL); the learner's suggestions only if they made some.
    rows, recent, year, (due, _), first_due, feedback = read_together(
        Read(DASHBOARD_ROWS, goals.week_params(user, today) | {"today": today, "published": True}, list),
        progress_queries.recently_done_read(user),
        activity.activity_read(user, today),
        progress_queries.due_reviews_read(user, today, counted=True),
        progress_queries.first_due_read(user),
        recent_feedback_read(user),
    )
    board = progress_queries.dashboard_of(state.record_from(rows), recent)
    tallies = tallies_from(rows)
    context = {
        "dashboard": board,
        "tallies": tallies,
        "cards": goal_cards(board, goals.goals_from(rows, today), today),
        "activity": year,
        "reviews": progress_queries.due_reviews_of(due, tallies.reviews_due, first_due),
        # Read only when the learner has made any (few do): their count came with the tallies.
        "suggestions": suggestions_of(user) if tallies.suggestions else Suggestions(shown=[], more=False),
        "project_feedback": feedback,
    }
    return render(request, "learning/dashboard.html", context)


@dataclass(frozen=True)
class Tallies:
    bookmarks: int = 0
    notes: int = 0
    ratings: int = 0  # hidden ones too: they are still the learner's
    reviews_due: int = 0  # of published topics, on the learner's today or earlier
    suggestions: int = 0  # resources they suggested


# How many of each the learner has, as (field of Tallies, count, NULL, NULL) rows.
TALLY_ROWS = """
    SELECT 'bookmarks', COUNT(*), NULL, NULL FROM learning_bookmark WHERE user_id = %(user)s
    UNION ALL SELECT 'notes', COUNT(*), NULL, NULL FROM learning_topicnote WHERE user_id = %(user)s
    UNION ALL SELECT 'ratings', COUNT(*), NULL, NULL FROM learning_rating WHERE user_id = %(user)s
    UNION ALL SELECT 'reviews_due', COUNT(*), NULL, NULL
    FROM learning_topicreview r JOIN learning_topic t ON t.id = r.topic_id
    WHERE r.user_id = %(user)s AND r.due <= %(today)s AND t.is_published = %(published)s
    UNION ALL SELECT 'suggestions', COUNT(*), NULL, NULL FROM learning_resourcesuggestion
    WHERE user_id = %(user)s
"""
TALLY_KINDS = frozenset(field.name for field in fields(Tallies))

# Everything the dashboard counts or knows by id, in one query: the learner's goals and this week's work
# (first: their columns are all typed), statuses, built milestones, followed tracks and tallies.
# Hand-written (plumbing.sql); tests/learning/test_hand_written_sql.py checks each part.
DASHBOARD_ROWS = " UNION ALL ".join([goals.GOALS_AND_WEEK_ROWS, state.LEARNER_RECORD_ROWS, TALLY_ROWS])


def tallies_from(rows) -> Tallies:
    """The Tallies in TALLY_ROWS' rows; rows of other kinds are someone else's."""
    return Tallies(**{kind: count for kind, count, *_ in rows if kind in TALLY_KINDS})


def goal_cards(board, goals_and_week: tuple[dict, goals.WeekDone], today) -> list:
    """[(track, progress, its weekly goal's projection or None)] for the dashboard's followed tracks, from
    the learner's goals and this week's work (goals.goals_from); each track's steps and milestones are the
    catalogue version's memo (track_outlines, already read for the progress), the learner's state the
    dashboard's."""
    goal_of, week = goals_and_week
    outlines = queries.track_outlines() if goal_of else {}
    empty = queries.TrackOutline()
    cards = []
    for track, progress in board.in_progress:
        goal = goal_of.get(track.pk)
        projection = None
        if goal is not None:
            outline = outlines.get(track.pk, empty)
            projection = goals.projection(goal, outline.steps, outline.milestones, board.state, week, today)
        cards.append((track, progress, projection))
    return cards
