"""The one log line per update: kind, handler, duration, outcome, and nothing a person wrote."""

from __future__ import annotations

import logging
import re

import pytest

from bot.ui import texts
from sandbox.botapi import FakeTelegram
from tests.conftest import BotRunner

LINE = re.compile(
    r"update id=(\d+) kind=(\w+) handler=([\w.]+) ms=(\d+\.\d) outcome=(ok|error|unhandled)$"
)


def update_lines(caplog: pytest.LogCaptureFixture) -> list[tuple[str, str, str]]:
    """(kind, handler, outcome) of each update line, in order."""
    found = []
    for record in caplog.records:
        if record.name == "bot.updates":
            assert record.levelno == logging.INFO
            match = LINE.match(record.getMessage())
            assert match is not None, record.getMessage()
            found.append((match[2], match[3], match[5]))
    return found


async def test_each_update_gets_one_line_naming_its_handler(
    fake: FakeTelegram, runner: BotRunner, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.updates")
    lou = fake.user(1201, "Lou")
    sent = await lou.send("a robin on the fence")
    kept = await lou.reply()
    await fake.wait_idle()
    await lou.edit(sent["message_id"], "a robin on the gate")
    await fake.wait_idle()
    await lou.press(kept, texts.BUTTON_UNDO)
    await lou.wait_edit(kept.message_id)
    await lou.send("/nonsense")
    await lou.reply()
    await fake.wait_idle()
    assert update_lines(caplog) == [
        ("message", "handlers.quicklog.quick_log", "ok"),
        ("edited_message", "handlers.quicklog.edited", "ok"),
        ("callback_query", "handlers.quicklog.undo", "ok"),
        ("message", "handlers.start.unknown_command", "ok"),
    ]
    assert "robin" not in caplog.text and "Lou" not in caplog.text


async def test_a_failing_handler_is_logged_as_an_error(
    fake: FakeTelegram, runner: BotRunner, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.updates")
    max_ = fake.user(1202, "Max")
    fake.fail_next("sendMessage", error_code=400, description="Bad Request: injected failure")
    await max_.send("/about")
    assert (await max_.reply()).text == texts.SOMETHING_WENT_WRONG
    await fake.wait_idle()
    assert update_lines(caplog) == [("message", "handlers.start.about", "error")]
