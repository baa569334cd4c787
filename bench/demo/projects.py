"""Learners' projects in the demo data: a small share of the milestones learners built come with a project
(most of them shared), and other demo learners mark some of the shared ones helpful and leave feedback."""

from datetime import timedelta

from bench.demo.learners import Ids, completion_rows
from bench.demo.rows import insert_rows
from bench.demo.spread import _at, _rng
from bench.demo.words import REVIEW_DETAILS, REVIEW_OPENINGS
from learning.models import ProjectFeedback, ProjectSubmission, ProjectVote

PROJECT_SHARE = 0.2  # of the milestones built, the share submitted as a project
PRIVATE_SHARE = 0.2  # of the projects, the share kept private
MOST_VOTES = 4  # helpful marks per shared project: 0 to this many
FEEDBACK_SHARE = 0.4  # of the shared projects, the share with feedback (one or two)
HOSTS = ("github.com", "gitlab.com", "codeberg.org")


def project_rows(learners, ids: Ids, catalogue):
    """(user, milestone, repository_url, write_up, visibility, created_at, updated_at) for a share of the
    milestones built, a few days after each was built."""
    rng = _rng("projects", 0)
    handles = {user_id: learner.username for learner, user_id in zip(learners, ids.users, strict=True)}
    numbers = {milestone_id: number for number, milestone_id in enumerate(ids.milestones, start=1)}
    for user_id, milestone_id, built in completion_rows(learners, ids, catalogue):
        if rng.random() >= PROJECT_SHARE:
            continue
        host = rng.choice(HOSTS)
        repository = f"https://{host}/{handles[user_id]}/milestone-{numbers[milestone_id]}"
        write_up = f"{rng.choice(REVIEW_OPENINGS)} {rng.choice(REVIEW_DETAILS)}"
        visibility = "private" if rng.random() < PRIVATE_SHARE else "shared"
        created = _at(built, rng.uniform(0, 3 * 86_400))
        yield user_id, milestone_id, repository, write_up, visibility, created, created


def insert_reactions(ids: Ids) -> dict[str, int]:
    """Helpful marks and feedback from other demo learners on the shared demo projects; their counts."""
    shared = list(
        ProjectSubmission.objects.filter(user__in=ids.users, visibility="shared")
        .order_by("user__username", "milestone__slug", "milestone__stage__track__slug")
        .values_list("pk", "user_id", "created_at")
    )
    rng = _rng("project-reactions", 0)
    votes, feedback = [], []
    for pk, author, created in shared:
        others = [user_id for user_id in ids.users if user_id != author]
        for voter in rng.sample(others, min(len(others), rng.randint(0, MOST_VOTES))):
            votes.append((voter, pk, _at(created, rng.uniform(3_600, 10 * 86_400))))
        if others and rng.random() < FEEDBACK_SHARE:
            for writer in rng.sample(others, min(len(others), rng.randint(1, 2))):
                text = f"{rng.choice(REVIEW_OPENINGS)} {rng.choice(REVIEW_DETAILS)}"
                feedback.append((writer, pk, text, created + timedelta(hours=rng.randint(1, 240))))
    return {
        "helpful marks": insert_rows(ProjectVote, ("user", "submission", "created_at"), votes),
        "project feedback": insert_rows(
            ProjectFeedback, ("user", "submission", "text", "created_at"), feedback
        ),
    }
