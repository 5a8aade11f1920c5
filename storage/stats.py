"""Counts for the people who run the bot: how many, how active. Never content, never names."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Database
from storage.models import to_db_time


@dataclass(frozen=True, slots=True)
class Stats:
    users: int
    active_users: int
    glimmers_in_period: int
    glimmers_total: int
    checkins_sent: int
    checkins_failed: int


class StatsRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def since(self, *, start: datetime) -> Stats:
        """Counts over everything, and over [start, now) where a period applies."""
        since = to_db_time(start)
        # Full-table counts: on the read connection, so no save waits behind them.
        rows = await self._db.read_many(
            "SELECT"
            " (SELECT COUNT(*) FROM users) AS users,"
            " (SELECT COUNT(DISTINCT user_id) FROM glimmers WHERE created_at >= ?) AS active,"
            " (SELECT COUNT(*) FROM glimmers WHERE created_at >= ?) AS recent,"
            " (SELECT COUNT(*) FROM glimmers) AS total,"
            " (SELECT COUNT(*) FROM checkins WHERE sent_at >= ?) AS sent,"
            " (SELECT COUNT(*) FROM send_failures WHERE failed_at >= ?) AS failed",
            (since, since, since, since),
        )
        row = rows[0]
        return Stats(
            users=row["users"],
            active_users=row["active"],
            glimmers_in_period=row["recent"],
            glimmers_total=row["total"],
            checkins_sent=row["sent"],
            checkins_failed=row["failed"],
        )
