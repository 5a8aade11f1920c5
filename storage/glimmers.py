"""The glimmers repository. Every query is scoped to the user who owns the glimmer."""

from __future__ import annotations

import asyncio
import secrets
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

import aiosqlite

from storage.batch import GroupCommit, Row
from storage.crypto import PLAIN, Place, TextBox
from storage.db import Database
from storage.models import (
    Findable,
    Glimmer,
    GlimmerBrief,
    Incoming,
    Remembered,
    from_db_time,
    to_db_time,
)

T = TypeVar("T")

# Columns holding what a person wrote: sealed when encryption at rest is on.
SEALED = frozenset({"text", "body_note"})

# Columns a conversation step may set; anything else is refused before it reaches SQL.
EDITABLE = frozenset(
    {
        "text",
        "sense",
        "body_cue",
        "body_note",
        "ladder_before",
        "ladder_after",
        "savour_seconds",
        "landed",
        "status",
        "savour_due_at",
        "starred",
    }
)


# Saving lines of a message: a line already saved (same chat, message and line) is kept as it
# was (a redelivered update), or takes the new text (an edited message), sealed for that very
# row (the same ref). Never another's.
_KEEP_SAVED = "updated_at = glimmers.updated_at WHERE glimmers.user_id = excluded.user_id"
_TAKE_NEW_TEXT = (
    "text = excluded.text, updated_at = excluded.updated_at"
    " WHERE glimmers.user_id = excluded.user_id AND glimmers.ref = excluded.ref"
)


def _insert_sql(count: int, *, on_conflict: str) -> str:
    values = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?)"] * count)
    return (
        "INSERT INTO glimmers (ref, user_id, text, status, created_at, updated_at,"
        " source_chat_id, source_message_id, source_line)"
        f" VALUES {values}"
        " ON CONFLICT (source_chat_id, source_message_id, source_line)"
        f" DO UPDATE SET {on_conflict}"
        " RETURNING *"
    )


# A glimmer's ref: the number people see (in buttons and exports) and what its sealed text is
# bound to. Random, so it says nothing of how many glimmers anyone has; bit 40 set, so it
# never equals a ref kept from before (an old id). Unique per person (a repeat, about one in
# 2**52 per glimmer of theirs, fails that save rather than mixing two glimmers).
REF_BITS = 53  # exact in JSON and JavaScript numbers
REF_MARK = 1 << 40


def new_ref() -> int:
    return secrets.randbits(REF_BITS) | REF_MARK


def _opened(row: aiosqlite.Row | Mapping[str, Any], box: TextBox) -> tuple[str, str | None]:
    """A row's text and body note, opened where they were sealed (owner, ref, column)."""
    user_id, ref = row["user_id"], row["ref"]
    return (
        box.open(row["text"], Place(user_id, ref, "text")),
        box.open_optional(row["body_note"], Place(user_id, ref, "body_note")),
    )


def _glimmer(row: aiosqlite.Row, box: TextBox) -> Glimmer:
    due = row["savour_due_at"]
    text, body_note = _opened(row, box)
    return Glimmer(
        id=row["ref"],  # the internal id stays in the database
        user_id=row["user_id"],
        text=text,
        sense=row["sense"],
        body_cue=row["body_cue"],
        body_note=body_note,
        ladder_before=row["ladder_before"],
        ladder_after=row["ladder_after"],
        savour_seconds=row["savour_seconds"],
        landed=row["landed"],
        status=row["status"],
        created_at=from_db_time(row["created_at"]),
        updated_at=from_db_time(row["updated_at"]),
        savour_due_at=from_db_time(due) if due else None,
        source_chat_id=row["source_chat_id"],
        source_message_id=row["source_message_id"],
        source_line=row["source_line"],
        starred=bool(row["starred"]),
    )


class GlimmerRepository:
    def __init__(self, db: Database, box: TextBox = PLAIN) -> None:
        self._db = db
        self._box = box
        # (chat, message, line) identifies a row; a row of another user's is not returned.
        self._inserts = GroupCommit(
            self._insert_many, key=lambda row: (row[6], row[7], row[8]), values_per_row=9
        )

    def _glimmer(self, row: aiosqlite.Row) -> Glimmer:
        return _glimmer(row, self._box)

    async def add_lines(
        self,
        *,
        user_id: int,
        chat_id: int,
        message_id: int,
        lines: Sequence[str],
        now: datetime,
        status: str = "complete",
    ) -> list[Glimmer]:
        """Save one glimmer per line of a message, in one statement with any others waiting.

        Idempotent: the same (chat, message, line) returns the row already saved, so a
        redelivered update never makes a second glimmer.
        """
        if not lines:
            return []
        rows = self._rows(user_id, chat_id, message_id, lines, now, status)
        return await self._inserts.submit(rows)

    def _rows(
        self,
        user_id: int,
        chat_id: int,
        message_id: int,
        lines: Sequence[str],
        now: datetime,
        status: str,
        refs: Mapping[int, int] | None = None,
    ) -> list[Row]:
        """The values of _insert_sql's rows: one glimmer per line of a message, each sealed
        for its ref (`refs`: the lines already saved, by line number; new ones get a new ref)."""
        stamp = to_db_time(now)
        seal = self._box.seal
        rows: list[Row] = []
        for index, line in enumerate(lines):
            ref = refs.get(index) if refs else None
            ref = ref if ref is not None else new_ref()
            text = seal(line, Place(user_id, ref, "text"))
            rows.append((ref, user_id, text, status, stamp, stamp, chat_id, message_id, index))
        return rows

    async def _insert_many(self, rows: list[Row]) -> dict[Any, Glimmer]:
        found = await self._db.fetchall(
            _insert_sql(len(rows), on_conflict=_KEEP_SAVED),
            [value for row in rows for value in row],
        )
        glimmers = (self._glimmer(row) for row in found)
        return {(g.source_chat_id, g.source_message_id, g.source_line): g for g in glimmers}

    async def start_draft(
        self, *, user_id: int, chat_id: int, message_id: int, text: str, now: datetime
    ) -> Glimmer | None:
        """Begin a guided glimmer with its first answer; any other draft is completed first."""
        await self.complete_drafts(user_id=user_id, now=now)
        saved = await self.add_lines(
            user_id=user_id,
            chat_id=chat_id,
            message_id=message_id,
            lines=[text],
            now=now,
            status="draft",
        )
        return saved[0] if saved else None

    async def get(self, *, user_id: int, glimmer_id: int) -> Glimmer | None:
        row = await self._db.fetchone(
            "SELECT * FROM glimmers WHERE ref = ? AND user_id = ?", (glimmer_id, user_id)
        )
        return self._glimmer(row) if row else None

    async def active_draft(self, *, user_id: int) -> Glimmer | None:
        row = await self._db.fetchone(
            "SELECT * FROM glimmers WHERE user_id = ? AND status = 'draft'", (user_id,)
        )
        return self._glimmer(row) if row else None

    async def drafts(self) -> list[Glimmer]:
        """Every unfinished guided glimmer, for resuming timers after a restart."""
        rows = await self._db.fetchall("SELECT * FROM glimmers WHERE status = 'draft'")
        return [self._glimmer(row) for row in rows]

    async def update(
        self, *, user_id: int, glimmer_id: int, now: datetime, **fields: Any
    ) -> Glimmer | None:
        """Set some fields of one of the user's glimmers; None if it is not theirs."""
        unknown = set(fields) - EDITABLE
        if unknown:
            raise ValueError(f"not editable: {sorted(unknown)}")
        values = {
            key: to_db_time(value) if isinstance(value, datetime) else value
            for key, value in fields.items()
        }
        for key in SEALED & values.keys():
            values[key] = self._box.seal_optional(values[key], Place(user_id, glimmer_id, key))
        assignments = ", ".join(f"{key} = ?" for key in values)
        row = await self._db.fetchone(
            f"UPDATE glimmers SET {assignments}, updated_at = ?"
            " WHERE ref = ? AND user_id = ? RETURNING *",
            [*values.values(), to_db_time(now), glimmer_id, user_id],
        )
        return self._glimmer(row) if row else None

    async def reopen(
        self, *, user_id: int, glimmer_id: int, now: datetime, known: Glimmer | None = None
    ) -> Glimmer | None:
        """Make one of the user's glimmers the draft a conversation is working on. `known` is
        the row as the caller already read it for this user, to save reading it again."""
        current = (
            known if known is not None else await self.get(user_id=user_id, glimmer_id=glimmer_id)
        )
        if current is None or current.user_id != user_id or current.id != glimmer_id:
            return None
        if current.is_draft:
            return current
        await self.complete_drafts(user_id=user_id, now=now)
        return await self.update(user_id=user_id, glimmer_id=glimmer_id, now=now, status="draft")

    async def complete(self, *, user_id: int, glimmer_id: int, now: datetime) -> Glimmer | None:
        return await self.update(
            user_id=user_id, glimmer_id=glimmer_id, now=now, status="complete", savour_due_at=None
        )

    async def complete_drafts(self, *, user_id: int, now: datetime) -> int:
        return await self._db.execute(
            "UPDATE glimmers SET status = 'complete', savour_due_at = NULL, updated_at = ?"
            " WHERE user_id = ? AND status = 'draft'",
            (to_db_time(now), user_id),
        )

    async def delete(self, *, user_id: int, glimmer_id: int) -> bool:
        changed = await self._db.execute(
            "DELETE FROM glimmers WHERE ref = ? AND user_id = ?", (glimmer_id, user_id)
        )
        return changed > 0

    async def delete_with_siblings(self, *, user_id: int, glimmer_id: int) -> int:
        """Delete a glimmer and the others saved from the same message (Undo)."""
        rows = await self._db.fetchall(
            "DELETE FROM glimmers WHERE user_id = :user AND (ref = :id OR"
            " (source_chat_id, source_message_id) = (SELECT source_chat_id, source_message_id"
            "  FROM glimmers WHERE ref = :id AND user_id = :user))"
            " RETURNING id",
            {"user": user_id, "id": glimmer_id},
        )
        return len(rows)

    async def siblings(self, *, user_id: int, glimmer_id: int) -> list[Glimmer]:
        """The glimmers saved from the same message as this one, in line order."""
        rows = await self._db.fetchall(
            "SELECT * FROM glimmers WHERE user_id = :user AND (ref = :id OR"
            " (source_chat_id, source_message_id) = (SELECT source_chat_id, source_message_id"
            "  FROM glimmers WHERE ref = :id AND user_id = :user))"
            " ORDER BY source_line",
            {"user": user_id, "id": glimmer_id},
        )
        return [self._glimmer(row) for row in rows]

    async def apply_edit(
        self,
        *,
        user_id: int,
        chat_id: int,
        message_id: int,
        lines: Sequence[str],
        now: datetime,
        most_lines: int | None = None,
    ) -> list[Glimmer]:
        """Bring the glimmers saved from an edited message in line with its new text, keeping
        at most `most_lines` of them (a guided draft keeps its one, whatever the text).

        Returns the updated glimmers, or an empty list when that message saved none.
        """
        existing = await self._db.fetchall(
            "SELECT source_line, status, ref FROM glimmers"
            " WHERE user_id = ? AND source_chat_id = ? AND source_message_id = ?",
            (user_id, chat_id, message_id),
        )
        if not existing or not lines:
            return []
        # A guided draft keeps one line: the conversation owns that glimmer.
        if any(row["status"] == "draft" for row in existing):
            lines = ["\n".join(lines)]
        elif most_lines is not None:
            lines = lines[:most_lines]
        refs = {row["source_line"]: row["ref"] for row in existing}
        new = self._rows(user_id, chat_id, message_id, lines, now, "complete", refs)
        rows = await self._db.fetchall(
            _insert_sql(len(new), on_conflict=_TAKE_NEW_TEXT),
            [value for row in new for value in row],
        )
        await self._db.execute(
            "DELETE FROM glimmers WHERE user_id = ? AND source_chat_id = ?"
            " AND source_message_id = ? AND source_line >= ?",
            (user_id, chat_id, message_id, len(lines)),
        )
        return sorted((self._glimmer(row) for row in rows), key=lambda g: g.source_line)

    async def lines_of(self, *, user_id: int, chat_id: int, message_id: int) -> int:
        """How many glimmers this person's message keeps."""
        row = await self._db.fetchone(
            "SELECT COUNT(*) FROM glimmers"
            " WHERE user_id = ? AND source_chat_id = ? AND source_message_id = ?",
            (user_id, chat_id, message_id),
        )
        return int(row[0]) if row else 0

    async def count(self, *, user_id: int) -> int:
        row = await self._db.fetchone("SELECT COUNT(*) FROM glimmers WHERE user_id = ?", (user_id,))
        return int(row[0]) if row else 0

    async def briefs_between(
        self, *, user_id: int, start: datetime, end: datetime
    ) -> list[GlimmerBrief]:
        """The user's glimmers created in [start, end), oldest first, with only what a recap
        needs: a tenth of the cost of whole rows for a busy week (indexed)."""
        rows = await self._db.read_many(
            "SELECT ref, created_at, text, sense, body_cue, ladder_before, ladder_after, landed"
            " FROM glimmers WHERE user_id = ? AND created_at >= ? AND created_at < ?"
            " ORDER BY created_at",
            (user_id, to_db_time(start), to_db_time(end)),
        )
        open_text = self._box.open
        return [
            GlimmerBrief(
                r[0],
                from_db_time(r[1]),
                open_text(r[2], Place(user_id, r[0], "text")),
                *r[3:8],
            )
            for r in rows
        ]

    async def export_rows(self, *, user_id: int) -> list[dict[str, Any]]:
        """Every glimmer of the person's, whole rows as stored, oldest first (for /export:
        plain values, cheap to hand to another process)."""
        rows = await self._db.read_many(
            "SELECT * FROM glimmers WHERE user_id = ? ORDER BY created_at, id", (user_id,)
        )
        found = [dict(row) for row in rows]
        for row in found:
            row["text"], row["body_note"] = _opened(row, self._box)
            row["id"] = row.pop("ref")  # the number the person sees; the internal id stays
        return found

    async def page(self, *, user_id: int, offset: int, limit: int) -> list[Glimmer]:
        """Newest first, for /history."""
        rows = await self._db.read_many(
            "SELECT * FROM glimmers WHERE user_id = ? ORDER BY created_at DESC, id DESC"
            " LIMIT ? OFFSET ?",
            (user_id, limit, offset),
        )
        return [self._glimmer(row) for row in rows]

    async def look_through(
        self, *, user_id: int, judge: Callable[[Iterator[tuple[int, Findable]]], T]
    ) -> T:
        """What `judge` makes of all the person's glimmers (id and what /search reads of
        each), newest first. Each is opened and judged in memory, as there is no index
        (bot/domain/search.py says why), in a thread: a journal of 10,000 glimmers does not
        hold up everyone else's replies meanwhile."""
        rows = await self._db.read_many(
            "SELECT ref, text, sense, body_cue, body_note FROM glimmers WHERE user_id = ?"
            " ORDER BY created_at DESC, id DESC",
            (user_id,),
        )
        box = self._box

        def opened() -> Iterator[tuple[int, Findable]]:
            for ref, text, sense, body_cue, body_note in rows:
                yield (
                    ref,
                    Findable(
                        box.open(text, Place(user_id, ref, "text")),
                        sense,
                        body_cue,
                        box.open_optional(body_note, Place(user_id, ref, "body_note")),
                    ),
                )

        return await asyncio.to_thread(lambda: judge(opened()))

    async def find(self, *, user_id: int, wanted: Callable[[Findable], bool]) -> list[int]:
        """Ids of the person's glimmers that `wanted` keeps, newest first."""
        return await self.look_through(
            user_id=user_id, judge=lambda items: [ref for ref, item in items if wanted(item)]
        )

    async def bring_in(self, *, user_id: int, entries: Sequence[Incoming]) -> tuple[int, int]:
        """Add glimmers from a journal file in one transaction (all or none). One already
        here (the same words at the same second) is not added again, so a file brought in
        twice adds nothing the second time. Returns (added, already here)."""
        box = self._box
        kept = await self._db.read_many(
            "SELECT ref, created_at, text FROM glimmers WHERE user_id = ?", (user_id,)
        )

        def prepared() -> list[tuple[Any, ...]]:
            # Opened and sealed before the write lock is taken: the transaction only inserts.
            here = {
                (created[:19], box.open(text, Place(user_id, ref, "text")))
                for ref, created, text in kept
            }
            rows = []
            for entry in entries:
                stamp = to_db_time(entry.created_at)
                if (stamp[:19], entry.text) in here:
                    continue
                here.add((stamp[:19], entry.text))
                ref = new_ref()
                rows.append(
                    (
                        ref,
                        user_id,
                        box.seal(entry.text, Place(user_id, ref, "text")),
                        entry.sense,
                        entry.body_cue,
                        box.seal_optional(entry.body_note, Place(user_id, ref, "body_note")),
                        entry.ladder_before,
                        entry.ladder_after,
                        entry.savour_seconds,
                        entry.landed,
                        int(entry.starred),
                        stamp,
                        stamp,
                    )
                )
            return rows

        rows = await asyncio.to_thread(prepared)

        def work(conn: sqlite3.Connection) -> None:
            conn.executemany(
                "INSERT INTO glimmers (ref, user_id, text, sense, body_cue, body_note,"
                " ladder_before, ladder_after, savour_seconds, landed, starred, status,"
                " created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'complete', ?, ?)",
                rows,
            )

        await self._db.all_or_nothing(work)
        return len(rows), len(entries) - len(rows)

    async def by_ids(self, *, user_id: int, glimmer_ids: Sequence[int]) -> list[Glimmer]:
        """These glimmers of the person's, in the order asked for (any not theirs left out)."""
        if not glimmer_ids:
            return []
        marks = ", ".join("?" * len(glimmer_ids))
        rows = await self._db.fetchall(
            f"SELECT * FROM glimmers WHERE user_id = ? AND ref IN ({marks})",
            (user_id, *glimmer_ids),
        )
        found = {glimmer.id: glimmer for glimmer in map(self._glimmer, rows)}
        return [found[i] for i in glimmer_ids if i in found]

    async def remembered(
        self, *, user_id: int, spans: Sequence[tuple[datetime, datetime]]
    ) -> list[Remembered]:
        """The person's kept glimmers made within any of these UTC spans, and the starred
        ones: what a glimmer that comes back is picked from (bot/domain/flashback.py)."""
        within = " OR ".join(["(created_at >= ? AND created_at < ?)"] * len(spans))
        rows = await self._db.read_many(
            "SELECT ref, created_at, text, starred FROM glimmers"
            f" WHERE user_id = ? AND status = 'complete' AND (starred = 1 OR {within or '0'})",
            (user_id, *(to_db_time(moment) for span in spans for moment in span)),
        )
        return [
            Remembered(
                ref,
                from_db_time(created),
                self._box.open(text, Place(user_id, ref, "text")),
                bool(starred),
            )
            for ref, created, text, starred in rows
        ]

    async def anchor_ids(self, *, user_id: int) -> list[int]:
        """Ids to pick an anchor from: the starred ones if there are any, else all."""
        rows = await self._db.fetchall(
            "SELECT ref FROM glimmers WHERE user_id = ? AND starred = (SELECT MAX(starred)"
            " FROM glimmers WHERE user_id = ?)",
            (user_id, user_id),
        )
        return [row["ref"] for row in rows]
