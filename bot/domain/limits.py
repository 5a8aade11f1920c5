"""Generous limits per person: far above what anyone writes or asks for, low enough that no
one can fill the disk or keep the chart-and-export worker busy for everyone else.

Every allowance is a bucket that starts full and refills steadily, so a burst is fine and
a steady stream slows to the refill rate; nothing is refused for good. Kept in memory: after
a restart everyone starts full (the limits bound a rate, not a total).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

# One message keeps at most this many glimmers (a line each); the rest of it is not kept.
LINES_PER_MESSAGE = 100
# Glimmers kept in a day: a burst of this many, then the allowance comes back over the day.
GLIMMERS_PER_DAY = 500
# A recap (chart) at once this many times, then one every RECAP_EVERY.
RECAP_BURST = 10
RECAP_EVERY = timedelta(minutes=2)
# An export at once this many times, then one every EXPORT_EVERY.
EXPORT_BURST = 3
EXPORT_EVERY = timedelta(minutes=10)
# A search or a page of one at once this many times, then one every SEARCH_EVERY: each reads
# the whole journal (about 0.1 s of CPU for 10,000 glimmers).
SEARCH_BURST = 30
SEARCH_EVERY = timedelta(seconds=2)
# A journal file read at once this many times, then one every IMPORT_EVERY.
IMPORT_BURST = 5
IMPORT_EVERY = timedelta(minutes=5)
# Entries brought in from files: this many a day (a few years of a daily journal at once).
IMPORTED_PER_DAY = 20_000
# People remembered at once; beyond it, those whose allowance is full again are dropped.
REMEMBERED = 10_000


@dataclass
class _Bucket:
    level: float
    at: datetime


@dataclass
class Allowance:
    """Up to `burst` at once, refilled by one every `every`."""

    burst: int
    every: timedelta
    _buckets: dict[int, _Bucket] = field(default_factory=dict)

    def take(self, user_id: int, now: datetime, wanted: int = 1) -> int:
        """Takes up to `wanted` for this person; returns how many were granted."""
        bucket = self._refilled(user_id, now)
        granted = max(0, min(wanted, int(bucket.level)))
        bucket.level -= granted
        return granted

    def available(self, user_id: int, now: datetime) -> int:
        """How many this person could take now (nothing is taken)."""
        return int(self._refilled(user_id, now).level)

    def wait(self, user_id: int, now: datetime, wanted: int = 1) -> timedelta:
        """How long until this person has `wanted` again (zero if they have them now)."""
        bucket = self._refilled(user_id, now)
        missing = max(0.0, wanted - bucket.level)
        return self.every * missing

    def forget(self, user_id: int) -> None:
        self._buckets.pop(user_id, None)

    def _refilled(self, user_id: int, now: datetime) -> _Bucket:
        bucket = self._buckets.get(user_id)
        if bucket is None:
            if len(self._buckets) >= REMEMBERED:
                self._drop_full(now)
            bucket = self._buckets[user_id] = _Bucket(float(self.burst), now)
        elapsed = max((now - bucket.at) / self.every, 0.0)
        bucket.level = min(float(self.burst), bucket.level + elapsed)
        bucket.at = now
        return bucket

    def _drop_full(self, now: datetime) -> None:
        """Those who would be full again by now start full anyway if they come back."""
        for user_id, bucket in list(self._buckets.items()):
            if bucket.level + (now - bucket.at) / self.every >= self.burst:
                del self._buckets[user_id]


@dataclass
class Limits:
    """Every per-person allowance the bot keeps, and the messages already charged: a message
    handled again (its reply failed, or a replay) keeps what it kept the first time and is
    not charged twice."""

    glimmers: Allowance = field(
        default_factory=lambda: Allowance(GLIMMERS_PER_DAY, timedelta(days=1) / GLIMMERS_PER_DAY)
    )
    recaps: Allowance = field(default_factory=lambda: Allowance(RECAP_BURST, RECAP_EVERY))
    exports: Allowance = field(default_factory=lambda: Allowance(EXPORT_BURST, EXPORT_EVERY))
    searches: Allowance = field(default_factory=lambda: Allowance(SEARCH_BURST, SEARCH_EVERY))
    imports: Allowance = field(default_factory=lambda: Allowance(IMPORT_BURST, IMPORT_EVERY))
    imported: Allowance = field(
        default_factory=lambda: Allowance(IMPORTED_PER_DAY, timedelta(days=1) / IMPORTED_PER_DAY)
    )
    _charged: OrderedDict[tuple[int, int], int] = field(default_factory=OrderedDict)

    def glimmers_for(
        self, user_id: int, message: tuple[int, int], wanted: int, now: datetime
    ) -> int:
        """How many of a message's `wanted` lines it may keep (`message`: chat and message id)."""
        if message in self._charged:
            return min(wanted, self._charged[message])
        granted = self.glimmers.take(user_id, now, wanted)
        self._charged[message] = granted
        if len(self._charged) > REMEMBERED:
            self._charged.popitem(last=False)
        return granted

    def forget(self, user_id: int) -> None:
        for allowance in (
            self.glimmers,
            self.recaps,
            self.exports,
            self.searches,
            self.imports,
            self.imported,
        ):
            allowance.forget(user_id)
        for message in [m for m in self._charged if m[0] == user_id]:  # private chat = person
            del self._charged[message]
