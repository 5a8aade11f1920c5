"""Welcome, help, about, and the answers for anything the bot does not understand."""

from __future__ import annotations

import logging
import sqlite3

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.domain.checkins import minute_to_time
from bot.runtime.services import Ctx
from bot.ui import callbacks as cb
from bot.ui import keyboards, render, texts
from bot.ui.language import ENGLISH, offered, speak, zone_name
from handlers.common import ids, refuse_button, set_chat_menu, speak_to
from handlers.flows import reschedule

log = logging.getLogger(__name__)

# Groups the bot has left in this run, so a burst of updates from one gets one goodbye.
# Kept in memory only: nothing about a group is stored.
GROUPS_REMEMBERED = 10_000


async def private_only(update: Update, context: Ctx) -> None:
    """Only private chats with people allowed to use the bot get past this gate.

    Someone not on ALLOWED_USER_IDS gets a polite refusal and nothing about them is stored.
    Added to a group or channel, the bot says once that it works in private chat and leaves.
    A gate that fails (the database full or unreachable) stops the update with one honest
    reply: nothing past it runs, so nobody gets two apologies or slips past the list.
    """
    try:
        await _check(update, context)
    except ApplicationHandlerStop:
        raise
    except (sqlite3.Error, OSError) as exc:  # a full or failing disk: one line
        log.warning("the gate failed for update %s (%s); stopped it", update.update_id, exc)
        await _say_not_saved(update)
        raise ApplicationHandlerStop from None
    except Exception:
        log.exception("the gate failed for update %s; stopped it", update.update_id)
        await _say_not_saved(update)
        raise ApplicationHandlerStop from None


async def _say_not_saved(update: Update) -> None:
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(texts.SOMETHING_WENT_WRONG)
        elif update.message is not None:
            await update.message.reply_html(texts.SAVE_FAILED)
    except TelegramError as exc:
        log.warning("could not say the gate failed: %s", exc)


async def _check(update: Update, context: Ctx) -> None:
    chat, user = update.effective_chat, update.effective_user
    svc = context.svc
    # Speak the language Telegram reports for the person until their own is read below (a
    # refusal, and a group's goodbye, too: nothing about either is stored).
    # Stored for a person only when the bot speaks it: someone whose Telegram is in a
    # language it doesn't gets English now, and theirs once it is added.
    reported = offered(user.language_code if user is not None else None)
    speak(reported or ENGLISH)
    if chat is not None and chat.type == chat.PRIVATE and user is not None:
        if not svc.settings.may_use(user.id):
            if _about_own_data(update) and await svc.users.get(user_id=user.id) is not None:
                # Taken off the list later: they may still take or delete their data.
                await speak_to(svc, user.id, reported)
                return
            log.info("refused an update from a person not on the allowed list")
            if update.callback_query is not None:
                await update.callback_query.answer(texts.NOT_ALLOWED)
            elif update.message is not None:
                await update.message.reply_html(texts.NOT_ALLOWED)
            raise ApplicationHandlerStop
        if update.message is None:
            # Only a message or a command from the person creates their row: a button, an
            # edit or a block from someone unknown (forgotten, say) creates nothing.
            if not await svc.users.exists(user_id=user.id):
                if update.callback_query is not None:
                    await update.callback_query.answer(texts.BUTTON_EXPIRED)
                raise ApplicationHandlerStop
            await speak_to(svc, user.id, reported)
            return
        # Cached after the first time: no database trip for people already known.
        if await svc.users.ensure(user_id=user.id, now=svc.clock.now()):
            await reschedule(svc, user.id)  # new, or back after blocking the bot
        # Their choice from /language, or (stored the first time) what Telegram reports.
        language = await speak_to(svc, user.id, reported)
        if language != (reported or ENGLISH):
            _keep_chat_menu(context, user.id, language)
        return
    if update.callback_query is not None:
        await update.callback_query.answer(texts.NOT_PRIVATE_BUTTON)
    elif chat is not None and chat.type != chat.PRIVATE and chat.id not in svc.groups_left:
        await _leave(context, chat.id)
    raise ApplicationHandlerStop


def _keep_chat_menu(context: Ctx, user_id: int, language: str) -> None:
    """Someone whose Telegram app is in another language than the bot speaks with them has
    a command menu of their own in the bot's (set by /language): set it again once in each
    run, in the background, so it follows the bot's commands as they are now."""
    if user_id in context.svc.chat_menus:
        return
    context.svc.chat_menus.add(user_id)
    context.application.create_task(set_chat_menu(context.bot, user_id, language), name="chat-menu")


DATA_COMMANDS = ("/privacy", "/export", "/forget")


def _about_own_data(update: Update) -> bool:
    """/privacy, /export, /forget, or a /forget button."""
    if update.callback_query is not None:
        return (update.callback_query.data or "").startswith(f"{cb.FORGET}:")
    text = (update.message.text if update.message is not None else None) or ""
    words = text.split(maxsplit=1)
    return bool(words) and words[0].split("@")[0] in DATA_COMMANDS


async def _leave(context: Ctx, chat_id: int) -> None:
    groups_left = context.svc.groups_left
    if len(groups_left) > GROUPS_REMEMBERED:
        groups_left.clear()
    groups_left.add(chat_id)
    try:
        await context.bot.send_message(chat_id=chat_id, text=texts.NOT_PRIVATE)
    except TelegramError as exc:  # a channel where it can't post, or already removed
        log.info("could not say goodbye in a group: %s", exc)
    try:
        await context.bot.leave_chat(chat_id=chat_id)
    except TelegramError as exc:
        log.info("could not leave a group: %s", exc)


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
            zone=zone_name(user.timezone or svc.settings.default_timezone),
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
