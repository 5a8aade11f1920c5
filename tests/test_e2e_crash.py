"""The bot killed with SIGKILL mid-conversation (no flush, no goodbye) loses nothing."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from bot.ui import texts
from sandbox.botapi import FakeTelegram
from tests import processes
from tests.dbfile import sqlite_file


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


def children_of(pid: int) -> set[int]:
    """Processes whose parent is `pid` (read from /proc, as `ps` would)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended while we looked
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


async def test_the_chart_worker_ends_when_the_bot_is_killed(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    bot = await start_bot(fake, tmp_path / "orphan.sqlite3")
    try:
        ida = fake.user(402)
        await ida.send("a warm radiator")
        await ida.reply(timeout=20)
        await ida.send("/recap")  # the chart is drawn in the worker process
        await ida.replies(2, timeout=30)
        workers = children_of(bot.pid)
        assert workers, "the recap should have started a worker process"
    finally:
        bot.send_signal(signal.SIGKILL)
        await bot.wait()
    for _ in range(100):
        if not any(alive(pid) for pid in workers):
            break
        await asyncio.sleep(0.1)
    assert not any(alive(pid) for pid in workers), "a worker outlived the bot"
