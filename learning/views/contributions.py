"""Learners helping the curators: suggesting a resource for a topic, and reporting a review.

Both are POST forms with CSRF that redirect back with a message; a refusal re-shows the form with what was
wrong (400, or 429 past the daily limit of suggestions) and stores nothing. A visitor is sent to log in.
"""

import math

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from learning import learner_queries, services
from learning.forms import ReviewFlagForm, SuggestionForm
from learning.limits import limit_per_learner
from learning.models import Topic
from learning.views.learner import back, learner_action, refused, safe_next


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
    messages.success(request, "Thanks — a curator will review it. Your dashboard shows how it goes.")
    return back(request, topic.get_absolute_url())


def suggestion_page(request, topic, form, *, listed=None, status=200):
    context = {"topic": topic, "form": form, "listed": listed}
    return render(request, "learning/suggest_resource.html", context, status=status)


@learner_action
@limit_per_learner("report")
def flag_review(request, pk):
    """Reports a review shown on a resource page; hidden reviews and unknown ids answer 404."""
    rating = learner_queries.reportable_review(request.user, pk)
    form = ReviewFlagForm(request.POST)
    if form.is_valid():
        try:
            services.flag_review(user=request.user, rating=rating, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Thanks — a moderator will look at it.")
            return back(request, f"{rating.resource.get_absolute_url()}#review-{rating.pk}")
    return refused(request, form, rating.resource)
