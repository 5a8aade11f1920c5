"""Maintenance of the database file, for the `glimmers-bot` subcommands: an integrity check,
an online backup, the census of encryption keys, and re-sealing under a new key.

These open their own connections (the bot may be stopped); none of them talks to Telegram.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from storage.crypto import Place, TextBox, key_id_of
from storage.db import PRIVATE_FILE, Database, companions


async def integrity(path: Path) -> tuple[int, str]:
    """Open (and so migrate) the database the way the bot does, then PRAGMA quick_check."""
    db = Database(path)
    await db.open()
    try:
        rows = await db.fetchall("PRAGMA quick_check")
        verdict = "; ".join(str(row[0]) for row in rows)
        return await db.schema_version(), verdict
    finally:
        await db.close()


def loose_permissions(path: Path) -> list[str]:
    """The database's files and folder that people other than the bot's user could read or
    enter, each as "<path> is <mode>"; empty when all is private (or nothing exists yet)."""
    loose = []
    for each in [path.parent, *companions(path)]:
        try:
            mode = each.stat().st_mode & 0o777
        except FileNotFoundError:
            continue
        if mode & 0o077:
            loose.append(f"{each} is {mode:04o}")
    return loose


def backup_copy(source: Path, partial: Path) -> int:
    """SQLite's online backup: a consistent snapshot while the bot keeps writing (WAL)."""
    partial.unlink(missing_ok=True)
    # Only its owner may read the copy: it holds what people wrote.
    os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE))
    # mode=rw: never creates a file; nothing is written through this connection.
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=rw", uri=True)
    try:
        src.execute("PRAGMA busy_timeout = 5000")
        dst = sqlite3.connect(partial)
        try:
            # pages=-1 (the default): one step under one read transaction, so the copy is
            # one moment of the database, and writers (WAL) are never held up.
            src.backup(dst)
            # A single self-contained file, checked before it replaces anything.
            dst.execute("PRAGMA journal_mode = DELETE")
            verdict = dst.execute("PRAGMA quick_check").fetchone()[0]
            if verdict != "ok":
                raise sqlite3.DatabaseError(f"the copy failed quick_check: {verdict}")
            return int(dst.execute("PRAGMA page_count").fetchone()[0])
        finally:
            dst.close()
    finally:
        src.close()


# Glimmer texts per key id that sealed them (NULL: plain text), and the key ids of sealed
# body notes (counted as 0). substr, not LIKE: LIKE ignores case.
KEY_IDS_SQL = (
    "SELECT CASE WHEN substr(text, 1, 5) IN ('enc1:', 'enc2:') THEN substr(text, 6, 8) END"
    " AS key_id, COUNT(*) FROM glimmers GROUP BY key_id"
    " UNION ALL SELECT DISTINCT substr(body_note, 6, 8), 0 FROM glimmers"
    " WHERE substr(body_note, 1, 5) IN ('enc1:', 'enc2:')"
)


def texts_by_key(path: Path) -> dict[str | None, int]:
    if not path.is_file():
        return {}
    counts: dict[str | None, int] = {}
    try:
        with contextlib.closing(
            sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        ) as conn:
            for key_id, count in conn.execute(KEY_IDS_SQL):
                counts[key_id] = counts.get(key_id, 0) + count
    except sqlite3.OperationalError:  # a new database, not migrated yet
        return {}
    return counts


@dataclass(frozen=True)
class KeyState:
    """How the stored text stands against ENCRYPTION_KEY, from one pass over the table."""

    problem: str | None
    """Why ENCRYPTION_KEY can't read this database, in one line; None when it can."""
    plain: int
    """With a key set: glimmers still stored as plain text (until `rotate-key` seals them)."""

    def refusal(self, *, allow_plain: bool) -> str | None:
        """Why the bot must not start, in one line naming the setting; None when it may.
        Plain rows under a key are refused unless ENCRYPTION_ALLOW_PLAIN says a migration
        to encryption is under way."""
        if self.problem is not None or not self.plain or allow_plain:
            return self.problem
        return (
            f"Setting ENCRYPTION_KEY is set but {self.plain} glimmers are still plain text: "
            "stop the bot and run glimmers-bot rotate-key (ENCRYPTION_KEY empty, "
            "NEW_ENCRYPTION_KEY the key), or set ENCRYPTION_ALLOW_PLAIN=true until it is done"
        )


def key_state(path: Path, box: TextBox) -> KeyState:
    """Checked before the bot starts, so a wrong key stops it at once instead of failing in
    the middle of someone's conversation."""
    counts = texts_by_key(path)
    sealed_with = set(counts) - {None}
    plain = counts.get(None, 0) if box.encrypts else 0
    if not sealed_with or sealed_with == {box.key_id}:
        return KeyState(None, plain)
    if box.key_id is None:
        problem = (
            "Setting ENCRYPTION_KEY is missing: this database holds encrypted text; set it to "
            "the key it was encrypted with"
        )
    else:
        problem = (
            "Setting ENCRYPTION_KEY does not match this database's key (or a key rotation is "
            "unfinished: run glimmers-bot rotate-key again)"
        )
    return KeyState(problem, plain)


RESEAL_BATCH = 500


def reseal(path: Path, old: TextBox, new: TextBox) -> int:
    """Re-seal every glimmer's text and body note from `old` to `new` (either may be plain),
    bound to its place; values sealed before places existed (enc1) are upgraded. Returns how
    many values changed; a rerun after a stop carries on where it was."""
    asyncio.run(integrity(path))  # migrated first: values are bound to a column it adds
    changed = 0
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("PRAGMA busy_timeout = 5000")
        # The old sealed values must not stay readable in freed pages.
        conn.execute("PRAGMA secure_delete = ON")
        last = 0
        while True:
            # Read and rewrite in one write transaction: nothing can change in between.
            conn.execute("BEGIN IMMEDIATE")
            try:
                rows = conn.execute(
                    "SELECT id, user_id, ref, text, body_note FROM glimmers WHERE id > ?"
                    " ORDER BY id LIMIT ?",
                    (last, RESEAL_BATCH),
                ).fetchall()
                for row_id, user_id, ref, text, note in rows:
                    values = [
                        _resealed(text, Place(user_id, ref, "text"), old, new),
                        _resealed(note, Place(user_id, ref, "body_note"), old, new),
                    ]
                    if values != [text, note]:
                        conn.execute(
                            "UPDATE glimmers SET text = ?, body_note = ? WHERE id = ?",
                            (*values, row_id),
                        )
                        changed += sum(a != b for a, b in zip(values, (text, note), strict=True))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            if not rows:
                break
            last = rows[-1][0]
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return changed


def _resealed(value: str | None, place: Place, old: TextBox, new: TextBox) -> str | None:
    """The value sealed with the new key (or plain); already done or empty: unchanged."""
    if value is None or new.holds(value):
        return value
    # Sealed with the new key but not yet bound to its place (enc1): the new key opens it.
    opener = new if key_id_of(value) == new.key_id else old
    return new.seal(opener.open(value, place), place)
