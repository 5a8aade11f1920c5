"""Daily check-in rules: a person's stored plan, and what to do when their moment comes.

Pure apart from the schedule maths: the tick in handlers/checkin.py does the I/O.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.schedule import CheckinPlan, local_date, next_due
from storage.models import Move, User

# Check-in days are a bit mask, Monday the lowest bit.
ALL_DAYS_MASK = 0b1111111
WEEKDAYS_MASK = 0b0011111
SURPRISE_WINDOW = (600, 1140)  # "surprise me": a moment between 10:00 and 19:00


def minute_to_time(minute: int) -> time:
    minute = min(max(minute, 0), 24 * 60 - 1)
    return time(minute // 60, minute % 60)


def hhmm(minute: int) -> str:
    """A time of day in minutes after midnight, as "20:30"."""
    return minute_to_time(minute).strftime("%H:%M")


def plan_of(user: User, default_zone: str) -> CheckinPlan:
    window = None
    if user.window_start is not None and user.window_end is not None:
        window = (minute_to_time(user.window_start), minute_to_time(user.window_end))
    return CheckinPlan(
        zone=user.timezone or default_zone,
        at=minute_to_time(user.checkin_minute),
        days=frozenset(day for day in range(7) if user.checkin_days >> day & 1),
        window=window,
        paused_until=user.paused_until,
    )


def first_checkin(
    user: User, *, default_zone: str, now: datetime, rng: random.Random
) -> datetime | None:
    """When a person's next check-in falls, or None while check-ins are off."""
    if not user.checkins_on or not user.active:
        return None
    return next_due(
        plan_of(user, default_zone), now, rng=rng, last_sent_local_date=user.last_checkin_date
    )


def recap_plan(user: User, default_zone: str) -> CheckinPlan:
    return CheckinPlan(
        zone=user.timezone or default_zone,
        at=minute_to_time(user.recap_minute),
        days=frozenset({user.recap_day}),
    )


def next_recap(user: User, *, default_zone: str, now: datetime) -> datetime | None:
    """When the weekly recap next arrives by itself, or None when it is turned off."""
    if not user.recap_on or not user.active:
        return None
    return next_due(recap_plan(user, default_zone), now)


@dataclass(frozen=True, slots=True)
class Decision:
    move: Move
    send: bool


def decide(
    user: User,
    *,
    last_glimmer_at: datetime | None,
    default_zone: str,
    now: datetime,
    grace: timedelta,
    rng: random.Random,
) -> Decision:
    """For someone whose check-in is due: send it or not, and when the next one falls.

    Sent at most once per local day; skipped (never scolded) when it is later than the grace
    window, or when they already logged a glimmer that day and asked not to be asked again.
    """
    assert user.next_checkin_at is not None
    plan = plan_of(user, default_zone)
    zone = ZoneInfo(plan.zone)
    day = local_date(user.next_checkin_at, zone)
    late = now - user.next_checkin_at > grace
    logged_today = (
        user.skip_if_logged
        and last_glimmer_at is not None
        and local_date(last_glimmer_at, zone) == day
    )
    next_at = next_due(plan, now, rng=rng, last_sent_local_date=day)
    return Decision(
        move=Move(user_id=user.id, was_due=user.next_checkin_at, next_at=next_at, day=day),
        send=not late and not logged_today,
    )
