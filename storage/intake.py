"""The durable intake's table: updates written down before Telegram is told they arrived.

A row is written when an update arrives, its payload wiped once the update has been handled,
and the remaining marker swept away after a few minutes (long enough for Telegram to have
been told, so it never redelivers a handled update). The payload holds people's words, so it
is sealed like a glimmer under ENCRYPTION_KEY and removed by /forget with everything else.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from storage.batch import GroupCommit, Row
from storage.crypto import PLAIN, Place, TextBox
from storage.db import Database
from storage.models import to_db_time


def _place(update_id: int, user_id: int | None) -> Place:
    """A payload is bound to its person and its update: moved to another row, it won't open."""
    return Place(user_id or 0, update_id, "intake")


class IntakeRepository:
    def __init__(self, db: Database, box: TextBox = PLAIN) -> None:
        self._db = db
        self._box = box
        # A getUpdates batch arrives at once, and many updates are handled at once: their
        # writes, and their "done" marks, go together.
        self._writes = GroupCommit(self._insert_many, key=lambda row: row[0], values_per_row=4)
        self._done = GroupCommit(self._mark_done, key=lambda row: row[0], values_per_row=1)

    async def write(
        self, *, update_id: int, user_id: int | None, payload: str, now: datetime
    ) -> None:
        """Write an update down, with any others arriving at the same moment (one statement);
        one already there (a redelivery, or handled) is left as it is."""
        sealed = self._box.seal(payload, _place(update_id, user_id))
        await self._writes.submit([(update_id, user_id, sealed, to_db_time(now))])

    async def _insert_many(self, rows: list[Row]) -> dict[Any, Any]:
        values = ", ".join(["(?, ?, ?, ?)"] * len(rows))
        await self._db.execute(
            "INSERT INTO intake (update_id, user_id, payload, received_at)"
            f" VALUES {values} ON CONFLICT (update_id) DO NOTHING",
            [value for row in rows for value in row],
        )
        return {row[0]: True for row in rows}

    async def ids(self) -> list[int]:
        """Every update id in the table: waiting, or handled a moment ago."""
        rows = await self._db.fetchall("SELECT update_id FROM intake")
        return [row[0] for row in rows]

    async def done(self, update_id: int) -> None:
        """The update has been handled: wipe its words, keep the marker."""
        await self._done.submit([(update_id,)])

    async def _mark_done(self, rows: list[Row]) -> dict[Any, Any]:
        ids = [row[0] for row in rows]
        marks = ", ".join("?" * len(ids))
        await self._db.execute(
            f"UPDATE intake SET payload = NULL WHERE update_id IN ({marks})", ids
        )
        return {update_id: True for update_id in ids}

    async def pending(self) -> list[str]:
        """Every update written down but not handled (a crash or a stop came first), in order."""
        rows = await self._db.fetchall(
            "SELECT update_id, user_id, payload FROM intake WHERE payload IS NOT NULL"
            " ORDER BY update_id"
        )
        return [
            self._box.open(row["payload"], _place(row["update_id"], row["user_id"])) for row in rows
        ]

    async def sweep(self, *, before: datetime) -> int:
        """Remove the markers of updates handled before `before`."""
        return await self._db.execute(
            "DELETE FROM intake WHERE payload IS NULL AND received_at < ?", (to_db_time(before),)
        )
