"""A whole journey with every logger at DEBUG, through the handler the bot configures: no
token, no name, no username and no glimmer's words may reach the log."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.runtime.logs import configure_logging
from bot.ui import texts
from sandbox.botapi import FakeTelegram
from tests.conftest import running

FIRST_NAME = "Zanzibarina"
USERNAME = "quillfeather_77"
QUICK = "periwinkle kettle whistling softly"
EDITED = "periwinkle kettle humming softly"
GUIDED = "marmalade light across the floorboards"
TYPED_TIME = "whenevertide"


@pytest.fixture
def debug_log() -> Iterator[io.StringIO]:
    """What the bot's own log handler writes, every logger at DEBUG; all put back after."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    loggers = [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    saved_levels = {logger.name: logger.level for logger in loggers}
    stream = io.StringIO()
    try:
        yield stream
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
        for name, level in saved_levels.items():
            logging.getLogger(name).setLevel(level)


def start_capture(stream: io.StringIO, token: str) -> None:
    configure_logging(logging.DEBUG, secrets=(token,))
    (handler,) = logging.getLogger().handlers
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)


async def test_a_whole_journey_logs_no_token_name_or_words(
    fake: FakeTelegram, tmp_path: Path, debug_log: io.StringIO
) -> None:
    start_capture(debug_log, fake.token)
    async with running(fake, tmp_path) as bot:
        zan = fake.user(1301, FIRST_NAME, username=USERNAME)
        await zan.send("/start")
        await zan.replies(3)
        # A quick glimmer, edited, then its savour button.
        sent = await zan.send(QUICK)
        kept = await zan.reply()
        await zan.edit(sent["message_id"], EDITED)
        assert EDITED in (await zan.reply()).text
        # The guided conversation, every step by button.
        await zan.send("/glimmer")
        assert (await zan.reply()).text == texts.ASK_TEXT
        await zan.send(GUIDED)
        step = await zan.reply()
        for label in (
            texts.SENSE_LABELS["sound"],
            texts.BODY_LABELS["chest"],
            texts.LADDER_LABELS["mobilised"],
        ):
            await zan.press(step, label)
            step = await zan.reply()
        await zan.press(step, texts.BUTTON_SKIP_PAUSE)
        summary = await zan.reply()
        assert GUIDED in summary.text
        # Settings: a typed time it cannot read, then a button.
        await zan.send("/settings")
        menu = await zan.reply()
        await zan.press(menu, texts.BUTTON_TIME)
        times = await zan.wait_edit(menu.message_id)
        await zan.press(times, texts.BUTTON_TYPE_TIME)
        await zan.reply()
        await zan.send(TYPED_TIME)
        await zan.reply()
        await zan.send("/cancel")
        await zan.reply()
        # Review: the recap with its chart, history, an entry opened and starred.
        await zan.send("/recap")
        await zan.replies(2, timeout=20)
        await zan.send("/history")
        page = await zan.reply()
        await zan.press(page, "1")
        opened = await zan.reply()
        await zan.press(opened, texts.BUTTON_STAR)
        await zan.wait_edit(opened.message_id)
        await zan.press(kept, texts.BUTTON_UNDO)
        await fake.wait_idle()
        rows = await bot.services.db.fetchall(
            "SELECT text FROM glimmers WHERE user_id = ?", (1301,)
        )
        assert [row["text"] for row in rows] == [GUIDED]  # the journey really happened

    log = debug_log.getvalue()
    assert "DEBUG" in log  # the capture saw everything, not just warnings
    leaks = [
        secret
        for secret in (fake.token, FIRST_NAME, USERNAME, QUICK, EDITED, GUIDED, TYPED_TIME)
        if secret in log
    ]
    assert not leaks, [line for line in log.splitlines() if any(s in line for s in leaks)][:10]
    kinds = re.findall(r"update id=\d+ kind=(\w+) handler=\S+ ms=\S+ outcome=ok", log)
    assert {"message", "edited_message", "callback_query"} <= set(kinds)
    assert len(kinds) == fake.last_update_id  # one line for every update, each one handled
