"""Learners' projects (issue 17): submitting one for a milestone built, "Learner projects" on the milestone's
page, helpful marks, feedback, reports and what moderators hide, through the real URLs."""

import pytest
from django.test import Client
from django.urls import reverse

from learning.community import moderation
from learning.community.project_queries import new_feedback_for
from learning.models import (
    ChecklistItem,
    MilestoneCompletion,
    ProjectFeedback,
    ProjectFlag,
    ProjectSubmission,
    ProjectVote,
)
from plumbing import cache_tokens
from tests.conftest import logged_in
from tests.factories import (
    MilestoneFactory,
    ProjectFeedbackFactory,
    ProjectSubmissionFactory,
    ProjectVoteFactory,
    StageFactory,
    TrackFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def milestone():
    track = TrackFactory(slug="api", title="Python & Django")
    milestone = MilestoneFactory(stage=StageFactory(track=track), title="Build a bookshelf API")
    for position in range(3):
        ChecklistItem.objects.create(milestone=milestone, position=position, text=f"Item {position} holds")
    return milestone


def built(user, milestone):
    MilestoneCompletion.objects.create(user=user, milestone=milestone)
    return user


def form_url(milestone):
    return reverse("learning:project_form", args=[milestone.pk])


def submit(client, milestone, **fields):
    data = {"repository_url": "https://github.com/ada/bookshelf", "visibility": "shared"} | fields
    return client.post(form_url(milestone), data)


def page_of(client, milestone, query=""):
    response = client.get(milestone.get_absolute_url() + query)
    assert response.status_code == 200
    return response.content.decode()


# ---------- Submit ----------


def test_a_learner_who_built_it_submits_a_project_and_sees_it(client, milestone):
    author = built(UserFactory(username="ada"), milestone)
    client.force_login(author)
    assert "Submit your project" in page_of(client, milestone)
    assert client.get(form_url(milestone)).status_code == 200
    items = list(milestone.checklist.order_by("position"))
    response = submit(
        client,
        milestone,
        live_url="bookshelf.example.com",
        write_up="## How\n\nWith **Django**.<script>alert(1)</script>",
        checklist_met=[items[0].pk, items[2].pk],
    )
    assert response.status_code == 302
    assert response["Location"] == f"{milestone.get_absolute_url()}#your-project"
    project = ProjectSubmission.objects.get(user=author, milestone=milestone)
    assert project.live_url == "https://bookshelf.example.com/"
    assert set(project.checklist_met.all()) == {items[0], items[2]}
    html = page_of(client, milestone)
    assert "Your project is submitted." in html
    assert "Edit your project" in html
    assert "Checklist met: <strong>2 of 3</strong>" in html
    assert '<a href="https://github.com/ada/bookshelf" rel="nofollow ugc noopener">' in html
    assert '<a href="https://bookshelf.example.com/" rel="nofollow ugc noopener">' in html
    assert "<strong>Django</strong>" in html
    assert "<script>alert" not in html
    assert "<h4>How</h4>" in html  # the write-up's headings sit under the card's h3


def test_editing_keeps_one_project_and_deleting_removes_it(client, milestone):
    author = built(UserFactory(), milestone)
    client.force_login(author)
    submit(client, milestone)
    form = client.get(form_url(milestone)).content.decode()
    assert 'value="https://github.com/ada/bookshelf"' in form
    assert submit(client, milestone, repository_url="https://codeberg.org/ada/shelf").status_code == 302
    assert ProjectSubmission.objects.get(user=author).repository_url == "https://codeberg.org/ada/shelf"
    assert "Your project is saved." in page_of(client, milestone)
    assert client.get(reverse("learning:project_delete", args=[milestone.pk])).status_code == 405
    client.post(reverse("learning:project_delete", args=[milestone.pk]))
    assert not ProjectSubmission.objects.exists()


def test_only_a_learner_who_marked_it_built_may_submit(client, milestone):
    client.force_login(UserFactory())
    assert "Mark it as built above" in page_of(client, milestone)
    assert "Projects are for milestones you built" in client.get(form_url(milestone)).content.decode()
    response = submit(client, milestone)
    assert response.status_code == 400
    assert "Mark the milestone as built first" in response.content.decode()
    assert not ProjectSubmission.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"repository_url": ""}, "Paste the link to your project"),
        ({"repository_url": "javascript:alert(1)"}, "Only web links (http:// or https://) can be shared"),
        ({"repository_url": "http://127.0.0.1:8000/repo"}, "Only links to public web sites can be shared"),
        ({"live_url": "http://10.0.0.5/"}, "Only links to public web sites can be shared"),
        ({"repository_url": "not a link at all"}, "That isn&#x27;t a web address"),
        ({"write_up": "x" * 5001}, "Keep it under 5,000 characters"),
        ({"visibility": "everyone"}, "Choose who may see your project"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_stored(client, milestone, fields, message):
    client.force_login(built(UserFactory(), milestone))
    response = submit(client, milestone, **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ProjectSubmission.objects.exists()


def test_a_checklist_item_of_another_milestone_is_refused(client, milestone):
    other = MilestoneFactory(stage=milestone.stage)
    foreign = ChecklistItem.objects.create(milestone=other, position=0, text="Elsewhere")
    client.force_login(built(UserFactory(), milestone))
    response = submit(client, milestone, checklist_met=[foreign.pk])
    assert response.status_code == 400
    assert "Choose only items of this milestone" in response.content.decode()
    assert not ProjectSubmission.objects.exists()


def test_a_visitors_post_goes_to_login_and_stores_nothing(client, milestone):
    project = ProjectSubmissionFactory(milestone=milestone)
    posts = [
        (form_url(milestone), {"repository_url": "https://github.com/x/y", "visibility": "shared"}),
        (reverse("learning:project_delete", args=[milestone.pk]), {}),
        (reverse("learning:project_helpful", args=[project.pk]), {}),
        (reverse("learning:project_feedback", args=[project.pk]), {"text": "Hi"}),
        (reverse("learning:project_report", args=[project.pk]), {"reason": "spam"}),
    ]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    assert ProjectSubmission.objects.count() == 1
    assert not ProjectVote.objects.exists()
    assert not ProjectFeedback.objects.exists()
    assert not ProjectFlag.objects.exists()


@pytest.mark.parametrize("name", ["project_helpful", "project_feedback", "project_report"])
def test_get_on_an_action_is_405(client, milestone, name):
    project = ProjectSubmissionFactory(milestone=milestone)
    client.force_login(UserFactory())
    assert client.get(reverse(f"learning:{name}", args=[project.pk])).status_code == 405


# ---------- Learner projects ----------


def test_visitors_see_only_the_count_and_a_login_prompt(client, milestone):
    ProjectSubmissionFactory(milestone=milestone, user=UserFactory(username="ada", email="ada@example.com"))
    ProjectSubmissionFactory(milestone=milestone, visibility="private")
    html = page_of(client, milestone)
    assert "1 learner has shared their project" in html
    assert "Log in</a> to see them" in html
    assert "github.com" not in html
    assert "ada" not in html


def test_learners_see_shared_projects_never_private_nor_hidden_nor_emails(client, milestone):
    ProjectSubmissionFactory(
        milestone=milestone,
        user=UserFactory(username="shared-one", email="shared@example.com"),
        repository_url="https://github.com/a/shared",
    )
    ProjectSubmissionFactory(
        milestone=milestone, visibility="private", repository_url="https://github.com/a/private"
    )
    ProjectSubmissionFactory(
        milestone=milestone, is_hidden=True, repository_url="https://github.com/a/hidden"
    )
    client.force_login(UserFactory())
    html = page_of(client, milestone)
    assert "github.com/a/shared" in html
    assert "shared-one" in html
    assert "shared@example.com" not in html
    assert "github.com/a/private" not in html
    assert "github.com/a/hidden" not in html
    assert 'Learner projects <span class="count">1</span>' in html


def test_the_handle_links_to_the_profile_only_when_it_is_public(client, milestone):
    ProjectSubmissionFactory(
        milestone=milestone, user=UserFactory(username="open-one", profile_is_public=True)
    )
    ProjectSubmissionFactory(milestone=milestone, user=UserFactory(username="quiet-one"))
    client.force_login(UserFactory())
    html = page_of(client, milestone)
    assert '<a href="/u/open-one/">open-one</a>' in html
    assert "/u/quiet-one/" not in html
    assert "quiet-one" in html


def test_featured_come_first_then_newest_or_most_helpful(client, milestone):
    old = ProjectSubmissionFactory(milestone=milestone, repository_url="https://github.com/a/old")
    new = ProjectSubmissionFactory(milestone=milestone, repository_url="https://github.com/a/new")
    featured = ProjectSubmissionFactory(
        milestone=milestone, repository_url="https://github.com/a/featured", is_featured=True
    )
    ProjectVoteFactory(submission=old)
    ProjectVoteFactory(submission=old)
    ProjectVoteFactory(submission=new)
    client.force_login(UserFactory())

    def order(query=""):
        html = page_of(client, milestone, query)
        return sorted((old, new, featured), key=lambda project: html.index(f'id="project-{project.pk}"'))

    assert order() == [featured, new, old]
    assert order("?sort=newest") == [featured, new, old]
    assert order("?sort=helpful") == [featured, old, new]
    assert order("?sort=nonsense") == [featured, new, old]


def test_projects_are_paginated(client, milestone):
    for index in range(12):
        ProjectSubmissionFactory(milestone=milestone, repository_url=f"https://github.com/a/p{index:02}")
    client.force_login(UserFactory())
    first, second = page_of(client, milestone), page_of(client, milestone, "?page=2")
    assert "github.com/a/p11" in first
    assert "github.com/a/p00" not in first
    assert "github.com/a/p00" in second
    assert "github.com/a/p11" not in second
    assert "Page 2 of 2" in second


# ---------- Helpful ----------


def helpful(client, project, value="1"):
    return client.post(reverse("learning:project_helpful", args=[project.pk]), {"helpful": value})


def test_helpful_once_each_and_taken_back(client, milestone):
    project = ProjectSubmissionFactory(milestone=milestone)
    voter = UserFactory()
    client.force_login(voter)
    assert helpful(client, project).status_code == 302
    assert helpful(client, project).status_code == 302  # a second mark changes nothing
    assert ProjectVote.objects.filter(submission=project).count() == 1
    html = page_of(client, milestone)
    assert "1 found it helpful" in html
    assert 'aria-pressed="true"' in html
    helpful(client, project, "0")
    assert not ProjectVote.objects.exists()


def test_no_one_marks_their_own_project_helpful(client, milestone):
    project = ProjectSubmissionFactory(milestone=milestone)
    client.force_login(project.user)
    assert 'name="helpful"' not in page_of(client, milestone)
    response = helpful(client, project)
    assert response.status_code == 400
    assert "your own project" in response.content.decode()
    assert not ProjectVote.objects.exists()


@pytest.mark.parametrize("state", [{"visibility": "private"}, {"is_hidden": True}])
def test_private_or_hidden_projects_answer_404_to_others(client, milestone, state):
    project = ProjectSubmissionFactory(milestone=milestone, **state)
    client.force_login(UserFactory())
    assert helpful(client, project).status_code == 404
    assert (
        client.post(reverse("learning:project_feedback", args=[project.pk]), {"text": "x"}).status_code == 404
    )
    assert (
        client.post(reverse("learning:project_report", args=[project.pk]), {"reason": "spam"}).status_code
        == 404
    )
    assert not ProjectVote.objects.exists()
    assert not ProjectFeedback.objects.exists()


def test_another_learners_project_cannot_be_edited_or_deleted(client, milestone):
    ProjectSubmissionFactory(milestone=milestone, repository_url="https://github.com/a/theirs")
    intruder = built(UserFactory(), milestone)
    client.force_login(intruder)
    client.post(reverse("learning:project_delete", args=[milestone.pk]))
    assert ProjectSubmission.objects.filter(repository_url="https://github.com/a/theirs").exists()
    assert "github.com/a/theirs" not in client.get(form_url(milestone)).content.decode()


# ---------- Feedback ----------


def feedback(client, project, text):
    return client.post(reverse("learning:project_feedback", args=[project.pk]), {"text": text})


def test_feedback_is_escaped_and_reaches_the_authors_dashboard(client, milestone):
    author = UserFactory()
    project = ProjectSubmissionFactory(milestone=milestone, user=author)
    reader = logged_in(author)
    assert "Feedback on your projects" not in reader.get(reverse("learning:dashboard")).content.decode()
    client.force_login(UserFactory(username="reviewer"))
    response = feedback(client, project, "<b>Great</b> README & tests")
    assert response.status_code == 302
    html = page_of(client, milestone)
    assert "&lt;b&gt;Great&lt;/b&gt; README &amp; tests" in html
    assert "<b>Great</b>" not in html
    board = reader.get(reverse("learning:dashboard")).content.decode()
    assert "Feedback on your projects" in board
    assert "&lt;b&gt;Great&lt;/b&gt; README &amp; tests" in board
    assert "reviewer" in board


@pytest.mark.parametrize(("text", "message"), [("", "Write your feedback first"), ("x" * 1001, "1000")])
def test_empty_or_long_feedback_is_refused(client, milestone, text, message):
    project = ProjectSubmissionFactory(milestone=milestone)
    client.force_login(UserFactory())
    response = feedback(client, project, text)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ProjectFeedback.objects.exists()


def test_new_feedback_for_gives_what_others_wrote_since(milestone):
    project = ProjectSubmissionFactory(milestone=milestone)
    first = ProjectFeedbackFactory(submission=project)
    ProjectFeedbackFactory(submission=project, user=project.user)  # the author's own reply
    later = ProjectFeedbackFactory(submission=project)
    ProjectFeedbackFactory(submission=project, is_hidden=True)
    assert list(new_feedback_for(project.user, None)) == [later, first]
    assert list(new_feedback_for(project.user, first.created_at)) == [later]


# ---------- Reports and moderation ----------


def test_projects_and_feedback_are_reported_once_and_not_ones_own(client, milestone):
    project = ProjectSubmissionFactory(milestone=milestone)
    note = ProjectFeedbackFactory(submission=project)
    client.force_login(UserFactory())
    report_project = reverse("learning:project_report", args=[project.pk])
    report_feedback = reverse("learning:feedback_report", args=[note.pk])
    assert client.post(report_project, {"reason": "spam"}).status_code == 302
    assert client.post(report_feedback, {"reason": "abuse", "note": "rude"}).status_code == 302
    assert client.post(report_project, {"reason": "spam"}).status_code == 400
    assert client.post(report_project, {"reason": "nonsense"}).status_code == 400
    assert ProjectFlag.objects.count() == 2
    assert ProjectFlag.objects.filter(feedback=note, reason="abuse").exists()
    own = logged_in(project.user)
    assert own.post(report_project, {"reason": "spam"}).status_code == 400
    assert ProjectFlag.objects.count() == 2


def test_hidden_projects_and_feedback_count_nowhere(client, milestone):
    project = ProjectSubmissionFactory(milestone=milestone, repository_url="https://github.com/a/spam")
    note = ProjectFeedbackFactory(submission=project, text="Buy cheap watches")
    ProjectFlag.objects.create(user=UserFactory(), submission=project, feedback=note, reason="spam")
    result = moderation.moderate_feedback(feedback=ProjectFeedback.objects.filter(pk=note.pk), hide=True)
    assert result.flags_resolved == 1
    client.force_login(UserFactory())
    assert "Buy cheap watches" not in page_of(client, milestone)
    assert not list(new_feedback_for(project.user, None))
    kept = ProjectFeedbackFactory(submission=project, text="Kept feedback")
    assert list(new_feedback_for(project.user, None)) == [kept]
    moderation.moderate_projects(submissions=ProjectSubmission.objects.filter(pk=project.pk), hide=True)
    assert not list(new_feedback_for(project.user, None))
    html = page_of(client, milestone)
    assert "github.com/a/spam" not in html
    assert 'Learner projects <span class="count">0</span>' in html
    assert "1 learner" not in logged_out_page(milestone)
    author_view = page_of(logged_in(project.user), milestone)
    assert "hidden by a moderator" in author_view


def logged_out_page(milestone):
    return Client().get(milestone.get_absolute_url()).content.decode()


# ---------- Fast, and fresh ----------

# Cold (nothing cached): the milestone page's own (tests/learning/test_milestone_page.py: visitor 3, learner
# 5 with their session and user) and "Learner projects": a visitor +1 (how many are shown); a learner +4
# (how many, the page of them with authors, helpful counts and checklist met, the feedback with its
# writers, and their own part: whether they built it, their own project and their marks among the page),
# whatever the number of projects, votes and feedback. Warm (the cards from the memo), a learner's page
# reads only their own part.
PROJECT_PAGE_QUERIES = {"visitor": 4, "learner": 9}


def projects_with_feedback_and_votes(milestone, count):
    for index in range(count):
        project = ProjectSubmissionFactory(milestone=milestone, is_featured=index == 0)
        project.checklist_met.set(milestone.checklist.all()[: index % 3])
        for _ in range(2):
            ProjectFeedbackFactory(submission=project)
            ProjectVoteFactory(submission=project)


@pytest.mark.usefixtures("rendered_every_time")
@pytest.mark.parametrize("who", PROJECT_PAGE_QUERIES)
def test_the_page_queries_do_not_grow_with_projects(client, cold_get, milestone, who):
    learner = built(UserFactory(), milestone)
    if who == "learner":
        client.force_login(learner)
    projects_with_feedback_and_votes(milestone, 3)
    client.get(milestone.get_absolute_url())  # warm up what lives for the whole process
    cold_get(client, milestone.get_absolute_url(), PROJECT_PAGE_QUERIES[who])
    projects_with_feedback_and_votes(milestone, 22)
    ProjectSubmissionFactory(milestone=milestone, user=learner)
    ProjectVoteFactory(user=learner, submission=ProjectSubmission.objects.exclude(user=learner).first())
    response = cold_get(client, milestone.get_absolute_url() + "?sort=helpful", PROJECT_PAGE_QUERIES[who])
    if who == "learner":
        assert response.content.decode().count('class="project"') == 10


def test_a_new_vote_or_feedback_shows_at_once_through_the_page_cache(client, milestone):
    project = ProjectSubmissionFactory(milestone=milestone)
    author, reader = logged_in(project.user), logged_in(UserFactory())
    visitor = Client()
    assert "Feedback on your projects" not in author.get(reverse("learning:dashboard")).content.decode()
    assert "0 found it helpful" in page_of(reader, milestone)
    assert "1 learner has shared" in logged_out_page(milestone)
    ProjectVoteFactory(submission=project)
    ProjectFeedbackFactory(submission=project, text="Clear README")
    assert "1 found it helpful" in page_of(reader, milestone)
    assert "Clear README" in author.get(reverse("learning:dashboard")).content.decode()
    ProjectSubmissionFactory(milestone=milestone)
    assert "2 learners have shared" in visitor.get(milestone.get_absolute_url()).content.decode()


def test_hiding_feedback_in_bulk_moves_the_authors_token(milestone):
    note = ProjectFeedbackFactory(submission=ProjectSubmissionFactory(milestone=milestone))
    name = cache_tokens.learner(note.submission.user_id)
    cache_tokens.forget_held()
    before = cache_tokens.read([name])[name]
    ProjectFeedback.objects.filter(pk=note.pk).update(is_hidden=True)
    assert cache_tokens.read([name])[name] != before


# ---------- Portfolio ----------


def test_the_public_profile_lists_shared_projects_per_track(client, milestone):
    ada = UserFactory(username="ada", profile_is_public=True)
    other_track = MilestoneFactory(stage=StageFactory(track=TrackFactory(slug="node", title="Node.js")))
    ProjectSubmissionFactory(user=ada, milestone=milestone, repository_url="https://github.com/ada/shelf")
    ProjectSubmissionFactory(user=ada, milestone=other_track, repository_url="https://github.com/ada/node")
    ProjectSubmissionFactory(
        user=ada,
        milestone=MilestoneFactory(stage=milestone.stage),
        visibility="private",
        repository_url="https://github.com/ada/private",
    )
    ProjectSubmissionFactory(
        user=ada,
        milestone=MilestoneFactory(stage=milestone.stage),
        is_hidden=True,
        repository_url="https://github.com/ada/hidden",
    )
    html = client.get("/u/ada/").content.decode()
    assert '<h2 class="section" id="projects">Projects</h2>' in html
    # per track
    assert '<a href="/tracks/api/">Python &amp; Django</a></h3>' in html
    assert '<a href="/tracks/node/">Node.js</a></h3>' in html
    assert '<a href="https://github.com/ada/shelf" rel="nofollow ugc noopener">Repository</a>' in html
    assert "github.com/ada/node" in html
    assert "github.com/ada/private" not in html
    assert "github.com/ada/hidden" not in html


def test_a_private_profile_shows_no_portfolio(client, milestone):
    ProjectSubmissionFactory(user=UserFactory(username="quiet"), milestone=milestone)
    assert client.get("/u/quiet/").status_code == 404
