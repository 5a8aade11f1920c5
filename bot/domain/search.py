"""/search and tags: which glimmers hold the words a person looks for.

Matching ignores case and accents ("cafe" finds "Café", "RAIN" finds "rain") and every word
must appear somewhere in the glimmer: its text, the sense and body cue it was noticed with
(by their names, as the buttons show them) or a typed body note. A word may be part of a
longer one ("walk" finds "walking"), except a tag: "#rain" finds the glimmers tagged
#rain (or #Rain), not #rainbow.

A tag is a `#word` anywhere in a glimmer's text, as Telegram itself marks hashtags: letters,
digits and underscores, with at least one letter ("#2" is not a tag).

There is no index: with encryption on, an index of words would say what the sealed text
hides. The glimmers are opened and read in memory for each search instead, which takes
about a tenth of a second for 10,000 of them (bench/search.py).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

MOST_WORDS = 8
MOST_QUERY_CHARS = 200
TAG = re.compile(r"(?<![\w#])#(\w*[^\W\d_]\w*)")


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


def tags_of(text: str) -> list[str]:
    """The tags in a text, without their "#", as written, each once (by its folded form)."""
    seen: dict[str, str] = {}
    for tag in TAG.findall(text):
        seen.setdefault(folded(tag), tag)
    return list(seen.values())


def matches(words: tuple[str, ...], fields: Iterable[str | None]) -> bool:
    """Whether every word is in the glimmer's fields (already folded); a "#word" must be
    one of its tags."""
    haystack = "\n".join(f for f in fields if f)
    tags: set[str] | None = None
    for word in words:
        if word.startswith("#") and len(word) > 1:
            if tags is None:
                tags = {folded(tag) for tag in TAG.findall(haystack)}
            if word[1:] not in tags:
                return False
        elif word not in haystack:
            return False
    return True


def tag_counts(texts: Iterable[str]) -> list[tuple[str, int]]:
    """Each tag in these texts and how many of them carry it, most used first (then A to Z).
    Tags that differ only in case or accents count as one, shown as most often written."""
    count: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = {}
    for text in texts:
        for tag in tags_of(text):
            key = folded(tag)
            count[key] += 1
            spellings.setdefault(key, Counter())[tag] += 1
    ranked = sorted(count.items(), key=lambda item: (-item[1], item[0]))
    return [(spellings[key].most_common(1)[0][0], n) for key, n in ranked]
