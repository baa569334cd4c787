"""The roadmap that ships in content/: complete, canonical, and faithful to the seed articles."""

import re
from collections import defaultdict

import pytest
from django.conf import settings
from django.core.management import call_command
from taggit.models import Tag

from learning.catalogue.links import normalize_url
from learning.models import Milestone, Resource, Stage, Topic, Track

SEEDS_DIR = settings.BASE_DIR / "docs" / "seeds"
# Versioned documentation links in the seeds point at old releases; the catalogue keeps the same page
# in its current stable version instead.
CURRENT_VERSION_OF = {
    "https://docs.djangoproject.com/en/3.2/": "https://docs.djangoproject.com/en/stable/",
    "https://flask.palletsprojects.com/en/2.0.x/": "https://flask.palletsprojects.com/en/stable/",
    "https://flask.palletsprojects.com/en/2.1.x/": "https://flask.palletsprojects.com/en/stable/",
    "https://flask.palletsprojects.com/en/2.1.x/tutorial/": "https://flask.palletsprojects.com/en/stable/tutorial/",
    # Retired curriculum paths and bare home pages in the seeds are kept as the page that replaced them
    # (issue 15: current curriculum pages, deep links that teach the topic instead of home pages).
    "https://www.freecodecamp.org/learn/2022/apis-and-microservices/": "https://www.freecodecamp.org/learn/back-end-development-and-apis/",
    "https://www.freecodecamp.org/learn/2022/javascript-algorithms-and-data-structures/": "https://www.freecodecamp.org/learn/javascript-algorithms-and-data-structures-v8/",
    "https://dotnet.microsoft.com/": "https://learn.microsoft.com/en-us/dotnet/core/introduction",
    "https://expressjs.com/": "https://expressjs.com/en/starter/hello-world.html",
    "https://fastapi.tiangolo.com/": "https://fastapi.tiangolo.com/features/",
    "https://www.djangoproject.com/": "https://www.djangoproject.com/start/",
}
TRACKS = {
    "backend-developer", "nodejs-express", "python-django", "python-flask", "python-fastapi", "ruby-on-rails",
    "java-spring-boot", "go-gin-echo", "dotnet", "php-laravel",
}  # fmt: skip
CONCEPTS = {
    "internet-basics", "http-https", "dns", "git-github", "relational-databases", "sql", "nosql-databases",
    "mongodb", "redis", "orms", "rest-apis", "graphql", "authentication-authorization", "api-security",
    "caching", "testing", "software-design-architecture", "design-patterns", "message-brokers",
    "containers-docker", "kubernetes", "web-servers-nginx", "ci-cd", "cloud-infrastructure", "microservices",
    "websockets", "serverless", "firebase", "javascript", "nodejs", "expressjs", "nestjs", "koa", "python",
    "django", "flask", "fastapi", "sqlalchemy", "ruby-on-rails", "java", "spring-boot", "micronaut",
    "hibernate", "go", "gin", "echo", "gorm", "aspnet-core", "sequelize", "mongoose", "php",
}  # fmt: skip
NAMED_WITHOUT_LINK = ["You Don't Know JS", "Flask Web Development", "Spring in Action", "Udemy", "Coursera",
                      "LeetCode", "HackerRank", "GitHub"]  # fmt: skip


@pytest.fixture(scope="module")
def _shipped_roadmap(django_db_setup, django_db_blocker):
    """Loads the shipped roadmap once for this module (each xdist worker has its own database)."""
    with django_db_blocker.unblock():
        call_command("load_roadmap", stdout=open("/dev/null", "w"))  # noqa: SIM115
    yield
    with django_db_blocker.unblock():
        Track.objects.all().delete()
        Resource.objects.all().delete()
        Topic.objects.all().delete()
        Tag.objects.all().delete()


@pytest.fixture
def shipped(_shipped_roadmap, db):
    """Each test runs in a transaction on top of the loaded roadmap and leaves it as it was."""


def seed_links():
    links = set()
    for path in sorted(SEEDS_DIR.glob("*.txt")):
        links |= set(re.findall(r"https?://[^\s)\]>\"]+", path.read_text(encoding="utf-8")))
    return links


def test_the_seed_articles_are_in_the_repo():
    assert len(list(SEEDS_DIR.glob("*.txt"))) == 5
    assert len(seed_links()) == 19


def test_every_seed_link_is_a_published_resource(shipped):
    stored = set(Resource.objects.published().values_list("url", flat=True))
    missing = {
        link for link in seed_links() if normalize_url(CURRENT_VERSION_OF.get(link, link)) not in stored
    }
    assert not missing


def test_resources_named_without_a_link_have_their_official_page(shipped):
    titles = " | ".join(Resource.objects.values_list("title", flat=True))
    for name in NAMED_WITHOUT_LINK:
        assert name.lower() in titles.lower(), name


def test_the_tracks_the_seeds_name_with_their_three_stages(shipped):
    assert set(Track.objects.published().values_list("slug", flat=True)) == TRACKS
    for track in Track.objects.all():
        stages = list(track.stages.order_by("position").values_list("slug", "duration"))
        assert stages == [
            ("basics", "months 1–3"),
            ("intermediate", "months 4–6"),
            ("advanced", "months 7–12"),
        ]


def test_every_concept_the_seeds_name_is_a_topic(shipped):
    assert set(Topic.objects.published().values_list("slug", flat=True)) >= CONCEPTS


def test_topics_are_shared_between_tracks_not_copied(shipped):
    for slug in ("git-github", "http-https", "sql", "rest-apis", "testing", "containers-docker"):
        assert Topic.objects.get(slug=slug).steps.values("track").distinct().count() == len(TRACKS), slug


def test_every_track_has_the_seed_milestones(shipped):
    for track in Track.objects.all():
        titles = " ".join(
            Milestone.objects.filter(stage__track=track).values_list("title", flat=True)
        ).lower()
        for words in ("crud", "e-commerce", "open-source"):
            assert words in titles, (track.slug, words)


def test_every_topic_has_a_summary_a_guide_and_three_resources_of_two_kinds(shipped):
    kinds = defaultdict(list)
    for topic_slug, kind in Resource.objects.published().values_list("topics__slug", "kind"):
        kinds[topic_slug].append(kind)
    for topic in Topic.objects.all():
        assert topic.summary, topic.slug
        assert "### What to learn" in topic.body, topic.slug
        assert len(kinds[topic.slug]) >= 3, topic.slug
        assert len(set(kinds[topic.slug])) >= 2, topic.slug


def test_every_resource_teaches_a_topic_and_links_over_https(shipped):
    assert not Resource.objects.filter(topics=None).exists()
    assert not Resource.objects.exclude(url__startswith="https://").exists()


def test_shipped_files_are_exactly_what_the_exporter_writes(shipped, tmp_path):
    call_command("export_roadmap", "--output", str(tmp_path), stdout=open("/dev/null", "w"))  # noqa: SIM115
    content = settings.ROADMAP_CONTENT_DIR
    for exported in sorted(tmp_path.rglob("*.yaml")):
        relative = exported.relative_to(tmp_path)
        assert (content / relative).read_bytes() == exported.read_bytes(), f"run `make content`: {relative}"
    assert sorted(p.relative_to(content) for p in content.rglob("*.yaml")) == sorted(
        p.relative_to(tmp_path) for p in tmp_path.rglob("*.yaml")
    )


def test_loading_the_shipped_roadmap_twice_changes_nothing(shipped):
    counts = [model.objects.count() for model in (Track, Stage, Topic, Resource, Milestone)]
    call_command("load_roadmap", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert [model.objects.count() for model in (Track, Stage, Topic, Resource, Milestone)] == counts


# ---------- stacks

# Each track that teaches one stack, and its stack; every other track is general.
TRACK_STACKS = {
    "nodejs-express": "node", "python-django": "python", "python-flask": "python",
    "python-fastapi": "python", "ruby-on-rails": "ruby", "java-spring-boot": "java", "go-gin-echo": "go",
    "dotnet": "dotnet", "php-laravel": "php",
}  # fmt: skip
# Hosts whose every resource belongs to one stack, and hosts whose resources serve any stack. The other
# resources were classified one by one (content/README.md says how).
STACK_OF_HOST = {
    "docs.djangoproject.com": "python", "www.djangoproject.com": "python", "docs.python.org": "python",
    "fastapi.tiangolo.com": "python", "flask.palletsprojects.com": "python", "docs.sqlalchemy.org": "python",
    "expressjs.com": "node", "nodejs.org": "node", "mongoosejs.com": "node", "sequelize.org": "node",
    "spring.io": "java", "docs.spring.io": "java", "hibernate.org": "java", "go.dev": "go",
    "pkg.go.dev": "go", "gorm.io": "go", "guides.rubyonrails.org": "ruby", "www.ruby-lang.org": "ruby",
    "www.php.net": "php", "laravel.com": "php", "dotnet.microsoft.com": "dotnet",
    "www.postgresql.org": "", "dev.mysql.com": "", "redis.io": "", "docs.docker.com": "",
    "git-scm.com": "", "www.rfc-editor.org": "", "martinfowler.com": "", "kubernetes.io": "", "nginx.org": "",
    "cheatsheetseries.owasp.org": "", "www.cloudflare.com": "",
}  # fmt: skip
STACK_OF_PATH = {
    "https://learn.microsoft.com/en-us/aspnet/": "dotnet",
    "https://learn.microsoft.com/en-us/ef/": "dotnet",
    "https://learn.microsoft.com/en-us/dotnet/": "dotnet",
    "https://learn.microsoft.com/en-us/azure/": "",
    "https://developer.mozilla.org/en-US/docs/Web/HTTP": "",
}


def test_every_stack_track_has_its_stack_and_the_others_none(shipped):
    assert dict(Track.objects.values_list("slug", "stack")) == {
        slug: TRACK_STACKS.get(slug, "") for slug in TRACKS
    }


def test_resources_of_a_stacks_own_sites_carry_that_stack_and_general_sites_none(shipped):
    wrong = []
    for url, stack in Resource.objects.values_list("url", "stack"):
        expected = STACK_OF_HOST.get(url.split("/")[2])
        expected = next((s for prefix, s in STACK_OF_PATH.items() if url.startswith(prefix)), expected)
        if expected is not None and stack != expected:
            wrong.append((url, stack, expected))
    assert wrong == []
    assert set(Resource.objects.values_list("stack", flat=True)) == {"", *TRACK_STACKS.values(), "php"}


def test_rest_apis_without_a_track_lists_stack_independent_resources_first(shipped, client):
    listed = client.get("/topics/rest-apis/").context["topic"].ranked_resources
    stacks = [resource.stack for resource in listed]
    assert stacks[0] == ""
    assert stacks == sorted(stacks, key=bool)  # every stack-independent one before any stack's
    assert {"python", "java", "go", "dotnet"} <= set(stacks)


def test_rest_apis_from_the_python_track_lists_python_resources_before_other_stacks(shipped, client):
    listed = client.get("/topics/rest-apis/", {"track": "python-django"}).context["topic"].ranked_resources
    stacks = [resource.stack for resource in listed]
    start_here = listed[0]
    assert (start_here.is_start_here, start_here.stack) == (True, "")  # the curators' pick still leads
    rest = stacks[1:]
    assert rest == sorted(rest, key=lambda stack: {"python": 0, "": 1}.get(stack, 2))
    assert rest[0] == "python"
