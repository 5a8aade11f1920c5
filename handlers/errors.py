"""The one place unexpected errors end up: logged without user text, answered kindly."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import Application

from bot.runtime.services import Ctx
from bot.runtime.updatelog import mark_failed
from bot.ui import texts

log = logging.getLogger(__name__)


async def on_error(update: object, context: Ctx) -> None:
    mark_failed()
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(context.error, Forbidden):
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
