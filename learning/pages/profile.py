"""The public profile with what several rooms show of a learner: their progress (learning.progress.profiles)
and their portfolio, the projects they shared, per track (learning.community)."""

from learning.community.project_queries import portfolio_of
from learning.progress import profiles


def profile(request, username):
    return profiles.profile(request, username, extra=lambda learner: {"portfolio": portfolio_of(learner)})
