"""Public catalogue pages. Views stay thin: the reads live in learning.queries."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from learning import queries
from learning.forms import ResourceFilterForm

RESOURCES_PER_PAGE = 24


def home(request):
    context = {"tracks": queries.tracks_for_list(request.user), "counts": queries.catalogue_counts()}
    return render(request, "learning/home.html", context)


def track_list(request):
    return render(request, "learning/track_list.html", {"tracks": queries.tracks_for_list(request.user)})


def track_detail(request, slug):
    track = queries.track_for_roadmap(request.user, slug)
    stages = list(track.stages.all())
    return render(
        request,
        "learning/track_detail.html",
        {"track": track, "stages": stages, "step_count": sum(len(stage.steps.all()) for stage in stages)},
    )


def topic_detail(request, slug):
    topic = queries.topic_for_page(request.user, slug)
    return render(request, "learning/topic_detail.html", {"topic": topic})


def resource_list(request):
    form = ResourceFilterForm(request.GET)
    form.is_valid()
    resources = queries.resources_for_list(request.user, **form.filters())
    page = Paginator(resources, RESOURCES_PER_PAGE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "ignored": form.ignored(), "tags": queries.tags_in_use()}
    return render(request, "learning/resource_list.html", context)


def resource_detail(request, pk):
    resource = queries.resource_for_page(request.user, pk)
    return render(request, "learning/resource_detail.html", {"resource": resource})


def tag_list(request):
    return render(request, "learning/tag_list.html", {"tags": queries.tags_in_use()})


def tag_detail(request, slug):
    context = queries.tag_for_page(request.user, slug)
    if context is None:
        raise Http404("Nothing is tagged so.")
    return render(request, "learning/tag_detail.html", context)
