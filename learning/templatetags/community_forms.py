"""The suggestion and report forms, rendered where the page's view has no form for them (no queries)."""

from django import template
from django.conf import settings

from learning.community.forms import SuggestionForm, report_form_for

register = template.Library()


@register.inclusion_tag("includes/suggestion_form.html")
def suggestion_form(topic, form=None, listed=None):
    """The form suggesting a resource for `topic`: blank, or bound with the errors of a refused try."""
    return {
        "topic": topic,
        "form": SuggestionForm() if form is None else form,
        "listed": listed,
        "per_day": settings.SUGGESTIONS_PER_DAY,
    }


@register.inclusion_tag("includes/report_form.html", takes_context=True)
def report_form(context, rating):
    """The "Report" control of one review; field ids carry the review's id, as a page lists several."""
    return {
        "rating": rating,
        "form": report_form_for(rating),
        "request": context["request"],
    }
