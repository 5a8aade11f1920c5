"""Small helpers the handler modules share."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from telegram import Bot, BotCommandScopeChat, CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import JobQueue

from bot.domain.limits import Allowance
from bot.domain.search import folded, matches
from bot.runtime import sending
from bot.runtime.services import LastEdits, Services
from bot.ui import callbacks as cb
from bot.ui import keyboards, render, texts
from bot.ui.language import ENGLISH, speak, speaking
from storage.glimmers import GlimmerRepository
from storage.models import Findable, Glimmer

log = logging.getLogger(__name__)


async def speak_to(svc: Services, user_id: int, reported: str | None = None) -> str:
    """Speak the person's language from here on, and return it: as stored; or, stored the
    first time, `reported` (the gate passes what Telegram reports, if the bot speaks it; a
    job has no update and passes nothing); else English."""
    language = await svc.users.language(user_id=user_id, reported=reported) or reported
    speak(language or ENGLISH)
    return language or ENGLISH


async def set_chat_menu(bot: Bot, chat_id: int, language: str) -> None:
    """Telegram's command menu for this chat alone, in `language` (Telegram otherwise shows
    the one for the person's app language); a failure costs only the menu."""
    with speaking(language):
        menu = keyboards.command_menu()
    try:
        await bot.set_my_commands(menu, scope=BotCommandScopeChat(chat_id))
    except TelegramError as exc:
        log.warning("could not set the command menu for a chat: %s", exc)


def message_text(message: Message) -> str:
    """The words of a message: its text, or a media caption."""
    return message.text or message.caption or ""


def text_after_command(message: Message) -> str:
    """What follows a leading /command, line breaks kept."""
    text = message_text(message)
    for entity in message.entities:
        if entity.type == "bot_command" and entity.offset == 0:
            return text[entity.length :].strip()
    return text


async def refuse_button(query: CallbackQuery, user_id: int, data: str | None) -> None:
    """Answer a button that is malformed, stale or not this person's, and note it in the log."""
    action = cb.parse(data)
    if action is None:
        log.warning("refused malformed callback data from user %s", user_id)
    else:
        log.warning(
            "refused %s on %s %s: not found for user %s",
            action.name,
            action.carries.value,
            action.number,
            user_id,
        )
    await query.answer(texts.BUTTON_EXPIRED, show_alert=False)


async def edit_quietly(
    query: CallbackQuery,
    text: str | None,
    markup: InlineKeyboardMarkup | None = None,
    *,
    last: LastEdits | None = None,
) -> None:
    """Replace a button message's text (and keyboard, dropped unless given), or with text None
    only its keyboard. A repeat press that changes nothing is harmless, and so is a press on a
    message that can no longer be edited (deleted, or not the bot's: only a modified app can
    send that)."""
    message = query.message
    key = (message.chat.id, message.message_id) if message is not None else None
    if last is not None and key is not None:
        if last.same(key, (text, markup)):
            return
        last.remember(key, (text, markup))
    try:
        if text is None:
            await query.edit_message_reply_markup(markup)
        elif message is None:
            await query.edit_message_text(text, reply_markup=markup)
        else:
            await sending.edit(query.get_bot(), message.chat.id, message.message_id, text, markup)
    except BadRequest as exc:
        reason = str(exc).lower()
        if "not modified" in reason:
            return
        if "can't be edited" in reason or "to edit not found" in reason:
            log.info("a pressed button's message could not be edited: %s", exc)
            return
        raise


# A person's timers, by name, so each can be replaced, and all cancelled by /forget.
def follow_up_job(user_id: int) -> str:
    """The savouring follow-up (handlers/glimmer.py)."""
    return f"savour:{user_id}"


def timeout_job(user_id: int) -> str:
    """A guided glimmer's timeout, re-armed after a restart (handlers/glimmer.py)."""
    return f"timeout:{user_id}"


def flood_job(user_id: int) -> str:
    """The "…and N more, all kept" line after a flood (handlers/quicklog.py)."""
    return f"flood:{user_id}"


PERSON_JOBS = (follow_up_job, timeout_job, flood_job)


def cancel_jobs(job_queue: JobQueue[Any] | None, *names: str) -> None:
    if job_queue is None:
        return
    for name in names:
        for job in job_queue.get_jobs_by_name(name):
            job.schedule_removal()


def ids(update: Update) -> tuple[int, int]:
    """(user id, chat id) of an update that has both; handlers only see such updates."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        raise ValueError("update without a user and a chat")
    return user.id, chat.id


async def pressed(update: Update) -> tuple[CallbackQuery, cb.Action] | None:
    """The pressed button's query and action, or None after refusing it kindly.

    A button carrying a user id (check-in, settings, /forget) must carry the presser's own;
    glimmer buttons are checked against the database by own_glimmer().
    """
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return None
    action = cb.parse(query.data)
    if action is None or (action.carries is cb.Carries.USER and action.user_id != user.id):
        await refuse_button(query, user.id, query.data)
        return None
    return query, action


async def own_glimmer(
    update: Update, glimmers: GlimmerRepository
) -> tuple[CallbackQuery, cb.Action, Glimmer] | None:
    """Like pressed(), for a button naming a glimmer that must belong to the presser."""
    found = await pressed(update)
    if found is None:
        return None
    query, action = found
    user_id = update.effective_user.id  # type: ignore[union-attr]
    glimmer = await glimmers.get(user_id=user_id, glimmer_id=action.glimmer_id)
    if glimmer is None:
        await refuse_button(query, user_id, query.data)
        return None
    return query, action, glimmer


def must_wait(allowance: Allowance, user_id: int, now: datetime) -> str:
    """Empty if this person may do it now (and it is counted); else how long to wait, in words."""
    if allowance.take(user_id, now):
        return ""
    return render.wait_phrase(allowance.wait(user_id, now))


def holds_words(words: tuple[str, ...]) -> Callable[[Findable], bool]:
    """Whether a glimmer holds every word (bot/domain/search.py): in its text, a typed body
    note, or the names of its sense and body cue (as their buttons say them, in the language
    being spoken); a "#word" among its tags."""
    senses = {key: folded(name) for key, name in texts.SENSE_LABELS.items()}
    body_cues = {key: folded(name) for key, name in texts.BODY_LABELS.items()}

    def holds(glimmer: Findable) -> bool:
        return matches(
            words,
            (
                folded(glimmer.text),
                senses.get(glimmer.sense or ""),
                body_cues.get(glimmer.body_cue or ""),
                folded(glimmer.body_note) if glimmer.body_note else None,
            ),
        )

    return holds
