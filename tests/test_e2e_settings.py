"""End to end: changing check-in time, zone, days and pauses through /settings."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.ui import texts
from sandbox.botapi import FakeTelegram, FakeUser
from tests.conftest import BotRunner


async def test_set_time_and_zone_as_a_person_would(fake: FakeTelegram, clocked: BotRunner) -> None:
    noa = fake.user(701)
    await noa.send("/start")
    welcome = await noa.replies(3)
    await noa.press(welcome[-1], texts.BUTTON_TIME)
    times = await noa.wait_edit(welcome[-1].message_id)
    assert texts.BUTTON_TYPE_TIME in times.button_texts()
    await noa.press(times, texts.BUTTON_TYPE_TIME)
    assert (await noa.reply()).text == texts.ASK_TYPED_TIME
    await noa.send("whenever")
    assert (await noa.reply()).text == texts.BAD_TIME
    await noa.send("8.30 pm")
    menu = await noa.reply()
    assert "Daily check-in: 20:30 on every day" in menu.text
    await noa.press(menu, texts.BUTTON_ZONE)
    assert (await noa.reply()).text == texts.ASK_ZONE
    await noa.send("new york")
    assert (await noa.reply()).text.startswith("Time zone set to America/New_York")
    menu = await noa.reply()
    assert "Time zone: America/New_York" in menu.text
    user = await clocked.services.users.get(user_id=701)
    assert user is not None
    # 20:30 in New York on 25 November is 01:30 UTC the next day.
    assert user.next_checkin_at == datetime(2026, 11, 26, 1, 30, tzinfo=UTC)
    # Back outside settings, text is a glimmer again.
    await noa.send("snow on the fire escape")
    assert (await noa.reply()).text.startswith("Kept")


async def ask_to_type_a_time(person: FakeUser) -> None:
    """/settings → Check-in time → Type a time…, as a person would."""
    await person.send("/settings")
    menu = await person.reply()
    await person.press(menu, texts.BUTTON_TIME)
    times = await person.wait_edit(menu.message_id)
    await person.press(times, texts.BUTTON_TYPE_TIME)
    assert (await person.reply()).text == texts.ASK_TYPED_TIME


async def test_a_glimmer_typed_where_a_time_or_place_was_asked_is_kept(
    fake: FakeTelegram, clocked: BotRunner
) -> None:
    ivy = fake.user(703)
    await ask_to_type_a_time(ivy)
    await ivy.send("the smell of rain on warm pavement")
    assert (await ivy.reply()).text.startswith("Kept")
    await ivy.send("/settings")
    menu = await ivy.reply()
    await ivy.press(menu, texts.BUTTON_ZONE)
    assert (await ivy.reply()).text == texts.ASK_ZONE
    await ivy.send("my friend laughing\nsun through the blinds")
    assert (await ivy.reply()).text.startswith("Kept")
    kept = await clocked.services.glimmers.page(user_id=703, offset=0, limit=5)
    assert sorted(g.text for g in kept) == [
        "my friend laughing",
        "sun through the blinds",
        "the smell of rain on warm pavement",
    ]
    user = await clocked.services.users.get(user_id=703)
    assert user is not None and user.checkin_minute == 20 * 60 and user.timezone is None
    # A short answer is still read as a try at a time.
    await ask_to_type_a_time(ivy)
    await ivy.send("soonish")
    assert (await ivy.reply()).text == texts.BAD_TIME


async def test_buttons_for_times_days_pause_and_toggles(
    fake: FakeTelegram, clocked: BotRunner
) -> None:
    oli = fake.user(702)
    await oli.send("/settings")
    menu = await oli.reply()
    assert "Daily check-in: 20:00 on every day" in menu.text
    await oli.press(menu, texts.BUTTON_TIME)
    times = await oli.wait_edit(menu.message_id)
    await oli.press(times, "07:00")
    menu = await oli.wait_edit(menu.message_id)
    assert "Daily check-in: 07:00 on every day" in menu.text
    await oli.press(menu, texts.BUTTON_DAYS)
    days = await oli.wait_edit(menu.message_id)
    await oli.press(days, texts.BUTTON_WEEKDAYS)
    menu = await oli.wait_edit(menu.message_id)
    assert "07:00 on weekdays" in menu.text
    await oli.press(menu, texts.BUTTON_PAUSE_MENU)
    pause = await oli.wait_edit(menu.message_id)
    await oli.press(pause, texts.BUTTON_PAUSE_WEEK)
    menu = await oli.wait_edit(menu.message_id)
    assert "paused until" in menu.text
    user = await clocked.services.users.get(user_id=702)
    assert user is not None
    # Paused through Tuesday 1 December; weekdays only: next is Wednesday 2 December 07:00.
    assert user.next_checkin_at == datetime(2026, 12, 2, 7, 0, tzinfo=UTC)
    await oli.press(menu, texts.BUTTON_CHECKINS_ON)
    menu = await oli.wait_edit(menu.message_id)
    assert "Daily check-in: off" in menu.text
    assert texts.BUTTON_CHECKINS_OFF in menu.button_texts()
    user = await clocked.services.users.get(user_id=702)
    assert user is not None and user.next_checkin_at is None
    await oli.press(menu, texts.BUTTON_LADDER_ON)
    menu = await oli.wait_edit(menu.message_id)
    assert "Ladder questions: off" in menu.text


async def test_someone_elses_settings_button_is_refused(
    fake: FakeTelegram, clocked: BotRunner
) -> None:
    pia = fake.user(703)
    await pia.send("/settings")
    menu = await pia.reply()
    answer = await pia.callback_answer(await pia.press_data(menu.message_id, "se:999:poff"))
    assert answer.get("text") == texts.BUTTON_EXPIRED


async def test_a_settings_button_pressed_on_a_message_that_is_not_the_bots(
    fake: FakeTelegram, clocked: BotRunner
) -> None:
    # Only a modified app can do this; the bot must shrug, not fail.
    zed = fake.user(704)
    sent = await zed.send("sun on the wall")
    await zed.reply()
    answer = await zed.press_data(sent["message_id"], "se:704:menu")
    await zed.callback_answer(answer)
    await zed.no_reply()
    assert [r["description"] for r in fake.rejections] == ["Bad Request: message can't be edited"]
    fake.rejections.clear()
