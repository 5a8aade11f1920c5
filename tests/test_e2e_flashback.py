"""Glimmers that come back: which one, when, and the setting, end to end on a set clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.clock import FixedClock
from bot.domain.flashback import Kind, pick, windows
from bot.ui import texts
from handlers.checkin import run_tick
from sandbox.botapi import FakeTelegram, FakeUser
from storage.models import Remembered
from tests.conftest import NOON, BotRunner

LONDON = ZoneInfo("Europe/London")
TODAY = date(2026, 11, 29)


def kept(n: int, day: date, *, starred: bool = False, hour: int = 12) -> Remembered:
    return Remembered(n, datetime(day.year, day.month, day.day, hour, tzinfo=UTC), f"g{n}", starred)


def test_a_year_ago_today_comes_first_then_a_month_ago_or_a_star() -> None:
    year_ago = kept(1, date(2025, 11, 29))
    month_ago = kept(2, date(2026, 10, 30))
    starred = kept(3, date(2026, 6, 1), starred=True)
    too_new_star = kept(4, date(2026, 11, 26), starred=True)
    plain_old = kept(5, date(2026, 6, 2))
    every = [plain_old, too_new_star, starred, month_ago, year_ago]
    chosen = pick(every, user_id=7, today=TODAY, zone=LONDON)
    assert chosen is not None and chosen.glimmer == year_ago
    assert (chosen.kind, chosen.years) == (Kind.YEARS_AGO, 1)
    picks = {
        pick(every[:4], user_id=user, today=TODAY, zone=LONDON).glimmer.id  # type: ignore[union-attr]
        for user in range(40)
    }
    assert picks == {2, 3}  # a month ago or the star; never the too-new star or a plain day
    assert pick([plain_old, too_new_star], user_id=7, today=TODAY, zone=LONDON) is None


def test_the_pick_stays_the_same_all_day_and_changes_between_days() -> None:
    many = [kept(n, date(2026, 10, 28) + timedelta(days=n % 5)) for n in range(30)]
    same_day = {
        pick(list(reversed(many)) if n % 2 else many, user_id=9, today=TODAY, zone=LONDON)
        for n in range(6)
    }
    assert len(same_day) == 1
    days = {
        pick(many, user_id=9, today=TODAY + timedelta(days=d), zone=LONDON).glimmer.id  # type: ignore[union-attr]
        for d in range(3)
    }
    assert len(days) > 1


def test_late_evening_utc_is_judged_by_the_local_day() -> None:
    # 23:30 UTC on 28 November is already the 29th in Tokyo: a year ago "today" there.
    tokyo = ZoneInfo("Asia/Tokyo")
    late = kept(1, date(2025, 11, 28), hour=23)
    assert pick([late], user_id=1, today=TODAY, zone=tokyo) is not None
    assert pick([late], user_id=1, today=TODAY, zone=LONDON) is None
    spans = windows(TODAY, tokyo)
    assert any(start <= late.created_at < end for start, end in spans)


def test_29_february_is_skipped_in_years_without_one() -> None:
    spans = windows(date(2028, 2, 29), LONDON)
    assert len(spans) == 2 + 1  # 2024 and 2020 in ten years back, and the month ago


def clock_of(runner: BotRunner) -> FixedClock:
    assert isinstance(runner.clock, FixedClock)
    return runner.clock


async def keep_at(runner: BotRunner, person: FakeUser, moment: datetime, text: str) -> None:
    clock_of(runner).set(moment)
    await person.send(text)
    await person.reply()


async def test_with_the_weekly_recap_comes_a_glimmer_from_a_year_ago_today(
    fake: FakeTelegram, clocked: BotRunner
) -> None:
    ned = fake.user(801)
    await ned.send("/start")
    await ned.replies(3)
    await keep_at(clocked, ned, datetime(2025, 11, 29, 9, 0, tzinfo=UTC), "a conker in my pocket")
    await keep_at(clocked, ned, NOON, "the first frost on the grass")
    clock_of(clocked).set(datetime(2026, 11, 29, 18, 0, 10, tzinfo=UTC))  # Sunday's recap
    assert await run_tick(clocked.app) == 1  # type: ignore[arg-type]
    photo, words, back = await ned.replies(3, timeout=20)
    assert photo.photo is not None and "You noticed" in words.text
    assert back.text.startswith("🌿 A year ago today you kept this:")
    assert "“a conker in my pocket”" in back.text
    assert "Stay with it for about 20 seconds." in back.text
    assert fake.rejections == []


async def test_daily_brings_one_with_each_check_in_and_off_brings_none(
    fake: FakeTelegram, clocked: BotRunner
) -> None:
    ola = fake.user(802)
    await ola.send("/start")
    await ola.replies(3)
    await keep_at(clocked, ola, datetime(2026, 10, 26, 12, 0, tzinfo=UTC), "warm bread smell")
    clock_of(clocked).set(NOON)
    await ola.send("/settings")
    menu = await ola.reply()
    assert "Glimmers that come back: with the weekly recap" in menu.text
    await ola.press(menu, texts.BUTTON_FLASHBACKS["weekly"])
    menu = await ola.wait_edit(menu.message_id)
    assert "Glimmers that come back: with each check-in" in menu.text

    clock_of(clocked).set(datetime(2026, 11, 25, 20, 0, 10, tzinfo=UTC))  # Wednesday's check-in
    assert await run_tick(clocked.app) == 1  # type: ignore[arg-type]
    checkin, back = await ola.replies(2)
    assert checkin.text in texts.CHECKIN_PROMPTS
    assert back.text.startswith("🌿 About a month ago (Mon 26 Oct) you kept this:")
    assert "warm bread smell" in back.text

    await ola.press(menu, texts.BUTTON_FLASHBACKS["checkin"])
    menu = await ola.wait_edit(menu.message_id)
    assert "Glimmers that come back: off" in menu.text
    clock_of(clocked).set(datetime(2026, 11, 26, 20, 0, 10, tzinfo=UTC))
    assert await run_tick(clocked.app) == 1  # type: ignore[arg-type]
    await ola.reply()
    await ola.no_reply()
