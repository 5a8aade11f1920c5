"""End to end: the limits per person are generous, said kindly when reached, and never
refuse for good (bot/domain/limits.py)."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.clock import FixedClock
from bot.domain.flood import BURST
from bot.domain.limits import (
    EXPORT_BURST,
    EXPORT_EVERY,
    GLIMMERS_PER_DAY,
    LINES_PER_MESSAGE,
    RECAP_BURST,
    RECAP_EVERY,
    Allowance,
)
from bot.ui import render, texts
from sandbox.botapi import FakeTelegram
from tests.conftest import NOON, BotRunner
from tests.dbfile import sqlite_file


def kept(runner: BotRunner, user_id: int) -> int:
    with sqlite_file(runner.db_path) as db:
        return int(db.execute("SELECT COUNT(*) FROM glimmers WHERE user_id = ?", (user_id,))
                   .fetchone()[0])  # fmt: skip


def lines(count: int, word: str = "glimmer") -> str:
    return "\n".join(f"{word} {n}" for n in range(1, count + 1))


def test_an_allowance_refills_steadily_up_to_its_burst() -> None:
    allowance = Allowance(3, timedelta(minutes=10))
    assert allowance.take(1, NOON, 5) == 3
    assert allowance.take(1, NOON) == 0
    assert allowance.wait(1, NOON) == timedelta(minutes=10)
    assert allowance.wait(1, NOON + timedelta(minutes=4)) == timedelta(minutes=6)
    assert allowance.take(2, NOON) == 1  # everyone has their own
    assert allowance.take(1, NOON + timedelta(minutes=10)) == 1
    assert allowance.take(1, NOON + timedelta(days=1), 9) == 3  # never beyond the burst
    allowance.take(1, NOON + timedelta(days=1))
    allowance.forget(1)
    assert allowance.take(1, NOON + timedelta(days=1), 3) == 3  # forgotten: starts full


def test_waits_are_said_in_plain_words() -> None:
    assert render.wait_phrase(timedelta(seconds=5)) == "a minute"
    assert render.wait_phrase(timedelta(minutes=6, seconds=1)) == "7 minutes"
    assert render.wait_phrase(timedelta(minutes=60)) == "an hour"
    assert render.wait_phrase(timedelta(hours=2, minutes=1)) == "3 hours"


async def test_one_message_keeps_up_to_its_limit_and_says_so(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    ada = fake.user(1501)
    await ada.send(lines(LINES_PER_MESSAGE + 50))
    saved, note = await ada.replies(2)
    assert saved.text == f"Kept {LINES_PER_MESSAGE} glimmers. ✨"
    assert note.text == texts.TOO_MANY_LINES.format(kept=LINES_PER_MESSAGE)
    assert kept(runner, 1501) == LINES_PER_MESSAGE
    await ada.send("one more, on its own")
    assert (await ada.reply()).text.startswith("Kept")


async def test_a_day_holds_its_limit_then_room_comes_back(
    fake: FakeTelegram, clocked: BotRunner
) -> None:
    clock = clocked.clock
    assert isinstance(clock, FixedClock)
    bea = fake.user(1502)
    for _ in range(GLIMMERS_PER_DAY // LINES_PER_MESSAGE - 1):
        await bea.send(lines(LINES_PER_MESSAGE))
        await bea.reply()
    # The message that crosses the limit keeps what fits and says so.
    await bea.send(lines(LINES_PER_MESSAGE + 0) + "\n" + lines(20, "extra"))
    saved, note = await bea.replies(2)
    assert saved.text == f"Kept {LINES_PER_MESSAGE} glimmers. ✨"
    assert note.text == texts.TOO_MANY_LINES.format(kept=LINES_PER_MESSAGE)
    assert kept(clocked, 1502) == GLIMMERS_PER_DAY
    await bea.send("the kettle's click")
    full = await bea.reply()
    assert full.text == texts.DAY_FULL.format(limit=GLIMMERS_PER_DAY, wait="3 minutes")
    assert kept(clocked, 1502) == GLIMMERS_PER_DAY
    # An hour later there is room for about twenty more: a longer message keeps those.
    clock.set(NOON + timedelta(hours=1))
    await bea.send(lines(30, "later"))
    saved, note = await bea.replies(2)
    assert saved.text == "Kept 20 glimmers. ✨"
    # Twenty and most of another came back; the next one is less than a minute away.
    assert note.text == texts.DAY_FULL_PART.format(limit=GLIMMERS_PER_DAY, kept=20, wait="a minute")
    assert kept(clocked, 1502) == GLIMMERS_PER_DAY + 20
    # Others are untouched by one person's limit.
    cal = fake.user(1503)
    await cal.send("sun on the stairs")
    assert (await cal.reply()).text.startswith("Kept")


async def test_recaps_and_exports_rest_after_a_burst(
    fake: FakeTelegram, clocked: BotRunner
) -> None:
    clock = clocked.clock
    assert isinstance(clock, FixedClock)
    dev = fake.user(1504)
    for _ in range(RECAP_BURST):
        await dev.send("/recap")
        await dev.replies(2, timeout=20)  # the chart, then the words
    await dev.send("/recap")
    wait = render.wait_phrase(RECAP_EVERY)
    assert (await dev.reply()).text == texts.RECAP_RESTING.format(wait=wait)
    clock.set(NOON + RECAP_EVERY)
    await dev.send("/recap")
    _, words = await dev.replies(2, timeout=20)
    # Its "previous week" button counts too: the pop-up says how long to wait.
    await dev.press(words, texts.BUTTON_PREVIOUS_WEEK)
    await fake.wait_idle()
    assert dev.callback_answers[-1].get("text") == texts.RECAP_RESTING_POPUP.format(wait=wait)
    await dev.no_reply()

    for _ in range(EXPORT_BURST):
        await dev.send("/export")
        await dev.replies(5, timeout=20)  # working, three files, done
    await dev.send("/export")
    assert (await dev.reply()).text == texts.EXPORT_RESTING.format(
        wait=render.wait_phrase(EXPORT_EVERY)
    )


async def test_forget_gives_back_a_full_allowance(fake: FakeTelegram, runner: BotRunner) -> None:
    eli = fake.user(1505)
    for _ in range(GLIMMERS_PER_DAY // LINES_PER_MESSAGE):
        await eli.send(lines(LINES_PER_MESSAGE))
        await eli.reply()
    await eli.send("one too many")
    assert (await eli.reply()).text.startswith("You've kept")
    await eli.send("/forget")
    question = await eli.reply()
    await eli.press(question, texts.BUTTON_FORGET_YES)
    await eli.wait_edit(question.message_id)
    await eli.send("a fresh start")
    assert (await eli.reply()).text == "Kept: “a fresh start” ✨"


async def test_a_message_handled_again_keeps_what_it_kept_and_is_not_charged_twice(
    fake: FakeTelegram, clocked: BotRunner
) -> None:
    fay = fake.user(1506)
    for _ in range(GLIMMERS_PER_DAY // LINES_PER_MESSAGE - 1):
        await fay.send(lines(LINES_PER_MESSAGE))
        await fay.reply()
    await fay.send(lines(80, "nearly"))
    await fay.reply()
    # 20 left. Every try at this message's reply fails (a send and its retries, then once
    # more), so the bot handles the message a second time a moment later.
    fake.fail_next("sendMessage", error_code=502, times=5)
    await fay.send(lines(60, "last"))
    saved, note = await fay.replies(2, timeout=10)
    assert saved.text == "Kept 20 glimmers. ✨"  # not "wasn't kept": it was, the first time
    assert note.text.startswith("That brings you to the most glimmers I keep in one day (500)")
    assert kept(clocked, 1506) == GLIMMERS_PER_DAY


async def test_an_edit_adds_lines_only_within_the_same_limits(
    fake: FakeTelegram, clocked: BotRunner
) -> None:
    gil = fake.user(1507)
    first = await gil.send("one small line")
    await gil.reply()
    await gil.edit(first["message_id"], lines(LINES_PER_MESSAGE + 20, "edited"))
    updated, note = await gil.replies(2)
    assert updated.text == f"Updated {LINES_PER_MESSAGE} glimmers."
    assert note.text == texts.TOO_MANY_LINES.format(kept=LINES_PER_MESSAGE)
    assert kept(clocked, 1507) == LINES_PER_MESSAGE
    # Near the day's limit, an edit can't add more than what is left of it.
    for _ in range(GLIMMERS_PER_DAY // LINES_PER_MESSAGE - 2):
        await gil.send(lines(LINES_PER_MESSAGE))
        await gil.reply()
    await gil.send(lines(95, "nearly"))
    await gil.reply()
    second = await gil.send("two lines\nof it")
    await gil.reply()
    assert kept(clocked, 1507) == GLIMMERS_PER_DAY - 3
    await gil.edit(second["message_id"], lines(20, "grown"))
    updated, note = await gil.replies(2)
    assert updated.text == "Updated 5 glimmers."  # its 2, and the 3 the day had left
    assert "I kept the first 5 lines of this message" in note.text
    assert kept(clocked, 1507) == GLIMMERS_PER_DAY


async def test_a_flood_past_the_days_limit_is_told_within_the_flood_budget(
    fake: FakeTelegram, clocked: BotRunner
) -> None:
    hal = fake.user(1508)
    for _ in range(GLIMMERS_PER_DAY // LINES_PER_MESSAGE):
        await hal.send(lines(LINES_PER_MESSAGE))
        await hal.reply()
    for n in range(BURST + 10):
        await hal.send(f"one more, number {n}")
    # Replies stop where the flood budget ends (5 were spent on the first messages), and no
    # "…all kept" summary follows: none of these was kept.
    told = await hal.replies(BURST - GLIMMERS_PER_DAY // LINES_PER_MESSAGE, timeout=10)
    assert all(m.text.startswith("You've kept 500 glimmers today") for m in told)
    await hal.no_reply(wait=1.0)  # time enough for a flood summary, were one coming
    assert kept(clocked, 1508) == GLIMMERS_PER_DAY
