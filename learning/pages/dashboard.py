"""The learner's dashboard (/me/): their tracks, goals, calendar, reviews, suggestions and the feedback on
their projects, read in seven queries whatever their number, eight for a learner who suggested resources
(tests/learning/test_learner_data.py counts them).

The learner's statuses, built milestones and followed tracks come in one query (learner_record), and
so do their counts (tallies_of); the tracks and their outlines are the catalogue version's memo."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from learning.catalogue import queries
from learning.community.project_queries import recent_feedback_for
from learning.community.queries import Suggestions, suggestions_of
from learning.pages.views import learners_date
from learning.progress import activity, goals
from learning.progress import queries as progress_queries
from learning.progress.forms import ReviewAnswerForm
from plumbing import cache_tokens
from plumbing.page_cache import cached_page
from plumbing.sql import fetch_one


@login_required
@cached_page(cache_tokens.CATALOGUE, vary=learners_date)  # streaks and reviews move at the learner's midnight
def dashboard(request):
    user = request.user
    today = activity.learners_day(user)
    board = progress_queries.dashboard_for(user)
    tallies = tallies_of(user, today)
    context = {
        "dashboard": board,
        "tallies": tallies,
        "cards": goal_cards(user, board, today),
        "activity": activity.activity_of(user, today),
        "reviews": progress_queries.due_reviews(user, today, due_count=tallies.reviews_due),
        "review_form": ReviewAnswerForm(),
        # Read only when the learner has made any (few do): their count came with the tallies.
        "suggestions": suggestions_of(user) if tallies.suggestions else Suggestions(shown=[], more=False),
        "project_feedback": recent_feedback_for(user),
    }
    return render(request, "learning/dashboard.html", context)


@dataclass(frozen=True)
class Tallies:
    bookmarks: int
    notes: int
    ratings: int  # hidden ones too: they are still the learner's
    reviews_due: int  # on the learner's today or earlier
    suggestions: int  # resources they suggested


TALLIES_SQL = """
    SELECT
        (SELECT COUNT(*) FROM learning_bookmark WHERE user_id = %(user)s),
        (SELECT COUNT(*) FROM learning_topicnote WHERE user_id = %(user)s),
        (SELECT COUNT(*) FROM learning_rating WHERE user_id = %(user)s),
        (SELECT COUNT(*) FROM learning_topicreview r JOIN learning_topic t ON t.id = r.topic_id
         WHERE r.user_id = %(user)s AND r.due <= %(today)s AND t.is_published = %(published)s),
        (SELECT COUNT(*) FROM learning_resourcesuggestion WHERE user_id = %(user)s)
"""


def tallies_of(user, today) -> Tallies:
    """How many bookmarks, notes, ratings, reviews of published topics due by `today` and suggestions the
    learner has: one query. Hand-written (plumbing.sql)."""
    return Tallies(*fetch_one(TALLIES_SQL, {"user": user.pk, "today": today, "published": True}))


def goal_cards(user, board, today) -> list:
    """[(track, progress, its weekly goal's projection or None)] for the dashboard's followed tracks: one
    query reads every goal and this week's work; each track's steps and milestones are the catalogue
    version's memo (track_outlines, already read for the progress), the learner's state the dashboard's."""
    goal_of, week = goals.goals_and_week(user, today)
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
