"""`{% slot kind key %}`: where a per-request bit goes in a memoised fragment (plumbing/overlay.py);
`{% fill html fillers %}`: this request's copy of it."""

from urllib.parse import quote

from django import template
from django.middleware.csrf import get_token

from plumbing import overlay
from plumbing.templatetags.notices import messages_by_anchor, show_at

register = template.Library()


@register.simple_tag
def slot(kind, *key):
    """`{% slot "status" topic.pk %}`; a key of several parts is joined by "-" (`"review" 12`: review-12)."""
    return overlay.slot(str(kind), "-".join(str(part) for part in key))


@register.simple_tag(takes_context=True)
def fill(context, html: overlay.Overlay, fillers=None):
    """Lays this request's bits onto shared HTML: its `request` slots (the CSRF token, the full path, the
    full path as a `next` parameter) and
    `messages` slots (placed as `{% messages_at %}` places them) from the context, `include` slots (a
    template rendered in the context), any other kind from `fillers` ({kind: function of the key})."""
    request = context["request"]
    # The token {% csrf_token %} puts in the rest of the page (the csrf context processor's, made once).
    own = {
        "csrf": lambda: str(context.get("csrf_token") or get_token(request)),
        "full_path": request.get_full_path,
        # A link's `next` back to this page: its path and query string as `|urlencode` gives them.
        "next": lambda: quote(request.get_full_path(), safe="/"),
    }
    known: dict[str, str] = {}  # each asked once, however many slots show it

    def request_bit(key: str) -> str:
        if key not in known:
            known[key] = own[key]()
        return known[key]

    def by_kind(kind):
        if kind == overlay.REQUEST:
            return request_bit
        if kind == overlay.MESSAGES:
            # Most requests have none to place: then their slots (one per node of a track) stay empty unasked.
            # Grouped once, not searched once per slot.
            grouped = messages_by_anchor(context)
            if not grouped:
                return None
            # A page with a message has one slot per node, nearly all of them with nothing said there.
            return lambda anchor: show_at(context, grouped[anchor]) if anchor in grouped else None
        if kind == overlay.INCLUDE:
            return lambda name: included(context, name)
        return fillers.get(kind) if fillers else None

    return html.fill(by_kind)


def included(context, template_name: str) -> str:
    """`template_name` rendered in the page's context, as `{% include %}` renders it: what is the person's own
    in a shared fragment (a learner's progress on a track), with everything the page's template sees (its
    messages placed where they were said, as `{% messages_at %}` places them)."""
    template = context.template.engine.get_template(template_name)
    with context.push():
        return template.render(context)
