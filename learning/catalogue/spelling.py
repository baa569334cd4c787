"""Did you mean …? The catalogue's own words, and the closest of them to a word it doesn't know.

The vocabulary is every word of the titles of published tracks, topics and resources and of the names of
the tags they carry: one query, built once per catalogue version and kept in the cache under the catalogue's
token, so any curated change rebuilds it. Only published content goes in: the vocabulary is shared by every
visitor and must not spell out a draft's title.

A query word is corrected only when the catalogue doesn't know it (it is no word of the vocabulary nor the
start of one: "kube" is the start of "kubernetes"), it has at least MIN_TYPO letters (shorter words have too
many neighbours: "kube" is one letter from "cube") and some word lies within MAX_DISTANCE edits (the optimal
string alignment distance, so a swap of two letters is one edit). The nearest wins, then the most common.
The cost is bounded: at most MAX_WORDS words, at most search.MAX_TERMS query words, one rapidfuzz pass each.
"""

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from typing import cast

from django.core.cache import cache
from django.db.models import Q
from rapidfuzz import process
from rapidfuzz.distance import OSA
from taggit.models import Tag

from learning.catalogue.models import Resource, Topic, Track
from plumbing import cache_tokens
from plumbing.overlay import memo

WORD = re.compile(r"[^\W_]+")  # as search.Query finds its words
MIN_WORD = 3  # shorter words aren't kept in the vocabulary
MIN_TYPO = 5
MAX_WORDS = 20_000  # the most common words, if the catalogue ever has more
VOCABULARY_SECONDS = 24 * 3600


def max_distance(word: str) -> int:
    """One edit for a short word, two from eight letters on ("postgress" → "postgresql")."""
    return 1 if len(word) < 8 else 2


@dataclass(frozen=True)
class Vocabulary:
    words: tuple[str, ...]  # sorted, so that "is it the start of a word" is a binary search
    counts: tuple[int, ...]  # how many titles and tag names hold each word

    @classmethod
    def of(cls, texts) -> "Vocabulary":
        counts = Counter(
            word for text in texts for word in set(WORD.findall(text.lower())) if len(word) >= MIN_WORD
        )
        common = sorted(counts.most_common(MAX_WORDS))
        return cls(words=tuple(word for word, _ in common), counts=tuple(count for _, count in common))

    def knows(self, term: str) -> bool:
        index = bisect_left(self.words, term)
        return index < len(self.words) and self.words[index].startswith(term)

    def closest(self, term: str) -> str | None:
        """The catalogue's word this one is most likely a typo of; None if it isn't one."""
        if len(term) < MIN_TYPO or term.isdigit() or self.knows(term):
            return None
        near = process.extract(
            term, self.words, scorer=OSA.distance, score_cutoff=max_distance(term), limit=None
        )
        if not near:
            return None
        word, _, _ = min(near, key=lambda found: (found[1], -self.counts[found[2]], found[0]))
        return word


def vocabulary() -> Vocabulary:
    """This process's copy for the current catalogue version (plumbing.overlay.memo), else the shared cache's,
    else built."""
    token = cache_tokens.read([cache_tokens.CATALOGUE])[cache_tokens.CATALOGUE]
    return memo(("search-vocabulary", token), lambda: _shared(token))


def _shared(token) -> Vocabulary:
    # get_or_set returns None only for a None default; _build always gives a Vocabulary.
    found = cache.get_or_set(f"search-vocabulary:{token}", _build, timeout=VOCABULARY_SECONDS)
    return cast(Vocabulary, found)


def _build() -> Vocabulary:
    """One query: the titles of what is published and the names of the tags it carries."""
    in_use = Q()
    for model in (Track, Topic, Resource):
        in_use |= Q(pk__in=model.objects.published().values("tags"))
    # Without their default orders: a compound statement's parts may not be ordered.
    titles = (
        Track.objects.published()
        .order_by()
        .values_list("title", flat=True)
        .union(
            Topic.objects.published().order_by().values_list("title", flat=True),
            Resource.objects.published().order_by().values_list("title", flat=True),
            Tag.objects.filter(in_use).order_by().values_list("name", flat=True),
        )
    )
    return Vocabulary.of(titles)


def corrections(terms) -> dict[str, str]:
    """{typo: the catalogue's word} for the query's words that look misspelt. The vocabulary is read only if
    some word could be corrected at all, so a search for short or known words never waits for it."""
    candidates = [term for term in terms if len(term) >= MIN_TYPO and not term.isdigit()]
    if not candidates:
        return {}
    words = vocabulary()
    found = {term: words.closest(term) for term in candidates}
    return {term: word for term, word in found.items() if word}


def corrected(text: str, fixes: dict[str, str]) -> str:
    """The query as typed, with its misspelt words replaced (the rest, punctuation included, kept)."""
    return WORD.sub(lambda match: fixes.get(match.group().lower(), match.group()), text)
