"""A track exported as a Markdown checklist, through its real URL."""

from html.parser import HTMLParser

import markdown as markdown_lib
import pytest

from learning.models import Milestone, TopicResource
from learning.progress import services
from tests.factories import (
    RatingFactory,
    ResourceFactory,
    StageFactory,
    StepFactory,
    TopicFactory,
    TrackFactory,
)
from tests.learning.conftest import build_track

pytestmark = pytest.mark.django_db

BASE = "http://testserver"


def export_url(track):
    return f"/tracks/{track.slug}/export.md"


def steps_of(track):
    return list(track.steps.select_related("topic").order_by("stage__position", "position"))


def milestones_of(track):
    return list(
        Milestone.objects.filter(stage__track=track)
        .select_related("stage__track")
        .order_by("stage__position", "position")
    )


def topic_line(document, topic):
    """The task-list line of a topic (the one that links to it)."""
    (line,) = [line for line in document.splitlines() if f"]({BASE}/topics/{topic.slug}/)" in line]
    return line


class Links(HTMLParser):
    """Every <a> in rendered HTML as (href, text)."""

    def __init__(self):
        super().__init__()
        self.links, self._href, self._text = [], None, []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._href, self._text = dict(attrs)["href"], []

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._text)))
            self._href = None


def rendered_links(document):
    parser = Links()
    parser.feed(markdown_lib.markdown(document))
    return parser.links


# ---------- The document ----------


def test_export_is_a_markdown_download_named_after_the_track(client, track):
    response = client.get(export_url(track))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="backend.md"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_export_lists_stages_steps_resources_and_milestones_unticked_for_visitors(client, track):
    document = client.get(export_url(track)).content.decode()
    lines = document.splitlines()
    assert lines[0] == "# Backend developer"
    assert "A path to a goal." in lines
    assert f"Roadmap: <{BASE}/tracks/backend/>" in lines
    assert "## 1. Basics (months 1–3)" in lines
    assert "## 2. Advanced" in lines
    assert lines.index("## 1. Basics (months 1–3)") < lines.index("## 2. Advanced")
    for step in steps_of(track):
        line = topic_line(document, step.topic)
        assert line.startswith(f"- [ ] [{step.topic.title}]({BASE}/topics/{step.topic.slug}/)")
        assert line.endswith(" — One unit of knowledge.")
        assert ("(optional)" in line) == step.is_optional
    for milestone in milestones_of(track):
        assert f"- [ ] **Milestone:** {milestone.title}" in lines
    assert "[x]" not in document
    assert "Your progress" not in document
    # Steps in a stage come in order, then its milestone.
    basics = [
        line
        for line in lines[lines.index("## 1. Basics (months 1–3)") : lines.index("## 2. Advanced")]
        if line.startswith("- ")
    ]
    first, second = (step for step in steps_of(track) if step.stage.slug == "basics")
    assert [basics[0], basics[1]] == [topic_line(document, first.topic), topic_line(document, second.topic)]
    assert basics[-1].startswith("- [ ] **Milestone:**")


def test_export_lists_each_topics_top_three_resources_as_ranked_on_its_page(client):
    track = build_track(1, resources_per_topic=0)
    topic = track.steps.get().topic
    resources = [ResourceFactory(topics=[topic], title=f"Res {letter}") for letter in "ABCDE"]
    ResourceFactory(topics=[topic], title="Res hidden", is_published=False)
    resources[1].kind = "docs"
    resources[1].cost = "paid"
    resources[1].save()
    TopicResource.objects.filter(resource=resources[1]).update(is_start_here=True)
    for _ in range(10):  # ten 5s lift the last of the curated order above the others
        RatingFactory(resource=resources[4], stars=5)
    RatingFactory(resource=resources[0], stars=1)  # one bad rating barely moves the curated first
    document = client.get(export_url(track)).content.decode()
    nested = [line for line in document.splitlines() if line.startswith("    - [")]
    assert nested == [
        f"    - [Res B]({resources[1].url}) — Official docs · Paid",
        f"    - [Res E]({resources[4].url}) — Article · Free",
        f"    - [Res A]({resources[0].url}) — Article · Free",
    ]
    topic_page = client.get(topic.get_absolute_url()).context["topic"]
    assert [resource.title for resource in topic_page.ranked_resources[:3]] == ["Res B", "Res E", "Res A"]


def test_export_carries_the_learners_ticks(client, learner, track):
    steps, milestones = steps_of(track), milestones_of(track)
    services.set_topic_status(user=learner, topic=steps[0].topic, status="done")
    services.set_topic_status(user=learner, topic=steps[1].topic, status="skipped")
    services.set_topic_status(user=learner, topic=steps[2].topic, status="learning")
    services.set_milestone_done(user=learner, milestone=milestones[1], done=True)
    client.force_login(learner)
    document = client.get(export_url(track)).content.decode()
    link = "[{0.title}]({1}/topics/{0.slug}/)"
    assert topic_line(document, steps[0].topic).startswith(f"- [x] {link.format(steps[0].topic, BASE)}")
    assert topic_line(document, steps[1].topic).startswith(f"- [x] ~~{link.format(steps[1].topic, BASE)}~~")
    assert "(skipped)" in topic_line(document, steps[1].topic)
    assert topic_line(document, steps[2].topic).startswith(f"- [ ] {link.format(steps[2].topic, BASE)}")
    assert "(learning)" in topic_line(document, steps[2].topic)
    assert topic_line(document, steps[3].topic).startswith("- [ ] ")
    assert f"- [ ] **Milestone:** {milestones[0].title}" in document
    assert f"- [x] **Milestone:** {milestones[1].title}" in document
    # 4 steps - 1 skipped + 2 milestones = 5; done: 1 topic + 1 milestone.
    assert "Your progress: 1 of 3 topics · 1 of 2 milestones · 1 skipped (40%)." in document
    assert learner.email not in document


def test_export_lists_each_topics_ready_checks_with_the_learners_ticks(client, learner, track):
    topic = steps_of(track)[0].topic
    services.set_ready_ticks(user=learner, topic=topic, check_ids={topic.ready_checks.get(position=1).pk})
    visitor = client.get(export_url(track)).content.decode()
    client.force_login(learner)
    document = client.get(export_url(track)).content.decode()
    lines = document.splitlines()
    start = lines.index(topic_line(document, topic))
    ready = lines.index("    - You're ready when:", start)
    assert lines[ready + 1 : ready + 3] == [
        "        - [ ] You can do thing 0",
        "        - [x] You can do thing 1",
    ]
    assert "        - [x]" not in visitor
    assert "        - [ ] You can do thing 1" in visitor


def test_another_learners_ticks_never_show(client, learner, track):
    services.set_topic_status(user=learner, topic=steps_of(track)[0].topic, status="done")
    assert "[x]" not in client.get(export_url(track)).content.decode()


TRICKY = "Use [brackets] *stars* _under_ `ticks` <b>bold</b> &amp; ~~strike~~ \\ back"


def test_titles_cannot_break_the_links_or_add_markup(client):
    track = TrackFactory(
        title="Tricky # [track]", slug="tricky", summary="Summary with *stars* and <i>tags</i>"
    )
    stage = StageFactory(track=track, title="C# [stage]", slug="c-sharp")
    topic = TopicFactory(title=TRICKY, summary="A [summary](https://evil.example) _here_")
    StepFactory(stage=stage, topic=topic)
    resource = ResourceFactory(
        topics=[topic], title="Guide](https://evil.example) [x", url="https://example.com/a_(b) c"
    )
    document = client.get(export_url(track)).content.decode()
    html = markdown_lib.markdown(document)
    assert rendered_links(document) == [
        (f"{BASE}/tracks/tricky/", f"{BASE}/tracks/tricky/"),
        (f"{BASE}/topics/{topic.slug}/", TRICKY),
        ("https://example.com/a_%28b%29%20c", resource.title),
    ]
    assert "evil.example" not in "".join(href for href, _ in rendered_links(document))
    for markup in ("<b>", "<i>", "<em>", "<strong>", "<code>", "<del>"):
        assert markup not in html
    assert "<h1>Tricky # [track]</h1>" in html
    assert "<h2>1. C# [stage]</h2>" in html


# ---------- Visibility ----------


def test_unpublished_track_export_is_404_for_visitors_and_learners_but_not_staff(
    client, learner, curator_client
):
    draft = TrackFactory(slug="draft", title="Draft track", is_published=False)
    assert client.get(export_url(draft)).status_code == 404
    client.force_login(learner)
    assert client.get(export_url(draft)).status_code == 404
    response = curator_client.get(export_url(draft))
    assert response.status_code == 200
    assert response.content.decode().startswith("# Draft track\n")


def test_unknown_track_export_is_404(client):
    assert client.get("/tracks/no-such-track/export.md").status_code == 404


def test_unpublished_topics_and_resources_are_left_out_for_visitors(client, track, curator_client):
    step = steps_of(track)[0]
    step.topic.is_published = False
    step.topic.save()
    hidden = ResourceFactory(topics=[steps_of(track)[1].topic], title="Hidden resource", is_published=False)
    document = client.get(export_url(track)).content.decode()
    assert f"/topics/{step.topic.slug}/" not in document
    assert hidden.title not in document
    staff_document = curator_client.get(export_url(track)).content.decode()
    assert f"/topics/{step.topic.slug}/" in staff_document


def test_track_page_links_to_the_download(client, track):
    html = client.get(track.get_absolute_url()).content.decode()
    assert f'<a href="{export_url(track)}" download>Download as Markdown</a>' in html


# ---------- Query counts ----------


# The queries of one export with nothing cached, by viewer: the same for 2 topics and for 24 with check-offs.
# (One fewer than before curated order: each topic's resources rank by their place, not the site mean.) A
# logged-in viewer's notes on topics: one query more. +1: the topics' "You're ready when" checks; +1 for a
# logged-in viewer: the checks they ticked.
EXPORT_QUERIES = {"visitor": 8, "learner": 13, "curator": 13}


@pytest.mark.parametrize("viewer", EXPORT_QUERIES)
def test_export_queries_do_not_grow_with_the_data(client, learner, curator, cold_get, viewer):
    if viewer != "visitor":
        client.force_login(learner if viewer == "learner" else curator)
    small = build_track(2, slug="small", resources_per_topic=1)
    cold_get(client, export_url(small), EXPORT_QUERIES[viewer])
    large = build_track(24, slug="large", resources_per_topic=5)
    for step in steps_of(large)[::2]:
        services.set_topic_status(user=learner, topic=step.topic, status="done")
        services.save_topic_note(user=learner, topic=step.topic, text="a note")
        services.set_ready_ticks(
            user=learner, topic=step.topic, check_ids={step.topic.ready_checks.first().pk}
        )
        RatingFactory(resource=step.topic.resources.first(), stars=4)
    for milestone in milestones_of(large):
        services.set_milestone_done(user=learner, milestone=milestone, done=True)
    response = cold_get(client, export_url(large), EXPORT_QUERIES[viewer])
    notes = 12 if viewer == "learner" else 0
    ready = 24  # each topic's "You're ready when:" line, its checks under it
    assert response.content.decode().count("\n    - ") == 24 * 3 + ready + notes
    assert response.content.decode().count("\n        - [x] You can do thing 0") == notes
