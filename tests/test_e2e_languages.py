"""End to end in each language: a person whose Telegram speaks German, Spanish, French or
Russian goes through the whole bot without meeting a word of English; /language switches at
any point, is stored, exported, and forgotten with everything else.

With GLIMMERS_TRANSCRIPTS=<folder>, the journey writes everything the person saw there
(journey-de.txt, ...), for translators to read their work in context.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from babel.dates import get_day_names, get_month_names
from telegram import BotCommandScopeChat

from bot.domain.clock import FixedClock
from bot.ui import language, texts
from bot.ui.language import LANGUAGES, Plural, speaking
from handlers.checkin import run_tick
from sandbox.botapi import BotMessage, FakeTelegram, FakeUser
from tests.conftest import NOON, BotRunner, running

TRANSLATED = sorted(set(LANGUAGES) - {language.ENGLISH})
# What each person writes: their own words, in their own language.
THEIR_WORDS = {
    "de": ("Sonnenlicht auf der Küchenwand", "der Duft von frischem Brot", "Regen am Fenster"),
    "es": ("la luz del sol en la pared", "el olor a pan recién hecho", "lluvia en la ventana"),
    "fr": ("le soleil sur le mur", "l'odeur du pain chaud", "la pluie sur la vitre"),
    "ru": ("солнце на стене кухни", "запах свежего хлеба", "дождь за окном"),
}


def plain(html: str) -> str:
    """A message as Telegram shows it: without its tags, entities read."""
    return re.sub(r"<[^>]+>", "", html).replace("&amp;", "&")


def tr(code: str, name: str) -> Any:
    """A message from texts.py in `code`."""
    with speaking(code):
        return getattr(texts, name)


def _words(text: str) -> set[str]:
    text = re.sub(r"/\w+|#\w+|{\w+}|<[^>]+>|&\w+;", " ", text)  # commands, tags, markup
    return {word.casefold() for word in re.findall(r"[^\W\d_]{3,}", text)}


def _catalog_words(code: str) -> set[str]:
    found: set[str] = set()
    with speaking(code):
        for _, value in language.spoken_messages(texts):
            found |= _words(f"{value.one} {value.other}" if isinstance(value, Plural) else value)
    return found


def english_only(code: str) -> set[str]:
    """Words of the bot's English, with English day and month names, that the language's
    own messages never use: any of them in a reply means English got through."""
    english = _catalog_words(language.ENGLISH)
    for width in ("wide", "abbreviated"):
        english |= {str(n).casefold() for n in get_day_names(width, locale="en").values()}
        english |= {str(n).casefold() for n in get_month_names(width, locale="en").values()}
    english -= _catalog_words(code) | {"glimmers", "bot"}
    with speaking(code):  # the person's time zone, as their language names its city
        english -= _words(language.zone_name("Europe/London"))
    for width in ("wide", "abbreviated"):  # "Mar" is March, and martes in Spanish
        english -= {
            str(n).casefold().strip(".") for n in get_day_names(width, locale=code).values()
        }
        english -= {
            str(n).casefold().strip(".") for n in get_month_names(width, locale=code).values()
        }
    return english


def pdf_text(data: bytes) -> list[str]:
    """The words on each page of a PDF."""
    document = pdfium.PdfDocument(data)
    try:
        pages = []
        for index in range(len(document)):
            textpage = document[index].get_textpage()
            pages.append(textpage.get_text_range())
            textpage.close()
        return pages
    finally:
        document.close()


def write_transcript(code: str, shown: list[str]) -> None:
    """Everything the person saw, once each, for a translator to read in context."""
    folder = os.environ.get("GLIMMERS_TRANSCRIPTS")
    if folder:
        once = dict.fromkeys(text for text in shown if text.strip())
        Path(folder, f"journey-{code}.txt").write_text("\n\n-----\n\n".join(once))


class Seen:
    """Everything the bot showed one person: messages as first sent and as edited, buttons,
    pop-ups, captions and the files it sent."""

    def __init__(self, person: FakeUser) -> None:
        self.person = person
        self.texts: list[str] = []

    def look(self) -> None:
        for line in self.person.transcript():
            if line["from"] == "bot":
                self.texts.append(line["text"])
                self.texts += [button["text"] for row in line["buttons"] for button in row]

    async def press(self, message: BotMessage, button: str) -> str:
        query = await self.person.press(message, button)
        popup = await self.person.answer_to(query)
        self.texts.append(popup)
        return popup

    def english_in(self, code: str, mine: tuple[str, ...]) -> list[tuple[str, set[str]]]:
        banned = english_only(code)
        own = set().union(*(_words(text) for text in mine))
        return [(text, found) for text in self.texts if (found := (_words(text) - own) & banned)]


async def answer(seen: Seen, message: BotMessage, button: str) -> BotMessage:
    await seen.press(message, button)
    await seen.person.wait_edit(message.message_id)
    return await seen.person.reply()


@pytest.mark.parametrize("code", TRANSLATED)
async def test_a_whole_journey_without_a_word_of_english(
    code: str, fake: FakeTelegram, tmp_path: Path
) -> None:
    clock = FixedClock(NOON)
    mine = THEIR_WORDS[code]
    async with running(fake, tmp_path, clock=clock) as bot:
        person = fake.user(800, "Ana", language_code=code)
        seen = Seen(person)

        # /start: the welcome, and the offer of an evening check-in.
        await person.send("/start")
        welcome = await person.replies(3)
        assert welcome[0].text == plain(tr(code, "WELCOME"))

        # /settings: the summary, a submenu or two, and back; a check-in even on days with a
        # glimmer kept.
        await person.send("/settings")
        menu = await person.reply()
        assert menu.text.startswith(plain(tr(code, "SETTINGS_TITLE")))
        for submenu in ("BUTTON_DAYS", "BUTTON_RECAP_MENU", "BUTTON_PAUSE_MENU"):
            await seen.press(menu, tr(code, submenu))
            await person.wait_edit(menu.message_id)
            seen.look()
            await seen.press(menu, tr(code, "BUTTON_BACK"))
            await person.wait_edit(menu.message_id)
        await seen.press(menu, tr(code, "BUTTON_SKIP_ON"))
        await person.wait_edit(menu.message_id)

        # A quick log, in a line.
        await person.send(mine[0])
        kept = await person.reply()
        assert kept.text == tr(code, "SAVED_ONE").format(text=mine[0])

        # /glimmer, each step, the savouring pause and its timed follow-up.
        await person.send("/glimmer")
        assert (await person.reply()).text == tr(code, "ASK_TEXT")
        await person.send(mine[1])
        sense = await person.reply()
        body = await answer(seen, sense, tr(code, "SENSE_LABELS")["smell"])
        ladder = await answer(seen, body, tr(code, "BODY_LABELS")["breath"])
        pause = await answer(seen, ladder, tr(code, "LADDER_LABELS")["mobilised"])
        await seen.press(pause, tr(code, "BUTTON_SECONDS").format(seconds=10))
        await person.wait_edit(pause.message_id)
        seen.look()  # the pause as it reads while it runs
        landed = await person.reply(timeout=10)  # sent by a job: no update behind it
        assert landed.text == tr(code, "ASK_LANDED")
        after = await answer(seen, landed, "4")
        await seen.press(after, tr(code, "LADDER_LABELS")["safe"])
        summary = await person.reply()
        assert summary.text.startswith(tr(code, "SUMMARY_TITLE"))
        await seen.press(summary, tr(code, "BUTTON_STAR"))

        # The evening check-in, sent by the scheduler, and a reply to it.
        clock.set(datetime(2026, 11, 25, 20, 0, 20, tzinfo=UTC))
        assert bot.app is not None
        with speaking(language.ENGLISH):  # the tick must find the person's language itself
            assert await run_tick(bot.app) == 1
        checkin = await person.reply()
        assert checkin.text in tr(code, "CHECKIN_PROMPTS")
        await person.send(mine[2], reply_to=checkin.message_id)
        await person.reply()
        await seen.press(checkin, tr(code, "BUTTON_REMIND"))

        # /recap: the chart's caption and the week in words, then the week before.
        await person.send("/recap")
        chart, week = await person.replies(2)
        assert chart.is_photo
        seen.look()
        await seen.press(week, tr(code, "BUTTON_PREVIOUS_WEEK"))
        await person.replies(2)  # the week before: its chart, then its words
        seen.look()

        # Looking back: /history, /search, /tags, /anchor; and /help and /privacy.
        for command in ("/history", f"/search {mine[1].split()[-1]}", "/tags", "/anchor"):
            await person.send(command)
            await person.reply()
        for command in ("/help", "/privacy"):
            await person.send(command)
            await person.reply()
        seen.look()

        # /summary for a therapist: the PDF (its text read back) and the same as text.
        await person.send("/summary")
        asked = await person.reply()
        await seen.press(asked, tr(code, "BUTTON_REPORT")["4w"])
        pdf, *_ = await person.replies(3, timeout=30)
        seen.look()
        seen.texts.append(pdf.document_name or "")
        seen.texts += pdf_text(pdf.document or b"")

        # /export: three files, their captions, and what is in the spreadsheet and journal.
        await person.send("/export")
        _, *files, _ = await person.replies(5, timeout=30)
        seen.look()
        assert [f.is_document for f in files] == [True, True, True]
        document = json.loads(files[0].document or b"{}")
        assert document["settings"]["language"] == code
        seen.texts.append(files[1].document_name or "")
        seen.texts.append((files[1].document or b"").decode("utf-8"))
        journal = (files[2].document or b"").decode("utf-8")
        seen.texts.append(journal)

        # /forget, asked and done.
        await person.send("/forget")
        ask = await person.reply()
        seen.look()
        await seen.press(ask, tr(code, "BUTTON_FORGET_YES"))
        await person.wait_edit(ask.message_id)
        seen.look()
        assert await bot.services.users.get(user_id=800) is None

        # Telegram's command menu for people whose app speaks this language.
        menu_lines = fake.command_menu(language_code=code)
        assert [line["command"] for line in menu_lines] == list(texts.COMMAND_MENU)
        seen.texts += [line["description"] for line in menu_lines]

    write_transcript(code, seen.texts)
    assert seen.english_in(code, mine) == []
    # A date written with a full stop ("3. Jan.") never ends up before another.
    assert [text for text in seen.texts if re.search(r"[^.]\.\.(?!\.)", text)] == []


async def test_language_switches_at_any_point_and_is_stored_and_forgotten(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    async with running(fake, tmp_path) as bot:
        eva = fake.user(801, "Eva", language_code="de")
        await eva.send("/start")
        await eva.replies(3)
        assert (await bot.services.users.get(user_id=801)).language == "de"  # type: ignore[union-attr]

        # In the middle of /glimmer, /language: the buttons name each language in itself.
        await eva.send("/glimmer")
        await eva.reply()
        await eva.send("/language")
        choose = await eva.reply()
        assert choose.text == tr("de", "LANGUAGE_ASK")
        assert set(LANGUAGES.values()) <= set(choose.button_texts())
        query = await eva.press(choose, "Français")
        assert await eva.answer_to(query) == tr("fr", "LANGUAGE_SET")
        edited = await eva.wait_edit(choose.message_id)
        assert edited.text == tr("fr", "LANGUAGE_ASK")
        assert (await bot.services.users.get(user_id=801)).language == "fr"  # type: ignore[union-attr]
        # Pressing it again changes nothing, and says so.
        query = await eva.press(edited, "Français")
        assert await eva.answer_to(query) == tr("fr", "LANGUAGE_SAME")

        # Every reply from now on is French, the glimmer under way too; Telegram's menu in
        # this chat as well.
        await eva.send("un café chaud")
        assert (await eva.reply()).text == tr("fr", "ASK_SENSE")
        chat_menu = fake.command_menu(scope={"type": "chat", "chat_id": 801})
        assert [line["description"] for line in chat_menu] == list(
            tr("fr", "COMMAND_MENU").values()
        )

        # The choice holds over a restart, and wins over what Telegram reports; the chat's
        # own menu is set again then (here it had gone missing meanwhile).
        await bot.restart()
        assert bot.app is not None
        await bot.app.bot.delete_my_commands(scope=BotCommandScopeChat(801))
        await eva.send("/help")
        assert (await eva.reply()).text.startswith(plain(tr("fr", "HELP"))[:20])
        for _ in range(100):
            chat_menu = fake.command_menu(scope={"type": "chat", "chat_id": 801})
            if chat_menu:
                break
            await asyncio.sleep(0.05)
        assert [line["description"] for line in chat_menu] == list(
            tr("fr", "COMMAND_MENU").values()
        )

        # /settings offers the same choice; back to English from there.
        await eva.send("/settings")
        menu = await eva.reply()
        assert tr("fr", "LANGUAGE_NAME") in menu.text
        await eva.press(menu, tr("fr", "BUTTON_LANGUAGE"))
        await eva.wait_edit(menu.message_id)
        await eva.press(menu, "English")
        await eva.wait_edit(menu.message_id)
        await eva.press(menu, tr("en", "BUTTON_BACK"))
        back = await eva.wait_edit(menu.message_id)
        assert "Language: English" in back.text

        # /forget removes the choice with everything else, and the chat's own menu.
        await eva.send("/forget")
        ask = await eva.reply()
        await eva.press(ask, texts.BUTTON_FORGET_YES)
        await eva.wait_edit(ask.message_id)
        assert await bot.services.users.get(user_id=801) is None
        assert fake.command_menu(scope={"type": "chat", "chat_id": 801}) == []
        # Coming back, Telegram's language is theirs again.
        await eva.send("/start")
        assert (await eva.reply()).text == plain(tr("de", "WELCOME"))


async def test_a_language_the_bot_does_not_speak_gets_english(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    async with running(fake, tmp_path) as bot:
        rui = fake.user(802, "Rui", language_code="pt-br")
        await rui.send("/start")
        assert (await rui.reply()).text == plain(texts.WELCOME)
        # Nothing stored: Portuguese is theirs the day the bot speaks it.
        assert (await bot.services.users.get(user_id=802)).language is None  # type: ignore[union-attr]
        lola = fake.user(803, "Lola", language_code="es-419")
        await lola.send("/start")
        assert (await lola.reply()).text == plain(tr("es", "WELCOME"))


async def test_a_spreadsheet_from_any_language_comes_back_into_any_other(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    """A German export brought into a Russian journal: the question in Russian (where the
    file came from too), every answer read back from its German label; and a header whose
    words changed since (a translation revised) still reads as the bot's own spreadsheet."""
    async with running(fake, tmp_path) as bot:
        jan = fake.user(804, "Jan", language_code="de")
        await jan.send("/glimmer")
        await jan.reply()
        await jan.send("Vogelgesang am Morgen")
        sense = await jan.reply()
        await jan.press(sense, tr("de", "SENSE_LABELS")["sound"])
        await jan.wait_edit(sense.message_id)
        body = await jan.reply()
        await jan.press(body, tr("de", "BODY_LABELS")["chest"])
        await jan.wait_edit(body.message_id)
        await jan.send("/cancel")
        await jan.send("/export")
        for _ in range(10):
            spreadsheet = await jan.reply(timeout=30)
            if (spreadsheet.document_name or "").endswith(".csv"):
                break
        data = spreadsheet.document or b""
        header, rows = data.split(b"\r\n", 1)
        renamed = b",".join(b"column %d" % n for n in range(header.count(b",") + 1))

        for user_id, file in ((805, data), (806, renamed + b"\r\n" + rows)):
            olga = fake.user(user_id, "Olga", language_code="ru")
            await olga.send_document(file, "glimmers.csv")
            asked = await olga.reply(timeout=10)
            assert tr("ru", "IMPORT_SOURCES")["ours_csv"] in asked.text
            await olga.press(asked, tr("ru", "BUTTON_IMPORT_YES"))
            await olga.wait_edit(asked.message_id, timeout=10)
            row = await bot.services.db.fetchone(
                "SELECT sense, body_cue FROM glimmers WHERE user_id = ?", (user_id,)
            )
            assert row is not None and (row["sense"], row["body_cue"]) == ("sound", "chest")


async def test_someone_taken_off_the_list_still_has_their_data_in_their_language(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    db_path = tmp_path / "own.sqlite3"
    first = BotRunner(fake, db_path, overrides={"allowed_user_ids": "807"})
    await first.start()
    ida = fake.user(807, "Ida", language_code="en")
    await ida.send("/language")
    choose = await ida.reply()
    await ida.press(choose, LANGUAGES["ru"])
    await ida.wait_edit(choose.message_id)
    await first.stop()
    later = BotRunner(fake, db_path, overrides={"allowed_user_ids": "1"})
    await later.start()
    try:
        await ida.send("/privacy")
        assert (await ida.reply()).text.startswith(plain(tr("ru", "PRIVACY"))[:30])
        await ida.send("/forget")
        ask = await ida.reply()
        assert tr("ru", "BUTTON_FORGET_YES") in ask.button_texts()
    finally:
        await later.stop()
