"""The "Learner projects" of a milestone's page: one page of learners' projects, each shown as a card.

A card (its write-up's Markdown, links, checklist met, helpful count, feedback, report controls) is the
same for every learner but for a few bits of their own: whether they marked it helpful, whether it is
their own project (no helpful button, no report control) or their own feedback (no report control), the
CSRF token, the query string and messages. So cards are rendered with a slot for each of those bits
(plumbing/overlay.py) and kept in this process's memory, at two levels:

- a page of cards (which projects, in which order, as they are) under the tokens that move with every
  change to what they show (cache_tokens.STATS: a project saved, featured, hidden or deleted, a vote,
  feedback written, hidden or deleted, a handle or profile changed, an account deleted; CATALOGUE: the
  milestone's checklist): while they hold, a request reads no project at all;
- each card under everything it shows (CARDS): the stats token also moves with every rating or vote
  anywhere, and a page read anew then renders only the cards whose data changed.

Per request come the learner's own part (whether they built the milestone, their own project, their votes
among the page: one query) and the filled slots.
"""

from dataclasses import dataclass, field
from functools import cache

from django.core.paginator import Page, Paginator
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from learning.catalogue import queries
from learning.community import project_queries
from learning.community.models import FEEDBACK_MAX_LENGTH
from plumbing import cache_tokens, overlay

# Each card as rendered, by everything it shows: a page rendered anew (the stats token moved: a vote or a
# rating anywhere) reads its projects again but renders only the cards whose data changed.
CARDS = overlay.Memo(512)
CARD_INDENT = "\n    "  # a card's place in the list's <ol> (includes/learner_projects.html)
ACTIONS_INDENT = "\n        "  # the actions' place in a card


@dataclass(frozen=True)
class Card:
    """One project's card, the same for every learner; `actions` (the helpful button and report control)
    and each feedback's report control (`reports`: the feedback's key -> (its writer, the control)) go in
    by slot, for learners other than their authors."""

    pk: int
    author_id: int
    html: overlay.Overlay
    actions: overlay.Overlay
    reports: dict[str, tuple[int, overlay.Overlay]]


@dataclass(frozen=True)
class LearnerProjects:
    """What "Learner projects" shows this request: a visitor gets `count` alone."""

    count: int
    sort: str = "newest"
    sorts: tuple = ()
    page: Page | None = None
    cards: tuple[overlay.Overlay, ...] = ()
    fillers: dict = field(default_factory=dict)
    own: project_queries.OwnProject | None = None
    built: bool = False


def learner_projects(request, milestone) -> LearnerProjects:
    """A visitor: how many shown projects the milestone has. A learner: one page of them as cards, whether
    they built the milestone and their own project. The count and the cards are the memo's (once per stats
    version, per page and order); each request reads the learner's own part (built, their project, their
    votes among the page) in one query. Rendering a page anew reads the count, the projects and their
    feedback (three queries)."""
    user = request.user
    count = queries.memoised(
        request,
        "project-count",
        milestone.pk,
        build=lambda: project_queries.shown_count(milestone),
        depends=(cache_tokens.STATS,),
    )
    if not user.is_authenticated:
        return LearnerProjects(count=count)
    sort = project_queries.sort_of(request.GET.get("sort"))
    # The page asked for, as the paginator reads it (a bad or too large number: the first or the last page).
    paginator = Paginator(range(count), project_queries.PROJECTS_PER_PAGE)
    number = paginator.get_page(request.GET.get("page")).number

    def render_page() -> tuple[Card, ...]:
        if not count:
            return ()
        start = (number - 1) * project_queries.PROJECTS_PER_PAGE
        rows = project_queries.gallery(milestone, sort=sort)[
            start : start + project_queries.PROJECTS_PER_PAGE
        ]
        total = len(milestone.checklist.all())
        key = (request.path, timezone.get_current_timezone_name(), total)

        def card(project) -> Card:
            return CARDS.get((*key, *shown_of(project)), lambda: card_of(request, project, total))

        return tuple(card(project) for project in rows)

    cards = queries.memoised(
        request,
        "project-cards",
        milestone.pk,
        request.path,
        sort,
        number,
        timezone.get_current_timezone_name(),  # the cards' dates
        build=render_page,
    )
    mine = project_queries.mine(user, milestone, [card.pk for card in cards])
    return LearnerProjects(
        count=count,
        sort=sort,
        sorts=tuple(project_queries.SORTS.items()),
        page=Page([card.pk for card in cards], number, paginator),
        cards=tuple(card.html for card in cards),
        fillers=card_fillers(cards, user.pk, mine.voted),
        own=mine.own,
        built=mine.built,
    )


def shown_of(project) -> tuple:
    """Everything of a project that its card shows, as read for it: its fields (project_queries.gallery
    reads only those), its author's, its counts, and each piece of its shown feedback with its writer's
    handle. Part of the card's key in CARDS, so a card is never served for data it was not rendered from."""
    return (
        *loaded(project),
        project.helpful,
        project.met,
        *loaded(project.user),
        tuple((*loaded(feedback), *loaded(feedback.user)) for feedback in project.shown_feedback),
    )


def loaded(row) -> tuple:
    """The values of a row's fields that were read (not deferred)."""
    deferred = row.get_deferred_fields()
    return tuple(
        getattr(row, field.attname) for field in row._meta.concrete_fields if field.attname not in deferred
    )


def card_of(request, project, checklist_total: int) -> Card:
    """A project's card (includes/project_card.html) with its parts, rendered in overlay.shared_context:
    nothing of the learner who asked for it is in it."""
    shared = overlay.shared_context(request.path, authenticated=True)
    context = shared | {
        "project": project,
        "checklist_total": checklist_total,
        "feedback_max": FEEDBACK_MAX_LENGTH,
    }
    html = render_to_string("includes/project_card.html", context).strip()
    actions = render_to_string("includes/project_actions.html", context).strip()
    reports = {
        str(feedback.pk): (feedback.user_id, overlay.Overlay.of(feedback_report(shared, feedback)))
        for feedback in project.shown_feedback
    }
    return Card(
        pk=project.pk,
        author_id=project.user_id,
        html=overlay.Overlay.of(CARD_INDENT + html + CARD_INDENT),
        actions=overlay.Overlay.of(ACTIONS_INDENT + actions + ACTIONS_INDENT),
        reports=reports,
    )


def feedback_report(shared: dict, feedback) -> str:
    """The "Report" control of a piece of feedback (includes/report_control.html)."""
    pk = str(feedback.pk)
    return render_to_string(
        "includes/report_control.html",
        shared
        | {
            "action": reverse("learning:feedback_report", args=[feedback.pk]),
            "anchor": f"feedback-{pk}",
            "what": f"the feedback by {feedback.user.username}",
            "author": "learner",
            "prefix": f"feedback_{pk}",
        },
    )


@cache
def helpful_button(voted: bool) -> SafeString:
    """The "Helpful" button, pressed or not (the same for every project: rendered once per process)."""
    html = render_to_string("includes/helpful_button.html", {"voted": voted}).strip()
    return mark_safe(html)  # noqa: S308 - a template's output


def card_fillers(cards: tuple[Card, ...], user_id: int, voted: frozenset[int]) -> dict:
    """The slots of the cards for this learner: no helpful button nor report control on their own project,
    no report control on their own feedback, the helpful button pressed where they marked it helpful."""
    actions = {str(card.pk): card.actions for card in cards if card.author_id != user_id}
    reports = {
        key: control
        for card in cards
        for key, (writer_id, control) in card.reports.items()
        if writer_id != user_id
    }
    pressed = {str(pk) for pk in voted}
    return {
        "project-actions": actions.get,
        "feedback-report": reports.get,
        "helpful": lambda key: helpful_button(key in pressed),
    }
