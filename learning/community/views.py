"""What learners write: rating and reviewing a resource (on its page, which shows the reviews), suggesting
a resource for a topic, and reporting a review.

Each is a POST form with CSRF that redirects back with a message; a refusal re-shows the form with what was
wrong (400, or 429 past a limit) and stores nothing. A visitor is sent to log in.
"""

import math

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from learning.catalogue import queries as catalogue_queries
from learning.catalogue.models import Resource, Topic
from learning.community import queries, services
from learning.community.forms import RatingForm, ReviewFlagForm, SuggestionForm
from learning.progress.queries import bookmarked_read
from plumbing import cache_tokens, overlay
from plumbing.actions import back, learner_action, refused, safe_next, say
from plumbing.limits import limit_per_learner
from plumbing.page_cache import cached_page
from plumbing.sql import read_together


@cached_page(cache_tokens.CATALOGUE, cache_tokens.STATS, learners=False)
def resource_detail(request, pk):
    return resource_page(request, pk)


def resource_page(request, pk, *, rating_form=None, status=200):
    """The resource page; the rating view re-shows it with its bound form when the input was refused.

    What everyone sees (the resource, its ratings, the page of reviews asked for) is read and rendered with
    slots once per catalogue and stats version and kept in this process's memo (catalogue_queries.memoised);
    per request come the learner's own bits: their bookmark, their rating, the report buttons on others'
    reviews, the CSRF token, the query string and messages."""
    user = request.user
    reviews_page = page_number(request.GET.get("reviews"))
    page = catalogue_queries.memoised(
        request,
        "resource",
        pk,
        reviews_page,
        build=lambda: queries.resource_page(user, pk, reviews_page=reviews_page),
    )
    resource = page.resource
    own, bookmarked = None, False
    if user.is_authenticated:
        # Their rating and whether they bookmarked it: one round trip on PostgreSQL.
        own, bookmarked = read_together(
            queries.own_rating_read(user, resource.pk), bookmarked_read(user, resource.pk)
        )

    def render_shared():
        context = {
            "resource": resource,
            "tags": page.tags,
            "topics": page.topics,
            "summary": page.summary,
            "reviews": page.reviews,
        }
        shared = overlay.Shared.for_request("learning/resource_main.html", request, context)
        if user.is_authenticated:
            # The parts a learner's page asks for unless they bookmarked or rated it (most haven't) are
            # rendered with it, so the shared copy has them: otherwise each process renders them for itself.
            bookmark_button(shared, False)
            blank_rate_panel(shared)
            for rating in page.reviews:
                report_button_part(shared, rating)
        return shared

    html = catalogue_queries.memoised(
        request,
        "resource-page",
        request.path,
        pk,
        page.reviews.number,
        user.is_authenticated,
        build=render_shared,
    )

    def rate_panel(key):
        if own is None and rating_form is None:
            return blank_rate_panel(html)
        # The learner's own rating, or the form they sent: theirs alone, rendered for this request only.
        form = rating_form or RatingForm(initial={"stars": own.stars, "review": own.review})  # type: ignore[union-attr]
        context = html.context | {"own_rating": own, "rating_form": form}
        return overlay.Overlay.of(render_to_string("includes/rate_panel.html", context))

    def report_button(key):
        rating = page.reviews_by_id[int(key)]
        if rating.user_id == user.pk:
            return None
        return report_button_part(html, rating)

    def reviews_link(number):
        # As {% query_with reviews=number %}: the query string as given, the page of reviews last.
        params = request.GET.copy()
        params.pop("reviews", None)
        params["reviews"] = number
        return f"?{params.urlencode()}"

    fillers = {
        "bookmark": lambda key: bookmark_button(html, bookmarked),
        "own": lambda key: own_notice(own),
        "rate": rate_panel,
        "report": report_button,
        "reviews-page": reviews_link,
    }
    context = {
        # What the page shows (the frame renders only the head; the rest is in the shared HTML and its parts).
        "resource": resource,
        "summary": page.summary,
        "reviews": page.reviews,
        "own_rating": own,
        "rating_form": rating_form,
        "bookmarked": bookmarked,
        "main": html.main,
        "fillers": fillers,
    }
    return render(request, "learning/resource_detail.html", context, status=status)


def bookmark_button(html: overlay.Shared, on: bool) -> overlay.Overlay:
    return html.part(("bookmark", on), "includes/bookmark_form.html", is_bookmarked=on)


def blank_rate_panel(html: overlay.Shared) -> overlay.Overlay:
    """The rating panel of a learner who hasn't rated the resource."""
    return html.part("rate", "includes/rate_panel.html", own_rating=None, rating_form=RatingForm())


def report_button_part(html: overlay.Shared, rating) -> overlay.Overlay:
    """The report button under another learner's review."""
    return html.part(("report", rating.pk), "includes/report_form.html", rating=rating)


def page_number(given) -> int:
    """A page number as Paginator.get_page reads it before knowing the count (not a number: the first)."""
    try:
        return int(given)
    except (TypeError, ValueError):
        return 1


def own_notice(own):
    """The notice a learner whose rating a moderator hid gets (theirs alone: rendered for this request)."""
    if own is None or not own.is_hidden:
        return None
    return render_to_string("includes/hidden_review_notice.html", {"own_rating": own})


@learner_action
@limit_per_learner("rating")
def rate(request, pk):
    resource = get_object_or_404(Resource.objects.visible_to(request.user), pk=pk)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return resource_page(request, resource.pk, rating_form=form, status=400)
    services.rate_resource(user=request.user, resource=resource, **form.cleaned_data)
    say(request, "Thanks: your rating is saved.", at="rate")
    return back(request, resource.get_absolute_url())


@learner_action
@limit_per_learner("rating")
def delete_rating(request, pk):
    resource = get_object_or_404(Resource.objects.visible_to(request.user), pk=pk)
    services.delete_rating(user=request.user, resource=resource)
    say(request, "Your rating was removed.", at="rate")
    return back(request, resource.get_absolute_url())


@require_http_methods(["GET", "POST"])
@limit_per_learner("suggestion")
def suggest_resource(request, slug):
    """GET: the form on a page of its own. POST: queue the suggestion, or re-show the form saying why not."""
    if not request.user.is_authenticated:
        return redirect_to_login(safe_next(request, request.path))
    topic = get_object_or_404(Topic.objects.visible_to(request.user), slug=slug)
    if request.method == "GET":
        return suggestion_page(request, topic, SuggestionForm())
    form = SuggestionForm(request.POST)
    if not form.is_valid():
        return suggestion_page(request, topic, form, status=400)
    try:
        services.suggest_resource(user=request.user, topic=topic, **form.cleaned_data)
    except services.SuggestionLimitReached as error:
        form.add_error(None, error)
        response = suggestion_page(request, topic, form, status=429)
        response["Retry-After"] = str(math.ceil((error.retry_at - timezone.now()).total_seconds()))
        return response
    except ValidationError as error:
        form.add_error(None, error)
        return suggestion_page(request, topic, form, listed=getattr(error, "resource", None), status=400)
    say(request, "Thanks — a curator will review it. Your dashboard shows how it goes.", at="suggest")
    return back(request, topic.get_absolute_url())


def suggestion_page(request, topic, form, *, listed=None, status=200):
    context = {"topic": topic, "form": form, "listed": listed}
    return render(request, "learning/suggest_resource.html", context, status=status)


@learner_action
@limit_per_learner("report")
def flag_review(request, pk):
    """Reports a review shown on a resource page; hidden reviews and unknown ids answer 404."""
    rating = queries.reportable_review(request.user, pk)
    form = ReviewFlagForm(request.POST)
    if form.is_valid():
        try:
            services.flag_review(user=request.user, rating=rating, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            say(request, "Thanks — a moderator will look at it.", at=f"review-{rating.pk}")
            return back(request, f"{rating.resource.get_absolute_url()}#review-{rating.pk}")
    return refused(request, form, rating.resource)
