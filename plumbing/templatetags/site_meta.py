"""Tags for the page's frame: the header (rendered once per process for each audience and part of the
site), absolute URLs for canonical links and OpenGraph, the links every page prints (header, footer) from
this process's copy, and `{% constant %}` for the parts of the frame that are the same on every page."""

import weakref

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.template.loader import render_to_string

from plumbing import overlay
from plumbing.context_processors import site
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


_constants: "weakref.WeakSet[ConstantNode]" = weakref.WeakSet()


def _forget_constants(**kwargs):
    """A setting changed (tests, override_settings): what the constants show may have changed with it."""
    for node in list(_constants):
        node.rendered = None


setting_changed.connect(_forget_constants, dispatch_uid="site_meta.constants")


class ConstantNode(template.Node):
    """Its content rendered on first use and kept on the node: compiled templates are kept for the life of
    the process (the cached template loader), so that is once per process."""

    child_nodelists = ("nodelist",)

    def __init__(self, nodelist):
        self.nodelist = nodelist
        self.rendered: str | None = None
        _constants.add(self)

    def render(self, context):
        if self.rendered is None:
            # Only the site's settings: nothing of the request or the person can end up in every page.
            self.rendered = self.nodelist.render(context.new(site(None)))
        return self.rendered


@register.tag
def constant(parser, token):
    """`{% constant %}…{% endconstant %}`: a part of the frame that is the same on every page of this process
    (the stylesheet and script URLs, the footer's links), rendered once instead of on each page. It sees only
    the site's settings (`SITE_NAME`), so static URLs, `{% link %}` and settings are all it can show. Each
    `{% static %}` asks the manifest and each tag resolves its arguments: about 0.15 ms of every page."""
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("{% constant %} takes no arguments")
    nodelist = parser.parse(("endconstant",))
    parser.delete_first_token()
    return ConstantNode(nodelist)
