"""Bringing a journal in: a file sent to the bot is read, described, and brought in only
after the person says so, all of it in one transaction (bot/ui/importing.py reads it)."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from bot.runtime.services import Ctx
from bot.ui import callbacks as cb
from bot.ui import keyboards, render, texts
from bot.ui.importing import MOST_BYTES, Unreadable, Waiting, read_journal
from handlers.common import edit_quietly, ids, must_wait, pressed
from handlers.flows import zone_of_user

log = logging.getLogger(__name__)


async def file_received(update: Update, context: Ctx) -> None:
    message = update.effective_message
    assert message is not None and message.document is not None
    document = message.document
    user_id, _ = ids(update)
    svc = context.svc
    if document.file_size and document.file_size > MOST_BYTES:
        await message.reply_html(texts.IMPORT_TOO_BIG)
        return
    wait = must_wait(svc.limits.imports, user_id, svc.clock.now())
    if wait:
        await message.reply_html(texts.IMPORT_RESTING.format(wait=wait))
        return
    try:
        file = await context.bot.get_file(document.file_id)
        data = bytes(await file.download_as_bytearray())
    except TelegramError as exc:
        log.info("a file from user %s could not be fetched: %s", user_id, exc)
        await message.reply_html(texts.IMPORT_DOWNLOAD_FAILED)
        return
    zone = await zone_of_user(svc, user_id)
    try:
        # Reading 20,000 rows is CPU work: a thread lets everyone else's replies through.
        found = await asyncio.to_thread(read_journal, data, zone, svc.clock.now())
    except Unreadable as problem:
        await message.reply_html(str(problem))
        return
    if not found.entries:
        await message.reply_html(texts.IMPORT_NOTHING)
        return
    asked = await message.reply_html(
        render.import_found(found, zone), reply_markup=keyboards.confirm_import(user_id)
    )
    # The file waits beside the question that asks about it: a newer file replaces it, and
    # then the older question's buttons no longer bring anything in.
    svc.imports.remember(user_id, Waiting(asked.message_id, found))


async def import_pressed(update: Update, context: Ctx) -> None:
    got = await pressed(update)
    if got is None:
        return
    query, action = got
    user_id, _ = ids(update)
    svc = context.svc
    waiting = svc.imports.get(user_id)
    asked = query.message.message_id if query.message is not None else None
    if waiting is None or waiting.question != asked:
        await query.answer(texts.IMPORT_GONE)
        return
    await query.answer()
    if waiting.said is None and action.arg == "no":
        svc.imports.forget(user_id)
        await edit_quietly(query, texts.IMPORT_NOT_NOW, last=svc.edits)
        return
    said = waiting.said or await _bring_in(context, user_id, waiting)
    await edit_quietly(query, said, last=svc.edits)  # a press after it is done says it again


async def _bring_in(context: Ctx, user_id: int, waiting: Waiting) -> str:
    svc = context.svc
    now = svc.clock.now()
    wanted = len(waiting.found.entries)
    room = svc.limits.imported.available(user_id, now)
    if room < wanted:  # a file is brought in whole or not at all
        wait = render.wait_phrase(svc.limits.imported.wait(user_id, now, wanted))
        return texts.IMPORT_DAY_FULL.format(room=room, wait=wait)
    try:
        await svc.users.ensure(user_id=user_id, now=svc.clock.now())
        added, already = await svc.glimmers.bring_in(user_id=user_id, entries=waiting.found.entries)
    except sqlite3.Error as exc:
        log.warning("could not bring a journal in for user %s: %s", user_id, exc)
        return texts.IMPORT_FAILED  # nothing changed; the file waits for another press
    svc.limits.imported.take(user_id, now, added)
    said = render.import_done(added, already)
    svc.imports.remember(user_id, Waiting(waiting.question, waiting.found, said))
    return said


# What may be a journal: a JSON or CSV file (by name or type). Any other file goes on to the
# quick log, which keeps its caption as a glimmer, or asks for words.
JOURNAL_FILE = (
    filters.Document.FileExtension("csv")
    | filters.Document.FileExtension("json")
    | filters.Document.MimeType("text/csv")
    | filters.Document.MimeType("application/json")
)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    new = filters.UpdateType.MESSAGE
    app.add_handler(MessageHandler(new & JOURNAL_FILE, file_received))
    app.add_handler(CallbackQueryHandler(import_pressed, pattern=cb.pattern(cb.IMPORT)))
