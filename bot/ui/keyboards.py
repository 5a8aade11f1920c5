"""Inline keyboards. Button words come from bot/ui/texts.py; data from bot/ui/callbacks.py."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.glimmers import BODY_CUES, LADDER, LANDED_SCALE, SAVOUR_CHOICES, SENSES
from bot.ui import callbacks as cb
from bot.ui import texts
from bot.ui.render import shorten
from storage.models import Glimmer


def _button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data)


def _rows(buttons: Sequence[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def start_logging(first: bool) -> InlineKeyboardMarkup:
    label = texts.BUTTON_LOG_FIRST if first else texts.BUTTON_LOG
    return InlineKeyboardMarkup([[_button(label, cb.LOG)]])


def first_steps(user_id: int) -> InlineKeyboardMarkup:
    """The welcome's last message: log a first glimmer, or set the check-in time and zone."""
    return InlineKeyboardMarkup(
        [
            [_button(texts.BUTTON_LOG_FIRST, cb.LOG)],
            [
                _button(texts.BUTTON_TIME, cb.make(cb.SETTINGS, user_id, "time")),
                _button(texts.BUTTON_ZONE, cb.make(cb.SETTINGS, user_id, "zone")),
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
        [_button(texts.BUTTON_LOG, cb.LOG)],
        [_button(texts.BUTTON_NOT_TODAY, cb.make(cb.NOT_TODAY, user_id))],
    ]
    if remind:
        rows.append([_button(texts.BUTTON_REMIND, cb.make(cb.REMIND, user_id))])
    return InlineKeyboardMarkup(rows)


def recap_nav(weeks_back: int) -> InlineKeyboardMarkup:
    row = [_button(texts.BUTTON_PREVIOUS_WEEK, cb.make(cb.RECAP_WEEK, weeks_back + 2))]
    if weeks_back > 0:
        row.append(_button(texts.BUTTON_NEXT_WEEK, cb.make(cb.RECAP_WEEK, weeks_back)))
    return InlineKeyboardMarkup([row])


def history(
    glimmers: Sequence[Glimmer], *, page: int, pages: int, first_number: int
) -> InlineKeyboardMarkup:
    numbers = [
        _button(str(number), cb.make(cb.OPEN, g.id))
        for number, g in enumerate(glimmers, start=first_number)
    ]
    rows = _rows(numbers, 5)
    nav = []
    if page > 1:
        nav.append(_button(texts.BUTTON_PREVIOUS, cb.make(cb.HISTORY_PAGE, page - 1)))
    if page < pages:
        nav.append(_button(texts.BUTTON_NEXT, cb.make(cb.HISTORY_PAGE, page + 1)))
    if nav:
        rows.append(nav)
    return InlineKeyboardMarkup(rows)


def anchor(glimmer_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(texts.BUTTON_ANOTHER, cb.make(cb.ANCHOR, glimmer_id))]])


def confirm_forget(user_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [_button(texts.BUTTON_FORGET_YES, cb.make(cb.FORGET, user_id, "yes"))],
            [_button(texts.BUTTON_FORGET_NO, cb.make(cb.FORGET, user_id, "no"))],
        ]
    )
