"""The users repository: who has written to the bot, and their preferences."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from storage.db import Database
from storage.models import User, from_db_time, to_db_time


def _user(row: aiosqlite.Row) -> User:
    return User(
        id=row["id"],
        first_seen_at=from_db_time(row["first_seen_at"]),
        timezone=row["timezone"],
        savour_seconds=row["savour_seconds"],
        ask_ladder=bool(row["ask_ladder"]),
        glimmer_asked_at=from_db_time(asked) if (asked := row["glimmer_asked_at"]) else None,
    )


class UserRepository:
    def __init__(self, db: Database) -> None:
        self._db = db
        # Ids known to have a row, so the hot path skips a database trip; never shrinks
        # below the truth because users are only removed through forget().
        self._known: set[int] = set()

    async def ensure(self, *, user_id: int, now: datetime) -> bool:
        """Make sure the user has a row; True if this call created it."""
        if user_id in self._known:
            return False
        changed = await self._db.execute(
            "INSERT INTO users (id, first_seen_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING",
            (user_id, to_db_time(now)),
        )
        self._known.add(user_id)
        return changed > 0

    async def get(self, *, user_id: int) -> User | None:
        row = await self._db.fetchone("SELECT * FROM users WHERE id = ?", (user_id,))
        return _user(row) if row else None

    async def set_savour_seconds(self, *, user_id: int, seconds: int) -> None:
        await self._db.execute(
            "UPDATE users SET savour_seconds = ? WHERE id = ?", (seconds, user_id)
        )

    async def set_glimmer_asked(self, *, user_id: int, now: datetime) -> None:
        await self._db.execute(
            "UPDATE users SET glimmer_asked_at = ? WHERE id = ?", (to_db_time(now), user_id)
        )

    async def forget(self, *, user_id: int) -> None:
        """Delete the user and, through the foreign keys, everything of theirs."""
        await self._db.execute("DELETE FROM users WHERE id = ?", (user_id,))
        self._known.discard(user_id)
