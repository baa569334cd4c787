"""Pages that show several rooms at once: the catalogue with the learner's progress over it and the
community's ratings in its order. Each view only calls the rooms' reads and renders."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from learning.catalogue import fragments, listing, queries
from learning.catalogue.forms import ResourceFilterForm
from learning.community.queries import rating_count_of, suggestions_of
from learning.pages.track import fillers, track_skeleton
from learning.progress import queries as progress_queries
from learning.progress.services import NOT_STARTED, STATUS_CHOICES
from learning.progress.state import learner_state, next_open_step, track_progress
from plumbing import cache_tokens
from plumbing.page_cache import cached_page


@cached_page(cache_tokens.CATALOGUE)
def home(request):
    # The cards and counts are the catalogue's, rendered once per version; the learner's part is theirs.
    cards = fragments.track_cards(request)
    context = {"tracks": cards.tracks, "cards": cards, "counts": fragments.catalogue_counts(request)}
    if request.user.is_authenticated:
        # Continue means followed: tracks that only share a done topic don't crowd the learner's way back.
        followed = progress_queries.followed_track_ids(request.user)
        following = [track for track in cards.tracks if track.pk in followed]
        if following:
            progress = progress_queries.progress_by_track(following, learner_state(request.user))
            context["continue_with"] = [(track, progress[track.pk]) for track in following]
    return render(request, "learning/home.html", context)


@cached_page(cache_tokens.CATALOGUE)
def track_detail(request, slug):
    skeleton = track_skeleton(request, slug)
    state = learner_state(request.user)
    progress = track_progress(skeleton.steps, skeleton.milestones, state)
    context = {
        "track": skeleton.track,
        "stages": skeleton.stages,
        "topic_count": len(skeleton.steps),
        "milestone_count": len(skeleton.milestones),
        "progress": progress,
        "following": progress_queries.follows(request.user, skeleton.track),
        "map": skeleton.map,
        "roadmap": skeleton.roadmap,
        "intro": skeleton.intro,
        "fillers": fillers(state, progress),
    }
    return render(request, "learning/track_detail.html", context)


@cached_page(cache_tokens.CATALOGUE, cache_tokens.STATS)
def topic_detail(request, slug):
    form = filter_form(request)
    topic = queries.topic_for_page(request.user, slug)
    state = learner_state(request.user)
    # The track this topic is walked in (?track=, else the learner's first followed one): its neighbours,
    # and its stack, whose resources the page lists first.
    path = progress_queries.topic_path(request.user, topic, request.GET.get("track", ""))
    queries.rank_topic_resources(
        request.user,
        topic,
        prior_mean=queries.site_mean_rating(),
        filters=form.filters(),
        stack_context=path.track.stack if path else "",
    )
    context = {
        "topic": topic,
        "path": path,
        # The breadcrumb's track and stage: the walked track's, else the first the topic is in.
        "crumb": path.placement if path else next(iter(topic.placements), None),
        # Where "Done — next topic" goes: the next step after this one not done or skipped (None: the track).
        "continue_with": next_open_step(path.steps, state, after_topic_id=topic.pk) if path else None,
        "status": state.status_of(topic.pk) or NOT_STARTED,
        "status_choices": STATUS_CHOICES,
        "bookmarked": progress_queries.bookmarked_ids(request.user, [r.pk for r in topic.ranked_resources]),
        "form": form,
        "ignored": form.ignored(),
        "tags": queries.resource_tags(request.user, topic=topic),
        "related": queries.related_topics(request.user, topic),
    }
    return render(request, "learning/topic_detail.html", context)


@cached_page(cache_tokens.CATALOGUE, cache_tokens.STATS)
def resource_list(request):
    form = filter_form(request)
    resources = listing.resources_for_list(request, prior_mean=queries.site_mean_rating(), **form.filters())
    page = Paginator(resources, queries.RESOURCES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "ignored": form.ignored(),
        "tags": listing.resource_tags(request),
    }
    return render(request, "learning/resource_list.html", context)


def filter_form(request) -> ResourceFilterForm:
    form = ResourceFilterForm(request.GET)
    form.is_valid()
    return form


@login_required
@cached_page(cache_tokens.CATALOGUE)
def dashboard(request):
    context = {
        "dashboard": progress_queries.dashboard_for(request.user),
        "rating_count": rating_count_of(request.user),
        "suggestions": suggestions_of(request.user),
    }
    return render(request, "learning/dashboard.html", context)
