"""/search: which glimmers hold the words a person looks for.

Matching ignores case and accents ("cafe" finds "Café", "RAIN" finds "rain") and every word
must appear somewhere in the glimmer: its text, the sense and body cue it was noticed with
(by their names, as the buttons show them) or a typed body note. A word may be part of a
longer one ("walk" finds "walking").

There is no index: with encryption on, an index of words would say what the sealed text
hides. The glimmers are opened and read in memory for each search instead, which takes
about a tenth of a second for 10,000 of them (bench/search.py).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

MOST_WORDS = 8
MOST_QUERY_CHARS = 200


def folded(text: str) -> str:
    """Lower case, without accents or other combining marks, compatibility forms unified
    (so "ﬁ" is "fi" and a full-width letter its plain one)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words_of(query: str) -> tuple[str, ...]:
    """The distinct words to look for, folded, in the order given; at most MOST_WORDS."""
    seen: dict[str, None] = {}
    for word in folded(query[:MOST_QUERY_CHARS]).split():
        word = word.strip(".,;:!?\"'“”‘’()[]{}")
        if word:
            seen.setdefault(word, None)
    return tuple(seen)[:MOST_WORDS]


def matches(words: tuple[str, ...], fields: Iterable[str | None]) -> bool:
    """Whether every word is in the glimmer's fields (already folded)."""
    haystack = "\n".join(f for f in fields if f)
    return all(word in haystack for word in words)
