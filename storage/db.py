"""The SQLite connection: pragmas, numbered migrations, and one shared aiosqlite writer."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import sqlite3
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

log = logging.getLogger(__name__)

MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")

# What people write is in these files: readable and writable by the bot's own user only.
PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700
# SQLite's files beside the database; it creates them with the database file's mode.
COMPANIONS = ("-wal", "-shm", "-journal")


def companions(path: Path) -> list[Path]:
    """The database file and the files SQLite keeps beside it (which may not exist)."""
    return [path, *(path.with_name(path.name + suffix) for suffix in COMPANIONS)]


def lock_down(path: Path) -> None:
    """Create the database's folder (0700) and file (0600) if missing, and tighten them and
    any companions already there, whatever the umask. SQLite gives the -wal, -shm and
    -journal files it creates later the database file's mode, so they are 0600 too."""
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True, mode=PRIVATE_FOLDER)
    _tighten(folder, PRIVATE_FOLDER)
    # O_CREAT without O_EXCL: an existing database is opened, never truncated.
    fd = os.open(path, os.O_CREAT | os.O_RDWR, PRIVATE_FILE)
    try:
        if os.fstat(fd).st_mode & 0o777 != PRIVATE_FILE:
            os.fchmod(fd, PRIVATE_FILE)
    finally:
        os.close(fd)
    for companion in companions(path)[1:]:
        _tighten(companion, PRIVATE_FILE)


def _tighten(path: Path, mode: int) -> None:
    try:
        if path.stat().st_mode & 0o777 != mode:
            path.chmod(mode)
    except FileNotFoundError:
        pass
    except PermissionError:  # not ours: `glimmers-bot check` reports it
        log.warning("could not make %s private (mode %o)", path, mode)


def migrations() -> list[tuple[int, str]]:
    """The numbered migration scripts shipped with the package, in order."""
    found = []
    for entry in resources.files("storage.migrations").iterdir():
        match = MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [number for number, _ in found]
    if numbers != list(range(1, len(numbers) + 1)):
        raise RuntimeError(f"migrations must be numbered 1..n without gaps, found {numbers}")
    return found


T = TypeVar("T")


class Database:
    """Owns the aiosqlite connections; open them before use, close them at shutdown.

    One connection does every write and the quick reads. Long reads (a recap's weeks, a
    history page) go to a second, read-only connection with its own thread, so a burst of
    them never makes a quick save wait (WAL lets readers run beside the writer).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    @property
    def conn(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise RuntimeError("the database is not open; call Database.open() first")
        return self._conn

    async def open(self) -> None:
        """Connect, set pragmas and migrate. Safe to call more than once."""
        async with self._lock:
            if self._conn is not None:
                return
            lock_down(self.path)
            # isolation_level=None: each statement commits by itself, so a one-statement write
            # is one trip to the database thread. Repositories keep every write to one
            # statement: an open transaction on this shared connection would swallow other
            # coroutines' statements into it.
            conn = await aiosqlite.connect(self.path, isolation_level=None)
            conn.row_factory = aiosqlite.Row
            try:
                await conn.execute("PRAGMA journal_mode = WAL")
                await conn.execute("PRAGMA synchronous = NORMAL")
                await conn.execute("PRAGMA foreign_keys = ON")
                await conn.execute("PRAGMA busy_timeout = 5000")
                await conn.execute("PRAGMA secure_delete = ON")
                await _migrate(conn)
                reader = await aiosqlite.connect(
                    f"{self.path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None
                )
            except BaseException:
                await conn.close()
                raise
            try:
                reader.row_factory = aiosqlite.Row
                await reader.execute("PRAGMA busy_timeout = 5000")
            except BaseException:
                await reader.close()
                await conn.close()
                raise
            self._conn, self._reader = conn, reader

    async def close(self) -> None:
        async with self._lock:
            reader, conn = self._reader, self._conn
            self._conn = self._reader = None
            try:
                if reader is not None:
                    await reader.close()
            finally:
                if conn is not None:
                    await conn.close()

    async def fetchall(self, sql: str, params: Any = ()) -> list[aiosqlite.Row]:
        """Run one statement and fetch its rows in a single trip to the database thread."""
        return list(await self.conn.execute_fetchall(sql, params))

    async def read_many(self, sql: str, params: Any = ()) -> list[aiosqlite.Row]:
        """A long read, on the read-only connection: writes never wait behind it."""
        if self._reader is None:
            raise RuntimeError("the database is not open; call Database.open() first")
        return list(await self._reader.execute_fetchall(sql, params))

    async def fetchone(self, sql: str, params: Any = ()) -> aiosqlite.Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def execute(self, sql: str, params: Any = ()) -> int:
        """Run one statement; returns the number of rows it changed."""
        cursor = await self.conn.execute(sql, params)
        count = cursor.rowcount
        await cursor.close()
        return count

    async def all_or_nothing(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work` as one write transaction on a connection of its own, in a thread: all
        of it is kept, or (on any error) none of it. For rare, large writes such as bringing
        a journal in; the shared connection keeps to one statement per write."""

        def run() -> T:
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=10.0)
            try:
                conn.execute("PRAGMA foreign_keys = ON")
                conn.execute("PRAGMA secure_delete = ON")
                conn.execute("BEGIN IMMEDIATE")
                try:
                    result = work(conn)
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
                return result
            finally:
                conn.close()

        return await asyncio.to_thread(run)

    async def checkpoint(self) -> bool:
        """Copy the write-ahead log into the database file and empty it; False if a reader
        kept it from finishing (the next checkpoint completes it)."""
        row = await self.fetchone("PRAGMA wal_checkpoint(TRUNCATE)")
        busy = bool(row[0]) if row else True
        if busy:
            log.warning("database checkpoint could not finish; it will complete later")
        return not busy

    async def schema_version(self) -> int:
        row = await self.fetchone("PRAGMA user_version")
        return int(row[0]) if row else 0


async def _migrate(conn: aiosqlite.Connection) -> None:
    async with conn.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    current = int(row[0]) if row else 0
    for number, script in migrations():
        if number <= current:
            continue
        log.info("applying database migration %04d", number)
        # executescript commits first; the version bump is part of the same script.
        await conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
