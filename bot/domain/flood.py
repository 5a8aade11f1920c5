"""Someone sending messages faster than anyone reads replies: keep every one, reply less.

Each person has a small budget of replies (a token bucket): a burst of BURST, refilled at
PER_MINUTE. Beyond it their glimmers are still saved at once, but the bot stays quiet and,
once they pause, sends one line saying how many more it kept. So one person's flood never
takes the shared sending rate from everyone else, and never trips Telegram's per-chat limit.
Kept in memory only: after a restart everyone starts with a full budget.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

# Telegram delivers about one message a second to one chat; a person typing quickly stays
# well inside a burst of 30 (bench/quicklog.py sends 20 each and sees every reply).
BURST = 30
PER_MINUTE = 60
REMEMBERED = 10_000


@dataclass
class _Bucket:
    tokens: float
    at: datetime
    held_back: int = 0


@dataclass
class ReplyBudget:
    burst: int = BURST
    per_minute: float = PER_MINUTE
    _buckets: dict[int, _Bucket] = field(default_factory=dict)

    def allow(self, user_id: int, now: datetime, *, kept: bool = True) -> bool:
        """True: reply as usual. False: the reply is held back, and counted among those the
        summary calls kept unless `kept` is False."""
        bucket = self._buckets.get(user_id)
        if bucket is None:
            if len(self._buckets) >= REMEMBERED:
                self._forget_full(now)
            bucket = self._buckets[user_id] = _Bucket(float(self.burst), now)
        elapsed = max((now - bucket.at).total_seconds(), 0.0)
        bucket.tokens = min(float(self.burst), bucket.tokens + elapsed * self.per_minute / 60)
        bucket.at = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return True
        if kept:
            bucket.held_back += 1
        return False

    def take_held_back(self, user_id: int) -> int:
        """How many replies were held back since the last call (and reset the count)."""
        bucket = self._buckets.get(user_id)
        if bucket is None:
            return 0
        count, bucket.held_back = bucket.held_back, 0
        return count

    def forget(self, user_id: int) -> None:
        """The person asked for everything to be deleted: this too."""
        self._buckets.pop(user_id, None)

    def _forget_full(self, now: datetime) -> None:
        """Drop people whose budget has refilled: they would start full anyway."""
        refill = 60 * self.burst / self.per_minute
        for user_id, bucket in list(self._buckets.items()):
            if not bucket.held_back and (now - bucket.at).total_seconds() >= refill:
                del self._buckets[user_id]
