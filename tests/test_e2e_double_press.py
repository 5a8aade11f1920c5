"""End to end: a button pressed twice before the first answer lands (a laggy phone, an
impatient thumb) is harmless: no apology, no edit Telegram would refuse, nothing done twice."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.clock import FixedClock
from bot.ui import texts
from handlers.checkin import run_tick
from sandbox.botapi import BotMessage, FakeTelegram, FakeUser
from tests.conftest import BotRunner


async def press_twice(fake: FakeTelegram, user: FakeUser, message: BotMessage, button: str) -> None:
    data = message.data_for(button)
    first = await user.press_data(message.message_id, data)
    second = await user.press_data(message.message_id, data)
    await user.callback_answer(first)
    await user.callback_answer(second)
    await fake.wait_idle()


async def summary_of(user: FakeUser, text: str) -> BotMessage:
    """A guided glimmer with every question skipped: its summary."""
    await user.send("/glimmer")
    await user.reply()
    await user.send(text)
    message = await user.reply()
    while not message.text.startswith(texts.SUMMARY_TITLE):
        skip = (
            texts.BUTTON_SKIP_PAUSE
            if texts.BUTTON_SKIP_PAUSE in message.button_texts()
            else texts.BUTTON_SKIP
        )
        await user.press(message, skip)
        message = await user.reply()
    return message


async def test_a_savouring_length_pressed_twice_starts_one_pause(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    ivy = fake.user(801)
    await ivy.send("/glimmer")
    await ivy.reply()
    await ivy.send("steam curling off the kettle")
    message = await ivy.reply()
    while texts.BUTTON_SKIP_PAUSE not in message.button_texts():
        await ivy.press(message, texts.BUTTON_SKIP)
        message = await ivy.reply()
    await press_twice(fake, ivy, message, "10 s")
    assert ivy.message(message.message_id).button_texts() == [texts.BUTTON_SKIP_PAUSE]
    assert (await ivy.reply(timeout=5)).text == texts.ASK_LANDED
    await ivy.no_reply(wait=1.0)  # one follow-up, and no apology


async def test_delete_and_keep_it_pressed_twice_are_harmless(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    jo = fake.user(802)
    summary = await summary_of(jo, "a friend's voice note")
    await press_twice(fake, jo, summary, texts.BUTTON_DELETE)
    asking = jo.message(summary.message_id)
    assert asking.button_texts() == [texts.BUTTON_DELETE_YES, texts.BUTTON_DELETE_NO]
    await press_twice(fake, jo, asking, texts.BUTTON_DELETE_NO)
    kept = jo.message(summary.message_id)
    assert kept.button_texts() == [texts.BUTTON_EDIT, texts.BUTTON_DELETE, texts.BUTTON_STAR]
    await jo.no_reply()
    assert await runner.services.glimmers.count(user_id=802) == 1


async def test_remind_me_in_an_hour_pressed_twice_is_harmless(
    fake: FakeTelegram, clocked: BotRunner
) -> None:
    kit = fake.user(803)
    await kit.send("/start")
    await kit.replies(3)
    assert isinstance(clocked.clock, FixedClock) and clocked.app is not None
    clocked.clock.set(datetime(2026, 11, 25, 20, 0, tzinfo=UTC))
    await run_tick(clocked.app)
    checkin = await kit.reply()
    await press_twice(fake, kit, checkin, texts.BUTTON_REMIND)
    assert texts.BUTTON_REMIND not in kit.message(checkin.message_id).button_texts()
    await kit.no_reply()
