"""End to end: every kind of button the bot sends, pressed twice at once (a laggy phone, an
impatient thumb), and again later on its old message. Nothing ends in an apology, an error
in the log, or an edit Telegram would refuse."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import pytest

from bot.domain.clock import FixedClock
from bot.ui import callbacks as cb
from bot.ui import texts
from handlers.checkin import run_tick
from sandbox.botapi import FakeTelegram, FakeUser
from tests.conftest import BotRunner


async def press_twice(fake: FakeTelegram, user: FakeUser, message_id: int, data: str) -> None:
    first = await user.press_data(message_id, data)
    second = await user.press_data(message_id, data)
    await user.callback_answer(first, timeout=20)
    await user.callback_answer(second, timeout=20)
    await fake.wait_idle(timeout=20)


async def a_session_with_every_kind_of_button(fake: FakeTelegram, runner: BotRunner) -> FakeUser:
    sam = fake.user(990)
    await sam.send("/start")
    await sam.replies(3)
    assert isinstance(runner.clock, FixedClock) and runner.app is not None
    runner.clock.set(datetime(2026, 11, 25, 20, 0, tzinfo=UTC))
    await run_tick(runner.app)  # a check-in: Log a glimmer, Not today, Remind me
    await sam.reply()
    await savoured_until_asked_how_it_landed(sam)
    await sam.send("\n".join(f"- small glimmer {n}" for n in range(12)))  # pickers; pages
    await sam.send("the smell of rain #outside")  # one: Savour it, Add details, Undo; a tag
    await sam.send("/glimmer")
    await sam.send("a friend's laugh")  # the sense question and the steps after it
    await sam.send_document(b"entryDate,entryContent\n2024-05-02,a kind email\n", "p.csv")
    for command in (
        "/history",
        "/search glimmer",
        "/tags",
        "/summary",
        "/anchor",
        "/recap",
        "/settings",
        "/forget",
    ):
        await sam.send(command)
    await fake.wait_idle(timeout=30)
    return sam


async def more_comes(fake: FakeTelegram, user: FakeUser, seen: int) -> bool:
    """Whether another message arrives (a savouring follow-up comes a moment later)."""
    for _ in range(40):
        await fake.wait_idle(timeout=20)
        if len(user.inbox) > seen:
            return True
        await asyncio.sleep(0.1)
    return False


async def savoured_until_asked_how_it_landed(user: FakeUser) -> None:
    """A guided glimmer walked to the savouring follow-up (its buttons come only after it)."""
    await user.send("/glimmer")
    await user.send("sunlight through the blinds")
    while (message := await user.reply(timeout=10)).text != texts.ASK_LANDED:
        buttons = message.button_texts()
        if buttons:
            await user.press(message, "10 s" if "10 s" in buttons else texts.BUTTON_SKIP)


def kind(data: str) -> str:
    """A button's action and argument, without the number it carries."""
    action = cb.parse(data)
    assert action is not None, data
    return f"{action.name}:{action.arg}"


async def test_every_button_pressed_twice_at_once_and_again_later(
    fake: FakeTelegram, clocked: BotRunner, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    sam = await a_session_with_every_kind_of_button(fake, clocked)
    pressed: dict[str, tuple[int, str]] = {}  # each kind of button, and where it was pressed
    forget: list[tuple[int, str]] = []  # /forget's "yes": pressed after everything else
    visited = 0
    while visited < len(sam.inbox) or await more_comes(fake, sam, visited):
        message = sam.inbox[visited]
        visited += 1
        # A press may give the message new buttons (Delete asks to confirm): look again, and
        # press those a press took away too (an old button is pressed as it was).
        seen: list[str] = []
        while new := [
            data
            for data in seen
            + [d for row in sam.message(message.message_id).buttons for _, d in row]
            if kind(data) not in pressed and (message.message_id, data) not in forget
        ]:
            seen += [d for row in sam.message(message.message_id).buttons for _, d in row]
            data = new[0]
            if data == cb.make(cb.FORGET, 990, "yes"):
                forget.append((message.message_id, data))
                continue
            await press_twice(fake, sam, message.message_id, data)
            pressed[kind(data)] = (message.message_id, data)
    for message_id, data in forget[:1]:
        await press_twice(fake, sam, message_id, data)
        pressed[kind(data)] = (message_id, data)
    # Every kind of button in the table was met and pressed.
    assert {k.split(":")[0] for k in pressed} == set(cb.ACTIONS)
    # And each once more, now that its message is old and the person is forgotten.
    for message_id, data in pressed.values():
        await press_twice(fake, sam, message_id, data)
    assert texts.SOMETHING_WENT_WRONG not in [m.text for m in sam.inbox]
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
