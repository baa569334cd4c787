"""`replaces` in content files: renamed, merged and split topics, moved resource URLs and replaced milestones
keep what learners did with the old ones, inside the load's one transaction."""

import copy
from datetime import timedelta

import pytest
from django.core.management import CommandError
from django.utils import timezone

from learning.catalogue.content import yaml_io
from learning.models import (
    Bookmark,
    Milestone,
    MilestoneCompletion,
    Rating,
    Resource,
    Topic,
    TopicNote,
    TopicProgress,
    Track,
)
from tests.factories import UserFactory
from tests.learning.test_content_files import RESOURCES, TOPICS, TRACK, load, write_content

pytestmark = pytest.mark.django_db

DONE, LEARNING, SKIPPED = "done", "learning", "skipped"


def progress(user, slug, status):
    completed = timezone.now() if status == DONE else None
    return TopicProgress.objects.create(user=user, topic=Topic.objects.get(slug=slug), status=status,
                                        completed_at=completed)  # fmt: skip


def statuses(slug):
    return dict(TopicProgress.objects.filter(topic__slug=slug).values_list("user__username", "status"))


def with_docker_as(*new_topics):
    """The demo content with `docker` replaced by `new_topics` (slug, title) in topics.yaml and the track."""
    topics = [t for t in copy.deepcopy(TOPICS) if t["slug"] != "docker"]
    topics += [
        {"slug": slug, "title": title, "summary": "New.", "replaces": ["docker"]}
        for slug, title in new_topics
    ]
    track = copy.deepcopy(TRACK)
    track["stages"][1]["steps"] = [{"topic": slug} for slug, _ in new_topics]
    return topics, track


def test_a_renamed_topic_carries_progress_and_its_old_url_redirects(tmp_path, client):
    load(write_content(tmp_path))
    Topic.objects.filter(slug="docker").update(is_published=True)
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    progress(alice, "docker", LEARNING)
    progress(bob, "git", DONE)
    topics, track = with_docker_as(("containers", "Containers"))
    load(write_content(tmp_path, topics=topics, tracks=[track]))

    assert statuses("containers") == {"alice": LEARNING}
    assert statuses("git") == {"bob": DONE}  # other learners' and other topics' rows untouched
    assert not Topic.objects.filter(slug="docker").exists()
    response = client.get("/topics/docker/?track=demo")
    assert response.status_code == 301
    assert response["Location"] == "/topics/containers/?track=demo"
    assert client.get("/topics/never-was/").status_code == 404


def test_a_merge_keeps_the_more_advanced_status_of_a_learner_who_had_both(tmp_path):
    load(write_content(tmp_path))
    alice, bob, carol = (UserFactory(username=name) for name in ("alice", "bob", "carol"))
    progress(alice, "sql", DONE)
    progress(alice, "docker", LEARNING)
    progress(bob, "sql", SKIPPED)
    progress(bob, "docker", LEARNING)
    progress(carol, "docker", SKIPPED)
    topics = [t for t in copy.deepcopy(TOPICS) if t["slug"] not in ("sql", "docker")]
    topics.append({"slug": "data", "title": "Data", "summary": "Merged.", "replaces": ["docker", "sql"]})
    resources = copy.deepcopy(RESOURCES)
    resources[1]["topics"] = ["git", "data"]
    track = copy.deepcopy(TRACK)
    track["stages"][0]["steps"] = [{"topic": "git"}, {"topic": "data"}]
    track["stages"][0]["milestones"][0]["topics"] = ["data"]
    track["stages"][1]["steps"] = []
    load(write_content(tmp_path, topics=topics, resources=resources, tracks=[track]))

    assert statuses("data") == {"alice": DONE, "bob": LEARNING, "carol": SKIPPED}
    assert not Topic.objects.filter(slug__in=["sql", "docker"]).exists()
    assert TopicProgress.objects.count() == 3


def test_a_split_copies_progress_to_both_topics(tmp_path):
    load(write_content(tmp_path))
    alice = UserFactory(username="alice")
    progress(alice, "docker", DONE)
    topics, track = with_docker_as(("images", "Images"), ("containers", "Containers"))
    load(write_content(tmp_path, topics=topics, tracks=[track]))
    assert statuses("images") == statuses("containers") == {"alice": DONE}
    assert not Topic.objects.filter(slug="docker").exists()


def test_notes_on_replaced_topics_go_with_the_learner_and_are_never_lost(tmp_path):
    load(write_content(tmp_path))
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    TopicNote.objects.create(user=alice, topic=Topic.objects.get(slug="docker"), text="docker notes")
    TopicNote.objects.create(user=alice, topic=Topic.objects.get(slug="sql"), text="sql notes")
    TopicNote.objects.create(user=bob, topic=Topic.objects.get(slug="sql"), text="bob's sql")
    topics = [t for t in copy.deepcopy(TOPICS) if t["slug"] not in ("sql", "docker")]
    topics.append({"slug": "data", "title": "Data", "summary": "Merged.", "replaces": ["docker", "sql"]})
    resources = copy.deepcopy(RESOURCES)
    resources[1]["topics"] = ["git", "data"]
    track = copy.deepcopy(TRACK)
    track["stages"][0]["steps"] = [{"topic": "git"}, {"topic": "data"}]
    track["stages"][0]["milestones"][0]["topics"] = ["data"]
    track["stages"][1]["steps"] = []
    load(write_content(tmp_path, topics=topics, resources=resources, tracks=[track]))

    notes = dict(TopicNote.objects.values_list("user__username", "text"))
    assert set(notes) == {"alice", "bob"}
    assert "docker notes" in notes["alice"]
    assert "sql notes" in notes["alice"]
    assert notes["bob"] == "bob's sql"
    assert set(TopicNote.objects.values_list("topic__slug", flat=True)) == {"data"}


def test_an_old_topic_a_track_outside_the_files_still_uses_stays(tmp_path):
    load(write_content(tmp_path))
    other = copy.deepcopy(TRACK) | {"slug": "other", "title": "Other"}
    load(write_content(tmp_path / "other", tracks=[other]))
    alice = UserFactory(username="alice")
    progress(alice, "docker", LEARNING)
    topics, track = with_docker_as(("containers", "Containers"))
    load(write_content(tmp_path / "next", topics=topics, tracks=[track]))
    assert Topic.objects.filter(slug="docker").exists()  # still a step of "other"
    assert statuses("containers") == {"alice": LEARNING}
    assert statuses("docker") == {}  # carried once: a later load carries nothing twice
    load(tmp_path / "next")
    assert statuses("containers") == {"alice": LEARNING}


NEW_SQL = "https://www.postgresql.org/docs/current/tutorial.html"
OLD_SQL = RESOURCES[1]["url"]


def moved_sql_url(resources=RESOURCES):
    resources = copy.deepcopy(resources)
    resources[1].update(url=NEW_SQL, replaces=[OLD_SQL])
    topics = copy.deepcopy(TOPICS)
    topics[0]["resources"] = [NEW_SQL, RESOURCES[0]["url"]]
    topics[1]["resources"] = [NEW_SQL]
    return topics, resources


def test_a_resource_url_change_keeps_its_bookmarks_and_ratings(tmp_path):
    load(write_content(tmp_path))
    resource = Resource.objects.get(url=OLD_SQL)
    alice = UserFactory()
    Bookmark.objects.create(user=alice, resource=resource, note="Chapter 2")
    Rating.objects.create(user=alice, resource=resource, stars=5, review="Clear.")
    topics, resources = moved_sql_url()
    load(write_content(tmp_path, topics=topics, resources=resources))
    renamed = Resource.objects.get(url=NEW_SQL)
    assert renamed.pk == resource.pk  # renamed in place
    assert not Resource.objects.filter(url=OLD_SQL).exists()
    assert list(renamed.bookmarks.values_list("note", flat=True)) == ["Chapter 2"]
    assert list(renamed.ratings.values_list("stars", flat=True)) == [5]


def test_when_both_urls_are_stored_the_old_ones_rows_move_and_it_goes(tmp_path):
    load(write_content(tmp_path))
    old = Resource.objects.get(url=OLD_SQL)
    new = Resource.objects.create(url=NEW_SQL, title="Tutorial", kind="docs")
    alice, bob, carol = UserFactory(), UserFactory(), UserFactory()
    Bookmark.objects.create(user=alice, resource=old, note="old note")
    Bookmark.objects.create(user=bob, resource=old, note="bob's old")
    Bookmark.objects.create(user=bob, resource=new, note="")
    Rating.objects.create(user=alice, resource=old, stars=2)
    rated_new = Rating.objects.create(user=carol, resource=new, stars=4)
    Rating.objects.filter(pk=rated_new.pk).update(updated_at=timezone.now() - timedelta(days=1))
    Rating.objects.create(user=carol, resource=old, stars=1)  # changed last: kept
    topics, resources = moved_sql_url()
    load(write_content(tmp_path, topics=topics, resources=resources))
    assert not Resource.objects.filter(pk=old.pk).exists()
    assert dict(new.bookmarks.values_list("user_id", "note")) == {alice.pk: "old note", bob.pk: "bob's old"}
    assert dict(new.ratings.values_list("user_id", "stars")) == {alice.pk: 2, carol.pk: 1}


def crud():
    return Milestone.objects.get(slug="crud")


def test_a_replaced_milestone_keeps_its_built_marks(tmp_path):
    load(write_content(tmp_path))
    alice = UserFactory()
    MilestoneCompletion.objects.create(user=alice, milestone=crud())
    track = copy.deepcopy(TRACK)
    milestone = track["stages"][0].pop("milestones")[0]
    milestone.update(slug="crud-api", replaces=["crud"])
    track["stages"][1]["milestones"] = [milestone]  # renamed and moved to the next stage
    load(write_content(tmp_path, tracks=[track]))
    moved = Milestone.objects.get(slug="crud-api")
    assert moved.stage.slug == "advanced"
    assert list(moved.completions.values_list("user_id", flat=True)) == [alice.pk]
    assert not Milestone.objects.filter(slug="crud").exists()


def test_a_milestone_merged_into_a_stored_one_moves_its_marks(tmp_path):
    track = copy.deepcopy(TRACK)
    track["stages"][1]["milestones"] = [{"slug": "api", "title": "API"}]
    load(write_content(tmp_path, tracks=[track]))
    alice, bob = UserFactory(), UserFactory()
    api = Milestone.objects.get(slug="api")
    MilestoneCompletion.objects.create(user=alice, milestone=crud())
    MilestoneCompletion.objects.create(user=bob, milestone=crud())
    MilestoneCompletion.objects.create(user=bob, milestone=api)
    track["stages"][0]["milestones"] = []
    track["stages"][1]["milestones"] = [{"slug": "api", "title": "API", "replaces": ["crud"]}]
    load(write_content(tmp_path, tracks=[track]))
    assert sorted(api.completions.values_list("user_id", flat=True)) == sorted([alice.pk, bob.pk])
    assert Milestone.objects.filter(track__slug="demo").count() == 1


def test_removing_a_built_milestone_without_replaces_fails_naming_it_and_changes_nothing(tmp_path):
    load(write_content(tmp_path))
    alice = UserFactory()
    MilestoneCompletion.objects.create(user=alice, milestone=crud())
    topics = copy.deepcopy(TOPICS)
    topics[0]["title"] = "Renamed"
    track = copy.deepcopy(TRACK)
    track["stages"][0]["milestones"] = []
    with pytest.raises(CommandError) as raised:
        load(write_content(tmp_path, topics=topics, tracks=[track]))
    assert "tracks/demo.yaml: milestone 'crud': learners marked it built" in str(raised.value)
    assert "nothing was changed" in str(raised.value)
    assert crud().completions.count() == 1
    assert Topic.objects.get(slug="git").title == "Git & GitHub"


def test_removing_a_milestone_nobody_built_is_fine(tmp_path):
    load(write_content(tmp_path))
    track = copy.deepcopy(TRACK)
    track["stages"][0]["milestones"] = []
    load(write_content(tmp_path, tracks=[track]))
    assert not Milestone.objects.exists()
    assert Track.objects.filter(slug="demo").exists()


def test_a_replaces_naming_nothing_stored_changes_nothing_and_round_trips(tmp_path):
    load(write_content(tmp_path))
    before = list(TopicProgress.objects.all()), Resource.objects.count(), Milestone.objects.count()
    load(tmp_path)
    assert (list(TopicProgress.objects.all()), Resource.objects.count(), Milestone.objects.count()) == before
    assert yaml_io.read(tmp_path / "tracks" / "demo.yaml") == TRACK
