"""`{% slot kind key %}`: where a per-request bit goes in a memoised fragment (plumbing/overlay.py)."""

from django import template

from plumbing import overlay

register = template.Library()


@register.simple_tag
def slot(kind, key):
    return overlay.slot(str(kind), key)
