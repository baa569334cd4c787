"""Curated Markdown rendered to HTML and sanitised, so no stored text can inject script."""

import re
import threading

import markdown as markdown_lib
import nh3

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4", "hr", "kbd", "li", "ol", "p",
    "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}


_HEADING_TAG = re.compile(r"<(/?)h([2-4])>")

# One converter of each kind per thread, reset before each text: building a Markdown instance (loading its
# extensions) costs more than converting a short text, and a page may render a dozen (learners' projects).
_converters = threading.local()


def _convert(text: str, *, extensions: tuple[str, ...]) -> str:
    by_extensions: dict[tuple[str, ...], markdown_lib.Markdown] | None = getattr(
        _converters, "by_extensions", None
    )
    if by_extensions is None:
        by_extensions = _converters.by_extensions = {}
    converter = by_extensions.get(extensions)
    if converter is None:
        converter = by_extensions[extensions] = markdown_lib.Markdown(
            extensions=list(extensions), output_format="html"
        )
    return converter.reset().convert(text or "")


def render_markdown(text: str, *, below: int = 0) -> str:
    """`text` as sanitised HTML. `below`: the level of the heading the text sits under, for text whose
    author picks heading levels freely (a learner's note under an h2): its headings then start one level
    lower (h3), keeping the page's outline (h5 and h6 for what would go deeper)."""
    html = _convert(text, extensions=("extra", "sane_lists"))
    html = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    if below < 2:
        return html
    return _HEADING_TAG.sub(lambda tag: f"<{tag[1]}h{min(6, int(tag[2]) + below - 1)}>", html)


INLINE_TAGS = {"code", "em", "strong"}


def render_inline_markdown(text: str) -> str:
    """A one-line text's inline Markdown (`code`, *emphasis*, **strong**) as sanitised HTML, without the
    paragraph around it; anything else Markdown would make (links, lists) stays as its text."""
    html = _convert(text, extensions=("extra",))
    return nh3.clean(html, tags=INLINE_TAGS, attributes={}).strip()
