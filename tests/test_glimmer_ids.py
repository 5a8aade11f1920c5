"""Glimmer ids are never reused, the numbers people see say nothing of anyone else's glimmers,
and a sealed value opens only in the row and column it was sealed for (migration 0006)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.ui import texts
from sandbox.botapi import FakeTelegram
from storage import maintenance
from storage.crypto import Place, SealError, TextBox, decode_key, generate_key
from storage.db import Database, migrations
from storage.glimmers import REF_MARK, GlimmerRepository
from storage.users import UserRepository
from tests.conftest import BotRunner
from tests.dbfile import sqlite_file
from tests.test_encryption import legacy_seal

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
KEY, NEW_KEY = generate_key(), generate_key()
STAMP = "2026-11-20T08:00:00.000000Z"


def database_at_version_5(path: Path) -> None:
    """A database as the bot left it before migration 0006, with glimmers of two people:
    sealed (owner-bound, enc1), plain, a plain text that looks like a new sealed value, a
    starred one, a draft, and a gap where the newest glimmer was deleted."""
    with sqlite_file(path) as conn:
        for _, script in migrations()[:5]:
            conn.executescript(script)
        conn.execute("PRAGMA user_version = 5")
        conn.executemany(
            "INSERT INTO users (id, first_seen_at) VALUES (?, ?)", [(1, STAMP), (2, STAMP)]
        )
        rows = [
            (
                1,
                1,
                legacy_seal(KEY, "birdsong at dawn", 1),
                legacy_seal(KEY, "warm", 1),
                0,
                "complete",
            ),
            (2, 2, "plain from before the key", None, 1, "complete"),
            (3, 1, "enc2: only looks sealed", "enc2:x", 0, "complete"),
            (4, 1, legacy_seal(KEY, "a draft in progress", 1), None, 0, "draft"),
            (5, 2, "deleted below", None, 0, "complete"),
        ]
        conn.executemany(
            "INSERT INTO glimmers (id, user_id, text, body_note, starred, status, created_at,"
            " updated_at, source_chat_id, source_message_id, landed)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 4)",
            [(*row, STAMP, STAMP, row[1], row[0]) for row in rows],
        )
        conn.execute("DELETE FROM glimmers WHERE id = 5")


def schema(path: Path) -> dict[str, str]:
    with sqlite_file(path, readonly=True) as conn:
        return {
            name: sql
            for name, sql in conn.execute(
                "SELECT name, sql FROM sqlite_master"
                " WHERE tbl_name = 'glimmers' AND sql IS NOT NULL"
            )
        }


async def test_migrating_a_populated_database_keeps_everything_and_never_reuses_ids(
    tmp_path: Path,
) -> None:
    path = tmp_path / "v5.sqlite3"
    database_at_version_5(path)
    indexes_before = set(schema(path)) - {"glimmers"}

    db = Database(path)
    await db.open()
    try:
        assert await db.schema_version() >= 6
        after = schema(path)
        assert set(after) - {"glimmers"} >= indexes_before
        table = after["glimmers"]
        for kept in (
            "AUTOINCREMENT",
            "REFERENCES users (id) ON DELETE CASCADE",
            "CHECK (landed BETWEEN 1 AND 5)",
            "CHECK (status IN ('draft', 'complete'))",
            "CHECK (starred IN (0, 1))",
            "UNIQUE (source_chat_id, source_message_id, source_line)",
            "UNIQUE (user_id, ref)",
        ):
            assert kept in table
        assert await db.fetchall("PRAGMA foreign_key_check") == []

        users, glimmers = UserRepository(db), GlimmerRepository(db, TextBox(decode_key(KEY)))
        # Old buttons name old ids, which are the refs of the glimmers kept from before.
        first = await glimmers.get(user_id=1, glimmer_id=1)
        assert first is not None and (first.text, first.body_note) == ("birdsong at dawn", "warm")
        lookalike = await glimmers.get(user_id=1, glimmer_id=3)
        assert lookalike is not None
        assert (lookalike.text, lookalike.body_note) == ("enc2: only looks sealed", "enc2:x")
        draft = await glimmers.active_draft(user_id=1)
        assert draft is not None and draft.id == 4 and draft.text == "a draft in progress"
        assert await glimmers.get(user_id=2, glimmer_id=1) is None
        with pytest.raises(sqlite3.IntegrityError):  # one draft a person, still
            await db.execute(
                "INSERT INTO glimmers (user_id, text, status, created_at, updated_at)"
                " VALUES (1, 'x', 'draft', ?, ?)",
                (STAMP, STAMP),
            )

        # A new glimmer gets a random ref. Its row id may be the 5 deleted before the upgrade
        # (the old table kept no record of it), but buttons name refs: an old button for 5
        # finds nothing.
        [new] = await glimmers.add_lines(
            user_id=2, chat_id=2, message_id=99, lines=["after the upgrade"], now=NOW
        )
        assert new.id >= REF_MARK
        assert await glimmers.get(user_id=2, glimmer_id=5) is None
        # From now on a row id is never used twice, even the newest one's after it goes.
        row = await db.fetchone("SELECT id FROM glimmers WHERE ref = ?", (new.id,))
        assert row is not None
        await glimmers.delete(user_id=2, glimmer_id=new.id)
        [newer] = await glimmers.add_lines(
            user_id=2, chat_id=2, message_id=100, lines=["and another"], now=NOW
        )
        again = await db.fetchone("SELECT id FROM glimmers WHERE ref = ?", (newer.id,))
        assert again is not None and again["id"] == row["id"] + 1

        await users.forget(user_id=1)  # the foreign key still cascades
        assert await glimmers.count(user_id=1) == 0
    finally:
        await db.close()


def test_rotate_key_upgrades_values_sealed_before_places(tmp_path: Path) -> None:
    path = tmp_path / "v5.sqlite3"
    database_at_version_5(path)  # not migrated yet: rotate-key migrates it first
    old, new = TextBox(decode_key(KEY)), TextBox(decode_key(NEW_KEY))
    # 3 sealed values and 3 plain ones (one plain text only looks sealed) become enc2.
    assert maintenance.reseal(path, old, new) == 6
    assert maintenance.reseal(path, old, new) == 0  # a rerun finds nothing left to do
    with sqlite_file(path, readonly=True) as conn:
        rows = list(conn.execute("SELECT user_id, ref, text, body_note FROM glimmers"))
    opened = {}
    for user_id, ref, text, note in rows:
        assert text.startswith("enc2:") and (note is None or note.startswith("enc2:"))
        opened[ref] = new.open(text, Place(user_id, ref, "text"))
        if note is not None:
            assert new.holds(note)
    assert opened == {
        1: "birdsong at dawn",
        2: "plain from before the key",
        3: "enc2: only looks sealed",
        4: "a draft in progress",
    }
    # The same key upgrades in place too (for a rotation begun before the upgrade).
    database_at_version_5(tmp_path / "again.sqlite3")
    assert maintenance.reseal(tmp_path / "again.sqlite3", old, old) == 6


async def test_a_sealed_value_moved_to_another_row_or_column_does_not_open(
    tmp_path: Path,
) -> None:
    db = Database(tmp_path / "sealed.sqlite3")
    await db.open()
    try:
        await UserRepository(db).ensure(user_id=1, now=NOW)
        glimmers = GlimmerRepository(db, TextBox(decode_key(KEY)))
        mine = await glimmers.add_lines(
            user_id=1, chat_id=1, message_id=1, lines=["the first", "the second"], now=NOW
        )
        # Redelivered and then edited, sealed values still open where they are.
        again = await glimmers.add_lines(
            user_id=1, chat_id=1, message_id=1, lines=["the first", "the second"], now=NOW
        )
        assert [g.id for g in again] == [g.id for g in mine]
        edited = await glimmers.apply_edit(
            user_id=1, chat_id=1, message_id=1, lines=["the first, edited", "2nd", "3rd"], now=NOW
        )
        assert [g.text for g in edited] == ["the first, edited", "2nd", "3rd"]
        assert [g.id for g in edited][:2] == [g.id for g in mine]
        await glimmers.update(user_id=1, glimmer_id=mine[0].id, now=NOW, body_note="in my chest")
        assert (await glimmers.get(user_id=1, glimmer_id=mine[0].id)).body_note == "in my chest"  # type: ignore[union-attr]

        first, second = mine[0].id, mine[1].id
        await db.execute(
            "UPDATE glimmers SET text = (SELECT text FROM glimmers WHERE ref = ?) WHERE ref = ?",
            (first, second),
        )
        with pytest.raises(SealError):
            await glimmers.get(user_id=1, glimmer_id=second)
        await db.execute(
            "UPDATE glimmers SET text = body_note WHERE ref = ?",
            (first,),
        )
        with pytest.raises(SealError):
            await glimmers.get(user_id=1, glimmer_id=first)
    finally:
        await db.close()


async def test_buttons_carry_numbers_that_count_nobody_elses_glimmers(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    path = tmp_path / "v5.sqlite3"
    database_at_version_5(path)
    bot = BotRunner(fake, path, overrides={"encryption_key": KEY})
    await bot.start()
    try:
        ann, ben = fake.user(2), fake.user(3)
        await ann.send("first of mine")
        kept = await ann.reply()
        await ben.send("\n".join(f"ben's {n}" for n in range(5)))
        await ben.reply()
        await ann.send("second of mine")
        later = await ann.reply()
        numbers = [
            int(message.data_for(texts.BUTTON_SAVOUR).split(":")[1]) for message in (kept, later)
        ]
        assert all(number >= REF_MARK for number in numbers)
        # An old button, sent before the upgrade, names its glimmer by its old id and works.
        await ann.send("/history")
        page = await ann.reply()
        assert "ho:2" in [data for row in page.buttons for _, data in row]
        await ann.press_data(page.message_id, "ho:2")
        assert "plain from before the key" in (await ann.reply()).text
    finally:
        await bot.stop()
