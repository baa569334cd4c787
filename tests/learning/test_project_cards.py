"""The cards of "Learner projects" (learning/pages/projects.py): rendered once per version of what they show
and kept in this process's memo, the same for every learner but for their own bits, and never stale: each
change a learner, a moderator or a curator makes shows on the next request. The whole-page cache is off
here, so what is tested is the memo."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from learning.community import moderation
from learning.models import ChecklistItem, ProjectFeedback, ProjectSubmission
from learning.pages import projects
from tests.conftest import logged_in
from tests.factories import (
    MilestoneFactory,
    ProjectFeedbackFactory,
    ProjectSubmissionFactory,
    ProjectVoteFactory,
    RatingFactory,
    StageFactory,
    TrackFactory,
    UserFactory,
)
from tests.learning.test_projects import PROJECT_PAGE_QUERIES

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rendered_every_time")]

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture
def milestone():
    milestone = MilestoneFactory(stage=StageFactory(track=TrackFactory()), title="Build a bookshelf API")
    for position in range(3):
        ChecklistItem.objects.create(milestone=milestone, position=position, text=f"Item {position} holds")
    return milestone


@pytest.fixture
def project(milestone):
    return ProjectSubmissionFactory(
        milestone=milestone, user=UserFactory(username="ada"), write_up="Built with **Django**."
    )


def page(client, milestone, query="") -> str:
    response = client.get(milestone.get_absolute_url() + query)
    assert response.status_code == 200
    return CSRF.sub('name="csrfmiddlewaretoken" value="-"', response.content.decode())


def card(html: str, project) -> str:
    """The HTML of one project's card on the page."""
    start = html.index(f'<li class="project" id="project-{project.pk}">')
    return html[start : html.index("\n    </li>", start)]


def helpful_form(project) -> str:
    return f'action="{reverse("learning:project_helpful", args=[project.pk])}"'


def project_report(project) -> str:
    return f'action="{reverse("learning:project_report", args=[project.pk])}"'


def feedback_report(feedback) -> str:
    return f'action="{reverse("learning:feedback_report", args=[feedback.pk])}"'


def test_every_learner_gets_their_own_bits_on_the_same_cards(milestone, project):
    other = ProjectSubmissionFactory(milestone=milestone, user=UserFactory(username="grace"))
    voter, reader = UserFactory(), UserFactory()
    ProjectVoteFactory(user=voter, submission=project)
    by_author = ProjectFeedbackFactory(submission=other, user=project.user, text="Add tests")
    by_voter = ProjectFeedbackFactory(submission=other, user=voter, text="Add a README")
    as_voter = page(logged_in(voter), milestone)  # renders the cards
    as_author = page(logged_in(project.user), milestone)
    as_reader = page(logged_in(reader), milestone)
    # Whether they marked it helpful.
    assert 'aria-pressed="true"' in card(as_voter, project)
    assert 'aria-pressed="true"' not in card(as_reader, project)
    assert 'aria-pressed="true"' not in card(as_voter, other)
    # No helpful button nor report control on their own project; no report control on their own feedback.
    assert helpful_form(project) not in card(as_author, project)
    assert project_report(project) not in card(as_author, project)
    assert project_report(other) in card(as_author, other)
    assert helpful_form(other) in card(as_author, other)
    assert feedback_report(by_author) not in as_author
    assert feedback_report(by_voter) in as_author
    assert feedback_report(by_voter) not in as_voter
    assert feedback_report(by_author) in as_voter
    assert helpful_form(project) in card(as_reader, project)
    assert feedback_report(by_author) in as_reader
    assert feedback_report(by_voter) in as_reader


def test_a_page_from_the_memo_is_the_page_rendered_afresh(client, cold_get, milestone, project):
    ProjectFeedbackFactory(submission=project, text="Try <b>pytest</b>\nand coverage")
    ProjectVoteFactory(submission=project)
    reader = UserFactory()
    client.force_login(reader)
    ProjectVoteFactory(user=reader, submission=ProjectSubmissionFactory(milestone=milestone))
    for query in ("", "?sort=helpful"):
        fresh = cold_get(
            client, milestone.get_absolute_url() + query, PROJECT_PAGE_QUERIES["learner"]
        ).content.decode()
        again = page(client, milestone, query)
        assert CSRF.sub('name="csrfmiddlewaretoken" value="-"', fresh) == again
        assert (
            f"?sort=helpful#project-{project.pk}" in again or not query
        )  # the query string is this request's
        assert "Try &lt;b&gt;pytest&lt;/b&gt;<br>and coverage" in again


# Warm (the cards from the memo): the session, the user, and the learner's own part (whether they built it,
# their project, their helpful marks among the page), whatever the number of projects and feedback.
WARM_LEARNER_QUERIES = 3


def test_a_warm_page_reads_no_project_nor_feedback_again(client, milestone, project):
    ProjectFeedbackFactory(submission=project)
    client.force_login(UserFactory())
    for more in (0, 12):
        for _ in range(more):
            ProjectFeedbackFactory(submission=ProjectSubmissionFactory(milestone=milestone))
        page(client, milestone)
        with CaptureQueriesContext(connection) as queries:
            html = page(client, milestone)
        read = " ".join(query["sql"] for query in queries.captured_queries)
        assert len(queries.captured_queries) == WARM_LEARNER_QUERIES
        assert "learning_projectfeedback" not in read
        assert "COUNT(" not in read
        assert html.count('class="project"') == (1 if not more else 10)
        assert "Nice tests." in html


def test_a_page_read_anew_renders_only_the_cards_whose_data_changed(client, milestone, project, monkeypatch):
    other = ProjectSubmissionFactory(milestone=milestone)
    client.force_login(UserFactory())
    page(client, milestone)
    rendered = []
    card_of = projects.card_of

    def counted(request, project, total):
        rendered.append(project.pk)
        return card_of(request, project, total)

    monkeypatch.setattr(projects, "card_of", counted)
    RatingFactory()  # moves the stats token: the page is read anew, and its cards are as they were
    with CaptureQueriesContext(connection) as queries:
        page(client, milestone)
    assert "learning_projectfeedback" in " ".join(query["sql"] for query in queries.captured_queries)
    assert rendered == []
    ProjectVoteFactory(submission=other)
    assert "1 found it helpful" in card(page(client, milestone), other)
    assert rendered == [other.pk]


def edit_write_up(project):
    project.write_up = "Now with a **changelog**."
    project.save()


def edit_in_bulk(project):
    ProjectSubmission.objects.filter(pk=project.pk).update(live_url="https://shelf.example.com/")


def add_feedback(project):
    ProjectFeedbackFactory(submission=project, text="Lovely docs")


def vote(project):
    ProjectVoteFactory(submission=project)


def hide_project(project):
    moderation.moderate_projects(submissions=ProjectSubmission.objects.filter(pk=project.pk), hide=True)


def feature_project(project):
    moderation.feature_projects(submissions=ProjectSubmission.objects.filter(pk=project.pk), featured=True)


def make_profile_public(project):
    project.user.profile_is_public = True
    project.user.save(update_fields=["username", "profile_is_public", "streak_is_public"])


def rename_author(project):
    project.user.username = "ada-l"
    project.user.save(update_fields=["username", "profile_is_public", "streak_is_public"])


def add_checklist_item(project):
    ChecklistItem.objects.create(milestone=project.milestone, position=3, text="Item 3 holds")


def delete_author(project):
    project.user.delete()


# Each change: what it takes away from the page (None: nothing), what it brings.
CHANGES = {
    "edit": (edit_write_up, "<strong>Django</strong>", "<strong>changelog</strong>"),
    "bulk edit": (edit_in_bulk, None, 'href="https://shelf.example.com/"'),
    "feedback": (add_feedback, None, "Lovely docs"),
    "vote": (vote, "0 found it helpful", "1 found it helpful"),
    "hide": (hide_project, "Built with", 'Learner projects <span class="count">0</span>'),
    "feature": (feature_project, None, 'badge--start-here">Featured</span>'),
    "public profile": (make_profile_public, None, '<a href="/u/ada/">ada</a>'),
    "handle": (rename_author, "ada</h3>", "ada-l</h3>"),
    "checklist": (add_checklist_item, "of 3</strong>", "of 4</strong>"),
    "deleted account": (delete_author, "Built with", "No learner has shared a project"),
}


@pytest.mark.parametrize("change", CHANGES)
def test_a_change_shows_on_the_next_request(client, milestone, project, change):
    make, gone, comes = CHANGES[change]
    client.force_login(UserFactory())
    html = page(client, milestone)
    assert comes not in html
    assert gone is None or gone in html
    make(project)
    html = page(client, milestone)
    assert comes in html
    assert gone is None or gone not in html


def test_feedback_hidden_by_a_moderator_or_its_writers_account_deleted_goes_at_once(
    client, milestone, project
):
    hidden = ProjectFeedbackFactory(submission=project, text="Spam spam")
    gone = ProjectFeedbackFactory(
        submission=project, text="From a leaver", user=UserFactory(username="leaver")
    )
    voter = UserFactory()
    ProjectVoteFactory(user=voter, submission=project)
    client.force_login(UserFactory())
    html = page(client, milestone)
    assert "Spam spam" in html
    assert "From a leaver" in html
    assert "1 found it helpful" in html
    moderation.moderate_feedback(feedback=ProjectFeedback.objects.filter(pk=hidden.pk), hide=True)
    html = page(client, milestone)
    assert "Spam spam" not in html
    assert "From a leaver" in html
    gone.user.delete()
    voter.delete()
    html = page(client, milestone)
    assert "From a leaver" not in html
    assert "0 found it helpful" in html
    assert "project__feedback-title" not in card(html, project)


def test_the_learners_own_vote_shows_at_once(client, milestone, project):
    reader = UserFactory()
    client.force_login(reader)
    assert 'aria-pressed="true"' not in page(client, milestone)
    assert (
        client.post(reverse("learning:project_helpful", args=[project.pk]), {"helpful": "1"}).status_code
        == 302
    )
    html = page(client, milestone)
    assert 'aria-pressed="true"' in card(html, project)
    assert "1 found it helpful" in html
    client.post(reverse("learning:project_helpful", args=[project.pk]), {"helpful": "0"})
    assert 'aria-pressed="true"' not in page(client, milestone)
