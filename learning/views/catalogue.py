"""Public catalogue pages, with the learner's own state on them when logged in. Reads live in queries."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from learning import learner_queries, queries, versions
from learning.forms import RatingForm, ResourceFilterForm
from learning.page_cache import cached_page
from learning.progress import learner_state, track_progress
from learning.services import NOT_STARTED, STATUS_CHOICES

RESOURCES_PER_PAGE = 24
REVIEWS_PER_PAGE = 10


@cached_page(versions.CATALOGUE)
def home(request):
    tracks = list(queries.tracks_for_list(request.user))
    context = {"tracks": tracks, "counts": queries.catalogue_counts()}
    if request.user.is_authenticated:
        progress = learner_queries.progress_by_track(tracks, learner_state(request.user))
        context["continue_with"] = [
            (track, progress[track.pk]) for track in tracks if progress[track.pk].started
        ]
    return render(request, "learning/home.html", context)


@cached_page(versions.CATALOGUE)
def track_list(request):
    return render(request, "learning/track_list.html", {"tracks": queries.tracks_for_list(request.user)})


@cached_page(versions.CATALOGUE)
def track_detail(request, slug):
    track = queries.track_for_roadmap(request.user, slug)
    state = learner_state(request.user)
    stages = list(track.stages.all())
    steps = [step for stage in stages for step in stage.steps.all()]
    milestones = [milestone for stage in stages for milestone in stage.milestones.all()]
    for step in steps:
        step.status = state.status_of(step.topic_id) or NOT_STARTED
    for milestone in milestones:
        milestone.done = milestone.pk in state.milestones_done
    context = {
        "track": track,
        "stages": stages,
        "step_count": len(steps),
        "progress": track_progress(steps, milestones, state),
        "status_choices": STATUS_CHOICES,
        "following": learner_queries.follows(request.user, track),
    }
    return render(request, "learning/track_detail.html", context)


@cached_page(versions.CATALOGUE, versions.STATS)
def topic_detail(request, slug):
    form = filter_form(request)
    topic = queries.topic_for_page(
        request.user, slug, prior_mean=learner_queries.site_mean_rating(), filters=form.filters()
    )
    context = {
        "topic": topic,
        "status": learner_state(request.user).status_of(topic.pk) or NOT_STARTED,
        "status_choices": STATUS_CHOICES,
        "bookmarked": learner_queries.bookmarked_ids(request.user, [r.pk for r in topic.ranked_resources]),
        "form": form,
        "ignored": form.ignored(),
        "tags": queries.resource_tags(request.user, topic=topic),
        "related": queries.related_topics(request.user, topic),
    }
    return render(request, "learning/topic_detail.html", context)


@cached_page(versions.CATALOGUE, versions.STATS)
def resource_list(request):
    form = filter_form(request)
    resources = queries.resources_for_list(
        request.user, prior_mean=learner_queries.site_mean_rating(), **form.filters()
    )
    page = Paginator(resources, RESOURCES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "ignored": form.ignored(),
        "tags": queries.resource_tags(request.user),
    }
    return render(request, "learning/resource_list.html", context)


def filter_form(request) -> ResourceFilterForm:
    form = ResourceFilterForm(request.GET)
    form.is_valid()
    return form


@cached_page(versions.CATALOGUE, versions.STATS)
def resource_detail(request, pk):
    return resource_page(request, queries.resource_for_page(request.user, pk))


def resource_page(request, resource, *, rating_form=None, status=200):
    """The resource page; the rating view re-shows it with its bound form when the input was refused."""
    own = learner_queries.own_rating(request.user, resource)
    if rating_form is None:
        initial = {"stars": own.stars, "review": own.review} if own else None
        rating_form = RatingForm(initial=initial)
    reviews = Paginator(learner_queries.reviews_of(resource), REVIEWS_PER_PAGE).get_page(
        request.GET.get("reviews")
    )
    context = {
        "resource": resource,
        "summary": learner_queries.rating_summary(resource),
        "reviews": reviews,
        "own_rating": own,
        "rating_form": rating_form,
        "bookmarked": bool(learner_queries.bookmarked_ids(request.user, [resource.pk])),
    }
    return render(request, "learning/resource_detail.html", context, status=status)


@cached_page(versions.CATALOGUE)
def tag_list(request):
    return render(request, "learning/tag_list.html", {"tags": queries.tags_in_use()})


@cached_page(versions.CATALOGUE, versions.STATS)
def tag_detail(request, slug):
    context = queries.tag_for_page(request.user, slug)
    if context is None:
        raise Http404("Nothing is tagged so.")
    return render(request, "learning/tag_detail.html", context)
