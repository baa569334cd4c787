"""A track as a Markdown checklist: its stages, topics with their top resources, and milestones.

Each step and milestone is a task-list item. With a learner's progress, done ones are ticked (`- [x]`),
skipped topics are ticked and struck through with "(skipped)" after them, topics being learned say
"(learning)", each topic's "You're ready when" checks follow it (ticked as the learner ticked them), and the
learner's own notes on a topic follow it as a quote; for a visitor everything is unticked. Titles and
summaries are escaped, so no curated text can open a link, emphasis, code span or HTML in the document.
"""

import re
from urllib.parse import quote

from django.conf import settings
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone

from learning.catalogue import queries
from learning.catalogue.models import ReadyCheck, Resource, TopicResource
from learning.progress.state import DONE, LEARNING, SKIPPED, LearnerState, track_progress

TOP_RESOURCES = 3

_ENTITY_LIKE = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_INLINE_MARKUP = re.compile(r"([\\`*_\[\]])")
_HEADING_MARKUP = re.compile(r"([\\`*_\[\]#])")


def escape_markdown(text, *, heading: bool = False) -> str:
    """`text` on one line, shown as written by CommonMark, GitHub and Python-Markdown alike."""
    text = " ".join(str(text).split())
    text = (_HEADING_MARKUP if heading else _INLINE_MARKUP).sub(r"\\\1", text)
    text = _ENTITY_LIKE.sub("&amp;", text)
    return text.replace("<", "&lt;").replace("~", "&#126;")


def markdown_url(url: str) -> str:
    """A link destination that cannot end early: spaces, parentheses and angle brackets percent-encoded."""
    return quote(url, safe="/:?#[]@!$&'*+,;=%~-._")


def markdown_link(title, url: str) -> str:
    return f"[{escape_markdown(title)}]({markdown_url(url)})"


def track_for_export(user, slug):
    """The track page's read, plus each topic's resources ranked as on the topic page opened from this
    track (the track's stack first) and its "You're ready when" checks: two queries more."""
    track = queries.track_for_roadmap(user, slug)
    topics = [step.topic for stage in track.stages.all() for step in stage.steps.all()]
    links = TopicResource.objects.filter(resource__in=Resource.objects.visible_to(user)).ranked(
        stack_context=track.stack
    )
    prefetch_related_objects(
        topics,
        Prefetch("resource_links", queryset=links.select_related("resource"), to_attr="ranked_links"),
        Prefetch("ready_checks", queryset=ReadyCheck.objects.order_by("position")),
    )
    for topic in topics:
        topic.ranked_resources = [link.resource for link in topic.ranked_links]
    return track


def track_markdown(
    track,
    *,
    state: LearnerState,
    absolute,
    with_progress: bool,
    notes: dict | None = None,
    ticks: set | None = None,
) -> str:
    """The document; `absolute` turns a path into a full URL (request.build_absolute_uri); `notes`: the
    learner's notes by topic id (their own Markdown, kept as written); `ticks`: the ids of the "You're ready
    when" checks they ticked."""
    stages = list(track.stages.all())
    lines = [f"# {escape_markdown(track.title, heading=True)}", "", escape_markdown(track.summary), ""]
    lines += [f"Roadmap: <{markdown_url(absolute(track.get_absolute_url()))}>", ""]
    if with_progress:
        steps = [step for stage in stages for step in stage.steps.all()]
        milestones = [milestone for stage in stages for milestone in stage.milestones.all()]
        progress = track_progress(steps, milestones, state)
        lines.append(f"Your progress: {progress.summary} ({progress.percent}%).")
    lines.append(
        "Ticked: done. Ticked and struck through: skipped. Steps marked (optional) may be left out. "
        f"Exported from {settings.SITE_NAME} on {timezone.localdate():%Y-%m-%d}."
    )
    for number, stage in enumerate(stages, start=1):
        lines += [
            "",
            *stage_lines(
                number, stage, state=state, absolute=absolute, notes=notes or {}, ticks=ticks or set()
            ),
        ]
    return "\n".join(lines) + "\n"


def stage_lines(number: int, stage, *, state: LearnerState, absolute, notes: dict, ticks: set) -> list[str]:
    duration = f" ({escape_markdown(stage.duration)})" if stage.duration else ""
    head = [f"## {number}. {escape_markdown(stage.title, heading=True)}{duration}", ""]
    if stage.summary:
        head += [escape_markdown(stage.summary), ""]
    items = [
        line
        for step in stage.steps.all()
        for line in step_lines(step, state, absolute=absolute, notes=notes, ticks=ticks)
    ]
    for milestone in stage.milestones.all():
        tick = "x" if milestone.pk in state.milestones_done else " "
        items.append(f"- [{tick}] **Milestone:** {escape_markdown(milestone.title)}")
    return head + (items or ["No steps in this stage yet."])


def step_lines(step, state: LearnerState, *, absolute, notes: dict, ticks: set) -> list[str]:
    topic, status = step.topic, state.status_of(step.topic_id)
    link = markdown_link(topic.title, absolute(topic.get_absolute_url()))
    status_notes: dict[str | None, str] = {DONE: "", SKIPPED: " (skipped)", LEARNING: " (learning)"}
    said = status_notes.get(status, "")
    if status == SKIPPED:
        link = f"~~{link}~~"
    tick = "x" if status in (DONE, SKIPPED) else " "
    optional = " (optional)" if step.is_optional else ""
    summary = f" — {escape_markdown(topic.summary)}" if topic.summary else ""
    lines = [f"- [{tick}] {link}{optional}{said}{summary}"]
    for resource in topic.ranked_resources[:TOP_RESOURCES]:
        lines.append(
            f"    - {markdown_link(resource.title, resource.url)} — "
            f"{resource.get_kind_display()} · {resource.get_cost_display()}"
        )
    if checks := topic.ready_checks.all():
        lines.append("    - You're ready when:")
        lines += [f"        - [{'x' if c.pk in ticks else ' '}] {escape_markdown(c.text)}" for c in checks]
    if note := notes.get(topic.pk):
        lines.append("    - My notes:")
        lines += [f"        > {line}".rstrip() for line in note.splitlines()]
    return lines
