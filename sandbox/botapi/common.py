"""What every part of the Bot API stand-in shares: Telegram's limits and fixed answers,
the error a method raises to refuse a call, reading a call's parameters, and small helpers."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

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


@dataclass
class _Call:
    params: JsonDict
    files: dict[str, bytes]
    file_names: dict[str, str] = field(default_factory=dict)


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
