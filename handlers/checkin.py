"""Daily check-ins: one repeating job a minute finds who is due, claims them, and sends.

Claim first, send after: a check-in is sent at most once per person per local day, even
when ticks overlap or the bot restarts inside the due minute.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from functools import partial
from typing import Any

from telegram import Update
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import Application, CallbackQueryHandler

from bot.domain.checkins import decide, next_recap
from bot.domain.flashback import When
from bot.runtime.ratelimit import Lane
from bot.runtime.services import Ctx, Services, services_of
from bot.ui import callbacks as cb
from bot.ui import keyboards, texts
from handlers.common import edit_quietly, pressed, speak_to
from handlers.flows import reschedule, send_flashback, send_recap
from storage.models import User

log = logging.getLogger(__name__)

TICK_SECONDS = 60
SEND_ATTEMPTS = 4
SEND_WORKERS = 64


async def run_tick(application: Application[Any, Any, Any, Any, Any, Any]) -> int:
    """Send every due check-in and reminder; returns how many messages went out."""
    svc = services_of(application)
    now = svc.clock.now()
    grace = timedelta(minutes=svc.settings.checkin_grace_minutes)
    due = await svc.schedule.due(now=now)
    decisions = [
        decide(
            user,
            last_glimmer_at=last,
            default_zone=svc.settings.default_timezone,
            now=now,
            grace=grace,
            rng=svc.rng,
        )
        for user, last in due
    ]
    # Those whose glimmers come back with each check-in: what the send needs to know of them.
    daily = {user.id: user for user, _ in due if user.flashbacks == When.CHECKIN.value}
    claimed = await svc.schedule.claim([d.move for d in decisions])
    checkins = [d.move.user_id for d in decisions if d.send and d.move.user_id in claimed]
    reminders = await svc.schedule.claim_reminders(now=now)
    sends: list[Callable[[], Awaitable[bool]]] = [
        partial(_send, application, svc, user_id, reminder=False, comes_back=daily.get(user_id))
        for user_id in checkins
    ]
    sends += [partial(_send, application, svc, user_id, reminder=True) for user_id in reminders]
    recaps = []
    for user in await svc.schedule.due_recaps(now=now):
        assert user.next_recap_at is not None
        following = next_recap(user, default_zone=svc.settings.default_timezone, now=now)
        late = now - user.next_recap_at > grace
        if (
            following
            and await svc.schedule.claim_recap(
                user_id=user.id, was_due=user.next_recap_at, next_at=following
            )
            and not late
        ):
            recaps.append(user)
    sends += [partial(_send_recap, application, svc, user) for user in recaps]
    results = await _run_all(sends)
    if decisions or reminders:
        log.info(
            "check-in tick: %d due, %d sent, %d reminders",
            len(decisions),
            sum(results[: len(checkins)]),
            len(reminders),
        )
    return sum(results)


async def _run_all(jobs: Sequence[Callable[[], Awaitable[bool]]]) -> list[bool]:
    """Run the sends with a fixed number of workers, not one task each: 10,000 tasks at once
    cost over 100 MB, while the rate limiter lets only 30 a second through anyway."""
    results = [False] * len(jobs)
    queue = iter(enumerate(jobs))

    async def worker() -> None:
        for index, job in queue:
            try:
                results[index] = await job()
            except Exception:
                # One person's unexpected failure must never stop everyone else's check-in.
                log.exception("check-in send %d failed unexpectedly", index)

    await asyncio.gather(*(worker() for _ in range(min(SEND_WORKERS, len(jobs)))))
    return results


async def _send(
    application: Application[Any, Any, Any, Any, Any, Any],
    svc: Services,
    user_id: int,
    *,
    reminder: bool,
    comes_back: User | None = None,
) -> bool:
    """One check-in to one person (a private chat: the chat id is the user id), then the
    day's glimmer that comes back, for those who asked for one with each check-in."""
    if not svc.settings.may_use(user_id):
        return False  # taken off ALLOWED_USER_IDS since: no more check-ins
    await speak_to(svc, user_id)
    text = texts.CHECKIN_REMINDER if reminder else svc.rng.choice(texts.CHECKIN_PROMPTS)
    markup = keyboards.checkin(user_id, remind=not reminder)
    for attempt in range(SEND_ATTEMPTS):
        try:
            message = await application.bot.send_message(
                chat_id=user_id, text=text, reply_markup=markup, rate_limit_args=Lane.BULK
            )
        except (Forbidden, BadRequest) as exc:
            # Blocked, or the chat is gone: stop until they write to the bot again.
            log.info("check-in to user %s refused (%s); pausing their check-ins", user_id, exc)
            await svc.users.mark_inactive(user_id=user_id)
            await svc.checkins.record_failure(blocked=True, now=svc.clock.now())
            return False
        except TelegramError as exc:
            # RetryAfter has already been waited out by the rate limiter by now.
            log.warning("check-in to user %s failed, attempt %d: %s", user_id, attempt + 1, exc)
            await asyncio.sleep(2**attempt)
        else:
            await svc.checkins.record_sent(
                user_id=user_id, chat_id=user_id, message_id=message.message_id, now=svc.clock.now()
            )
            if comes_back is not None:
                await _send_flashback(application, svc, comes_back)
            return True
    log.warning("gave up on a check-in to user %s", user_id)
    await svc.checkins.record_failure(blocked=False, now=svc.clock.now())
    return False


async def _send_recap(
    application: Application[Any, Any, Any, Any, Any, Any], svc: Services, user: User
) -> bool:
    user_id = user.id
    if not svc.settings.may_use(user_id):
        return False
    await speak_to(svc, user_id)
    try:
        await send_recap(application.bot, svc, user_id, user_id, 0, lane=Lane.BULK)
    except (Forbidden, BadRequest) as exc:
        log.info("weekly recap to user %s refused (%s); pausing", user_id, exc)
        await svc.users.mark_inactive(user_id=user_id)
        return False
    except TelegramError as exc:
        log.warning("weekly recap to user %s failed: %s", user_id, exc)
        return False
    if user.flashbacks == When.WEEKLY.value:  # "daily" has had it with today's check-in
        await _send_flashback(application, svc, user)
    return True


async def _send_flashback(
    application: Application[Any, Any, Any, Any, Any, Any], svc: Services, user: User
) -> None:
    """After the check-in or recap it comes with; a failure costs only the flashback."""
    try:
        await send_flashback(application.bot, svc, user)
    except TelegramError as exc:
        log.warning("a glimmer coming back to user %s was not sent: %s", user.id, exc)


async def tick(context: Ctx) -> None:
    await run_tick(context.application)


async def not_today(update: Update, context: Ctx) -> None:
    found = await pressed(update)
    if found is None:
        return
    query, _ = found
    await query.answer()
    await edit_quietly(query, texts.CHECKIN_NOT_TODAY, last=context.svc.edits)


async def remind_later(update: Update, context: Ctx) -> None:
    found = await pressed(update)
    if found is None:
        return
    query, action = found
    svc = context.svc
    await svc.schedule.set_reminder(user_id=action.user_id, at=svc.clock.now() + timedelta(hours=1))
    await query.answer(texts.CHECKIN_REMIND_SET)
    markup = keyboards.checkin(action.user_id, remind=False)
    await edit_quietly(query, None, markup, last=svc.edits)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(CallbackQueryHandler(not_today, pattern=cb.pattern(cb.NOT_TODAY)))
    app.add_handler(CallbackQueryHandler(remind_later, pattern=cb.pattern(cb.REMIND)))


async def schedule_missing(app: Application[Any, Any, Any, Any, Any, Any]) -> int:
    """At start-up: give everyone who should have a next check-in or recap one."""
    svc = services_of(app)
    missing = await svc.schedule.unscheduled()
    for user_id in missing:
        await reschedule(svc, user_id)
    return len(missing)


def start_ticking(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    job_queue = app.job_queue
    assert job_queue is not None
    now = services_of(app).clock.now()
    job_queue.run_repeating(
        tick,
        interval=TICK_SECONDS,
        first=TICK_SECONDS - now.second - now.microsecond / 1e6 + 1,
        name="checkin-tick",
        # APScheduler drops a run that starts over a second late by default; a busy loop
        # must never skip a minute, and two runs must never overlap.
        job_kwargs={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
    )
