"""End to end: a person quick-logs glimmers by text, as they would on a phone."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.domain.clock import FixedClock
from bot.domain.flood import BURST
from bot.ui import texts
from sandbox.botapi import FakeTelegram
from tests.conftest import BotRunner


async def stored_texts(runner: BotRunner, user_id: int) -> list[str]:
    rows = await runner.services.db.fetchall(
        "SELECT text FROM glimmers WHERE user_id = ? ORDER BY id", (user_id,)
    )
    return [row["text"] for row in rows]


async def test_a_text_is_kept_at_once_with_three_buttons(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    ana = fake.user(101, "Ana")
    await ana.send("the smell of rain on warm pavement")
    reply = await ana.reply()
    assert reply.text == "Kept: “the smell of rain on warm pavement” ✨"
    assert reply.button_texts() == [texts.BUTTON_SAVOUR, texts.BUTTON_DETAILS, texts.BUTTON_UNDO]
    assert await stored_texts(runner, 101) == ["the smell of rain on warm pavement"]


async def test_three_lines_make_three_glimmers_and_undo_removes_them(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    ben = fake.user(102, "Ben")
    await ben.send("- birdsong at dawn\n- warm mug in my hands\n\n- my cat purring")
    reply = await ben.reply()
    assert reply.text == "Kept 3 glimmers. ✨"
    assert await stored_texts(runner, 102) == [
        "birdsong at dawn",
        "warm mug in my hands",
        "my cat purring",
    ]
    await ben.press(reply, texts.BUTTON_UNDO)
    edited = await ben.wait_edit(reply.message_id)
    assert edited.text == texts.UNDONE_MANY.format(count=3)
    assert edited.buttons == []
    assert await stored_texts(runner, 102) == []


async def test_undo_twice_is_harmless(fake: FakeTelegram, runner: BotRunner) -> None:
    cat = fake.user(103)
    await cat.send("sun on the kitchen table")
    reply = await cat.reply()
    undo = reply.data_for(texts.BUTTON_UNDO)
    await cat.press(reply, texts.BUTTON_UNDO)
    await cat.wait_edit(reply.message_id)
    query = await cat.press_data(reply.message_id, undo)
    answer = await cat.callback_answer(query)
    assert answer.get("text") == texts.ALREADY_GONE


async def test_redelivered_update_makes_no_duplicate(fake: FakeTelegram, runner: BotRunner) -> None:
    dee = fake.user(104)
    message = await dee.send("a stranger held the door\nthe bus came on time")
    await dee.reply()
    await fake.wait_idle()
    first_update = next(
        u["update_id"]
        for u in fake.updates
        if u.get("message", {}).get("message_id") == message["message_id"]
    )
    await fake.redeliver(first_update)
    again = await dee.reply()
    assert again.text == "Kept 2 glimmers. ✨"
    assert await stored_texts(runner, 104) == ["a stranger held the door", "the bus came on time"]


async def test_an_edited_message_updates_its_glimmer(fake: FakeTelegram, runner: BotRunner) -> None:
    eve = fake.user(105)
    message = await eve.send("a robin on the fnece")
    await eve.reply()
    await eve.edit(message["message_id"], "a robin on the fence")
    reply = await eve.reply()
    assert reply.text == "Updated: “a robin on the fence”"
    assert await stored_texts(runner, 105) == ["a robin on the fence"]


@pytest.mark.parametrize(
    "text",
    [
        "x" * 4096,
        "🌅🫖🐈‍⬛ sunrise, tea and the cat 👩‍👩‍👧",
        "שקיעה יפה מעל הים",
        "مرحبا، ابتسامة من الجار",
        "<b>not bold</b> & <script>alert(1)</script> &amp;",
        "e\u0301\u200b zero width and combining",
    ],
    ids=["4096-chars", "emoji", "hebrew", "arabic", "html-like", "combining"],
)
async def test_strange_text_round_trips_intact(
    fake: FakeTelegram, runner: BotRunner, text: str
) -> None:
    fay = fake.user(106)
    await fay.send(text)
    reply = await fay.reply()
    assert reply.text.startswith("Kept")
    assert await stored_texts(runner, 106) == [text]


@pytest.mark.parametrize(
    "send",
    ["send_voice", "send_video_note", "send_sticker", "send_location", "send_contact"],
)
async def test_non_text_gets_one_kind_line(
    fake: FakeTelegram, runner: BotRunner, send: str
) -> None:
    gus = fake.user(107)
    await getattr(gus, send)()
    reply = await gus.reply()
    assert reply.text == texts.TEXT_WORKS_BEST
    await gus.no_reply()
    assert await stored_texts(runner, 107) == []


async def test_a_photo_caption_is_kept_and_a_bare_photo_asks_for_words(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    hal = fake.user(108)
    await hal.send_photo(caption="the light through the blinds")
    assert (await hal.reply()).text == "Kept: “the light through the blinds” ✨"
    await hal.send_photo()
    assert (await hal.reply()).text == texts.PHOTO_NEEDS_WORDS
    assert await stored_texts(runner, 108) == ["the light through the blinds"]


async def test_g_command_logs_and_asks_when_empty(fake: FakeTelegram, runner: BotRunner) -> None:
    ivy = fake.user(109)
    await ivy.send("/g")
    assert (await ivy.reply()).text == texts.ASK_QUICK_TEXT
    await ivy.send("my neighbour waved")
    assert (await ivy.reply()).text == "Kept: “my neighbour waved” ✨"
    await ivy.send("/g fresh bread\nclean sheets")
    assert (await ivy.reply()).text == "Kept 2 glimmers. ✨"
    assert await stored_texts(runner, 109) == ["my neighbour waved", "fresh bread", "clean sheets"]


async def test_a_button_for_someone_elses_glimmer_is_refused(
    fake: FakeTelegram, runner: BotRunner, caplog: pytest.LogCaptureFixture
) -> None:
    owner, other = fake.user(110, "Owner"), fake.user(111, "Other")
    await owner.send("my private glimmer")
    reply = await owner.reply()
    glimmer_id = reply.data_for(texts.BUTTON_UNDO).split(":")[1]
    await other.send("mine")
    mine = await other.reply()
    caplog.set_level(logging.WARNING)
    for data in (f"un:{glimmer_id}", f"sv:{glimmer_id}", f"ed:{glimmer_id}", f"dx:{glimmer_id}"):
        query = await other.press_data(mine.message_id, data)
        answer = await other.callback_answer(query)
        assert answer.get("text") in (texts.BUTTON_EXPIRED, texts.ALREADY_GONE)
    await other.no_reply()
    assert await stored_texts(runner, 110) == ["my private glimmer"]
    assert "user 111" in caplog.text
    assert "my private glimmer" not in caplog.text


async def test_garbage_callback_data_is_answered_kindly(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    jo = fake.user(112)
    await jo.send("steam from the kettle")
    reply = await jo.reply()
    for data in ("nonsense", "sv:abc", "s:1:lava", "x" * 64):
        answer = await jo.callback_answer(await jo.press_data(reply.message_id, data))
        assert answer.get("text") == texts.BUTTON_EXPIRED


async def test_reply_to_a_checkin_is_its_answer(fake: FakeTelegram, runner: BotRunner) -> None:
    kim = fake.user(113)
    await kim.send("/start")
    await kim.replies(3)
    assert runner.app is not None
    # Part 2's scheduler sends check-ins like this and records them.
    checkin = await runner.app.bot.send_message(chat_id=113, text="What glimmers did you notice?")
    await runner.services.checkins.record_sent(
        user_id=113, chat_id=113, message_id=checkin.message_id, now=runner.clock.now()
    )
    await kim.reply()
    await kim.send("the smell of cut grass", reply_to=checkin.message_id)
    assert (await kim.reply()).text == "Thank you for sharing. Kept: “the smell of cut grass” ✨"
    row = await runner.services.db.fetchone("SELECT answered_at FROM checkins WHERE user_id = 113")
    assert row is not None and row["answered_at"] is not None
    # A reply to any other bot message is simply a glimmer.
    await kim.send("and a second one", reply_to=checkin.message_id - 1)
    assert (await kim.reply()).text == "Kept: “and a second one” ✨"


async def test_savour_it_on_a_multi_line_message_asks_which_one(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    lee = fake.user(114)
    await lee.send("one\ntwo")
    reply = await lee.reply()
    await lee.press(reply, texts.BUTTON_SAVOUR)
    picker = await lee.reply()
    assert picker.text == texts.PICK_SAVOUR
    assert picker.button_texts() == ["one", "two"]
    await lee.press(picker, "two")
    assert (await lee.reply()).text == texts.ASK_LADDER


NOON = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


async def test_a_flood_is_all_kept_with_fewer_replies_and_others_are_answered(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    bot = BotRunner(fake, tmp_path / "flood.sqlite3", clock=FixedClock(NOON))
    await bot.start()
    try:
        flo, gus = fake.user(990), fake.user(991)
        for n in range(100):
            await flo.send(f"glimmer {n} of a very busy minute")
        await gus.send("one calm glimmer")
        assert (await gus.reply()).text.startswith("Kept")
        await fake.wait_idle()
        await fake.wait_until(lambda: bool(flo.inbox) and "all kept" in flo.inbox[-1].text)
        assert len(flo.inbox) == BURST + 1
        summary = flo.inbox[-1]
        assert summary.text.startswith(f"…and {100 - BURST} more messages, all kept.")
        assert await bot.services.glimmers.count(user_id=990) == 100
    finally:
        await bot.stop()
    assert fake.rejections == []


async def test_odd_line_breaks_and_invisible_text_as_a_person_might_paste_them(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    vi = fake.user(131)
    await vi.send("a robin\x0con the fence\u2028singing\x00")
    assert (await vi.reply()).text.startswith("Kept: “a robin on the fence")
    assert await stored_texts(runner, 131) == ["a robin on the fence\u2028singing"]
    await vi.send("\u200b\u200b\n\u2060")
    assert (await vi.reply()).text == texts.NO_CONTENT
    await vi.send("/glimmer")
    await vi.reply()
    await vi.send("\u200b")
    assert (await vi.reply()).text == texts.NO_CONTENT
    await vi.send("dew on the grass")
    assert (await vi.reply()).text == texts.ASK_SENSE
    assert await stored_texts(runner, 131) == [
        "a robin on the fence\u2028singing",
        "dew on the grass",
    ]


async def test_the_kept_reply_and_a_guided_step_are_sent_as_any_reply_is(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    # The busiest replies skip PTB's typed methods (bot/runtime/sending.py); they must still
    # carry the bot's defaults: HTML, no link preview, no quote of the person's message.
    gus = fake.user(120, "Gus")
    await gus.send("a <b>bold</b> claim about https://example.org")
    kept = await gus.reply()
    assert kept.text == "Kept: “a <b>bold</b> claim about https://example.org” ✨"
    await gus.send("/glimmer")
    await gus.reply()
    await gus.send("light through the blinds")
    step = await gus.reply()
    await gus.press(step, texts.SENSE_LABELS["sight"])
    await gus.wait_edit(step.message_id)
    await gus.reply()
    sent = [p for name, p in fake.calls if name in ("sendMessage", "editMessageText")]
    assert len(sent) >= 5
    for params in sent:
        assert params["parse_mode"] == "HTML"
        assert params["link_preview_options"] == {"is_disabled": True}
        assert "reply_parameters" not in params
