"""End to end: welcome, help, about, commands the bot does not know, and start-up."""

from __future__ import annotations

from pathlib import Path

from bot.ui import texts
from sandbox.botapi import FakeTelegram
from tests.conftest import BotRunner, running


async def test_start_welcomes_in_three_messages_ending_with_a_button(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    ada = fake.user(301, "Ada")
    await ada.send("/start")
    welcome = await ada.replies(3)
    assert "glimmers" in welcome[0].text
    assert welcome[-1].button_texts() == [
        texts.BUTTON_LOG_FIRST,
        texts.BUTTON_TIME,
        texts.BUTTON_ZONE,
    ]
    assert "20:00 (Europe/London time)" in welcome[-1].text
    await ada.no_reply()
    await ada.press(welcome[-1], texts.BUTTON_LOG_FIRST)
    assert (await ada.reply()).text == texts.ASK_TEXT


async def test_start_again_never_resets_anything(fake: FakeTelegram, runner: BotRunner) -> None:
    bo = fake.user(302)
    await bo.send("/start")
    await bo.replies(3)
    await bo.send("the first leaves turning")
    await bo.reply()
    await bo.send("/start")
    back = await bo.reply()
    assert back.text.startswith("Welcome back")
    assert back.button_texts() == [texts.BUTTON_LOG]
    await bo.no_reply()
    assert await runner.services.glimmers.count(user_id=302) == 1


async def test_help_says_what_this_is_not_and_where_to_find_support(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    cy = fake.user(303)
    await cy.send("/help")
    text = (await cy.reply()).text
    assert "/glimmer" in text and "/g " in text and "/cancel" in text
    assert "not a crisis service" in text
    assert texts.SUPPORT_DEFAULT in text


async def test_about_cites_its_sources(fake: FakeTelegram, runner: BotRunner) -> None:
    di = fake.user(304)
    await di.send("/about")
    text = (await di.reply()).text
    for source in ("Dana, D. (2018)", "Porges, S. W. (1995)", "Fredrickson, B. L. (2001)"):
        assert source in text
    assert "Kok, B. E. & Fredrickson, B. L. (2010)" in text


async def test_unknown_commands_point_to_help(fake: FakeTelegram, runner: BotRunner) -> None:
    ed = fake.user(305)
    for command in ("/frobnicate", "/START_NOW", "/glimmers_everywhere please"):
        await ed.send(command)
        assert (await ed.reply()).text == texts.UNKNOWN_COMMAND


async def test_the_command_menu_is_registered_at_start_up(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    names = [c["command"] for c in fake.commands]
    assert names == list(texts.COMMAND_MENU)


async def test_a_failing_command_menu_does_not_stop_the_bot(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    fake.fail_next("setMyCommands", error_code=500, description="Internal Server Error")
    async with running(fake, tmp_path):
        flo = fake.user(306)
        await flo.send("still here")
        assert (await flo.reply()).text == "Kept: “still here” ✨"
