"""Inline keyboards. Button words come from bot/ui/texts.py; data from bot/ui/callbacks.py."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.checkins import hhmm
from bot.domain.glimmers import BODY_CUES, LADDER, LANDED_SCALE, SAVOUR_CHOICES, SENSES
from bot.ui import callbacks as cb
from bot.ui import texts
from bot.ui.language import LANGUAGES, day_names
from bot.ui.render import shorten
from storage.models import Glimmer, User

Button = InlineKeyboardButton


def _button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data)


def _rows(buttons: Sequence[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def start_logging(first: bool) -> InlineKeyboardMarkup:
    label = texts.BUTTON_LOG_FIRST if first else texts.BUTTON_LOG
    return InlineKeyboardMarkup([[_button(label, cb.make(cb.LOG))]])


def first_steps(user_id: int) -> InlineKeyboardMarkup:
    """The welcome's last message: log a first glimmer, or set the check-in time and zone."""
    return InlineKeyboardMarkup(
        [
            [_button(texts.BUTTON_LOG_FIRST, cb.make(cb.LOG))],
            [
                _button(texts.BUTTON_TIME, cb.setting(user_id, cb.Choice.TIME)),
                _button(texts.BUTTON_ZONE, cb.setting(user_id, cb.Choice.ZONE)),
            ],
        ]
    )


def quick_saved(glimmers: Sequence[Glimmer]) -> InlineKeyboardMarkup:
    first = glimmers[0].id
    if len(glimmers) == 1:
        savour, details = cb.make(cb.SAVOUR, first), cb.make(cb.DETAILS, first)
    else:
        savour, details = cb.make(cb.PICK_SAVOUR, first), cb.make(cb.PICK_DETAILS, first)
    return InlineKeyboardMarkup(
        [
            [
                _button(texts.BUTTON_SAVOUR, savour),
                _button(texts.BUTTON_DETAILS, details),
                _button(texts.BUTTON_UNDO, cb.make(cb.UNDO, first)),
            ]
        ]
    )


def pick(glimmers: Sequence[Glimmer], action: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_button(shorten(g.text, 40), cb.make(action, g.id))] for g in glimmers[:20]]
    )


def senses(glimmer_id: int) -> InlineKeyboardMarkup:
    buttons = [_button(texts.SENSE_LABELS[s], cb.make(cb.SENSE, glimmer_id, s)) for s in SENSES]
    rows = _rows(buttons, 2)
    rows.append([_button(texts.BUTTON_SKIP, cb.make(cb.SENSE, glimmer_id, cb.SKIP))])
    return InlineKeyboardMarkup(rows)


def body(glimmer_id: int) -> InlineKeyboardMarkup:
    buttons = [_button(texts.BODY_LABELS[b], cb.make(cb.BODY, glimmer_id, b)) for b in BODY_CUES]
    rows = _rows(buttons, 2)
    rows.append(
        [
            _button(texts.BUTTON_SOMEWHERE_ELSE, cb.make(cb.BODY, glimmer_id, cb.OTHER)),
            _button(texts.BUTTON_SKIP, cb.make(cb.BODY, glimmer_id, cb.SKIP)),
        ]
    )
    return InlineKeyboardMarkup(rows)


def ladder(glimmer_id: int, action: str) -> InlineKeyboardMarkup:
    rows = [
        [_button(texts.LADDER_LABELS[rung], cb.make(action, glimmer_id, rung))] for rung in LADDER
    ]
    rows.append([_button(texts.BUTTON_SKIP, cb.make(action, glimmer_id, cb.SKIP))])
    return InlineKeyboardMarkup(rows)


def pause(glimmer_id: int, default_seconds: int) -> InlineKeyboardMarkup:
    begin = _button(
        texts.BUTTON_BEGIN.format(seconds=default_seconds),
        cb.make(cb.PAUSE, glimmer_id, default_seconds),
    )
    others = [
        _button(texts.BUTTON_SECONDS.format(seconds=s), cb.make(cb.PAUSE, glimmer_id, s))
        for s in SAVOUR_CHOICES
        if s != default_seconds
    ]
    return InlineKeyboardMarkup(
        [[begin], others, [_button(texts.BUTTON_SKIP_PAUSE, cb.make(cb.PAUSE, glimmer_id, 0))]]
    )


def pausing(glimmer_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_button(texts.BUTTON_SKIP_PAUSE, cb.make(cb.PAUSE, glimmer_id, 0))]]
    )


def landed(glimmer_id: int) -> InlineKeyboardMarkup:
    scale = [_button(str(n), cb.make(cb.LANDED, glimmer_id, n)) for n in LANDED_SCALE]
    return InlineKeyboardMarkup(
        [scale, [_button(texts.BUTTON_SKIP, cb.make(cb.LANDED, glimmer_id, 0))]]
    )


def summary(glimmer_id: int, *, starred: bool = False) -> InlineKeyboardMarkup:
    star = texts.BUTTON_UNSTAR if starred else texts.BUTTON_STAR
    return InlineKeyboardMarkup(
        [
            [
                _button(texts.BUTTON_EDIT, cb.make(cb.EDIT, glimmer_id)),
                _button(texts.BUTTON_DELETE, cb.make(cb.DELETE, glimmer_id)),
            ],
            [_button(star, cb.make(cb.STAR, glimmer_id))],
        ]
    )


def confirm_delete(glimmer_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                _button(texts.BUTTON_DELETE_YES, cb.make(cb.DELETE_YES, glimmer_id)),
                _button(texts.BUTTON_DELETE_NO, cb.make(cb.DELETE_NO, glimmer_id)),
            ]
        ]
    )


def keep_text(glimmer_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_button(texts.BUTTON_KEEP_TEXT, cb.make(cb.KEEP_TEXT, glimmer_id))]]
    )


def checkin(user_id: int, *, remind: bool = True) -> InlineKeyboardMarkup:
    rows = [
        [_button(texts.BUTTON_LOG, cb.make(cb.LOG))],
        [_button(texts.BUTTON_NOT_TODAY, cb.make(cb.NOT_TODAY, user_id))],
    ]
    if remind:
        rows.append([_button(texts.BUTTON_REMIND, cb.make(cb.REMIND, user_id))])
    return InlineKeyboardMarkup(rows)


def recap_nav(weeks_back: int) -> InlineKeyboardMarkup:
    row = []
    if weeks_back < cb.WEEKS_BACK_MOST:
        row.append(_button(texts.BUTTON_PREVIOUS_WEEK, cb.make(cb.RECAP_WEEK, weeks_back + 1)))
    if weeks_back > 0:
        row.append(_button(texts.BUTTON_NEXT_WEEK, cb.make(cb.RECAP_WEEK, weeks_back - 1)))
    return InlineKeyboardMarkup([row])


def history(
    glimmers: Sequence[Glimmer],
    *,
    page: int,
    pages: int,
    first_number: int,
    turn: str = cb.HISTORY_PAGE,
) -> InlineKeyboardMarkup:
    """A button for each numbered glimmer, then older and newer pages (`turn`: /history's
    page buttons or /search's)."""
    numbers = [
        _button(str(number), cb.make(cb.OPEN, g.id))
        for number, g in enumerate(glimmers, start=first_number)
    ]
    rows = _rows(numbers, 5)
    nav = []
    if page > 1:
        nav.append(_button(texts.BUTTON_PREVIOUS, cb.make(turn, page - 1)))
    if page < pages:
        nav.append(_button(texts.BUTTON_NEXT, cb.make(turn, page + 1)))
    if nav:
        rows.append(nav)
    return InlineKeyboardMarkup(rows)


def tags(shown: Sequence[tuple[str, int]]) -> InlineKeyboardMarkup:
    """A button for each of the most used tags, which shows its glimmers."""
    buttons = [
        _button(f"#{shorten(tag, 24)} · {count}", cb.make(cb.TAG, number))
        for number, (tag, count) in enumerate(shown[: cb.TAGS_SHOWN_MOST], start=1)
    ]
    return InlineKeyboardMarkup(_rows(buttons, 3))


def summary_spans(user_id: int) -> InlineKeyboardMarkup:
    buttons = [
        _button(label, cb.make(cb.SUMMARY, user_id, span))
        for span, label in texts.BUTTON_REPORT.items()
    ]
    return InlineKeyboardMarkup(_rows(buttons, 2))


def confirm_import(user_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                _button(texts.BUTTON_IMPORT_YES, cb.make(cb.IMPORT, user_id, "yes")),
                _button(texts.BUTTON_IMPORT_NO, cb.make(cb.IMPORT, user_id, "no")),
            ]
        ]
    )


def anchor(glimmer_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(texts.BUTTON_ANOTHER, cb.make(cb.ANCHOR, glimmer_id))]])


def confirm_forget(user_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [_button(texts.BUTTON_FORGET_YES, cb.make(cb.FORGET, user_id, "yes"))],
            [_button(texts.BUTTON_FORGET_NO, cb.make(cb.FORGET, user_id, "no"))],
        ]
    )


# -- /settings ---------------------------------------------------------------------------------


def _choose(user_id: int, text: str, choice: cb.Choice, value: int | None = None) -> Button:
    return _button(text, cb.setting(user_id, choice, value))


def _toggle(user_id: int, on: bool, labels: tuple[str, str], choice: cb.Choice) -> Button:
    return _choose(user_id, labels[0] if on else labels[1], choice)


def settings_menu(user: User) -> InlineKeyboardMarkup:
    u, c = user.id, cb.Choice
    return InlineKeyboardMarkup(
        [
            [_choose(u, texts.BUTTON_TIME, c.TIME), _choose(u, texts.BUTTON_ZONE, c.ZONE)],
            [_choose(u, texts.BUTTON_DAYS, c.DAYS), _choose(u, texts.BUTTON_PAUSE_MENU, c.PAUSE)],
            [
                _toggle(
                    u,
                    user.checkins_on,
                    (texts.BUTTON_CHECKINS_ON, texts.BUTTON_CHECKINS_OFF),
                    c.CHECKINS,
                ),
                _toggle(
                    u,
                    user.skip_if_logged,
                    (texts.BUTTON_SKIP_ON, texts.BUTTON_SKIP_OFF),
                    c.SKIP_IF_LOGGED,
                ),
            ],
            [
                _choose(u, texts.BUTTON_SAVOUR_MENU, c.SAVOUR),
                _toggle(
                    u, user.ask_ladder, (texts.BUTTON_LADDER_ON, texts.BUTTON_LADDER_OFF), c.LADDER
                ),
            ],
            [
                _choose(u, texts.BUTTON_RECAP_MENU, c.RECAP),
                _toggle(
                    u,
                    user.streaks_on,
                    (texts.BUTTON_STREAKS_ON, texts.BUTTON_STREAKS_OFF),
                    c.STREAKS,
                ),
            ],
            [
                _choose(u, texts.BUTTON_FLASHBACKS[user.flashbacks], c.FLASHBACKS),
                _choose(u, texts.BUTTON_LANGUAGE, c.LANGUAGE),
            ],
        ]
    )


def command_menu() -> list[BotCommand]:
    """Telegram's command menu, in the language being spoken."""
    return [BotCommand(name, about) for name, about in texts.COMMAND_MENU.items()]


def languages(user_id: int) -> list[list[InlineKeyboardButton]]:
    """A button for each language the bot speaks, named in that language."""
    choices = [
        _choose(user_id, LANGUAGES[code], cb.Choice.LANGUAGE_IS, index)
        for index, code in enumerate(cb.SPOKEN)
    ]
    return _rows(choices, 2)


def settings_submenu(user: User, choice: cb.Choice) -> InlineKeyboardMarkup | None:
    """The buttons under a settings question; None for a choice that opens no submenu."""
    u, c = user.id, cb.Choice
    if choice is c.TIME:
        times = [_choose(u, hhmm(m), c.CHECKIN_AT, m) for m in cb.SETTING_TIMES]
        rows = [
            *_rows(times, 3),
            [_choose(u, texts.BUTTON_SURPRISE, c.SURPRISE)],
            [_choose(u, texts.BUTTON_TYPE_TIME, c.TYPE_TIME)],
        ]
    elif choice is c.DAYS:
        days = [
            _choose(u, ("✅ " if user.checkin_days >> d & 1 else "▫️ ") + name, c.DAY, d)
            for d, name in enumerate(day_names())
        ]
        rows = [
            days[:4],
            days[4:],
            [
                _choose(u, texts.BUTTON_EVERY_DAY, c.ALL_DAYS),
                _choose(u, texts.BUTTON_WEEKDAYS, c.WEEKDAYS),
            ],
        ]
    elif choice is c.PAUSE:
        rows = [
            [
                _choose(u, texts.BUTTON_PAUSE_DAY, c.PAUSE_DAY),
                _choose(u, texts.BUTTON_PAUSE_WEEK, c.PAUSE_WEEK),
            ],
            [
                _choose(u, texts.BUTTON_PAUSE_OFF, c.PAUSE_OFF),
                _choose(u, texts.BUTTON_RESUME, c.RESUME),
            ],
        ]
    elif choice is c.SAVOUR:
        rows = [
            [
                _choose(u, texts.BUTTON_SECONDS.format(seconds=s), c.SAVOUR_FOR, s)
                for s in SAVOUR_CHOICES
            ]
        ]
    elif choice is c.RECAP:
        days = [_choose(u, name, c.RECAP_DAY, d) for d, name in enumerate(day_names())]
        onoff = (
            _choose(u, texts.BUTTON_RECAP_OFF, c.RECAP_OFF)
            if user.recap_on
            else _choose(u, texts.BUTTON_RECAP_ON, c.RECAP_ON)
        )
        times = [_choose(u, hhmm(m), c.RECAP_AT, m) for m in cb.RECAP_TIMES]
        rows = [days[:4], days[4:], times, [onoff]]
    elif choice is c.LANGUAGE:
        rows = languages(u)
    else:
        return None
    return InlineKeyboardMarkup([*rows, [_choose(u, texts.BUTTON_BACK, c.MENU)]])
