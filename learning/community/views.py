"""What learners write: rating and reviewing a resource (on its page, which shows the reviews), suggesting
a resource for a topic, and reporting a review.

Each is a POST form with CSRF that redirects back with a message; a refusal re-shows the form with what was
wrong (400, or 429 past a limit) and stores nothing. A visitor is sent to log in.
"""

import math

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from learning.catalogue import queries as catalogue_queries
from learning.catalogue.models import Resource, Topic
from learning.community import queries, services
from learning.community.forms import RatingForm, ReviewFlagForm, SuggestionForm
from learning.progress.queries import bookmarked_ids
from plumbing import cache_tokens
from plumbing.actions import back, learner_action, refused, safe_next, say
from plumbing.limits import limit_per_learner
from plumbing.page_cache import cached_page

REVIEWS_PER_PAGE = 10


@cached_page(cache_tokens.CATALOGUE, cache_tokens.STATS)
def resource_detail(request, pk):
    return resource_page(request, catalogue_queries.resource_for_page(request.user, pk))


def resource_page(request, resource, *, rating_form=None, status=200):
    """The resource page; the rating view re-shows it with its bound form when the input was refused."""
    own = queries.own_rating(request.user, resource)
    if rating_form is None:
        initial = {"stars": own.stars, "review": own.review} if own else None
        rating_form = RatingForm(initial=initial)
    reviews = Paginator(queries.reviews_of(resource), REVIEWS_PER_PAGE).get_page(request.GET.get("reviews"))
    context = {
        "resource": resource,
        "summary": queries.rating_summary(resource),
        "reviews": reviews,
        "own_rating": own,
        "rating_form": rating_form,
        "bookmarked": bool(bookmarked_ids(request.user, [resource.pk])),
    }
    return render(request, "learning/resource_detail.html", context, status=status)


@learner_action
@limit_per_learner("rating")
def rate(request, pk):
    resource = get_object_or_404(Resource.objects.visible_to(request.user), pk=pk)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return resource_page(request, resource, rating_form=form, status=400)
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
