"""The Curator group (data migration 0007): curators curate and moderate; they never manage users."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from learning.models import Resource
from tests.factories import ResourceFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_migration_gives_the_curator_group_exactly_the_curating_permissions():
    codenames = set(
        Group.objects.get(name="Curator").permissions.values_list("content_type__app_label", "codename")
    )
    catalogue = {
        ("learning", f"{action}_{model}")
        for model in (
            *("track", "trackchange", "stage", "step", "milestone", "checklistitem"),
            *("topic", "readycheck", "resource", "topicresource"),
        )
        for action in ("add", "change", "delete", "view")
    }
    moderation = {
        ("learning", f"{action}_{model}")
        for model in ("resourcesuggestion", "reviewflag", "rating")
        for action in ("change", "view")
    }
    tags = {("taggit", f"{action}_tag") for action in ("add", "change", "delete", "view")}
    assert codenames == catalogue | moderation | tags


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:learning_track_changelist",
        "admin:learning_topic_changelist",
        "admin:learning_resource_changelist",
        "admin:learning_track_add",
        "admin:taggit_tag_changelist",
    ],
)
def test_a_curator_reaches_the_catalogue(curator_client, url_name):
    assert curator_client.get(reverse(url_name)).status_code == 200


def test_a_curator_edits_a_resource(curator_client):
    resource = ResourceFactory(title="Old title", topics=[TopicFactory()])
    url = reverse("admin:learning_resource_change", args=[resource.pk])
    form = curator_client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields if form[name].value() is not None}
    data |= {"title": "New title", "topics": [topic.pk for topic in resource.topics.all()], "tags": ""}
    response = curator_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert Resource.objects.get(pk=resource.pk).title == "New title"


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:accounts_user_changelist",
        "admin:accounts_user_add",
        "admin:auth_group_changelist",
        "admin:auth_group_add",
    ],
)
def test_a_curator_cannot_manage_users_or_groups(curator_client, url_name):
    assert curator_client.get(reverse(url_name)).status_code == 403


def test_a_curator_cannot_change_a_learner(curator_client):
    learner = UserFactory()
    url = reverse("admin:accounts_user_change", args=[learner.pk])
    assert curator_client.get(url).status_code == 403
    response = curator_client.post(
        url, {"username": learner.username, "is_staff": "on", "is_superuser": "on"}
    )
    assert response.status_code == 403
    learner.refresh_from_db()
    assert not learner.is_staff
    assert not learner.is_superuser


def test_the_admin_index_shows_a_curator_no_user_management(curator_client):
    html = curator_client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:learning_resource_changelist") in html
    assert reverse("admin:accounts_user_changelist") not in html
    assert reverse("admin:auth_group_changelist") not in html


@pytest.mark.parametrize("url_name", ["admin:index", "admin:learning_resource_changelist"])
def test_a_learner_cannot_reach_the_admin(client, learner, url_name):
    client.force_login(learner)
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_group_membership_without_staff_status_does_not_open_the_admin(client):
    member = UserFactory()
    member.groups.add(Group.objects.get(name="Curator"))
    client.force_login(member)
    assert client.get(reverse("admin:learning_resource_changelist")).status_code == 302
