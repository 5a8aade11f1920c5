"""End to end: /privacy, and /forget deleting every trace of one person and no one else's."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot import texts
from tests.conftest import BotRunner
from tests.fake_telegram import FakeTelegram

MARKER = "quokka-marker-5b1f9e"


def rows_of(db_path: Path, user_id: int) -> dict[str, int]:
    """How many rows in each table belong to the person (a fresh connection, read only)."""
    with sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True) as conn:
        return {
            "users": conn.execute("SELECT COUNT(*) FROM users WHERE id = ?", (user_id,)).fetchone()[
                0
            ],
            "glimmers": conn.execute(
                "SELECT COUNT(*) FROM glimmers WHERE user_id = ?", (user_id,)
            ).fetchone()[0],
            "checkins": conn.execute(
                "SELECT COUNT(*) FROM checkins WHERE user_id = ?", (user_id,)
            ).fetchone()[0],
            "conversations": conn.execute(
                "SELECT COUNT(*) FROM conversations, json_each(conversations.key)"
                " WHERE json_each.value = ?",
                (user_id,),
            ).fetchone()[0],
        }


def file_bytes(db_path: Path) -> bytes:
    wal = db_path.with_name(db_path.name + "-wal")
    return db_path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


async def test_privacy_says_what_is_kept_and_how_to_leave(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    pat = fake.user(801)
    await pat.send("/privacy")
    notice = (await pat.reply()).text
    for words in ("What I keep", "/export", "/forget", "not end to end", "not encrypted"):
        assert words in notice


async def test_forget_deletes_everything_of_theirs_and_nothing_else(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    db_path = runner.db_path
    rae, sam = fake.user(802), fake.user(803)
    await sam.send("sam's own glimmer stays")
    await sam.reply()
    await rae.send(f"{MARKER} one\n{MARKER} two")
    await rae.reply()
    await rae.send("/settings")
    menu = await rae.reply()
    await rae.press(menu, texts.BUTTON_TIME)
    times = await rae.wait_edit(menu.message_id)
    await rae.press(times, "07:00")
    await rae.wait_edit(menu.message_id)
    # Half way through a guided glimmer: a draft row and a saved conversation state.
    await rae.send("/glimmer")
    await rae.reply()
    await rae.send(f"{MARKER} in the middle of savouring")
    await rae.reply()
    await fake.wait_idle()
    await runner.app.update_persistence()  # type: ignore[union-attr]
    before = rows_of(db_path, 802)
    assert before["glimmers"] == 3 and before["conversations"] >= 1

    await rae.send("/forget")
    ask = await rae.reply()
    assert "all 3 of your glimmers" in ask.text
    assert ask.button_texts() == [texts.BUTTON_FORGET_YES, texts.BUTTON_FORGET_NO]
    # Someone else's copy of the button, with their own id in it, is refused.
    answer_id = await sam.press_data(ask.message_id, ask.data_for(texts.BUTTON_FORGET_YES))
    assert (await sam.callback_answer(answer_id))["text"] == texts.BUTTON_EXPIRED

    await rae.press(ask, texts.BUTTON_FORGET_YES)
    done = await rae.wait_edit(ask.message_id)
    assert done.text.startswith("Done.")
    await fake.wait_idle()
    await runner.app.update_persistence()  # type: ignore[union-attr]
    assert rows_of(db_path, 802) == {"users": 0, "glimmers": 0, "checkins": 0, "conversations": 0}
    assert MARKER.encode() not in file_bytes(db_path)
    assert rows_of(db_path, 803)["glimmers"] == 1

    # Starting again is a fresh start, and text is a new quick glimmer.
    await rae.send("/start")
    welcome = await rae.replies(3)
    assert welcome[0].html == texts.WELCOME
    await rae.send("a new first glimmer")
    assert (await rae.reply()).text.startswith("Kept")
    assert rows_of(db_path, 802)["glimmers"] == 1


async def test_saying_no_keeps_everything(fake: FakeTelegram, runner: BotRunner) -> None:
    tess = fake.user(804)
    await tess.send("/forget")
    ask = await tess.reply()
    assert "no glimmers yet" in ask.text
    await tess.send("light through the leaves")
    await tess.reply()
    await tess.press(ask, texts.BUTTON_FORGET_NO)
    assert (await tess.wait_edit(ask.message_id)).text == texts.FORGET_KEPT
    assert rows_of(runner.db_path, 804)["glimmers"] == 1
