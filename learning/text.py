"""Learner-written text made safe to store and show next to other people's words."""

# Bidirectional overrides and isolates can make a review or a note display as something other than what
# it contains ("Trojan Source"); learners never need them, so they are dropped.
BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def clean_learner_text(text: str) -> str:
    return (text or "").translate(BIDI_CONTROLS).strip()
