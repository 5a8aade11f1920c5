"""End to end: /recap with its chart, /history paging, stars, and /anchor."""

from __future__ import annotations

import struct

from bot.ui import texts
from sandbox.botapi import FakeTelegram
from tests.conftest import BotRunner


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


async def test_recap_sends_a_readable_chart_and_the_week_in_words(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    ida = fake.user(601)
    await ida.send("- birdsong at dawn\n- warm tea\n- my cat purring")
    await ida.reply()
    await ida.send("/recap")
    photo, words = await ida.replies(2, timeout=20)
    assert photo.photo is not None
    width, height = png_size(photo.photo)
    assert width >= 800 and height >= 600
    assert "3 in all" in photo.text  # the caption says what the chart shows
    assert "You noticed 3 glimmers on 1 day." in words.text
    assert "For the week ahead" in words.text
    await ida.press(words, texts.BUTTON_PREVIOUS_WEEK)
    empty_photo, empty_words = await ida.replies(2, timeout=20)
    assert "that's alright" in empty_words.text
    assert texts.BUTTON_NEXT_WEEK in empty_words.button_texts()
    assert empty_photo.photo is not None


async def test_history_pages_and_opening_an_entry_to_star_it(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    jon = fake.user(602)
    await jon.send("\n".join(f"glimmer {n}" for n in range(1, 24)))
    await jon.reply()
    await jon.send("/history")
    page = await jon.reply()
    assert "page 1 of 3" in page.text
    assert "1. " in page.text and "10. " in page.text and "11. " not in page.text
    await jon.press(page, texts.BUTTON_NEXT)
    second = await jon.wait_edit(page.message_id)
    assert "page 2 of 3" in second.text
    await jon.press(second, "11")
    opened = await jon.reply()
    assert texts.BUTTON_STAR in opened.button_texts()
    await jon.press(opened, texts.BUTTON_STAR)
    starred = await jon.wait_edit(opened.message_id)
    assert texts.BUTTON_UNSTAR in starred.button_texts()
    await jon.send("/anchor")
    anchor = await jon.reply()
    assert "Take a slow breath" in anchor.text
    assert opened.text.splitlines()[2] in anchor.text  # the starred one comes first


async def test_history_and_anchor_with_nothing_yet(fake: FakeTelegram, runner: BotRunner) -> None:
    kit = fake.user(603)
    await kit.send("/history")
    assert (await kit.reply()).text == texts.HISTORY_EMPTY
    await kit.send("/anchor")
    assert "nothing to look back on yet" in (await kit.reply()).text


async def test_someone_elses_entry_cannot_be_opened_or_starred(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    lou, max_ = fake.user(604), fake.user(605)
    await lou.send("private")
    glimmer_id = (await lou.reply()).data_for(texts.BUTTON_UNDO).split(":")[1]
    await max_.send("mine")
    mine = await max_.reply()
    for data in (f"ho:{glimmer_id}", f"st:{glimmer_id}"):
        answer = await max_.callback_answer(await max_.press_data(mine.message_id, data))
        assert answer.get("text") == texts.BUTTON_EXPIRED
    await max_.no_reply()


async def test_a_glimmer_opened_from_history_is_deleted_after_one_question(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    kay = fake.user(603)
    await kay.send("frost on the window\na robin on the fence")
    await kay.reply()
    await kay.send("/history")
    page = await kay.reply()
    await kay.press(page, "1")
    opened = await kay.reply()
    await kay.press(opened, texts.BUTTON_DELETE)
    confirm = await kay.wait_edit(opened.message_id)
    assert confirm.button_texts() == [texts.BUTTON_DELETE_YES, texts.BUTTON_DELETE_NO]
    assert await runner.services.glimmers.count(user_id=603) == 2  # only asked, so far
    await kay.press(confirm, texts.BUTTON_DELETE_YES)
    assert (await kay.wait_edit(opened.message_id)).text == texts.DELETED
    left = await runner.services.glimmers.page(user_id=603, offset=0, limit=10)
    assert [g.text for g in left] == ["frost on the window"]


async def test_a_history_page_button_pressed_twice_is_harmless(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    lea = fake.user(604)
    await lea.send("\n".join(f"glimmer {n}" for n in range(1, 15)))
    await lea.reply()
    await lea.send("/history")
    page = await lea.reply()
    older = page.data_for(texts.BUTTON_NEXT)
    first = await lea.press_data(page.message_id, older)
    second = await lea.press_data(page.message_id, older)  # before the first edit lands
    await lea.callback_answer(first)
    await lea.callback_answer(second)
    await fake.wait_idle()
    shown = lea.message(page.message_id)
    assert "page 2 of 2" in shown.text and shown.edits == 1  # edited once, not refused
    await lea.no_reply()  # no apology: nothing went wrong
