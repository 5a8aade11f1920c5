"""The weekly recap as plain data: counts, mixes and picks for one 7-day window.

No wording here; another module turns a WeekRecap into a message. Pure: no Telegram, no database.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.glimmers import BODY_CUES, LADDER, SENSES
from bot.domain.search import tag_counts
from storage.models import GlimmerBrief

WEEK_DAYS = 7
SAMPLE_SIZE = 3

# LADDER lists the states from safe down to shutdown, so the highest rank is the safest:
# shutdown=0 < mobilised=1 < safe=2.
LADDER_RANK = {code: len(LADDER) - 1 - index for index, code in enumerate(LADDER)}
SAFEST = LADDER[0]


@dataclass(frozen=True)
class WeekRecap:
    """What happened in one week of glimmers, in the person's local days."""

    start: date
    end: date
    total: int
    days_with_glimmers: int
    per_day: list[tuple[date, int]]
    senses: list[tuple[str, int]]
    body_cues: list[tuple[str, int]]
    savoured: int
    closer_to_safe: int
    top: GlimmerBrief | None
    samples: list[GlimmerBrief]
    streak_days: int
    tags: list[tuple[str, int]] = field(default_factory=list)  # most used first

    @property
    def is_empty(self) -> bool:
        return self.total == 0


def week_window(today: date, weeks_back: int = 0) -> tuple[date, date]:
    """The last 7 local days ending today (weeks_back=1 → the 7 days before that)."""
    end = today - timedelta(days=WEEK_DAYS * weeks_back)
    return end - timedelta(days=WEEK_DAYS - 1), end


def local_day(moment: datetime, zone: ZoneInfo) -> date:
    """The local date of a stored moment (a naive moment is read as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone).date()


def moved_closer_to_safe(before: str, after: str) -> bool:
    """True when `after` is higher on the ladder than `before`, or both are safe."""
    if before not in LADDER_RANK or after not in LADDER_RANK:
        return False
    return LADDER_RANK[after] > LADDER_RANK[before] or before == after == SAFEST


def _ranked(counts: Counter[str], order: Sequence[str]) -> list[tuple[str, int]]:
    """Most first; ties follow `order`, and codes not in `order` come last by name."""
    position = {code: index for index, code in enumerate(order)}
    return sorted(
        counts.items(), key=lambda item: (-item[1], position.get(item[0], len(order)), item[0])
    )


def _newest_first(glimmers: Iterable[GlimmerBrief]) -> list[GlimmerBrief]:
    return sorted(glimmers, key=lambda g: (g.created_at, g.id), reverse=True)


def _streak(days: set[date], end: date) -> int:
    streak = 0
    day = end
    while day in days:
        streak += 1
        day -= timedelta(days=1)
    return streak


def build_recap(glimmers: Sequence[GlimmerBrief], zone: ZoneInfo, start: date) -> WeekRecap:
    """Aggregate the glimmers whose local date (in `zone`) is in [start, start+6].

    Glimmers outside the window are not counted. The streak ends at the window's last day and
    may reach back before `start` when earlier glimmers are passed in too.
    """
    end = start + timedelta(days=WEEK_DAYS - 1)
    in_week: list[GlimmerBrief] = []
    per_day: Counter[date] = Counter()
    days_done: set[date] = set()
    for glimmer in glimmers:
        day = local_day(glimmer.created_at, zone)
        if day > end:
            continue
        days_done.add(day)
        if day >= start:
            in_week.append(glimmer)
            per_day[day] += 1

    senses: Counter[str] = Counter(g.sense for g in in_week if g.sense is not None)
    body_cues: Counter[str] = Counter(g.body_cue for g in in_week if g.body_cue is not None)

    savoured = 0
    closer = 0
    for glimmer in in_week:
        if glimmer.ladder_before is not None and glimmer.ladder_after is not None:
            savoured += 1
            if moved_closer_to_safe(glimmer.ladder_before, glimmer.ladder_after):
                closer += 1

    landed = [g for g in in_week if g.landed is not None]
    top = max(landed, key=lambda g: (g.landed or 0, g.created_at, g.id)) if landed else None

    newest = _newest_first(in_week)
    samples = [g for g in newest if g is not top][:SAMPLE_SIZE]
    if len(samples) < SAMPLE_SIZE and top is not None:
        samples = _newest_first([*samples, top])

    days = [start + timedelta(days=offset) for offset in range(WEEK_DAYS)]
    return WeekRecap(
        start=start,
        end=end,
        total=len(in_week),
        days_with_glimmers=len(per_day),
        per_day=[(day, per_day[day]) for day in days],
        senses=_ranked(senses, SENSES),
        body_cues=_ranked(body_cues, BODY_CUES),
        savoured=savoured,
        closer_to_safe=closer,
        top=top,
        samples=samples,
        streak_days=_streak(days_done, end),
        tags=tag_counts(g.text for g in in_week),
    )
