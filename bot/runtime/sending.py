"""Sending and editing messages whose answer nobody reads, for the replies people get most.

PTB's `send_message` and `edit_message_text` turn Telegram's answer into a `Message`: about a
quarter of the bot's CPU for each quick log (py-spy, bench/README.md), spent on an object
the handler then drops. `Bot.do_api_request` makes the same call through the same request,
rate limiter and error handling, and hands the answer back as it came. It is meant for
methods PTB lacks and warns when used for one it has; that one warning is silenced here
(and in pyproject.toml's test settings) and nowhere else.

Only for private chats, where PTB's `reply_html` adds no quote, so a reply sent here looks
exactly like one sent by `reply_html`. The bot's `Defaults` (HTML, no link previews) apply
as they would to the typed methods.
"""

from __future__ import annotations

import warnings
from typing import Any

from telegram import Bot, InlineKeyboardMarkup
from telegram.ext import ExtBot
from telegram.warnings import PTBUserWarning

warnings.filterwarnings(
    "ignore",
    message=r"Please use 'Bot\.(sendMessage|editMessageText)' instead",
    category=PTBUserWarning,
)


def _with_defaults(bot: Bot, params: dict[str, Any]) -> dict[str, Any]:
    defaults = bot.defaults if isinstance(bot, ExtBot) else None
    if defaults is not None:
        if defaults.parse_mode is not None:
            params["parse_mode"] = defaults.parse_mode
        if defaults.link_preview_options is not None:
            params["link_preview_options"] = defaults.link_preview_options
    return params


async def send(
    bot: Bot,
    chat_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """sendMessage, as `bot.send_message(chat_id, text, reply_markup=markup)` would."""
    params: dict[str, Any] = {"chat_id": chat_id, "text": text}
    if markup is not None:
        params["reply_markup"] = markup
    await bot.do_api_request("sendMessage", api_kwargs=_with_defaults(bot, params))


async def edit(
    bot: Bot,
    chat_id: int,
    message_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """editMessageText, as `query.edit_message_text(text, reply_markup=markup)` would."""
    params: dict[str, Any] = {"chat_id": chat_id, "message_id": message_id, "text": text}
    if markup is not None:
        params["reply_markup"] = markup
    await bot.do_api_request("editMessageText", api_kwargs=_with_defaults(bot, params))
