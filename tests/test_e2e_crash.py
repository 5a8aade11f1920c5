"""The bot killed with SIGKILL mid-conversation (no flush, no goodbye) loses nothing."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from bot.ui import texts
from tests import processes
from tests.dbfile import sqlite_file
from tests.fake_telegram import FakeTelegram


async def start_bot(fake: FakeTelegram, db_path: Path) -> asyncio.subprocess.Process:
    settings = {
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "DATABASE_PATH": str(db_path),
        "LOG_LEVEL": "WARNING",
    }
    return await processes.start_bot(cwd=db_path.parent, settings=settings)


def rows(db_path: Path) -> list[tuple[str, str | None, str | None, str]]:
    with sqlite_file(db_path) as db:
        return db.execute(
            "SELECT text, sense, body_cue, status FROM glimmers ORDER BY id"
        ).fetchall()


async def test_kill_9_mid_conversation_then_restart_continues(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    db_path = tmp_path / "crash.sqlite3"
    bot = await start_bot(fake, db_path)
    try:
        zoe = fake.user(401)
        await zoe.send("/glimmer")
        await zoe.reply(timeout=20)
        await zoe.send("the neighbour's wind chime")
        sense = await zoe.reply()
        await zoe.press(sense, texts.SENSE_LABELS["sound"])
        await zoe.wait_edit(sense.message_id)
        body = await zoe.reply()
        bot.send_signal(signal.SIGKILL)
        await bot.wait()
        # Every answer was written as it was given, before any persistence flush.
        assert rows(db_path) == [("the neighbour's wind chime", "sound", None, "draft")]
        bot = await start_bot(fake, db_path)
        # The body question's buttons still work after the crash: they name their glimmer.
        await zoe.press(body, texts.BODY_LABELS["smile"])
        ladder = await zoe.reply(timeout=20)
        assert ladder.text == texts.ASK_LADDER
        await fake.wait_idle(timeout=10)
        # Updates the killed bot had not confirmed were delivered again: nothing doubled.
        assert rows(db_path) == [("the neighbour's wind chime", "sound", "smile", "draft")]
        await zoe.send("clean sheets")  # a button was expected: kept as a new glimmer
        assert (await zoe.reply()).text == "Kept: “clean sheets” ✨"
        assert rows(db_path) == [
            ("the neighbour's wind chime", "sound", "smile", "complete"),
            ("clean sheets", None, None, "complete"),
        ]
    finally:
        if bot.returncode is None:
            bot.send_signal(signal.SIGTERM)
            await asyncio.wait_for(bot.wait(), 20)
    assert bot.returncode == 0
    assert fake.rejections == []
