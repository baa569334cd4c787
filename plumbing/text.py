"""Text as it is stored: Unix line endings everywhere, and learner-written text made safe to show next to
other people's words."""

# Bidirectional overrides and isolates can make a review or a note display as something other than what
# it contains ("Trojan Source"); learners never need them, so they are dropped.
BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
# A URL has no use for the invisible direction marks either (left-to-right, right-to-left, Arabic letter).
URL_BIDI_CONTROLS = BIDI_CONTROLS | dict.fromkeys(map(ord, "\u200e\u200f\u061c"))


def unix_newlines(text: str) -> str:
    """Browsers send CRLF; stored text (and exported content files) use LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def clean_learner_text(text: str) -> str:
    """Unix line endings, no bidirectional controls, no surrounding whitespace."""
    return unix_newlines(text or "").translate(BIDI_CONTROLS).strip()


def without_bidi_controls(url: str) -> str:
    """A URL as typed minus every bidirectional control and mark, so it displays as what it is."""
    return url.translate(URL_BIDI_CONTROLS)
