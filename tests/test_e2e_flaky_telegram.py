"""End to end: Telegram failing on the way (502 from its front end, dropped connections).
Every message is kept once, answered once with the truth, and never with an apology for a
glimmer that was saved."""

from __future__ import annotations

import logging

import pytest

from bot.ui import texts
from sandbox.botapi import FakeTelegram
from tests.conftest import BotRunner


async def stored(runner: BotRunner, user_id: int) -> list[str]:
    rows = await runner.services.db.fetchall(
        "SELECT text FROM glimmers WHERE user_id = ? ORDER BY id", (user_id,)
    )
    return [row["text"] for row in rows]


async def test_a_bad_gateway_on_the_reply_is_tried_again(
    fake: FakeTelegram, runner: BotRunner, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    uma = fake.user(971)
    fake.fail_next("sendMessage", error_code=502, times=2)
    await uma.send("the first warm day")
    assert (await uma.reply()).text == "Kept: “the first warm day” ✨"
    await uma.no_reply()
    assert await stored(runner, 971) == ["the first warm day"]
    retries = [r for r in caplog.records if "sendMessage failed" in r.getMessage()]
    assert len(retries) == 2 and all(r.exc_info is None for r in retries)  # no traceback


async def test_telegram_down_for_longer_the_message_is_answered_once_it_is_back(
    fake: FakeTelegram, runner: BotRunner, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    ned = fake.user(972)
    # Every try of the first handling fails (one send, three retries), and once more.
    fake.fail_next("sendMessage", error_code=502, times=5)
    await ned.send("bread rising in the oven")
    reply = await ned.reply(timeout=10)
    assert reply.text == "Kept: “bread rising in the oven” ✨"
    assert reply.text != texts.SOMETHING_WENT_WRONG
    await ned.no_reply(wait=1.0)  # answered once, and no apology
    assert await stored(runner, 972) == ["bread rising in the oven"]
    assert not [r for r in caplog.records if r.exc_info is not None]  # warnings, not tracebacks


async def test_telegram_asking_to_slow_down_again_and_again_still_gets_the_answer_through(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    """More "429 Too Many Requests" in a row than the limiter waits out (one send, three
    retries): the update is handled again later, and the person is told it was kept, not
    that something went wrong (it was saved all along)."""
    ona = fake.user(973)
    fake.fail_next("sendMessage", error_code=429, times=5, retry_after=1)
    await ona.send("a robin on the fence")
    reply = await ona.reply(timeout=20)
    assert reply.text == "Kept: “a robin on the fence” ✨"
    await ona.no_reply(wait=1.0)
    assert await stored(runner, 973) == ["a robin on the fence"]
