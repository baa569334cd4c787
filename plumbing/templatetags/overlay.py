"""Slots in a memoised fragment (plumbing/overlay.py): `{% slot kind key… %}` marks one where the fragment is
rendered; `{% fill html fillers %}` fills them where the page is rendered, slots of kind "at" with the
messages said at that section (as `{% messages_at %}` would, so the page's top doesn't repeat them)."""

from django import template

from plumbing import overlay
from plumbing.templatetags.notices import messages_at

register = template.Library()


@register.simple_tag
def slot(kind, *key):
    """`{% slot "selected" topic.pk value %}`: the key's parts are joined by ":"."""
    return overlay.slot(str(kind), ":".join(str(part) for part in key))


@register.simple_tag(takes_context=True)
def fill(context, html: overlay.Overlay, fillers: dict):
    def at(key):
        return messages_at(context, *key.split(":"))

    said = bool(context.get("messages"))
    return html.fill(lambda kind: (at if said else None) if kind == "at" else fillers.get(kind))
