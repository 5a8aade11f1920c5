"""When a person's next daily check-in falls, worked out in their own time zone.

Each person picks a local time (or a "surprise me" window), a time zone, the weekdays they want,
and maybe a date to pause until. The bot keeps only the next due moment, in UTC, and a minute
tick sends whatever is due. Everything here is plain calculation: the current time is always
passed in, and nothing here talks to Telegram or the database.

Daylight saving is handled with `zoneinfo`: a check-in at 20:00 stays at 20:00 on the clock on
the wall, whatever the clocks did that weekend.
"""

from __future__ import annotations

import math
import random
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo, available_timezones

ALL_DAYS: frozenset[int] = frozenset(range(7))
"""Every weekday, numbered as `date.weekday()` does: 0 is Monday and 6 is Sunday."""

# Enough days to get past a week of unwanted weekdays plus a day the calendar skipped.
_SEARCH_DAYS = 16
_MINUTES_PER_DAY = 24 * 60


@dataclass(frozen=True)
class CheckinPlan:
    """One person's check-in wishes, all in their own local time."""

    zone: str
    """An IANA time zone name, such as "Europe/London"."""
    at: time
    """The local clock time of the check-in, such as time(20, 0)."""
    days: frozenset[int] = ALL_DAYS
    """The weekdays a check-in may fall on (0 is Monday)."""
    window: tuple[time, time] | None = None
    """For "surprise me": a random minute from start up to (not including) end, picked afresh
    each day. An end of 00:00 means the end of the day. When set, `at` is ignored. A picked
    minute that the clocks skip that day works like a skipped `at`: the first minute after."""
    paused_until: date | None = None
    """No check-in on any local date up to and including this one."""


def local_date(instant: datetime, zone: ZoneInfo) -> date:
    """The calendar date that a clock in `zone` shows at this instant."""
    _require_aware(instant, "instant")
    return instant.astimezone(zone).date()


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The moment, in UTC, when the clocks in `zone` show `at` on `day`.

    When the clocks jump forward over that time (say 02:30 on a night they go from 02:00
    straight to 03:00), the answer is the first whole minute after the jump: 03:00 there.
    When the clocks go back and the time happens twice, the answer is the first of the two.
    """
    wall = datetime.combine(day, at.replace(tzinfo=None, fold=0))
    first = wall.replace(tzinfo=zone).astimezone(UTC)
    if _wall_clock(first, zone) == wall:
        return first
    return _end_of_gap(wall, zone)


def next_due(
    plan: CheckinPlan,
    after: datetime,
    *,
    rng: random.Random | None = None,
    last_sent_local_date: date | None = None,
) -> datetime:
    """The first moment strictly after `after` when a check-in is due, in UTC.

    It never falls on a local date up to and including `last_sent_local_date` (so at most one
    check-in per local day), on a weekday the plan leaves out, or on a paused date. With a
    window, one minute of it is picked at random with `rng` (which must then be given); a
    seeded `rng` gives the same answer every time. If today's window has already gone by, the
    pick is made in the next allowed day's window.

    Raises ValueError when `after` has no time zone, when the plan allows no weekdays (or names
    one outside 0..6), when a window is empty, or when a window comes without `rng`. An unknown
    zone name raises zoneinfo.ZoneInfoNotFoundError.
    """
    _require_aware(after, "after")
    if not plan.days:
        raise ValueError("a check-in plan needs at least one weekday")
    if not plan.days <= ALL_DAYS:
        raise ValueError(f"weekdays run from 0 (Monday) to 6 (Sunday), not {sorted(plan.days)}")
    minutes: range | None = None
    if plan.window is not None:
        minutes = _window_minutes(plan.window)
        if rng is None:
            raise ValueError("a check-in window needs a random number generator")
    zone = ZoneInfo(plan.zone)
    after_utc = after.astimezone(UTC)

    # Start a day early: near a backwards clock change the local date can briefly step back.
    day = local_date(after_utc, zone) - timedelta(days=1)
    for blocked_through in (last_sent_local_date, plan.paused_until):
        if blocked_through is not None and blocked_through >= day:
            day = blocked_through + timedelta(days=1)

    for _ in range(_SEARCH_DAYS):
        if day.weekday() in plan.days:
            if minutes is None:
                found = _fixed_time_on(day, plan.at, zone, after_utc)
            else:
                assert rng is not None
                found = _window_time_on(day, minutes, zone, after_utc, rng)
            if found is not None:
                return found
        day += timedelta(days=1)
    raise RuntimeError(f"no check-in time found within {_SEARCH_DAYS} days of {after_utc}")


def parse_time(text: str) -> time | None:
    """Read a time of day the way people type it, or None if it isn't one.

    Understands "20:30", "2030", "20.30", "20h30", "20", "8pm", "8 pm", "8.30 pm", "8:30PM",
    "8:30 p.m.", "noon" and "midnight", and with the hour's word in the languages the bot
    speaks ("20 Uhr", "20:30 Uhr", "20 h", "20 ч"). Hours and minutes out of range ("25:00",
    "8:61", "13pm") give None.
    """
    cleaned = " ".join(text.strip().lower().split())
    cleaned = _HOUR_WORD.sub("", cleaned)
    if cleaned in _NAMED_TIMES:
        return _NAMED_TIMES[cleaned]
    match = _SPLIT_TIME.fullmatch(cleaned) or _COMPACT_TIME.fullmatch(cleaned)
    if match is None:
        return None
    hour = int(match["hour"])
    minute = int(match["minute"] or 0)
    meridiem = match["meridiem"]
    if meridiem is not None:
        if not 1 <= hour <= 12:
            return None
        hour %= 12
        if meridiem.startswith("p"):
            hour += 12
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def find_zone(text: str) -> str | None:
    """Find the IANA time zone someone means, or None if nothing or too much matches.

    Tries, in order: a full zone name in any letter case ("europe/berlin"); an offset from UTC
    in whole hours ("UTC+2", "GMT-5"), which gives an "Etc/GMT" zone; then a one-word name or
    the end of a zone name, usually the city ("UTC", "london", "new york", "são paulo",
    "indiana/indianapolis"). Spaces, underscores and hyphens count as the same, and accents are
    ignored. When a city matches more than one zone, zones in the main areas (Africa, America,
    Asia, Atlantic, Australia, Europe, Indian, Pacific) win over older aliases such as "US/..."
    or "Singapore"; if several still match and they are all names for one zone, that zone's
    main name is returned.
    """
    raw = " ".join(text.strip().lower().split())
    key = _normalise(raw)
    if not key:
        return None
    names = _zone_index()
    if "/" in key and key in names.full:
        return names.full[key]  # a bare word such as "singapore" goes the city way below
    offset = _UTC_OFFSET.fullmatch(raw)
    if offset is not None:
        return _etc_zone(offset["sign"], int(offset["hours"]), int(offset["minutes"] or 0))
    found = _pick(names.tails.get(key, frozenset()), names)
    if found is None:
        found = _local_city_names().get(key)  # "Wien", "Londres", "Москва"
    if found is None and "," in raw:
        # "Berlin, Germany": try the place before the comma.
        return find_zone(raw.split(",", 1)[0])
    return found


def zone_for_location(latitude: float, longitude: float) -> str:
    """A rough time zone for a shared location, for when nothing better is to hand.

    Works offline from the longitude alone: 15 degrees for each hour from Greenwich, giving a
    fixed "Etc/GMT" zone. It knows nothing about borders or daylight saving, so it can be an hour
    or more out; suggest it, don't insist on it. Mind that "Etc/GMT" names have their sign the
    other way round: UTC+2 is "Etc/GMT-2". The result is kept within the zones that exist
    (UTC-12 to UTC+14). The latitude is only checked, not used.
    """
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        raise ValueError("latitude and longitude must be ordinary numbers")
    if not -90 <= latitude <= 90:
        raise ValueError(f"latitude {latitude} is outside -90..90")
    if not -180 <= longitude <= 180:
        longitude = (longitude + 180) % 360 - 180
    hours = min(max(math.floor(longitude / 15 + 0.5), -12), 14)
    if hours == 0:
        return "Etc/GMT"
    return f"Etc/GMT{-hours:+d}"


# --- check-in helpers -------------------------------------------------------------------------


def _require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must carry a time zone")


def _wall_clock(instant: datetime, zone: ZoneInfo) -> datetime:
    """What the clocks in `zone` show at `instant`, without the zone attached."""
    return instant.astimezone(zone).replace(tzinfo=None, fold=0)


def _end_of_gap(wall: datetime, zone: ZoneInfo) -> datetime:
    """For a wall time the clocks skipped: the first whole minute after the skip, in UTC."""
    # The two readings of a skipped time fall either side of the jump itself.
    readings = (wall.replace(tzinfo=zone, fold=0), wall.replace(tzinfo=zone, fold=1))
    earlier, later = sorted(reading.timestamp() for reading in readings)
    low, high = math.floor(earlier), math.ceil(later)
    # The first second at which the clock shows `wall` or later is the moment of the jump.
    while low < high:
        middle = (low + high) // 2
        if _wall_clock(datetime.fromtimestamp(middle, UTC), zone) >= wall:
            high = middle
        else:
            low = middle + 1
    jump = datetime.fromtimestamp(low, UTC)
    shown = _wall_clock(jump, zone)
    if shown.second or shown.microsecond:  # only in old local-mean-time offsets
        jump += timedelta(minutes=1) - timedelta(
            seconds=shown.second, microseconds=shown.microsecond
        )
    return jump


def _minute_of(moment: time, *, round_up: bool) -> int:
    minute = moment.hour * 60 + moment.minute
    if round_up and (moment.second or moment.microsecond):
        minute += 1
    return minute


def _window_minutes(window: tuple[time, time]) -> range:
    """The minutes of the day, counted from midnight, that a window allows."""
    start, end = window
    first = _minute_of(start, round_up=True)
    stop = _MINUTES_PER_DAY if end == time(0) else _minute_of(end, round_up=True)
    if first >= stop:
        raise ValueError(f"the check-in window {start}-{end} holds no minute")
    return range(first, stop)


def _fixed_time_on(day: date, at: time, zone: ZoneInfo, after: datetime) -> datetime | None:
    instant = local_instant(day, at, zone)
    if instant > after and local_date(instant, zone) == day:
        return instant
    return None


def _window_time_on(
    day: date, minutes: range, zone: ZoneInfo, after: datetime, rng: random.Random
) -> datetime | None:
    """A random minute of the window on `day` that is still to come, or None."""

    def instant_of(minute: int) -> datetime:
        return local_instant(day, time(minute // 60, minute % 60), zone)

    def still_to_come(minute: int) -> bool:
        return instant_of(minute) > after

    # Later wall times never come sooner, so the minutes still to come are a tail of the range.
    first = 0 if still_to_come(minutes[0]) else bisect_left(minutes, True, key=still_to_come)
    if first == len(minutes):
        return None
    instant = instant_of(minutes[rng.randrange(first, len(minutes))])
    return instant if local_date(instant, zone) == day else None


# --- typed times --------------------------------------------------------------------------------

_NAMED_TIMES: Mapping[str, time] = {
    "noon": time(12, 0),
    "midday": time(12, 0),
    "12 noon": time(12, 0),
    "midnight": time(0, 0),
    "12 midnight": time(0, 0),
}
_MERIDIEM = r"(?:\s*(?P<meridiem>a\.?m\.?|p\.?m\.?|a|p))?"
# "8", "8pm", "20:30", "20.30", "20h30", "20h", "8 30", "8.30 pm"
_SPLIT_TIME = re.compile(
    r"(?P<hour>[0-9]{1,2})(?:(?:\s*[:.h]\s*|\s)(?P<minute>[0-9]{2})|\s*h)?" + _MERIDIEM,
    re.ASCII,
)
# The hour's word after a time: German "Uhr", Spanish "h"/"hs", Russian "ч"/"часов".
_HOUR_WORD = re.compile(r"(?<=\d)\s*(?:uhr|hrs?|hs|ч\.?|час(?:ов|а)?)\.?$")
# "2030", "830", "830pm"
_COMPACT_TIME = re.compile(r"(?P<hour>[0-9]{1,2})(?P<minute>[0-9]{2})" + _MERIDIEM, re.ASCII)


# --- time zones -----------------------------------------------------------------------------------

_MAIN_AREAS = frozenset(
    {"Africa", "America", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific"}
)
_UTC_OFFSET = re.compile(
    r"(?:utc|gmt)\s*(?P<sign>[+-])\s*(?P<hours>[0-9]{1,2})(?::?(?P<minutes>[0-9]{2}))?",
    re.ASCII,
)


@dataclass(frozen=True)
class _ZoneIndex:
    names: frozenset[str]
    full: Mapping[str, str]
    """Normalised full name -> zone name."""
    tails: Mapping[str, frozenset[str]]
    """Normalised ending of a name ("london", "indiana/indianapolis") -> zone names."""
    links: Mapping[str, str]
    """Alias -> the zone it is another name for, where tzdata says so."""


@cache
def _local_city_names() -> dict[str, str]:
    """Zone cities as German, Spanish, French and Russian write them (the Unicode CLDR's
    exemplar cities, from Babel): "wien" -> Europe/Vienna. Read on first need."""
    from babel import Locale

    found: dict[str, str] = {}
    zones = available_timezones()
    for language in ("de", "es", "fr", "ru"):
        for zone, names in Locale(language).time_zones.items():
            city = names.get("city")
            if city and zone in zones:
                found.setdefault(_normalise(str(city)), zone)
    return found


def _normalise(text: str) -> str:
    """Lower case, no accents, and one "_" wherever there were spaces, underscores or hyphens."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    plain = re.sub(r"\s*/\s*", "/", plain.strip())
    return re.sub(r"[\s_-]+", "_", plain)


@cache
def _zone_index() -> _ZoneIndex:
    full: dict[str, str] = {}
    tails: dict[str, set[str]] = {}
    names = frozenset(available_timezones())
    for name in names:
        key = _normalise(name)
        full[key] = name
        if name.startswith("Etc/"):
            continue  # "GMT+2" typed by a person means the opposite of Etc/GMT+2
        parts = key.split("/")
        for start in range(len(parts)):
            tails.setdefault("/".join(parts[start:]), set()).add(name)
    return _ZoneIndex(
        names=names,
        full=full,
        tails={key: frozenset(names) for key, names in tails.items()},
        links=_read_links(),
    )


def _read_links() -> dict[str, str]:
    """Alias -> main name, from the tzdata package's source file; empty if it is not there."""
    try:
        source = resources.files("tzdata.zoneinfo").joinpath("tzdata.zi").read_text("utf-8")
    except (ModuleNotFoundError, OSError):
        return {}
    links: dict[str, str] = {}
    for line in source.splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[0] == "L":
            links[fields[2]] = fields[1]
    return links


def _pick(candidates: frozenset[str], index: _ZoneIndex) -> str | None:
    if not candidates:
        return None
    main = {name for name in candidates if name.split("/", 1)[0] in _MAIN_AREAS}
    remaining = main or set(candidates)
    if len(remaining) == 1:
        return next(iter(remaining))
    targets = {index.links.get(name, name) for name in remaining}
    if len(targets) == 1 and (target := next(iter(targets))) in index.names:
        return target
    return None


def _etc_zone(sign: str, hours: int, minutes: int) -> str | None:
    """The Etc zone for UTC`sign``hours`, if one exists (they come in whole hours only)."""
    if minutes:
        return None
    if hours == 0:
        return "Etc/GMT"
    east = sign == "+"
    if hours > (14 if east else 12):
        return None
    return f"Etc/GMT{'-' if east else '+'}{hours}"
