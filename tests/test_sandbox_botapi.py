"""Tests of the fake Telegram server itself, driven by a real python-telegram-bot client."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyParameters,
    Update,
)
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from sandbox.botapi import FakeTelegram, FakeUser, JsonDict, render_html, utf16_len

CHAT = 4242


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(fake.token, base_url=fake.base_url) as client:
        yield client


@pytest.fixture
def alex(fake: FakeTelegram) -> FakeUser:
    return fake.user(CHAT, "Alex")


def keyboard(*buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data) for text, data in buttons]]
    )


# ---------------------------------------------------------------------------------------------
# Sending and receiving
# ---------------------------------------------------------------------------------------------


async def test_send_message_round_trip(fake: FakeTelegram, bot: Bot, alex: FakeUser) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123456, "glimmers_test_bot", True)

    sent = await bot.send_message(
        CHAT,
        "<b>Hi</b> &amp; <i>welcome</i> &#x27;home&#39;",
        parse_mode="HTML",
        reply_markup=keyboard(("Yes", "answer:yes"), ("No", "answer:no")),
    )
    assert sent.text == "Hi & welcome 'home'"
    assert sent.from_user is not None and sent.from_user.is_bot
    assert sent.chat.id == CHAT
    assert [e.type for e in sent.entities] == ["bold", "italic"]
    assert sent.reply_markup is not None

    got = await alex.reply()
    assert got.message_id == sent.message_id
    assert got.text == "Hi & welcome 'home'"
    assert got.html == "<b>Hi</b> &amp; <i>welcome</i> &#x27;home&#39;"
    assert got.parse_mode == "HTML"
    assert got.buttons == [[("Yes", "answer:yes"), ("No", "answer:no")]]
    assert got.button_texts() == ["Yes", "No"]
    assert got.data_for("No") == "answer:no"
    assert alex.inbox == [got]
    assert alex.message(sent.message_id) is got
    assert [name for name, _ in fake.calls][-2:] == ["getMe", "sendMessage"]
    assert fake.calls[-1][1]["chat_id"] == CHAT
    assert fake.rejections == []
    await alex.no_reply(wait=0.05)


async def test_plain_text_is_trimmed_and_not_parsed(bot: Bot, alex: FakeUser) -> None:
    sent = await bot.send_message(CHAT, "  a <b> & c \n")
    assert sent.text == "a <b> & c"
    got = await alex.reply()
    assert (got.text, got.html, got.parse_mode) == ("a <b> & c", None, None)


async def test_message_ids_are_shared_per_chat(
    fake: FakeTelegram, bot: Bot, alex: FakeUser
) -> None:
    first = await alex.send("hello")
    reply = await bot.send_message(CHAT, "hi")
    second = await alex.send("again")
    assert [first["message_id"], reply.message_id, second["message_id"]] == [1, 2, 3]
    other = fake.user(77, "Bea")
    assert (await other.send("hey"))["message_id"] == 1
    assert fake.user(77) is other


async def test_no_reply_fails_when_the_bot_speaks(bot: Bot, alex: FakeUser) -> None:
    await bot.send_message(CHAT, "unexpected")
    with pytest.raises(AssertionError, match="unexpected"):
        await alex.no_reply(wait=0.05)


async def test_reply_timeout_explains_what_happened(
    fake: FakeTelegram, bot: Bot, alex: FakeUser
) -> None:
    with pytest.raises(BadRequest):
        await bot.send_message(CHAT, "<b>oops", parse_mode="HTML")
    with pytest.raises(AssertionError, match="can't parse entities"):
        await alex.reply(timeout=0.05)
    fake.rejections.clear()


# ---------------------------------------------------------------------------------------------
# Strictness: errors become the right PTB exceptions
# ---------------------------------------------------------------------------------------------


async def test_unknown_chat_is_a_bad_request(fake: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(999, "hello?")
    assert fake.rejections == [
        {
            "method": "sendMessage",
            "error_code": 400,
            "description": "Bad Request: chat not found",
            "payload": {"chat_id": 999, "text": "hello?"},
        }
    ]


async def test_blocked_user_is_forbidden_and_not_a_rejection(
    fake: FakeTelegram, bot: Bot, alex: FakeUser
) -> None:
    fake.block(CHAT)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(CHAT, "hello")
    with pytest.raises(Forbidden):
        await bot.send_chat_action(CHAT, "typing")
    assert fake.rejections == []
    fake.unblock(CHAT)
    await bot.send_message(CHAT, "hello again")
    assert (await alex.reply()).text == "hello again"


async def test_injected_failures(
    fake: FakeTelegram, bot: Bot, alex: FakeUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Opt in to PTB's timedelta durations so RetryAfter raises no deprecation warning.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    fake.fail_next("sendMessage", retry_after=3, times=2)
    for _ in range(2):
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(CHAT, "flood")
        assert caught.value.retry_after == timedelta(seconds=3)
    fake.fail_next("sendMessage", error_code=500)
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_message(CHAT, "boom")
    fake.fail_next("editMessageText", error_code=400, description="Bad Request: custom")
    await bot.send_message(CHAT, "finally")
    assert [m.text for m in alex.inbox] == ["finally"]
    assert fake.rejections == []
    assert [name for name, _ in fake.calls].count("sendMessage") == 4


async def test_unknown_token_and_method(fake: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("999:wrong", base_url=fake.base_url):
            pass
    url = f"{fake.base_url}{fake.token}/frobnicate"
    async with aiohttp.ClientSession() as session, session.post(url) as response:
        assert response.status == 404
        body = await response.json()
    assert body == {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
    assert [r["error_code"] for r in fake.rejections] == [401, 404]
    fake.rejections.clear()


async def test_json_and_urlencoded_bodies(fake: FakeTelegram, alex: FakeUser) -> None:
    url = f"{fake.base_url}{fake.token}/sendMessage"
    markup = '{"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}'
    async with aiohttp.ClientSession() as session:
        payload = {"chat_id": CHAT, "text": "json body", "reply_markup": markup}
        async with session.post(url, json=payload) as response:
            assert response.status == 200
            body = await response.json()
        form = {"chat_id": str(CHAT), "text": "42", "parse_mode": "HTML"}
        async with session.post(url, data=form) as response:
            assert response.status == 200
        async with session.get(f"{fake.base_url}{fake.token}/getMe") as response:
            assert (await response.json())["result"]["username"] == "glimmers_test_bot"
    assert body["ok"] is True and body["result"]["reply_markup"]["inline_keyboard"][0][0]["text"]
    first, second = await alex.replies(2)
    assert first.buttons == [[("Go", "go")]]
    assert second.text == "42"
    assert fake.rejections == []


# ---------------------------------------------------------------------------------------------
# HTML and limits
# ---------------------------------------------------------------------------------------------

BAD_HTML = [
    "line one<br>line two",
    "a < b",
    "fish & chips",
    "&nbsp;",
    "<b>never closed",
    "<b><i>crossed</b></i>",
    "stray </b>",
    "<span>not a spoiler</span>",
    '<span class="other">x</span>',
    "<a>no href</a>",
    "<div>x</div>",
    "<b/>",
    "<b",
    "&#xD800;",
]


async def test_html_validation(fake: FakeTelegram, bot: Bot, alex: FakeUser) -> None:
    for text in BAD_HTML:
        with pytest.raises(BadRequest, match="Can't parse entities") as caught:
            await bot.send_message(CHAT, text, parse_mode="HTML")
        assert "parse" in caught.value.message, text
    assert len(fake.rejections) == len(BAD_HTML)
    assert all(
        r["description"].startswith("Bad Request: can't parse entities: ") for r in fake.rejections
    )
    fake.rejections.clear()

    good = (
        "<b>bold</b> <strong>s</strong> <i>i</i> <em>e</em> <u>u</u> <ins>n</ins> <s>s</s> "
        '<strike>k</strike> <del>d</del> <span class="tg-spoiler">sp</span> '
        '<tg-spoiler>t</tg-spoiler> <a href="https://example.org/?a=1&amp;b=2">link</a> '
        '<code>c</code> <pre><code class="language-python">x = 1</code></pre> '
        '<blockquote expandable>q</blockquote> <tg-emoji emoji-id="5368324170671202286">'
        "\N{THUMBS UP SIGN}</tg-emoji> 1 &lt; 2 &gt; 0 &quot;ok&quot; &#65;&#x42;"
    )
    sent = await bot.send_message(CHAT, good, parse_mode="HTML")
    got = await alex.reply()
    assert got.text == sent.text
    assert got.text.endswith('1 < 2 > 0 "ok" AB')
    types = {e.type for e in sent.entities}
    assert types >= {
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "text_link",
        "code",
        "pre",
        "expandable_blockquote",
        "custom_emoji",
    }
    link = next(e for e in sent.entities if e.type == "text_link")
    assert link.url == "https://example.org/?a=1&b=2"
    pre = next(e for e in sent.entities if e.type == "pre")
    assert pre.language == "python"
    assert sent.text_html.count("<b>") == 2
    await bot.send_message(CHAT, "any <b>text</b>", parse_mode="MarkdownV2")
    with pytest.raises(BadRequest, match="Unsupported parse_mode"):
        await bot.send_message(CHAT, "x", parse_mode="BBCode")
    fake.rejections.clear()


def test_render_html_entities_use_utf16_offsets() -> None:
    plain, entities = render_html("\N{GRINNING FACE}<b>x</b>")
    assert plain == "\N{GRINNING FACE}x"
    assert entities == [{"type": "bold", "offset": 2, "length": 1}]
    assert utf16_len("\N{GRINNING FACE}a") == 3


async def test_text_length_limit_counts_utf16_after_html(
    fake: FakeTelegram, bot: Bot, alex: FakeUser
) -> None:
    emoji = "\N{GRINNING FACE}"
    accepted = [
        "a" * 4096,
        emoji * 2048,
        "<b>" + "a" * 4096 + "</b>",
        "&lt;" * 4096,
        "<i>" + emoji * 2047 + "ab</i>",
    ]
    for text in accepted:
        await bot.send_message(CHAT, text, parse_mode="HTML")
    assert len(await alex.replies(len(accepted))) == len(accepted)

    rejected = ["a" * 4097, emoji * 2048 + "a", "<b>" + "a" * 4097 + "</b>", "&lt;" * 4097]
    for text in rejected:
        with pytest.raises(BadRequest, match="Message is too long"):
            await bot.send_message(CHAT, text, parse_mode="HTML")
    for text in ("   ", "<b></b>", " \n "):
        with pytest.raises(BadRequest, match="Message text is empty"):
            await bot.send_message(CHAT, text, parse_mode="HTML")
    assert len(fake.rejections) == len(rejected) + 3
    fake.rejections.clear()


async def test_callback_data_limit_is_64_bytes(
    fake: FakeTelegram, bot: Bot, alex: FakeUser
) -> None:
    for data in ("x" * 64, "\N{LATIN SMALL LETTER E WITH ACUTE}" * 32):
        await bot.send_message(CHAT, "ok", reply_markup=keyboard(("B", data)))
    assert [m.buttons[0][0][1] for m in await alex.replies(2)] == [
        "x" * 64,
        "\N{LATIN SMALL LETTER E WITH ACUTE}" * 32,
    ]
    for data in ("x" * 65, "\N{LATIN SMALL LETTER E WITH ACUTE}" * 33):
        with pytest.raises(BadRequest, match="Button_data_invalid"):
            await bot.send_message(CHAT, "too much", reply_markup=keyboard(("B", data)))
    too_many = InlineKeyboardMarkup(
        [[InlineKeyboardButton(str(i), callback_data=str(i)) for i in range(10)]] * 11
    )
    with pytest.raises(BadRequest, match="too long"):
        await bot.send_message(CHAT, "many", reply_markup=too_many)
    no_action = InlineKeyboardMarkup([[InlineKeyboardButton("Dead")]])
    with pytest.raises(BadRequest, match="inline keyboard button"):
        await bot.send_message(CHAT, "dead", reply_markup=no_action)
    assert [r["description"] for r in fake.rejections][:2] == [
        "Bad Request: BUTTON_DATA_INVALID",
        "Bad Request: BUTTON_DATA_INVALID",
    ]
    fake.rejections.clear()


async def test_photo_upload_caption_and_file_id(
    fake: FakeTelegram, bot: Bot, alex: FakeUser
) -> None:
    image = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
    sent = await bot.send_photo(
        CHAT,
        photo=image,
        caption="<i>look</i>",
        parse_mode="HTML",
        reply_markup=keyboard(("Nice", "nice")),
    )
    assert sent.caption == "look" and sent.photo
    got = await alex.reply()
    assert (got.photo, got.text, got.html) == (image, "look", "<i>look</i>")
    assert got.buttons == [[("Nice", "nice")]]

    again = await bot.send_photo(CHAT, photo=sent.photo[-1].file_id)
    assert (await alex.reply()).photo == image
    assert again.caption is None

    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await bot.send_photo(CHAT, photo="no-such-file-id")
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_photo(CHAT, photo=image, caption="c" * 1025)
    await bot.send_photo(CHAT, photo=image, caption="c" * 1024)
    with pytest.raises(BadRequest, match="There is no text in the message to edit"):
        await bot.edit_message_text("new", chat_id=CHAT, message_id=sent.message_id)
    edited = await bot.edit_message_caption(CHAT, sent.message_id, caption="new caption")
    assert not isinstance(edited, bool) and edited.caption == "new caption"
    assert alex.message(sent.message_id).text == "new caption"
    assert len(fake.rejections) == 3
    fake.rejections.clear()


# ---------------------------------------------------------------------------------------------
# Edits, deletes, callback queries
# ---------------------------------------------------------------------------------------------


async def test_edits_and_message_not_modified(fake: FakeTelegram, bot: Bot, alex: FakeUser) -> None:
    markup = keyboard(("Yes", "y"))
    sent = await bot.send_message(CHAT, "<b>Question?</b>", parse_mode="HTML", reply_markup=markup)
    message = await alex.reply()

    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text(
            "<b>Question?</b>", CHAT, sent.message_id, parse_mode="HTML", reply_markup=markup
        )
    # Same words, different formatting: that is a change.
    await bot.edit_message_text("Question?", CHAT, sent.message_id, reply_markup=markup)
    assert (message.edits, message.html, message.buttons) == (1, None, [[("Yes", "y")]])

    # Leaving reply_markup out removes the keyboard.
    await bot.edit_message_text("Question?", CHAT, sent.message_id)
    assert (message.edits, message.buttons) == (2, [])
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(CHAT, sent.message_id)
    await bot.edit_message_reply_markup(CHAT, sent.message_id, reply_markup=keyboard(("A", "a")))
    assert (message.edits, message.buttons) == (3, [[("A", "a")]])

    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", CHAT, 999)
    own = await alex.send("mine")
    with pytest.raises(BadRequest, match="can't be edited"):
        await bot.edit_message_text("x", CHAT, own["message_id"])

    waiter = asyncio.create_task(alex.wait_edit(sent.message_id))
    await asyncio.sleep(0)
    await bot.edit_message_text("Final", CHAT, sent.message_id)
    assert (await waiter).text == "Final"

    assert await bot.delete_message(CHAT, sent.message_id)
    assert message.deleted
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(CHAT, sent.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("ghost", CHAT, sent.message_id)
    assert len(fake.rejections) == 6
    fake.rejections.clear()


async def test_replies_to_messages(fake: FakeTelegram, bot: Bot, alex: FakeUser) -> None:
    question = await alex.send("what is this?")
    sent = await bot.send_message(
        CHAT, "an answer", reply_parameters=ReplyParameters(question["message_id"])
    )
    assert sent.reply_to_message is not None
    assert sent.reply_to_message.text == "what is this?"
    assert (await alex.reply()).reply_to_message_id == question["message_id"]
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await bot.send_message(CHAT, "to nothing", reply_parameters=ReplyParameters(500))
    fake.rejections.clear()
    lenient = ReplyParameters(500, allow_sending_without_reply=True)
    await bot.send_message(CHAT, "to nothing, allowed", reply_parameters=lenient)
    assert (await alex.reply()).reply_to_message_id is None

    # A user replying to the bot's message carries that message, from the bot.
    await alex.send("thanks", reply_to=sent.message_id)
    update = (await bot.get_updates())[-1]
    assert update.message is not None and update.message.reply_to_message is not None
    assert update.message.reply_to_message.from_user is not None
    assert update.message.reply_to_message.from_user.is_bot
    assert update.message.reply_to_message.text == "an answer"


async def test_callback_queries(fake: FakeTelegram, bot: Bot, alex: FakeUser) -> None:
    await bot.send_message(CHAT, "Pick", reply_markup=keyboard(("Yes", "pick:yes")))
    message = await alex.reply()
    by_text = await alex.press(message, "Yes")
    by_data = await alex.press(message.message_id, "pick:yes")
    with pytest.raises(AssertionError, match="no button"):
        await alex.press(message, "Maybe")
    tampered = await alex.press_data(message.message_id, "pick:admin")

    updates = await bot.get_updates()
    queries = [u.callback_query for u in updates]
    assert [q.id for q in queries if q] == [by_text, by_data, tampered]
    assert [q.data for q in queries if q] == ["pick:yes", "pick:yes", "pick:admin"]
    first = queries[0]
    assert first is not None and first.message is not None
    assert first.message.message_id == message.message_id
    assert first.from_user.id == CHAT

    assert await bot.answer_callback_query(by_text, text="Done")
    assert (await alex.callback_answer(by_text))["text"] == "Done"
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(by_text)
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query("123")
    with pytest.raises(BadRequest):
        await bot.answer_callback_query(by_data, text="x" * 201)
    await bot.answer_callback_query(by_data, text="x" * 200, show_alert=True)
    assert [a["callback_query_id"] for a in alex.callback_answers] == [by_text, by_data]
    with pytest.raises(AssertionError, match="did not answer"):
        await alex.callback_answer(tampered, timeout=0.05)

    await bot.edit_message_reply_markup(CHAT, message.message_id)
    with pytest.raises(AssertionError, match="no button"):
        await alex.press(message, "Yes")
    assert len(fake.rejections) == 3
    fake.rejections.clear()


async def test_commands_and_chat_actions(fake: FakeTelegram, bot: Bot, alex: FakeUser) -> None:
    assert fake.commands == []
    await bot.set_my_commands([BotCommand("start", "Begin"), BotCommand("log_2", "Log")])
    assert fake.commands == [
        {"command": "start", "description": "Begin"},
        {"command": "log_2", "description": "Log"},
    ]
    assert [c.command for c in await bot.get_my_commands()] == ["start", "log_2"]
    for bad in (
        [BotCommand("Start", "Upper case")],
        [BotCommand("x" * 33, "Too long")],
        [BotCommand("ok", "d" * 257)],
        [BotCommand("ok", "")],
        [BotCommand(f"c{i}", "d") for i in range(101)],
    ):
        with pytest.raises(BadRequest):
            await bot.set_my_commands(bad)
    assert len(fake.rejections) == 5
    fake.rejections.clear()
    await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()

    assert await bot.send_chat_action(CHAT, "typing")
    assert alex.chat_actions == ["typing"]
    with pytest.raises(BadRequest, match="Wrong parameter action"):
        await bot.send_chat_action(CHAT, "dancing")
    fake.rejections.clear()


# ---------------------------------------------------------------------------------------------
# Updates: long polling, offsets, redelivery
# ---------------------------------------------------------------------------------------------


async def test_user_side_update_kinds(fake: FakeTelegram, bot: Bot, alex: FakeUser) -> None:
    await alex.send("/start@glimmers_test_bot now")
    await alex.send_photo(caption="sunset")
    await alex.send_voice()
    await alex.send_video_note()
    await alex.send_sticker()
    await alex.send_location(1.5, 2.5)
    await alex.send_contact()
    text = await alex.send("typo")
    await alex.edit(text["message_id"], "fixed")

    updates = await bot.get_updates()
    messages = [u.message for u in updates[:-1]]
    assert all(m is not None for m in messages)
    command = messages[0]
    assert command is not None and command.entities[0].type == "bot_command"
    assert command.entities[0].length == len("/start@glimmers_test_bot")
    photo = messages[1]
    assert photo is not None and photo.photo and photo.caption == "sunset"
    assert messages[2] is not None and messages[2].voice is not None
    assert messages[3] is not None and messages[3].video_note is not None
    assert messages[4] is not None and messages[4].sticker is not None
    location = messages[5]
    assert location is not None and location.location is not None
    assert location.location.latitude == 1.5
    assert messages[6] is not None and messages[6].contact is not None
    assert updates[-1].edited_message is not None
    assert updates[-1].edited_message.text == "fixed"
    assert [u.update_id for u in updates] == sorted(u.update_id for u in updates)

    # A photo the user sent can be sent back by its file id.
    assert photo.photo
    await bot.send_photo(CHAT, photo=photo.photo[-1].file_id)
    assert (await alex.reply()).photo is None


async def test_offsets_confirm_and_redeliver(fake: FakeTelegram, bot: Bot, alex: FakeUser) -> None:
    await alex.send("one")
    await alex.send("two")
    assert fake.pending_updates() == 2
    first, second = await bot.get_updates()
    assert fake.pending_updates() == 2  # fetched is not confirmed
    again = await bot.get_updates(offset=second.update_id, limit=5)
    assert [u.update_id for u in again] == [second.update_id]
    assert fake.pending_updates() == 1
    assert await bot.get_updates(offset=second.update_id + 1) == ()
    assert fake.pending_updates() == 0

    new_id = await fake.redeliver(first.update_id)
    assert new_id > second.update_id
    assert fake.last_update_id == new_id
    assert fake.pending_updates() == 1
    (copy,) = await bot.get_updates(offset=second.update_id + 1)
    assert copy.update_id == new_id
    assert copy.message is not None and first.message is not None
    assert (copy.message.message_id, copy.message.text) == (first.message.message_id, "one")
    await bot.get_updates(offset=new_id + 1)
    await fake.wait_idle(timeout=1, settle=0.01)


async def test_long_polling_wakes_at_once(fake: FakeTelegram, bot: Bot, alex: FakeUser) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await asyncio.sleep(0.1)
    assert not poll.done()
    started = time.monotonic()
    await alex.send("wake up")
    (update,) = await asyncio.wait_for(poll, 2)
    assert time.monotonic() - started < 0.5
    assert update.message is not None and update.message.text == "wake up"

    started = time.monotonic()
    assert await bot.get_updates(offset=update.update_id + 1, timeout=0) == ()
    assert time.monotonic() - started < 0.5


async def test_second_poller_ends_the_first_with_conflict(
    fake: FakeTelegram, bot: Bot, alex: FakeUser
) -> None:
    async with Bot(fake.token, base_url=fake.base_url) as other:
        first = asyncio.create_task(bot.get_updates(timeout=5))
        await asyncio.sleep(0.05)
        assert await other.get_updates(timeout=0) == ()
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await asyncio.wait_for(first, 1)
    await alex.send("still delivered")
    (update,) = await bot.get_updates()
    assert update.message is not None and update.message.text == "still delivered"
    assert fake.rejections == []


async def test_wait_idle_times_out_with_unconfirmed_updates(
    fake: FakeTelegram, alex: FakeUser
) -> None:
    await alex.send("nobody is polling")
    with pytest.raises(AssertionError, match="not idle"):
        await fake.wait_idle(timeout=0.1)


async def test_latency_slows_every_call(fake: FakeTelegram, bot: Bot, alex: FakeUser) -> None:
    fake.set_latency(0.15)
    started = time.monotonic()
    await bot.send_message(CHAT, "slow")
    assert time.monotonic() - started >= 0.15
    fake.set_latency(0)


# ---------------------------------------------------------------------------------------------
# A real Application with Updater long polling
# ---------------------------------------------------------------------------------------------


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Yes", callback_data="choice:yes"),
                InlineKeyboardButton("Site", url="https://example.org"),
            ]
        ]
    )
    await update.effective_message.reply_text(
        "Welcome, <b>friend</b>!", parse_mode="HTML", reply_markup=markup
    )


async def choose(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("Noted")
    await query.edit_message_text(f"You chose {query.data}")


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None and message.text is not None
    await message.reply_text(message.text.upper(), do_quote=True)


@pytest.fixture
async def application(
    fake: FakeTelegram,
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    app = ApplicationBuilder().token(fake.token).base_url(fake.base_url).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(choose))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    await app.initialize()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0.0, timeout=10)
    await app.start()
    yield app
    started = time.monotonic()
    await app.updater.stop()
    await app.stop()
    await app.shutdown()
    assert time.monotonic() - started < 2.0
    assert fake.pending_updates() == 0  # the shutdown getUpdates confirmed everything
    assert fake.rejections == []


async def test_application_conversation(
    fake: FakeTelegram, application: Application[Any, Any, Any, Any, Any, Any]
) -> None:
    ana = fake.user(101, "Ana")
    started = time.monotonic()
    await ana.send("/start")
    welcome = await ana.reply()
    assert time.monotonic() - started < 1.0
    assert welcome.text == "Welcome, friend!"
    assert welcome.buttons == [[("Yes", "choice:yes"), ("Site", "https://example.org")]]
    with pytest.raises(AssertionError, match="no callback"):
        await ana.press(welcome, "Site")

    query_id = await ana.press(welcome, "Yes")
    edited = await ana.wait_edit(welcome.message_id)
    assert (edited.text, edited.buttons, edited.edits) == ("You chose choice:yes", [], 1)
    assert (await ana.callback_answer(query_id))["text"] == "Noted"

    said = await ana.send("hello there")
    echoed = await ana.reply()
    assert echoed.text == "HELLO THERE"
    assert echoed.reply_to_message_id == said["message_id"]
    await ana.no_reply(wait=0.05)

    await fake.wait_idle(timeout=2)
    assert fake.pending_updates() == 0

    # Telegram redelivering the /start update after a crash: the bot answers it again.
    start_update = next(u for u in fake.updates if u.get("message", {}).get("text") == "/start")
    await fake.redeliver(start_update["update_id"])
    again = await ana.reply()
    assert again.text == "Welcome, friend!"
    await fake.wait_idle(timeout=2)


async def test_application_serves_many_users(
    fake: FakeTelegram, application: Application[Any, Any, Any, Any, Any, Any]
) -> None:
    users = [fake.user(1000 + i, f"U{i}") for i in range(20)]
    for user in users:
        await user.send(f"hi {user.user_id}")
    replies = await asyncio.gather(*(user.reply() for user in users))
    assert [r.text for r in replies] == [f"HI {u.user_id}" for u in users]
    await fake.wait_idle(timeout=2)


async def test_set_webhook_is_checked_like_telegram(fake: FakeTelegram, bot: Bot) -> None:
    refused = [
        ("http://bot.example.org/hook", r"(?i)https url must be provided"),
        ("http://127.0.0.1:8080/hook", r"(?i)https url must be provided"),  # not without the flag
        ("https://bot.example.org:9000/hook", "ports 80, 88, 443 or 8443"),
    ]
    for url, why in refused:
        with pytest.raises(BadRequest, match=why):
            await bot.set_webhook(url, secret_token="s3cret")
    for secret in ("has space", "x" * 257, "ünïcode"):
        with pytest.raises(BadRequest, match=r"(?i)secret token"):
            await bot.set_webhook("https://bot.example.org/hook", secret_token=secret)
    assert len(fake.rejections) == 6
    assert fake.webhook is None
    assert (await bot.get_webhook_info()).url == ""

    assert await bot.set_webhook(
        "https://bot.example.org:8443/hook", secret_token="a" * 256, allowed_updates=["message"]
    )
    info = await bot.get_webhook_info()
    assert info.url == "https://bot.example.org:8443/hook"
    assert info.allowed_updates == ("message",)
    assert fake.webhook is not None and fake.webhook.secret_token == "a" * 256
    with pytest.raises(Conflict, match=r"(?i)webhook is active"):
        await bot.get_updates(timeout=0)
    assert await bot.delete_webhook()
    assert fake.webhook is None
    assert await bot.get_updates(timeout=0) == ()


async def test_updates_are_posted_to_the_webhook_with_the_secret() -> None:
    received: list[tuple[str | None, JsonDict]] = []
    answers = [500]  # the first delivery fails and is retried

    async def hook(request: web.Request) -> web.Response:
        received.append(
            (request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json())
        )
        return web.Response(status=answers.pop() if answers else 200)

    app = web.Application()
    app.router.add_post("/in/hook", hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    async with FakeTelegram(allow_local_http_webhook=True) as fake:
        try:
            async with Bot(fake.token, base_url=fake.base_url) as client:
                with pytest.raises(BadRequest, match=r"(?i)https url"):
                    await client.set_webhook(f"http://localhost:{port}/in/hook")
                fake.rejections.clear()
                url = f"http://127.0.0.1:{port}/in/hook"
                await client.set_webhook(url, secret_token="s3cret")
                alex = fake.user(CHAT, "Alex")
                await alex.send("hello")
                await alex.send("/start")
                await fake.wait_idle()
                info = await client.get_webhook_info()
                assert info.pending_update_count == 0
                error = "Wrong response from the webhook: 500 Internal Server Error"
                assert info.last_error_message == error
                assert fake.webhook_errors == [info.last_error_message]
                # Stopped the webhook: updates wait for getUpdates again.
                await client.delete_webhook()
                await alex.send("after")
                polled = await client.get_updates(timeout=0)
                assert [u.message.text for u in polled if u.message] == ["after"]
        finally:
            await runner.cleanup()
    assert all(secret == "s3cret" for secret, _ in received)
    texts = [update["message"]["text"] for _, update in received]
    assert texts == ["hello", "hello", "/start"]  # the failed one came again, in order
    assert fake.rejections == []


async def test_a_lone_surrogate_arrives_as_telegram_would_deliver_it(
    bot: Bot, alex: FakeUser
) -> None:
    await alex.send("a\ud800b \ud83d\ude00 <b>")
    await alex.send_photo(caption="\udfff")
    sent = await alex.send("x")
    await alex.edit(sent["message_id"], "y\udc00")
    await alex.press_data(1, "d\ud801")
    first, photo, _, edited, pressed = await bot.get_updates()
    assert first.message is not None and first.message.text == "a\ufffdb \U0001f600 <b>"
    assert photo.message is not None and photo.message.caption == "\ufffd"
    assert edited.edited_message is not None and edited.edited_message.text == "y\ufffd"
    assert pressed.callback_query is not None and pressed.callback_query.data == "d\ufffd"
