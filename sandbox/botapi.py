"""A strict stand-in for the Telegram Bot API, served over real HTTP by aiohttp.

`glimmers-bot try` runs the real bot against it (sandbox/trial.py), and the end-to-end tests
and benchmarks do the same: they point a real python-telegram-bot ``Bot`` (or a whole
``Application`` with long polling) at this server through ``base_url``. The fake plays both
sides of the chat: it answers the bot's API calls the way Telegram does, and it lets the test
act as one or more users (``FakeTelegram.user()``) who send messages, press buttons and wait
for the bot's replies.

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

import asyncio
import contextlib
import copy
import itertools
import json
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

JsonDict = dict[str, Any]

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_BUTTONS = 100
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024  # what a bot may upload through the cloud Bot API
BOT_DOWNLOAD_LIMIT = 20 * 1024 * 1024  # what a bot may download (getFile)
MAX_COMMANDS = 100
WEBHOOK_PORTS = frozenset({80, 88, 443, 8443})
WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Pause before a failed webhook delivery is tried again (Telegram waits longer).
WEBHOOK_RETRY_SECONDS = 0.1

# Update kinds delivered when the bot does not list allowed_updates (Telegram leaves out
# chat_member and the reaction updates unless they are asked for by name).
DEFAULT_ALLOWED_UPDATES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

# Fields of an inline keyboard button that give it something to do. Telegram wants exactly one.
BUTTON_ACTION_FIELDS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)

# Form and query-string values always arrive as text. These parameters are kept as text;
# every other value is read as JSON when it parses (numbers, booleans, objects, lists).
STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "action",
        "url",
        "photo",
        "language_code",
        "inline_message_id",
        "business_connection_id",
        "message_effect_id",
        "secret_token",
        "emoji",
        "description",
        "short_description",
        "name",
        "title",
        "document",
        "voice",
        "audio",
        "video",
        "animation",
        "sticker",
        "video_note",
        "thumbnail",
        "custom_emoji_id",
    }
)

TRIMMED_WHITESPACE = " \t\r\n"

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
BLOCKED = "Forbidden: bot was blocked by the user"
CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit Telegram uses for limits and offsets."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def telegram_string(text: str) -> str:
    """The string Telegram would deliver for ``text`` typed in an app.

    Telegram's strings are UTF-8, so a lone UTF-16 surrogate (which UTF-8 cannot carry) never
    reaches a bot: apps, which hold text as UTF-16, send U+FFFD in its place. A well-formed
    surrogate pair written as two code units becomes the one character it stands for.
    """
    if text.isascii():
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _now() -> int:
    return int(time.time())


async def _wait_until(event: asyncio.Event, ready: Callable[[], bool], seconds: float) -> None:
    """Wait until ``ready()`` is true, re-checking each time ``event`` is set.

    Whoever changes the watched state calls ``event.set()``. A waiter clears the event only
    right before it sleeps, and checks ``ready()`` first with no pause in between, so no
    change can slip by. Raises TimeoutError when ``seconds`` run out.
    """
    async with asyncio.timeout(seconds):
        while not ready():
            event.clear()
            await event.wait()


class _ApiError(Exception):
    """An error answer for the bot. ``record`` says whether it goes into ``rejections``."""

    def __init__(
        self,
        error_code: int,
        description: str,
        *,
        record: bool = True,
        parameters: JsonDict | None = None,
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.record = record
        self.parameters = parameters


def _bad_request(description: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: {description}")


# ---------------------------------------------------------------------------------------------
# Telegram-flavoured HTML
# ---------------------------------------------------------------------------------------------


class HtmlParseError(ValueError):
    """Raised for text that Telegram's HTML parse mode would refuse."""


_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TEXT_RUN = re.compile(r"[^<&]+")
_TAG_NAME = re.compile(r"[A-Za-z0-9-]*")
_ATTR_NAME = re.compile(r"[A-Za-z0-9_-]+")
_UNQUOTED_VALUE = re.compile(r"[^\s>]*")
_CHAR_ENTITY = re.compile(r"&(?:#([0-9]{1,8})|#[xX]([0-9A-Fa-f]{1,8})|([A-Za-z][A-Za-z0-9]*));")


@dataclass
class _OpenTag:
    name: str
    offset: int
    attrs: dict[str, str]
    language: str | None = None


class _HtmlRenderer:
    """Turns Telegram HTML into plain text plus message entities (offsets in UTF-16 units)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.parts: list[str] = []
        self.pos16 = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[JsonDict] = []

    def byte_offset(self, index: int) -> int:
        return len(self.source[:index].encode("utf-8"))

    def render(self) -> tuple[str, list[JsonDict]]:
        source = self.source
        i = 0
        n = len(source)
        while i < n:
            char = source[i]
            if char == "<":
                i = self.end_tag(i) if source.startswith("</", i) else self.start_tag(i)
            elif char == "&":
                decoded, i = self.char_entity(i)
                self.emit(decoded)
            else:
                match = _TEXT_RUN.match(source, i)
                assert match is not None
                self.emit(match.group())
                i = match.end()
        if self.stack:
            raise HtmlParseError(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"'
            )
        self.entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
        return "".join(self.parts), self.entities

    def emit(self, text: str) -> None:
        self.parts.append(text)
        self.pos16 += utf16_len(text)

    def char_entity(self, index: int) -> tuple[str, int]:
        """Decode the character reference at ``index``; returns the text and the next index."""
        match = _CHAR_ENTITY.match(self.source, index)
        where = f"at byte offset {self.byte_offset(index)}"
        if match is None:
            raise HtmlParseError(
                f'Unescaped "&" {where}: write it as &amp; (supported entities are &lt; &gt; '
                "&amp; &quot; and numeric ones)"
            )
        decimal, hexadecimal, name = match.groups()
        if name is not None:
            if name not in _NAMED_ENTITIES:
                raise HtmlParseError(f'Unsupported HTML entity "&{name};" {where}')
            return _NAMED_ENTITIES[name], match.end()
        code_point = int(decimal) if decimal is not None else int(hexadecimal, 16)
        if code_point == 0 or code_point > 0x10FFFF or 0xD800 <= code_point <= 0xDFFF:
            raise HtmlParseError(f"Invalid numeric character reference {where}")
        return chr(code_point), match.end()

    def unescape_attribute(self, start: int, end: int) -> str:
        """Decode character references inside an attribute value spanning source[start:end]."""
        out: list[str] = []
        i = start
        while i < end:
            amp = self.source.find("&", i, end)
            if amp < 0:
                out.append(self.source[i:end])
                break
            out.append(self.source[i:amp])
            decoded, i = self.char_entity(amp)
            if i > end:
                raise HtmlParseError(
                    f"Broken character reference at byte offset {self.byte_offset(amp)}"
                )
            out.append(decoded)
        return "".join(out)

    def skip_spaces(self, index: int) -> int:
        source = self.source
        while index < len(source) and source[index].isspace():
            index += 1
        return index

    def start_tag(self, index: int) -> int:
        source = self.source
        where = f"at byte offset {self.byte_offset(index)}"
        match = _TAG_NAME.match(source, index + 1)
        assert match is not None
        name = match.group().lower()
        if name not in _ENTITY_TYPES:
            raise HtmlParseError(f'Unsupported start tag "{name}" {where}')
        attrs: dict[str, str] = {}
        i = match.end()
        while True:
            i = self.skip_spaces(i)
            if i >= len(source):
                raise HtmlParseError(f"Unclosed start tag {where}")
            if source[i] == ">":
                i += 1
                break
            attr_match = _ATTR_NAME.match(source, i)
            if attr_match is None:
                raise HtmlParseError(
                    f'Unexpected character "{source[i]}" in the tag "{name}" '
                    f"at byte offset {self.byte_offset(i)}"
                )
            attr = attr_match.group().lower()
            i = self.skip_spaces(attr_match.end())
            value = ""
            if i < len(source) and source[i] == "=":
                i = self.skip_spaces(i + 1)
                if i >= len(source):
                    raise HtmlParseError(f"Unclosed start tag {where}")
                quote = source[i]
                if quote in "\"'":
                    close = source.find(quote, i + 1)
                    if close < 0:
                        raise HtmlParseError(f"Unclosed start tag {where}")
                    value = self.unescape_attribute(i + 1, close)
                    i = close + 1
                else:
                    value_match = _UNQUOTED_VALUE.match(source, i)
                    assert value_match is not None
                    value = self.unescape_attribute(i, value_match.end())
                    i = value_match.end()
            attrs[attr] = value
        self.check_attributes(name, attrs, where)
        self.stack.append(_OpenTag(name=name, offset=self.pos16, attrs=attrs))
        return i

    @staticmethod
    def check_attributes(name: str, attrs: dict[str, str], where: str) -> None:
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise HtmlParseError(f'Tag "span" must have class "tg-spoiler" {where}')
        if name == "a" and not attrs.get("href", "").strip():
            raise HtmlParseError(f'Tag "a" must have a non-empty "href" attribute {where}')
        if name == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
            raise HtmlParseError(
                f"Custom emoji entity must contain a valid custom emoji identifier {where}"
            )

    def end_tag(self, index: int) -> int:
        source = self.source
        where = f"at byte offset {self.byte_offset(index)}"
        match = _TAG_NAME.match(source, index + 2)
        assert match is not None
        name = match.group().lower()
        i = self.skip_spaces(match.end())
        if i >= len(source) or source[i] != ">":
            raise HtmlParseError(f"Unclosed end tag {where}")
        if not self.stack:
            raise HtmlParseError(f"Unexpected end tag {where}")
        top = self.stack[-1]
        if name != top.name:
            raise HtmlParseError(
                f'Unmatched end tag {where}, expected "</{top.name}>", found "</{name}>"'
            )
        self.stack.pop()
        self.close(top)
        return i + 1

    def close(self, tag: _OpenTag) -> None:
        if tag.name == "code" and self.stack and self.stack[-1].name == "pre":
            # <pre><code class="language-x"> is one pre entity with a language.
            css_class = tag.attrs.get("class", "")
            if css_class.startswith("language-"):
                self.stack[-1].language = css_class.removeprefix("language-")
            return
        length = self.pos16 - tag.offset
        if length == 0:
            return
        entity: JsonDict = {"type": _ENTITY_TYPES[tag.name], "offset": tag.offset}
        entity["length"] = length
        if tag.name == "a":
            entity["url"] = tag.attrs["href"]
        elif tag.name == "tg-emoji":
            entity["custom_emoji_id"] = tag.attrs["emoji-id"]
        elif tag.name == "pre" and tag.language:
            entity["language"] = tag.language
        elif tag.name == "blockquote" and "expandable" in tag.attrs:
            entity["type"] = "expandable_blockquote"
        self.entities.append(entity)


def render_html(source: str) -> tuple[str, list[JsonDict]]:
    """Parse Telegram HTML into (plain text, entities). Raises HtmlParseError when invalid."""
    return _HtmlRenderer(source).render()


def _trim(text: str, entities: list[JsonDict]) -> tuple[str, list[JsonDict]]:
    """Trim outer whitespace like Telegram and move entity offsets to match."""
    trimmed = text.strip(TRIMMED_WHITESPACE)
    if trimmed == text:
        return text, entities
    lead = len(text) - len(text.lstrip(TRIMMED_WHITESPACE))  # only BMP chars: units == chars
    total = utf16_len(trimmed)
    moved: list[JsonDict] = []
    for entity in entities:
        start = max(0, entity["offset"] - lead)
        end = min(total, entity["offset"] + entity["length"] - lead)
        if end > start:
            moved.append({**entity, "offset": start, "length": end - start})
    return trimmed, moved


# ---------------------------------------------------------------------------------------------
# Parameter reading
# ---------------------------------------------------------------------------------------------


def _coerce(key: str, value: str) -> Any:
    """Turn a text form value into what a JSON body would have carried."""
    if key in STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _as_int(params: JsonDict, key: str, *, required: bool = True) -> int | None:
    value = params.get(key)
    if value is None:
        if required:
            raise _bad_request(f"{key} is empty")
        return None
    if isinstance(value, bool):
        raise _bad_request(f"invalid {key} specified")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    raise _bad_request(f"invalid {key} specified")


def _as_json(value: Any, what: str) -> Any:
    """Objects may arrive already decoded or as a JSON string (multipart form fields)."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise _bad_request(f"can't parse {what} JSON object") from None
    return value


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1")
    return bool(value)


# ---------------------------------------------------------------------------------------------
# Public data types
# ---------------------------------------------------------------------------------------------


@dataclass
class BotMessage:
    """A message the bot sent to a private chat, kept in its current state.

    The same object is updated in place when the bot edits or deletes the message, so a
    ``BotMessage`` returned by ``FakeUser.reply()`` always shows the latest state.
    """

    message_id: int
    chat_id: int
    text: str = ""
    html: str | None = None
    parse_mode: str | None = None
    buttons: list[list[tuple[str, str]]] = field(default_factory=list)
    photo: bytes | None = field(default=None, repr=False)
    reply_to_message_id: int | None = None
    edits: int = 0
    deleted: bool = False
    # Extra state used to rebuild the Telegram Message object.
    date: int = 0
    edit_date: int | None = None
    entities: list[JsonDict] = field(default_factory=list, repr=False)
    reply_markup: JsonDict | None = field(default=None, repr=False)
    photo_sizes: list[JsonDict] | None = field(default=None, repr=False)
    document: bytes | None = field(default=None, repr=False)
    document_name: str | None = None
    document_info: JsonDict | None = field(default=None, repr=False)

    @property
    def is_photo(self) -> bool:
        return self.photo_sizes is not None

    @property
    def is_document(self) -> bool:
        return self.document_info is not None

    def button_texts(self) -> list[str]:
        """Texts of all inline buttons, row by row."""
        return [text for row in self.buttons for text, _ in row]

    def data_for(self, text: str) -> str:
        """The callback_data (or url) of the button whose text is exactly ``text``."""
        for row in self.buttons:
            for button_text, value in row:
                if button_text == text:
                    return value
        raise AssertionError(
            f"message {self.message_id} has no button {text!r}; buttons: {self.button_texts()}"
        )

    def describe(self) -> str:
        """One readable line for assertion messages."""
        kind = "photo" if self.is_photo else "document" if self.is_document else "text"
        flags = []
        if self.edits:
            flags.append(f"edited x{self.edits}")
        if self.deleted:
            flags.append("deleted")
        if self.buttons:
            flags.append(f"buttons={self.button_texts()}")
        extra = f" [{', '.join(flags)}]" if flags else ""
        return f"#{self.message_id} {kind} {self.text[:200]!r}{extra}"


@dataclass
class _Query:
    user: FakeUser
    answered: bool = False


@dataclass(frozen=True)
class Fault:
    """What a flaky Telegram does to one call instead of answering it plainly (see
    ``FakeTelegram.faults``). Fields combine: a delay, then an error or a dropped line."""

    delay: float = 0.0
    """Seconds before anything else happens."""
    error_code: int = 0
    """Answer with this error instead (a 429 carries ``retry_after``)."""
    retry_after: int = 1
    html: bool = False
    """The error body is an HTML page, as Telegram's front end sends for a 502."""
    drop: str = ""
    """"before": the connection closes unanswered and the call is not carried out; "after":
    the call is carried out, then the connection closes before the answer."""


@dataclass
class _Failure:
    error_code: int
    description: str
    parameters: JsonDict | None


@dataclass
class _Call:
    params: JsonDict
    files: dict[str, bytes]
    file_names: dict[str, str] = field(default_factory=dict)


@dataclass
class Webhook:
    """What the bot's last successful setWebhook asked for."""

    url: str
    secret_token: str | None
    allowed_updates: list[str] | None
    max_connections: int = 40
    last_error_date: int | None = None
    last_error_message: str | None = None


class FakeUser:
    """One Telegram user in a private chat with the bot (chat id equals user id)."""

    def __init__(
        self,
        fake: FakeTelegram,
        user_id: int,
        first_name: str,
        language_code: str,
        username: str | None = None,
    ) -> None:
        self._fake = fake
        self.user_id = user_id
        self.chat_id = user_id
        self.first_name = first_name
        self.username = username
        self.language_code = language_code
        self.inbox: list[BotMessage] = []
        self.callback_answers: list[JsonDict] = []
        self.chat_actions: list[str] = []
        # Rows of button texts of the reply keyboard the bot last showed; None when none.
        self.keyboard: list[list[str]] | None = None
        self._consumed = 0
        self._next_message_id = 1
        self._bot_messages: dict[int, BotMessage] = {}
        self._user_messages: dict[int, JsonDict] = {}
        self._deleted_user_messages: set[int] = set()
        self._answers: dict[str, JsonDict] = {}
        self._changed = asyncio.Event()

    def __repr__(self) -> str:
        return f"FakeUser(user_id={self.user_id}, first_name={self.first_name!r})"

    # -- Telegram objects -----------------------------------------------------------------

    def user_dict(self) -> JsonDict:
        user: JsonDict = {
            "id": self.user_id,
            "is_bot": False,
            "first_name": self.first_name,
            "language_code": self.language_code,
        }
        if self.username is not None:
            user["username"] = self.username
        return user

    def chat_dict(self) -> JsonDict:
        chat: JsonDict = {"id": self.chat_id, "type": "private", "first_name": self.first_name}
        if self.username is not None:
            chat["username"] = self.username
        return chat

    def _take_message_id(self) -> int:
        message_id = self._next_message_id
        self._next_message_id += 1
        return message_id

    def _has_message(self, message_id: int) -> bool:
        bot_message = self._bot_messages.get(message_id)
        if bot_message is not None:
            return not bot_message.deleted
        return message_id in self._user_messages and message_id not in self._deleted_user_messages

    def _message_dict(self, message_id: int) -> JsonDict | None:
        """The current Message object for any message of this chat, without nested replies."""
        bot_message = self._bot_messages.get(message_id)
        if bot_message is not None:
            return self._fake._bot_message_dict(bot_message, nested=False)
        user_message = self._user_messages.get(message_id)
        if user_message is not None:
            result = dict(user_message)
            result.pop("reply_to_message", None)
            return result
        return None

    def _new_message(self, content: JsonDict, reply_to: int | None = None) -> JsonDict:
        message: JsonDict = {
            "message_id": self._take_message_id(),
            "from": self.user_dict(),
            "chat": self.chat_dict(),
            "date": _now(),
            **content,
        }
        if reply_to is not None:
            target = self._message_dict(reply_to) if self._has_message(reply_to) else None
            if target is None:
                raise AssertionError(f"chat {self.chat_id} has no message {reply_to} to reply to")
            message["reply_to_message"] = target
        self._user_messages[message["message_id"]] = message
        return message

    async def _post(self, content: JsonDict, reply_to: int | None = None) -> JsonDict:
        message = self._new_message(content, reply_to)
        self._fake._enqueue("message", message)
        return message

    def _fresh_file(self, prefix: str) -> tuple[str, str]:
        return self._fake._new_file_id(prefix, None)

    # -- things the user does -------------------------------------------------------------

    async def send(self, text: str, *, reply_to: int | None = None) -> JsonDict:
        """Send a text message to the bot. A leading /command gets a bot_command entity."""
        text = telegram_string(text)
        content: JsonDict = {"text": text}
        entities = _command_entities(text)
        if entities:
            content["entities"] = entities
        return await self._post(content, reply_to)

    async def send_photo(self, caption: str | None = None) -> JsonDict:
        """Send a photo (three sizes with fake file ids), optionally with a caption."""
        sizes = []
        for side in (90, 320, 800):
            file_id, unique_id = self._fresh_file("AgACAgPhoto")
            sizes.append(
                {
                    "file_id": file_id,
                    "file_unique_id": unique_id,
                    "width": side,
                    "height": side * 3 // 4,
                    "file_size": side * 40,
                }
            )
        content: JsonDict = {"photo": sizes}
        if caption is not None:
            content["caption"] = telegram_string(caption)
        return await self._post(content)

    async def send_document(
        self,
        data: bytes,
        file_name: str,
        mime_type: str = "text/csv",
        *,
        size: int | None = None,
        caption: str | None = None,
    ) -> JsonDict:
        """Send a file; the bot can fetch it with getFile. `size` claims another file_size."""
        file_id, unique_id = self._fake._new_file_id("BQACAgDoc", data)
        document = {
            "file_id": file_id,
            "file_unique_id": unique_id,
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": len(data) if size is None else size,
        }
        content: JsonDict = {"document": document}
        if caption is not None:
            content["caption"] = telegram_string(caption)
        return await self._post(content)

    async def send_voice(self) -> JsonDict:
        file_id, unique_id = self._fresh_file("AwACAgVoice")
        voice = {
            "file_id": file_id,
            "file_unique_id": unique_id,
            "duration": 3,
            "mime_type": "audio/ogg",
            "file_size": 12000,
        }
        return await self._post({"voice": voice})

    async def send_video_note(self) -> JsonDict:
        file_id, unique_id = self._fresh_file("DQACAgNote")
        note = {
            "file_id": file_id,
            "file_unique_id": unique_id,
            "length": 240,
            "duration": 5,
            "file_size": 250000,
        }
        return await self._post({"video_note": note})

    async def send_sticker(self) -> JsonDict:
        file_id, unique_id = self._fresh_file("CAACAgSticker")
        sticker = {
            "file_id": file_id,
            "file_unique_id": unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "\N{GRINNING FACE}",
            "file_size": 20000,
        }
        return await self._post({"sticker": sticker})

    async def send_location(self, latitude: float = 51.5, longitude: float = -0.12) -> JsonDict:
        return await self._post({"location": {"latitude": latitude, "longitude": longitude}})

    async def send_contact(self) -> JsonDict:
        contact = {
            "phone_number": "+447700900123",
            "first_name": self.first_name,
            "user_id": self.user_id,
        }
        return await self._post({"contact": contact})

    async def edit(self, message_id: int, text: str) -> JsonDict:
        """Edit a text message this user sent earlier; the bot gets an edited_message update."""
        message = self._user_messages.get(message_id)
        if message is None or "text" not in message:
            raise AssertionError(f"user {self.user_id} sent no text message {message_id}")
        text = telegram_string(text)
        message["text"] = text
        message["edit_date"] = _now()
        entities = _command_entities(text)
        if entities:
            message["entities"] = entities
        else:
            message.pop("entities", None)
        self._fake._enqueue("edited_message", message)
        return message

    async def press(self, message: BotMessage | int, button: str) -> str:
        """Press an inline button by its exact text (or else its exact callback_data).

        Looks at the message's current keyboard. Returns the callback query id.
        """
        message_id = message if isinstance(message, int) else message.message_id
        bot_message = self._bot_messages.get(message_id)
        if bot_message is None or bot_message.deleted:
            raise AssertionError(
                f"no live bot message {message_id} in chat {self.chat_id} to press a button on"
            )
        markup = bot_message.reply_markup or {}
        candidates = [b for row in markup.get("inline_keyboard", []) for b in row]
        chosen = next((b for b in candidates if b.get("text") == button), None)
        if chosen is None:
            chosen = next((b for b in candidates if b.get("callback_data") == button), None)
        if chosen is None:
            raise AssertionError(
                f"message {message_id} has no button {button!r}; current buttons: "
                f"{bot_message.buttons}"
            )
        data = chosen.get("callback_data")
        if not isinstance(data, str):
            raise AssertionError(f"button {button!r} on message {message_id} has no callback")
        return self._fake._issue_callback(self, message_id, data)

    async def press_data(self, message_id: int, data: str) -> str:
        """Send a callback query with any data at all, without checking the keyboard."""
        return self._fake._issue_callback(self, message_id, telegram_string(data))

    def transcript(self) -> list[JsonDict]:
        """Both sides of the chat so far, oldest first, as the trial's chat page shows it:
        the person's messages as sent, the bot's in their current state (edits applied)."""
        lines: list[JsonDict] = []
        for message_id, sent in self._user_messages.items():
            document = sent.get("document")
            lines.append(
                {
                    "id": message_id,
                    "from": "you",
                    "text": sent.get("text") or sent.get("caption") or "",
                    "entities": [],
                    "buttons": [],
                    "document": document.get("file_name") if document else None,
                }
            )
        for message in self._bot_messages.values():
            if message.deleted:
                continue
            lines.append(
                {
                    "id": message.message_id,
                    "from": "bot",
                    "text": message.text,
                    "entities": message.entities,
                    "buttons": [
                        [{"text": text, "data": data} for text, data in row]
                        for row in message.buttons
                    ],
                    "photo": message.is_photo,
                    "document": message.document_name if message.is_document else None,
                    "edited": message.edits > 0,
                }
            )
        return sorted(lines, key=lambda line: int(line["id"]))

    def file_of(self, message_id: int) -> tuple[bytes, str] | None:
        """A bot message's photo or document, and a file name for it."""
        message = self._bot_messages.get(message_id)
        if message is None:
            return None
        if message.photo is not None:
            return message.photo, f"photo-{message_id}.png"
        if message.document is not None:
            return message.document, message.document_name or f"file-{message_id}"
        return None

    async def answer_to(self, query_id: str, timeout: float = 10.0) -> str:  # noqa: ASYNC109
        """The pop-up text the bot answered a press with ("" for none)."""
        answer = await self.callback_answer(query_id, timeout)
        return str(answer.get("text") or "")

    # -- waiting for the bot --------------------------------------------------------------

    async def replies(self, n: int = 1, timeout: float = 5.0) -> list[BotMessage]:  # noqa: ASYNC109
        """Wait for the next ``n`` messages the bot sends to this chat and consume them."""
        try:
            await _wait_until(self._changed, lambda: len(self.inbox) - self._consumed >= n, timeout)
        except TimeoutError:
            got = len(self.inbox) - self._consumed
            raise AssertionError(
                self._dump(f"expected {n} new bot message(s) within {timeout}s, got {got}")
            ) from None
        batch = self.inbox[self._consumed : self._consumed + n]
        self._consumed += n
        return batch

    async def reply(self, timeout: float = 5.0) -> BotMessage:  # noqa: ASYNC109
        """Wait for the next message the bot sends to this chat."""
        return (await self.replies(1, timeout))[0]

    async def no_reply(self, wait: float = 0.3) -> None:
        """Assert that no unconsumed bot message shows up within ``wait`` seconds.

        A message that arrived before this call but was not taken with replies() counts too.
        """
        try:
            await _wait_until(self._changed, lambda: len(self.inbox) > self._consumed, wait)
        except TimeoutError:
            return
        raise AssertionError(self._dump("expected no new bot message, but the bot sent one"))

    def message(self, message_id: int) -> BotMessage:
        """The bot message with this id, in its current state."""
        try:
            return self._bot_messages[message_id]
        except KeyError:
            raise AssertionError(
                self._dump(f"the bot sent no message {message_id} to this chat")
            ) from None

    async def callback_answer(self, query_id: str, timeout: float = 5.0) -> JsonDict:  # noqa: ASYNC109
        """Wait until the bot answers the callback query; returns the answer's payload."""
        try:
            await _wait_until(self._changed, lambda: query_id in self._answers, timeout)
        except TimeoutError:
            raise AssertionError(
                self._dump(f"the bot did not answer callback query {query_id} in {timeout}s")
            ) from None
        return self._answers[query_id]

    async def wait_edit(self, message_id: int, timeout: float = 5.0) -> BotMessage:  # noqa: ASYNC109
        """Wait for the next edit (text, caption or keyboard) of a bot message."""
        message = self.message(message_id)
        before = message.edits
        try:
            await _wait_until(self._changed, lambda: message.edits > before, timeout)
        except TimeoutError:
            raise AssertionError(
                self._dump(f"bot message {message_id} was not edited within {timeout}s")
            ) from None
        return message

    def _dump(self, headline: str) -> str:
        lines = [f"{headline} (chat {self.chat_id}, user {self.first_name!r})"]
        unread = self.inbox[self._consumed :]
        if unread:
            lines.append("unconsumed bot messages:")
            lines.extend(f"  {m.describe()}" for m in unread)
        recent = self.inbox[-5:]
        if recent:
            lines.append("last bot messages in this chat:")
            lines.extend(f"  {m.describe()}" for m in recent)
        else:
            lines.append("the bot has sent nothing to this chat")
        refused = [r for r in self._fake.rejections if _chat_of(r["payload"]) == self.chat_id]
        if refused:
            lines.append("requests for this chat the fake refused:")
            lines.extend(f"  {r['method']}: {r['description']}" for r in refused[-5:])
        lines.append(f"updates not yet confirmed by the bot: {self._fake.pending_updates()}")
        return "\n".join(lines)


def _chat_of(payload: JsonDict) -> int | None:
    value = payload.get("chat_id")
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    return None


_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{1,64})?(?=\s|$)")


def _command_entities(text: str) -> list[JsonDict]:
    match = _COMMAND.match(text)
    if match is None:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group())}]


# ---------------------------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------------------------

_Handler = Callable[[_Call], Awaitable[Any]]


class FakeGroup:
    """A group (or supergroup, or channel) the bot can be added to; kept minimal.

    Messages in it come from FakeUsers; what the bot says there is kept as plain text in
    ``inbox``. The bot can only post while it is a member, and leaveChat makes it leave.
    """

    def __init__(self, fake: FakeTelegram, chat_id: int, title: str, kind: str) -> None:
        if chat_id >= 0:
            raise ValueError("group and channel ids are negative")
        self._fake = fake
        self.chat_id = chat_id
        self.title = title
        self.kind = kind
        self.bot_is_member = False
        self.inbox: list[str] = []
        self._next_message_id = 1

    def chat_dict(self) -> JsonDict:
        return {"id": self.chat_id, "type": self.kind, "title": self.title}

    def _take_message_id(self) -> int:
        message_id = self._next_message_id
        self._next_message_id += 1
        return message_id

    def add_bot(self, by: FakeUser) -> int:
        """Someone adds the bot: a my_chat_member update. Returns its update id."""
        self.bot_is_member = True
        status = "administrator" if self.kind == "channel" else "member"
        bot = self._fake._bot_user()
        member: JsonDict = {"user": bot, "status": status}
        if status == "administrator":
            rights = (
                "can_manage_chat can_delete_messages can_manage_video_chats can_restrict_members"
                " can_promote_members can_change_info can_invite_users can_post_stories"
                " can_edit_stories can_delete_stories"
            )
            member.update({right: False for right in rights.split()})
            member.update({"can_be_edited": False, "is_anonymous": False})
            member.update({"can_manage_chat": True, "can_post_messages": True})
        return self._fake._enqueue(
            "my_chat_member",
            {
                "chat": self.chat_dict(),
                "from": by.user_dict(),
                "date": _now(),
                "old_chat_member": {"user": bot, "status": "left"},
                "new_chat_member": member,
            },
        )

    def send(self, by: FakeUser, text: str) -> int:
        """A member writes in the group (a channel post when this is a channel)."""
        message: JsonDict = {
            "message_id": self._take_message_id(),
            "chat": self.chat_dict(),
            "date": _now(),
            "text": text,
        }
        entities = _command_entities(text)
        if entities:
            message["entities"] = entities
        if self.kind == "channel":
            return self._fake._enqueue("channel_post", message)
        message["from"] = by.user_dict()
        return self._fake._enqueue("message", message)


class FakeTelegram:
    """The fake Bot API server plus the bookkeeping tests look at."""

    def __init__(
        self,
        token: str = "123456:TEST-fake-token-for-tests",
        *,
        bot_id: int = 123456,
        bot_username: str = "glimmers_test_bot",
        bot_first_name: str = "Glimmers Test Bot",
        allow_local_http_webhook: bool = False,
    ) -> None:
        self.token = token
        self.allow_local_http_webhook = allow_local_http_webhook
        self.webhook: Webhook | None = None
        self.webhook_errors: list[str] = []
        self._webhook_task: asyncio.Task[None] | None = None
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.rejections: list[JsonDict] = []
        self.calls: list[tuple[str, JsonDict]] = []
        self.commands: list[JsonDict] = []
        self._commands_by_scope: dict[tuple[str, str], list[JsonDict]] = {}
        self._users: dict[int, FakeUser] = {}
        self._groups: dict[int, FakeGroup] = {}
        self._blocked: set[int] = set()
        self._failures: dict[str, deque[_Failure]] = {}
        self._drops: dict[str, int] = {}
        self.faults: Callable[[str], Fault | None] | None = None
        """Called with each call's method name (getUpdates too); a ``Fault`` it returns is
        done to that call. For runs with random trouble; ``fail_next`` and ``drop_next``
        script single calls."""
        self._latency = 0.0
        # Update queue: (update_id, kind, update) in id order, unconfirmed only.
        self._queue: deque[tuple[int, str, JsonDict]] = deque()
        self._history: dict[int, JsonDict] = {}
        self._update_ids = itertools.count(1)
        self._allowed_updates: frozenset[str] = DEFAULT_ALLOWED_UPDATES
        self._updates_changed = asyncio.Event()
        self._poll_generation = 0
        # Idle tracking: bot requests in flight (getUpdates excluded) and a change counter.
        self._in_flight = 0
        self._activity = 0
        self._idle_changed = asyncio.Event()
        self._queries: dict[str, _Query] = {}
        self._query_ids = itertools.count(1)
        self._files: dict[str, bytes | None] = {}
        self._file_paths: dict[str, str] = {}  # getFile's paths, and the file each is
        self.downloads: list[str] = []  # paths the bot downloaded
        self._file_ids = itertools.count(1)
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._methods: dict[str, tuple[str, _Handler]] = {}
        for name, handler in (
            ("getMe", self._get_me),
            ("getUpdates", self._get_updates),
            ("deleteWebhook", self._delete_webhook),
            ("getWebhookInfo", self._get_webhook_info),
            ("setWebhook", self._set_webhook),
            ("setMyCommands", self._set_my_commands),
            ("getMyCommands", self._get_my_commands),
            ("deleteMyCommands", self._delete_my_commands),
            ("sendMessage", self._send_message),
            ("sendPhoto", self._send_photo),
            ("sendDocument", self._send_document),
            ("editMessageText", self._edit_message_text),
            ("editMessageCaption", self._edit_message_caption),
            ("editMessageReplyMarkup", self._edit_message_reply_markup),
            ("deleteMessage", self._delete_message),
            ("answerCallbackQuery", self._answer_callback_query),
            ("sendChatAction", self._send_chat_action),
            ("getFile", self._get_file),
            ("leaveChat", self._leave_chat),
            ("close", self._true),
            ("logOut", self._true),
        ):
            self._methods[name.lower()] = (name, handler)

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        """Start listening on 127.0.0.1 on a free port."""
        if self._runner is not None:
            raise RuntimeError("FakeTelegram is already running")
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0
        )
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runner = runner
        self._port = int(runner.addresses[0][1])
        self._closing = False

    async def stop(self) -> None:
        """Stop the server. Waiting getUpdates calls return at once with no updates."""
        self._closing = True
        self._updates_changed.set()
        await self._stop_delivering()
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeTelegram is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """What to pass as ``base_url`` to telegram.Bot / ApplicationBuilder."""
        return f"http://127.0.0.1:{self.port}/bot"

    # -- test controls --------------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str = "Alex",
        language_code: str = "en",
        *,
        username: str | None = None,
    ) -> FakeUser:
        """Create (or return the existing) user whose private chat with the bot has id user_id."""
        existing = self._users.get(user_id)
        if existing is not None:
            return existing
        created = FakeUser(self, user_id, first_name, language_code, username)
        self._users[user_id] = created
        return created

    @property
    def users(self) -> list[FakeUser]:
        return list(self._users.values())

    def group(self, chat_id: int, title: str = "Tea club", kind: str = "group") -> FakeGroup:
        """Create (or return) a group, supergroup or channel with this (negative) id."""
        existing = self._groups.get(chat_id)
        if existing is None:
            existing = self._groups[chat_id] = FakeGroup(self, chat_id, title, kind)
        return existing

    def block(self, user_id: int) -> None:
        """From now on every call aimed at this chat gets 403 "bot was blocked by the user"."""
        self._blocked.add(user_id)

    def unblock(self, user_id: int) -> None:
        self._blocked.discard(user_id)

    def fail_next(
        self,
        method: str,
        *,
        error_code: int = 429,
        retry_after: int = 1,
        description: str | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail with ``error_code``.

        429 answers carry ``parameters.retry_after`` (PTB raises RetryAfter). Injected
        failures are not recorded in ``rejections``.
        """
        parameters: JsonDict | None = None
        if error_code == 429:
            parameters = {"retry_after": retry_after}
            text = description or f"Too Many Requests: retry after {retry_after}"
        else:
            text = description or _default_description(error_code)
        queue = self._failures.setdefault(method.lower(), deque())
        for _ in range(times):
            queue.append(_Failure(error_code, text, parameters))

    def drop_next(self, method: str, *, times: int = 1) -> None:
        """Close the connection of the next ``times`` calls of ``method`` without answering,
        as a network or proxy failure would; the call is not carried out."""
        self._drops[method.lower()] = self._drops.get(method.lower(), 0) + times

    def set_latency(self, seconds: float) -> None:
        """Delay every bot request by ``seconds`` before it is handled."""
        self._latency = max(0.0, seconds)

    @property
    def updates(self) -> list[JsonDict]:
        """Every update ever queued (confirmed or not), oldest first."""
        return list(self._history.values())

    @property
    def last_update_id(self) -> int:
        """The id of the newest queued update (0 before any)."""
        return next(reversed(self._history), 0)

    def pending_updates(self) -> int:
        """How many updates the bot has not yet confirmed with its getUpdates offset."""
        return len(self._queue)

    async def redeliver(self, update_id: int) -> int:
        """Queue a copy of an earlier update under a fresh update_id; returns the new id."""
        original = self._history.get(update_id)
        if original is None:
            raise AssertionError(f"no update {update_id} was ever queued")
        kind = next(key for key in original if key != "update_id")
        return self._enqueue(kind, original[kind])

    async def wait_idle(self, timeout: float = 5.0, *, settle: float = 0.05) -> None:  # noqa: ASYNC109
        """Wait until every queued update was fetched and confirmed and no bot call is running.

        The state must also stay unchanged for ``settle`` seconds, which gives the bot's
        handlers time to start the calls they make after their update was confirmed.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            async with asyncio.timeout_at(deadline):
                while True:
                    while not self._is_idle():
                        self._idle_changed.clear()
                        await self._idle_changed.wait()
                    mark = self._activity
                    await asyncio.sleep(settle)
                    if self._is_idle() and self._activity == mark:
                        return
        except TimeoutError:
            pending = [update_id for update_id, _, _ in itertools.islice(self._queue, 10)]
            raise AssertionError(
                f"fake Telegram not idle after {timeout}s: {len(self._queue)} update(s) not "
                f"confirmed (first ids {pending}), {self._in_flight} bot request(s) in flight"
            ) from None

    async def wait_until(self, ready: Callable[[], bool], timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until ``ready()`` holds; it is checked again after every call the bot makes."""
        try:
            await _wait_until(self._idle_changed, ready, timeout)
        except TimeoutError:
            raise AssertionError(f"the awaited state did not come within {timeout}s") from None

    # -- internal state -------------------------------------------------------------------

    def _is_idle(self) -> bool:
        return not self._queue and self._in_flight == 0

    def _poke(self) -> None:
        self._activity += 1
        self._idle_changed.set()

    def _enqueue(self, kind: str, payload: JsonDict) -> int:
        update_id = next(self._update_ids)
        update = {"update_id": update_id, kind: copy.deepcopy(payload)}
        self._history[update_id] = update
        self._queue.append((update_id, kind, update))
        self._updates_changed.set()
        self._poke()
        return update_id

    async def _get_file(self, call: _Call) -> JsonDict:
        """getFile: a path to download the file from, for files people sent (up to 20 MB,
        Telegram's limit for bots)."""
        file_id = call.params.get("file_id")
        if not isinstance(file_id, str) or file_id not in self._files:
            raise _bad_request("invalid file_id")
        data = self._files[file_id]
        if data is None:
            raise _bad_request("file is temporarily unavailable")
        if len(data) > BOT_DOWNLOAD_LIMIT:
            raise _bad_request("file is too big")
        number = file_id.rsplit("-", 1)[-1]
        path = f"documents/file_{number}"
        self._file_paths[path] = file_id
        return {
            "file_id": file_id,
            "file_unique_id": f"AQADfake{number}",
            "file_size": len(data),
            "file_path": path,
        }

    def _download(self, rest: str) -> web.Response:
        token, _, path = rest.partition("/")
        file_id = self._file_paths.get(path)
        if token != self.token or file_id is None:
            return web.Response(status=404, text="Not Found")
        self.downloads.append(path)
        return web.Response(body=self._files[file_id] or b"")

    def _new_file_id(self, prefix: str, data: bytes | None) -> tuple[str, str]:
        number = next(self._file_ids)
        file_id = f"{prefix}-fake-{number:08d}"
        self._files[file_id] = data
        return file_id, f"AQADfake{number:08d}"

    def _issue_callback(self, user: FakeUser, message_id: int, data: str) -> str:
        query_id = str(7_000_000_000_000_000 + next(self._query_ids))
        self._queries[query_id] = _Query(user)
        message: JsonDict | None = None
        bot_message = user._bot_messages.get(message_id)
        if bot_message is not None and not bot_message.deleted:
            message = self._bot_message_dict(bot_message)
        if message is None:
            # What Telegram sends for a message the bot can no longer see.
            message = {"message_id": message_id, "date": 0, "chat": user.chat_dict()}
        query: JsonDict = {
            "id": query_id,
            "from": user.user_dict(),
            "message": message,
            "chat_instance": str(4_000_000_000 + user.chat_id),
            "data": data,
        }
        self._enqueue("callback_query", query)
        return query_id

    def _bot_user(self) -> JsonDict:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def _bot_message_dict(self, message: BotMessage, *, nested: bool = True) -> JsonDict:
        user = self._users[message.chat_id]
        result: JsonDict = {
            "message_id": message.message_id,
            "from": self._bot_user(),
            "chat": user.chat_dict(),
            "date": message.date,
        }
        if message.edit_date is not None:
            result["edit_date"] = message.edit_date
        if message.photo_sizes is not None or message.document_info is not None:
            if message.photo_sizes is not None:
                result["photo"] = message.photo_sizes
            else:
                result["document"] = message.document_info
            if message.text:
                result["caption"] = message.text
                if message.entities:
                    result["caption_entities"] = message.entities
        else:
            result["text"] = message.text
            if message.entities:
                result["entities"] = message.entities
        if message.reply_markup is not None:
            result["reply_markup"] = message.reply_markup
        if nested and message.reply_to_message_id is not None:
            target = user._message_dict(message.reply_to_message_id)
            if target is not None:
                result["reply_to_message"] = target
        return result

    # -- HTTP plumbing --------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        tail = request.match_info.get("tail", "")
        if tail.startswith("file/bot"):
            return self._download(tail.removeprefix("file/bot"))
        if not tail.startswith("bot") or "/" not in tail:
            return _error_response(_ApiError(404, "Not Found"))
        token, _, method_name = tail[3:].partition("/")
        entry = self._methods.get(method_name.lower())
        name = entry[0] if entry is not None else method_name
        try:
            call = await _read_call(request)
        except _ApiError as exc:
            self.calls.append((name, {}))
            return self._refuse(name, {}, exc)
        self.calls.append((name, call.params))
        fault = self.faults(name) if self.faults is not None else None
        if fault is not None and (fault.delay or fault.drop or fault.error_code):
            return await self._faulty(request, name, call, fault)
        if self._drops.get(name.lower()):
            self._drops[name.lower()] -= 1
            assert request.transport is not None
            request.transport.abort()
            return web.Response(status=204)  # never arrives: the connection is gone
        if token != self.token:
            return self._refuse(name, call.params, _ApiError(401, "Unauthorized"))
        if entry is None:
            return self._refuse(name, call.params, _ApiError(404, "Not Found: method not found"))
        tracked = name != "getUpdates"
        if tracked:
            self._in_flight += 1
            self._poke()
        try:
            if self._latency:
                await asyncio.sleep(self._latency)
            failures = self._failures.get(name.lower())
            if failures:
                failure = failures.popleft()
                raise _ApiError(
                    failure.error_code,
                    failure.description,
                    record=False,
                    parameters=failure.parameters,
                )
            result = await entry[1](call)
        except _ApiError as exc:
            return self._refuse(name, call.params, exc)
        finally:
            if tracked:
                self._in_flight -= 1
                self._poke()
        return web.json_response({"ok": True, "result": result})

    async def _faulty(
        self, request: web.Request, name: str, call: _Call, fault: Fault
    ) -> web.Response:
        """Answer one call the way ``fault`` says."""
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.drop == "before":
            assert request.transport is not None
            request.transport.abort()
            return web.Response(status=204)  # never arrives
        if fault.error_code:
            if fault.html:
                page = f"<html><body><h1>{fault.error_code} Bad Gateway</h1></body></html>"
                return web.Response(status=fault.error_code, text=page, content_type="text/html")
            parameters = {"retry_after": fault.retry_after} if fault.error_code == 429 else None
            error = _ApiError(
                fault.error_code,
                _default_description(fault.error_code)
                if fault.error_code != 429
                else f"Too Many Requests: retry after {fault.retry_after}",
                record=False,
                parameters=parameters,
            )
            return self._refuse(name, call.params, error)
        entry = self._methods.get(name.lower())
        assert entry is not None
        try:
            await entry[1](call)  # carried out...
        except _ApiError as exc:
            return self._refuse(name, call.params, exc)
        assert request.transport is not None
        request.transport.abort()  # ...but the answer never arrives
        return web.Response(status=204)

    def _refuse(self, method: str, payload: JsonDict, error: _ApiError) -> web.Response:
        if error.record:
            self.rejections.append(
                {
                    "method": method,
                    "error_code": error.error_code,
                    "description": error.description,
                    "payload": payload,
                }
            )
        return _error_response(error)

    def _chat(self, params: JsonDict) -> FakeUser:
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise _bad_request("chat_id is empty")
        chat_id = _chat_of(params)
        if chat_id is not None and chat_id in self._blocked:
            raise _ApiError(403, BLOCKED, record=False)
        user = self._users.get(chat_id) if chat_id is not None else None
        if user is None:
            raise _bad_request("chat not found")
        return user

    # -- rendering and validation ---------------------------------------------------------

    @staticmethod
    def _render(text: Any, parse_mode: Any) -> tuple[str, list[JsonDict], str | None, str | None]:
        """Returns (plain text, entities, raw html or None, parse_mode or None)."""
        if text is None:
            text = ""
        if not isinstance(text, str):
            text = str(text)
        if parse_mode is None or parse_mode == "":
            plain, entities = _trim(text, [])
            return plain, entities, None, None
        if not isinstance(parse_mode, str):
            raise _bad_request("unsupported parse_mode")
        mode = parse_mode.lower()
        if mode == "html":
            try:
                plain, entities = render_html(text)
            except HtmlParseError as exc:
                raise _bad_request(f"can't parse entities: {exc}") from None
            plain, entities = _trim(plain, entities)
            return plain, entities, text, parse_mode
        if mode in ("markdown", "markdownv2"):
            plain, entities = _trim(text, [])
            return plain, entities, None, parse_mode
        raise _bad_request("unsupported parse_mode")

    def _markup(
        self, raw: Any, user: FakeUser, *, inline_only: bool
    ) -> tuple[JsonDict | None, list[list[tuple[str, str]]]]:
        """Validate reply_markup. Returns (inline markup to keep on the message, buttons)."""
        if raw is None:
            return None, []
        markup = _as_json(raw, "reply keyboard markup")
        if not isinstance(markup, dict):
            raise _bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in markup:
            if inline_only:
                raise _bad_request("reply markup must be an inline keyboard")
            self._reply_keyboard(markup, user)
            return None, []
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad_request(
                'can\'t parse inline keyboard: field "inline_keyboard" must be an Array of Arrays'
            )
        kept_rows: list[list[JsonDict]] = []
        buttons: list[list[tuple[str, str]]] = []
        count = 0
        for row in rows:
            kept_row: list[JsonDict] = []
            button_row: list[tuple[str, str]] = []
            for button in row:
                kept, shown = _check_button(button)
                kept_row.append(kept)
                button_row.append(shown)
                count += 1
            if kept_row:
                kept_rows.append(kept_row)
                buttons.append(button_row)
        if count > MAX_INLINE_BUTTONS:
            raise _bad_request(f"reply markup is too long: more than {MAX_INLINE_BUTTONS} buttons")
        if not kept_rows:
            return None, []
        return {"inline_keyboard": kept_rows}, buttons

    @staticmethod
    def _reply_keyboard(markup: JsonDict, user: FakeUser) -> None:
        if markup.get("remove_keyboard"):
            user.keyboard = None
            return
        if markup.get("force_reply"):
            return
        rows = markup.get("keyboard")
        if not isinstance(rows, list) or not rows:
            raise _bad_request("can't parse reply keyboard markup JSON object")
        shown: list[list[str]] = []
        for row in rows:
            if not isinstance(row, list):
                raise _bad_request("can't parse reply keyboard markup JSON object")
            texts = []
            for button in row:
                text = button.get("text") if isinstance(button, dict) else button
                if not isinstance(text, str) or not text.strip():
                    raise _bad_request("keyboard button text must be non-empty")
                texts.append(text)
            shown.append(texts)
        user.keyboard = shown

    @staticmethod
    def _reply_target(user: FakeUser, params: JsonDict) -> int | None:
        allow = _as_bool(params.get("allow_sending_without_reply", False))
        reply_to: int | None = None
        reply_parameters = params.get("reply_parameters")
        if reply_parameters is not None:
            reply_parameters = _as_json(reply_parameters, "reply parameters")
            if not isinstance(reply_parameters, dict):
                raise _bad_request("can't parse reply parameters JSON object")
            reply_to = _as_int(reply_parameters, "message_id")
            allow = allow or _as_bool(reply_parameters.get("allow_sending_without_reply", False))
        else:
            reply_to = _as_int(params, "reply_to_message_id", required=False)
        if reply_to is None or reply_to == 0:
            return None
        if user._has_message(reply_to):
            return reply_to
        if allow:
            return None
        raise _bad_request("message to be replied not found")

    def _new_bot_message(self, user: FakeUser, message: BotMessage) -> JsonDict:
        user._bot_messages[message.message_id] = message
        user.inbox.append(message)
        user._changed.set()
        return self._bot_message_dict(message)

    @staticmethod
    def _editable(user: FakeUser, params: JsonDict) -> BotMessage:
        if params.get("inline_message_id"):
            raise _bad_request("inline messages are not supported by this fake")
        message_id = _as_int(params, "message_id")
        assert message_id is not None
        message = user._bot_messages.get(message_id)
        if message is None and message_id in user._user_messages:
            raise _bad_request("message can't be edited")
        if message is None or message.deleted:
            raise _bad_request("message to edit not found")
        return message

    @staticmethod
    def _apply_edit(user: FakeUser, message: BotMessage) -> None:
        message.edits += 1
        message.edit_date = _now()
        user._changed.set()

    # -- Bot API methods ------------------------------------------------------------------

    async def _true(self, call: _Call) -> bool:
        return True

    async def _get_me(self, call: _Call) -> JsonDict:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _delete_webhook(self, call: _Call) -> bool:
        if _as_bool(call.params.get("drop_pending_updates", False)) and self._queue:
            self._queue.clear()
            self._poke()
        await self._stop_delivering()
        self.webhook = None
        return True

    async def _get_webhook_info(self, call: _Call) -> JsonDict:
        pending = len(self._queue)
        info: JsonDict = {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": pending,
        }
        hook = self.webhook
        if hook is not None:
            info["url"] = hook.url
            info["max_connections"] = hook.max_connections
            if hook.allowed_updates is not None:
                info["allowed_updates"] = hook.allowed_updates
            if hook.last_error_date is not None:
                info["last_error_date"] = hook.last_error_date
                info["last_error_message"] = hook.last_error_message
        return info

    async def _set_webhook(self, call: _Call) -> bool:
        params = call.params
        url = params.get("url")
        if url is None:
            raise _bad_request("url is empty")
        url = str(url).strip()
        if not url:  # an empty url removes the webhook, as deleteWebhook does
            return await self._delete_webhook(call)
        self._check_webhook_url(url)
        secret = params.get("secret_token")
        if secret is not None and not WEBHOOK_SECRET.fullmatch(str(secret)):
            raise _bad_request("secret token contains unallowed characters")
        allowed = params.get("allowed_updates")
        if allowed is not None:
            allowed = _as_json(allowed, "allowed updates")
            if not isinstance(allowed, list) or not all(isinstance(a, str) for a in allowed):
                raise _bad_request("allowed_updates must be an Array of String")
        max_connections = _as_int(params, "max_connections", required=False) or 40
        if not 1 <= max_connections <= 100:
            raise _bad_request("invalid max_connections specified")
        if _as_bool(params.get("drop_pending_updates", False)) and self._queue:
            self._queue.clear()
            self._poke()
        await self._stop_delivering()
        if allowed is not None:
            self._allowed_updates = frozenset(allowed) if allowed else DEFAULT_ALLOWED_UPDATES
        hook = Webhook(
            url=url,
            secret_token=None if secret is None else str(secret),
            allowed_updates=allowed,
            max_connections=max_connections,
        )
        self.webhook = hook
        # A waiting getUpdates ends; from now on updates go to the webhook.
        self._poll_generation += 1
        self._updates_changed.set()
        self._webhook_task = asyncio.create_task(self._deliver(hook))
        return True

    def _check_webhook_url(self, url: str) -> None:
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise _bad_request("bad webhook: invalid URL") from None
        if not parts.hostname:
            raise _bad_request("bad webhook: invalid URL")
        local_http = (
            self.allow_local_http_webhook
            and parts.scheme == "http"
            and parts.hostname == "127.0.0.1"
        )
        if local_http:
            return
        if parts.scheme != "https":
            raise _bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if port is not None and port not in WEBHOOK_PORTS:
            raise _bad_request(
                "bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"
            )

    async def _stop_delivering(self) -> None:
        task, self._webhook_task = self._webhook_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _deliver(self, hook: Webhook) -> None:
        """POST queued updates to the webhook one at a time, oldest first, until it changes."""
        headers = {SECRET_HEADER: hook.secret_token} if hook.secret_token is not None else {}
        timeout = aiohttp.ClientTimeout(total=10)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while not self._closing:
                batch: list[JsonDict] = []

                def ready() -> bool:
                    nonlocal batch
                    batch = self._collect(1)
                    return bool(batch) or self._closing

                with contextlib.suppress(TimeoutError):
                    await _wait_until(self._updates_changed, ready, 3600)
                if not batch:
                    continue
                update = batch[0]
                error = await self._post_update(session, hook, update, headers)
                if error is None:
                    self._confirm(int(update["update_id"]) + 1)
                    continue
                hook.last_error_date = _now()
                hook.last_error_message = error
                self.webhook_errors.append(error)
                self._poke()
                await asyncio.sleep(WEBHOOK_RETRY_SECONDS)

    @staticmethod
    async def _post_update(
        session: aiohttp.ClientSession, hook: Webhook, update: JsonDict, headers: dict[str, str]
    ) -> str | None:
        """Deliver one update; returns None when the bot took it, else Telegram's error text."""
        try:
            async with session.post(hook.url, json=update, headers=headers) as response:
                await response.read()
                if 200 <= response.status < 300:
                    return None
                return f"Wrong response from the webhook: {response.status} {response.reason}"
        except (aiohttp.ClientError, TimeoutError) as exc:
            return f"Connection failed: {type(exc).__name__}"

    async def _get_updates(self, call: _Call) -> list[JsonDict]:
        params = call.params
        offset = _as_int(params, "offset", required=False)
        limit = _as_int(params, "limit", required=False)
        limit = 100 if limit is None or limit <= 0 else min(limit, 100)
        timeout_raw = params.get("timeout", 0)
        if isinstance(timeout_raw, str):
            timeout_raw = _coerce("timeout", timeout_raw)
        if isinstance(timeout_raw, bool) or not isinstance(timeout_raw, (int, float)):
            raise _bad_request("invalid timeout specified")
        timeout = max(0.0, float(timeout_raw))
        allowed = params.get("allowed_updates")
        if allowed is not None:
            allowed = _as_json(allowed, "allowed updates")
            if not isinstance(allowed, list) or not all(isinstance(a, str) for a in allowed):
                raise _bad_request("allowed_updates must be an Array of String")
            self._allowed_updates = frozenset(allowed) if allowed else DEFAULT_ALLOWED_UPDATES

        if self.webhook is not None:
            raise _ApiError(409, WEBHOOK_ACTIVE, record=False)
        # Only one getUpdates may wait at a time; a newer one ends the older one.
        self._poll_generation += 1
        generation = self._poll_generation
        self._updates_changed.set()

        if offset is not None and offset != 0:
            self._confirm(offset)

        batch: list[JsonDict] = []

        def ready() -> bool:
            nonlocal batch
            if self._poll_generation != generation or self._closing:
                return True
            batch = self._collect(limit)
            return bool(batch)

        with contextlib.suppress(TimeoutError):
            await _wait_until(self._updates_changed, ready, timeout)
        if self._poll_generation != generation and not self._closing:
            raise _ApiError(409, CONFLICT, record=False)
        if batch:
            self._poke()
        return batch

    def _confirm(self, offset: int) -> None:
        queue = self._queue
        before = len(queue)
        if offset > 0:
            while queue and queue[0][0] < offset:
                queue.popleft()
        else:
            while len(queue) > -offset:
                queue.popleft()
        if len(queue) != before:
            self._poke()

    def _collect(self, limit: int) -> list[JsonDict]:
        allowed = self._allowed_updates
        batch: list[JsonDict] = []
        dropped = False
        for _, kind, update in self._queue:
            if kind not in allowed:
                dropped = True
                continue
            batch.append(update)
            if len(batch) >= limit:
                break
        if dropped:
            # Telegram never delivers update kinds the bot did not ask for.
            self._queue = deque(entry for entry in self._queue if entry[1] in allowed)
            self._poke()
        return batch

    async def _set_my_commands(self, call: _Call) -> bool:
        params = call.params
        commands = _as_json(params.get("commands"), "commands")
        if not isinstance(commands, list):
            raise _bad_request("commands must be an Array of BotCommand")
        if len(commands) > MAX_COMMANDS:
            raise _bad_request("BOT_COMMANDS_TOO_MUCH")
        kept: list[JsonDict] = []
        for command in commands:
            if not isinstance(command, dict):
                raise _bad_request("can't parse BotCommand JSON object")
            name = command.get("command")
            description = command.get("description")
            if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            kept.append({"command": name, "description": description})
        self._commands_by_scope[_scope_key(params)] = kept
        self.commands = kept
        return True

    async def _get_my_commands(self, call: _Call) -> list[JsonDict]:
        return list(self._commands_by_scope.get(_scope_key(call.params), []))

    async def _delete_my_commands(self, call: _Call) -> bool:
        self._commands_by_scope.pop(_scope_key(call.params), None)
        self.commands = []
        return True

    async def _send_message(self, call: _Call) -> JsonDict:
        params = call.params
        group = self._groups.get(_chat_of(params) or 0)
        if group is not None:
            return self._send_to_group(group, params)
        user = self._chat(params)
        plain, entities, html, parse_mode = self._message_text(params)
        markup, buttons = self._markup(params.get("reply_markup"), user, inline_only=False)
        reply_to = self._reply_target(user, params)
        message = BotMessage(
            message_id=user._take_message_id(),
            chat_id=user.chat_id,
            text=plain,
            html=html,
            parse_mode=parse_mode,
            buttons=buttons,
            reply_to_message_id=reply_to,
            date=_now(),
            entities=entities,
            reply_markup=markup,
        )
        return self._new_bot_message(user, message)

    def _media_message(self, call: _Call, **media: Any) -> JsonDict:
        """A photo or document message with its caption and keyboard checked."""
        params = call.params
        user = self._chat(params)
        caption, entities, html, parse_mode = self._render(
            params.get("caption"), params.get("parse_mode")
        )
        if utf16_len(caption) > MAX_CAPTION_LENGTH:
            raise _bad_request("message caption is too long")
        markup, buttons = self._markup(params.get("reply_markup"), user, inline_only=False)
        message = BotMessage(
            message_id=user._take_message_id(),
            chat_id=user.chat_id,
            text=caption,
            html=html,
            parse_mode=parse_mode,
            buttons=buttons,
            reply_to_message_id=self._reply_target(user, params),
            date=_now(),
            entities=entities,
            reply_markup=markup,
            **media,
        )
        return self._new_bot_message(user, message)

    async def _send_photo(self, call: _Call) -> JsonDict:
        self._chat(call.params)
        data = self._photo_bytes(call)
        sizes = []
        for side in (90, 320, 1280):
            file_id, unique_id = self._new_file_id("AgACAgBotPhoto", data)
            size = {"file_id": file_id, "file_unique_id": unique_id, "width": side}
            size.update({"height": side * 3 // 4, "file_size": len(data or b"") or side * 50})
            sizes.append(size)
        return self._media_message(call, photo=data, photo_sizes=sizes)

    async def _send_document(self, call: _Call) -> JsonDict:
        """An uploaded file (by attach:// or as the field itself); file ids are not supported."""
        self._chat(call.params)
        document = call.params.get("document")
        field_name = "document"
        if isinstance(document, str) and document.startswith("attach://"):
            field_name = document.removeprefix("attach://")
        if field_name not in call.files:
            raise _bad_request("there is no document in the request")
        data = call.files[field_name]
        if not data:
            raise _bad_request("file must be non-empty")
        if len(data) > MAX_DOCUMENT_BYTES:
            raise _ApiError(413, "Request Entity Too Large")
        name = call.file_names.get(field_name) or "document"
        file_id, unique_id = self._new_file_id("BQACAgBotDocument", data)
        info = {
            "file_id": file_id,
            "file_unique_id": unique_id,
            "file_name": name,
            "file_size": len(data),
        }
        return self._media_message(call, document=data, document_name=name, document_info=info)

    def _message_text(self, params: JsonDict) -> tuple[str, list[JsonDict], str | None, str | None]:
        """A sendMessage text, rendered and checked as Telegram does."""
        rendered = self._render(params.get("text"), params.get("parse_mode"))
        if not rendered[0]:
            raise _bad_request("message text is empty")
        if utf16_len(rendered[0]) > MAX_TEXT_LENGTH:
            raise _bad_request("message is too long")
        return rendered

    def _send_to_group(self, group: FakeGroup, params: JsonDict) -> JsonDict:
        if not group.bot_is_member:
            raise _ApiError(403, "Forbidden: bot is not a member of the group chat")
        plain, entities, _, _ = self._message_text(params)
        group.inbox.append(plain)
        result: JsonDict = {
            "message_id": group._take_message_id(),
            "from": self._bot_user(),
            "chat": group.chat_dict(),
            "date": _now(),
            "text": plain,
        }
        if entities:
            result["entities"] = entities
        return result

    async def _leave_chat(self, call: _Call) -> bool:
        group = self._groups.get(_chat_of(call.params) or 0)
        if group is None:
            raise _bad_request("chat not found")
        if not group.bot_is_member:
            raise _ApiError(403, "Forbidden: bot is not a member of the group chat")
        group.bot_is_member = False
        return True

    def _photo_bytes(self, call: _Call) -> bytes | None:
        """The uploaded photo's bytes, or the bytes behind a known file id (None for URLs)."""
        photo = call.params.get("photo")
        data: bytes | None
        if "photo" in call.files:
            data = call.files["photo"]
        elif isinstance(photo, str) and photo.startswith("attach://"):
            attached = call.files.get(photo.removeprefix("attach://"))
            if attached is None:
                raise _bad_request("photo attachment not found in the request")
            data = attached
        elif isinstance(photo, str) and photo.strip():
            if photo.startswith(("http://", "https://")):
                return None  # never fetched: the fake talks to no other host
            if photo not in self._files:
                raise _bad_request("wrong file identifier/HTTP URL specified")
            return self._files[photo]
        else:
            raise _bad_request("there is no photo in the request")
        if not data:
            raise _bad_request("file must be non-empty")
        if len(data) > MAX_PHOTO_BYTES:
            raise _bad_request("PHOTO_SAVE_FILE_INVALID: photo is bigger than 10 MB")
        return data

    async def _edit_message_text(self, call: _Call) -> JsonDict:
        params = call.params
        user = self._chat(params)
        message = self._editable(user, params)
        if message.is_photo:
            raise _bad_request("there is no text in the message to edit")
        plain, entities, html, parse_mode = self._message_text(params)
        markup, buttons = self._markup(params.get("reply_markup"), user, inline_only=True)
        if (plain, entities, markup) == (message.text, message.entities, message.reply_markup):
            raise _bad_request(NOT_MODIFIED.removeprefix("Bad Request: "))
        message.text, message.entities, message.html = plain, entities, html
        message.parse_mode = parse_mode
        message.reply_markup, message.buttons = markup, buttons
        self._apply_edit(user, message)
        return self._bot_message_dict(message)

    async def _edit_message_caption(self, call: _Call) -> JsonDict:
        params = call.params
        user = self._chat(params)
        message = self._editable(user, params)
        if not message.is_photo:
            raise _bad_request("there is no caption in the message to edit")
        caption, entities, html, parse_mode = self._render(
            params.get("caption"), params.get("parse_mode")
        )
        if utf16_len(caption) > MAX_CAPTION_LENGTH:
            raise _bad_request("message caption is too long")
        markup, buttons = self._markup(params.get("reply_markup"), user, inline_only=True)
        if (caption, entities, markup) == (message.text, message.entities, message.reply_markup):
            raise _bad_request(NOT_MODIFIED.removeprefix("Bad Request: "))
        message.text, message.entities, message.html = caption, entities, html
        message.parse_mode = parse_mode
        message.reply_markup, message.buttons = markup, buttons
        self._apply_edit(user, message)
        return self._bot_message_dict(message)

    async def _edit_message_reply_markup(self, call: _Call) -> JsonDict:
        params = call.params
        user = self._chat(params)
        message = self._editable(user, params)
        markup, buttons = self._markup(params.get("reply_markup"), user, inline_only=True)
        if markup == message.reply_markup:
            raise _bad_request(NOT_MODIFIED.removeprefix("Bad Request: "))
        message.reply_markup, message.buttons = markup, buttons
        self._apply_edit(user, message)
        return self._bot_message_dict(message)

    async def _delete_message(self, call: _Call) -> bool:
        params = call.params
        user = self._chat(params)
        message_id = _as_int(params, "message_id")
        assert message_id is not None
        bot_message = user._bot_messages.get(message_id)
        if bot_message is not None and not bot_message.deleted:
            bot_message.deleted = True
            user._changed.set()
            return True
        if message_id in user._user_messages and message_id not in user._deleted_user_messages:
            user._deleted_user_messages.add(message_id)
            return True
        raise _bad_request("message to delete not found")

    async def _answer_callback_query(self, call: _Call) -> bool:
        params = call.params
        query_id = params.get("callback_query_id")
        query = self._queries.get(str(query_id)) if query_id is not None else None
        if query is None or query.answered:
            raise _bad_request(QUERY_TOO_OLD.removeprefix("Bad Request: "))
        text = params.get("text")
        if text is not None and utf16_len(str(text)) > MAX_CALLBACK_ANSWER_LENGTH:
            raise _bad_request("MESSAGE_TOO_LONG: callback answer text is over 200 characters")
        query.answered = True
        answer = dict(params)
        query.user.callback_answers.append(answer)
        query.user._answers[str(query_id)] = answer
        query.user._changed.set()
        return True

    async def _send_chat_action(self, call: _Call) -> bool:
        params = call.params
        user = self._chat(params)
        action = params.get("action")
        if action not in CHAT_ACTIONS:
            raise _bad_request("wrong parameter action in request")
        user.chat_actions.append(str(action))
        return True


def _check_button(button: Any) -> tuple[JsonDict, tuple[str, str]]:
    """Validate one inline keyboard button; returns (button to keep, (text, data or url))."""
    if not isinstance(button, dict):
        raise _bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    text = button.get("text")
    if not isinstance(text, str) or not text.strip():
        raise _bad_request("can't parse inline keyboard button: Text must be non-empty")
    kept = {key: value for key, value in button.items() if value is not None}
    actions = [key for key in BUTTON_ACTION_FIELDS if key in kept]
    if not actions:
        raise _bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if len(actions) > 1:
        raise _bad_request(
            "can't parse inline keyboard button: exactly one of the optional fields must be used, "
            f"got {actions}"
        )
    value = ""
    if "callback_data" in kept:
        data = kept["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
            raise _bad_request("BUTTON_DATA_INVALID")
        value = data
    elif "url" in kept:
        url = kept["url"]
        if not isinstance(url, str) or not url.strip() or any(c.isspace() for c in url):
            raise _bad_request("BUTTON_URL_INVALID")
        value = url
    return kept, (text, value)


def _scope_key(params: JsonDict) -> tuple[str, str]:
    scope = params.get("scope")
    if isinstance(scope, str):
        scope = _as_json(scope, "scope")
    scope_text = json.dumps(scope, sort_keys=True) if scope else '{"type": "default"}'
    language = params.get("language_code") or ""
    return scope_text, str(language)


def _default_description(error_code: int) -> str:
    return {
        400: "Bad Request: injected failure",
        401: "Unauthorized",
        403: BLOCKED,
        404: "Not Found",
        409: CONFLICT,
        500: "Internal Server Error",
        502: "Bad Gateway",
    }.get(error_code, f"Error {error_code}: injected failure")


def _error_response(error: _ApiError) -> web.Response:
    body: JsonDict = {
        "ok": False,
        "error_code": error.error_code,
        "description": error.description,
    }
    if error.parameters:
        body["parameters"] = error.parameters
    return web.json_response(body, status=error.error_code)


async def _read_call(request: web.Request) -> _Call:
    """Read parameters from the query string and a JSON, urlencoded or multipart body."""
    params: JsonDict = {key: _coerce(key, value) for key, value in request.query.items()}
    files: dict[str, bytes] = {}
    names: dict[str, str] = {}
    if not request.body_exists:
        return _Call(params, files)
    content_type = request.content_type
    if content_type == "application/json":
        raw = await request.read()
        if raw.strip():
            try:
                body = json.loads(raw)
            except ValueError:
                raise _bad_request("can't parse JSON request body") from None
            if not isinstance(body, dict):
                raise _bad_request("request body must be a JSON object")
            params.update(body)
    elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                files[key] = value.file.read()
                names[key] = value.filename
                params.setdefault(key, f"<uploaded file, {len(files[key])} bytes>")
            elif isinstance(value, (bytes, bytearray)):
                params[key] = _coerce(key, bytes(value).decode("utf-8", "replace"))
            else:
                params[key] = _coerce(key, value)
    return _Call(params, files, names)


def rejection_lines(rejections: Iterable[JsonDict]) -> list[str]:
    """Readable lines for ``FakeTelegram.rejections``, handy in assertion messages."""
    return [f"{r['method']} -> {r['error_code']} {r['description']}" for r in rejections]
