"""/settings: an inline menu for check-in time, zone, days, pauses, savouring, the recap and
the language (also /language).

Every button is a /settings choice carrying the presser's user id (bot/ui/callbacks.py); a
choice saves at once, reschedules, and redraws the menu. Typing a time or a place is a small
persistent conversation of its own.
"""

from __future__ import annotations

import warnings
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.domain.checkins import ALL_DAYS_MASK, SURPRISE_WINDOW, WEEKDAYS_MASK
from bot.domain.glimmers import looks_like_a_glimmer
from bot.domain.schedule import find_zone, parse_time, zone_for_location
from bot.runtime.services import Ctx, Services
from bot.ui import callbacks as cb
from bot.ui import keyboards, render, texts
from bot.ui.callbacks import Choice, Setting
from bot.ui.language import speak, zone_name
from handlers.common import edit_quietly, ids, pressed, set_chat_menu
from handlers.flows import forget_button, keep_text, reschedule
from storage.models import User

END = ConversationHandler.END
TYPING_TIME, TYPING_ZONE = range(2)


def _page(user: User, choice: Choice, default_zone: str) -> tuple[str, InlineKeyboardMarkup]:
    """A submenu with its question, or the summary and the main menu."""
    submenu = keyboards.settings_submenu(user, choice)
    if submenu is None:
        return render.settings_summary(user, default_zone), keyboards.settings_menu(user)
    return render.settings_question(choice), submenu


def _change(user: User, setting: Setting, today_local: datetime) -> dict[str, object] | None:
    """The preferences a button sets, or None for a button that only opens a submenu."""
    c, value = Choice, setting.value
    match setting.choice:
        case c.CHECKIN_AT:
            return {
                "checkin_minute": value,
                "window_start": None,
                "window_end": None,
                "checkins_on": True,
            }
        case c.SURPRISE:
            start, end = SURPRISE_WINDOW
            return {"window_start": start, "window_end": end, "checkins_on": True}
        case c.RECAP_DAY:
            return {"recap_day": value, "recap_on": True}
        case c.RECAP_AT:
            return {"recap_minute": value, "recap_on": True}
        case c.DAY:
            assert value is not None
            mask = user.checkin_days ^ (1 << value)
            return {"checkin_days": mask} if mask else None  # at least one day stays on
        case c.SAVOUR_FOR:
            return {"savour_seconds": value}
        case c.LANGUAGE_IS:
            assert value is not None
            return {"language": cb.SPOKEN[value]}
    simple: dict[Choice, dict[str, object]] = {
        c.ALL_DAYS: {"checkin_days": ALL_DAYS_MASK},
        c.WEEKDAYS: {"checkin_days": WEEKDAYS_MASK},
        c.PAUSE_DAY: {"paused_until": today_local.date(), "checkins_on": True},
        c.PAUSE_WEEK: {
            "paused_until": (today_local + timedelta(days=6)).date(),
            "checkins_on": True,
        },
        c.PAUSE_OFF: {"checkins_on": False, "paused_until": None},
        c.RESUME: {"checkins_on": True, "paused_until": None},
        c.CHECKINS: {"checkins_on": not user.checkins_on, "paused_until": None},
        c.SKIP_IF_LOGGED: {"skip_if_logged": not user.skip_if_logged},
        c.LADDER: {"ask_ladder": not user.ask_ladder},
        c.STREAKS: {"streaks_on": not user.streaks_on},
        c.FLASHBACKS: {"flashbacks": FLASHBACKS_NEXT[user.flashbacks]},
        c.RECAP_ON: {"recap_on": True},
        c.RECAP_OFF: {"recap_on": False},
    }
    return simple.get(setting.choice)


# Each press of "Come back: ..." moves to the next.
FLASHBACKS_NEXT = {"weekly": "checkin", "checkin": "off", "off": "weekly"}


async def _user(svc: Services, user_id: int) -> User:
    await svc.users.ensure(user_id=user_id, now=svc.clock.now())
    user = await svc.users.get(user_id=user_id)
    assert user is not None
    return user


async def _save(svc: Services, user_id: int, **preferences: object) -> User:
    """Store the preferences, work out the next check-in, and return the person as now set."""
    await svc.users.set_preferences(user_id=user_id, **preferences)
    await reschedule(svc, user_id)
    return await _user(svc, user_id)


async def _reply_menu(message: Message, svc: Services, user: User) -> None:
    text, markup = _page(user, Choice.MENU, svc.settings.default_timezone)
    await message.reply_html(text, reply_markup=markup)


async def settings_command(update: Update, context: Ctx) -> int:
    user_id, _ = ids(update)
    svc = context.svc
    user = await _user(svc, user_id)
    if update.effective_message:
        await _reply_menu(update.effective_message, svc, user)
    return END


async def on_choice(update: Update, context: Ctx) -> int | None:
    found = await pressed(update)
    if found is None:
        return None
    query, action = found
    user_id, _ = ids(update)
    svc = context.svc
    setting = action.setting
    if setting.choice is Choice.TYPE_TIME:
        await query.answer()
        await context.bot.send_message(chat_id=user_id, text=texts.ASK_TYPED_TIME)
        return TYPING_TIME
    if setting.choice is Choice.ZONE:
        await query.answer()
        await context.bot.send_message(chat_id=user_id, text=texts.ASK_ZONE)
        return TYPING_ZONE
    user = await _user(svc, user_id)
    zone = ZoneInfo(user.timezone or svc.settings.default_timezone)
    change = _change(user, setting, svc.clock.now().astimezone(zone))
    page = setting.choice
    if setting.choice is Choice.LANGUAGE_IS and change is not None:
        await _switch_language(context, user, str(change["language"]), query)
        page = Choice.LANGUAGE
        user = await _user(svc, user_id)
    elif change is not None:
        user = await _save(svc, user_id, **change)
        await query.answer(texts.SETTINGS_SAVED)
        # Stay on the days, so several can be changed in a row; otherwise back to the menu.
        page = Choice.DAYS if setting.choice is Choice.DAY else Choice.MENU
    else:
        await query.answer()
    text, markup = _page(user, page, svc.settings.default_timezone)
    await edit_quietly(query, text, markup, last=context.svc.edits)
    return END


async def language_command(update: Update, context: Ctx) -> int:
    """/language: the languages, each by its own name, whatever language is spoken now."""
    user_id, _ = ids(update)
    user = await _user(context.svc, user_id)
    text, markup = _page(user, Choice.LANGUAGE, context.svc.settings.default_timezone)
    if update.effective_message:
        await update.effective_message.reply_html(text, reply_markup=markup)
    return END


async def _switch_language(context: Ctx, user: User, code: str, query: CallbackQuery) -> None:
    """Store the choice and speak it from this reply on; the command menu in this chat
    follows (Telegram shows the menu for the app's language otherwise)."""
    if code == user.language:
        await query.answer(texts.LANGUAGE_SAME)
        return
    await context.svc.users.set_preferences(user_id=user.id, language=code)
    speak(code)
    await query.answer(texts.LANGUAGE_SET)
    context.svc.chat_menus.add(user.id)
    await set_chat_menu(context.bot, user.id, code)


async def _kept_as_glimmer(update: Update, context: Ctx, message: Message) -> bool:
    """Text that can't be read as the time or place asked for, but reads as a sentence, is a
    glimmer written before or instead of an answer: keep it (True)."""
    if not looks_like_a_glimmer(message.text or ""):
        return False
    await keep_text(update, context, message, message.text or "")
    return True


async def typed_time(update: Update, context: Ctx) -> int:
    message = update.effective_message
    assert message is not None
    user_id, _ = ids(update)
    svc = context.svc
    parsed = parse_time(message.text or "")
    if parsed is None:
        if await _kept_as_glimmer(update, context, message):
            return END
        await message.reply_html(texts.BAD_TIME)
        return TYPING_TIME
    user = await _save(
        svc,
        user_id,
        checkin_minute=parsed.hour * 60 + parsed.minute,
        window_start=None,
        window_end=None,
        checkins_on=True,
    )
    await _reply_menu(message, svc, user)
    return END


async def typed_zone(update: Update, context: Ctx) -> int:
    message = update.effective_message
    assert message is not None
    user_id, _ = ids(update)
    svc = context.svc
    if message.location is not None:
        zone = zone_for_location(message.location.latitude, message.location.longitude)
        note = texts.ZONE_FROM_LOCATION.format(zone=zone)
    else:
        found = find_zone(message.text or "")
        if found is None:
            if await _kept_as_glimmer(update, context, message):
                return END
            await message.reply_html(texts.BAD_ZONE)
            return TYPING_ZONE
        zone = found
        local = svc.clock.now().astimezone(ZoneInfo(zone)).strftime("%H:%M")
        note = texts.ZONE_SET.format(zone=zone_name(zone), time=local)
    user = await _save(svc, user_id, timezone=zone)
    await message.reply_html(note)
    await _reply_menu(message, svc, user)
    return END


async def leave(update: Update, context: Ctx) -> int:
    if update.effective_message:
        await update.effective_message.reply_html(texts.CANCELLED)
    return END


def register(app: Application[Any, Any, Any, Any, Any, Any], timeout: timedelta) -> None:
    typed = filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND
    entry: list[BaseHandler[Update, Any, Any]] = [
        CommandHandler("settings", settings_command, filters.UpdateType.MESSAGE),
        CommandHandler("language", language_command, filters.UpdateType.MESSAGE),
        CallbackQueryHandler(on_choice, pattern=cb.pattern(cb.SETTINGS)),
    ]
    states: dict[object, list[BaseHandler[Update, Any, Any]]] = {
        TYPING_TIME: [MessageHandler(typed, typed_time)],
        TYPING_ZONE: [
            MessageHandler(typed, typed_zone),
            MessageHandler(filters.UpdateType.MESSAGE & filters.LOCATION, typed_zone),
        ],
    }
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        app.add_handler(
            ConversationHandler(
                entry_points=entry,
                states=states,
                fallbacks=[CommandHandler("cancel", leave), forget_button()],
                allow_reentry=True,
                conversation_timeout=timeout.total_seconds(),
                name="settings",
                persistent=True,
            )
        )
