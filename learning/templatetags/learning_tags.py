from django import template
from django.utils.safestring import mark_safe

from plumbing.markdown import render_inline_markdown, render_markdown

register = template.Library()


@register.filter
def markdown(text, below=0):
    """Curated or learner Markdown as sanitised HTML; `below`: the level of the heading it sits under."""
    return mark_safe(render_markdown(text, below=int(below)))  # noqa: S308 - sanitised by nh3


@register.filter
def inline_markdown(text):
    """A short curated text (a "You're ready when" check) with its inline `code` and emphasis, sanitised."""
    return mark_safe(render_inline_markdown(text))  # noqa: S308 - sanitised by nh3


@register.filter
def lead(text):
    """The first paragraph of Markdown text, rendered: a milestone's brief where the track lists it (its
    page has the whole brief)."""
    first = (text or "").strip().split("\n\n", 1)[0]
    return mark_safe(render_markdown(first))  # noqa: S308 - sanitised by nh3


@register.filter
def duration(minutes):
    """120 → "2 h", 90 → "1 h 30 min", 45 → "45 min"."""
    if not minutes:
        return ""
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (None removes one); keeps filters in links."""
    params = context["request"].GET.copy()
    for name, value in changes.items():
        params.pop(name, None)
        if value not in (None, ""):
            params[name] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def stars(value):
    """3.6 → "★★★★☆": whole stars, rounded, out of five (for display next to a spoken label)."""
    if value is None:
        return ""
    filled = max(0, min(5, round(float(value))))
    return "★" * filled + "☆" * (5 - filled)
