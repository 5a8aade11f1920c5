"""The users repository: who has written to the bot, and their preferences."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import aiosqlite

from storage.db import Database
from storage.models import User, from_db_time, to_db_time

PREFERENCES = frozenset(
    {
        "timezone",
        "savour_seconds",
        "ask_ladder",
        "checkin_minute",
        "window_start",
        "window_end",
        "checkin_days",
        "checkins_on",
        "paused_until",
        "skip_if_logged",
        "recap_day",
        "recap_minute",
        "recap_on",
        "streaks_on",
        "flashbacks",
        "language",
    }
)


def user_from_row(row: aiosqlite.Row) -> User:
    return User(
        id=row["id"],
        first_seen_at=from_db_time(row["first_seen_at"]),
        timezone=row["timezone"],
        savour_seconds=row["savour_seconds"],
        ask_ladder=bool(row["ask_ladder"]),
        glimmer_asked_at=from_db_time(asked) if (asked := row["glimmer_asked_at"]) else None,
        checkin_minute=row["checkin_minute"],
        window_start=row["window_start"],
        window_end=row["window_end"],
        checkin_days=row["checkin_days"],
        checkins_on=bool(row["checkins_on"]),
        paused_until=date.fromisoformat(p) if (p := row["paused_until"]) else None,
        skip_if_logged=bool(row["skip_if_logged"]),
        active=bool(row["active"]),
        next_checkin_at=from_db_time(n) if (n := row["next_checkin_at"]) else None,
        last_checkin_date=date.fromisoformat(d) if (d := row["last_checkin_date"]) else None,
        recap_day=row["recap_day"],
        recap_minute=row["recap_minute"],
        recap_on=bool(row["recap_on"]),
        next_recap_at=from_db_time(r) if (r := row["next_recap_at"]) else None,
        streaks_on=bool(row["streaks_on"]),
        flashbacks=row["flashbacks"],
        language=row["language"],
    )


class UserRepository:
    def __init__(self, db: Database) -> None:
        self._db = db
        # Ids known to have a row, so the hot path skips a database trip; never shrinks
        # below the truth because users are only removed through forget().
        self._known: set[int] = set()
        # Each person's language once read, so the door (handlers/start.py) reads it once.
        self._languages: dict[int, str] = {}
        self._forgets = 0  # a language read while someone was forgotten is not cached

    async def ensure(self, *, user_id: int, now: datetime) -> bool:
        """Make sure the user has an active row; True if this call created or reactivated it."""
        if user_id in self._known:
            return False
        changed = await self._db.execute(
            "INSERT INTO users (id, first_seen_at) VALUES (?, ?)"
            " ON CONFLICT (id) DO UPDATE SET active = 1 WHERE users.active = 0",
            (user_id, to_db_time(now)),
        )
        self._known.add(user_id)
        return changed > 0

    async def exists(self, *, user_id: int) -> bool:
        """Whether the person has a row (cached once seen, like ensure())."""
        if user_id in self._known:
            return True
        row = await self._db.fetchone("SELECT 1 FROM users WHERE id = ?", (user_id,))
        if row is not None:
            self._known.add(user_id)
        return row is not None

    async def language(self, *, user_id: int, reported: str | None = None) -> str | None:
        """The language the person speaks with the bot: as stored; or, stored the first time,
        `reported` (what Telegram says their language is); None while neither is known."""
        known = self._languages.get(user_id)
        if known is not None:
            return known
        forgets = self._forgets
        row = await self._db.fetchone("SELECT language FROM users WHERE id = ?", (user_id,))
        if row is None:
            return reported
        language: str | None = row["language"]
        if language is None:
            if reported is None:
                return None
            await self._db.execute(
                "UPDATE users SET language = ? WHERE id = ? AND language IS NULL",
                (reported, user_id),
            )
            language = reported
        if forgets == self._forgets:
            self._languages[user_id] = language
        return language

    async def get(self, *, user_id: int) -> User | None:
        row = await self._db.fetchone("SELECT * FROM users WHERE id = ?", (user_id,))
        return user_from_row(row) if row else None

    async def export_row(self, *, user_id: int) -> dict[str, Any] | None:
        """The person's settings as stored, for /export."""
        row = await self._db.fetchone("SELECT * FROM users WHERE id = ?", (user_id,))
        return dict(row) if row else None

    async def set_savour_seconds(self, *, user_id: int, seconds: int) -> None:
        await self._db.execute(
            "UPDATE users SET savour_seconds = ? WHERE id = ?", (seconds, user_id)
        )

    async def set_glimmer_asked(self, *, user_id: int, now: datetime) -> None:
        await self._db.execute(
            "UPDATE users SET glimmer_asked_at = ? WHERE id = ?", (to_db_time(now), user_id)
        )

    async def set_preferences(self, *, user_id: int, **values: object) -> None:
        """Change some of a person's settings (names checked against PREFERENCES)."""
        unknown = set(values) - PREFERENCES
        if unknown:
            raise ValueError(f"not a preference: {sorted(unknown)}")
        assignments = ", ".join(f"{name} = ?" for name in values)
        params = [
            v.isoformat() if isinstance(v, date) else int(v) if isinstance(v, bool) else v
            for v in values.values()
        ]
        await self._db.execute(f"UPDATE users SET {assignments} WHERE id = ?", [*params, user_id])
        if "language" in values:
            self._languages.pop(user_id, None)

    async def mark_inactive(self, *, user_id: int) -> None:
        """The person blocked the bot: no more check-ins until they write again."""
        await self._db.execute(
            "UPDATE users SET active = 0, next_checkin_at = NULL, remind_at = NULL,"
            " next_recap_at = NULL WHERE id = ?",
            (user_id,),
        )
        self._known.discard(user_id)

    async def forget(self, *, user_id: int) -> bool:
        """Delete every row of the person's, in every table, and leave none of it on disk.

        Glimmers and check-ins go with the user row (foreign keys, ON DELETE CASCADE); saved
        conversation states are keyed by [chat id, user id], the intake by user id.
        secure_delete zeroes the freed pages; the checkpoint then empties the write-ahead log,
        which still held the old rows.
        """
        self._known.discard(user_id)
        self._languages.pop(user_id, None)
        self._forgets += 1
        await self._db.execute(
            "DELETE FROM conversations WHERE EXISTS"
            " (SELECT 1 FROM json_each(conversations.key) WHERE value = ?)",
            (user_id,),
        )
        await self._db.execute("DELETE FROM intake WHERE user_id = ?", (user_id,))
        await self._db.execute("DELETE FROM users WHERE id = ?", (user_id,))
        # False: a long read kept the log from emptying; the caller tries again later.
        return await self._db.checkpoint()
