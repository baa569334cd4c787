"""Tags for the page's <head>: absolute URLs for canonical links and OpenGraph."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def absolute_url(context, path):
    """`path` as an absolute URL on the host the request came to (no query string: give a path)."""
    request = context.get("request")
    return request.build_absolute_uri(path) if request is not None else path
