"""Your data is yours: /privacy says what is kept, /forget deletes all of it."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot import callbacks as cb
from bot import keyboards, texts
from bot.context import Ctx
from handlers.common import edit_quietly, ids, pressed


async def privacy(update: Update, context: Ctx) -> None:
    message = update.effective_message
    assert message is not None
    await message.reply_html(texts.PRIVACY.format(encryption=texts.PRIVACY_NOT_ENCRYPTED))


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


async def forget_pressed(update: Update, context: Ctx) -> None:
    found = await pressed(update, own_id=True)
    if found is None:
        return
    query, action = found
    await query.answer()
    if action.arg != "yes":
        await edit_quietly(query, texts.FORGET_KEPT)
        return
    user_id = action.glimmer_id
    if context.job_queue is not None:
        for name in (f"savour:{user_id}", f"timeout:{user_id}"):
            for job in context.job_queue.get_jobs_by_name(name):
                job.schedule_removal()
    await context.svc.users.forget(user_id=user_id)
    await edit_quietly(query, texts.FORGET_DONE)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    new = filters.UpdateType.MESSAGE
    app.add_handler(CommandHandler("privacy", privacy, new))
    app.add_handler(CommandHandler("forget", forget, new))
    app.add_handler(CallbackQueryHandler(forget_pressed, pattern=cb.pattern(cb.FORGET)))
