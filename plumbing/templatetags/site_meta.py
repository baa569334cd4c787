"""Tags for the page's frame: the header (rendered once per process for each audience and part of the
site), absolute URLs for canonical links and OpenGraph, and the links every page prints (header, footer) from
this process's copy."""

from django import template
from django.conf import settings
from django.template.loader import render_to_string

from plumbing import overlay
from plumbing.templatetags.overlay import fill
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


# The parts of the site the header tells apart: a path's first segment, or the whole path.
SECTIONS = frozenset({"tracks", "resources", "tags", "accounts"})
PAGES = {
    "learning:dashboard": "dashboard",
    "learning:bookmarks": "bookmarks",
    "learning:search": "search",
    "account_login": "login",
}


def nav_here(path: str) -> str:
    """The part of the site `path` is in, as the header shows it: "tracks", "resources", "tags" (the
    links marked current), "dashboard", "bookmarks", "login", "accounts" (the other account pages: the login
    link doesn't come back to them), "search" (no search field in the header), or "" for anywhere else."""
    for viewname, name in PAGES.items():
        if path == reversed_url(viewname):
            return name
    segment = path.split("/")[1] if path.startswith("/") else ""
    return segment if segment in SECTIONS else ""


@register.simple_tag(takes_context=True)
def site_header(context):
    """The header, rendered once per process for each audience and `nav_here` (about 20 variants) and kept
    in the memo; this request's CSRF token (the logout form) and return path (the login link's `next`) are
    slots. Through templates it cost about a millisecond of every page."""
    request = context["request"]
    authenticated = context["user"].is_authenticated
    here = nav_here(request.path)

    def render():
        shared = overlay.shared_context("", authenticated=authenticated)
        html = render_to_string(
            "includes/site_header.html", shared | {"here": here, "SITE_NAME": settings.SITE_NAME}
        )
        return overlay.Overlay.of(html)

    header = overlay.memo(("site-header", here, authenticated), render)
    return fill(context, header)  # the request's slots, as every shared fragment's are filled
