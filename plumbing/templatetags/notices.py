"""Messages shown where the action returns: `{% messages_at "rate" %}` inside the section with that id shows
the messages said `at="rate"` (plumbing.actions.say); `{% placing_messages %}…{% endplacing_messages %}`
around the page's main content puts the others (no anchor, or an anchor the page didn't place) above it.

The main content is rendered first, so the top knows which messages already found their section.
"""

from django import template
from django.utils.html import format_html, format_html_join

from plumbing import message_marks
from plumbing.actions import anchor_of

register = template.Library()

PLACED = "_placed_messages"


def _notices(context, messages, *, css: str, element_id: str = "") -> str:
    """A block of messages, marked for the page cache when this request's page asks (message_marks)."""
    if not messages:
        return ""
    items = format_html_join(
        "",
        '<p class="notice notice--{}">{}</p>',
        ((message.level_tag or "info", message) for message in messages),
    )
    id_attribute = format_html(' id="{}"', element_id) if element_id else ""
    block = format_html('<div class="{}"{} role="status">{}</div>', css, id_attribute, items)
    return message_marks.marked(context.get("request"), block)


def messages_by_anchor(context) -> dict[str, list]:
    """The messages to show, by the section they were said at ("" for none)."""
    grouped: dict[str, list] = {}
    for message in context.get("messages", ()):
        grouped.setdefault(anchor_of(message), []).append(message)
    return grouped


def show_at(context, here: list) -> str:
    """Shows `here`, the messages said at one section, and notes them as placed."""
    placed = context.get(PLACED)
    if placed is not None:
        placed.update(id(message) for message in here)
    return _notices(context, here, css="messages messages--at")


@register.simple_tag(takes_context=True)
def messages_at(context, *parts) -> str:
    """The messages said at this section; its id is the parts joined by "-" ("review", 12 → review-12)."""
    anchor = "-".join(str(part) for part in parts)
    return show_at(context, messages_by_anchor(context).get(anchor, []))


class PlacingMessagesNode(template.Node):
    child_nodelists = ("nodelist",)

    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        with context.push({PLACED: set()}):
            main = self.nodelist.render(context)
            placed = context[PLACED]
        rest = [message for message in context.get("messages", ()) if id(message) not in placed]
        top = _notices(context, rest, css="container messages", element_id="messages")
        return format_html("{}{}", top, main) if top else main


@register.tag
def placing_messages(parser, token):
    nodelist = parser.parse(("endplacing_messages",))
    parser.delete_first_token()
    return PlacingMessagesNode(nodelist)
