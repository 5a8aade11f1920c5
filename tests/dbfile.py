"""Plain sqlite3 connections to a test's database file, always closed.

`with sqlite3.connect(path) as db:` commits but never closes the connection; Python 3.13
then warns of an unclosed database, and warnings are errors in this suite.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from storage.db import Database


@contextmanager
def sqlite_file(path: Path, *, readonly: bool = False) -> Iterator[sqlite3.Connection]:
    """A connection to `path` that commits on success and is closed either way. `readonly`
    opens the file as it is, never creating it and never writing."""
    target = f"{path.resolve().as_uri()}?mode=ro" if readonly else str(path)
    with closing(sqlite3.connect(target, uri=readonly)) as conn, conn:
        yield conn


def new_database(path: Path) -> None:
    """Makes the database as the bot does on its first start: created and migrated."""

    async def open_and_close() -> None:
        db = Database(path)
        await db.open()
        await db.close()

    asyncio.run(open_and_close())
