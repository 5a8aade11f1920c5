"""Quick logging: any plain text is kept at once, one glimmer per line."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.domain.glimmers import split_glimmers
from bot.domain.limits import LINES_PER_MESSAGE
from bot.runtime.services import Ctx
from bot.ui import callbacks as cb
from bot.ui import keyboards, render, texts
from handlers.common import (
    edit_quietly,
    ids,
    message_text,
    pressed,
    refuse_button,
    text_after_command,
)
from handlers.flows import cut_note, keep_text

log = logging.getLogger(__name__)

# Media whose caption is kept as a glimmer, the way a text would be.
CAPTIONED = (filters.PHOTO | filters.VIDEO | filters.Document.ALL | filters.ANIMATION) & (
    filters.CAPTION
)
TEXT_ONLY_PLEASE = (
    filters.VOICE
    | filters.VIDEO_NOTE
    | filters.Sticker.ALL
    | filters.LOCATION
    | filters.CONTACT
    | filters.AUDIO
    | filters.VIDEO
    | filters.Document.ALL
    | filters.ANIMATION
    | filters.POLL
    | filters.Dice.ALL
    | filters.VENUE
)


async def quick_log(update: Update, context: Ctx) -> None:
    message = update.effective_message
    if message is not None:
        await keep_text(update, context, message, message_text(message))


async def g_command(update: Update, context: Ctx) -> None:
    message = update.effective_message
    if message is None:
        return
    text = text_after_command(message)
    if not text:
        await message.reply_html(texts.ASK_QUICK_TEXT)
        return
    await keep_text(update, context, message, text)


async def edited(update: Update, context: Ctx) -> None:
    """An edited message updates the glimmers it created; other edits are ignored."""
    message = update.edited_message
    if message is None:
        return
    user_id, chat_id = ids(update)
    text = message_text(message)
    if text.startswith("/"):
        if not text.lower().startswith(("/g ", "/g@", "/g\n")):
            return
        text = text_after_command(message)
    svc, now = context.svc, context.svc.clock.now()
    before = await svc.glimmers.lines_of(
        user_id=user_id, chat_id=chat_id, message_id=message.message_id
    )
    if not before:
        return  # a message that kept nothing: its edit keeps nothing either
    # An edit may add lines, within the same limits as a new message.
    lines = split_glimmers(text)
    room = min(LINES_PER_MESSAGE, before + svc.limits.glimmers.available(user_id, now))
    updated = await svc.glimmers.apply_edit(
        user_id=user_id,
        chat_id=chat_id,
        message_id=message.message_id,
        lines=lines,
        now=now,
        most_lines=room,
    )
    svc.limits.glimmers.take(user_id, now, max(0, len(updated) - before))
    if updated:
        await message.reply_html(render.edited(updated))
    if len(lines) > room and len(updated) == room > 1:  # cut (a guided draft keeps one)
        await message.reply_html(cut_note(svc, user_id, now, kept=room))


async def text_only_please(update: Update, context: Ctx) -> None:
    if update.effective_message:
        await update.effective_message.reply_html(texts.TEXT_WORKS_BEST)


async def photo_without_words(update: Update, context: Ctx) -> None:
    if update.effective_message:
        await update.effective_message.reply_html(texts.PHOTO_NEEDS_WORDS)


async def undo(update: Update, context: Ctx) -> None:
    found = await pressed(update)
    if found is None:
        return
    query, action = found
    user_id, _ = ids(update)
    removed = await context.svc.glimmers.delete_with_siblings(
        user_id=user_id, glimmer_id=action.glimmer_id
    )
    if not removed:
        # Either already undone, or not this person's: both get the same quiet answer.
        log.warning("undo of glimmer %s found nothing for user %s", action.glimmer_id, user_id)
        await query.answer(texts.ALREADY_GONE)
        return
    await query.answer()
    message = texts.UNDONE_ONE if removed == 1 else texts.UNDONE_MANY.format(count=removed)
    await edit_quietly(query, message, last=context.svc.edits)


async def pick(update: Update, context: Ctx) -> None:
    """For a message that saved several glimmers: choose which one to savour or detail."""
    found = await pressed(update)
    if found is None:
        return
    query, action = found
    user_id, _ = ids(update)
    siblings = await context.svc.glimmers.siblings(user_id=user_id, glimmer_id=action.glimmer_id)
    if not siblings:
        await refuse_button(query, user_id, query.data)
        return
    await query.answer()
    savour = action.name == cb.PICK_SAVOUR
    await query.message.reply_html(  # type: ignore[union-attr]
        texts.PICK_SAVOUR if savour else texts.PICK_DETAILS,
        reply_markup=keyboards.pick(siblings, cb.SAVOUR if savour else cb.DETAILS),
    )


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Handlers that must run before the guided conversation sees an update."""
    app.add_handler(CommandHandler("g", g_command, filters.UpdateType.MESSAGE))
    app.add_handler(
        MessageHandler(filters.UpdateType.EDITED_MESSAGE & (filters.TEXT | filters.CAPTION), edited)
    )
    app.add_handler(CallbackQueryHandler(undo, pattern=cb.pattern(cb.UNDO)))
    app.add_handler(CallbackQueryHandler(pick, pattern=cb.pattern(cb.PICK_SAVOUR, cb.PICK_DETAILS)))


def register_catch_alls(app: Application) -> None:  # type: ignore[type-arg]
    """Handlers for whatever the guided conversation did not take."""
    new = filters.UpdateType.MESSAGE
    app.add_handler(MessageHandler(new & filters.TEXT & ~filters.COMMAND, quick_log))
    app.add_handler(MessageHandler(new & CAPTIONED, quick_log))
    app.add_handler(MessageHandler(new & filters.PHOTO, photo_without_words))
    app.add_handler(MessageHandler(new & TEXT_ONLY_PLEASE, text_only_please))
