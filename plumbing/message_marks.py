"""Messages marked in a rendered page, so that the page cache can keep the page without them.

A message belongs to the one response that shows it; the page around it is the same as without it. When the
page cache renders a page that has messages to show, it asks for them marked (`mark`): each block of
messages (plumbing.templatetags.notices) comes wrapped in two private-use characters. The response keeps
the blocks and loses the marks (`unmarked`); the copy the cache keeps loses the blocks too
(`without_messages`), which leaves the page byte for byte as it renders with no message to show. So the page
an action redirects back to (a check-off's track page) is stored, and the learner's next visit is a hit
instead of a second render.
"""

import re

from django.utils.safestring import mark_safe

OPEN, CLOSE = "\ue003", "\ue004"
# On the page's bytes: each mark is three bytes of UTF-8, so an alternation, not a character class.
_MARKS = re.compile(f"{OPEN}|{CLOSE}".encode())
_BLOCKS = re.compile(f"{OPEN}.*?{CLOSE}".encode(), re.DOTALL)
_ATTRIBUTE = "_mark_messages"


def mark(request) -> None:
    """Messages shown in this request's page come marked."""
    setattr(request, _ATTRIBUTE, True)


def marked(request, html: str) -> str:
    """A block of messages as this request's page shows it: marked when `mark`ed, else as it is."""
    if not html or not getattr(request, _ATTRIBUTE, False):
        return html
    inside = html.replace(OPEN, "").replace(CLOSE, "")  # a message can't close its own block early
    return mark_safe(f"{OPEN}{inside}{CLOSE}")  # noqa: S308 - html is safe already, the marks are plain text


def unmarked(content: bytes) -> bytes:
    """The page with its messages, the marks taken out."""
    return _MARKS.sub(b"", content)


def without_messages(content: bytes) -> bytes:
    """The page with its marked blocks of messages taken out: as it renders with none."""
    return _BLOCKS.sub(b"", content)
