"""/summary: the PDF for a therapist (its text read back, its pages drawn) and the plain text,
end to end through the bot."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest

from bot.ui import texts
from bot.ui.export import day_and_year
from bot.ui.render import plain_parts, utf16_len
from bot.ui.summary import FALLBACK_FONTS, build_summary
from sandbox.botapi import FakeTelegram
from tests.conftest import BotRunner
from tests.factories import make_row

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)
WORDS = (
    "warm tea 🫖 in both hands",
    "שמש על הקיר",
    "солнце на стене",
    "阳光照在墙上",
    "the smell of rain on warm stone",
)
EVERY_FONT = all(path.exists() for path in FALLBACK_FONTS)


def row(n: int, days_ago: float, text: str, **fields: Any) -> dict[str, Any]:
    return make_row(n, NOW - timedelta(days=days_ago), text=text, **fields)


def pdf_pages(data: bytes) -> list[tuple[str, Any]]:
    """Each page's text and the page drawn as an image."""
    document = pdfium.PdfDocument(data)
    try:
        pages = []
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            pages.append((textpage.get_text_range(), page.render(scale=1).to_pil()))
            textpage.close()
            page.close()
        return pages
    finally:
        document.close()


def test_the_pdf_holds_the_words_counts_and_the_not_clinical_note() -> None:
    rows = [
        row(1, 1, WORDS[0], starred=1, sense="sound", body_cue="chest"),
        row(2, 3, WORDS[1], sense="sound", ladder_before="mobilised", ladder_after="safe"),
        row(3, 9, WORDS[2], sense="sight", ladder_before="shutdown", ladder_after="shutdown"),
        row(4, 10, WORDS[3], starred=1),
        row(5, 20, WORDS[4], landed=5),
        row(6, 40, "too old for four weeks"),
        row(7, 2, "a draft, not kept yet", status="draft"),
    ]
    made = build_summary(
        glimmers=rows, zone_name="Europe/London", now=NOW, start=NOW - timedelta(days=28)
    )
    assert made is not None and made.count == 5
    pages = pdf_pages(made.pdf)
    text = " ".join(" ".join(page.split()) for page, _ in pages)
    assert "Glimmers: a summary" in text
    assert "not a clinical assessment" in text
    assert "5 glimmers on 5 days" in text
    assert "Sound (2), Sight (1)" in text
    assert "Warmth in the chest (1)" in text
    assert "2 glimmers savoured with the ladder question" in text and "1 of them ended" in text
    assert "warm tea in both hands" in text  # the emoji left out cleanly, not as a box
    assert "солнце на стене" in text and "the smell of rain on warm stone" in text
    assert "too old" not in text and "a draft" not in text
    assert ("阳光照在墙上" in text) == EVERY_FONT  # drawn with a font for it, or left out
    for _, image in pages:
        width, height = image.size
        assert abs(width - 595) <= 1 and abs(height - 842) <= 1  # A4 at 72 dpi
        assert image.convert("L").getextrema()[0] < 100  # something dark is drawn: text
    assert "🫖" in made.text and "阳光照在墙上" in made.text  # the text keeps every character


# A line in each of several scripts, as a person might write it.
SCRIPTS = {
    "Hebrew": "שמש על הקיר",
    "Arabic": "الشمس على الحائط",
    "Devanagari": "दीवार पर धूप",
    "Tamil": "சுவரில் வெயில்",
    "Thai": "แสงแดดบนผนัง",
    "Chinese": "阳光照在墙上",
    "Japanese": "壁に日差し",
    "Korean": "벽에 햇살",
    "Greek": "ήλιος στον τοίχο",
}


@pytest.mark.skipif(
    not EVERY_FONT, reason="the summary's fonts are not installed (README: Dependencies)"
)
@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_each_script_is_drawn_with_a_font_for_it(script: str) -> None:
    words = SCRIPTS[script]
    made = build_summary(glimmers=[row(1, 1, words)], zone_name="UTC", now=NOW, start=None)
    assert made is not None
    drawn = " ".join(pdf_pages(made.pdf)[0][0].split())
    # Shaped scripts come back from the PDF in their written order, or as their letters.
    letters = {c for c in words if not c.isspace()}
    assert letters <= set(drawn)


def test_nothing_in_the_span_makes_no_summary() -> None:
    old = [row(1, 400, "a year and more ago")]
    assert (
        build_summary(glimmers=old, zone_name="UTC", now=NOW, start=NOW - timedelta(days=365))
        is None
    )
    assert build_summary(glimmers=old, zone_name="UTC", now=NOW, start=None) is not None


def test_long_text_is_split_into_messages_telegram_takes() -> None:
    text = "\n".join(["😀" * 1500, "a&b<c>" * 10, "x" * 9000, "short"])
    parts = plain_parts(text)
    assert all(utf16_len(html.unescape(part)) <= 4000 for part in parts)
    assert "\n".join(html.unescape(part) for part in parts).replace("\n", "") == text.replace(
        "\n", ""
    )


async def test_summary_end_to_end_as_a_pdf_and_text(
    fake: FakeTelegram, runner: BotRunner, tmp_path: Path
) -> None:
    ivy = fake.user(910)
    await ivy.send("/summary")
    asked = await ivy.reply()
    assert asked.button_texts() == list(texts.BUTTON_REPORT.values())
    await ivy.press(asked, "Last 4 weeks")
    assert (await ivy.wait_edit(asked.message_id)).text.startswith("A summary of your glimmers")
    assert (await ivy.reply(timeout=30)).text == texts.REPORT_NONE

    await ivy.send("sunlight on the kettle #home\nbirdsong & rain <3")
    await ivy.reply()
    await ivy.send("/summary")
    asked = await ivy.reply()
    await ivy.press(asked, "Everything")
    await ivy.press(asked, "Everything")  # twice: one summary
    pdf, intro, words = await ivy.replies(3, timeout=30)
    assert pdf.document is not None and pdf.document_name is not None
    assert pdf.document_name.startswith("glimmers-summary-") and pdf.document_name.endswith(".pdf")
    assert "sunlight on the kettle #home" in pdf_pages(pdf.document)[0][0]
    assert intro.text == texts.REPORT_TEXT_INTRO
    assert "birdsong & rain <3" in words.text and "not a clinical assessment" in words.text
    await ivy.no_reply(wait=0.5)
    assert fake.rejections == []


def test_a_long_stretch_is_counted_by_month_or_year_and_the_future_left_out() -> None:
    rows = [row(n, n * 40, f"glimmer {n}") for n in range(20)]  # about two years, monthly
    made = build_summary(glimmers=rows, zone_name="UTC", now=NOW, start=None)
    assert made is not None and "Months: " in made.text
    decades = [row(n, n * 400, f"glimmer {n}") for n in range(20)]  # about 22 years
    made = build_summary(glimmers=decades, zone_name="UTC", now=NOW, start=None)
    assert made is not None and "Years: " in made.text and len(made.text) < 4000
    future = [row(1, 1, "yesterday"), row(2, -30000, "in the year 2109")]
    made = build_summary(glimmers=future, zone_name="UTC", now=NOW, start=None)
    assert made is not None and "2109" not in made.text and made.count == 1


def test_one_savoured_glimmer_reads_as_one() -> None:
    rows = [row(1, 1, "tea", ladder_before="mobilised", ladder_after="safe")]
    made = build_summary(glimmers=rows, zone_name="UTC", now=NOW, start=None)
    assert made is not None
    assert "1 glimmer savoured with the ladder question before and after; it ended closer" in (
        made.text
    )


def test_a_summary_of_one_day_names_the_day_once() -> None:
    made = build_summary(
        glimmers=[row(1, 1, "tea"), row(2, 1.01, "rain")], zone_name="UTC", now=NOW, start=None
    )
    assert made is not None
    day = day_and_year((NOW - timedelta(days=1)).date())
    assert f"{day}: 2 glimmers." in made.text and f"{day} to {day}" not in made.text
