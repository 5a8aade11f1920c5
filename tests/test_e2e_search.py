"""End to end: /search finds a person's own glimmers by their words and answers, and pages."""

from __future__ import annotations

from bot.domain.limits import SEARCH_BURST
from bot.domain.search import folded, matches, words_of
from bot.ui import texts
from tests.conftest import BotRunner
from tests.fake_telegram import FakeTelegram


def test_words_are_folded_deduplicated_and_few() -> None:
    assert words_of("  Café  CAFE, “rain”!  ") == ("cafe", "rain")
    assert folded("Ｆｕｌｌ ﬁne Ünïcode") == "full fine unicode"
    assert len(words_of(" ".join(f"w{n}" for n in range(50)))) == 8
    assert words_of("... !!! ") == ()
    assert matches(("walk", "dog"), ("walking the dog at dusk", None))
    assert not matches(("walk", "cat"), ("walking the dog at dusk", None))


async def test_search_ignores_case_and_accents_and_finds_answers_too(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    ada = fake.user(701)
    await ada.send("Café on the corner, warm light\nRAIN on the window\nwalking the dog")
    await ada.reply()
    await ada.send("/glimmer")
    await ada.reply()
    await ada.send("a blackbird at dusk")
    question = await ada.reply()
    await ada.press(question, texts.SENSE_LABELS["sound"])
    await ada.reply()
    await ada.send("/cancel")
    await ada.reply()

    await ada.send("/search cafe")
    found = await ada.reply()
    assert "1 found" in found.text and "Café on the corner" in found.text
    await ada.send("/search Window rain")
    found = await ada.reply()
    assert "1 found" in found.text and "RAIN on the window" in found.text
    await ada.send("/search sound")  # the sense, by its button's name
    found = await ada.reply()
    assert "1 found" in found.text and "a blackbird at dusk" in found.text
    await ada.press(found, "1")  # each result opens like a /history entry
    opened = await ada.reply()
    assert "a blackbird at dusk" in opened.text
    assert texts.BUTTON_STAR in opened.button_texts()
    await ada.send("/search <b>umbrella</b>")
    none = await ada.reply()
    assert none.text == "I couldn't find a glimmer with “<b>umbrella</b>”." + (
        " A shorter word, or another one, might find it; /history shows them all."
    )
    await ada.send("/search")
    assert (await ada.reply()).text.startswith("What shall I look for?")


async def test_nobody_finds_anyone_elses_glimmers(fake: FakeTelegram, runner: BotRunner) -> None:
    bea, cal = fake.user(702), fake.user(703)
    await bea.send("sunlight on the kettle")
    await bea.reply()
    await cal.send("/search kettle")
    assert "I couldn't find a glimmer" in (await cal.reply()).text


async def test_search_pages_and_an_old_page_button_after_a_restart_asks_again(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    dee = fake.user(704)
    lines = [f"rain number {n}" for n in range(1, 24)] + ["sunshine", "snow"]
    await dee.send("\n".join(lines))
    await dee.reply()
    await dee.send("/search rain")
    page = await dee.reply()
    assert "23 found (page 1 of 3)" in page.text
    assert "rain number 23" in page.text  # newest first
    await dee.press(page, texts.BUTTON_NEXT)
    second = await dee.wait_edit(page.message_id)
    assert "(page 2 of 3)" in second.text and "11. " in second.text
    await dee.press(second, texts.BUTTON_NEXT)
    third = await dee.wait_edit(page.message_id)
    assert "(page 3 of 3)" in third.text and texts.BUTTON_NEXT not in third.button_texts()

    await runner.restart()
    query = await dee.press(third, texts.BUTTON_PREVIOUS)
    assert (await dee.callback_answer(query))["text"] == texts.SEARCH_GONE
    await dee.send("/search rain")
    assert "23 found" in (await dee.reply()).text


async def test_forget_puts_the_search_away_and_searching_rests_after_many(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    eve = fake.user(705)
    await eve.send("\n".join(f"tea number {n}" for n in range(12)))
    await eve.reply()
    for _ in range(SEARCH_BURST):
        await eve.send("/search tea")
        assert "12 found" in (await eve.reply()).text
    await eve.send("/search tea")
    assert "let's give it a rest" in (await eve.reply()).text
    page = eve.message(max(m.message_id for m in eve.inbox if "12 found" in m.text))
    query = await eve.press(page, texts.BUTTON_NEXT)
    assert "give searching a rest" in (await eve.callback_answer(query))["text"]
