"""End to end: /privacy, and /forget deleting every trace of one person and no one else's."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.domain.clock import FixedClock
from bot.ui import texts
from sandbox.botapi import FakeTelegram, FakeUser
from tests.conftest import BotRunner
from tests.dbfile import sqlite_file

MARKER = "quokka-marker-5b1f9e"


def rows_of(db_path: Path, user_id: int) -> dict[str, int]:
    """How many rows in each table belong to the person (a fresh connection, read only)."""
    with sqlite_file(db_path, readonly=True) as conn:
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


async def test_forget_leaves_nothing_of_theirs_in_the_bots_memory(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    """History pages and other edited messages are remembered (to skip a repeated edit):
    /forget drops the person's, and no one else's."""
    rae, sam = fake.user(805), fake.user(806)
    for person in (rae, sam):
        await person.send("\n".join(f"{MARKER} {n}" for n in range(1, 15)))
        await person.reply()
        await person.send("/history")
        page = await person.reply()
        await person.press(page, texts.BUTTON_NEXT)
        assert MARKER in (await person.wait_edit(page.message_id)).text
    svc = runner.services

    def remembered(chat_id: int) -> list[object]:
        return [content for key, content in svc.edits._seen.items() if key[0] == chat_id]

    assert MARKER in str(remembered(805))

    await rae.send("/forget")
    ask = await rae.reply()
    await rae.press(ask, texts.BUTTON_FORGET_YES)
    assert (await rae.wait_edit(ask.message_id)).text.startswith("Done.")
    await fake.wait_idle()
    assert remembered(805) == []
    assert MARKER in str(remembered(806))


async def test_saying_no_keeps_everything(fake: FakeTelegram, runner: BotRunner) -> None:
    tess = fake.user(804)
    await tess.send("/forget")
    ask = await tess.reply()
    assert "you have none yet" in ask.text
    await tess.send("light through the leaves")
    await tess.reply()
    await tess.press(ask, texts.BUTTON_FORGET_NO)
    assert (await tess.wait_edit(ask.message_id)).text == texts.FORGET_KEPT
    assert rows_of(runner.db_path, 804)["glimmers"] == 1


def table_columns(db_path: Path, table: str) -> set[str]:
    with sqlite_file(db_path) as conn:
        return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}


async def export_files(person: FakeUser) -> tuple[dict[str, Any], list[list[str]], str, str]:
    await person.send("/export")
    working, as_json, as_csv, journal, done = await person.replies(5, timeout=30)
    assert working.text == texts.EXPORT_WORKING
    for message in (as_json, as_csv, journal):
        assert message.is_document and message.document is not None
    assert as_json.document_name is not None and as_json.document_name.endswith(".json")
    assert as_csv.document_name is not None and as_csv.document_name.endswith(".csv")
    assert journal.document_name is not None and journal.document_name.endswith(".md")
    assert as_json.document is not None and as_csv.document is not None
    assert journal.document is not None
    csv_text = as_csv.document.decode("utf-8")
    assert csv_text.startswith("\ufeff")  # spreadsheets then read it as UTF-8
    rows = list(csv.reader(io.StringIO(csv_text.removeprefix("\ufeff"))))
    return json.loads(as_json.document), rows, journal.document.decode("utf-8"), done.text


async def test_export_hands_over_everything_in_three_files(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    uma, vic = fake.user(805), fake.user(806)
    await vic.send("vic's glimmer is not in uma's files")
    await vic.reply()
    await uma.send('=SUM(A1) <b>bold</b> & "quotes", commas\n# not a heading *nor* _this_')
    await uma.reply()
    svc = runner.services
    first = (await svc.glimmers.page(user_id=805, offset=0, limit=10))[-1]
    await svc.glimmers.update(
        user_id=805,
        glimmer_id=first.id,
        now=svc.clock.now(),
        sense="sound",
        body_cue="breath",
        ladder_before="mobilised",
        ladder_after="safe",
        landed=4,
        starred=True,
    )
    document, rows, journal, done = await export_files(uma)

    assert document["schema_version"] == 1
    assert document["settings"]["id"] == 805
    assert len(document["glimmers"]) == 2
    entry = document["glimmers"][0]
    # Every column; "id" is the glimmer's ref, the number its buttons carry, which says
    # nothing of how many glimmers the bot holds (the internal row id stays inside).
    assert set(entry) >= table_columns(runner.db_path, "glimmers") - {"ref"}
    assert entry["id"] >= 2**40 and "ref" not in entry
    assert entry["text"] == '=SUM(A1) <b>bold</b> & "quotes", commas'
    assert entry["starred"] is True and entry["landed"] == 4
    assert entry["created_at"].endswith("Z") and "created_at_local" in entry

    assert rows[0] == list(texts.EXPORT_CSV_HEADER)
    assert len(rows) == 3
    assert rows[1][4] == "'" + entry["text"]  # a spreadsheet must not run it as a formula
    assert rows[1][5:10] == ["Sound", "Slower breath", "", "Mobilised, on edge", "Safe & connected"]

    assert "## " in journal and "⭐" in journal
    assert r"\# not a heading \*nor\* \_this\_" in journal
    assert "Ladder: Mobilised, on edge → Safe & connected" in journal
    assert "vic" not in json.dumps(document) + journal
    assert "2 glimmers" in done


async def test_export_with_no_glimmers_and_with_ten_thousand(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    wes = fake.user(807)
    document, rows, journal, done = await export_files(wes)
    assert document["glimmers"] == [] and rows == [list(texts.EXPORT_CSV_HEADER)]
    assert texts.EXPORT_JOURNAL_EMPTY in journal
    assert texts.EXPORT_NONE in done

    lines = [f"glimmer number {n}: a small warm thing" for n in range(10_000)]
    for start in range(0, len(lines), 1000):
        await runner.services.glimmers.add_lines(
            user_id=807,
            chat_id=807,
            message_id=1_000_000 + start,
            lines=lines[start : start + 1000],
            now=runner.services.clock.now(),
        )
    document, rows, journal, done = await export_files(wes)
    assert len(document["glimmers"]) == 10_000 and len(rows) == 10_001
    assert journal.count("glimmer number") == 10_000
    assert "10,000 glimmers" in done


async def test_forget_ends_a_conversation_in_progress(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    xia = fake.user(808)
    await xia.send("/settings")
    menu = await xia.reply()
    await xia.press(menu, texts.BUTTON_ZONE)
    assert (await xia.reply()).text == texts.ASK_ZONE  # waiting for a place
    await xia.send("/forget")
    ask = await xia.reply()
    await xia.press(ask, texts.BUTTON_FORGET_YES)
    assert (await xia.wait_edit(ask.message_id)).text.startswith("Done.")
    await xia.send("birdsong")  # a glimmer again, not a place
    assert (await xia.reply()).text.startswith("Kept")


async def test_an_old_forget_question_has_expired(fake: FakeTelegram, tmp_path: Path) -> None:
    clock = FixedClock(datetime.now(UTC))
    bot = BotRunner(fake, tmp_path / "old.sqlite3", clock=clock)
    await bot.start()
    try:
        yan = fake.user(809)
        await yan.send("the smell of oranges")
        await yan.reply()
        await yan.send("/forget")
        ask = await yan.reply()
        clock.set(clock.now() + timedelta(minutes=20))
        answer = await yan.press(ask, texts.BUTTON_FORGET_YES)
        assert (await yan.callback_answer(answer))["text"] == texts.BUTTON_EXPIRED
        assert (await yan.wait_edit(ask.message_id)).text == texts.FORGET_EXPIRED
        assert await bot.services.glimmers.count(user_id=809) == 1
    finally:
        await bot.stop()
    assert fake.rejections == []


async def test_a_forgotten_person_stays_forgotten(fake: FakeTelegram, runner: BotRunner) -> None:
    """Only a new message or command from the person brings their row back: an edit of an
    old message or a press on an old button creates nothing (no row, no check-in plan)."""
    ivo = fake.user(812)
    sent = await ivo.send("the hum of the fridge at night")
    kept = await ivo.reply()
    await ivo.send("/forget")
    asking = await ivo.reply()
    await ivo.press(asking, texts.BUTTON_FORGET_YES)
    await ivo.wait_edit(asking.message_id)
    await ivo.edit(sent["message_id"], "the hum of the fridge, edited")
    answer = await ivo.callback_answer(await ivo.press(kept, texts.BUTTON_SAVOUR))
    assert answer.get("text") == texts.BUTTON_EXPIRED
    await fake.wait_idle()
    await ivo.no_reply()
    assert await runner.services.db.fetchone("SELECT 1 FROM users WHERE id = 812") is None
    await ivo.send("/start")  # writing again is a fresh start
    assert (await ivo.reply()).text.startswith("Hello, and welcome")
