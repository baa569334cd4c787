"""Curators and learners' projects in the admin (issue 17): filters, featuring, hiding and restoring projects
and feedback, the reports, and the content-health page's count, as a user in the real Curator group."""

import pytest
from django.urls import reverse

from learning.models import ProjectFeedback, ProjectFlag, ProjectSubmission
from tests.conftest import logged_in
from tests.factories import (
    MilestoneFactory,
    ProjectFeedbackFactory,
    ProjectSubmissionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PROJECTS = reverse("admin:learning_projectsubmission_changelist")
FEEDBACK = reverse("admin:learning_projectfeedback_changelist")
FLAGS = reverse("admin:learning_projectflag_changelist")


def act(client, url, action, rows):
    return client.post(url, {"action": action, "_selected_action": [row.pk for row in rows]}, follow=True)


def test_the_lists_filter_by_milestone_featured_hidden_and_reported(curator_client):
    milestone = MilestoneFactory()
    featured = ProjectSubmissionFactory(milestone=milestone, is_featured=True)
    hidden = ProjectSubmissionFactory(is_hidden=True)
    reported = ProjectSubmissionFactory()
    ProjectFlag.objects.create(user=UserFactory(), submission=reported, reason="spam")

    def listed(query):
        response = curator_client.get(PROJECTS + query)
        assert response.status_code == 200
        return set(response.context["cl"].result_list)

    assert listed(f"?milestone__id__exact={milestone.pk}") == {featured}
    assert listed("?is_featured__exact=1") == {featured}
    assert listed("?is_hidden__exact=1") == {hidden}
    assert listed("?reported=open") == {reported}
    assert listed("?reported=none") == {featured, hidden}
    assert "learner" in curator_client.get(PROJECTS).content.decode()
    assert curator_client.get(FEEDBACK + "?reported=open").status_code == 200
    assert curator_client.get(FLAGS).status_code == 200


def test_a_curator_features_a_project_and_it_moves_to_the_top(curator_client):
    milestone = MilestoneFactory()
    first = ProjectSubmissionFactory(milestone=milestone, repository_url="https://github.com/a/first")
    ProjectSubmissionFactory(milestone=milestone, repository_url="https://github.com/a/second")
    reader = logged_in(UserFactory())
    html = reader.get(milestone.get_absolute_url()).content.decode()
    assert html.index("github.com/a/second") < html.index("github.com/a/first")
    response = act(curator_client, PROJECTS, "feature", [first])
    assert "Featured 1 project(s)." in response.content.decode()
    html = reader.get(milestone.get_absolute_url()).content.decode()
    assert html.index("github.com/a/first") < html.index("github.com/a/second")
    act(curator_client, PROJECTS, "unfeature", [first])
    assert not ProjectSubmission.objects.get(pk=first.pk).is_featured


def test_hiding_from_the_reports_resolves_them_and_keeping_shows_again(curator_client):
    project = ProjectSubmissionFactory()
    note = ProjectFeedbackFactory(submission=project)
    on_project = ProjectFlag.objects.create(user=UserFactory(), submission=project, reason="spam")
    on_feedback = ProjectFlag.objects.create(
        user=UserFactory(), submission=project, feedback=note, reason="abuse"
    )
    act(curator_client, FLAGS, "hide", [on_feedback])
    assert ProjectFeedback.objects.get(pk=note.pk).is_hidden
    assert not ProjectSubmission.objects.get(pk=project.pk).is_hidden
    assert ProjectFlag.objects.open().get() == on_project
    act(curator_client, FLAGS, "keep", [on_project])
    assert not ProjectFlag.objects.open().exists()
    assert not ProjectSubmission.objects.get(pk=project.pk).is_hidden
    act(curator_client, PROJECTS, "hide", [project])
    assert ProjectSubmission.objects.get(pk=project.pk).is_hidden
    act(curator_client, PROJECTS, "restore", [project])
    assert not ProjectSubmission.objects.get(pk=project.pk).is_hidden
    act(curator_client, FEEDBACK, "restore", [note])
    assert not ProjectFeedback.objects.get(pk=note.pk).is_hidden


def test_the_health_page_counts_open_reports_on_projects(curator_client):
    project = ProjectSubmissionFactory()
    ProjectFlag.objects.create(user=UserFactory(), submission=project, reason="spam")
    response = curator_client.get("/admin/learning/health/")
    section = next(section for section in response.context["sections"] if section.key == "project-flags")
    assert section.count == 1
    assert section.rows[0].url == reverse(
        "admin:learning_projectflag_change", args=[ProjectFlag.objects.get().pk]
    )
    assert curator_client.get(section.rows[0].url).status_code == 200
    assert (
        curator_client.get(reverse("admin:learning_projectsubmission_change", args=[project.pk])).status_code
        == 200
    )


def test_a_learner_never_reaches_the_projects_admin(client):
    client.force_login(UserFactory())
    assert client.get(PROJECTS).status_code == 302
