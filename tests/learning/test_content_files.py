"""load_roadmap and export_roadmap: upsert semantics, the lossless round trip, and malformed files."""

import copy
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from learning.catalogue.content import yaml_io
from learning.models import Milestone, Resource, Stage, Step, Topic, TopicResource, Track

pytestmark = pytest.mark.django_db

PRO_GIT = "https://git-scm.com/book/en/v2"
SQL_DOCS = "https://www.postgresql.org/docs/current/tutorial-sql.html"
TOPICS = [
    # Git's order is not URL order, and its Start here is not its first resource: both must survive.
    {"slug": "git", "title": "Git & GitHub", "summary": "Version control.", "hours": 12, "tags": ["tools"],
     "replaces": ["version-control"], "start_here": PRO_GIT, "resources": [SQL_DOCS, PRO_GIT],
     "body": "### What to learn\n\n- commits\n- branches\n",
     "ready_when": ["You can undo a commit with `git revert`", "You can resolve a merge conflict"]},
    {"slug": "sql", "title": "SQL", "summary": "Query data.", "resources": [SQL_DOCS]},
    {"slug": "docker", "title": "Docker", "summary": "Containers.", "published": False},
]  # fmt: skip
RESOURCES = [
    {"url": "https://git-scm.com/book/en/v2", "title": "Pro Git", "kind": "book", "cost": "free",
     "level": "beginner", "author": "Scott Chacon", "topics": ["git"], "description": "The Git book."},
    {"url": "https://www.postgresql.org/docs/current/tutorial-sql.html", "title": "The SQL Language",
     "kind": "tutorial", "cost": "free", "level": "beginner", "minutes": 90, "topics": ["git", "sql"],
     "tags": ["databases"], "replaces": ["https://www.postgresql.org/docs/9.6/tutorial-sql.html"]},
]  # fmt: skip
TRACK = {
    "slug": "demo",
    "title": "Demo track",
    "summary": "A demo.",
    "position": 0,
    "tags": ["general"],
    "body": "Intro.\n",
    "changes": [{"date": "2026-12-02", "change": "Added the CRUD milestone's checklist."},
                {"date": "2026-11-30", "change": "First version."}],
    "stages": [
        {"slug": "basics", "title": "Basics", "duration": "months 1–3",
         "steps": [{"topic": "git"}, {"topic": "sql", "optional": True}],
         "milestones": [{"slug": "crud", "title": "Build a CRUD app", "difficulty": "beginner", "hours": 15,
                         "replaces": ["old-crud"], "topics": ["sql"], "description": "Do it.\n",
                         "checklist": ["GET /books/999 answers 404 with a JSON error body",
                                       "POST /books with a missing title answers 400"],
                         "stretch": ["Paginate GET /books"]}]},
        {"slug": "advanced", "title": "Advanced", "steps": [{"topic": "docker"}]},
    ],
}  # fmt: skip


def write_content(root: Path, topics=TOPICS, resources=RESOURCES, tracks=(TRACK,)) -> Path:
    yaml_io.write(root / "topics.yaml", topics)
    yaml_io.write(root / "resources.yaml", resources)
    for track in tracks:
        yaml_io.write(root / "tracks" / f"{track['slug']}.yaml", track)
    return root


def load(path):
    call_command("load_roadmap", str(path), stdout=open("/dev/null", "w"))  # noqa: SIM115


def export(path) -> dict[str, bytes]:
    call_command("export_roadmap", "--output", str(path), stdout=open("/dev/null", "w"))  # noqa: SIM115
    return {str(file.relative_to(path)): file.read_bytes() for file in sorted(path.rglob("*.yaml"))}


def catalogue_rows():
    return (
        Track.objects.count(), Stage.objects.count(), Step.objects.count(), Milestone.objects.count(),
        Topic.objects.count(), Resource.objects.count(),
    )  # fmt: skip


def test_load_creates_the_catalogue(tmp_path):
    load(write_content(tmp_path))
    assert catalogue_rows() == (1, 2, 3, 1, 3, 2)
    track = Track.objects.get(slug="demo")
    basics = track.stages.get(slug="basics")
    assert [(s.topic.slug, s.position, s.is_optional) for s in basics.steps.order_by("position")] == [
        ("git", 0, False),
        ("sql", 1, True),
    ]
    assert basics.duration == "months 1–3"
    assert list(track.tags.names()) == ["general"]
    assert not Topic.objects.get(slug="docker").is_published
    sql_docs = Resource.objects.get(title="The SQL Language")
    assert sql_docs.estimated_minutes == 90
    assert set(sql_docs.topics.values_list("slug", flat=True)) == {"git", "sql"}
    assert list(Milestone.objects.get(slug="crud").topics.values_list("slug", flat=True)) == ["sql"]
    git_links = TopicResource.objects.filter(topic__slug="git").order_by("position")
    assert [(link.resource.url, link.position, link.is_start_here) for link in git_links] == [
        (SQL_DOCS, 0, False),
        (PRO_GIT, 1, True),
    ]


def test_load_stores_hours_milestone_specification_and_changes(tmp_path):
    load(write_content(tmp_path))
    assert Topic.objects.get(slug="git").hours == 12
    assert Topic.objects.get(slug="sql").hours is None
    sql_docs = Resource.objects.get(url=SQL_DOCS)
    assert (sql_docs.kind, sql_docs.is_hands_on) == ("tutorial", True)
    assert not Resource.objects.get(url=PRO_GIT).is_hands_on
    crud = Milestone.objects.get(slug="crud")
    assert (crud.difficulty, crud.hours, crud.track.slug) == ("beginner", 15, "demo")
    assert crud.stretch == ["Paginate GET /books"]
    assert list(crud.checklist.values_list("position", "text")) == [
        (0, "GET /books/999 answers 404 with a JSON error body"),
        (1, "POST /books with a missing title answers 400"),
    ]
    changes = Track.objects.get(slug="demo").changes.order_by("position")
    assert [(c.date.isoformat(), c.change) for c in changes] == [
        ("2026-12-02", "Added the CRUD milestone's checklist."),
        ("2026-11-30", "First version."),
    ]


def test_load_stores_ready_checks_in_order_and_a_reload_replaces_them(tmp_path):
    load(write_content(tmp_path))
    git = Topic.objects.get(slug="git")
    assert list(git.ready_checks.values_list("position", "text")) == [
        (0, "You can undo a commit with `git revert`"),
        (1, "You can resolve a merge conflict"),
    ]
    assert not Topic.objects.get(slug="sql").ready_checks.exists()
    topics = copy.deepcopy(TOPICS)
    topics[0]["ready_when"] = ["You can resolve a merge conflict", "You can rebase a branch"]
    topics[1]["ready_when"] = ["You can write a join"]
    load(write_content(tmp_path, topics=topics))
    assert list(git.ready_checks.order_by("position").values_list("text", flat=True)) == [
        "You can resolve a merge conflict",
        "You can rebase a branch",
    ]
    assert list(Topic.objects.get(slug="sql").ready_checks.values_list("text", flat=True)) == [
        "You can write a join"
    ]
    topics[0].pop("ready_when")
    load(write_content(tmp_path, topics=topics))
    assert not git.ready_checks.exists()


def test_ready_checks_are_exported_after_the_body_and_left_out_when_none(tmp_path):
    load(write_content(tmp_path / "source"))
    export(tmp_path / "out")
    by_slug = {topic["slug"]: topic for topic in yaml_io.read(tmp_path / "out" / "topics.yaml")}
    git, sql = by_slug["git"], by_slug["sql"]
    assert list(git)[-2:] == ["body", "ready_when"]
    assert git["ready_when"] == TOPICS[0]["ready_when"]
    assert "ready_when" not in sql


def test_new_keys_are_written_in_schema_order_and_left_out_when_default(tmp_path):
    load(write_content(tmp_path / "source"))
    files = export(tmp_path / "out")
    topics = files["topics.yaml"].decode()
    assert "summary: Version control.\n  hours: 12\n  tags:\n" in topics
    assert "published: false\n" in topics
    assert "- version-control\n  start_here:" in topics
    sql = next(t for t in yaml_io.read(tmp_path / "out" / "topics.yaml") if t["slug"] == "sql")
    assert "hours" not in sql
    assert "replaces" not in sql
    resources = files["resources.yaml"].decode()
    assert (
        "  - databases\n  replaces:\n  - https://www.postgresql.org/docs/9.6/tutorial-sql.html\n" in resources
    )
    track = files["tracks/demo.yaml"].decode()
    assert (
        track.index("body:")
        < track.index("changes:\n- date: '2026-12-02'\n  change:")
        < track.index("stages:")
    )
    milestone = yaml_io.read(tmp_path / "out" / "tracks" / "demo.yaml")["stages"][0]["milestones"][0]
    assert list(milestone) == [
        "slug", "title", "difficulty", "hours", "replaces", "topics", "description", "checklist", "stretch"
    ]  # fmt: skip
    bare = yaml_io.read(tmp_path / "out" / "tracks" / "demo.yaml")
    assert "changes" in bare
    assert "milestones" not in bare["stages"][1]


def test_reloading_a_changed_checklist_and_changes_replaces_them(tmp_path):
    load(write_content(tmp_path))
    track = copy.deepcopy(TRACK)
    milestone = track["stages"][0]["milestones"][0]
    milestone["checklist"] = ["One item only"]
    milestone.pop("stretch")
    track["changes"] = [{"date": "2026-12-03", "change": "Shorter checklist."}]
    load(write_content(tmp_path, tracks=[track]))
    crud = Milestone.objects.get(slug="crud")
    assert list(crud.checklist.values_list("text", flat=True)) == ["One item only"]
    assert crud.stretch == []
    assert list(Track.objects.get(slug="demo").changes.values_list("change", flat=True)) == [
        "Shorter checklist."
    ]


def test_an_unquoted_change_date_is_read_as_the_same_date(tmp_path):
    root = write_content(tmp_path)
    path = root / "tracks" / "demo.yaml"
    path.write_text(path.read_text().replace("date: '2026-12-02'", "date: 2026-12-02"))
    load(root)
    assert Track.objects.get(slug="demo").changes.first().date.isoformat() == "2026-12-02"


def test_reload_reorders_a_topic_moves_its_start_here_and_puts_unlisted_resources_last(tmp_path):
    load(write_content(tmp_path))
    topics, resources = copy.deepcopy(TOPICS), copy.deepcopy(RESOURCES)
    topics[0].update(resources=[PRO_GIT, SQL_DOCS], start_here=SQL_DOCS)
    topics[1].pop("resources")  # sql lists nothing: its resources keep their order, a new one goes last
    resources.append({"url": "https://sqlbolt.com/", "title": "SQLBolt", "kind": "interactive",
                      "cost": "free", "level": "beginner", "topics": ["sql"]})  # fmt: skip
    load(write_content(tmp_path, topics=topics, resources=resources))
    git = TopicResource.objects.filter(topic__slug="git").order_by("position")
    assert [(link.resource.url, link.is_start_here) for link in git] == [(PRO_GIT, False), (SQL_DOCS, True)]
    sql = TopicResource.objects.filter(topic__slug="sql").order_by("position")
    assert [link.resource.url for link in sql] == [SQL_DOCS, "https://sqlbolt.com/"]
    export(tmp_path / "out")
    sql_entry = next(t for t in yaml_io.read(tmp_path / "out" / "topics.yaml") if t["slug"] == "sql")
    assert sql_entry["resources"] == [SQL_DOCS, "https://sqlbolt.com/"]
    assert "start_here" not in sql_entry


def test_load_twice_is_idempotent_and_reports_unchanged(tmp_path, capsys):
    root = write_content(tmp_path)
    load(root)
    before = {topic.pk: topic.updated_at for topic in Topic.objects.all()}
    call_command("load_roadmap", str(root))
    out = capsys.readouterr().out
    assert "topics: 0 created, 0 updated, 3 unchanged" in out
    assert "steps: 0 created, 0 updated, 3 unchanged" in out
    assert catalogue_rows() == (1, 2, 3, 1, 3, 2)
    assert {topic.pk: topic.updated_at for topic in Topic.objects.all()} == before


def test_export_load_export_is_byte_identical(tmp_path):
    load(write_content(tmp_path / "source"))
    first = export(tmp_path / "first")
    Track.objects.all().delete()
    Resource.objects.all().delete()
    Topic.objects.all().delete()
    load(tmp_path / "first")
    second = export(tmp_path / "second")
    assert first == second
    assert set(first) == {"topics.yaml", "resources.yaml", "tracks/demo.yaml"}


def test_export_reproduces_canonical_input(tmp_path):
    root = write_content(tmp_path / "source")
    load(root)
    export(tmp_path / "first")
    canonical = export(tmp_path / "second")
    assert yaml_io.read(tmp_path / "second" / "tracks" / "demo.yaml") == TRACK
    assert canonical["topics.yaml"] == (tmp_path / "first" / "topics.yaml").read_bytes()


def test_stacks_are_loaded_and_exported_losslessly(tmp_path):
    django_docs = {"url": "https://docs.djangoproject.com/en/stable/", "title": "Django documentation",
                   "kind": "docs", "cost": "free", "level": "beginner", "stack": "python", "topics": ["sql"]}  # fmt: skip
    resources = [*RESOURCES, django_docs]
    track = {**{key: value for key, value in TRACK.items() if key != "stages"}, "stack": "python"}
    track["stages"] = TRACK["stages"]  # file order: `stack` after `position`, stages last
    load(write_content(tmp_path / "source", resources=resources, tracks=(track,)))
    assert Resource.objects.get(url=django_docs["url"]).stack == "python"
    assert set(Resource.objects.exclude(url=django_docs["url"]).values_list("stack", flat=True)) == {""}
    assert Track.objects.get(slug="demo").stack == "python"

    first = export(tmp_path / "first")
    exported = {entry["url"]: entry for entry in yaml_io.read(tmp_path / "first" / "resources.yaml")}
    assert exported[django_docs["url"]] == django_docs
    assert "stack" not in exported[PRO_GIT]  # stack-independent: the key is left out
    assert "level: beginner\n  stack: python\n" in first["resources.yaml"].decode()
    assert yaml_io.read(tmp_path / "first" / "tracks" / "demo.yaml") == track
    assert "position: 0\nstack: python\n" in first["tracks/demo.yaml"].decode()
    Track.objects.all().delete()
    Resource.objects.all().delete()
    Topic.objects.all().delete()
    load(tmp_path / "first")
    assert export(tmp_path / "second") == first


def test_reload_applies_reordering_moves_and_removals(tmp_path):
    load(write_content(tmp_path))
    changed = copy.deepcopy(TRACK)
    basics, advanced = changed["stages"]
    basics["steps"] = [{"topic": "sql"}, {"topic": "git"}]  # swapped
    advanced["steps"] = []  # docker removed from the track
    basics["milestones"] = []
    changed["stages"] = [advanced, basics]  # stages swapped
    write_content(tmp_path, tracks=[changed])
    load(tmp_path)
    track = Track.objects.get(slug="demo")
    assert list(track.stages.order_by("position").values_list("slug", flat=True)) == ["advanced", "basics"]
    assert list(track.steps.order_by("position").values_list("topic__slug", flat=True)) == ["sql", "git"]
    assert not Milestone.objects.exists()
    assert Topic.objects.filter(slug="docker").exists()  # topics are never deleted by a track file


def test_load_keeps_rows_the_files_do_not_name(tmp_path):
    Topic.objects.create(slug="curated-in-admin", title="Admin topic", summary="Made in the admin.")
    load(write_content(tmp_path))
    assert Topic.objects.filter(slug="curated-in-admin").exists()


def test_load_normalises_resource_urls_and_updates_by_normalised_url(tmp_path):
    resources = copy.deepcopy(RESOURCES)
    resources[0]["url"] = "https://git-scm.com/book/en/v2?utm_source=seed"
    load(write_content(tmp_path, resources=resources))
    resources[0]["title"] = "Pro Git, 2nd edition"
    resources[0]["url"] = "https://GIT-SCM.com/book/en/v2"
    load(write_content(tmp_path, resources=resources))
    assert Resource.objects.get(url="https://git-scm.com/book/en/v2").title == "Pro Git, 2nd edition"
    assert Resource.objects.count() == 2


def test_default_directory_is_the_shipped_roadmap(settings, tmp_path):
    settings.ROADMAP_CONTENT_DIR = write_content(tmp_path)
    call_command("load_roadmap", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Track.objects.filter(slug="demo").exists()


def broken(mutate):
    topics, resources, track = copy.deepcopy(TOPICS), copy.deepcopy(RESOURCES), copy.deepcopy(TRACK)
    mutate(topics, resources, track)
    return topics, resources, track


MALFORMED = {
    "missing field": (
        broken(lambda t, r, k: t[1].pop("title")),
        "topics.yaml: topic #2 'sql': missing required key 'title'",
    ),
    "duplicate topic slug": (
        broken(lambda t, r, k: t.append(dict(t[0]))),
        "topics.yaml: topic #4 'git': duplicate slug 'git'",
    ),
    "duplicate resource url": (
        broken(lambda t, r, k: r.append({**r[0], "url": r[0]["url"] + "?utm_source=x"})),
        "resources.yaml: resource #3",
    ),
    "unknown kind": (
        broken(lambda t, r, k: r[0].update(kind="blog")),
        "resources.yaml: resource #1 'https://git-scm.com/book/en/v2': kind: 'blog' is not one of docs",
    ),
    "non-http url": (
        broken(lambda t, r, k: r[1].update(url="ftp://example.com/sql")),
        "resources.yaml: resource #2 'ftp://example.com/sql': url:",
    ),
    "bad url": (
        broken(lambda t, r, k: r[1].update(url="not a url")),
        "resources.yaml: resource #2 'not a url': url:",
    ),
    "step naming an unknown topic": (
        broken(lambda t, r, k: k["stages"][0]["steps"].append({"topic": "kubernetes"})),
        "tracks/demo.yaml: stage #1 'basics', step 3: unknown topic 'kubernetes'",
    ),
    "resource naming an unknown topic": (
        broken(lambda t, r, k: r[0]["topics"].append("nope")),
        "resources.yaml: resource #1 'https://git-scm.com/book/en/v2': unknown topic 'nope'",
    ),
    "topic twice in a track": (
        broken(lambda t, r, k: k["stages"][1]["steps"].append({"topic": "git"})),
        "tracks/demo.yaml: stage #2 'advanced', step 2: topic 'git' appears twice in this track",
    ),
    "duplicate stage slug": (
        broken(lambda t, r, k: k["stages"].append({"slug": "basics", "title": "Again"})),
        "tracks/demo.yaml: stage #3 'basics': duplicate stage slug 'basics'",
    ),
    "unknown key": (
        broken(lambda t, r, k: t[0].update(titel="typo")),
        "topics.yaml: topic #1 'git': unknown key 'titel'",
    ),
    "unknown stack": (
        broken(lambda t, r, k: r[0].update(stack="cobol")),
        "resources.yaml: resource #1 'https://git-scm.com/book/en/v2': stack: 'cobol' is not one of python, node",
    ),
    "a track's stack in capitals": (
        broken(lambda t, r, k: k.update(stack="Python")),
        "tracks/demo.yaml: track 'demo': stack: 'Python' is not one of python, node, java, go, dotnet, ruby, php",
    ),
    "wrong type": (
        broken(lambda t, r, k: r[0].update(minutes="two hours")),
        "resources.yaml: resource #1 'https://git-scm.com/book/en/v2': minutes: must be a whole number",
    ),
    "bad slug": (
        broken(lambda t, r, k: t[0].update(slug="Git Hub!")),
        "topics.yaml: topic #1 'Git Hub!': slug:",
    ),
    "title too long": (
        broken(lambda t, r, k: t[1].update(title="x" * 500)),
        "topics.yaml: topic #2 'sql': title: Ensure this value has at most 120 characters",
    ),
    "track slug differs from file name": (
        broken(lambda t, r, k: k.update(slug="other")),
        "tracks/demo.yaml: track 'other': slug 'other' must match the file name 'demo'",
    ),
    "topic orders a resource that doesn't teach it": (
        broken(lambda t, r, k: t[1]["resources"].append(PRO_GIT)),
        f"topics.yaml: topic #2 'sql': resources: '{PRO_GIT}' is no resource of this topic",
    ),
    "topic orders an unknown URL": (
        broken(lambda t, r, k: t[0]["resources"].insert(0, "https://example.com/nowhere")),
        "topics.yaml: topic #1 'git': resources: 'https://example.com/nowhere' is no resource of this topic",
    ),
    "topic lists a resource twice": (
        broken(lambda t, r, k: t[0]["resources"].append(PRO_GIT + "?utm_source=x")),
        f"topics.yaml: topic #1 'git': resources: '{PRO_GIT}' is listed twice",
    ),
    "start here not among the topic's resources": (
        broken(lambda t, r, k: t[1].update(start_here=PRO_GIT)),
        f"topics.yaml: topic #2 'sql': start_here: '{PRO_GIT}' must be one of the topic's resources",
    ),
    "hours zero": (
        broken(lambda t, r, k: t[0].update(hours=0)),
        "topics.yaml: topic #1 'git': hours: Ensure this value is greater than or equal to 1",
    ),
    "hours as text": (
        broken(lambda t, r, k: k["stages"][0]["milestones"][0].update(hours="ten")),
        "tracks/demo.yaml: stage #1 'basics', milestone #1 'crud': hours: must be a whole number",
    ),
    "unknown difficulty": (
        broken(lambda t, r, k: k["stages"][0]["milestones"][0].update(difficulty="expert")),
        "milestone #1 'crud': difficulty: 'expert' is not one of beginner, intermediate, advanced",
    ),
    "checklist item too long": (
        broken(lambda t, r, k: k["stages"][0]["milestones"][0]["checklist"].append("x" * 301)),
        "milestone #1 'crud': checklist #3: at most 300 characters (it has 301)",
    ),
    "ready check too long": (
        broken(lambda t, r, k: t[0]["ready_when"].append("x" * 301)),
        "topics.yaml: topic #1 'git': ready_when #3: at most 300 characters (it has 301)",
    ),
    "empty ready check": (
        broken(lambda t, r, k: t[0]["ready_when"].insert(0, " ")),
        "topics.yaml: topic #1 'git': ready_when #1: is empty",
    ),
    "ready_when not a list of texts": (
        broken(lambda t, r, k: t[0].update(ready_when="You can commit")),
        "topics.yaml: topic #1 'git': ready_when: must be a list of names",
    ),
    "empty stretch goal": (
        broken(lambda t, r, k: k["stages"][0]["milestones"][0]["stretch"].append("  ")),
        "milestone #1 'crud': stretch #2: is empty",
    ),
    "checklist not a list of texts": (
        broken(lambda t, r, k: k["stages"][0]["milestones"][0].update(checklist=[{"text": "x"}])),
        "milestone #1 'crud': checklist: must be a list of names",
    ),
    "milestone slug twice in a track": (
        broken(lambda t, r, k: k["stages"][1].update(milestones=[{"slug": "crud", "title": "Again"}])),
        "tracks/demo.yaml: stage #2 'advanced', milestone 'crud': duplicate milestone slug 'crud' in this track",
    ),
    "change with a bad date": (
        broken(lambda t, r, k: k["changes"][0].update(date="2 Dec 2026")),
        "tracks/demo.yaml: track 'demo', change #1: date: '2 Dec 2026' is not a date written YYYY-MM-DD",
    ),
    "changes oldest first": (
        broken(lambda t, r, k: k["changes"].reverse()),
        "tracks/demo.yaml: track 'demo', change #2: changes: list the newest first",
    ),
    "change without its sentence": (
        broken(lambda t, r, k: k["changes"][0].pop("change")),
        "tracks/demo.yaml: track 'demo', change #1: missing required key 'change'",
    ),
    "topic replaces a topic still listed": (
        broken(lambda t, r, k: t[0]["replaces"].append("sql")),
        "topics.yaml: topic #1 'git': replaces: 'sql' is still a topic in this file",
    ),
    "resource replaces a URL still listed": (
        broken(lambda t, r, k: r[1]["replaces"].append(PRO_GIT)),
        f"resources.yaml: resource #2 '{SQL_DOCS}': replaces: '{PRO_GIT}' is still a resource in this file",
    ),
    "milestone replaces a milestone still there": (
        broken(
            lambda t, r, k: k["stages"][1].update(
                milestones=[{"slug": "deploy", "title": "Deploy", "replaces": ["crud"]}]
            )
        ),
        "tracks/demo.yaml: milestone 'deploy': replaces: 'crud' is still a milestone of this track",
    ),
    "entry not a mapping": (
        broken(lambda t, r, k: t.append("just a string")),
        "topics.yaml: topic #4: must be a mapping",
    ),
}


@pytest.mark.parametrize("case", MALFORMED, ids=list(MALFORMED))
def test_malformed_content_changes_nothing_and_names_file_and_entry(tmp_path, case):
    load(write_content(tmp_path / "good"))
    before = catalogue_rows(), list(Topic.objects.values_list("slug", "title", "updated_at"))
    (topics, resources, track), expected = copy.deepcopy(MALFORMED[case])
    # A valid edit alongside the broken one must not be applied either.
    topics[0]["title"] = "Renamed"
    bad_root = tmp_path / "bad"
    yaml_io.write(bad_root / "topics.yaml", topics)
    yaml_io.write(bad_root / "resources.yaml", resources)
    yaml_io.write(bad_root / "tracks" / "demo.yaml", track)
    with pytest.raises(CommandError) as raised:
        load(bad_root)
    assert expected in str(raised.value)
    assert "nothing was changed" in str(raised.value)
    assert (catalogue_rows(), list(Topic.objects.values_list("slug", "title", "updated_at"))) == before


def test_invalid_yaml_is_reported_with_the_file_name(tmp_path):
    write_content(tmp_path)
    (tmp_path / "resources.yaml").write_text("- url: [unclosed\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"resources.yaml: file: is not valid YAML"):
        load(tmp_path)
    assert catalogue_rows() == (0, 0, 0, 0, 0, 0)


def test_a_folder_without_content_files_is_an_error(tmp_path):
    with pytest.raises(CommandError, match=r"no topics\.yaml, resources\.yaml or tracks"):
        load(tmp_path)
    with pytest.raises(CommandError, match="is not a folder"):
        load(tmp_path / "missing")


def test_export_removes_track_files_of_deleted_tracks(tmp_path):
    load(write_content(tmp_path / "source"))
    out = tmp_path / "out"
    yaml_io.write(out / "tracks" / "gone.yaml", {"slug": "gone"})
    assert "tracks/gone.yaml" not in export(out)
