"""Due check-ins: who is due now, and claiming a send so it happens at most once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from storage.db import Database
from storage.models import Move, User, from_db_time, to_db_time
from storage.users import user_from_row

CLAIM_CHUNK = 5_000  # four values a row, inside SQLite's 32,766 bound values


class ScheduleRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def due(
        self, *, now: datetime, limit: int = 20_000
    ) -> list[tuple[User, datetime | None]]:
        """Everyone whose next check-in is at or before `now` (indexed), oldest first, each
        with the moment of their latest glimmer (for "skip if already logged today")."""
        rows = await self._db.fetchall(
            "SELECT users.*, (SELECT MAX(created_at) FROM glimmers"
            "  WHERE glimmers.user_id = users.id) AS last_glimmer_at"
            " FROM users WHERE next_checkin_at <= ? ORDER BY next_checkin_at LIMIT ?",
            (to_db_time(now), limit),
        )
        return [
            (user_from_row(row), from_db_time(last) if (last := row["last_glimmer_at"]) else None)
            for row in rows
        ]

    async def claim(self, moves: Sequence[Move]) -> set[int]:
        """Move each user's next check-in on, only where nobody else did first.

        Returns the ids this caller now owns: a second tick, or a restarted bot racing the
        first, finds those rows already moved and gets nothing. One statement per chunk.
        """
        claimed: set[int] = set()
        for start in range(0, len(moves), CLAIM_CHUNK):
            chunk = moves[start : start + CLAIM_CHUNK]
            values = ", ".join(["(?, ?, ?, ?)"] * len(chunk))
            params: list[object] = []
            for move in chunk:
                params += [
                    move.user_id,
                    to_db_time(move.was_due),
                    to_db_time(move.next_at) if move.next_at else None,
                    move.day.isoformat(),
                ]
            rows = await self._db.fetchall(
                f"WITH moves (id, was_due, next_at, day) AS (VALUES {values})"
                " UPDATE users SET next_checkin_at = moves.next_at,"
                " last_checkin_date = moves.day"
                " FROM moves WHERE users.id = moves.id AND users.next_checkin_at = moves.was_due"
                " RETURNING users.id",
                params,
            )
            claimed.update(row["id"] for row in rows)
        return claimed

    async def set_next(
        self, *, user_id: int, next_at: datetime | None, next_recap_at: datetime | None
    ) -> None:
        await self._db.execute(
            "UPDATE users SET next_checkin_at = ?, next_recap_at = ? WHERE id = ?",
            (
                to_db_time(next_at) if next_at else None,
                to_db_time(next_recap_at) if next_recap_at else None,
                user_id,
            ),
        )

    async def due_recaps(self, *, now: datetime, limit: int = 20_000) -> list[User]:
        rows = await self._db.fetchall(
            "SELECT * FROM users WHERE next_recap_at <= ? ORDER BY next_recap_at LIMIT ?",
            (to_db_time(now), limit),
        )
        return [user_from_row(row) for row in rows]

    async def claim_recap(self, *, user_id: int, was_due: datetime, next_at: datetime) -> bool:
        rows = await self._db.fetchall(
            "UPDATE users SET next_recap_at = ? WHERE id = ? AND next_recap_at = ? RETURNING id",
            (to_db_time(next_at), user_id, to_db_time(was_due)),
        )
        return bool(rows)

    async def set_reminder(self, *, user_id: int, at: datetime) -> None:
        await self._db.execute(
            "UPDATE users SET remind_at = ? WHERE id = ? AND active = 1",
            (to_db_time(at), user_id),
        )

    async def claim_reminders(self, *, now: datetime) -> list[int]:
        """Take every reminder that is due; each is returned to exactly one caller."""
        rows = await self._db.fetchall(
            "UPDATE users SET remind_at = NULL WHERE remind_at <= ? RETURNING id",
            (to_db_time(now),),
        )
        return [row["id"] for row in rows]

    async def unscheduled(self) -> list[int]:
        """Active people with check-ins or recaps on but no next moment stored (for example
        everyone who arrived before check-ins existed)."""
        rows = await self._db.fetchall(
            "SELECT id FROM users WHERE active = 1 AND ((checkins_on = 1 AND"
            " next_checkin_at IS NULL) OR (recap_on = 1 AND next_recap_at IS NULL))"
        )
        return [row["id"] for row in rows]
