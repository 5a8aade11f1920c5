"""Glimmer domain rules: splitting a quick message into glimmers, and the answer codes.

Codes are what the database stores; their wording lives in bot/ui/texts.py.
"""

from __future__ import annotations

import re
import unicodedata

SENSES = (
    "sight",
    "sound",
    "touch",
    "smell",
    "taste",
    "movement",
    "people",
    "place",
    "memory",
    "other",
)
BODY_CUES = ("chest", "shoulders", "breath", "smile", "belly")
LADDER = ("safe", "mobilised", "shutdown")
SAVOUR_CHOICES = (10, 20, 30, 60)
DEFAULT_SAVOUR_SECONDS = 20
LANDED_SCALE = (1, 2, 3, 4, 5)

# A list marker at the start of a line: "-", "*", "•", "–", "—", "+", "·", ">", "1.", "1)",
# "(1)", "a)", and a checkbox "[ ]" or "[x]", followed by white space or the end of the line.
_MARKER = re.compile(r"^(?:(?:[-*•‣◦·–—+>]|\(?\d{1,3}[.)]|\[[ xX]?\])(?:\s+|$)|\(?[a-z][.)]\s+)")


def strip_marker(line: str) -> str:
    """Remove list markers (possibly nested, like "- [ ] ") from the start of a line."""
    line = line.strip()
    while True:
        stripped = _MARKER.sub("", line, count=1)
        if stripped == line:
            return line
        line = stripped.strip()


GLIMMER_WORDS = 4


def looks_like_a_glimmer(text: str) -> bool:
    """True for text that reads as a sentence, not an answer to "what time?" or "where?".

    Used when a settings question is waiting for a time or a place and the answer cannot be
    read as one: a few words or more, or several lines, are kept as a glimmer instead.
    """
    stripped = text.strip()
    return "\n" in stripped or len(stripped.split()) >= GLIMMER_WORDS


# Control characters (Unicode category Cc) except tab, line feed and carriage return: NUL,
# vertical tab, form feed, the file/group/record separators, NEL and the like. They are never
# stored and never split a line: those that stand for a space become one, the rest go.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAK = re.compile("\r\n|\r|\n")
# Letters that draw nothing: fillers and the blank Braille pattern.
_BLANK_LETTERS = frozenset("\u115f\u1160\u2800\u3164\uffa0")
_INVISIBLE_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf", "Cn"})


def clean(text: str) -> str:
    """The text without control characters (tab and line breaks kept)."""
    return _CONTROL.sub(lambda found: " " if found[0].isspace() else "", text)


def visible(text: str) -> bool:
    """True if anything in the text would show: not only spaces, zero-width characters or
    fillers."""
    return any(
        unicodedata.category(ch) not in _INVISIBLE_CATEGORIES and ch not in _BLANK_LETTERS
        for ch in text
    )


def split_glimmers(text: str) -> list[str]:
    """One glimmer per line with something visible, list markers removed; a lone marker line
    is dropped. Lines end only at LF, CR LF and CR (not at the other characters Python counts as
    line breaks, such as a form feed or U+2028)."""
    glimmers = []
    for raw in _LINE_BREAK.split(clean(text)):
        line = strip_marker(raw)
        if visible(line):
            glimmers.append(line)
    return glimmers
