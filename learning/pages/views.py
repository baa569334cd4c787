"""Pages that show several rooms at once: the catalogue with the learner's progress over it and the
community's ratings in its order. Each view only calls the rooms' reads and renders."""

from django.core.paginator import Paginator
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from learning.catalogue import fragments, listing, queries, topic_sql
from learning.catalogue.forms import ResourceFilterForm
from learning.catalogue.models import sees_drafts
from learning.pages.projects import learner_projects
from learning.pages.track import fillers, milestone_fillers, track_skeleton
from learning.progress import activity, goals
from learning.progress import queries as progress_queries
from learning.progress.forms import DAY_NAMES
from learning.progress.models import GOAL_MAX_HOURS, TOPIC_NOTE_MAX_LENGTH
from learning.progress.services import NOT_STARTED, STATUS_CHOICES
from learning.progress.state import (
    DONE,
    LearnerRecord,
    LearnerState,
    learner_record,
    learner_record_read,
    next_open_step,
    track_progress,
)
from plumbing import cache_tokens, overlay
from plumbing.markdown import render_markdown
from plumbing.page_cache import cached_page
from plumbing.sql import read_together


@cached_page(cache_tokens.CATALOGUE)
def home(request):
    # The cards and counts are the catalogue's, rendered once per version; the learner's part is theirs.
    cards = fragments.track_cards(request)
    context = {"tracks": cards.tracks, "cards": cards, "counts": fragments.catalogue_counts(request)}
    if request.user.is_authenticated:
        # Continue means followed: tracks that only share a done topic don't crowd the learner's way back.
        record = learner_record(request.user)
        following = [track for track in cards.tracks if track.pk in record.followed]
        if following:
            progress = progress_queries.progress_by_track(following, record.state)
            context["continue_with"] = [(track, progress[track.pk]) for track in following]
    return render(request, "learning/home.html", context)


def learners_date(request) -> str:
    """The learner's date (a visitor's pages don't depend on one): what shows of a streak or a weekly goal
    moves at their midnight with nothing written."""
    return activity.learners_day(request.user).isoformat() if request.user.is_authenticated else ""


@cached_page(cache_tokens.CATALOGUE, vary=learners_date)  # a goal's week moves at the learner's midnight
def track_detail(request, slug):
    skeleton = track_skeleton(request, slug)
    user, track = request.user, skeleton.track
    record, projection = LearnerRecord(), None
    if user.is_authenticated:
        # What they checked off and follow, their goals and this week's work: one round trip on PostgreSQL.
        today = activity.learners_day(user)
        reads = (learner_record_read(user), goals.goals_and_week_read(user, today))
        record, (goal_of, week) = read_together(*reads)
        goal = goal_of.get(track.pk) if track.pk in record.followed else None  # shown to a follower only
        if goal is not None:
            projection = goals.projection(
                goal, skeleton.steps, skeleton.milestones, record.state, week, today
            )
    progress = track_progress(skeleton.steps, skeleton.milestones, record.state)
    # The frame renders the head; the main part is the skeleton's, filled with this learner's state, and
    # their progress, follow button and weekly goal included in the page's context (an "include" slot).
    context = {
        "track": skeleton.track,
        "progress": progress,
        "following": track.pk in record.followed,
        "main": skeleton.main,
        "fillers": fillers(record.state, progress),
        "projection": projection,
        "goal_days": list(enumerate(DAY_NAMES)),
        "goal_max_hours": GOAL_MAX_HOURS,
    }
    return render(request, "learning/track_detail.html", context)


@cached_page(cache_tokens.CATALOGUE, cache_tokens.STATS, learners=False)  # the long tail: see cached_page
def topic_detail(request, slug):
    """The catalogue part of the page (read, then rendered with slots) is made once per catalogue and stats
    version and kept in this process's memo; per request come only the learner's own bits: their status, the
    next step for "Done — next topic", their ticks of the "You're ready when" checks, their bookmarks, the
    CSRF token, the query string and messages."""
    user = request.user
    # The form shows the query string as given (its own fields); its reading of them depends on nothing else.
    given = tuple(request.GET.get(name) for name in ResourceFilterForm.base_fields)
    form = overlay.memo(("resource-filters", given), lambda: given_filters(given))
    filters = form.filters()
    # The topic and its tracks first: the track it is walked in (?track=, else the learner's first followed
    # one) gives its neighbours, and its stack, whose resources the page lists first.
    try:
        read = queries.memoised(
            request, "topic", slug, build=lambda: topic_sql.topic_for_page(sees_drafts(user), slug)
        )
    except Http404:
        # An old slug (renamed, merged or split topic): a permanent redirect, query string (?track=) kept.
        successor = queries.replacing_topic(user, slug)
        if successor is None:
            raise
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirect(successor.get_absolute_url() + (f"?{query}" if query else ""))
    checks = read.checks
    # The learner's statuses, bookmarks among the topic's resources, ticks of the checks, whether they wrote
    # a note, and the track containing it they followed first: one query; the note's text only when there
    # is one.
    mine = progress_queries.topic_reads(
        user,
        read.topic,
        [resource.pk for resource in read.resources],
        checks=bool(checks),
        tracks=[step.track_id for step in read.topic.placements],
    )
    state, bookmarked, ticks = mine.state, mine.bookmarked, mine.ticks
    path = progress_queries.topic_path(
        read.topic,
        request.GET.get("track", ""),
        first_followed=mine.first_followed,
        steps_of=lambda track_id: track_steps(request, track_id),
    )
    stack = path.track.stack if path else ""
    page = queries.memoised(
        request,
        "topic-resources",
        slug,
        tuple(filters.items()),
        stack,
        build=lambda: queries.topic_page(user, read, filters=filters, stack_context=stack),
    )
    topic = page.topic  # with its resources ranked for the walked track's stack
    # Where "Done — next topic" goes: the next step after this one not done or skipped (None: the track).
    continue_with = next_open_step(path.steps, state, after_topic_id=topic.pk) if path else None
    status = state.status_of(topic.pk) or NOT_STARTED
    note = progress_queries.topic_note(user, topic) if mine.noted else None

    walked = path.track if path else None

    def render_shared():
        context = {
            "topic": topic,
            "topic_tags": read.tags,
            "checks": checks,
            "status_choices": STATUS_CHOICES,
            "form": form,
            "ignored": form.ignored(),
            "tags": page.tags,
            "related": page.related,
            "bookmark_slots": user.is_authenticated,
            "walk_slots": True,
        }
        # The filter form and what it ignored show in the main part only (a form doesn't pickle).
        shared = overlay.Shared.for_request(
            "learning/topic_main.html", request, context, main_only=("form", "ignored")
        )
        # The parts every request for the page asks for are rendered with it, so the shared copy has them:
        # otherwise each process renders each card (and a learner's bookmark buttons, off) for itself, and
        # each walk's navigation through each track.
        for resource in topic.ranked_resources:
            card_part(shared, resource)
            if user.is_authenticated:
                bookmark_part(shared, resource, set())
        walk_parts(shared, request, topic, checks, learner=user.is_authenticated)
        return shared

    # Besides what it shows of the catalogue, the HTML shows the query string as given (the form). What the
    # track it is walked in changes (the breadcrumb, the steps, the order of its resources) are slots, filled
    # from parts rendered once per track (walk_slot): one render of the page serves every track.
    html = queries.memoised(
        request, "topic-page", request.path, slug, user.is_authenticated, given, build=render_shared
    )
    fillers = {
        "walk": lambda key: walk_slot(html, key, topic, path),
        "status": lambda key: status_part(html, status, walked),
        "done": lambda key: done_part(html, walked, continue_with),
        "bookmark": lambda key: bookmark_part(html, page.resources[int(key)], bookmarked),
        "notes": lambda key: notes_part(html, has_note=note is not None),
        "note": lambda key: note_slot(note, key),
        "ready": lambda key: " checked" if int(key) in ticks else "",
        "ready-summary": lambda key: ready_summary(html, checks, ticks, status),
    }
    context = {
        # What the page shows (the frame renders only the head; the rest is in the shared HTML and its parts).
        "topic": topic,
        "path": path,
        "continue_with": continue_with,
        "status": status,
        "bookmarked": bookmarked,
        "form": form,
        "tags": page.tags,
        "related": page.related,
        "main": html.main,
        "fillers": fillers,
    }
    return render(request, "learning/topic_detail.html", context)


def status_part(html: overlay.Shared, status: str, walked) -> overlay.Overlay:
    """The learner's status form on a topic page (`walked`: the track it is walked in, or None)."""
    variant = ("status", status, walked is not None)
    return html.part(variant, "includes/topic_status.html", status=status, walked=walked)


def done_part(html: overlay.Shared, walked, continue_with) -> overlay.Overlay:
    """ "Done — next topic" under the step navigation, for the next open step `continue_with` (None: none)."""
    variant = ("done", walked and walked.pk, continue_with and continue_with.pk)
    return html.part(variant, "includes/step_nav_done.html", continue_with=continue_with, walked=walked)


def notes_part(html: overlay.Shared, *, has_note: bool) -> overlay.Overlay:
    """ "My notes" on a topic page, with or without a note (its text is a slot of its own)."""
    context = {"has_note": has_note, "note_max_length": TOPIC_NOTE_MAX_LENGTH}
    return html.part(("notes", has_note), "includes/my_notes.html", **context)


WALK_KEYS = ("crumb", "hint", "nav-top", "nav-bottom")  # walk_slot's parts (the cards are parts of their own)


def walk_parts(html: overlay.Shared, request, topic, checks, *, learner: bool) -> None:
    """Renders into a topic page's shared HTML, while it is built, the parts its requests ask for besides the
    cards, so that the shared copy has them and no process renders them for itself: walk_slot's for no track
    and for each track the topic is in; for a learner also the status form for each status, "Done — next
    topic" as it is while the next step is open (a learner who has done or skipped it gets a variant rendered
    for them), "My notes" with and without a note, and the "3 of 4 ticked." for each count."""
    # The tracks' steps as the walks read them (track_steps' memo); those it doesn't hold yet, in one query.
    by_track: dict[int, list] | None = None

    def steps_read_together(track_id) -> list:
        nonlocal by_track
        if by_track is None:
            by_track = {}
            for step in queries.ordered_steps([placement.track_id for placement in topic.placements]):
                by_track.setdefault(step.track_id, []).append(step)
        return by_track.get(track_id, [])

    paths: list = [None]
    for placement in topic.placements:
        if steps := track_steps(request, placement.track_id, build=steps_read_together):
            paths.append(queries.track_path(placement, steps))
    for path in paths:
        for key in WALK_KEYS:
            walk_slot(html, key, topic, path)
        if learner:
            walked = path.track if path else None
            for status, _ in STATUS_CHOICES:
                status_part(html, status, walked)
            if path:
                done_part(html, walked, next_open_step(path.steps, LearnerState(), after_topic_id=topic.pk))
    if not learner:
        return
    for has_note in (False, True):
        notes_part(html, has_note=has_note)
    for status in (NOT_STARTED, DONE) if checks else ():
        for ticked in range(len(checks) + 1):
            ready_summary(html, checks, {check.pk for check in checks[:ticked]}, status)


def walk_slot(html: overlay.Shared, key: str, topic, path):
    """What the topic page shows of the track it is walked in (`path`, None: none), each a part rendered
    once per track: the breadcrumb (the walked track's stage, else the first the topic is in), the step
    navigation at the top and bottom, the order of the resources (the track's stack first) and its hint,
    and the track kept by the filters. The cards are parts of their own: one per resource, in any order."""
    if key == "cards":
        return [card_part(html, resource) for resource in topic.ranked_resources]
    if key == "crumb":
        crumb = path.placement if path else next(iter(topic.placements), None)
        return html.part(("crumb", crumb and crumb.pk), "includes/topic_crumb.html", crumb=crumb)
    if key == "hint":
        stack_track = path.track if path and path.track.stack else None
        variant = ("hint", stack_track and stack_track.pk)
        return html.part(variant, "includes/topic_hint.html", track=stack_track)
    if path is None:
        return None
    if key == "filter-track":
        return format_html('<input type="hidden" name="track" value="{}">', path.track.slug)
    where = key.removeprefix("nav-")
    return html.part(("nav", where, path.placement.pk), "includes/step_nav.html", path=path, where=where)


def ready_summary(html: overlay.Shared, checks, ticks: set, status: str) -> overlay.Overlay:
    """The "3 of 4 ticked." under the learner's "You're ready when" checks; with all ticked and the topic
    not done, a pointer to marking it done. Ticks of checks no longer there don't count."""
    ticked = sum(1 for check in checks if check.pk in ticks)
    suggest_done = ticked == len(checks) and status != "done"
    return html.part(
        ("ready-summary", ticked, len(checks), suggest_done),
        "includes/ready_summary.html",
        ticked=ticked,
        total=len(checks),
        suggest_done=suggest_done,
    )


def note_slot(note, key: str) -> str:
    """The learner's note in "My notes": its text for the form ("text"), or rendered ("html")."""
    if note is None:
        return ""
    return note.text if key == "text" else mark_safe(render_markdown(note.text, below=2))  # noqa: S308 - nh3-sanitised


@cached_page(cache_tokens.CATALOGUE, cache_tokens.STATS)  # STATS: learners' projects, votes and feedback
def milestone_detail(request, pk):
    """A milestone's brief, checklist, stretch goals and topics, rendered once per catalogue version and
    audience; per request come whether the learner built it, its "Learner projects", messages and the CSRF
    token."""
    user = request.user
    catalogue = (cache_tokens.CATALOGUE,)
    milestone = queries.memoised(
        request, "milestone", pk, build=lambda: queries.milestone_for_page(user, pk), depends=catalogue
    )

    def render_shared():
        return overlay.Shared.for_request("learning/milestone_main.html", request, {"milestone": milestone})

    html = queries.memoised(
        request, "milestone-page", request.path, user.is_authenticated, build=render_shared, depends=catalogue
    )
    projects = learner_projects(request, milestone)  # with whether the learner built it: one query
    context = {
        "milestone": milestone,
        "main": html.main,
        "fillers": milestone_fillers(projects.built),
        "projects": projects,
    }
    return render(request, "learning/milestone_detail.html", context)


def track_steps(request, track_id, *, build=progress_queries.track_steps) -> list:
    """A track's published steps in order (progress_queries.track_steps), once per catalogue version;
    `build(track_id)` reads them when the memo hasn't them yet (walk_parts reads several tracks' at once)."""
    return queries.memoised(
        request, "track-steps", track_id, build=lambda: build(track_id), depends=(cache_tokens.CATALOGUE,)
    )


def card_part(html: overlay.Shared, resource) -> overlay.Overlay:
    """A resource's card on a topic page, the same whatever track it is walked in."""
    return html.part(("card", resource.pk), "includes/resource_card.html", resource=resource, on_topic=True)


def bookmark_part(html: overlay.Shared, resource, bookmarked: set) -> overlay.Overlay:
    """The bookmark button of a resource card in shared HTML, as it is for this learner."""
    on = resource.pk in bookmarked
    return html.part(
        ("bookmark", resource.pk, on), "includes/bookmark_form.html", resource=resource, is_bookmarked=on
    )


@cached_page(cache_tokens.CATALOGUE, cache_tokens.STATS, learners=False)
def resource_list(request):
    """A visitor's page is cached whole (cached_page); a learner's differs from it only in the frame (the
    header), so its content comes from a copy rendered once per catalogue and stats version and query
    string, the same for every learner and every process (queries.memoised): the frame is all that is
    rendered per request."""
    query = request.META.get("QUERY_STRING", "")
    main, number = queries.memoised(
        request, "resource-list", request.path, query, build=lambda: resource_list_main(request, query)
    )
    return render(request, "learning/resource_list.html", {"main": main, "page_number": number})


def resource_list_main(request, query: str) -> tuple[overlay.Overlay, int]:
    """The list's content for this query string, rendered in a shared context (nothing of the person), and
    the number of the page of results it shows."""
    form = filter_form(request)
    resources = listing.resources_for_list(request, prior_mean=queries.site_mean_rating(), **form.filters())
    page = Paginator(resources, queries.RESOURCES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "ignored": form.ignored(),
        "tags": listing.resource_tags(request),
    }
    shared = overlay.shared_context(request.path, authenticated=request.user.is_authenticated, query=query)
    html = render_to_string("learning/resource_list_main.html", shared | context)
    return overlay.Overlay.of(html), page.number


def given_filters(given: tuple) -> ResourceFilterForm:
    """The filter form read from its fields' values as given (None: not in the query string)."""
    data = {
        name: value
        for name, value in zip(ResourceFilterForm.base_fields, given, strict=True)
        if value is not None
    }
    form = ResourceFilterForm(data)
    form.is_valid()
    return form


def filter_form(request) -> ResourceFilterForm:
    form = ResourceFilterForm(request.GET)
    form.is_valid()
    return form
