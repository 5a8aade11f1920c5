"""The catalogs: complete, true to the English (placeholders, HTML), within Telegram's limits,
up to date with bot/ui/texts.py; and the plural forms, dates and language choice they rely on.
"""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.domain.search import folded
from bot.ui import callbacks as cb
from bot.ui import catalogs, importing, keyboards, language, render, texts
from bot.ui.language import LANGUAGES, Plural, speaking
from sandbox.botapi.html import HtmlParseError, render_html
from storage.models import User
from tests.factories import WHEN, make_glimmer

TRANSLATED = sorted(set(LANGUAGES) - {language.ENGLISH})
SAMPLE = {
    "text": "tea &amp; toast",
    "words": "“rain”",
    "zone": "Europe/Berlin",
    "support": "Call 116 123",
    "tag": "rain",
    "wait": "5",
}


def test_every_language_offered_has_a_catalog_and_every_catalog_is_offered() -> None:
    assert catalogs.translated_languages() == TRANSLATED


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_message_is_translated_with_the_same_placeholders_tags_and_limits(
    code: str,
) -> None:
    assert catalogs.problems(code) == []


def test_the_template_is_up_to_date_with_texts_py() -> None:
    """Run `python -m bot.ui.catalogs update` after changing texts.py."""
    assert catalogs.TEMPLATE.read_bytes() == catalogs.template_bytes()


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_compiled_catalog_is_the_one_the_bot_reads(code: str) -> None:
    """Run `python -m bot.ui.catalogs compile` after changing a .po file."""
    assert catalogs.catalog_path(code, "mo").read_bytes() == catalogs.compiled(code)


def _filled(template: str) -> str:
    return re.sub(r"{(\w+)}", lambda m: SAMPLE.get(m.group(1), "12"), template)


def _every_text(code: str) -> list[tuple[str, str]]:
    """Each message in `code` with sample values, every plural form of it."""
    out = []
    with speaking(code):
        for context, value in language.spoken_messages(texts):
            if isinstance(value, Plural):
                for number in (1, 2, 5, 21):
                    out.append((f"{context}[{number}]", _filled(value.form(number))))
            else:
                out.append((context, _filled(value)))
    return out


# Plain text, never parsed as HTML: buttons, pop-ups, the command menu, the files and the
# chart (a label placed into a message is escaped first: render.label).
PLAIN = (
    "BUTTON_",
    "SENSE_LABELS",
    "BODY_LABELS",
    "LADDER_LABELS",
    "BODY_PHRASES",
    "COMMAND_MENU",
    "EXPORT_CSV_HEADER",
    "EXPORT_FILE_NAME",
    "REPORT_FILE_NAME",
    "CHART_",
    "TRIAL_",
)


@pytest.mark.parametrize("code", [language.ENGLISH, *TRANSLATED])
def test_every_message_renders_into_html_telegram_accepts(code: str) -> None:
    for context, text in _every_text(code):
        name = context.split(".", 1)[0].split("[", 1)[0]
        if name.startswith(PLAIN) or name in catalogs.POPUPS:
            assert "&amp;" not in text and "<b>" not in text, f"{code} {context} is plain text"
            text = html.escape(text, quote=False)
        try:
            plain, _ = render_html(text)
        except HtmlParseError as exc:
            raise AssertionError(f"{code} {context}: {exc}") from None
        assert plain.strip(), f"{code} {context} is empty"
        assert len(plain.encode("utf-16-le")) // 2 <= 4096, f"{code} {context} is too long"


# Translations that rightly read as the English does.
SAME_AS_ENGLISH = {("fr", "WAIT_MINUTES")}


@pytest.mark.parametrize("code", TRANSLATED)
def test_no_message_is_left_in_english(code: str) -> None:
    """A translation may equal its English where it has hardly a word of its own: an
    emoji, a placeholder, a name."""
    english = dict(language.messages(texts))
    with speaking(code):
        spoken = dict(_contexts_and_values())
    same = [
        context
        for context, value in spoken.items()
        if value == english[context]
        and (code, context) not in SAME_AS_ENGLISH
        and len(re.sub(r"{\w+}|<[^>]+>|[\W\d_]", "", str(value))) > 6
    ]
    assert same == []


def _contexts_and_values() -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = []
    for context, value in language.spoken_messages(texts):
        if isinstance(value, Plural):
            forms = tuple(value.form(n) for n in (1, 2, 5))
            value = (forms[0], forms[-1]) if forms[1] == forms[2] else forms
        out.append((context, value))
    return out


@pytest.mark.parametrize("code", [language.ENGLISH, *TRANSLATED])
def test_every_settings_button_fits_a_phone_and_its_data_fits_telegram(code: str) -> None:
    person = User(
        id=10**15,
        first_seen_at=WHEN,
        timezone=None,
        savour_seconds=20,
        ask_ladder=True,
        glimmer_asked_at=None,
    )
    with speaking(code):
        markups = [keyboards.settings_menu(person)]
        markups += [
            markup
            for choice in cb.Choice
            if (markup := keyboards.settings_submenu(person, choice)) is not None
        ]
        markups.append(keyboards.confirm_forget(person.id))
    for markup in markups:
        for row in markup.inline_keyboard:
            widths = [len(button.text.encode("utf-16-le")) // 2 for button in row]
            assert sum(widths) <= 48, f"{code}: a row too wide for a phone: {row}"
            for button in row:
                assert len((button.callback_data or "").encode()) <= 64  # type: ignore[arg-type]


def test_russian_counts_take_the_three_forms() -> None:
    with speaking("ru"):
        forms = {n: texts.EXPORT_GLIMMERS.format(count=n) for n in (1, 2, 5, 11, 21, 22, 10_000)}
    assert len({forms[1].split()[1], forms[2].split()[1], forms[5].split()[1]}) == 3
    assert forms[21].split()[1] == forms[1].split()[1]
    assert forms[22].split()[1] == forms[2].split()[1]
    assert forms[11].split()[1] == forms[5].split()[1]
    assert forms[10_000].startswith("10\xa0000")  # Russian groups thousands with a space


def test_english_keeps_its_own_forms_and_numbers() -> None:
    assert texts.EXPORT_GLIMMERS.format(count=1) == "1 glimmer"
    assert texts.EXPORT_GLIMMERS.format(count=10_000) == "10,000 glimmers"
    assert render.wait_phrase(timedelta(seconds=30)) == "a minute"
    assert render.wait_phrase(timedelta(minutes=59)) == "59 minutes"
    assert render.wait_phrase(timedelta(minutes=61)) == "2 hours"


def test_a_wait_of_one_is_said_without_the_number_and_21_with_it() -> None:
    with speaking("ru"):
        assert render.wait_phrase(timedelta(minutes=1)) == "минуту"
        assert render.wait_phrase(timedelta(minutes=21)) == "21 минуту"
        assert render.wait_phrase(timedelta(hours=1)) == "час"


@pytest.mark.parametrize(
    ("code", "day", "long"),
    [
        ("en", "Sat 3 Jan", "Saturday, 3 January 2026"),
        ("de", "Sa., 3. Jan.", "Samstag, 3. Januar 2026"),
        ("fr", "sam. 3 janv.", "samedi 3 janvier 2026"),
        ("es", "sáb, 3 ene", "sábado, 3 de enero de 2026"),
        ("ru", "сб, 3 янв.", "суббота, 3 января 2026\u202fг."),
    ],
)
def test_dates_are_written_as_each_language_writes_them(code: str, day: str, long: str) -> None:
    with speaking(code):
        assert language.format_day(date(2026, 1, 3), "MMMEd") == day
        assert language.format_day(date(2026, 1, 3), "full") == long


@pytest.mark.parametrize(
    ("reported", "spoken"),
    [
        ("de", "de"),
        ("de-AT", "de"),
        ("es-419", "es"),
        ("fr_CA", "fr"),
        ("RU", "ru"),
        ("pt-br", "en"),
        ("", "en"),
        (None, "en"),
        ("x" * 300, "en"),
    ],
)
def test_telegrams_language_code_picks_the_language(reported: str | None, spoken: str) -> None:
    assert language.from_telegram(reported) == spoken


def test_a_language_no_longer_offered_falls_back_to_english() -> None:
    with speaking("xx"):
        assert language.current() == language.ENGLISH
        assert texts.WELCOME_FIRST.startswith("There's no right way")


def test_the_background_process_speaks_the_language_it_is_given() -> None:
    said = language.in_language("fr", lambda: texts.LANGUAGE_ASK)
    assert said.startswith("Dans quelle langue")
    assert texts.LANGUAGE_ASK.startswith("Which language")  # and nothing leaks out of it


def test_words_a_released_spreadsheet_holds_still_import() -> None:
    """tests/released_export_words.json: the answer labels and "yes" each language's
    spreadsheets have carried. A translator who rewords one keeps files made before
    importable by adding the old words to importing.EARLIER_LABELS (and new ones here)."""
    released = json.loads(
        (Path(__file__).parent / "released_export_words.json").read_text(encoding="utf-8")
    )
    for code, names in released.items():
        for name, words in names.items():
            if name == "EXPORT_YES":
                continue
            codes = importing._codes(name)
            for word, answer in words.items():
                assert codes.get(folded(word)) == answer, f"{code} {name}: {word!r}"
    journal = "\r\n".join(
        [
            ",".join(texts.EXPORT_CSV_HEADER),
            *(
                f"1,2024-01-01,10:00,2024-01-01T10:00:00Z,tea,,,,,,,,{yes}"
                for names in released.values()
                for yes in names["EXPORT_YES"]
            ),
        ]
    )
    found = importing.read_journal(
        journal.encode(), ZoneInfo("UTC"), datetime(2026, 12, 7, tzinfo=UTC)
    )
    assert [entry.starred for entry in found.entries] == [True] * len(released)


@pytest.mark.parametrize("code", [language.ENGLISH, *TRANSLATED])
def test_the_longest_pages_stay_one_message_in_every_language(code: str) -> None:
    """Ten glimmers of the longest kind on a page of /history or /search: within 4096."""
    longest = [
        make_glimmer(
            n,
            text="ж" * 4000,
            sense="memory",
            body_note="ш" * 300,
            starred=True,
        )
        for n in range(99_990, 100_000)
    ]
    zone = ZoneInfo("Europe/Berlin")
    with speaking(code):
        pages = [
            render.history_page(longest, page=9999, pages=9999, first_number=99_990, zone=zone),
            render.search_page(
                longest,
                words=("ж" * 100,) * 5,
                count=99_999,
                page=9999,
                pages=9999,
                first_number=99_990,
                zone=zone,
            ),
        ]
    for page in pages:
        plain, _ = render_html(page)
        assert render.utf16_len(plain) <= 4096, (code, render.utf16_len(plain))


@pytest.mark.parametrize(
    ("code", "london", "kolkata"),
    [
        ("en", "Europe/London", "Asia/Kolkata"),
        ("de", "London", "Kalkutta"),
        ("ru", "Лондон", "Калькутта"),
        ("fr", "Londres", "Calcutta"),
    ],
)
def test_a_time_zone_is_named_by_its_city_in_the_persons_language(
    code: str, london: str, kolkata: str
) -> None:
    with speaking(code):
        assert language.zone_name("Europe/London") == london
        assert language.zone_name("Asia/Kolkata") == kolkata
        assert language.zone_name("Etc/GMT-2") == "Etc/GMT-2"  # no city: as it is
        assert language.zone_name("UTC") == "UTC"
