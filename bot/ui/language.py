"""Whose language the bot is speaking right now, and its words in that language.

Every word the bot says is written once, in English, in bot/ui/texts.py. Translations live in
gettext catalogs (bot/locale/<language>/LC_MESSAGES/glimmers.po, compiled to .mo), one
message per name in texts.py, with the name as the message's context so translators see
where each one is used.

The language is set once for each update, at the door (handlers/start.py), from the person's
stored choice or what Telegram reports for them; jobs that write to a person set it for that
person (`speaking`); work sent to the background process carries it along (`in_language`).
Reading `texts.NAME` then gives the words in that language: texts.py's module turns into a
`Spoken` module, whose attributes are looked up in the current language's catalog.

Dates and numbers are formatted by Babel, from the Unicode CLDR data for each language.
"""

from __future__ import annotations

import gettext
import types
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Literal, TypeVar

ENGLISH = "en"
# Each language the bot speaks, by its own name: the /language buttons.
LANGUAGES: Mapping[str, str] = {
    "en": "English",
    "de": "Deutsch",
    "es": "Español",
    "fr": "Français",
    "ru": "Русский",
}
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "glimmers"

_current: ContextVar[str] = ContextVar("language", default=ENGLISH)


def offered(code: str | None) -> str | None:
    """The language the bot speaks for Telegram's `code` ("de", "es-419" is Spanish, "DE",
    "fr_CA"), or None if it speaks none of it ("pt-br", or no code at all)."""
    if not code:
        return None
    if code in LANGUAGES:
        return code
    code = code.strip().lower().replace("_", "-")
    if code in LANGUAGES:
        return code
    main = code.split("-", 1)[0]
    return main if main in LANGUAGES else None


def from_telegram(code: str | None) -> str:
    """The language to speak to someone whose Telegram reports `code`: that one, or English."""
    return offered(code) or ENGLISH


def current() -> str:
    return _current.get()


def speak(language: str | None) -> None:
    """From here on in this update's handling, speak `language` (the door sets it): a code
    as stored or as Telegram reports it ("de", "DE", "de-AT"); English for any other."""
    _current.set(from_telegram(language))


@contextmanager
def speaking(language: str | None) -> Iterator[None]:
    """Speak `language` inside the block: a job writing to one person after another."""
    token = _current.set(from_telegram(language))
    try:
        yield
    finally:
        _current.reset(token)


R = TypeVar("R")


def in_language(language: str, work: Callable[..., R], /, *args: Any, **kwargs: Any) -> R:
    """Do `work` speaking `language`: for the background process, which has no update."""
    with speaking(language):
        return work(*args, **kwargs)


# --- Plural forms ------------------------------------------------------------------------------


class Plural:
    """A message with a number in it, in the forms a language needs ("1 glimmer", "2
    glimmers"; Russian has three). `by` names the placeholder holding the number, which is
    written the way the language writes numbers ("10,000", "10.000", "10 000")."""

    __slots__ = ("_language", "_name", "by", "one", "other")

    def __init__(self, one: str, other: str, *, by: str = "count") -> None:
        self.one = one
        self.other = other
        self.by = by
        self._language = ENGLISH
        self._name = ""

    def _in(self, language: str, name: str) -> Plural:
        spoken = Plural(self.one, self.other, by=self.by)
        spoken._language = language
        spoken._name = name
        return spoken

    def form(self, number: int) -> str:
        if self._language == ENGLISH:
            return self.one if number == 1 else self.other
        return _catalog(self._language).npgettext(self._name, self.one, self.other, number)

    def format(self, **values: Any) -> str:
        number = values[self.by]
        values[self.by] = format_number(number, self._language)
        return self.form(number).format(**values)

    def __repr__(self) -> str:
        return f"Plural({self.one!r}, {self.other!r}, by={self.by!r})"


# --- Catalogs ----------------------------------------------------------------------------------


@cache
def _catalog(language: str) -> gettext.NullTranslations:
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if language == ENGLISH or not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as file:
        return gettext.GNUTranslations(file)


def translate(name: str, english: object, language: str) -> Any:
    """`english` (the value named `name` in texts.py) in `language`.

    A string is one message; a Plural, one message with plural forms; a tuple or a dict of
    strings, one message per item (context "NAME.0" or "NAME.key")."""
    catalog = _catalog(language)
    if isinstance(english, str):
        return catalog.pgettext(name, english)
    if isinstance(english, Plural):
        return english._in(language, name)
    if isinstance(english, tuple):
        return tuple(translate(f"{name}.{i}", item, language) for i, item in enumerate(english))
    if isinstance(english, dict):
        return {key: translate(f"{name}.{key}", item, language) for key, item in english.items()}
    return english


def messages(module: types.ModuleType) -> Iterator[tuple[str, str | tuple[str, str]]]:
    """Every message in texts.py as (context, English): a pair for a plural. The order is
    the file's, so the catalogs read like texts.py."""
    for name, value in vars(module).items():
        if name.isupper():
            yield from _flatten(name, value)


def spoken_messages(module: types.ModuleType) -> Iterator[tuple[str, Any]]:
    """Every message in texts.py as (context, its words in the language being spoken): a
    string, or a Plural."""
    for context, _ in messages(module):
        name, _, key = context.partition(".")
        value = getattr(module, name)
        if key:
            value = value[int(key)] if isinstance(value, tuple) else value[key]
        yield context, value


def _flatten(name: str, value: object) -> Iterator[tuple[str, str | tuple[str, str]]]:
    if isinstance(value, str):
        yield name, value
    elif isinstance(value, Plural):
        yield name, (value.one, value.other)
    elif isinstance(value, tuple):
        for i, item in enumerate(value):
            yield from _flatten(f"{name}.{i}", item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _flatten(f"{name}.{key}", item)


class Spoken(types.ModuleType):
    """texts.py's module: `texts.NAME` gives NAME's words in the current language."""

    def __getattribute__(self, name: str) -> Any:
        value = types.ModuleType.__getattribute__(self, name)
        language = _current.get()
        if language == ENGLISH or not name.isupper():
            return value
        return _spoken(language, name, value)


_spoken_cache: dict[tuple[str, str], Any] = {}


def _spoken(language: str, name: str, english: object) -> Any:
    key = (language, name)
    try:
        return _spoken_cache[key]
    except KeyError:
        value = _spoken_cache[key] = translate(name, english, language)
        return value


def in_every_language(read: Callable[[], R]) -> list[R]:
    """`read()` once in each language: what a file exported in any of them may hold."""
    out = []
    for language in LANGUAGES:
        with speaking(language):
            out.append(read())
    return out


# --- Dates and numbers -------------------------------------------------------------------------


def format_number(number: int, language: str | None = None) -> str:
    language = language or _current.get()
    if language == ENGLISH:
        return f"{number:,}"
    from babel.numbers import format_decimal

    return str(format_decimal(number, locale=language))


def format_day(day: date, pattern: str) -> str:
    """A date by a CLDR skeleton ("MMMEd": "Sat 3 Jan", "yMMMd": "3 Jan 2026") or in full
    ("full": "Saturday, 3 January 2026"), in the current language's own order and words."""
    from babel.dates import format_date, format_skeleton

    locale = _babel_locale(_current.get())
    if pattern == "full":
        return str(format_date(day, "full", locale=locale))
    return str(format_skeleton(pattern, day, locale=locale))


DayWidth = Literal["abbreviated", "wide"]


def zone_name(zone: str) -> str:
    """A time zone as the person reads it: in English its own name ("Europe/London"); in
    another language, the city CLDR names it by in that language ("Лондон", "Wien"). Zones
    without a city ("Etc/GMT-2", "UTC") keep their own name."""
    language = _current.get()
    if language == ENGLISH or "/" not in zone or zone.startswith("Etc/"):
        return zone
    from babel.dates import get_timezone_location

    try:
        return str(get_timezone_location(zone, locale=language, return_city=True))
    except (LookupError, ValueError):
        return zone


def day_names(width: DayWidth = "abbreviated") -> tuple[str, ...]:
    """Monday to Sunday in the current language: "abbreviated" (Mon) or "wide" (Monday)."""
    return _day_names(_current.get(), width)


@cache
def _day_names(language: str, width: DayWidth) -> tuple[str, ...]:
    from babel.dates import get_day_names

    names = get_day_names(width, context="stand-alone", locale=_babel_locale(language))
    return tuple(str(names[day]) for day in range(7))


def _babel_locale(language: str) -> str:
    # British English for English: day before month, 24-hour times, as texts.py writes.
    return "en_GB" if language == ENGLISH else language
