"""Storage on real SQLite files: migrations, pragmas, repositories, persistence."""

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.domain.clock import FixedClock
from storage.checkins import CheckinRepository
from storage.db import Database, migrations
from storage.glimmers import GlimmerRepository
from storage.models import Incoming
from storage.persistence import SqlitePersistence
from storage.users import UserRepository
from tests.dbfile import sqlite_file

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(tmp_path / "nested" / "glimmers.sqlite3")
    await database.open()
    yield database
    await database.close()


@pytest.fixture
async def repos(db: Database) -> tuple[UserRepository, GlimmerRepository]:
    users, glimmers = UserRepository(db), GlimmerRepository(db)
    await users.ensure(user_id=1, now=NOW)
    await users.ensure(user_id=2, now=NOW)
    return users, glimmers


async def test_migrating_an_empty_database_creates_the_schema(tmp_path: Path) -> None:
    path = tmp_path / "fresh.sqlite3"
    database = Database(path)
    await database.open()
    assert await database.schema_version() == len(migrations())
    await database.close()
    with sqlite_file(path) as raw:
        tables = {row[0] for row in raw.execute("SELECT name FROM sqlite_master")}
        assert {"users", "glimmers", "checkins", "conversations"} <= tables
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_opening_again_does_not_migrate_twice(tmp_path: Path) -> None:
    path = tmp_path / "again.sqlite3"
    for _ in range(2):
        database = Database(path)
        await database.open()
        await database.open()  # idempotent
        assert await database.schema_version() == len(migrations())
        await database.close()


async def test_pragmas_are_set(db: Database) -> None:
    assert (await db.fetchone("PRAGMA foreign_keys"))[0] == 1  # type: ignore[index]
    assert (await db.fetchone("PRAGMA secure_delete"))[0] == 1  # type: ignore[index]
    assert (await db.fetchone("PRAGMA busy_timeout"))[0] == 5000  # type: ignore[index]


async def test_lines_are_saved_once_even_when_redelivered(
    repos: tuple[UserRepository, GlimmerRepository],
) -> None:
    _, glimmers = repos
    first = await glimmers.add_lines(
        user_id=1, chat_id=1, message_id=10, lines=["a", "b", "c"], now=NOW
    )
    again = await glimmers.add_lines(
        user_id=1, chat_id=1, message_id=10, lines=["a", "b", "c"], now=NOW
    )
    assert [g.text for g in first] == ["a", "b", "c"]
    assert [g.id for g in again] == [g.id for g in first]
    assert await glimmers.count(user_id=1) == 3


async def test_another_users_glimmer_is_invisible(
    repos: tuple[UserRepository, GlimmerRepository],
) -> None:
    _, glimmers = repos
    [mine] = await glimmers.add_lines(user_id=1, chat_id=1, message_id=1, lines=["x"], now=NOW)
    assert await glimmers.get(user_id=2, glimmer_id=mine.id) is None
    assert await glimmers.update(user_id=2, glimmer_id=mine.id, now=NOW, sense="sight") is None
    assert not await glimmers.delete(user_id=2, glimmer_id=mine.id)
    assert await glimmers.delete_with_siblings(user_id=2, glimmer_id=mine.id) == 0
    assert await glimmers.siblings(user_id=2, glimmer_id=mine.id) == []
    assert await glimmers.reopen(user_id=2, glimmer_id=mine.id, now=NOW) is None
    assert (await glimmers.get(user_id=1, glimmer_id=mine.id)) == mine


async def test_undo_removes_every_line_of_a_message_and_nothing_else(
    repos: tuple[UserRepository, GlimmerRepository],
) -> None:
    _, glimmers = repos
    saved = await glimmers.add_lines(
        user_id=1, chat_id=1, message_id=3, lines=["a", "b", "c"], now=NOW
    )
    await glimmers.add_lines(user_id=1, chat_id=1, message_id=4, lines=["keep"], now=NOW)
    assert await glimmers.delete_with_siblings(user_id=1, glimmer_id=saved[1].id) == 3
    assert await glimmers.count(user_id=1) == 1


async def test_an_edit_updates_adds_and_removes_lines(
    repos: tuple[UserRepository, GlimmerRepository],
) -> None:
    _, glimmers = repos
    first = await glimmers.add_lines(
        user_id=1, chat_id=1, message_id=8, lines=["a", "b", "c"], now=NOW
    )
    later = NOW + timedelta(minutes=1)
    edited = await glimmers.apply_edit(
        user_id=1, chat_id=1, message_id=8, lines=["A", "B"], now=later
    )
    assert [g.text for g in edited] == ["A", "B"]
    assert [g.id for g in edited] == [first[0].id, first[1].id]
    assert edited[0].created_at == NOW and edited[0].updated_at == later
    assert await glimmers.count(user_id=1) == 2
    grown = await glimmers.apply_edit(
        user_id=1, chat_id=1, message_id=8, lines=["A", "B", "new"], now=later
    )
    assert [g.text for g in grown] == ["A", "B", "new"]
    assert (
        await glimmers.apply_edit(user_id=1, chat_id=1, message_id=99, lines=["x"], now=later) == []
    )


async def test_one_draft_per_user_and_answers_are_written_as_given(
    repos: tuple[UserRepository, GlimmerRepository],
) -> None:
    _, glimmers = repos
    draft = await glimmers.start_draft(user_id=1, chat_id=1, message_id=20, text="moss", now=NOW)
    assert draft is not None and draft.is_draft
    await glimmers.update(user_id=1, glimmer_id=draft.id, now=NOW, sense="touch")
    assert (await glimmers.active_draft(user_id=1)).sense == "touch"  # type: ignore[union-attr]
    second = await glimmers.start_draft(user_id=1, chat_id=1, message_id=21, text="sky", now=NOW)
    assert second is not None
    kept = await glimmers.get(user_id=1, glimmer_id=draft.id)
    assert kept is not None and kept.status == "complete" and kept.sense == "touch"
    assert [d.id for d in await glimmers.drafts()] == [second.id]
    with pytest.raises(ValueError):
        await glimmers.update(user_id=1, glimmer_id=draft.id, now=NOW, user_id_column=2)


async def test_forgetting_a_user_removes_their_glimmers(
    db: Database, repos: tuple[UserRepository, GlimmerRepository]
) -> None:
    users, glimmers = repos
    await glimmers.add_lines(user_id=1, chat_id=1, message_id=1, lines=["x", "y"], now=NOW)
    await users.forget(user_id=1)
    assert await glimmers.count(user_id=1) == 0
    assert await users.get(user_id=1) is None


async def test_checkin_replies_are_recognised_only_for_their_owner(db: Database) -> None:
    users, checkins = UserRepository(db), CheckinRepository(db)
    await users.ensure(user_id=1, now=NOW)
    await checkins.record_sent(user_id=1, chat_id=1, message_id=50, now=NOW)
    assert not await checkins.mark_answered(user_id=2, chat_id=1, message_id=50, now=NOW)
    assert not await checkins.mark_answered(user_id=1, chat_id=1, message_id=51, now=NOW)
    assert await checkins.mark_answered(user_id=1, chat_id=1, message_id=50, now=NOW)


async def test_concurrent_writes_from_many_people(db: Database) -> None:
    users, glimmers = UserRepository(db), GlimmerRepository(db)

    async def person(user_id: int) -> None:
        await users.ensure(user_id=user_id, now=NOW)
        for message_id in range(10):
            await glimmers.add_lines(
                user_id=user_id, chat_id=user_id, message_id=message_id, lines=["a"], now=NOW
            )

    await asyncio.gather(*(person(n) for n in range(1, 31)))
    row = await db.fetchone("SELECT COUNT(*) FROM glimmers")
    assert row is not None and row[0] == 300


async def test_persistence_keeps_conversation_states(db: Database) -> None:
    clock = FixedClock(NOW)
    persistence = SqlitePersistence(db, clock.now)
    await persistence.update_conversation("glimmer", (5, 5), 3)
    await persistence.update_conversation("glimmer", (6, 6), 1)
    await persistence.update_conversation("glimmer", (6, 6), None)
    reloaded = SqlitePersistence(db, clock.now)
    assert await reloaded.get_conversations("glimmer") == {(5, 5): 3}
    assert await reloaded.get_conversations("other") == {}


async def test_quick_saves_arriving_together_share_one_statement_and_get_their_own_rows(
    db: Database,
) -> None:
    users, glimmers = UserRepository(db), GlimmerRepository(db)
    for user_id in range(1, 21):
        await users.ensure(user_id=user_id, now=NOW)
    before = db.conn.total_changes

    results = await asyncio.gather(
        *(
            glimmers.add_lines(
                user_id=user_id,
                chat_id=user_id,
                message_id=7,
                lines=[f"{user_id}-a", f"{user_id}-b"],
                now=NOW,
            )
            for user_id in range(1, 21)
        )
    )
    for user_id, saved in zip(range(1, 21), results, strict=True):
        assert [(g.user_id, g.text) for g in saved] == [
            (user_id, f"{user_id}-a"),
            (user_id, f"{user_id}-b"),
        ]
    assert db.conn.total_changes - before == 40


async def test_a_failed_group_save_reaches_every_waiter_and_the_next_save_works(
    db: Database,
) -> None:
    glimmers = GlimmerRepository(db)
    users = UserRepository(db)
    await users.ensure(user_id=1, now=NOW)
    # User 99 does not exist: the foreign key fails the shared statement for both waiters.
    outcomes = await asyncio.gather(
        glimmers.add_lines(user_id=99, chat_id=99, message_id=1, lines=["x"], now=NOW),
        glimmers.add_lines(user_id=1, chat_id=1, message_id=1, lines=["y"], now=NOW),
        return_exceptions=True,
    )
    assert any(isinstance(o, sqlite3.IntegrityError) for o in outcomes)
    saved = await glimmers.add_lines(user_id=1, chat_id=1, message_id=2, lines=["z"], now=NOW)
    assert [g.text for g in saved] == ["z"]


async def test_bringing_in_is_all_or_nothing(
    db: Database, repos: tuple[UserRepository, GlimmerRepository]
) -> None:
    users, glimmers = repos
    await users.ensure(user_id=1, now=NOW)
    good = Incoming(NOW - timedelta(days=3), "a warm scarf")
    # The third entry breaks a rule of the table (landed is 1 to 5) after two rows were
    # already inserted in the transaction: none of them may stay.
    broken = Incoming(NOW - timedelta(days=2), "odd", landed=9)
    with pytest.raises(sqlite3.IntegrityError):
        await glimmers.bring_in(
            user_id=1, entries=[good, Incoming(NOW - timedelta(days=1), "tea"), broken]
        )
    assert await glimmers.count(user_id=1) == 0
    assert await glimmers.bring_in(user_id=1, entries=[good, good]) == (1, 1)
    assert await glimmers.bring_in(user_id=1, entries=[good]) == (0, 1)
    assert await glimmers.count(user_id=1) == 1
