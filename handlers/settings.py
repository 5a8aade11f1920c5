"""/settings: an inline menu for check-in time, zone, days, pauses, savouring and the recap.

Every button is `se:<user id>:<choice>`; a choice saves at once, reschedules, and redraws the
menu. Typing a time or a place is a small persistent conversation of its own.
"""

from __future__ import annotations

import warnings
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
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

from bot.domain.checkins import minute_to_time
from bot.domain.glimmers import SAVOUR_CHOICES, looks_like_a_glimmer
from bot.domain.schedule import find_zone, parse_time, zone_for_location
from bot.runtime.services import Ctx, Services
from bot.ui import callbacks as cb
from bot.ui import texts
from handlers.common import edit_quietly, ids, pressed
from handlers.flows import forget_button, keep_text, reschedule
from storage.models import User

END = ConversationHandler.END
TYPING_TIME, TYPING_ZONE = range(2)
ALL_DAYS_MASK = 0b1111111
WEEKDAYS_MASK = 0b0011111
SURPRISE_WINDOW = (600, 1140)  # 10:00 to 19:00


def _b(user_id: int, text: str, choice: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=cb.make(cb.SETTINGS, user_id, choice))


def _hhmm(minute: int) -> str:
    return minute_to_time(minute).strftime("%H:%M")


def _days(mask: int) -> str:
    if mask == ALL_DAYS_MASK:
        return texts.EVERY_DAY
    if mask == WEEKDAYS_MASK:
        return texts.WEEKDAYS
    return ", ".join(name for day, name in enumerate(texts.DAY_NAMES) if mask >> day & 1)


def summary(user: User, default_zone: str) -> str:
    if not user.checkins_on:
        checkin = texts.SETTINGS_CHECKIN_OFF
    elif user.window_start is not None and user.window_end is not None:
        checkin = texts.SETTINGS_CHECKIN_WINDOW.format(
            start=_hhmm(user.window_start),
            end=_hhmm(user.window_end),
            days=_days(user.checkin_days),
        )
    else:
        checkin = texts.SETTINGS_CHECKIN_AT.format(
            time=_hhmm(user.checkin_minute), days=_days(user.checkin_days)
        )
    if user.checkins_on and user.paused_until:
        checkin = texts.SETTINGS_CHECKIN_PAUSED.format(
            plan=checkin, date=user.paused_until.strftime("%a %d %b")
        )
    recap = (
        texts.SETTINGS_RECAP_AT.format(
            day=texts.DAY_NAMES_LONG[user.recap_day], time=_hhmm(user.recap_minute)
        )
        if user.recap_on
        else texts.SETTINGS_OFF
    )

    def on(flag: bool) -> str:
        return texts.SETTINGS_ON if flag else texts.SETTINGS_OFF

    return (
        texts.SETTINGS_TITLE
        + "\n\n"
        + texts.SETTINGS_SUMMARY.format(
            checkin=checkin,
            zone=user.timezone or default_zone,
            skip=on(user.skip_if_logged),
            savour=user.savour_seconds,
            ladder=on(user.ask_ladder),
            recap=recap,
            streaks=on(user.streaks_on),
        )
    )


def menu(user: User) -> InlineKeyboardMarkup:
    u = user.id
    return InlineKeyboardMarkup(
        [
            [_b(u, texts.BUTTON_TIME, "time"), _b(u, texts.BUTTON_ZONE, "zone")],
            [_b(u, texts.BUTTON_DAYS, "days"), _b(u, texts.BUTTON_PAUSE_MENU, "pause")],
            [
                _b(
                    u,
                    texts.BUTTON_CHECKINS_ON if user.checkins_on else texts.BUTTON_CHECKINS_OFF,
                    "chk",
                ),
                _b(
                    u,
                    texts.BUTTON_SKIP_ON if user.skip_if_logged else texts.BUTTON_SKIP_OFF,
                    "skip",
                ),
            ],
            [
                _b(u, texts.BUTTON_SAVOUR_MENU, "savour"),
                _b(
                    u,
                    texts.BUTTON_LADDER_ON if user.ask_ladder else texts.BUTTON_LADDER_OFF,
                    "ladder",
                ),
            ],
            [
                _b(u, texts.BUTTON_RECAP_MENU, "recap"),
                _b(
                    u,
                    texts.BUTTON_STREAKS_ON if user.streaks_on else texts.BUTTON_STREAKS_OFF,
                    "streak",
                ),
            ],
        ]
    )


def _submenu(user: User, choice: str, default_zone: str) -> tuple[str, InlineKeyboardMarkup]:
    u = user.id
    back = [_b(u, texts.BUTTON_BACK, "menu")]
    if choice == "time":
        times = [_b(u, _hhmm(m), f"t{m:04d}") for m in cb.SETTING_TIMES]
        rows = [times[i : i + 3] for i in range(0, len(times), 3)]
        rows += [
            [_b(u, texts.BUTTON_SURPRISE, "surprise")],
            [_b(u, texts.BUTTON_TYPE_TIME, "ttime")],
        ]
        return texts.ASK_CHECKIN_TIME, InlineKeyboardMarkup([*rows, back])
    if choice == "days":
        days = [
            _b(u, ("✅ " if user.checkin_days >> d & 1 else "▫️ ") + name, f"d{d}")
            for d, name in enumerate(texts.DAY_NAMES)
        ]
        rows = [
            days[:4],
            days[4:],
            [_b(u, texts.BUTTON_EVERY_DAY, "dall"), _b(u, texts.BUTTON_WEEKDAYS, "dweek")],
        ]
        return texts.ASK_DAYS, InlineKeyboardMarkup([*rows, back])
    if choice == "pause":
        rows = [
            [_b(u, texts.BUTTON_PAUSE_DAY, "p1"), _b(u, texts.BUTTON_PAUSE_WEEK, "p7")],
            [_b(u, texts.BUTTON_PAUSE_OFF, "poff"), _b(u, texts.BUTTON_RESUME, "pon")],
        ]
        return texts.ASK_PAUSE_CHECKINS, InlineKeyboardMarkup([*rows, back])
    if choice == "savour":
        row = [_b(u, f"{s} s", f"s{s}") for s in SAVOUR_CHOICES]
        return texts.ASK_SAVOUR, InlineKeyboardMarkup([row, back])
    if choice == "recap":
        days = [_b(u, name, f"rd{d}") for d, name in enumerate(texts.DAY_NAMES)]
        times = [_b(u, _hhmm(m), f"rt{m:04d}") for m in cb.RECAP_TIMES]
        onoff = (
            _b(u, texts.BUTTON_RECAP_OFF, "roff")
            if user.recap_on
            else _b(u, texts.BUTTON_RECAP_ON, "ron")
        )
        return texts.ASK_RECAP, InlineKeyboardMarkup([days[:4], days[4:], times, [onoff], back])
    return summary(user, default_zone), menu(user)


def _change(user: User, choice: str, today_local: datetime) -> dict[str, object] | None:
    """The preference a button sets, or None for a button that only opens a submenu."""
    if choice.startswith("t") and choice[1:].isdigit():
        return {
            "checkin_minute": int(choice[1:]),
            "window_start": None,
            "window_end": None,
            "checkins_on": True,
        }
    if choice == "surprise":
        return {
            "window_start": SURPRISE_WINDOW[0],
            "window_end": SURPRISE_WINDOW[1],
            "checkins_on": True,
        }
    if choice.startswith("rd"):
        return {"recap_day": int(choice[2:]), "recap_on": True}
    if choice.startswith("rt"):
        return {"recap_minute": int(choice[2:]), "recap_on": True}
    if choice.startswith("d") and choice[1:].isdigit():
        mask = user.checkin_days ^ (1 << int(choice[1:]))
        return {"checkin_days": mask} if mask else None  # at least one day stays on
    if choice.startswith("s") and choice[1:].isdigit():
        return {"savour_seconds": int(choice[1:])}
    simple: dict[str, dict[str, object]] = {
        "dall": {"checkin_days": ALL_DAYS_MASK},
        "dweek": {"checkin_days": WEEKDAYS_MASK},
        "p1": {"paused_until": today_local.date(), "checkins_on": True},
        "p7": {"paused_until": (today_local + timedelta(days=6)).date(), "checkins_on": True},
        "poff": {"checkins_on": False, "paused_until": None},
        "pon": {"checkins_on": True, "paused_until": None},
        "chk": {"checkins_on": not user.checkins_on, "paused_until": None},
        "skip": {"skip_if_logged": not user.skip_if_logged},
        "ladder": {"ask_ladder": not user.ask_ladder},
        "streak": {"streaks_on": not user.streaks_on},
        "ron": {"recap_on": True},
        "roff": {"recap_on": False},
    }
    return simple.get(choice)


async def _user(svc: Services, user_id: int) -> User:
    await svc.users.ensure(user_id=user_id, now=svc.clock.now())
    user = await svc.users.get(user_id=user_id)
    assert user is not None
    return user


async def settings_command(update: Update, context: Ctx) -> int:
    user_id, _ = ids(update)
    svc = context.svc
    user = await _user(svc, user_id)
    if update.effective_message:
        await update.effective_message.reply_html(
            summary(user, svc.settings.default_timezone), reply_markup=menu(user)
        )
    return END


async def on_choice(update: Update, context: Ctx) -> int | None:
    found = await pressed(update, own_id=True)
    if found is None:
        return None
    query, action = found
    user_id, _ = ids(update)
    svc = context.svc
    user = await _user(svc, user_id)
    choice = action.arg or "menu"
    if choice == "ttime":
        await query.answer()
        await context.bot.send_message(chat_id=user_id, text=texts.ASK_TYPED_TIME)
        return TYPING_TIME
    if choice in ("zone", "tzone"):
        await query.answer()
        await context.bot.send_message(chat_id=user_id, text=texts.ASK_ZONE)
        return TYPING_ZONE
    zone = ZoneInfo(user.timezone or svc.settings.default_timezone)
    change = _change(user, choice, svc.clock.now().astimezone(zone))
    if change is not None:
        await svc.users.set_preferences(user_id=user_id, **change)
        await reschedule(svc, user_id)
        user = await _user(svc, user_id)
        await query.answer(texts.SETTINGS_SAVED)
        if choice.startswith("d") and choice[1:].isdigit():
            # Stay on the days, so several can be changed in a row.
            text, markup = _submenu(user, "days", svc.settings.default_timezone)
        else:
            text, markup = summary(user, svc.settings.default_timezone), menu(user)
    else:
        await query.answer()
        text, markup = _submenu(user, choice, svc.settings.default_timezone)
    await edit_quietly(query, text, markup, last=context.svc.edits)
    return END


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
    await svc.users.set_preferences(
        user_id=user_id,
        checkin_minute=parsed.hour * 60 + parsed.minute,
        window_start=None,
        window_end=None,
        checkins_on=True,
    )
    await reschedule(svc, user_id)
    user = await _user(svc, user_id)
    await message.reply_html(summary(user, svc.settings.default_timezone), reply_markup=menu(user))
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
        note = texts.ZONE_SET.format(zone=zone, time=local)
    await svc.users.set_preferences(user_id=user_id, timezone=zone)
    await reschedule(svc, user_id)
    user = await _user(svc, user_id)
    await message.reply_html(note)
    await message.reply_html(summary(user, svc.settings.default_timezone), reply_markup=menu(user))
    return END


async def leave(update: Update, context: Ctx) -> int:
    if update.effective_message:
        await update.effective_message.reply_html(texts.CANCELLED)
    return END


def register(app: Application[Any, Any, Any, Any, Any, Any], timeout: timedelta) -> None:
    typed = filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND
    entry: list[BaseHandler[Update, Any, Any]] = [
        CommandHandler("settings", settings_command, filters.UpdateType.MESSAGE),
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
