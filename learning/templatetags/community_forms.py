"""The suggestion and report forms, rendered where the page's view has no form for them (no queries)."""

from functools import cache

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from learning.community.forms import ReviewFlagForm, SuggestionForm

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


@cache
def _blank_suggestion_fields(per_day: int) -> str:
    return render_to_string(
        "includes/suggestion_fields.html", {"form": SuggestionForm(), "listed": None, "per_day": per_day}
    )


@register.simple_tag
def blank_suggestion_fields(per_day: int) -> SafeString:
    """A blank suggestion form's fields, the same for every topic, rendered once per process: through
    Django's widget templates they took a third of a learner's topic page's render (7 of 23 ms)."""
    return mark_safe(_blank_suggestion_fields(per_day))  # noqa: S308 - a template's output


@register.inclusion_tag("includes/report_form.html", takes_context=True)
def report_form(context, rating):
    """The "Report" control of one review; field ids carry the review's id, as a page lists several."""
    return {"rating": rating, "request": context["request"]}


PREFIX = "@prefix@"  # no field id has it: stands for each control's prefix in the fields rendered once


@cache
def blank_report_fields() -> str:
    """The fields of a blank report form, rendered once per process: a page of projects has a report
    control for each project and each piece of feedback, and Django's widgets cost about 0.3 ms a form."""
    return render_to_string(
        "includes/report_fields.html", {"form": ReviewFlagForm(auto_id=f"id_report_{PREFIX}_%s")}
    )


@register.simple_tag
def report_fields(prefix) -> SafeString:
    """A blank report form's fields whose ids carry `prefix` (unique on the page)."""
    return mark_safe(blank_report_fields().replace(PREFIX, escape(str(prefix))))  # noqa: S308 - escaped
