"""The check-ins repository: which bot messages were check-ins, and which were answered."""

from __future__ import annotations

from datetime import datetime

from storage.db import Database
from storage.models import to_db_time


class CheckinRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def record_sent(
        self, *, user_id: int, chat_id: int, message_id: int, now: datetime
    ) -> None:
        # Only while the person exists: they may have used /forget while it was on its way.
        await self._db.execute(
            "INSERT INTO checkins (user_id, chat_id, message_id, sent_at)"
            " SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM users WHERE id = ?)"
            " ON CONFLICT (chat_id, message_id) DO NOTHING",
            (user_id, chat_id, message_id, to_db_time(now), user_id),
        )

    async def record_failure(self, *, blocked: bool, now: datetime) -> None:
        """A check-in that could not be delivered (counted for /stats; nobody is named)."""
        await self._db.execute(
            "INSERT INTO send_failures (failed_at, reason) VALUES (?, ?)",
            (to_db_time(now), "blocked" if blocked else "error"),
        )

    async def mark_answered(
        self, *, user_id: int, chat_id: int, message_id: int, now: datetime
    ) -> bool:
        """True if that message is one of this user's check-ins (answered now or before)."""
        rows = await self._db.fetchall(
            "UPDATE checkins SET answered_at = COALESCE(answered_at, ?)"
            " WHERE user_id = ? AND chat_id = ? AND message_id = ? RETURNING id",
            (to_db_time(now), user_id, chat_id, message_id),
        )
        return bool(rows)
