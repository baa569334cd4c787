"""A learner's progress actions (check off, self-checks, follow, weekly goals, milestones built, reviews,
bookmarks, notes, reset) and their own pages (bookmarks, notes, a track's Markdown checklist, the private
calendar feed). Every action is a POST with CSRF that redirects back (plumbing.actions); another learner's
objects are never found (404).
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from accounts.reminders import user_of_calendar_token
from learning.catalogue import queries as catalogue_queries
from learning.catalogue.models import Milestone, Resource, Topic, Track
from learning.progress import calendar, checklist, queries, services
from learning.progress.forms import (
    BookmarkNoteForm,
    ContinueForm,
    MilestoneForm,
    NoteSearchForm,
    ReadyTicksForm,
    ReviewAnswerForm,
    TopicNoteForm,
    TopicStatusForm,
    TrackGoalForm,
)
from learning.progress.models import TopicProgress, TopicReview
from learning.progress.state import learner_state, next_open_step
from plumbing import cache_tokens
from plumbing.actions import back, learner_action, refused, say
from plumbing.limits import limit_per_learner
from plumbing.page_cache import cached_page

STATUS_SAID = {
    TopicProgress.Status.DONE: "“{}” is done.",
    TopicProgress.Status.LEARNING: "You're learning “{}”.",
    TopicProgress.Status.SKIPPED: "“{}” is skipped.",
}


@learner_action
def topic_status(request, slug):
    topic, track = topic_and_track(request.user, slug, request.POST.get("track", ""))
    form = TopicStatusForm.posted_for(request.POST, topic)
    if not form.is_valid():
        return refused(request, form, topic)
    status = form.cleaned_data["status"]
    services.set_topic_status(user=request.user, topic=topic, status=status, following=track)
    said = STATUS_SAID.get(status, "“{}” is back to not started.").format(topic.title)
    if track is None:
        say(request, said, at="topic-status")
        return back(request, f"{topic.get_absolute_url()}#topic-status")
    say(request, said, at=f"node-{topic.slug}")
    return back(request, f"{track.get_absolute_url()}#node-{topic.slug}")


def topic_and_track(user, slug: str, track_slug: str) -> tuple[Topic, Track | None]:
    """The topic checked off (404 when the learner may not see it) and the track whose page the form came
    from, which must contain it (None when the form names none, or one that doesn't hold the topic).
    Checking off from a track's page follows that track and returns to its node. A published topic on a
    published track, as nearly every check-off is, comes from the catalogue's memos without a query;
    otherwise (a draft that staff see, a track that doesn't hold the topic) from the database."""
    found = catalogue_queries.published_step(track_slug, slug) if track_slug else None
    if found is not None:
        return found[1].topic, found[0]
    topic = get_object_or_404(Topic.objects.visible_to(user), slug=slug)
    # A form that names no track (the topic page's) needs no lookup: no track has an empty slug.
    if not track_slug:
        return topic, None
    return topic, Track.objects.visible_to(user).filter(slug=track_slug, steps__topic=topic).first()


@learner_action
def topic_done_next(request, slug):
    """“Done — next topic”: marks the topic done, follows the track, and goes on to the track's next step
    after this one that is neither done nor skipped, or back to the track's node when there is none."""
    form = ContinueForm(request.POST)
    named = form.cleaned_data["track"] if form.is_valid() else ""
    topic, track = topic_and_track(request.user, slug, named)
    if named and track is None:
        form.add_error("track", f"“{topic.title}” is not a step of that track.")
    if track is None:
        return refused(request, form, topic)
    services.set_topic_status(
        user=request.user, topic=topic, status=TopicProgress.Status.DONE, following=track
    )
    # The track's published steps in order, from the catalogue version's memo (as the dashboard's).
    steps = catalogue_queries.track_outline(track.pk).steps
    following = next_open_step(steps, learner_state(request.user), after_topic_id=topic.pk)
    if following is None:
        said = f"“{topic.title}” is done. Nothing left after it in {track.title}."
        say(request, said, at=f"node-{topic.slug}")
        return redirect(f"{track.get_absolute_url()}#node-{topic.slug}")
    say(request, f"“{topic.title}” is done.")  # the next topic opens at its top, where this shows
    return redirect(f"{following.topic.get_absolute_url()}?{urlencode({'track': track.slug})}")


@learner_action
def topic_review(request, slug):
    """The learner's answer to a topic due for review, from the dashboard's "Due for review", which it goes
    back to. Only their own review is found (another learner's, or a topic not done: 404)."""
    review = get_object_or_404(
        TopicReview.objects.select_related("topic").filter(
            user=request.user, topic__in=Topic.objects.visible_to(request.user)
        ),
        topic__slug=slug,
    )
    topic = review.topic
    form = ReviewAnswerForm(request.POST)
    if not form.is_valid():
        return refused(request, form, topic)
    answer, relearn = form.cleaned_data["answer"], form.cleaned_data["relearn"]
    if not services.answer_review(user=request.user, review=review, answer=answer, relearn=relearn):
        said = f"“{topic.title}” isn't due for review yet."
    elif relearn:
        said = f"“{topic.title}” is back to learning: its reviews start again when you finish it."
    else:
        said = f"“{topic.title}”: next review on {review.due:%-d %B}."
        said = f"Still solid. {said}" if answer == services.SOLID else f"Refresher noted. {said}"
    say(request, said, at="reviews")
    return redirect(f"{reverse('learning:dashboard')}#reviews")


@learner_action
def follow(request, slug):
    track = get_object_or_404(Track.objects.visible_to(request.user), slug=slug)
    if request.POST.get("action") == "unfollow":
        services.unfollow_track(user=request.user, track=track)
        say(request, f"You no longer follow {track.title}. Your progress on it is kept.")
    else:
        services.follow_track(user=request.user, track=track)
        say(request, f"You follow {track.title}: it leads your dashboard.")
    return back(request, track.get_absolute_url())


@learner_action
@limit_per_learner("goal")
def track_goal(request, slug):
    """Sets, changes (and follows the track) or, with `action=remove`, removes the learner's weekly goal."""
    track = get_object_or_404(Track.objects.visible_to(request.user), slug=slug)
    if request.POST.get("action") == "remove":
        removed = services.remove_track_goal(user=request.user, track=track)
        said = "Your weekly goal is removed." if removed else "You had no weekly goal on this track."
        say(request, said, at="weekly-goal")
        return back(request, f"{track.get_absolute_url()}#weekly-goal")
    form = TrackGoalForm(request.POST)
    if not form.is_valid():
        return refused(request, form, track)
    goal = services.set_track_goal(
        user=request.user,
        track=track,
        hours_per_week=form.cleaned_data["hours_per_week"],
        study_days=form.study_days_mask,
    )
    hours = goal.hours_per_week
    say(request, f"Your weekly goal: {hours} hour{'' if hours == 1 else 's'} a week.", at="weekly-goal")
    return back(request, f"{track.get_absolute_url()}#weekly-goal")


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
    done = form.cleaned_data["done"]
    services.set_milestone_done(user=request.user, milestone=milestone, done=done)
    said = "Built: “{}”. Well done." if done else "“{}” is marked as not built yet."
    say(request, said.format(milestone.title), at=f"milestone-{milestone.pk}")
    return back(request, f"{milestone.stage.track.get_absolute_url()}#milestone-{milestone.pk}")


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
    bookmark = queries.bookmark_of(request.user, pk)
    form = BookmarkNoteForm(request.POST)
    if not form.is_valid():
        return refused(request, form, bookmark.resource)
    services.update_bookmark_note(bookmark=bookmark, note=form.cleaned_data["note"])
    say(request, f"Saved your note on “{bookmark.resource.title}”.", at=f"bookmark-item-{bookmark.pk}")
    return back(request, reverse("learning:bookmarks"))


@learner_action
@limit_per_learner("note")
def topic_note(request, slug):
    """Saves the learner's notes on a topic ("My notes" on its page); emptied, they are deleted."""
    topic = get_object_or_404(Topic.objects.visible_to(request.user), slug=slug)
    form = TopicNoteForm(request.POST)
    if not form.is_valid():
        return refused(request, form, topic)
    try:
        note = services.save_topic_note(user=request.user, topic=topic, text=form.cleaned_data["text"])
    except ValidationError as error:
        form.add_error("text", error.message_dict["text"])
        return refused(request, form, topic)
    say(request, "Saved your notes." if note else "Your notes on this topic are deleted.", at="my-notes")
    return back(request, f"{topic.get_absolute_url()}#my-notes")


@learner_action
def topic_ready(request, slug):
    """Saves which of the topic's "You're ready when" checks the learner ticked (the form's `check` ids
    replace their ticks on this topic); an id of another topic's check, or no check at all, refuses it all."""
    topic = get_object_or_404(Topic.objects.visible_to(request.user), slug=slug)
    form = ReadyTicksForm(request.POST, topic=topic)
    if not form.is_valid():
        return refused(request, form, topic)
    ticked = {check.pk for check in form.cleaned_data["check"]}
    services.set_ready_ticks(user=request.user, topic=topic, check_ids=ticked)
    total = topic.ready_checks.count()
    say(request, f"Saved: {len(ticked)} of {total} ticked.", at="ready")
    return back(request, f"{topic.get_absolute_url()}#ready")


@login_required
@cache_control(private=True)
def notes(request):
    """The learner's notes on every topic, newest first, searchable by their words and the topic's title."""
    form = NoteSearchForm(request.GET)
    words = form.cleaned_data["q"] if form.is_valid() else ""
    page = queries.notes_of(request.user, words=words, page_number=request.GET.get("page"))
    return render(request, "learning/notes.html", {"form": form, "page": page, "words": words})


@login_required
def reset_track(request, slug):
    track = get_object_or_404(Track.objects.visible_to(request.user), slug=slug)
    if request.method == "POST":
        services.reset_track_progress(user=request.user, track=track)
        say(request, f"Your progress on {track.title} was reset.")  # the track opens at its top
        return redirect(track)
    shared = (
        Topic.objects.filter(steps__track=track, progress__user=request.user)
        .filter(steps__track__in=Track.objects.published().exclude(pk=track.pk))
        .distinct()
        .order_by("title")
    )
    return render(request, "learning/reset_track.html", {"track": track, "shared_topics": shared})


@login_required
@cached_page(cache_tokens.CATALOGUE, cache_tokens.STATS)
def bookmarks(request):
    page, groups = queries.bookmarks_by_topic(request.user, request.GET.get("page"))
    context = {"page": page, "groups": groups, "note_form": BookmarkNoteForm()}
    return render(request, "learning/bookmarks.html", context)


@cache_control(private=True)
def track_markdown(request, slug):
    track = checklist.track_for_export(request.user, slug)
    document = checklist.track_markdown(
        track,
        state=learner_state(request.user),
        absolute=request.build_absolute_uri,
        with_progress=request.user.is_authenticated,
        notes=queries.notes_by_topic(request.user),
        ticks=queries.ready_ticks_of(request.user),
    )
    response = HttpResponse(document, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{track.slug}.md"'
    return response


@require_safe
@cache_control(private=True, no_cache=True)
def calendar_feed(request, token):
    """The learner's study sessions as an .ics feed, without logging in: the secret token in the address is
    the key (reset or turned off on /me/profile/, after which the old address is 404)."""
    learner = user_of_calendar_token(token)
    if learner is None:
        raise Http404("No calendar feed at this address.")
    document = calendar.study_calendar(learner, absolute=request.build_absolute_uri)
    response = HttpResponse(document, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="study-sessions.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response
