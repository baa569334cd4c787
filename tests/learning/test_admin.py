"""The curation admin, driven through its real URLs the way a curator's browser would."""

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from taggit.models import Tag

from learning.models import Milestone, Resource, Stage, Step, Track
from tests.factories import (
    BookmarkFactory,
    MilestoneFactory,
    RatingFactory,
    ResourceFactory,
    StageFactory,
    StepFactory,
    TopicFactory,
    TrackFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ADMIN_MODELS = [
    "learning_track",
    "learning_stage",
    "learning_topic",
    "learning_resource",
    "accounts_user",
    "taggit_tag",
]
# Curators never manage users (tests/learning/test_roles.py): the user admin is tested as a superuser.
SUPERUSER_ONLY = {"accounts_user"}


# ---------- helpers ----------


def inline(prefix, rows, initial=0):
    """POST data of one inline formset: the management form plus one dict per row."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for name, value in row.items():
            if value is False or value is None:
                continue  # an unticked checkbox or an empty select is simply absent
            data[f"{prefix}-{index}-{name}"] = "on" if value is True else value
    return data


def step_row(step, **changes):
    row = {"id": step.pk, "stage": step.stage_id, "position": step.position, "topic": step.topic_id}
    return {**row, "is_optional": step.is_optional, **changes}


def milestone_row(milestone, **changes):
    row = {"id": milestone.pk, "stage": milestone.stage_id, "position": milestone.position}
    row |= {"title": milestone.title, "slug": milestone.slug, "description": milestone.description}
    return {**row, "topics": [topic.pk for topic in milestone.topics.all()], **changes}


def stage_form(stage, *, steps=None, milestones=None, **changes):
    """The whole stage change form as the admin renders it, existing rows included, with changes."""
    steps = [step_row(step) for step in stage.steps.order_by("position")] if steps is None else steps
    if milestones is None:
        milestones = [milestone_row(milestone) for milestone in stage.milestones.order_by("position")]
    fields = {"track": stage.track_id, "title": stage.title, "slug": stage.slug, "duration": stage.duration}
    fields |= {"summary": stage.summary, "position": stage.position, **changes}
    return {
        **fields,
        **inline("steps", steps, initial=stage.steps.count()),
        **inline("milestones", milestones, initial=stage.milestones.count()),
        "_save": "Save",
    }


def step_snapshot():
    return list(Step.objects.order_by("pk").values_list("pk", "stage_id", "topic_id", "position"))


def stage_change_url(stage):
    return reverse("admin:learning_stage_change", args=[stage.pk])


@pytest.fixture
def admin_for(curator_client, superuser_client):
    """The client that may use the admin of `name`: a curator's, or a superuser's for SUPERUSER_ONLY."""
    return lambda name: superuser_client if name in SUPERUSER_ONLY else curator_client


@pytest.fixture
def catalogue(db):
    """Two tracks sharing a topic, with stages, steps, a milestone, resources, tags and a group."""
    python, backend = TrackFactory(title="Python & Django"), TrackFactory(title="Backend")
    python.tags.add("python")
    basics = StageFactory(track=python, title="Basics", position=1)
    advanced = StageFactory(track=python, title="Advanced", position=2)
    git, http, orm = (TopicFactory(title=title) for title in ("Git", "HTTP", "The ORM"))
    git.tags.add("tools")
    steps = [
        StepFactory(stage=basics, topic=git, position=1),
        StepFactory(stage=basics, topic=http, position=2),
        StepFactory(stage=advanced, topic=orm, position=1),
        StepFactory(stage=StageFactory(track=backend, position=1), topic=git, position=1),
    ]
    milestone = MilestoneFactory(stage=basics, title="Build a blog", position=1)
    milestone.topics.set([git, http])
    resource = ResourceFactory(title="Pro Git", kind=Resource.Kind.BOOK, topics=[git])
    resource.tags.add("tools")
    ResourceFactory(title="MDN HTTP", kind=Resource.Kind.DOCS, topics=[http])
    return {
        "track": python,
        "stage": basics,
        "stages": (basics, advanced),
        "topics": (git, http, orm),
        "steps": steps,
        "milestone": milestone,
        "resource": resource,
    }


def object_for(name, catalogue, user):
    return {
        "learning_track": catalogue["track"],
        "learning_stage": catalogue["stage"],
        "learning_topic": catalogue["topics"][0],
        "learning_resource": catalogue["resource"],
        "accounts_user": user,
        "taggit_tag": Tag.objects.get(name="tools"),
    }[name]


# ---------- every page answers ----------


@pytest.mark.parametrize("name", ADMIN_MODELS)
def test_changelist_add_and_change_pages_answer(admin_for, learner, catalogue, name):
    client = admin_for(name)
    obj = object_for(name, catalogue, learner)
    urls = [
        reverse(f"admin:{name}_changelist"),
        reverse(f"admin:{name}_add"),
        reverse(f"admin:{name}_change", args=[obj.pk]),
        reverse(f"admin:{name}_history", args=[obj.pk]),
        reverse(f"admin:{name}_delete", args=[obj.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["curator", "superuser"])
def test_admin_index_lists_the_catalogue_but_not_stages(curator_client, superuser_client, catalogue, who):
    response = (curator_client if who == "curator" else superuser_client).get(reverse("admin:index"))

    assert response.status_code == 200
    content = response.content.decode()
    for name in ("learning_track", "learning_topic", "learning_resource", "taggit_tag"):
        assert reverse(f"admin:{name}_changelist") in content
    assert (reverse("admin:accounts_user_changelist") in content) == (who == "superuser")
    # Stages are reached from their track (StageAdmin.get_model_perms hides them from the index).
    assert reverse("admin:learning_stage_changelist") not in content


@pytest.mark.parametrize(
    ("name", "term"),
    [
        ("learning_track", "Python"),
        ("learning_stage", "Basics"),
        ("learning_stage", "Python"),  # search_fields reach the track's title
        ("learning_topic", "Git"),
        ("learning_resource", "example.com"),
        ("learning_resource", "Pro"),
        ("accounts_user", "learner"),
        ("taggit_tag", "tools"),
        ("learning_resource", "nothing matches this"),
    ],
)
def test_changelist_search_answers(admin_for, learner, catalogue, name, term):
    response = admin_for(name).get(reverse(f"admin:{name}_changelist"), {"q": term})

    assert response.status_code == 200
    if term != "nothing matches this":
        assert len(response.context["cl"].result_list) >= 1


def test_search_finds_the_right_rows(curator_client, catalogue):
    response = curator_client.get(reverse("admin:learning_topic_changelist"), {"q": "orm"})

    assert [topic.title for topic in response.context["cl"].result_list] == ["The ORM"]


@pytest.mark.parametrize("name", ADMIN_MODELS)
def test_every_list_filter_value_answers(admin_for, catalogue, name):
    client = admin_for(name)
    url = reverse(f"admin:{name}_changelist")
    changelist = client.get(url).context["cl"]
    query_strings = {
        choice["query_string"] for spec in changelist.filter_specs for choice in spec.choices(changelist)
    }
    expected_filters = {
        "learning_track": 2,  # published, stack
        "learning_stage": 1,
        "learning_topic": 3,  # published, published resources (coverage), tags
        "learning_resource": 8,  # kind, cost, level, stack, published, link health, ratings, tags
        "accounts_user": 5,
        "taggit_tag": 0,
    }
    assert len(changelist.filter_specs) == expected_filters[name]

    for query_string in query_strings:
        response = client.get(url + query_string)
        assert response.status_code == 200, query_string
        # ... and combined with a search.
        joiner = "&" if query_string != "?" else ""
        assert client.get(f"{url}{query_string}{joiner}q=a").status_code == 200, query_string


def test_list_filters_filter(curator_client, catalogue):
    url = reverse("admin:learning_resource_changelist")

    books = curator_client.get(url, {"kind__exact": "book"}).context["cl"].result_list
    tagged = curator_client.get(url, {"tags__id__exact": Tag.objects.get(name="tools").pk})

    assert [resource.title for resource in books] == ["Pro Git"]
    assert [resource.title for resource in tagged.context["cl"].result_list] == ["Pro Git"]


# ---------- who may enter ----------


@pytest.mark.parametrize(
    "url_name", ["admin:index", "admin:learning_track_changelist", "admin:learning_resource_add"]
)
def test_a_learner_is_sent_to_the_admin_login(client, learner, url_name):
    client.force_login(learner)
    url = reverse(url_name)

    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    assert f"next={url}" in response.url


@pytest.mark.parametrize(
    "url_name", ["admin:index", "admin:learning_track_changelist", "admin:learning_resource_add"]
)
def test_an_anonymous_visitor_is_sent_to_the_admin_login(client, db, url_name):
    response = client.get(reverse(url_name))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_a_learner_cannot_post_an_action(client, learner, catalogue):
    client.force_login(learner)

    response = client.post(
        reverse("admin:learning_track_changelist"),
        {"action": "unpublish", "_selected_action": [catalogue["track"].pk]},
    )

    assert response.status_code == 302
    assert Track.objects.get(pk=catalogue["track"].pk).is_published


# ---------- tracks, stages, steps and milestones ----------


def test_create_a_track_with_an_inline_stage(curator_client, db):
    data = {
        "title": "Go",
        "slug": "go",
        "summary": "From zero to services in Go.",
        "body": "Line one\r\nLine two",
        "tags": "go, backend",
        "position": "4",
        "is_published": "on",
        **inline("stages", [{"position": 1, "title": "Basics", "slug": "basics", "duration": "months 1–3"}]),
        **inline("changes", []),
        "_save": "Save",
    }

    response = curator_client.post(reverse("admin:learning_track_add"), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    track = Track.objects.get(slug="go")
    assert track.body == "Line one\nLine two"
    assert sorted(track.tags.names()) == ["backend", "go"]
    assert list(track.stages.values_list("title", "slug", "position", "duration")) == [
        ("Basics", "basics", 1, "months 1–3")
    ]


def test_swap_two_stages_of_a_track_in_one_save(curator_client, catalogue):
    track = catalogue["track"]
    basics, advanced = catalogue["stages"]
    stages = [
        {"id": basics.pk, "track": track.pk, "position": 2, "title": basics.title, "slug": basics.slug},
        {"id": advanced.pk, "track": track.pk, "position": 1, "title": advanced.title, "slug": advanced.slug},
    ]
    data = {
        "title": track.title,
        "slug": track.slug,
        "summary": track.summary,
        "tags": "python",
        "position": track.position,
        "is_published": "on",
        **inline("stages", stages, initial=2),
        **inline("changes", []),
        "_save": "Save",
    }

    response = curator_client.post(reverse("admin:learning_track_change", args=[track.pk]), data)

    assert response.status_code == 302
    assert list(track.stages.order_by("position").values_list("title", flat=True)) == ["Advanced", "Basics"]


def test_create_a_stage_with_steps_and_a_milestone(curator_client, catalogue):
    track = catalogue["track"]
    git = catalogue["topics"][0]
    topic = TopicFactory(title="Testing")
    data = {
        "track": track.pk,
        "title": "Production",
        "slug": "production",
        "duration": "months 7–12",
        "summary": "",
        "position": 3,
        **inline(
            "steps",
            [
                {"position": 1, "topic": topic.pk, "is_optional": True},
                {"position": 2, "topic": TopicFactory(title="Deploying").pk},
            ],
        ),
        **inline(
            "milestones",
            [
                {
                    "position": 1,
                    "title": "Ship it",
                    "slug": "ship-it",
                    "description": "Deploy\r\nthe blog.",
                    "topics": [topic.pk, git.pk],
                }
            ],
        ),
        "_save": "Save",
    }

    response = curator_client.post(reverse("admin:learning_stage_add"), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    stage = Stage.objects.get(track=track, slug="production")
    assert list(stage.steps.values_list("topic__title", "position", "is_optional", "track_id")) == [
        ("Testing", 1, True, track.pk),
        ("Deploying", 2, False, track.pk),
    ]
    milestone = stage.milestones.get()
    assert (milestone.title, milestone.description) == ("Ship it", "Deploy\nthe blog.")
    assert set(milestone.topics.all()) == {topic, git}


def test_add_a_step_and_a_milestone_on_the_stage_change_page(curator_client, catalogue):
    stage = catalogue["stages"][1]
    topic = TopicFactory(title="Caching")
    data = stage_form(
        stage,
        steps=[*(step_row(step) for step in stage.steps.all()), {"position": 2, "topic": topic.pk}],
        milestones=[{"position": 1, "title": "A shop", "slug": "a-shop", "topics": [topic.pk]}],
    )

    response = curator_client.post(stage_change_url(stage), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    assert list(stage.steps.values_list("topic__title", flat=True)) == ["The ORM", "Caching"]
    assert list(stage.milestones.get().topics.all()) == [topic]


def test_the_stage_change_page_shows_its_steps_and_milestones(curator_client, catalogue):
    response = curator_client.get(stage_change_url(catalogue["stage"]))

    prefixes = [formset.formset.prefix for formset in response.context["inline_admin_formsets"]]
    assert prefixes == ["steps", "milestones"]
    assert [form.instance.topic.title for form in response.context["inline_admin_formsets"][0].formset] == [
        "Git",
        "HTTP",
    ]


def test_swap_two_steps_in_one_save(curator_client, catalogue):
    stage = catalogue["stage"]
    first, second = stage.steps.order_by("position")
    data = stage_form(stage, steps=[step_row(first, position=2), step_row(second, position=1)])

    response = curator_client.post(stage_change_url(stage), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    assert list(stage.steps.order_by("position").values_list("topic__title", "position")) == [
        ("HTTP", 1),
        ("Git", 2),
    ]


def test_rotate_three_steps_and_add_one_at_a_freed_position(curator_client, catalogue):
    stage = catalogue["stage"]
    first, second = stage.steps.order_by("position")
    third = StepFactory(stage=stage, topic=TopicFactory(title="SQL"), position=3)
    data = stage_form(
        stage,
        steps=[
            step_row(first, position=3),
            step_row(second, position=4),
            step_row(third, position=2),
            {"position": 1, "topic": TopicFactory(title="Linux").pk},
        ],
    )

    response = curator_client.post(stage_change_url(stage), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    assert list(stage.steps.order_by("position").values_list("topic__title", "position")) == [
        ("Linux", 1),
        ("SQL", 2),
        ("Git", 3),
        ("HTTP", 4),
    ]


def test_a_deleted_row_frees_its_position_in_the_same_save(curator_client, catalogue):
    stage = catalogue["stage"]
    first, second = stage.steps.order_by("position")
    data = stage_form(stage, steps=[step_row(first, DELETE=True), step_row(second, position=1)])

    response = curator_client.post(stage_change_url(stage), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    assert list(stage.steps.values_list("topic__title", "position")) == [("HTTP", 1)]


def test_swap_two_milestones_in_one_save(curator_client, catalogue):
    stage = catalogue["stage"]
    first = catalogue["milestone"]
    second = MilestoneFactory(stage=stage, title="Build an API", position=2)
    data = stage_form(stage, milestones=[milestone_row(first, position=2), milestone_row(second, position=1)])

    response = curator_client.post(stage_change_url(stage), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    assert list(stage.milestones.order_by("position").values_list("title", flat=True)) == [
        "Build an API",
        "Build a blog",
    ]
    assert set(Milestone.objects.get(pk=first.pk).topics.all()) == set(catalogue["topics"][:2])


def test_two_rows_at_one_position_are_refused_with_a_message(curator_client, catalogue):
    stage = catalogue["stage"]
    first, second = stage.steps.order_by("position")
    before = step_snapshot()
    data = stage_form(stage, steps=[step_row(first), step_row(second, position=first.position)])

    response = curator_client.post(stage_change_url(stage), data)

    assert response.status_code == 200
    assert "Another row already has position" in response.content.decode()
    assert step_snapshot() == before


def test_a_new_row_at_a_taken_position_is_refused_with_a_message(curator_client, catalogue):
    stage = catalogue["stage"]
    before = step_snapshot()
    steps = [
        *(step_row(step) for step in stage.steps.all()),
        {"position": 1, "topic": catalogue["topics"][2].pk},
    ]

    response = curator_client.post(stage_change_url(stage), stage_form(stage, steps=steps))

    assert response.status_code == 200
    assert "Another row already has position 1" in response.content.decode()
    assert step_snapshot() == before


def test_two_milestones_at_one_position_are_refused(curator_client, catalogue):
    stage = catalogue["stage"]
    milestones = [
        milestone_row(catalogue["milestone"]),
        {"position": catalogue["milestone"].position, "title": "Another", "slug": "another"},
    ]

    response = curator_client.post(stage_change_url(stage), stage_form(stage, milestones=milestones))

    assert response.status_code == 200
    assert "Another row already has position" in response.content.decode()
    assert stage.milestones.count() == 1


def test_the_same_topic_twice_in_one_save_is_refused(curator_client, catalogue):
    stage = catalogue["stage"]
    topic = TopicFactory(title="Docker")
    before = step_snapshot()
    steps = [
        *(step_row(step) for step in stage.steps.all()),
        {"position": 5, "topic": topic.pk},
        {"position": 6, "topic": topic.pk},
    ]

    response = curator_client.post(stage_change_url(stage), stage_form(stage, steps=steps))

    assert response.status_code == 200
    assert "is already a step of this track" in response.content.decode()
    assert step_snapshot() == before


def test_the_same_topic_twice_on_the_add_page_is_refused(curator_client, catalogue):
    topic = TopicFactory(title="Docker")
    data = {
        "track": catalogue["track"].pk,
        "title": "Ops",
        "slug": "ops",
        "position": 9,
        **inline("steps", [{"position": 1, "topic": topic.pk}, {"position": 2, "topic": topic.pk}]),
        **inline("milestones", []),
        "_save": "Save",
    }

    response = curator_client.post(reverse("admin:learning_stage_add"), data)

    assert response.status_code == 200
    assert "is already a step of this track" in response.content.decode()
    assert not Stage.objects.filter(slug="ops").exists()


def test_a_topic_already_in_another_stage_of_the_track_is_refused(curator_client, catalogue):
    advanced = catalogue["stages"][1]
    git = catalogue["topics"][0]  # already a step of the Basics stage of the same track
    before = step_snapshot()
    steps = [*(step_row(step) for step in advanced.steps.all()), {"position": 2, "topic": git.pk}]

    response = curator_client.post(stage_change_url(advanced), stage_form(advanced, steps=steps))

    assert response.status_code == 200
    assert "is already a step of this track" in response.content.decode()
    assert step_snapshot() == before


def test_a_topic_of_another_track_is_welcome(curator_client, catalogue):
    # Topics are shared: "Git" is in both tracks; "The ORM" may join the Backend track too.
    backend_stage = Stage.objects.get(track__title="Backend")
    orm = catalogue["topics"][2]
    steps = [*(step_row(step) for step in backend_stage.steps.all()), {"position": 2, "topic": orm.pk}]

    response = curator_client.post(stage_change_url(backend_stage), stage_form(backend_stage, steps=steps))

    assert response.status_code == 302, response.context and response.context["errors"]
    assert orm.steps.count() == 2


def test_moving_a_stage_into_a_track_that_already_teaches_its_topic_is_refused(curator_client, catalogue):
    # "Git" is in the Basics stage of Python & Django and in the Backend track already.
    basics = catalogue["stage"]
    backend = Track.objects.get(title="Backend")
    before = step_snapshot()

    response = curator_client.post(stage_change_url(basics), stage_form(basics, track=backend.pk, position=7))

    assert response.status_code == 200
    assert "is already a step of this track" in response.content.decode()
    assert step_snapshot() == before
    assert Stage.objects.get(pk=basics.pk).track == catalogue["track"]


def test_moving_a_stage_to_another_track_moves_its_steps(curator_client, catalogue):
    advanced = catalogue["stages"][1]
    backend = Track.objects.get(title="Backend")

    response = curator_client.post(
        stage_change_url(advanced), stage_form(advanced, track=backend.pk, position=7)
    )

    assert response.status_code == 302, response.context and response.context["errors"]
    assert set(Step.objects.filter(stage=advanced).values_list("track_id", flat=True)) == {backend.pk}


@pytest.mark.parametrize(
    ("model_name", "field_name", "term", "expected"),
    [
        ("step", "topic", "gi", ["Git"]),
        ("milestone", "topics", "gi", ["Git"]),
        ("resource", "topics", "http", ["HTTP"]),
        ("topicresource", "resource", "pro", ["Pro Git"]),
    ],
)
def test_autocomplete_answers(curator_client, catalogue, model_name, field_name, term, expected):
    response = curator_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "learning", "model_name": model_name, "field_name": field_name, "term": term},
    )

    assert response.status_code == 200
    assert [result["text"] for result in response.json()["results"]] == expected


def test_attach_a_resource_from_the_topic_page(curator_client, catalogue):
    orm = catalogue["topics"][2]
    resource = catalogue["resource"]
    data = {
        "title": orm.title,
        "slug": orm.slug,
        "summary": orm.summary,
        "body": orm.body,
        "tags": "",
        "is_published": "on",
        **inline("ready_checks", []),
        **inline("resource_links", [{"resource": resource.pk, "topic": orm.pk}]),
        "_save": "Save",
    }

    response = curator_client.post(reverse("admin:learning_topic_change", args=[orm.pk]), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    assert list(orm.resources.all()) == [resource]


# ---------- bulk actions ----------


@pytest.mark.parametrize(
    ("name", "factory"),
    [
        ("learning_track", TrackFactory),
        ("learning_topic", TopicFactory),
        ("learning_resource", ResourceFactory),
    ],
)
def test_publish_and_unpublish_actions(curator_client, db, name, factory):
    chosen = factory.create_batch(2)
    other = factory()
    url = reverse(f"admin:{name}_changelist")
    model = type(other)

    response = curator_client.post(
        url, {"action": "unpublish", "_selected_action": [obj.pk for obj in chosen]}
    )

    assert response.status_code == 302
    assert set(model.objects.filter(is_published=False)) == set(chosen)
    messages = [str(message) for message in response.wsgi_request._messages]
    assert messages == ["Unpublished 2."]

    response = curator_client.post(url, {"action": "publish", "_selected_action": [chosen[0].pk]})

    assert response.status_code == 302
    assert set(model.objects.filter(is_published=False)) == {chosen[1]}
    assert model.objects.get(pk=other.pk).is_published


# ---------- resources ----------


def resource_form(url, **changes):
    return {
        "url": url,
        "title": "Django documentation",
        "author": "Django Software Foundation",
        "description": "The reference.",
        "kind": "docs",
        "cost": "free",
        "level": "beginner",
        "estimated_minutes": "",
        "tags": "django",
        "is_published": "on",
        "_save": "Save",
        **changes,
    }


def test_a_new_resource_url_is_stored_normalised(curator_client, catalogue):
    raw = "HTTPS://Docs.DjangoProject.com:443/en/5.2/?utm_source=newsletter&utm_medium=email&page=2#intro"
    topic = catalogue["topics"][2]

    response = curator_client.post(
        reverse("admin:learning_resource_add"), resource_form(raw, topics=[topic.pk])
    )

    assert response.status_code == 302, response.context and response.context["errors"]
    resource = Resource.objects.get(title="Django documentation")
    assert resource.url == "https://docs.djangoproject.com/en/5.2/?page=2"
    assert list(resource.topics.all()) == [topic]
    assert resource.tags.names()[0] == "django"


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "ftp://files.example.com/book.pdf", "data:text/html,hello", "not a url"],
)
def test_a_resource_url_that_is_not_http_is_refused(curator_client, db, url):
    response = curator_client.post(reverse("admin:learning_resource_add"), resource_form(url))

    assert response.status_code == 200
    assert "url" in response.context["adminform"].form.errors
    assert 'class="errorlist' in response.content.decode()
    assert not Resource.objects.exists()


def test_a_duplicate_resource_url_is_refused_with_an_error(curator_client, catalogue):
    existing = catalogue["resource"]  # https://example.com/resource/<n>
    duplicate = existing.url.replace("https://example.com", "https://EXAMPLE.com:443") + "?utm_source=x#top"

    response = curator_client.post(reverse("admin:learning_resource_add"), resource_form(duplicate))

    assert response.status_code == 200
    assert "already exists" in str(response.context["adminform"].form.errors["url"])
    assert Resource.objects.filter(url=existing.url).count() == 1
    assert not Resource.objects.filter(title="Django documentation").exists()


def test_editing_a_resource_keeps_its_own_url(curator_client, catalogue):
    resource = catalogue["resource"]
    data = resource_form(resource.url + "?utm_campaign=spring", title="Pro Git, 2nd edition")

    response = curator_client.post(reverse("admin:learning_resource_change", args=[resource.pk]), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    resource.refresh_from_db()
    assert (resource.title, resource.url) == ("Pro Git, 2nd edition", catalogue["resource"].url)


def test_changing_a_resource_url_to_another_resources_url_is_refused(curator_client, catalogue):
    pro_git, mdn = catalogue["resource"], Resource.objects.get(title="MDN HTTP")

    response = curator_client.post(
        reverse("admin:learning_resource_change", args=[mdn.pk]), resource_form(pro_git.url)
    )

    assert response.status_code == 200
    assert "url" in response.context["adminform"].form.errors
    assert Resource.objects.get(pk=mdn.pk).title == "MDN HTTP"


# ---------- view on site ----------


def test_a_track_change_page_links_to_the_track_on_the_site(curator_client, catalogue):
    track = catalogue["track"]
    content_type = ContentType.objects.get_for_model(Track)
    link = reverse("admin:view_on_site", args=[content_type.pk, track.pk])

    response = curator_client.get(reverse("admin:learning_track_change", args=[track.pk]))

    assert f'href="{link}" class="viewsitelink"' in response.content.decode()
    redirect = curator_client.get(link)
    assert redirect.status_code == 302
    assert redirect.url.endswith(track.get_absolute_url())


@pytest.mark.parametrize("name", ["learning_topic", "learning_resource"])
def test_topic_and_resource_change_pages_link_to_the_site(curator_client, catalogue, name):
    obj = catalogue["topics"][0] if name == "learning_topic" else catalogue["resource"]

    response = curator_client.get(reverse(f"admin:{name}_change", args=[obj.pk]))

    assert 'class="viewsitelink"' in response.content.decode()


# ---------- query counts ----------


def grow(name, count):
    """Adds rows of one kind, each with the relations its changelist shows."""
    for _ in range(count):
        if name == "learning_track":
            track = TrackFactory()
            track.tags.add("python")
            for stage in StageFactory.create_batch(2, track=track):
                StepFactory(stage=stage)
                MilestoneFactory(stage=stage)
        elif name == "learning_stage":
            StageFactory(track=TrackFactory())
        elif name == "learning_topic":
            topic = TopicFactory()
            topic.tags.add("web", "tools")
            StepFactory(topic=topic)
            ResourceFactory.create_batch(2, topics=[topic])
        elif name == "learning_resource":
            topic = TopicFactory()
            resource = ResourceFactory(topics=[topic])
            resource.tags.add("web")
            RatingFactory(resource=resource, stars=5)
            RatingFactory(resource=resource, stars=1, is_hidden=True)
            BookmarkFactory(resource=resource)
        elif name == "accounts_user":
            UserFactory().groups.add(Group.objects.get(name="Curator"))
        elif name == "taggit_tag":
            Tag.objects.create(name=f"tag {Tag.objects.count()}")


# The queries of each changelist after a warm-up request (content types): the session, the user (never cached
# without a shared cache), then the list; the same with 3 rows and with 30.
CHANGELIST_QUERIES = {
    "learning_track": 7,
    "learning_stage": 8,
    "learning_topic": 7,
    "learning_resource": 7,
    "accounts_user": 6,  # as a superuser, who needs no permission queries
    "taggit_tag": 7,
}


@pytest.mark.parametrize("name", ADMIN_MODELS)
def test_changelist_queries_do_not_grow_with_rows(admin_for, catalogue, django_assert_num_queries, name):
    client = admin_for(name)
    url = reverse(f"admin:{name}_changelist")
    grow(name, 3)
    client.get(url)  # warm caches (content types, session) so both counts compare like with like
    with django_assert_num_queries(CHANGELIST_QUERIES[name]):
        assert client.get(url).status_code == 200

    grow(name, 27)

    with django_assert_num_queries(CHANGELIST_QUERIES[name]):
        response = client.get(url)
    assert len(response.context["cl"].result_list) >= 30


def test_a_position_in_the_parking_range_is_refused_with_a_message(curator_client, catalogue):
    stage = catalogue["stage"]
    first, second = stage.steps.order_by("position")
    data = stage_form(stage, steps=[step_row(first, position=1_000_002), step_row(second, position=5)])

    response = curator_client.post(stage_change_url(stage), data)

    assert response.status_code == 200
    assert "less than or equal to 999999" in response.content.decode()
    assert list(stage.steps.order_by("position").values_list("position", flat=True)) == [1, 2]
