"""Welcome, help, about, and the answers for anything the bot does not understand."""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import keyboards, render, texts
from bot.checkins import minute_to_time
from bot.context import Ctx
from handlers.checkin import reschedule
from handlers.common import ids, refuse_button


async def private_only(update: Update, context: Ctx) -> None:
    """Groups and channels are not for journals: answer a command once, ignore the rest."""
    chat, user = update.effective_chat, update.effective_user
    if chat is not None and chat.type == chat.PRIVATE and user is not None:
        svc = context.svc
        # Cached after the first time: no database trip for people already known.
        if await svc.users.ensure(user_id=user.id, now=svc.clock.now()):
            await reschedule(svc, user.id)  # new, or back after blocking the bot
        return
    message = update.message
    if message is not None and message.text and message.text.startswith("/"):
        await message.reply_html(texts.NOT_PRIVATE)
    if update.callback_query is not None:
        await update.callback_query.answer(texts.NOT_PRIVATE)
    raise ApplicationHandlerStop


async def start(update: Update, context: Ctx) -> None:
    user_id, chat_id = ids(update)
    svc = context.svc
    created = await svc.users.ensure(user_id=user_id, now=svc.clock.now())
    is_new = created or await svc.glimmers.count(user_id=user_id) == 0
    send = context.bot.send_message
    if is_new:
        await send(chat_id=chat_id, text=texts.WELCOME)
        await send(chat_id=chat_id, text=texts.WELCOME_HOW)
        user = await svc.users.get(user_id=user_id)
        assert user is not None
        offer = texts.START_CHECKIN_OFFER.format(
            time=minute_to_time(user.checkin_minute).strftime("%H:%M"),
            zone=user.timezone or svc.settings.default_timezone,
        )
        await send(
            chat_id=chat_id,
            text=f"{offer}\n\n{texts.WELCOME_FIRST}",
            reply_markup=keyboards.first_steps(user_id),
        )
    else:
        await send(
            chat_id=chat_id, text=texts.WELCOME_BACK, reply_markup=keyboards.start_logging(False)
        )


async def help_command(update: Update, context: Ctx) -> None:
    if update.effective_message:
        await update.effective_message.reply_html(
            render.help_text(context.svc.settings.support_message)
        )


async def about(update: Update, context: Ctx) -> None:
    if update.effective_message:
        await update.effective_message.reply_html(texts.ABOUT)


async def nothing_to_cancel(update: Update, context: Ctx) -> None:
    if update.effective_message:
        await update.effective_message.reply_html(texts.NOTHING_TO_CANCEL)


async def unknown_command(update: Update, context: Ctx) -> None:
    if update.effective_message:
        await update.effective_message.reply_html(texts.UNKNOWN_COMMAND)


async def stale_button(update: Update, context: Ctx) -> None:
    query = update.callback_query
    if query is not None and update.effective_user is not None:
        await refuse_button(query, update.effective_user.id, query.data)


def register_gate(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(TypeHandler(Update, private_only), group=-1)


def register(app: Application) -> None:  # type: ignore[type-arg]
    new = filters.UpdateType.MESSAGE
    app.add_handler(CommandHandler("start", start, new))
    app.add_handler(CommandHandler("help", help_command, new))
    app.add_handler(CommandHandler("about", about, new))


def register_catch_alls(app: Application) -> None:  # type: ignore[type-arg]
    new = filters.UpdateType.MESSAGE
    app.add_handler(CommandHandler("cancel", nothing_to_cancel, new))
    app.add_handler(MessageHandler(new & filters.COMMAND, unknown_command))
    app.add_handler(CallbackQueryHandler(stale_button))
