"""End to end: who may use the bot (ALLOWED_USER_IDS), the admins' /stats, and groups."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.domain.clock import FixedClock
from bot.ui import texts
from handlers.checkin import run_tick
from sandbox.botapi import FakeTelegram
from tests.conftest import BotRunner
from tests.dbfile import sqlite_file

NOON = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ALLOWED, ADMIN, STRANGER = 901, 902, 903


@pytest.fixture
async def limited(fake: FakeTelegram, tmp_path: Path) -> AsyncIterator[BotRunner]:
    bot = BotRunner(
        fake,
        tmp_path / "access.sqlite3",
        clock=FixedClock(NOON),
        overrides={"allowed_user_ids": f"{ALLOWED}", "admin_user_ids": f"{ADMIN}"},
    )
    await bot.start()
    yield bot
    await bot.stop()
    assert fake.rejections == [], fake.rejections


def stored_ids(db_path: Path) -> set[int]:
    with sqlite_file(db_path) as conn:
        found = {row[0] for row in conn.execute("SELECT id FROM users")}
        found |= {row[0] for row in conn.execute("SELECT user_id FROM glimmers")}
        for (key,) in conn.execute("SELECT key FROM conversations"):
            found |= {int(part) for part in key.strip("[]").split(",") if part.strip()}
        return found


async def test_only_listed_people_and_admins_get_in_and_strangers_leave_no_trace(
    fake: FakeTelegram, limited: BotRunner
) -> None:
    stranger = fake.user(STRANGER)
    for text in ("/start", "a sunny windowsill", "/glimmer", "/export"):
        await stranger.send(text)
        assert (await stranger.reply()).text == texts.NOT_ALLOWED
    answer = await stranger.press_data(1, "lg")
    assert (await stranger.callback_answer(answer))["text"] == texts.NOT_ALLOWED
    friend, admin = fake.user(ALLOWED), fake.user(ADMIN)
    await friend.send("the kettle singing")
    assert (await friend.reply()).text.startswith("Kept")
    await admin.send("my dog's sigh")
    assert (await admin.reply()).text.startswith("Kept")
    await fake.wait_idle()
    assert limited.app is not None
    await limited.app.update_persistence()
    assert stored_ids(limited.db_path) == {ALLOWED, ADMIN}


async def test_stats_are_counts_for_admins_only(fake: FakeTelegram, limited: BotRunner) -> None:
    friend, admin = fake.user(ALLOWED, first_name="Marigold"), fake.user(ADMIN)
    await friend.send("/start")
    await friend.replies(3)
    await friend.send("warm bread\nrain on the roof")
    await friend.reply()
    fake.block(ALLOWED)
    assert isinstance(limited.clock, FixedClock)
    limited.clock.set(datetime(2026, 11, 25, 20, 0, tzinfo=UTC))
    assert limited.app is not None
    await run_tick(limited.app)  # already logged today: skipped, no failure
    limited.clock.set(datetime(2026, 11, 26, 20, 0, tzinfo=UTC))
    await run_tick(limited.app)  # blocked: not delivered
    fake.unblock(ALLOWED)

    await friend.send("/stats")
    assert (await friend.reply()).text == texts.UNKNOWN_COMMAND
    await admin.send("/stats")
    report = (await admin.reply()).text
    assert "People: 2" in report
    assert "Kept a glimmer this week: 1" in report
    assert "Glimmers this week: 2 (all time: 2)" in report
    assert "Check-ins sent: 0" in report
    assert "Check-ins not delivered: 1" in report
    for private in ("Marigold", "warm bread", "rain"):
        assert private not in report


async def test_added_to_a_group_it_says_so_once_and_leaves(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    pia = fake.user(904)
    group = fake.group(-100123, "Tea club")
    group.add_bot(by=pia)
    group.send(pia, "/start")
    group.send(pia, "/glimmer@glimmers_bot")
    await fake.wait_idle()
    assert group.inbox == [texts.NOT_PRIVATE]
    assert not group.bot_is_member
    channel = fake.group(-100456, "Announcements", kind="channel")
    channel.add_bot(by=pia)
    channel.send(pia, "news of the day")
    await fake.wait_idle()
    assert channel.inbox == [texts.NOT_PRIVATE] and not channel.bot_is_member
    assert stored_ids(runner.db_path) == set()


async def test_taken_off_the_list_a_person_gets_no_check_ins_but_keeps_their_data(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    db_path = tmp_path / "removed.sqlite3"
    bot = BotRunner(fake, db_path, clock=FixedClock(NOON))
    await bot.start()
    ray = fake.user(905)
    await ray.send("light on the kettle")
    await ray.reply()
    await bot.stop()
    # The therapist narrows the list to someone else and restarts the bot.
    bot = BotRunner(
        fake, db_path, clock=FixedClock(NOON), overrides={"allowed_user_ids": f"{ALLOWED}"}
    )
    await bot.start()
    try:
        assert isinstance(bot.clock, FixedClock)
        bot.clock.set(datetime(2026, 11, 26, 20, 0, tzinfo=UTC))
        assert bot.app is not None
        assert await run_tick(bot.app) == 0
        await ray.no_reply()
        await ray.send("another glimmer")
        assert (await ray.reply()).text == texts.NOT_ALLOWED
        await ray.send("/export")
        assert (await ray.reply()).text == texts.EXPORT_WORKING
        await ray.replies(4, timeout=20)
        bot.clock.set(datetime.now(UTC))  # the question's age is judged by Telegram's clock
        await ray.send("/forget")
        ask = await ray.reply()
        await ray.press(ask, texts.BUTTON_FORGET_YES)
        assert (await ray.wait_edit(ask.message_id)).text.startswith("Done.")
        assert stored_ids(db_path) == set()
    finally:
        await bot.stop()
    assert fake.rejections == []


async def test_a_failing_gate_gets_one_honest_reply_and_stops_there(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    db = runner.services.db
    await db.execute("PRAGMA query_only = ON")  # the database refuses every write from here on
    newcomer = fake.user(931)
    await newcomer.send("the first glimmer I ever wrote down")
    assert (await newcomer.reply()).text == texts.SAVE_FAILED
    await newcomer.no_reply(wait=0.5)  # one reply, not two
    await db.execute("PRAGMA query_only = OFF")  # writable again
    await newcomer.send("the second try")
    assert (await newcomer.reply()).text.startswith("Kept")
