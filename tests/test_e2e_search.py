"""End to end: /search finds a person's own glimmers by their words and answers, and pages."""

from __future__ import annotations

from bot.domain.limits import SEARCH_BURST
from bot.domain.search import folded, matches, tag_counts, tags_of, words_of
from bot.ui import texts
from sandbox.botapi import FakeTelegram
from tests.conftest import BotRunner


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


def test_tags_are_hashtag_words_counted_once_each_however_written() -> None:
    assert tags_of("tea #Friends, #friends and #café at 5 #2 x#no #日本") == [
        "Friends",
        "café",
        "日本",
    ]
    assert tag_counts(["#Rain walk", "#rain again", "#home", "#Home #rain"]) == [
        ("rain", 3),
        ("home", 2),
    ]
    assert matches(words_of("#rain"), [folded("walk in the #Rain")])
    assert not matches(words_of("#rain"), [folded("a #rainbow")])


async def test_tags_list_with_counts_and_a_tap_shows_those_glimmers(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    fay = fake.user(706)
    await fay.send("/tags")
    assert (await fay.reply()).text.startswith("No tags yet.")
    await fay.send(
        "tea with Sam #friends\nrain on the roof #home\n#Friends laughing\n"
        "the dog asleep #home #calm\na #rainbow"
    )
    await fay.reply()
    await fay.send("/tags")
    listed = await fay.reply()
    assert "#Friends (2) · #home (2) · #calm (1) · #rainbow (1)" in listed.text  # newest spelling
    assert listed.button_texts() == ["#Friends · 2", "#home · 2", "#calm · 1", "#rainbow · 1"]
    await fay.press(listed, "#home · 2")
    found = await fay.reply()
    assert "Glimmers with “#home”: 2 found" in found.text
    assert "the dog asleep" in found.text and "rain on the roof" in found.text
    await fay.send("/history #friends")
    found = await fay.reply()
    assert "2 found" in found.text and "laughing" in found.text and "tea with Sam" in found.text

    await fay.send("/export #calm")
    files = await fay.replies(5, timeout=20)
    assert files[1].document is not None
    assert b"the dog asleep" in files[1].document and b"tea with Sam" not in files[1].document
    assert files[4].text.startswith("Here they are: 1 glimmer with “#calm”.")

    await runner.restart()
    query = await fay.press(listed, "#calm · 1")
    assert (await fay.callback_answer(query))["text"] == texts.TAGS_GONE


async def test_an_older_results_message_keeps_its_own_search_and_tags(
    fake: FakeTelegram, runner: BotRunner
) -> None:
    gil = fake.user(707)
    lines = [f"apple {n} #sun" for n in range(12)] + [f"pear {n} #rain" for n in range(12)]
    await gil.send("\n".join(lines))
    await gil.reply()
    await gil.send("/search apple")
    apples = await gil.reply()
    await gil.send("/tags")
    older_tags = await gil.reply()
    await gil.send("/search pear")
    await gil.reply()
    await gil.send("\n".join(f"moon {n} #moon" for n in range(13)))  # first in the newer list
    await gil.reply()
    await gil.send("/tags")
    await gil.reply()
    await gil.press(apples, texts.BUTTON_NEXT)
    page = await gil.wait_edit(apples.message_id)
    assert "Glimmers with “apple”" in page.text and "(page 2 of 2)" in page.text
    await gil.press(older_tags, "#sun · 12")
    found = await gil.reply()
    assert "Glimmers with “#sun”: 12 found" in found.text
