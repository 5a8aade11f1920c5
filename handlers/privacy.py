"""Your data is yours: /privacy says what is kept, /export hands all of it over as files,
/forget deletes all of it."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import asdict
from datetime import timedelta
from functools import partial
from typing import Any

from telegram import InputFile, Update
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CommandHandler,
    filters,
)

from bot.domain.search import words_of
from bot.runtime.services import Ctx
from bot.ui import keyboards, render, texts
from bot.ui.export import build_export, count_phrase, file_names
from bot.ui.language import current, in_language
from handlers.common import holds_words, ids, must_wait
from handlers.flows import forget_button
from storage.models import Findable

log = logging.getLogger(__name__)

FORGET_BUTTON_LIFETIME = timedelta(minutes=15)
CHECKPOINT_RETRY_SECONDS = 30


async def privacy(update: Update, context: Ctx) -> None:
    message = update.effective_message
    assert message is not None
    encrypted = context.svc.settings.encryption_key is not None
    note = texts.PRIVACY_ENCRYPTED if encrypted else texts.PRIVACY_NOT_ENCRYPTED
    await message.reply_html(texts.PRIVACY.format(encryption=note))


async def export(update: Update, context: Ctx) -> None:
    message = update.effective_message
    assert message is not None
    user_id, chat_id = ids(update)
    svc = context.svc
    now = svc.clock.now()
    # Exports and charts share one worker process: nobody may keep it busy for the others.
    wait = must_wait(svc.limits.exports, user_id, now)
    if wait:
        await message.reply_html(texts.EXPORT_RESTING.format(wait=wait))
        return
    await message.reply_html(texts.EXPORT_WORKING)
    await context.bot.send_chat_action(chat_id=chat_id, action=ChatAction.UPLOAD_DOCUMENT)
    settings = await svc.users.export_row(user_id=user_id) or {"id": user_id}
    rows = await svc.glimmers.export_rows(user_id=user_id)
    words = words_of(" ".join(context.args or ()))
    if words:  # "/export #rain": only the glimmers with that tag (or those words)
        holds = holds_words(words)
        rows = [r for r in rows if holds(Findable(*(r[k] for k in Findable._fields)))]
    zone = settings.get("timezone") or svc.settings.default_timezone
    # Formatting 10,000 glimmers is CPU work: the worker process keeps replies flowing.
    files = await asyncio.get_running_loop().run_in_executor(
        svc.worker_pool(),
        partial(
            in_language,
            current(),
            build_export,
            settings=settings,
            glimmers=rows,
            zone_name=zone,
            now=now,
        ),
    )
    names = file_names(now, zone)
    captions = (texts.EXPORT_JSON_CAPTION, texts.EXPORT_CSV_CAPTION, texts.EXPORT_JOURNAL_CAPTION)
    try:
        for data, name, caption in zip(
            (files.json, files.csv, files.journal), names, captions, strict=True
        ):
            await context.bot.send_document(
                chat_id=chat_id, document=InputFile(data, filename=name), caption=caption
            )
    except TelegramError as exc:
        log.warning("export for user %s could not be sent: %s", user_id, exc)
        await message.reply_html(texts.EXPORT_FAILED)
        return
    what = count_phrase(files.count) if files.count else texts.EXPORT_NONE
    if words:
        done = texts.EXPORT_DONE_WITH.format(count=what, words=render.search_words(words))
    else:
        done = texts.EXPORT_DONE.format(count=what)
    await message.reply_html(done)


async def forget(update: Update, context: Ctx) -> None:
    message = update.effective_message
    assert message is not None
    user_id, _ = ids(update)
    count = await context.svc.glimmers.count(user_id=user_id)
    what = texts.FORGET_GLIMMERS.format(count=count) if count else texts.FORGET_NO_GLIMMERS
    await message.reply_html(
        texts.FORGET_ASK.format(glimmers=what), reply_markup=keyboards.confirm_forget(user_id)
    )


async def stats(update: Update, context: Ctx) -> None:
    """Counts for the admins named in ADMIN_USER_IDS; anyone else sees an unknown command."""
    message = update.effective_message
    assert message is not None
    user_id, _ = ids(update)
    svc = context.svc
    if user_id not in svc.settings.admin_user_ids:
        await message.reply_html(texts.UNKNOWN_COMMAND)
        return
    counts = await svc.stats.since(start=svc.clock.now() - timedelta(days=7))
    await message.reply_html(texts.STATS.format(**asdict(counts)))


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    new = filters.UpdateType.MESSAGE
    app.add_handler(CommandHandler("privacy", privacy, new))
    app.add_handler(CommandHandler("export", export, new))
    app.add_handler(CommandHandler("stats", stats, new))
    app.add_handler(CommandHandler("forget", forget, new))


def register_after_conversations(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """The /forget buttons, after the conversations: an active one takes them as its fallback
    (and ends); with none active, this handler does."""
    app.add_handler(forget_button())
