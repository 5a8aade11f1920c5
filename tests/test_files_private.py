"""The database's files are the bot's alone: 0600 files in a 0700 folder, whatever the umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage.db import Database
from storage.maintenance import loose_permissions
from storage.users import UserRepository
from tests.dbfile import sqlite_file

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The most permissive umask: everything created is readable and writable by anyone."""
    before = os.umask(0)
    try:
        yield
    finally:
        os.umask(before)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_a_new_database_and_its_companions_are_private_whatever_the_umask(
    tmp_path: Path, open_umask: None
) -> None:
    path = tmp_path / "shared" / "data" / "glimmers.sqlite3"
    db = Database(path)
    await db.open()
    try:
        await UserRepository(db).ensure(user_id=1, now=NOW)
        files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
        assert all(each.exists() for each in files)
        assert {each.name: mode(each) for each in files} == {each.name: 0o600 for each in files}
        assert mode(path.parent) == 0o700
        assert loose_permissions(path) == []
    finally:
        await db.close()


async def test_an_existing_readable_database_is_reported_then_tightened(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / "glimmers.sqlite3"
    with sqlite_file(path) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("CREATE TABLE left_open (x)")
    journal = path.with_name(path.name + "-journal")
    journal.write_bytes(b"")
    for each, loose in ((folder, 0o755), (path, 0o644), (journal, 0o644)):
        each.chmod(loose)
    assert loose_permissions(path) == [
        f"{folder} is 0755",
        f"{path} is 0644",
        f"{journal} is 0644",
    ]
    db = Database(path)
    await db.open()
    await db.close()
    assert (mode(folder), mode(path), mode(journal)) == (0o700, 0o600, 0o600)
    assert loose_permissions(path) == []
