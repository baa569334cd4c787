"""Learner actions (check off, bookmark, rate, reset) and the learner's own pages.

Every action is a POST form with CSRF that redirects back to the page it came from; with JavaScript, htmx
follows the same redirect and swaps in the parts that changed. A visitor's POST goes to the login page
and stores nothing; another learner's objects are never found (404).
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from learning import learner_queries, services, versions
from learning.forms import BookmarkNoteForm, MilestoneForm, RatingForm, TopicStatusForm
from learning.limits import limit_per_learner
from learning.models import Milestone, Resource, Topic, Track
from learning.page_cache import cached_page
from learning.views.catalogue import resource_page


def safe_next(request, fallback: str) -> str:
    """The `next` the form carried if it stays on this site, else the fallback."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


def learner_action(view):
    """POST only; a visitor is sent to log in and comes back to the page the form was on."""

    @require_POST
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(safe_next(request, request.path))
        return view(request, *args, **kwargs)

    return wrapper


def back(request, fallback: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(safe_next(request, fallback))


def refused(request, form, what):
    """The designed 400 page naming what could not be saved and why; nothing was stored."""
    return render(request, "learning/action_refused.html", {"form": form, "what": what}, status=400)


@learner_action
def topic_status(request, slug):
    topic = get_object_or_404(Topic.objects.visible_to(request.user), slug=slug)
    form = TopicStatusForm(request.POST)
    if not form.is_valid():
        return refused(request, form, topic)
    services.set_topic_status(user=request.user, topic=topic, status=form.cleaned_data["status"])
    # Checking off from a track's page follows that track (the form names it) and returns to its node.
    track = (
        Track.objects.visible_to(request.user)
        .filter(slug=request.POST.get("track", ""), steps__topic=topic)
        .first()
    )
    if track is None:
        return back(request, f"{topic.get_absolute_url()}#topic-status")
    services.follow_track(user=request.user, track=track)
    return back(request, f"{track.get_absolute_url()}#node-{topic.slug}")


@learner_action
def follow(request, slug):
    track = get_object_or_404(Track.objects.visible_to(request.user), slug=slug)
    if request.POST.get("action") == "unfollow":
        services.unfollow_track(user=request.user, track=track)
    else:
        services.follow_track(user=request.user, track=track)
    return back(request, track.get_absolute_url())


@learner_action
def milestone_done(request, pk):
    milestone = get_object_or_404(
        Milestone.objects.select_related("stage__track").filter(
            stage__track__in=Track.objects.visible_to(request.user)
        ),
        pk=pk,
    )
    form = MilestoneForm(request.POST)
    if not form.is_valid():
        return refused(request, form, milestone)
    services.set_milestone_done(user=request.user, milestone=milestone, done=form.cleaned_data["done"])
    return back(request, milestone.stage.track.get_absolute_url())


@learner_action
def bookmark(request, pk):
    resource = get_object_or_404(Resource.objects.visible_to(request.user), pk=pk)
    if request.POST.get("action") == "remove":
        services.remove_bookmark(user=request.user, resource=resource)
    else:
        services.add_bookmark(user=request.user, resource=resource)
    return back(request, resource.get_absolute_url())


@learner_action
@limit_per_learner("note")
def bookmark_note(request, pk):
    bookmark = learner_queries.bookmark_of(request.user, pk)
    form = BookmarkNoteForm(request.POST)
    if not form.is_valid():
        return refused(request, form, bookmark.resource)
    services.update_bookmark_note(bookmark=bookmark, note=form.cleaned_data["note"])
    messages.success(request, f"Saved your note on “{bookmark.resource.title}”.")
    return back(request, reverse("learning:bookmarks"))


@login_required
def reset_track(request, slug):
    track = get_object_or_404(Track.objects.visible_to(request.user), slug=slug)
    if request.method == "POST":
        services.reset_track_progress(user=request.user, track=track)
        messages.success(request, f"Your progress on {track.title} was reset.")
        return redirect(track)
    shared = (
        Topic.objects.filter(steps__track=track, progress__user=request.user)
        .filter(steps__track__in=Track.objects.published().exclude(pk=track.pk))
        .distinct()
        .order_by("title")
    )
    return render(request, "learning/reset_track.html", {"track": track, "shared_topics": shared})


@login_required
@cached_page(versions.CATALOGUE)
def dashboard(request):
    context = {
        "dashboard": learner_queries.dashboard_for(request.user),
        "suggestions": learner_queries.suggestions_of(request.user),
    }
    return render(request, "learning/dashboard.html", context)


@login_required
@cached_page(versions.CATALOGUE, versions.STATS)
def bookmarks(request):
    groups = learner_queries.bookmarks_by_topic(request.user)
    return render(request, "learning/bookmarks.html", {"groups": groups, "note_form": BookmarkNoteForm()})


@learner_action
@limit_per_learner("rating")
def rate(request, pk):
    resource = get_object_or_404(Resource.objects.visible_to(request.user), pk=pk)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return resource_page(request, resource, rating_form=form, status=400)
    services.rate_resource(user=request.user, resource=resource, **form.cleaned_data)
    messages.success(request, "Thanks: your rating is saved.")
    return back(request, resource.get_absolute_url())


@learner_action
@limit_per_learner("rating")
def delete_rating(request, pk):
    resource = get_object_or_404(Resource.objects.visible_to(request.user), pk=pk)
    services.delete_rating(user=request.user, resource=resource)
    messages.success(request, "Your rating was removed.")
    return back(request, resource.get_absolute_url())
