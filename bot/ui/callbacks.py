"""Inline-button callback data: short, self-describing strings such as "sv:123".

Every button names the action and the glimmer it acts on, so buttons keep working after a
restart and a handler can check that the glimmer belongs to the person who pressed it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.glimmers import BODY_CUES, LADDER, LANDED_SCALE, SAVOUR_CHOICES, SENSES

LOG = "lg"
SAVOUR = "sv"
DETAILS = "ad"
UNDO = "un"
PICK_SAVOUR = "svm"
PICK_DETAILS = "adm"
SENSE = "s"
BODY = "b"
LADDER_BEFORE = "l"
PAUSE = "p"
LANDED = "r"
LADDER_AFTER = "a"
KEEP_TEXT = "k"
EDIT = "ed"
DELETE = "dl"
DELETE_YES = "dx"
DELETE_NO = "dk"
# Check-in buttons carry the person's own user id, checked against whoever presses.
NOT_TODAY = "cn"
REMIND = "cr"
# Recap and history pages: the number is weeks back + 1, or the page number (from 1).
RECAP_WEEK = "rw"
HISTORY_PAGE = "hp"
OPEN = "ho"
STAR = "st"
ANCHOR = "an"
SETTINGS = "se"  # se:<user id>:<choice>; the user id is checked against whoever presses
FORGET = "fg"  # fg:<user id>:yes|no

SETTING_TIMES = (420, 480, 540, 720, 1080, 1140, 1200, 1260, 1320)
RECAP_TIMES = (540, 720, 1080, 1200)
SETTING_CHOICES = frozenset(
    {
        "menu",
        "time",
        "ttime",
        "surprise",
        "zone",
        "tzone",
        "days",
        "dall",
        "dweek",
        "pause",
        "p1",
        "p7",
        "poff",
        "pon",
        "chk",
        "skip",
        "savour",
        "ladder",
        "recap",
        "ron",
        "roff",
        "streak",
        *(f"t{m:04d}" for m in SETTING_TIMES),
        *(f"rt{m:04d}" for m in RECAP_TIMES),
        *(f"d{d}" for d in range(7)),
        *(f"rd{d}" for d in range(7)),
        *(f"s{s}" for s in SAVOUR_CHOICES),
    }
)

SKIP = "-"
OTHER = "+"

# What each action accepts as its argument; None means it takes no argument.
_ARGUMENTS: dict[str, frozenset[str] | None] = {
    SAVOUR: None,
    DETAILS: None,
    UNDO: None,
    PICK_SAVOUR: None,
    PICK_DETAILS: None,
    KEEP_TEXT: None,
    EDIT: None,
    DELETE: None,
    DELETE_YES: None,
    DELETE_NO: None,
    NOT_TODAY: None,
    REMIND: None,
    RECAP_WEEK: None,
    HISTORY_PAGE: None,
    OPEN: None,
    STAR: None,
    ANCHOR: None,
    SETTINGS: SETTING_CHOICES,
    FORGET: frozenset({"yes", "no"}),
    SENSE: frozenset({*SENSES, SKIP}),
    BODY: frozenset({*BODY_CUES, SKIP, OTHER}),
    LADDER_BEFORE: frozenset({*LADDER, SKIP}),
    LADDER_AFTER: frozenset({*LADDER, SKIP}),
    PAUSE: frozenset({*(str(s) for s in SAVOUR_CHOICES), "0"}),
    LANDED: frozenset({*(str(n) for n in LANDED_SCALE), "0"}),
}

_SHAPE = re.compile(r"([a-z]{1,3}):([1-9][0-9]{0,17})(?::([a-z0-9+-]{1,12}))?")


@dataclass(frozen=True, slots=True)
class Action:
    name: str
    glimmer_id: int
    arg: str | None = None


def make(name: str, glimmer_id: int, arg: str | int | None = None) -> str:
    data = f"{name}:{glimmer_id}" if arg is None else f"{name}:{glimmer_id}:{arg}"
    if parse(data) is None:
        raise ValueError(f"invalid callback data {data!r}")
    return data


def parse(data: str | None) -> Action | None:
    """The action a button names, or None for anything malformed or tampered with."""
    if not data:
        return None
    match = _SHAPE.fullmatch(data)
    if not match:
        return None
    name, glimmer_id, arg = match.group(1), int(match.group(2)), match.group(3)
    if name not in _ARGUMENTS:
        return None
    allowed = _ARGUMENTS[name]
    if (allowed is None) != (arg is None):
        return None
    if allowed is not None and arg not in allowed:
        return None
    return Action(name, glimmer_id, arg)


def pattern(*names: str) -> re.Pattern[str]:
    """A regex for CallbackQueryHandler matching these action names."""
    return re.compile(rf"^(?:{'|'.join(re.escape(n) for n in names)}):")
