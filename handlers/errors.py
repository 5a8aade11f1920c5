"""The one place unexpected errors end up: logged without user text, answered kindly."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application

from bot.runtime.services import Ctx
from bot.runtime.updatelog import mark_failed
from bot.ui import texts

log = logging.getLogger(__name__)


async def on_error(update: object, context: Ctx) -> None:
    update_id = update.update_id if isinstance(update, Update) else None
    error = context.error
    if isinstance(error, RetryAfter) or (
        isinstance(error, NetworkError) and not isinstance(error, BadRequest)
    ):
        # Telegram could not be reached, or kept asking to slow down, even after the
        # limiter's retries. Whatever was saved stays saved; the update is tried again later
        # (bot/runtime/processor.py), so no apology now: it would be untrue, and would not
        # get through either.
        mark_failed(unreached=True)
        log.warning("update %s: Telegram could not be reached (%s)", update_id, error)
        return
    mark_failed()
    if isinstance(error, Forbidden):
        log.info("update %s: the user has blocked the bot", update_id)
        return
    log.error("error while handling update %s", update_id, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    try:
        # A message rather than a button answer: the button may have been answered already.
        await context.bot.send_message(
            chat_id=update.effective_chat.id, text=texts.SOMETHING_WENT_WRONG
        )
    except TelegramError:
        log.warning("could not tell the user about the error in update %s", update_id)


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_error_handler(on_error)
