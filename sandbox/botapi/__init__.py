"""A strict stand-in for the Telegram Bot API, served over real HTTP by aiohttp.

`glimmers-bot try` runs the real bot against it (sandbox/trial.py), and the end-to-end tests
and benchmarks do the same: they point a real python-telegram-bot ``Bot`` (or a whole
``Application`` with long polling) at this server through ``base_url``. The fake plays both
sides of the chat: it answers the bot's API calls the way Telegram does, and it lets the test
act as one or more users (``FakeTelegram.user()``) who send messages, press buttons and wait
for the bot's replies.

Its parts, one job each: ``common`` (Telegram's limits, refusals and parameter reading),
``html`` (Telegram-flavoured HTML into text and entities), ``chat`` (the messages, people and
groups), ``faults`` (a bad day on cue), ``webhook`` (setWebhook and delivery) and ``server``
(the HTTP server and every Bot API method). Import from here.

The fake is strict on purpose. Whenever the bot sends something real Telegram would refuse
(bad HTML, text that is too long, callback data over 64 bytes, an edit that changes nothing,
an unknown chat...), it answers with the same kind of error Telegram gives and also records
the refusal in ``FakeTelegram.rejections``, so a test can assert that the list stays empty.

A few Telegram habits worth knowing when writing assertions:

* Texts a test user sends go through ``telegram_string()``: a lone UTF-16 surrogate, which
  Telegram's UTF-8 cannot carry, arrives as U+FFFD, as it would from a Telegram app.
* Leading and trailing whitespace (spaces, tabs, newlines) of message texts and captions is
  trimmed, as Telegram does. ``BotMessage.text`` is what the user would see.
* Message ids are counted per chat and shared by the user's and the bot's messages.
* An update stays queued until the bot confirms it with a higher ``offset`` in getUpdates.
* A second getUpdates that arrives while one is still waiting ends the older one with
  409 Conflict, like Telegram does when two bot instances poll at once.

Webhooks. Once the bot calls setWebhook, the fake stops serving getUpdates (409, as Telegram
does) and instead POSTs each update, oldest first and one at a time, to the webhook URL as
JSON with the ``X-Telegram-Bot-Api-Secret-Token`` header; an update counts as confirmed when
the bot answers 2xx, and is retried (after a short pause) otherwise, with the error kept in
getWebhookInfo's ``last_error_message`` and in ``FakeTelegram.webhook_errors``. So
``FakeUser.send()`` and the rest work unchanged in webhook mode. deleteWebhook (or setWebhook
with an empty url) goes back to getUpdates. ``FakeTelegram.webhook`` shows what was set.
Like Telegram, setWebhook wants an https URL on port 443, 80, 88 or 8443 and a secret_token
of 1-256 characters of A-Z a-z 0-9 _ -. The bot's own webhook server in a test is plain http
on 127.0.0.1, so ``FakeTelegram(allow_local_http_webhook=True)`` also accepts
``http://127.0.0.1:<any port>/...`` URLs (and nothing else that is not https); without that
flag they are refused like any other http URL.

Besides the methods the bot needs most (getMe, getUpdates, deleteWebhook, setMyCommands,
getMyCommands, deleteMyCommands, sendMessage, sendPhoto, sendDocument, editMessageText,
editMessageReplyMarkup, deleteMessage, answerCallbackQuery, sendChatAction, leaveChat, close,
logOut) the fake also answers editMessageCaption, setWebhook and getWebhookInfo. Groups and
channels (``FakeTelegram.group``) are kept minimal: the bot can be added, read messages, post
text and leave. Any other method gets 404, which PTB turns into an exception, so a missing
feature shows up loudly instead of passing silently.

Typical use::

    fake = FakeTelegram()
    await fake.start()
    bot = telegram.Bot(fake.token, base_url=fake.base_url)
    alex = fake.user(1001)
    await alex.send("/start")
    reply = await alex.reply()
    ...
    assert fake.rejections == []
    await fake.stop()
"""

from __future__ import annotations

from sandbox.botapi.chat import BotMessage, FakeGroup, FakeUser
from sandbox.botapi.common import SECRET_HEADER, JsonDict, telegram_string, utf16_len
from sandbox.botapi.faults import Fault
from sandbox.botapi.html import HtmlParseError, render_html
from sandbox.botapi.server import FakeTelegram, rejection_lines
from sandbox.botapi.webhook import Webhook

__all__ = [
    "SECRET_HEADER",
    "BotMessage",
    "FakeGroup",
    "FakeTelegram",
    "FakeUser",
    "Fault",
    "HtmlParseError",
    "JsonDict",
    "Webhook",
    "rejection_lines",
    "render_html",
    "telegram_string",
    "utf16_len",
]
