"""End to end: the durable intake. The real `python -m bot` process is killed (kill -9) or
stopped (SIGTERM) while many messages wait behind Telegram's send limit; after a restart
every message is kept exactly once and answered."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

from sandbox.botapi import FakeTelegram, FakeUser
from tests import processes
from tests.dbfile import sqlite_file

PEOPLE = 8
EACH = 15


async def start_bot(fake: FakeTelegram, db_path: Path) -> asyncio.subprocess.Process:
    settings = {
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "DATABASE_PATH": str(db_path),
        # A slow send limit, so most replies are still waiting when the bot is stopped.
        "TELEGRAM_MAX_MESSAGES_PER_SECOND": "10",
    }
    return await processes.start_bot(cwd=db_path.parent, settings=settings)


def stored(db_path: Path) -> list[tuple[int, str]]:
    with sqlite_file(db_path) as db:
        return db.execute("SELECT user_id, text FROM glimmers ORDER BY user_id, id").fetchall()


def words(person: int, n: int) -> str:
    return f"glimmer {n} of person {person}"


async def flood(fake: FakeTelegram) -> list[FakeUser]:
    people = [fake.user(1000 + p) for p in range(PEOPLE)]
    for n in range(EACH):
        for p, person in enumerate(people):
            await person.send(words(p, n))
    return people


async def all_answered(fake: FakeTelegram, people: list[FakeUser]) -> None:
    """Each message answered with its "Kept". A kill in the moment between a reply and its
    mark as handled may repeat that one reply after the restart (never the glimmer)."""
    for p, person in enumerate(people):
        waiting = {f"Kept: “{words(p, n)}” ✨" for n in range(EACH)}
        while waiting:
            waiting.discard((await person.reply(timeout=60)).text)
    await fake.wait_idle(timeout=10)


def every_message_kept_once(db_path: Path) -> None:
    expected = sorted((1000 + p, words(p, n)) for p in range(PEOPLE) for n in range(EACH))
    assert sorted(stored(db_path)) == expected


async def wait_for_confirmed(fake: FakeTelegram) -> None:
    """Until the bot has told the fake it received every update (its getUpdates offset)."""
    deadline = time.monotonic() + 20
    while fake.pending_updates():
        assert time.monotonic() < deadline, "the bot never confirmed the updates"
        await asyncio.sleep(0.02)


class Bot:
    """The bot process under test, restarted as the test says; stopped cleanly at the end."""

    def __init__(self, fake: FakeTelegram, db_path: Path) -> None:
        self.fake, self.db_path = fake, db_path
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.process = await start_bot(self.fake, self.db_path)

    async def stop(self, sig: signal.Signals) -> int:
        assert self.process is not None
        self.process.send_signal(sig)
        return await asyncio.wait_for(self.process.wait(), 30)

    async def __aenter__(self) -> Bot:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.process is not None and self.process.returncode is None:
            await self.stop(signal.SIGTERM)
        assert self.fake.rejections == []


async def test_kill_9_with_confirmed_but_unhandled_messages_loses_nothing(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    async with Bot(fake, tmp_path / "intake.sqlite3") as bot:
        people = await flood(fake)
        await wait_for_confirmed(fake)
        # Telegram has been told every message arrived; at 10 replies a second most are
        # still waiting to be handled.
        await bot.stop(signal.SIGKILL)
        await bot.start()
        await all_answered(fake, people)
        every_message_kept_once(bot.db_path)


async def test_a_stop_mid_burst_is_quick_and_the_rest_waits_for_the_next_start(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    async with Bot(fake, tmp_path / "stop.sqlite3") as bot:
        people = await flood(fake)
        await wait_for_confirmed(fake)
        assert await bot.stop(signal.SIGTERM) == 0
        # It did not drain the backlog first (120 replies at 10 a second would take 12 s,
        # and `docker stop` allows 10): what waited is answered after the restart.
        answered_before_the_stop = sum(len(person.inbox) for person in people)
        assert answered_before_the_stop < PEOPLE * EACH / 2
        await bot.start()
        await all_answered(fake, people)
        every_message_kept_once(bot.db_path)
