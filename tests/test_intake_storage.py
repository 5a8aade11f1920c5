"""The intake table on a real SQLite file: written once, sealed under a key, wiped when
handled, swept later, and gone with /forget."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from telegram import Chat, Message, Update, User

from bot.domain.clock import FixedClock
from bot.runtime.intake import DurableQueue
from storage.crypto import TextBox, decode_key, generate_key
from storage.db import Database
from storage.intake import IntakeRepository
from storage.users import UserRepository
from tests.dbfile import sqlite_file

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def message_update(update_id: int, text: str) -> Update:
    person = User(id=77, first_name="Ada", is_bot=False)
    chat = Chat(id=77, type=Chat.PRIVATE)
    message = Message(update_id, NOW, chat, from_user=person, text=text)
    return Update(update_id, message=message)


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


@asynccontextmanager
async def queue_on_a_file(
    tmp_path: Path, *, wait_for_writes: bool
) -> AsyncIterator[tuple[DurableQueue, Database]]:
    """A durable queue writing to a real database file, closed afterwards."""
    db = Database(tmp_path / "intake.sqlite3")
    await db.open()
    try:
        queue = DurableQueue(wait_for_writes=wait_for_writes)
        queue.attach(IntakeRepository(db), FixedClock(NOW), retry_after=0.1)
        yield queue, db
    finally:
        await db.close()


async def test_a_cancelled_wait_for_the_writes_leaves_them_going(tmp_path: Path) -> None:
    # PTB cancels the getUpdates that waits for a batch's writes when the bot stops; the
    # writes must go on (those updates are already on their way) and the next wait succeed.
    async with queue_on_a_file(tmp_path, wait_for_writes=False) as (queue, db):
        for update_id in range(1, 21):
            await queue.put(message_update(update_id, f"glimmer {update_id}"))
        waiting = asyncio.ensure_future(queue.written())
        await asyncio.sleep(0)
        waiting.cancel()
        await queue.written()  # at once, as PTB's last getUpdates does: nothing was cancelled
        with pytest.raises(asyncio.CancelledError):
            await waiting
        assert await IntakeRepository(db).ids() == list(range(1, 21))


async def test_a_message_is_written_down_as_telegram_sent_it(tmp_path: Path) -> None:
    async with queue_on_a_file(tmp_path, wait_for_writes=True) as (queue, db):
        sent = message_update(3, "a robin on the gate").to_dict()
        sent["message"]["a_field_ptb_does_not_know"] = {"kept": True}
        queue.arrived(json.dumps({"ok": True, "result": [sent]}).encode())
        await queue.put(Update.de_json(sent, None))
        await queue.put(message_update(4, "not in the batch: rebuilt from PTB's object"))
        written = [json.loads(payload) for payload in await IntakeRepository(db).pending()]
        assert written[0] == sent  # every field as it came, even one PTB would drop
        assert written[1]["message"]["text"] == "not in the batch: rebuilt from PTB's object"
        queue.arrived(b"<html>not json</html>")  # a broken answer changes nothing
