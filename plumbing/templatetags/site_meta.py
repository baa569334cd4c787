"""Tags for the page's frame: absolute URLs for canonical links and OpenGraph, and the links every page
prints (header, footer) from this process's copy."""

from django import template

from plumbing.urls import reversed_url

register = template.Library()


@register.simple_tag(takes_context=True)
def absolute_url(context, path):
    """`path` as an absolute URL on the host the request came to (no query string: give a path)."""
    request = context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


@register.simple_tag
def link(viewname, **kwargs):
    """`{% url %}` for a link printed on every page (`{% link "learning:home" %}`, `... as name`): the same
    path, reversed once per process (plumbing.urls), so it takes keyword arguments only."""
    return reversed_url(viewname, **kwargs)
