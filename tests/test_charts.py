"""The recap picture: a real PNG, wide enough, drawn without warnings, empty weeks included."""

from __future__ import annotations

import struct
import warnings
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest

from bot.domain.glimmers import SENSES
from bot.domain.recap import WeekRecap
from bot.ui import texts
from bot.ui.charts import (
    chart_caption_facts,
    plain_label,
    recap_chart,
    spoken_chart_words,
    spoken_recap_chart,
)
from bot.ui.language import in_language, speaking

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
START = date(2026, 11, 19)


def week(counts: list[int], senses: list[tuple[str, int]]) -> WeekRecap:
    return WeekRecap(
        start=START,
        end=START + timedelta(days=6),
        total=sum(counts),
        days_with_glimmers=sum(1 for count in counts if count),
        per_day=[(START + timedelta(days=n), count) for n, count in enumerate(counts)],
        senses=senses,
        body_cues=[],
        savoured=0,
        closer_to_safe=0,
        top=None,
        samples=[],
        streak_days=0,
    )


BUSY = week([2, 0, 5, 1, 0, 3, 4], [("sound", 6), ("sight", 4), ("people", 3), ("memory", 1)])
EMPTY = week([0] * 7, [])


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == PNG_SIGNATURE
    length, kind = struct.unpack(">I4s", png[8:16])
    assert kind == b"IHDR" and length == 13
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def draw(recap: WeekRecap, **kwargs: object) -> bytes:
    """Draw with every warning turned into an error (missing glyphs included).

    The suite already treats warnings as errors; this keeps the check when run on its own.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return recap_chart(recap, sense_labels=texts.SENSE_LABELS, **kwargs)  # type: ignore[arg-type]


def test_busy_week_is_a_wide_png() -> None:
    width, height = png_size(draw(BUSY))
    assert width >= 800
    assert height >= 800


def test_empty_week_draws() -> None:
    width, _ = png_size(draw(EMPTY))
    assert width >= 800


def test_days_without_senses_draw() -> None:
    png_size(draw(week([1, 0, 0, 0, 0, 0, 2], [])))


def test_every_sense_emoji_label_and_odd_labels_draw_without_warnings() -> None:
    every = week([1] * 7, [(code, 10 - n) for n, code in enumerate(SENSES)] + [("new", 1)])
    day_labels = ["🌞 Mon", "Di $5$", "水", "Thu", "Fri ✨", "Sat", "Sun 👂"]
    png_size(draw(every, day_labels=day_labels))


def test_day_labels_must_cover_the_week() -> None:
    with pytest.raises(ValueError):
        draw(BUSY, day_labels=["Mon"])


@pytest.mark.parametrize("code", SENSES)
def test_plain_label_drops_the_leading_emoji(code: str) -> None:
    label = plain_label(texts.SENSE_LABELS[code])
    assert label
    assert label[0].isalnum()
    assert label in texts.SENSE_LABELS[code]


def test_plain_label_examples() -> None:
    assert plain_label("👂 Sound") == "Sound"
    assert plain_label("Sound") == "Sound"
    assert plain_label("✨ ") == ""


def test_charts_draw_in_worker_threads() -> None:
    def job(recap: WeekRecap) -> bytes:
        return recap_chart(recap, sense_labels=texts.SENSE_LABELS)

    with ThreadPoolExecutor(max_workers=2) as pool:
        pngs = list(pool.map(job, [BUSY, EMPTY, BUSY]))
    assert all(png.startswith(PNG_SIGNATURE) for png in pngs)


def test_caption_facts() -> None:
    facts = chart_caption_facts(BUSY)
    assert facts["busiest_day"] == START + timedelta(days=2)
    assert facts["busiest_count"] == 5
    assert facts["top_sense"] == "sound"
    assert facts["top_sense_count"] == 6
    assert facts["total"] == 15

    tied = chart_caption_facts(week([3, 0, 3, 0, 0, 0, 0], []))
    assert tied["busiest_day"] == START
    assert tied["busiest_days"] == [START, START + timedelta(days=2)]
    assert tied["top_sense"] is None


def test_caption_facts_for_an_empty_week() -> None:
    facts = chart_caption_facts(EMPTY)
    assert facts["busiest_day"] is None
    assert facts["busiest_days"] == []
    assert facts["busiest_count"] == 0
    assert facts["top_sense"] is None
    assert facts["total"] == 0


@pytest.mark.parametrize("code", ["de", "ru"])
def test_the_picture_is_drawn_in_the_persons_language(code: str) -> None:
    """The worker process draws in the language it is handed (language.in_language)."""
    words = in_language(code, spoken_chart_words)
    assert words.title != spoken_chart_words().title  # the English
    with speaking(code):
        assert words.title == texts.CHART_TITLE and words.per_day == texts.CHART_PER_DAY
    png = in_language(code, spoken_recap_chart, BUSY)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
