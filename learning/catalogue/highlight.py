"""Marking a search's words in result text: escaped first, then wrapped in <mark>, never trusted as HTML."""

import html
import re

from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

from plumbing.markdown import render_markdown

# Crude stemming, enough to mark "cache" for "caching" and "PostgreSQL" for "postgress".
SUFFIXES = ("ing", "es", "ed", "s")
MIN_STEM = 3
# Headings, paragraphs and list items end with a separator in plain text, so they don't run together.
BLOCK_END = re.compile(r"</(?:h[1-6]|p|li)>")


def stem(term: str) -> str:
    for suffix in SUFFIXES:
        if term.endswith(suffix) and len(term) - len(suffix) >= MIN_STEM:
            return term[: -len(suffix)]
    return term


def word_pattern(terms) -> re.Pattern | None:
    """Words starting with the stem of a search term (terms under two characters are left out)."""
    stems = sorted({stem(term.lower()) for term in terms if len(term) >= 2}, key=len, reverse=True)
    if not stems:
        return None
    return re.compile(r"\b(?:" + "|".join(re.escape(s) for s in stems) + r")\w*", re.IGNORECASE)


def highlight(text: str, terms) -> SafeString:
    pattern = word_pattern(terms)
    if pattern is None:
        return escape(text)
    parts, end = [], 0
    for match in pattern.finditer(text):
        parts += [escape(text[end : match.start()]), "<mark>", escape(match.group()), "</mark>"]
        end = match.end()
    parts.append(escape(text[end:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text was escaped above


def plain_text(markdown_text: str) -> str:
    """Curated Markdown as the words a reader sees, whitespace collapsed."""
    rendered = BLOCK_END.sub(" · ", render_markdown(markdown_text))
    return " ".join(html.unescape(strip_tags(rendered)).split()).strip(" ·")


def excerpt(text: str, terms, width: int = 220) -> str:
    """About `width` characters of text around its first matching word, with ellipses where cut."""
    if len(text) <= width:
        return text
    pattern = word_pattern(terms)
    match = pattern.search(text) if pattern else None
    start = max(0, (match.start() if match else 0) - width // 3)
    if start:
        start = text.rfind(" ", 0, start) + 1
    end = len(text)
    if start + width < end:
        end = text.rfind(" ", start, start + width)
        end = start + width if end <= start else end
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")
