"""The intake table on a real SQLite file: written once, sealed under a key, wiped when
handled, swept later, and gone with /forget."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from storage.crypto import TextBox, decode_key, generate_key
from storage.db import Database
from storage.intake import IntakeRepository
from storage.users import UserRepository
from tests.dbfile import sqlite_file

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


async def test_written_once_wiped_when_handled_and_swept_later(tmp_path: Path) -> None:
    db = Database(tmp_path / "intake.sqlite3")
    await db.open()
    try:
        intake = IntakeRepository(db, TextBox(decode_key(generate_key())))
        payload = '{"update_id": 5, "message": {"text": "a secret marker glimmer"}}'
        await intake.write(update_id=5, user_id=77, payload=payload, now=NOW)
        await intake.write(update_id=5, user_id=77, payload="delivered again", now=NOW)
        assert await intake.pending() == [payload]
        assert await intake.ids() == [5]
        raw = await db.fetchone("SELECT payload FROM intake WHERE update_id = 5")
        assert raw is not None and "secret marker" not in raw[0]  # sealed
        await intake.done(5)
        assert await intake.pending() == []
        # The marker stays, so a redelivery is still recognised, until swept.
        await intake.write(update_id=5, user_id=77, payload=payload, now=NOW)
        assert await intake.pending() == []
        assert await intake.ids() == [5]
        assert await intake.sweep(before=NOW + timedelta(minutes=1)) == 1
        assert await intake.ids() == []
    finally:
        await db.close()


async def test_forget_removes_a_persons_waiting_updates(tmp_path: Path) -> None:
    path = tmp_path / "forget.sqlite3"
    db = Database(path)
    await db.open()
    try:
        intake, users = IntakeRepository(db), UserRepository(db)
        await users.ensure(user_id=77, now=NOW)
        await intake.write(update_id=1, user_id=77, payload="the words of 77", now=NOW)
        await intake.write(update_id=2, user_id=88, payload="the words of 88", now=NOW)
        await users.forget(user_id=77)
        assert await intake.pending() == ["the words of 88"]
    finally:
        await db.close()
    with sqlite_file(path) as raw:
        assert raw.execute("SELECT COUNT(*) FROM intake WHERE user_id = 77").fetchone()[0] == 0
