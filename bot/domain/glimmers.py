"""Glimmer domain rules: splitting a quick message into glimmers, and the answer codes.

Codes are what the database stores; their wording lives in bot/ui/texts.py.
"""

from __future__ import annotations

import re

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


def split_glimmers(text: str) -> list[str]:
    """One glimmer per non-empty line, list markers removed; a lone marker line is dropped."""
    glimmers = []
    for raw in text.splitlines():
        line = strip_marker(raw)
        if line:
            glimmers.append(line)
    return glimmers
