"""End to end: daily check-ins arrive once, on time, late within the grace window, or not."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from bot.domain.clock import FixedClock
from bot.ui import texts
from handlers.checkin import run_tick
from sandbox.botapi import FakeTelegram, FakeUser
from tests.conftest import NOON, BotRunner


def clock_of(runner: BotRunner) -> FixedClock:
    assert isinstance(runner.clock, FixedClock)
    return runner.clock


async def tick(runner: BotRunner) -> int:
    assert runner.app is not None
    return await run_tick(runner.app)


async def meet(fake: FakeTelegram, user_id: int) -> FakeUser:
    person = fake.user(user_id)
    await person.send("/start")
    await person.replies(3)
    return person


async def next_at(runner: BotRunner, user_id: int) -> datetime | None:
    user = await runner.services.users.get(user_id=user_id)
    assert user is not None
    return user.next_checkin_at


async def test_a_new_person_gets_one_check_in_at_eight_local(
    fake: FakeTelegram, clocked: BotRunner
) -> None:
    ann = await meet(fake, 501)
    assert await next_at(clocked, 501) == datetime(2026, 11, 25, 20, 0, tzinfo=UTC)
    clock_of(clocked).set(datetime(2026, 11, 25, 19, 59, tzinfo=UTC))
    assert await tick(clocked) == 0
    clock_of(clocked).set(datetime(2026, 11, 25, 20, 0, 20, tzinfo=UTC))
    assert await tick(clocked) == 1
    checkin = await ann.reply()
    assert checkin.text in texts.CHECKIN_PROMPTS
    assert checkin.button_texts() == [texts.BUTTON_LOG, texts.BUTTON_NOT_TODAY, texts.BUTTON_REMIND]
    assert await tick(clocked) == 0
    await clocked.restart()  # a restart inside the due minute still sends only once
    assert await tick(clocked) == 0
    await ann.no_reply()
    assert await next_at(clocked, 501) == datetime(2026, 11, 26, 20, 0, tzinfo=UTC)
    await ann.send("the radiator ticking warm", reply_to=checkin.message_id)
    assert (await ann.reply()).text.startswith("Thank you for sharing")


async def test_down_for_an_hour_sends_late_and_down_five_hours_skips(
    fake: FakeTelegram, clocked: BotRunner
) -> None:
    ben, cat = await meet(fake, 502), await meet(fake, 503)
    clock_of(clocked).set(datetime(2026, 11, 25, 21, 0, tzinfo=UTC))
    assert await tick(clocked) == 2  # an hour late: within the two-hour grace window
    await ben.reply()
    await cat.reply()
    clock_of(clocked).set(datetime(2026, 11, 27, 1, 0, tzinfo=UTC))  # five hours after 20:00
    assert await tick(clocked) == 0
    await ben.no_reply()
    assert await next_at(clocked, 502) == datetime(2026, 11, 27, 20, 0, tzinfo=UTC)


async def test_a_person_who_blocked_the_bot_is_not_messaged_again(
    fake: FakeTelegram, clocked: BotRunner
) -> None:
    dee = await meet(fake, 504)
    fake.block(504)
    clock_of(clocked).set(datetime(2026, 11, 25, 20, 1, tzinfo=UTC))
    assert await tick(clocked) == 0
    user = await clocked.services.users.get(user_id=504)
    assert user is not None and not user.active and user.next_checkin_at is None
    fake.unblock(504)
    await dee.send("I'm back: the smell of toast")
    await dee.reply()
    assert await next_at(clocked, 504) == datetime(2026, 11, 26, 20, 0, tzinfo=UTC)


async def test_no_check_in_on_a_day_already_logged(fake: FakeTelegram, clocked: BotRunner) -> None:
    eve = await meet(fake, 505)
    await eve.send("sun on the back of my neck")
    await eve.reply()
    clock_of(clocked).set(datetime(2026, 11, 25, 20, 0, 30, tzinfo=UTC))
    assert await tick(clocked) == 0
    await eve.no_reply()
    assert await next_at(clocked, 505) == datetime(2026, 11, 26, 20, 0, tzinfo=UTC)


async def test_not_today_and_remind_me_in_an_hour(fake: FakeTelegram, clocked: BotRunner) -> None:
    fay = await meet(fake, 506)
    clock_of(clocked).set(datetime(2026, 11, 25, 20, 0, tzinfo=UTC))
    await tick(clocked)
    checkin = await fay.reply()
    await fay.press(checkin, texts.BUTTON_REMIND)
    edited = await fay.wait_edit(checkin.message_id)
    assert texts.BUTTON_REMIND not in edited.button_texts()
    clock_of(clocked).set(datetime(2026, 11, 25, 20, 30, tzinfo=UTC))
    assert await tick(clocked) == 0
    clock_of(clocked).set(datetime(2026, 11, 25, 21, 0, 5, tzinfo=UTC))
    assert await tick(clocked) == 1
    reminder = await fay.reply()
    assert reminder.text == texts.CHECKIN_REMINDER
    await fay.press(reminder, texts.BUTTON_NOT_TODAY)
    assert (await fay.wait_edit(reminder.message_id)).text == texts.CHECKIN_NOT_TODAY


async def test_a_429_is_waited_out(fake: FakeTelegram, clocked: BotRunner) -> None:
    gus = await meet(fake, 507)
    fake.fail_next("sendMessage", error_code=429, retry_after=1)
    clock_of(clocked).set(datetime(2026, 11, 25, 20, 0, tzinfo=UTC))
    assert await tick(clocked) == 1
    assert (await gus.reply()).text in texts.CHECKIN_PROMPTS


async def test_someone_elses_check_in_buttons_are_refused(
    fake: FakeTelegram, clocked: BotRunner
) -> None:
    hal = await meet(fake, 508)
    await hal.send("x")
    mine = await hal.reply()
    answer = await hal.callback_answer(await hal.press_data(mine.message_id, "cr:999"))
    assert answer.get("text") == texts.BUTTON_EXPIRED


async def test_the_weekly_recap_arrives_by_itself_on_sunday_evening(
    fake: FakeTelegram, clocked: BotRunner
) -> None:
    ivy = await meet(fake, 509)
    await ivy.send("the first frost on the grass")
    await ivy.reply()
    user = await clocked.services.users.get(user_id=509)
    assert user is not None
    assert user.next_recap_at == datetime(2026, 11, 29, 18, 0, tzinfo=UTC)
    clock_of(clocked).set(datetime(2026, 11, 29, 18, 0, 10, tzinfo=UTC))
    assert await tick(clocked) == 1  # the recap; Sunday's 20:00 check-in is not due yet
    photo, words = await ivy.replies(2, timeout=20)
    assert photo.photo is not None
    assert "You noticed 1 glimmer on 1 day." in words.text
    assert await tick(clocked) == 0
    user = await clocked.services.users.get(user_id=509)
    assert user is not None
    assert user.next_recap_at == datetime(2026, 12, 6, 18, 0, tzinfo=UTC)


async def test_people_without_a_next_check_in_are_scheduled_at_start_up(
    fake: FakeTelegram, clocked: BotRunner
) -> None:
    await meet(fake, 510)
    # As for everyone who arrived before check-ins existed:
    await clocked.services.db.execute(
        "UPDATE users SET next_checkin_at = NULL, next_recap_at = NULL WHERE id = 510"
    )
    await clocked.restart()
    user = await clocked.services.users.get(user_id=510)
    assert user is not None
    assert user.next_checkin_at == datetime(2026, 11, 25, 20, 0, tzinfo=UTC)
    assert user.next_recap_at == datetime(2026, 11, 29, 18, 0, tzinfo=UTC)


async def test_a_person_who_writes_during_a_big_check_in_round_is_answered_first(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    # 40 people due at once, sent at 10 a second: the round takes about three seconds.
    bot = BotRunner(
        fake,
        tmp_path / "round.sqlite3",
        clock=FixedClock(NOON),
        overrides={"telegram_max_messages_per_second": 10},
    )
    await bot.start()
    try:
        due = [fake.user(700 + i) for i in range(40)]
        for person in due:
            await bot.services.users.ensure(user_id=person.user_id, now=NOON)
            await bot.services.schedule.set_next(
                user_id=person.user_id, next_at=NOON, next_recap_at=None
            )
        writer = fake.user(799)
        round_ = asyncio.create_task(tick(bot))

        def delivered() -> int:
            return sum(len(person.inbox) for person in due)

        await fake.wait_until(lambda: delivered() >= 12)
        await writer.send("steam rising from my tea")
        kept = await writer.reply()
        assert "steam rising from my tea" in kept.text
        # Answered while the round was still going, not after everyone's check-in.
        assert delivered() < 30, delivered()
        assert await round_ == 40
        assert delivered() == 40
    finally:
        await bot.stop()
    assert fake.rejections == [], fake.rejections
