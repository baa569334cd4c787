"""Gates of Curriculum 2.0 over the shipped roadmap: what every topic, milestone and track must have before
the curriculum counts as complete. Each gate lists every item that fails it, so a curator sees them all."""

import re
from collections import defaultdict
from urllib.parse import urlsplit

import yaml
from django.conf import settings

from learning.catalogue.models import HANDS_ON
from learning.models import Kind, Milestone, Resource, Step, Topic, TopicResource, Track
from tests.learning.test_shipped_content import _shipped_roadmap, shipped  # noqa: F401 - fixtures

COVERAGE_FILE = settings.BASE_DIR / "docs" / "coverage" / "backend.yaml"
COVERAGE_CONCEPTS = 137  # the concept nodes of the Backend roadmap the file maps (its header says which)
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
MIN_RESOURCES, MIN_KINDS = 4, 2
CHECKLIST_ITEMS = range(5, 11)
READY_CHECKS = range(2, 7)
OLD_READY_HEADING = "You're ready to move on when"


def failing(items: list[str]) -> str:
    return f"{len(items)} failing:\n  " + "\n  ".join(items)


def test_a_the_coverage_file_maps_every_backend_concept_to_a_published_topic(shipped):  # noqa: F811
    assert COVERAGE_FILE.exists(), f"{COVERAGE_FILE.relative_to(settings.BASE_DIR)} is missing"
    entries = yaml.safe_load(COVERAGE_FILE.read_text(encoding="utf-8"))
    assert isinstance(entries, list), "the coverage file must be a list of {concept, topic, section}"
    assert len(entries) == COVERAGE_CONCEPTS, f"{len(entries)} concepts listed, not {COVERAGE_CONCEPTS}"
    bodies = dict(Topic.objects.published().values_list("slug", "body"))
    problems = []
    for entry in entries:
        concept, slug, section = entry.get("concept"), entry.get("topic"), entry.get("section")
        if slug not in bodies:
            problems.append(f"{concept!r}: topic {slug!r} is not a published topic")
        elif section and not any(section.lower() in h.lower() for h in HEADING.findall(bodies[slug])):
            problems.append(f"{concept!r}: topic {slug!r} has no heading containing {section!r}")
    assert not problems, failing(problems)


def test_b_every_published_topic_has_enough_varied_and_hands_on_resources_and_a_start_here(shipped):  # noqa: F811
    links = TopicResource.objects.filter(topic__is_published=True, resource__is_published=True)
    kinds: dict[str, list[str]] = defaultdict(list)
    start_here = set()
    for slug, kind, is_start_here in links.values_list("topic__slug", "resource__kind", "is_start_here"):
        kinds[slug].append(kind)
        if is_start_here:
            start_here.add(slug)
    problems = []
    for slug in Topic.objects.published().order_by("slug").values_list("slug", flat=True):
        found = kinds[slug]
        missing = []
        if len(found) < MIN_RESOURCES:
            missing.append(f"{len(found)} resources (at least {MIN_RESOURCES})")
        if len(set(found)) < MIN_KINDS:
            missing.append(f"{len(set(found))} kind(s) (at least {MIN_KINDS})")
        if not HANDS_ON.intersection(found):
            missing.append("no hands-on resource (interactive, course or tutorial)")
        if slug not in start_here:
            missing.append("no start_here")
        if missing:
            problems.append(f"{slug}: {'; '.join(missing)}")
    assert not problems, failing(problems)


def test_c_every_published_topic_and_every_milestone_has_hours(shipped):  # noqa: F811
    topics = Topic.objects.published().filter(hours__isnull=True).order_by("slug")
    milestones = (
        Milestone.objects.filter(hours__isnull=True).select_related("track").order_by("track", "slug")
    )
    problems = [f"topic {slug}" for slug in topics.values_list("slug", flat=True)]
    problems += [f"milestone {m.track.slug}/{m.slug}" for m in milestones]
    assert not problems, failing(problems)


def test_d_every_step_is_exercised_by_a_milestone_of_its_track(shipped):  # noqa: F811
    exercised = set(Milestone.topics.through.objects.values_list("milestone__track_id", "topic_id"))
    steps = Step.objects.select_related("track", "topic").order_by(
        "track__slug", "stage__position", "position"
    )
    problems = [
        f"{step.track.slug}: {step.topic.slug}"
        for step in steps
        if (step.track_id, step.topic_id) not in exercised
    ]
    assert not problems, failing(problems)


def test_e_every_milestone_is_specified(shipped):  # noqa: F811
    problems = []
    for milestone in (
        Milestone.objects.select_related("track").prefetch_related("checklist").order_by("track", "slug")
    ):
        missing = []
        items = len(milestone.checklist.all())
        if items not in CHECKLIST_ITEMS:
            missing.append(f"{items} checklist items (5 to 10)")
        if not milestone.difficulty:
            missing.append("no difficulty")
        if not milestone.description.strip():
            missing.append("no description")
        if missing:
            problems.append(f"{milestone.track.slug}/{milestone.slug}: {'; '.join(missing)}")
    assert not problems, failing(problems)


def test_i_every_published_topic_has_its_ready_checks_and_no_body_keeps_the_old_list(shipped):  # noqa: F811
    """The "You're ready when" checks are rows a learner ticks (ReadyCheck, content files' `ready_when`), 2 to
    6 per topic; the guide no longer carries them as a Markdown list."""
    problems = []
    for topic in Topic.objects.published().prefetch_related("ready_checks").order_by("slug"):
        checks = len(topic.ready_checks.all())
        if checks not in READY_CHECKS:
            problems.append(f"{topic.slug}: {checks} ready checks (2 to 6)")
        if OLD_READY_HEADING.lower() in topic.body.lower():
            problems.append(f"{topic.slug}: its body still has “{OLD_READY_HEADING}”")
    assert not problems, failing(problems)


# Sites whose home page is the work itself, not a door to it: the one place a learner should be sent.
SITE_IS_THE_WORK = {
    "12factor.net": "the Twelve-Factor App: its home page is the text",
    "bootcamp.laravel.com": "Laravel's own step-by-step bootcamp starts on its home page",
    "courses.nestjs.com": "the NestJS team's official course",
    "dataintensive.net": "the book's own site",
    "docker-curriculum.com": "the whole tutorial is one page",
    "gobyexample.com": "the index of the examples is the work",
    "guides.rubyonrails.org": "the official Rails Guides as a whole (a seed article's link)",
    "phptherightway.com": "the whole guide is one page",
    "producingoss.com": "the book's own site, free to read",
    "www.gopl.io": "the book's own site",
    "www.learndapper.com": "a tutorial site wholly about Dapper",
    "www.poodr.com": "the book's own site",
    "www.railstutorial.org": "the book's own site (a seed article's link)",
}
# Kinds whose home page is the resource: a tool, a learning platform, an interactive app.
HOME_PAGE_KINDS = (Kind.TOOL, Kind.PLATFORM, Kind.INTERACTIVE)


def test_f_only_tools_platforms_and_whole_works_link_to_a_home_page(shipped):  # noqa: F811
    problems = [
        f"{url} ({kind})"
        for url, kind in Resource.objects.exclude(kind__in=HOME_PAGE_KINDS)
        .order_by("url")
        .values_list("url", "kind")
        if urlsplit(url).path in ("", "/") and urlsplit(url).hostname not in SITE_IS_THE_WORK
    ]
    assert not problems, failing(problems)


def test_g_every_track_teaches_its_language_in_its_first_stage(shipped):  # noqa: F811
    # Milestones close their stage, so a language step of the first stage comes before the first milestone.
    problems = []
    for track in Track.objects.prefetch_related("stages__steps__topic__tags").order_by("slug"):
        stages = sorted(track.stages.all(), key=lambda stage: stage.position)
        first = stages[0] if stages else None
        if first is None or not any(
            "language" in {tag.name for tag in step.topic.tags.all()} for step in first.steps.all()
        ):
            problems.append(f"{track.slug}: no step tagged `language` in its first stage")
    assert not problems, failing(problems)


def test_h_every_topic_belongs_to_a_track(shipped):  # noqa: F811
    problems = list(Topic.objects.filter(steps__isnull=True).order_by("slug").values_list("slug", flat=True))
    assert not problems, failing(problems)
