"""The flows several handlers share: keeping a text as glimmers, working out a person's next
check-in, sending a week's recap, and forgetting a person. Handlers call these; no handler
imports another."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from datetime import datetime, time, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from telegram import BotCommandScopeChat, InputFile, Message, Update
from telegram.error import TelegramError
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    ConversationHandler,
    ExtBot,
    JobQueue,
)

from bot.domain import flashback
from bot.domain.checkins import first_checkin, next_recap
from bot.domain.glimmers import split_glimmers
from bot.domain.limits import GLIMMERS_PER_DAY, LINES_PER_MESSAGE
from bot.domain.recap import build_recap, week_window
from bot.runtime import sending
from bot.runtime.ratelimit import Lane
from bot.runtime.services import Ctx, Services
from bot.ui import callbacks as cb
from bot.ui import keyboards, render, texts
from bot.ui.charts import chart_caption_facts, spoken_recap_chart
from bot.ui.language import current, in_language
from handlers.common import (
    PERSON_JOBS,
    cancel_jobs,
    edit_quietly,
    flood_job,
    ids,
    pressed,
    speak_to,
)
from storage.models import User

log = logging.getLogger(__name__)

FORGET_BUTTON_LIFETIME = timedelta(minutes=15)
CHECKPOINT_RETRY_SECONDS = 30


# -- keeping what a person wrote ---------------------------------------------------------------


async def keep_text(update: Update, context: Ctx, message: Message, text: str) -> None:
    """Save every line of `text` as a glimmer, then confirm. Saving always comes first."""
    user_id, chat_id = ids(update)
    lines = split_glimmers(text)
    if not lines:
        await message.reply_html(texts.NO_CONTENT)
        return
    svc = context.svc
    now = svc.clock.now()
    lines, note = _within_limits(svc, user_id, (chat_id, message.message_id), now, lines)
    if not lines:
        # Nothing kept: said once in a while, never counted among "all kept" in a flood.
        if svc.replies.allow(user_id, now, kept=False):
            await message.reply_html(note)
        return
    try:
        await svc.users.ensure(user_id=user_id, now=now)
        checkin = False
        replied = message.reply_to_message
        if replied and replied.from_user and replied.from_user.id == context.bot.id:
            checkin = await svc.checkins.mark_answered(
                user_id=user_id, chat_id=chat_id, message_id=replied.message_id, now=now
            )
        saved = await svc.glimmers.add_lines(
            user_id=user_id,
            chat_id=chat_id,
            message_id=message.message_id,
            lines=lines,
            now=now,
        )
    except sqlite3.Error as exc:
        # A full or failing disk is trouble, not a bug: one line, no traceback.
        log.warning("could not save a quick glimmer for user %s: %s", user_id, exc)
        await message.reply_html(texts.SAVE_FAILED)
        return
    if not saved:
        log.warning("message %s in chat %s belongs to another user", message.message_id, chat_id)
        return
    if not svc.replies.allow(user_id, now):
        # A flood: everything is saved; one line after they pause says how much. Lines not
        # kept are still said at once: "all kept" must stay true.
        _summarise_later(context, user_id, chat_id)
        if note:
            await message.reply_html(note)
        return
    await sending.send(
        context.bot, chat_id, render.saved(saved, checkin=checkin), keyboards.quick_saved(saved)
    )
    if note:
        await message.reply_html(note)


def _within_limits(
    svc: Services, user_id: int, message: tuple[int, int], now: datetime, lines: list[str]
) -> tuple[list[str], str]:
    """The lines this message may keep, and what to say about any it can't."""
    granted = svc.limits.glimmers_for(user_id, message, min(len(lines), LINES_PER_MESSAGE), now)
    if granted == 0:
        wait = render.wait_phrase(svc.limits.glimmers.wait(user_id, now))
        return [], texts.DAY_FULL.format(limit=GLIMMERS_PER_DAY, wait=wait)
    note = cut_note(svc, user_id, now, kept=granted) if granted < len(lines) else ""
    return lines[:granted], note


def cut_note(svc: Services, user_id: int, now: datetime, *, kept: int) -> str:
    """What to say when only the first `kept` lines of a message (or an edit) were kept:
    one message's most, or what the day had left."""
    if kept == LINES_PER_MESSAGE:
        return texts.TOO_MANY_LINES.format(kept=kept)
    wait = render.wait_phrase(svc.limits.glimmers.wait(user_id, now))
    return texts.DAY_FULL_PART.format(limit=GLIMMERS_PER_DAY, kept=kept, wait=wait)


def _summarise_later(context: Ctx, user_id: int, chat_id: int) -> None:
    job_queue: JobQueue[Any] | None = context.job_queue
    if job_queue is None:
        return
    name = flood_job(user_id)
    cancel_jobs(job_queue, name)
    job_queue.run_once(
        _flood_summary,
        when=context.svc.timing.flood_quiet.total_seconds(),
        name=name,
        chat_id=chat_id,
        user_id=user_id,
    )


async def _flood_summary(context: Ctx) -> None:
    job = context.job
    assert job is not None and job.user_id is not None and job.chat_id is not None
    count = context.svc.replies.take_held_back(job.user_id)
    if count:
        await speak_to(context.svc, job.user_id)
        await context.bot.send_message(
            chat_id=job.chat_id, text=texts.FLOOD_SUMMARY.format(count=count)
        )


# -- the next check-in -------------------------------------------------------------------------


async def reschedule(svc: Services, user_id: int) -> None:
    """Work out a person's next check-in from their stored plan (after any settings change)."""
    user = await svc.users.get(user_id=user_id)
    if user is None:
        return
    zone, now = svc.settings.default_timezone, svc.clock.now()
    await svc.schedule.set_next(
        user_id=user_id,
        next_at=first_checkin(user, default_zone=zone, now=now, rng=svc.rng),
        next_recap_at=next_recap(user, default_zone=zone, now=now),
    )


# -- a week's recap ----------------------------------------------------------------------------


def zone_of(svc: Services, user: User | None) -> ZoneInfo:
    return ZoneInfo((user.timezone if user else None) or svc.settings.default_timezone)


async def zone_of_user(svc: Services, user_id: int) -> ZoneInfo:
    return zone_of(svc, await svc.users.get(user_id=user_id))


async def send_flashback(bot: ExtBot[Any], svc: Services, user: User) -> bool:
    """Today's glimmer that comes back, if the person has one (bot/domain/flashback.py), as
    its own message after a check-in or the weekly recap. Whether it was sent."""
    zone = zone_of(svc, user)
    today = svc.clock.now().astimezone(zone).date()
    candidates = await svc.glimmers.remembered(
        user_id=user.id, spans=flashback.windows(today, zone)
    )
    chosen = flashback.pick(candidates, user_id=user.id, today=today, zone=zone)
    if chosen is None:
        return False
    await bot.send_message(
        chat_id=user.id, text=render.flashback(chosen), rate_limit_args=Lane.BULK
    )
    return True


async def send_recap(
    bot: ExtBot[Any],
    svc: Services,
    user_id: int,
    chat_id: int,
    weeks_back: int,
    *,
    lane: Lane | None = None,
) -> None:
    """The week's chart and words; ``lane`` marks the scheduled Sunday sends as bulk."""
    user = await svc.users.get(user_id=user_id)
    zone = zone_of(svc, user)
    user_streaks = user.streaks_on if user else True
    today = svc.clock.now().astimezone(zone).date()
    start, end = week_window(today, weeks_back)
    # Glimmers from a week earlier too, so a streak can be counted back past the window.
    since = datetime.combine(start - timedelta(days=7), time(), zone)
    until = datetime.combine(end + timedelta(days=1), time(), zone)
    glimmers = await svc.glimmers.briefs_between(user_id=user_id, start=since, end=until)
    recap = build_recap(glimmers, zone, start)
    facts = chart_caption_facts(recap)
    # Drawing is CPU work: another process keeps everyone else's replies flowing meanwhile.
    png = await asyncio.get_running_loop().run_in_executor(
        svc.worker_pool(), partial(in_language, current(), spoken_recap_chart, recap)
    )
    caption = render.recap_caption(
        recap,
        facts.get("busiest_day"),  # type: ignore[arg-type]
        facts.get("top_sense"),  # type: ignore[arg-type]
        earlier=weeks_back > 0,
    )
    await bot.send_photo(
        chat_id=chat_id,
        photo=InputFile(png, filename="recap.png"),
        caption=caption,
        rate_limit_args=lane,
    )
    await bot.send_message(
        chat_id=chat_id,
        text=render.recap_text(recap, streaks=user_streaks, earlier=weeks_back > 0),
        reply_markup=keyboards.recap_nav(weeks_back),
        rate_limit_args=lane,
    )


# -- forgetting a person -----------------------------------------------------------------------


async def forget_pressed(update: Update, context: Ctx) -> int:
    """Yes or No to /forget. Also a fallback of both conversations, so one in progress ends
    (returning END) instead of carrying on with a person who no longer exists."""
    found = await pressed(update)
    if found is None:
        return ConversationHandler.END
    query, action = found
    asked_at = query.message.date if query.message is not None else None
    if asked_at is not None and context.svc.clock.now() - asked_at > FORGET_BUTTON_LIFETIME:
        # A forgotten old prompt: its count is stale, and "yes" weeks later is not consent.
        await query.answer(texts.BUTTON_EXPIRED)
        await edit_quietly(query, texts.FORGET_EXPIRED, last=context.svc.edits)
        return ConversationHandler.END
    await query.answer()
    if action.arg != "yes":
        await edit_quietly(query, texts.FORGET_KEPT, last=context.svc.edits)
        return ConversationHandler.END
    user_id, chat_id = action.user_id, ids(update)[1]
    cancel_jobs(context.job_queue, *(job(user_id) for job in PERSON_JOBS))
    clean = await context.svc.users.forget(user_id=user_id)
    job_queue: JobQueue[Any] | None = context.job_queue
    if not clean and job_queue is not None:
        job_queue.run_once(_checkpoint_again, when=CHECKPOINT_RETRY_SECONDS)
    try:  # the command menu /language set for this chat, if any
        await context.bot.delete_my_commands(scope=BotCommandScopeChat(chat_id))
    except TelegramError as exc:
        log.warning("could not remove a chat's command menu: %s", exc)
    await edit_quietly(query, texts.FORGET_DONE)
    # Last, so nothing of theirs is remembered again: what this process holds in memory.
    context.svc.forget(user_id=user_id, chat_id=chat_id)
    return ConversationHandler.END


async def _checkpoint_again(context: Ctx) -> None:
    """A reader held up the checkpoint after /forget: try until the log is empty."""
    job_queue: JobQueue[Any] | None = context.job_queue
    if not await context.svc.db.checkpoint() and job_queue is not None:
        job_queue.run_once(_checkpoint_again, when=CHECKPOINT_RETRY_SECONDS)


def forget_button() -> BaseHandler[Update, Any, Any]:
    return CallbackQueryHandler(forget_pressed, pattern=cb.pattern(cb.FORGET))
