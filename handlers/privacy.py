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
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    JobQueue,
    filters,
)

from bot.runtime.services import Ctx
from bot.ui import callbacks as cb
from bot.ui import keyboards, texts
from bot.ui.export import build_export, count_phrase, file_names
from handlers.common import PERSON_JOBS, cancel_jobs, edit_quietly, ids, pressed

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
    await message.reply_html(texts.EXPORT_WORKING)
    await context.bot.send_chat_action(chat_id=chat_id, action=ChatAction.UPLOAD_DOCUMENT)
    settings = await svc.users.export_row(user_id=user_id) or {"id": user_id}
    rows = await svc.glimmers.export_rows(user_id=user_id)
    zone = settings.get("timezone") or svc.settings.default_timezone
    now = svc.clock.now()
    # Formatting 10,000 glimmers is CPU work: the worker process keeps replies flowing.
    files = await asyncio.get_running_loop().run_in_executor(
        svc.worker_pool(),
        partial(build_export, settings=settings, glimmers=rows, zone_name=zone, now=now),
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
    await message.reply_html(texts.EXPORT_DONE.format(count=what))


async def forget(update: Update, context: Ctx) -> None:
    message = update.effective_message
    assert message is not None
    user_id, _ = ids(update)
    count = await context.svc.glimmers.count(user_id=user_id)
    if count == 0:
        what = texts.FORGET_NO_GLIMMERS
    elif count == 1:
        what = texts.FORGET_ONE_GLIMMER
    else:
        what = texts.FORGET_GLIMMERS.format(count=count)
    await message.reply_html(
        texts.FORGET_ASK.format(glimmers=what), reply_markup=keyboards.confirm_forget(user_id)
    )


async def forget_pressed(update: Update, context: Ctx) -> int:
    """Yes or No to /forget. Also a fallback of both conversations, so one in progress ends
    (returning END) instead of carrying on with a person who no longer exists."""
    found = await pressed(update, own_id=True)
    if found is None:
        return ConversationHandler.END
    query, action = found
    asked_at = query.message.date if query.message is not None else None
    if asked_at is not None and context.svc.clock.now() - asked_at > FORGET_BUTTON_LIFETIME:
        # A forgotten old prompt: its count is stale, and "yes" weeks later is not consent.
        await query.answer(texts.BUTTON_EXPIRED)
        await edit_quietly(query, texts.FORGET_EXPIRED, last=context.svc.edits)
        return ConversationHandler.END
    await query.answer()
    if action.arg != "yes":
        await edit_quietly(query, texts.FORGET_KEPT, last=context.svc.edits)
        return ConversationHandler.END
    user_id = action.glimmer_id
    cancel_jobs(context.job_queue, *(job(user_id) for job in PERSON_JOBS))
    context.svc.replies.forget(user_id)
    clean = await context.svc.users.forget(user_id=user_id)
    job_queue: JobQueue[Any] | None = context.job_queue
    if not clean and job_queue is not None:
        job_queue.run_once(_checkpoint_again, when=CHECKPOINT_RETRY_SECONDS)
    await edit_quietly(query, texts.FORGET_DONE, last=context.svc.edits)
    return ConversationHandler.END


async def _checkpoint_again(context: Ctx) -> None:
    """A reader held up the checkpoint after /forget: try until the log is empty."""
    job_queue: JobQueue[Any] | None = context.job_queue
    if not await context.svc.db.checkpoint() and job_queue is not None:
        job_queue.run_once(_checkpoint_again, when=CHECKPOINT_RETRY_SECONDS)


def forget_button() -> BaseHandler[Update, Any, Any]:
    return CallbackQueryHandler(forget_pressed, pattern=cb.pattern(cb.FORGET))


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
