"""Glimmers that come back: now and then one from before returns, to be felt again.

Which one: a glimmer from this day in an earlier year first, else one from about a month
ago or a starred one (at least a week old). The pick is the same all day for a person (seeded
by who they are and the local date), so a reminder or a second look shows the same one.
Reliving a good moment in the mind lifts mood more than rereading it (Bryant, Smart & King,
2005), so it comes with an invitation to let it come back in the body for about 20 seconds.
"""

from __future__ import annotations

import enum
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from storage.models import Remembered

MONTH_AGO = timedelta(days=30)
MONTH_SLACK = timedelta(days=4)  # "about a month ago": 26 to 34 days before today
STARRED_AT_LEAST = timedelta(days=7)
YEARS_BACK = 10


class When(enum.Enum):
    """How often glimmers come back (the person's setting)."""

    OFF = "off"
    WEEKLY = "weekly"  # with the weekly recap
    CHECKIN = "checkin"  # with each daily check-in (and the recap)


class Kind(enum.Enum):
    YEARS_AGO = "years ago"
    MONTH_AGO = "month ago"
    STARRED = "starred"


@dataclass(frozen=True, slots=True)
class Flashback:
    glimmer: Remembered
    kind: Kind
    years: int = 0  # for YEARS_AGO
    day: date | None = None  # the local day it was kept


def _local(moment: datetime, zone: ZoneInfo) -> date:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone).date()


def windows(today: date, zone: ZoneInfo) -> list[tuple[datetime, datetime]]:
    """UTC ranges [start, end) that hold every candidate but starred ones: this local day in
    each earlier year, and the days about a month ago. A day's slack each side for zones."""
    ranges = []
    for years in range(1, YEARS_BACK + 1):
        try:
            day = today.replace(year=today.year - years)
        except ValueError:  # 29 February in a year without one
            continue
        ranges.append(_utc_span(day, day, zone))
    ranges.append(_utc_span(today - MONTH_AGO - MONTH_SLACK, today - MONTH_AGO + MONTH_SLACK, zone))
    return ranges


def _utc_span(first: date, last: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(first - timedelta(days=1), time(), tzinfo=zone)
    end = datetime.combine(last + timedelta(days=2), time(), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def pick(
    glimmers: Sequence[Remembered], *, user_id: int, today: date, zone: ZoneInfo
) -> Flashback | None:
    """Today's glimmer to come back for this person, if any."""
    rng = random.Random(f"{user_id}:{today.isoformat()}")
    ordered = sorted(glimmers, key=lambda g: g.id)  # the same pick whatever the row order
    years_ago: list[Flashback] = []
    others: list[Flashback] = []
    for glimmer in ordered:
        day = _local(glimmer.created_at, zone)
        if day.month == today.month and day.day == today.day and day.year < today.year:
            years_ago.append(Flashback(glimmer, Kind.YEARS_AGO, today.year - day.year, day))
        elif abs((today - day) - MONTH_AGO) <= MONTH_SLACK:
            others.append(Flashback(glimmer, Kind.MONTH_AGO, day=day))
        elif glimmer.starred and today - day >= STARRED_AT_LEAST:
            others.append(Flashback(glimmer, Kind.STARRED, day=day))
    if years_ago:
        return rng.choice(years_ago)
    return rng.choice(others) if others else None
