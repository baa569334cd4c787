"""Curators' daily work in the admin: move buttons, counts, the content-health page, one-track export and
history in words, all through the real admin URLs."""

import re

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from learning.catalogue.admin import history
from learning.community.admin import health
from learning.models import ProjectFlag, Resource, ResourceSuggestion, ReviewFlag, Step, Track
from tests.factories import (
    BookmarkFactory,
    MilestoneFactory,
    ProjectSubmissionFactory,
    RatingFactory,
    ResourceFactory,
    StageFactory,
    StepFactory,
    TopicFactory,
    TrackFactory,
    UserFactory,
)
from tests.learning.conftest import build_track
from tests.learning.test_admin import inline, milestone_row, resource_form, stage_form, step_row

pytestmark = pytest.mark.django_db


# ---------- helpers ----------


def move_url(parent, kind, row, direction):
    parent_name = parent._meta.model_name
    return reverse(f"admin:learning_{parent_name}_move", args=[parent.pk, kind, row.pk, direction])


def positions(queryset):
    return list(queryset.order_by("position").values_list("position", flat=True))


def titles_in_order(queryset, attribute="title"):
    return [str(value) for value in queryset.order_by("position").values_list(attribute, flat=True)]


def page_rows(response, prefix):
    """The saved rows of one inline formset, in the order the change page shows them."""
    formset = next(f for f in response.context["inline_admin_formsets"] if f.formset.prefix == prefix)
    return [form.instance for form in formset.formset.initial_forms]


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def last_history(obj):
    entry = LogEntry.objects.filter(object_id=str(obj.pk), content_type__model=obj._meta.model_name).latest(
        "action_time", "pk"
    )
    return entry.get_change_message()


def user_with(*codenames, staff=True):
    user = UserFactory(is_staff=staff)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def track(db):
    """A track with three stages at positions 0, 4 and 9 (gaps on purpose)."""
    track = TrackFactory(title="Python & Django", slug="python-django")
    for title, position in (("Basics", 0), ("Intermediate", 4), ("Advanced", 9)):
        StageFactory(track=track, title=title, slug=title.lower(), position=position)
    return track


@pytest.fixture
def stage(db):
    """A stage with four steps (positions 1, 2, 5, 7) and two milestones."""
    stage = StageFactory(title="Basics", track=TrackFactory(title="Backend"))
    for title, position in (("Git", 1), ("HTTP", 2), ("SQL", 5), ("Linux", 7)):
        StepFactory(stage=stage, topic=TopicFactory(title=title), position=position)
    MilestoneFactory(stage=stage, title="Build a blog", position=0)
    MilestoneFactory(stage=stage, title="Build an API", position=1)
    return stage


def step(stage, title):
    return stage.steps.get(topic__title=title)


# ---------- moving rows with buttons ----------


def test_move_up_swaps_a_stage_with_the_one_above(curator_client, track):
    advanced = track.stages.get(title="Advanced")

    response = curator_client.post(move_url(track, "stage", advanced, "up"), follow=True)

    assert titles_in_order(track.stages) == ["Basics", "Advanced", "Intermediate"]
    assert positions(track.stages) == [0, 4, 9]  # the positions the rows held, now in the new order
    assert [stage.title for stage in page_rows(response, "stages")] == ["Basics", "Advanced", "Intermediate"]
    assert messages_of(response) == ["Moved stage “Advanced” up."]


def test_move_redirects_to_the_moved_row_on_the_change_page(curator_client, track):
    basics = track.stages.get(title="Basics")

    response = curator_client.post(move_url(track, "stage", basics, "down"))

    assert response.status_code == 302
    assert response.url == reverse("admin:learning_track_change", args=[track.pk]) + "#stages-1"


@pytest.mark.parametrize(
    ("title", "direction", "expected"),
    [
        ("SQL", "up", ["Git", "SQL", "HTTP", "Linux"]),
        ("Git", "down", ["HTTP", "Git", "SQL", "Linux"]),
        ("Linux", "top", ["Linux", "Git", "HTTP", "SQL"]),
        ("Git", "bottom", ["HTTP", "SQL", "Linux", "Git"]),
        ("HTTP", "top", ["HTTP", "Git", "SQL", "Linux"]),
        ("HTTP", "bottom", ["Git", "SQL", "Linux", "HTTP"]),
    ],
)
def test_moving_a_step_reorders_the_stage(curator_client, stage, title, direction, expected):
    response = curator_client.post(move_url(stage, "step", step(stage, title), direction), follow=True)

    assert titles_in_order(stage.steps, "topic__title") == expected
    assert positions(stage.steps) == [1, 2, 5, 7]
    assert [row.topic.title for row in page_rows(response, "steps")] == expected
    assert set(stage.steps.values_list("track_id", flat=True)) == {stage.track_id}


def test_moving_a_milestone_reorders_the_milestones(curator_client, stage):
    api = stage.milestones.get(title="Build an API")

    response = curator_client.post(move_url(stage, "milestone", api, "top"), follow=True)

    assert titles_in_order(stage.milestones) == ["Build an API", "Build a blog"]
    assert [row.title for row in page_rows(response, "milestones")] == ["Build an API", "Build a blog"]


@pytest.mark.parametrize(
    ("title", "direction", "edge"),
    [("Git", "up", "first"), ("Git", "top", "first"), ("Linux", "down", "last"), ("Linux", "bottom", "last")],
)
def test_moving_past_an_edge_is_refused_with_a_message(curator_client, stage, title, direction, edge):
    before = list(Step.objects.values_list("pk", "position"))

    response = curator_client.post(move_url(stage, "step", step(stage, title), direction), follow=True)

    assert response.status_code == 200
    assert messages_of(response) == [f"“{title}” is already the {edge} step."]
    assert list(Step.objects.values_list("pk", "position")) == before
    assert not LogEntry.objects.exists()


def test_a_get_to_a_move_url_changes_nothing(curator_client, track):
    advanced = track.stages.get(title="Advanced")

    response = curator_client.get(move_url(track, "stage", advanced, "up"))

    assert response.status_code == 405
    assert titles_in_order(track.stages) == ["Basics", "Intermediate", "Advanced"]


def test_a_move_without_the_csrf_token_is_refused(curator, track):
    client = Client(enforce_csrf_checks=True)
    client.force_login(curator)
    advanced = track.stages.get(title="Advanced")

    response = client.post(move_url(track, "stage", advanced, "up"))

    assert response.status_code == 403
    assert titles_in_order(track.stages) == ["Basics", "Intermediate", "Advanced"]


@pytest.mark.parametrize(
    "codenames",
    [
        ("view_track", "view_stage"),  # may look, not change
        ("view_track", "view_stage", "change_stage"),  # may change stages, not the track
        ("view_track", "change_track", "view_stage"),  # may change the track, not its stages
    ],
)
def test_a_move_needs_the_change_permission(track, codenames):
    client = user_with(*codenames)
    advanced = track.stages.get(title="Advanced")

    response = client.post(move_url(track, "stage", advanced, "up"))

    assert response.status_code == 403
    assert titles_in_order(track.stages) == ["Basics", "Intermediate", "Advanced"]


def test_a_curator_may_move(track):
    curator = UserFactory(is_staff=True)
    curator.groups.add(Group.objects.get(name="Curator"))
    client = Client()
    client.force_login(curator)

    response = client.post(move_url(track, "stage", track.stages.get(title="Advanced"), "top"))

    assert response.status_code == 302
    assert titles_in_order(track.stages) == ["Advanced", "Basics", "Intermediate"]


def test_a_learner_is_sent_to_the_admin_login_from_a_move_url(client, learner, track):
    client.force_login(learner)

    response = client.post(move_url(track, "stage", track.stages.get(title="Advanced"), "up"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    assert titles_in_order(track.stages) == ["Basics", "Intermediate", "Advanced"]


def test_moving_an_unknown_or_foreign_row_answers_404(curator_client, track, stage):
    advanced = track.stages.get(title="Advanced")
    foreign_stage = stage  # a stage of another track
    urls = [
        move_url(track, "stage", foreign_stage, "up"),
        reverse("admin:learning_track_move", args=[track.pk, "stage", 999_999, "up"]),
        reverse("admin:learning_track_move", args=[999_999, "stage", advanced.pk, "up"]),
        reverse("admin:learning_track_move", args=[track.pk, "step", advanced.pk, "up"]),
        reverse("admin:learning_track_move", args=[track.pk, "stage", advanced.pk, "sideways"]),
        reverse("admin:learning_stage_move", args=[stage.pk, "stage", advanced.pk, "up"]),
    ]

    for url in urls:
        assert curator_client.post(url).status_code == 404, url
    assert titles_in_order(track.stages) == ["Basics", "Intermediate", "Advanced"]


def test_a_move_is_written_to_the_parents_history(curator_client, stage):
    curator_client.post(move_url(stage, "step", step(stage, "Linux"), "top"))
    curator_client.post(move_url(stage, "step", step(stage, "Git"), "down"))

    entries = LogEntry.objects.filter(object_id=str(stage.pk), action_flag=CHANGE).order_by("pk")
    assert [entry.get_change_message() for entry in entries] == [
        "Step “Linux”: moved to the top, from position 7 to 1. 3 other steps moved down one place.",
        "Step “Git”: moved down, from position 2 to 5. Step “HTTP”: from position 5 to 2.",
    ]
    history_page = curator_client.get(reverse("admin:learning_stage_history", args=[stage.pk]))
    assert "Step “Linux”: moved to the top, from position 7 to 1." in history_page.content.decode()


def test_the_change_page_has_move_buttons_outside_the_main_form(curator_client, track):
    response = curator_client.get(reverse("admin:learning_track_change", args=[track.pk]))
    content = response.content.decode()

    basics, intermediate, advanced = track.stages.order_by("position")
    for stage_row in (basics, intermediate, advanced):
        for direction in ("top", "up", "down", "bottom"):
            assert f'formaction="{move_url(track, "stage", stage_row, direction)}"' in content
    # The buttons submit the small reorder form, so Enter in a field still saves the page.
    buttons = re.findall(r"<button [^>]*class=\"reorder-button\"[^>]*>", content)
    assert len(buttons) == 12
    assert all('form="reorder-rows"' in button for button in buttons)
    main_form_end = content.index("</form>", content.index('id="track_form"'))
    assert content.index('<form id="reorder-rows" method="post" hidden>') > main_form_end
    # The first row can't go up, the last can't go down.
    disabled = [button for button in buttons if " disabled>" in button]
    assert [re.search(r'aria-label="([^"]+)"', button).group(1) for button in disabled] == [
        "Move “Basics” to the top",
        "Move “Basics” up",
        "Move “Advanced” down",
        "Move “Advanced” to the bottom",
    ]


def test_the_stage_page_has_move_buttons_for_steps_and_milestones(curator_client, stage):
    content = curator_client.get(reverse("admin:learning_stage_change", args=[stage.pk])).content.decode()

    assert f'formaction="{move_url(stage, "step", step(stage, "SQL"), "up")}"' in content
    milestone = stage.milestones.get(title="Build a blog")
    assert f'formaction="{move_url(stage, "milestone", milestone, "down")}"' in content


def test_a_view_only_user_sees_no_move_buttons(track):
    client = user_with("view_track", "view_stage")

    response = client.get(reverse("admin:learning_track_change", args=[track.pk]))

    assert response.status_code == 200
    assert "reorder-button" not in response.content.decode()


def test_the_add_page_has_no_move_buttons(curator_client, db):
    response = curator_client.get(reverse("admin:learning_track_add"))

    assert response.status_code == 200
    assert "reorder-button" not in response.content.decode()


def test_a_new_row_without_a_position_goes_last(curator_client, stage):
    topic = TopicFactory(title="Docker")
    steps = [
        *(step_row(row) for row in stage.steps.order_by("position")),
        {"topic": topic.pk, "position": ""},
    ]

    response = curator_client.post(
        reverse("admin:learning_stage_change", args=[stage.pk]), stage_form(stage, steps=steps)
    )

    assert response.status_code == 302, response.context and response.context["errors"]
    assert stage.steps.get(topic=topic).position == 8
    assert titles_in_order(stage.steps, "topic__title")[-1] == "Docker"


# ---------- counts in the lists ----------


def changelist(client, name, **params):
    return client.get(reverse(f"admin:learning_{name}_changelist"), params)


def column(response, name):
    """The `o` index of a list_display column (the action checkbox is column 0)."""
    return response.context["cl"].list_display.index(name)


def test_the_track_list_counts_stages_topics_and_milestones(curator_client, db):
    big = build_track(5, slug="big", resources_per_topic=0)  # 2 stages, 5 steps, 2 milestones
    small = TrackFactory(title="Small")
    StageFactory(track=small)

    response = changelist(curator_client, "track")

    counts = {
        track.slug: (track.stage_total, track.step_total, track.milestone_total)
        for track in response.context["cl"].result_list
    }
    assert counts == {big.slug: (2, 5, 2), small.slug: (1, 0, 0)}
    assert '<td class="field-milestone_count">2</td>' in response.content.decode()


@pytest.mark.parametrize("name", ["stage_count", "topic_count", "milestone_count"])
def test_the_track_list_sorts_by_each_count(curator_client, db, name):
    many = build_track(5, slug="many", resources_per_topic=0)
    StageFactory(track=many)
    MilestoneFactory(stage=many.stages.first())
    few = TrackFactory(title="Few")
    StageFactory(track=few)
    index = column(changelist(curator_client, "track"), name)

    ascending = changelist(curator_client, "track", o=str(index)).context["cl"].result_list
    descending = changelist(curator_client, "track", o=f"-{index}").context["cl"].result_list

    assert [track.slug for track in ascending] == [few.slug, many.slug]
    assert [track.slug for track in descending] == [many.slug, few.slug]


@pytest.fixture
def rated(db):
    """Three resources: one well rated and bookmarked, one with only a hidden rating, one untouched."""
    topics = TopicFactory.create_batch(3)
    loved = ResourceFactory(title="Loved", topics=topics)
    RatingFactory(resource=loved, stars=5)
    RatingFactory(resource=loved, stars=4)
    RatingFactory(resource=loved, stars=1, is_hidden=True)
    BookmarkFactory.create_batch(2, resource=loved)
    hidden = ResourceFactory(title="Hidden only", topics=topics[:1])
    RatingFactory(resource=hidden, stars=1, is_hidden=True)
    quiet = ResourceFactory(title="Quiet")
    return loved, hidden, quiet


def test_the_resource_list_counts_topics_ratings_and_bookmarks(curator_client, rated):
    response = changelist(curator_client, "resource")

    rows = {
        resource.title: (
            resource.topic_total,
            resource.rating_count,
            resource.rating_average,
            resource.bookmark_count,
        )
        for resource in response.context["cl"].result_list
    }
    assert rows == {"Loved": (3, 2, 4.5, 2), "Hidden only": (1, 0, None, 0), "Quiet": (0, 0, None, 0)}
    content = response.content.decode()
    assert '<td class="field-rating_average">4.5</td>' in content
    assert '<td class="field-rating_average">–</td>' in content


@pytest.mark.parametrize("name", ["topic_count", "rating_count", "bookmark_count"])
def test_the_resource_list_sorts_by_each_count(curator_client, rated, name):
    index = column(changelist(curator_client, "resource"), name)

    descending = changelist(curator_client, "resource", o=f"-{index}").context["cl"].result_list

    assert descending[0].title == "Loved"


def test_the_resource_list_sorts_by_average_with_unrated_last(curator_client, rated):
    meh = ResourceFactory(title="Meh")
    RatingFactory(resource=meh, stars=2)
    index = column(changelist(curator_client, "resource"), "rating_average")

    ascending = changelist(curator_client, "resource", o=str(index)).context["cl"].result_list

    assert [resource.title for resource in ascending][:2] == ["Meh", "Loved"]


@pytest.mark.parametrize(
    ("rated_value", "expected"), [("never", {"Hidden only", "Quiet"}), ("rated", {"Loved"})]
)
def test_the_ratings_filter(curator_client, rated, rated_value, expected):
    response = changelist(curator_client, "resource", rated=rated_value)

    assert {resource.title for resource in response.context["cl"].result_list} == expected


# ---------- content health ----------


HEALTH_URL = "/admin/learning/health/"
SECTION_KEYS = ["thin-topics", "never-rated", "broken-links", "suggestions", "flags", "project-flags"]


def section(response, key):
    return next(section for section in response.context["sections"] if section.key == key)


def labels(response, key):
    return [row.label for row in section(response, key).rows]


def suggest(user, topic, url, **fields):
    fields = {"title": "Idea", "kind": "article", "reason": "Worth it.", **fields}
    return ResourceSuggestion.objects.create(user=user, topic=topic, url=url, **fields)


@pytest.fixture
def problems(db):
    """One case of every problem the page reports, next to cases it must leave out."""
    thin = TopicFactory(title="Thin topic")
    ResourceFactory.create_batch(2, topics=[thin])
    ResourceFactory(topics=[thin], is_published=False)  # doesn't count: unpublished
    full = TopicFactory(title="Full topic")
    for resource in ResourceFactory.create_batch(3, topics=[full]):
        RatingFactory(resource=resource)
    TopicFactory(title="Unpublished topic", is_published=False)  # no resources, but not public

    hidden_only = ResourceFactory(title="Only a hidden rating", topics=[full])
    rating = RatingFactory(resource=hidden_only, is_hidden=True)
    ResourceFactory(title="Unpublished unrated", is_published=False, topics=[full])

    now = timezone.now()
    ResourceFactory(title="Gone", link_failures=3, link_status=404, link_checked_at=now, topics=[full])
    ResourceFactory(title="Timing out", link_failures=1, link_error="Timed out", link_checked_at=now)
    ResourceFactory(title="Gone but unpublished", link_failures=2, link_status=410, is_published=False)

    learner = UserFactory(username="sugar")
    suggest(learner, thin, "https://example.org/a", title="Great guide")
    suggest(
        learner,
        thin,
        "https://example.org/b",
        title="Rejected guide",
        status=ResourceSuggestion.Status.REJECTED,
        rejection_reason="Duplicate",
    )
    shown = RatingFactory(resource=ResourceFactory(title="Reviewed"), review="Buy my course", stars=1)
    ReviewFlag.objects.create(user=learner, rating=shown, reason="spam")
    ReviewFlag.objects.create(user=UserFactory(), rating=shown, reason="abuse", resolved_at=now)
    return {"thin": thin, "hidden_rating": rating}


def test_the_health_page_lists_thin_published_topics(curator_client, problems):
    response = curator_client.get(HEALTH_URL)

    thin = section(response, "thin-topics")
    assert [(row.label, row.cells) for row in thin.rows] == [("Thin topic", (2,))]
    assert thin.rows[0].url == reverse("admin:learning_topic_change", args=[problems["thin"].pk])
    assert thin.count == 1


def test_the_health_page_lists_published_resources_without_a_visible_rating(curator_client, problems):
    response = curator_client.get(HEALTH_URL)

    never = set(labels(response, "never-rated"))
    thin_resources = set(problems["thin"].resources.filter(is_published=True).values_list("title", flat=True))
    # A hidden rating doesn't count; unpublished resources aren't public problems; rated ones are fine.
    assert never == {"Only a hidden rating", "Gone", "Timing out", *thin_resources}
    assert section(response, "never-rated").count == 5


def test_the_health_page_lists_published_broken_links_with_their_problem(curator_client, problems):
    response = curator_client.get(HEALTH_URL)

    broken = section(response, "broken-links")
    assert [(row.label, row.cells[:2]) for row in broken.rows] == [
        ("Gone", ("HTTP 404", 3)),
        ("Timing out", ("Timed out", 1)),
    ]
    assert broken.rows[0].cells[2] is not None  # when it was checked
    content = response.content.decode()
    assert "HTTP 404" in content
    assert "Gone but unpublished" not in content


def test_the_health_page_lists_pending_suggestions_and_open_flags(curator_client, problems):
    response = curator_client.get(HEALTH_URL)

    assert labels(response, "suggestions") == ["Great guide"]
    assert section(response, "suggestions").rows[0].cells[:2] == ("Thin topic", "sugar")
    assert labels(response, "flags") == [
        f"{ReviewFlag.objects.get(resolved_at=None).rating.user.get_username()} on “Reviewed” (1★)"
    ]
    assert section(response, "flags").rows[0].cells[:2] == ("Spam or advertising", "sugar")


def test_the_health_sections_link_to_filtered_lists_that_hold_exactly_their_rows(curator_client, problems):
    response = curator_client.get(HEALTH_URL)

    for key in ("thin-topics", "never-rated", "broken-links"):
        listed = curator_client.get(section(response, key).list_url)
        assert listed.status_code == 200, key
        shown = {obj.title for obj in listed.context["cl"].result_list}
        assert shown == set(labels(response, key)), key
        assert f'href="{section(response, key).list_url.replace("&", "&amp;")}"' in response.content.decode()


def test_health_rows_are_capped_and_link_to_the_whole_list(curator_client, db, monkeypatch):
    monkeypatch.setattr(health, "SECTION_ROWS", 3)
    ResourceFactory.create_batch(5)

    response = curator_client.get(HEALTH_URL)

    assert len(section(response, "never-rated").rows) == 3
    assert section(response, "never-rated").count == 5
    assert "All 5 in the list" in response.content.decode()


def test_health_links_each_pending_suggestion_and_open_flag_to_its_moderation_page(curator_client, problems):
    response = curator_client.get(HEALTH_URL)

    suggestion = ResourceSuggestion.objects.get(title="Great guide")
    flag = ReviewFlag.objects.get(resolved_at=None)
    suggestions, flags = section(response, "suggestions"), section(response, "flags")
    assert (
        suggestions.list_url
        == reverse("admin:learning_resourcesuggestion_changelist") + "?status__exact=pending"
    )
    assert suggestions.rows[0].url == reverse(
        "admin:learning_resourcesuggestion_change", args=[suggestion.pk]
    )
    assert flags.list_url == reverse("admin:learning_reviewflag_changelist") + "?resolved_at__isnull=True"
    assert flags.rows[0].url == reverse("admin:learning_reviewflag_change", args=[flag.pk])
    content = response.content.decode()
    for url in (suggestions.list_url, suggestions.rows[0].url, flags.list_url, flags.rows[0].url):
        assert f'href="{url}"' in content
    # The curator may follow every link, and the lists hold exactly the section's rows.
    assert [row.title for row in curator_client.get(suggestions.list_url).context["cl"].result_list] == [
        "Great guide"
    ]
    assert list(curator_client.get(flags.list_url).context["cl"].result_list) == [flag]
    assert curator_client.get(suggestions.rows[0].url).status_code == 200
    assert curator_client.get(flags.rows[0].url).status_code == 200


def test_staff_without_the_moderation_permissions_see_no_moderation_section_or_link(problems):
    """Curating permissions without the Curator group's moderation ones: the catalogue sections only, and
    no link to a moderation page they would be refused."""
    curating = Group.objects.get(name="Curator").permissions.exclude(
        content_type__model__in=[
            *("resourcesuggestion", "reviewflag", "rating"),
            *("projectsubmission", "projectfeedback", "projectflag"),
        ]
    )
    user = UserFactory(is_staff=True)
    user.user_permissions.set(curating)
    client = Client()
    client.force_login(user)

    response = client.get(HEALTH_URL)

    assert response.status_code == 200
    assert [section.key for section in response.context["sections"]] == SECTION_KEYS[:3]
    content = response.content.decode()
    assert "Great guide" not in content
    for name in ("resourcesuggestion", "reviewflag"):
        list_url = reverse(f"admin:learning_{name}_changelist")
        assert list_url not in content
        assert client.get(list_url).status_code == 403


def test_an_empty_catalogue_has_a_healthy_page(curator_client, db):
    response = curator_client.get(HEALTH_URL)

    assert response.status_code == 200
    assert [section.count for section in response.context["sections"]] == [0, 0, 0, 0, 0, 0]
    assert response.content.decode().count("Nothing to do here.") == 6


def test_the_health_page_is_linked_from_the_admin_index(curator_client, db):
    content = curator_client.get(reverse("admin:index")).content.decode()

    assert f'href="{HEALTH_URL}"' in content


def test_a_curator_sees_the_health_page_with_the_moderation_sections(db):
    curator = UserFactory(is_staff=True)
    curator.groups.add(Group.objects.get(name="Curator"))
    client = Client()
    client.force_login(curator)

    response = client.get(HEALTH_URL)

    assert response.status_code == 200
    assert [section.key for section in response.context["sections"]] == SECTION_KEYS
    assert f'href="{HEALTH_URL}"' in client.get(reverse("admin:index")).content.decode()


def test_moderation_sections_need_their_own_view_permission(db):
    client = user_with("view_topic", "view_resource")

    response = client.get(HEALTH_URL)

    assert response.status_code == 200
    assert [section.key for section in response.context["sections"]] == SECTION_KEYS[:3]


def test_staff_without_the_catalogue_permissions_is_refused_the_health_page(db):
    client = user_with("view_topic")  # not resources

    assert client.get(HEALTH_URL).status_code == 403
    assert f'href="{HEALTH_URL}"' not in client.get(reverse("admin:index")).content.decode()


def test_a_learner_is_sent_to_the_admin_login_from_the_health_page(client, learner):
    client.force_login(learner)

    response = client.get(HEALTH_URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def grow_problems(count):
    for index in range(count):
        topic = TopicFactory()
        ResourceFactory(topics=[topic], link_failures=1, link_status=500, link_checked_at=timezone.now())
        rating = RatingFactory(resource=ResourceFactory(topics=[topic]), is_hidden=index % 2 == 0)
        learner = UserFactory()
        suggest(learner, topic, f"https://example.org/{index}")
        ReviewFlag.objects.create(user=learner, rating=rating, reason="spam")
        project = ProjectSubmissionFactory(user=learner)
        ProjectFlag.objects.create(user=UserFactory(), submission=project, reason="spam")


# After a warm-up request: 2 for each of the 6 sections (its count and its first rows) and 4 more, among them
# the session and the user (never cached without a shared cache); the same with 2 problems of each kind and with 27.
HEALTH_QUERIES = 16


def test_the_health_page_queries_do_not_grow_with_rows(curator_client, db, django_assert_num_queries):
    grow_problems(2)
    curator_client.get(HEALTH_URL)  # warm caches
    with django_assert_num_queries(HEALTH_QUERIES):
        assert curator_client.get(HEALTH_URL).status_code == 200

    grow_problems(25)

    with django_assert_num_queries(HEALTH_QUERIES):
        response = curator_client.get(HEALTH_URL)
    assert [section.count for section in response.context["sections"]] == [27, 41, 27, 27, 27, 27]


# ---------- one track as a content file ----------


def download(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_track_download_is_exactly_the_exported_file(curator_client, db, tmp_path):
    track = build_track(5, slug="backend")
    track.body = "Line one\n\nLine “two”: ünïcode\n"
    track.save()
    call_command("export_roadmap", "--output", str(tmp_path), stdout=open("/dev/null", "w"))  # noqa: SIM115

    response = curator_client.get(reverse("admin:learning_track_export", args=[track.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="backend.yaml"'
    assert response["Content-Type"] == "application/yaml"
    assert download(response) == (tmp_path / "tracks" / "backend.yaml").read_bytes()


def test_the_track_page_links_to_its_download(curator_client, track):
    content = curator_client.get(reverse("admin:learning_track_change", args=[track.pk])).content.decode()

    assert f'href="{reverse("admin:learning_track_export", args=[track.pk])}"' in content


def test_downloading_an_unknown_track_answers_404(curator_client, db):
    assert curator_client.get(reverse("admin:learning_track_export", args=[999_999])).status_code == 404


def test_downloading_a_track_needs_the_view_permission(track):
    assert (
        user_with("view_topic").get(reverse("admin:learning_track_export", args=[track.pk])).status_code
        == 403
    )
    allowed = user_with("view_track").get(reverse("admin:learning_track_export", args=[track.pk]))
    assert allowed.status_code == 200
    assert b"slug: python-django" in download(allowed)


# ---------- history in words ----------


def track_form(track, *, stages=None, **changes):
    if stages is None:
        stages = [
            {"id": s.pk, "track": track.pk, "position": s.position, "title": s.title, "slug": s.slug}
            for s in track.stages.order_by("position")
        ]
    data = {
        "title": track.title,
        "slug": track.slug,
        "summary": track.summary,
        "body": track.body.replace("\n", "\r\n"),  # as a browser sends it
        "tags": ", ".join(sorted(track.tags.names())),
        "position": track.position,
        "is_published": "on" if track.is_published else "",
        **inline("stages", stages, initial=track.stages.count()),
        **inline("changes", []),
        "_save": "Save",
    }
    return {key: value for key, value in {**data, **changes}.items() if value != ""}


def save_track(client, track, **kwargs):
    response = client.post(
        reverse("admin:learning_track_change", args=[track.pk]), track_form(track, **kwargs)
    )
    assert response.status_code == 302, response.context and response.context["errors"]


def test_history_says_what_changed_in_the_fields(curator_client, track):
    track.summary = "s" * 120
    track.body = "Para one.\n\nPara two.\n"
    track.save()
    track.tags.add("python", "web")

    save_track(
        curator_client,
        track,
        title="Python and Django",
        summary="t" * 140,
        is_published="",
        tags="python, django",
    )

    assert last_history(track) == (
        "Changed title: “Python & Django” → “Python and Django”; summary (120 → 140 characters); "
        "tags: added “django”, removed “web”; published: yes → no."
    )


def test_history_summarises_long_text_and_names_empty_values(curator_client, track):
    save_track(curator_client, track, body="A new body\nover two lines.")

    assert last_history(track) == "Changed body (added, 26 characters)."


def test_saving_without_changes_says_so(curator_client, track):
    track.body = "Kept as is.\nWith a final newline.\n"
    track.save()

    save_track(curator_client, track)

    assert last_history(track) == "No fields changed."


def test_history_names_inline_rows_added_changed_moved_and_deleted(curator_client, track):
    basics, intermediate, advanced = track.stages.order_by("position")
    stages = [
        {"id": basics.pk, "track": track.pk, "position": 4, "title": "Basics", "slug": "basics"},
        {"id": intermediate.pk, "track": track.pk, "position": 0, "title": "Intermediate", "slug": "middle"},
        {
            "id": advanced.pk,
            "track": track.pk,
            "position": 9,
            "title": "Advanced",
            "slug": "advanced",
            "DELETE": True,
        },
        {"track": track.pk, "title": "Production", "slug": "production", "duration": "months 7–12"},
    ]

    save_track(curator_client, track, stages=stages)

    assert last_history(track) == (
        "Added stage “Production” at position 5. "
        "Stage “Basics”: moved from position 0 to 4. "
        "Stage “Intermediate”: moved from position 4 to 0; slug: “intermediate” → “middle”. "
        "Deleted stage “Advanced”."
    )


def test_history_of_a_stage_names_steps_and_milestone_topics(curator_client, stage):
    git, http = step(stage, "Git"), step(stage, "HTTP")
    blog = stage.milestones.get(title="Build a blog")
    blog.topics.set([git.topic])
    steps = [
        step_row(git, position=2),
        step_row(http, position=1),
        *(step_row(s) for s in stage.steps.filter(position__gt=2)),
    ]
    milestones = [
        milestone_row(blog, topics=[http.topic_id], description="Write it up."),
        milestone_row(stage.milestones.get(title="Build an API")),
    ]

    response = curator_client.post(
        reverse("admin:learning_stage_change", args=[stage.pk]),
        stage_form(stage, steps=steps, milestones=milestones, duration="months 1–3"),
    )

    assert response.status_code == 302, response.context and response.context["errors"]
    assert last_history(stage) == (
        "Changed duration: empty → “months 1–3”. "
        "Step “Git”: moved from position 1 to 2. "
        "Step “HTTP”: moved from position 2 to 1. "
        "Milestone “Build a blog”: description: empty → “Write it up.”; topics: added “HTTP”, removed “Git”."
    )


def test_history_of_a_resource_names_choices_and_topics(curator_client, db):
    old_topic, new_topic = TopicFactory(title="Git"), TopicFactory(title="Docker")
    resource = ResourceFactory(title="Pro Git", kind=Resource.Kind.BOOK, topics=[old_topic])
    url = reverse("admin:learning_resource_change", args=[resource.pk])
    data = resource_form(
        resource.url,
        title="Pro Git",
        author="Scott Chacon",
        description="",
        estimated_minutes="90",
        topics=[new_topic.pk],
        tags="",
    )

    response = curator_client.post(url, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    assert last_history(resource) == (
        "Changed author: empty → “Scott Chacon”; kind: “Book” → “Official docs”; "
        "estimated minutes: empty → 90; topics: added “Docker”, removed “Git”."
    )


def test_history_of_a_topic_names_the_resources_attached(curator_client, db):
    topic = TopicFactory(title="Git")
    resource = ResourceFactory(title="Pro Git")
    data = {
        "title": topic.title,
        "slug": topic.slug,
        "summary": topic.summary,
        "body": topic.body,
        "tags": "",
        "is_published": "on",
        **inline("resource_links", [{"resource": resource.pk, "topic": topic.pk}]),
        **inline("ready_checks", []),
        "_save": "Save",
    }

    response = curator_client.post(reverse("admin:learning_topic_change", args=[topic.pk]), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    assert last_history(topic) == "Added resource “Pro Git” at position 0."


def test_adding_a_track_with_a_stage_is_described(curator_client, db):
    data = {
        "title": "Go",
        "slug": "go",
        "summary": "Services in Go.",
        "position": "4",
        "is_published": "on",
        **inline("stages", [{"title": "Basics", "slug": "basics"}]),
        **inline("changes", []),
        "_save": "Save",
    }

    response = curator_client.post(reverse("admin:learning_track_add"), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    assert last_history(Track.objects.get(slug="go")) == "Added. Added stage “Basics” at position 0."


def test_the_history_page_shows_the_words(curator_client, track):
    save_track(curator_client, track, title="Python and Django")

    response = curator_client.get(reverse("admin:learning_track_history", args=[track.pk]))

    assert "Changed title: “Python &amp; Django” → “Python and Django”." in response.content.decode()


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (None, None, None),
        ("", None, None),
        (object(), 3, "thing: "),
        ([1, "a"], None, "thing: removed “1” and “a”"),
        (b"\xff", "x", "thing: b'\\xff' → “x”"),
        (3.5, float("nan"), "thing: 3.5 → nan"),
        ("a\r\nb", "a\nb", None),
        ("x" * 61, "x" * 61 + "y", "thing (61 → 62 characters)"),
        ("x" * 70, "y" * 70, "thing (edited, 70 characters)"),
        ("long " * 20, "", "thing (cleared, was 99 characters)"),
    ],
)
def test_describing_odd_values_never_fails(old, new, expected):
    class Form:
        fields = {}

    description = history.describe_value_change(Form(), "thing", old, new)

    if expected is None:
        assert description is None
    else:
        assert description.startswith(expected)


def test_a_failing_description_falls_back_to_djangos_message(curator_client, track, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("odd")

    monkeypatch.setattr(history, "describe_changes", broken)

    save_track(curator_client, track, title="Renamed")

    assert Track.objects.get(pk=track.pk).title == "Renamed"
    assert last_history(track) == "Changed Title."


@pytest.mark.parametrize(
    ("name", "factory"), [("track", TrackFactory), ("topic", TopicFactory), ("resource", ResourceFactory)]
)
def test_bulk_publishing_logs_each_object_it_changed(curator_client, db, name, factory):
    hidden = factory.create_batch(2, is_published=False)
    already = factory(is_published=True)

    response = curator_client.post(
        reverse(f"admin:learning_{name}_changelist"),
        {"action": "publish", "_selected_action": [obj.pk for obj in [*hidden, already]]},
    )

    assert response.status_code == 302
    entries = LogEntry.objects.filter(action_flag=CHANGE)
    assert sorted(int(entry.object_id) for entry in entries) == sorted(obj.pk for obj in hidden)
    assert {entry.get_change_message() for entry in entries} == {"Changed published: no → yes (bulk action)."}


def test_list_editable_changes_are_described(curator_client, track):
    other = TrackFactory()
    url = reverse("admin:learning_track_changelist")
    data = {
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "2",
        "form-0-id": track.pk,
        "form-0-position": "7",
        "form-1-id": other.pk,
        "form-1-position": other.position,
        "_save": "Save",
    }

    response = curator_client.post(url, data)

    assert response.status_code == 302
    assert last_history(track) == f"Changed position: {track.position} → 7."
