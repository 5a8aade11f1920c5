"""Inline-button callback data: short, self-describing strings such as "sv:123" or "s:123:sight".

Every button is `<action>[:<number>][:<argument>]`. One table, `ACTIONS`, says for each action
what its number carries (a glimmer id, the presser's own user id, a page, how many weeks back)
and which arguments it accepts, so a handler reads `action.glimmer_id` or `action.page`, never
a bare number, and anything malformed or tampered with is refused before a handler sees it.
Buttons keep working after a restart; a handler checks that a glimmer or user id in a button
belongs to the person who pressed it.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from bot.domain.glimmers import BODY_CUES, LADDER, LANDED_SCALE, SAVOUR_CHOICES, SENSES
from bot.ui.language import LANGUAGES


class Carries(enum.Enum):
    """What the number in a button means."""

    NOTHING = "nothing"
    GLIMMER = "glimmer"  # one of the presser's glimmers, checked against the database
    USER = "user"  # the presser's own user id, checked against whoever presses
    PAGE = "page"  # a /history or /search page, from 1
    SHOWN = "shown"  # one of a list the bot showed the presser (a /tags tag), from 1
    WEEKS_BACK = "weeks back"  # 0 is this week; stored plus one, as a button number is >= 1


# -- /settings choices -------------------------------------------------------------------------

# Times offered as buttons, in minutes after local midnight.
SETTING_TIMES = (420, 480, 540, 720, 1080, 1140, 1200, 1260, 1320)
RECAP_TIMES = (540, 720, 1080, 1200)
WEEKDAYS = tuple(range(7))  # Monday is 0


class Choice(enum.StrEnum):
    """A /settings button: a submenu, a toggle, or a value (numbered choices below)."""

    MENU = "menu"
    TIME = "time"  # the check-in time submenu
    TYPE_TIME = "ttime"
    SURPRISE = "surprise"
    ZONE = "zone"
    DAYS = "days"
    ALL_DAYS = "dall"
    WEEKDAYS = "dweek"
    PAUSE = "pause"
    PAUSE_DAY = "p1"
    PAUSE_WEEK = "p7"
    PAUSE_OFF = "poff"
    RESUME = "pon"
    CHECKINS = "chk"
    SKIP_IF_LOGGED = "skip"
    SAVOUR = "savour"
    LADDER = "ladder"
    RECAP = "recap"
    RECAP_ON = "ron"
    RECAP_OFF = "roff"
    STREAKS = "streak"
    FLASHBACKS = "back"  # weekly, then with each check-in, then off
    LANGUAGE = "lang"  # the language submenu (and /language)
    # Numbered: the value follows the letters, as in "t1200" or "d3".
    CHECKIN_AT = "t"  # minutes after midnight, one of SETTING_TIMES
    DAY = "d"  # toggles one weekday
    RECAP_DAY = "rd"
    RECAP_AT = "rt"  # one of RECAP_TIMES
    SAVOUR_FOR = "s"  # seconds, one of SAVOUR_CHOICES
    LANGUAGE_IS = "lg"  # the language's place in SPOKEN


# The numbered choices: the values each accepts, and how many digits it is written with.
NUMBERED: Mapping[Choice, tuple[Collection[int], int]] = {
    Choice.CHECKIN_AT: (SETTING_TIMES, 4),
    Choice.DAY: (WEEKDAYS, 1),
    Choice.RECAP_DAY: (WEEKDAYS, 1),
    Choice.RECAP_AT: (RECAP_TIMES, 4),
    Choice.SAVOUR_FOR: (SAVOUR_CHOICES, 1),
    Choice.LANGUAGE_IS: (range(len(LANGUAGES)), 1),
}
# The languages in the order their buttons show, numbered for Choice.LANGUAGE_IS.
SPOKEN = tuple(LANGUAGES)


@dataclass(frozen=True, slots=True)
class Setting:
    """A parsed /settings choice; `value` only for the numbered ones."""

    choice: Choice
    value: int | None = None

    def encode(self) -> str:
        if self.value is None:
            return self.choice.value
        return f"{self.choice.value}{self.value:0{NUMBERED[self.choice][1]}d}"


def _settings_args() -> frozenset[str]:
    plain = {Setting(c).encode() for c in Choice if c not in NUMBERED}
    numbered = {Setting(c, v).encode() for c, (values, _) in NUMBERED.items() for v in values}
    return frozenset(plain | numbered)


def _setting_of(arg: str) -> Setting:
    for choice in NUMBERED:
        rest = arg.removeprefix(choice.value)
        if rest != arg and rest.isdigit() and Setting(choice, int(rest)).encode() == arg:
            return Setting(choice, int(rest))
    return Setting(Choice(arg))


# -- the table ---------------------------------------------------------------------------------

SKIP = "-"
OTHER = "+"


@dataclass(frozen=True, slots=True)
class Kind:
    carries: Carries
    args: frozenset[str] | None = None  # None: the action takes no argument
    most: int = 10**18 - 1  # the largest number it accepts


def _args(*values: object) -> frozenset[str]:
    return frozenset(str(v) for v in values)


LOG = "lg"  # "Log a glimmer": starts the guided conversation
SAVOUR = "sv"
DETAILS = "ad"
UNDO = "un"
PICK_SAVOUR = "svm"  # a message that saved several: choose one to savour
PICK_DETAILS = "adm"
SENSE = "s"
BODY = "b"
LADDER_BEFORE = "l"
PAUSE = "p"  # seconds; 0 skips or ends the pause
LANDED = "r"  # 1 to 5; 0 skips
LADDER_AFTER = "a"
KEEP_TEXT = "k"
EDIT = "ed"
DELETE = "dl"
DELETE_YES = "dx"
DELETE_NO = "dk"
NOT_TODAY = "cn"
REMIND = "cr"
RECAP_WEEK = "rw"
HISTORY_PAGE = "hp"
SEARCH_PAGE = "fp"  # a page of the person's latest /search
TAG = "tg"  # one of the tags /tags showed
IMPORT = "im"  # bring a journal file in: yes or no
SUMMARY = "sm"  # /summary's span of time
TAGS_SHOWN_MOST = 24
OPEN = "ho"
STAR = "st"
ANCHOR = "an"
SETTINGS = "se"
FORGET = "fg"

WEEKS_BACK_MOST = 520  # ten years back is far enough

ACTIONS: Mapping[str, Kind] = {
    LOG: Kind(Carries.NOTHING),
    SAVOUR: Kind(Carries.GLIMMER),
    DETAILS: Kind(Carries.GLIMMER),
    UNDO: Kind(Carries.GLIMMER),
    PICK_SAVOUR: Kind(Carries.GLIMMER),
    PICK_DETAILS: Kind(Carries.GLIMMER),
    KEEP_TEXT: Kind(Carries.GLIMMER),
    EDIT: Kind(Carries.GLIMMER),
    DELETE: Kind(Carries.GLIMMER),
    DELETE_YES: Kind(Carries.GLIMMER),
    DELETE_NO: Kind(Carries.GLIMMER),
    OPEN: Kind(Carries.GLIMMER),
    STAR: Kind(Carries.GLIMMER),
    ANCHOR: Kind(Carries.GLIMMER),  # "another": the anchor shown now, not to repeat
    SENSE: Kind(Carries.GLIMMER, _args(*SENSES, SKIP)),
    BODY: Kind(Carries.GLIMMER, _args(*BODY_CUES, SKIP, OTHER)),
    LADDER_BEFORE: Kind(Carries.GLIMMER, _args(*LADDER, SKIP)),
    LADDER_AFTER: Kind(Carries.GLIMMER, _args(*LADDER, SKIP)),
    PAUSE: Kind(Carries.GLIMMER, _args(*SAVOUR_CHOICES, 0)),
    LANDED: Kind(Carries.GLIMMER, _args(*LANDED_SCALE, 0)),
    NOT_TODAY: Kind(Carries.USER),
    REMIND: Kind(Carries.USER),
    SETTINGS: Kind(Carries.USER, _settings_args()),
    FORGET: Kind(Carries.USER, _args("yes", "no")),
    RECAP_WEEK: Kind(Carries.WEEKS_BACK, most=WEEKS_BACK_MOST + 1),
    HISTORY_PAGE: Kind(Carries.PAGE),
    SEARCH_PAGE: Kind(Carries.PAGE),
    TAG: Kind(Carries.SHOWN, most=TAGS_SHOWN_MOST),
    IMPORT: Kind(Carries.USER, _args("yes", "no")),
    SUMMARY: Kind(Carries.USER, _args("4w", "3m", "1y", "all")),
}

_SHAPE = re.compile(r"([a-z]{1,3})(?::([1-9][0-9]{0,17}))?(?::([a-z0-9+-]{1,12}))?")


@dataclass(frozen=True, slots=True)
class Action:
    """A pressed button, parsed and checked against the table."""

    name: str
    number: int = 0  # what it means: ACTIONS[name].carries; read it through the properties
    arg: str | None = None

    def _number(self, carries: Carries) -> int:
        if ACTIONS[self.name].carries is not carries:
            raise ValueError(f"{self.name} carries no {carries.value}")
        return self.number

    @property
    def carries(self) -> Carries:
        return ACTIONS[self.name].carries

    @property
    def glimmer_id(self) -> int:
        return self._number(Carries.GLIMMER)

    @property
    def user_id(self) -> int:
        return self._number(Carries.USER)

    @property
    def page(self) -> int:
        return self._number(Carries.PAGE)

    @property
    def shown(self) -> int:
        """Which of the shown list, from 0."""
        return self._number(Carries.SHOWN) - 1

    @property
    def weeks_back(self) -> int:
        return self._number(Carries.WEEKS_BACK) - 1

    @property
    def setting(self) -> Setting:
        if self.name != SETTINGS or self.arg is None:
            raise ValueError(f"{self.name} is not a settings button")
        return _setting_of(self.arg)


def make(name: str, number: int | None = None, arg: str | int | None = None) -> str:
    """The callback data for a button. A WEEKS_BACK number is given as weeks back (0 and up)."""
    parts = [name]
    if number is not None:
        offset = 1 if ACTIONS[name].carries is Carries.WEEKS_BACK else 0
        parts.append(str(number + offset))
    if arg is not None:
        parts.append(str(arg))
    data = ":".join(parts)
    if parse(data) is None:
        raise ValueError(f"invalid callback data {data!r}")
    return data


def setting(user_id: int, choice: Choice, value: int | None = None) -> str:
    """A /settings button's data: `se:<user id>:<choice>`."""
    return make(SETTINGS, user_id, Setting(choice, value).encode())


def parse(data: str | None) -> Action | None:
    """The action a button names, or None for anything malformed or tampered with."""
    if not data:
        return None
    match = _SHAPE.fullmatch(data)
    if not match:
        return None
    name, number, arg = match.group(1), match.group(2), match.group(3)
    kind = ACTIONS.get(name)
    if kind is None or (kind.carries is Carries.NOTHING) != (number is None):
        return None
    if (kind.args is None) != (arg is None) or (kind.args is not None and arg not in kind.args):
        return None
    value = int(number) if number is not None else 0
    if value > kind.most:
        return None
    return Action(name, value, arg)


def pattern(*names: str) -> re.Pattern[str]:
    """A regex for CallbackQueryHandler matching these action names."""
    return re.compile(rf"^(?:{'|'.join(re.escape(n) for n in names)})(?::|$)")
