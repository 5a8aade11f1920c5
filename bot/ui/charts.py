"""The weekly recap picture: glimmers per day above the mix of senses, as PNG bytes.

Drawn with matplotlib's object API (Figure + FigureCanvasAgg, never pyplot), so it holds no
global state. Pure: no Telegram, no database. matplotlib (and numpy with it) is imported on
first use, which is in the worker process: the bot's own process never loads it (about 40 MB
and half a second of start-up).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from io import BytesIO
from typing import TYPE_CHECKING

from bot.domain.recap import WeekRecap
from bot.ui import texts
from bot.ui.language import day_names

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.ticker import MaxNLocator

# Okabe–Ito colours, safe for the common kinds of colour blindness.
BLUE = "#0072B2"
VERMILLION = "#D55E00"
INK = "#222222"
MUTED = "#666666"

WIDTH_IN = 10.0
HEIGHT_IN = 10.0
DPI = 100  # 1000 x 1000 px

TITLE_PT = 20
HEADING_PT = 17
LABEL_PT = 15
NOTE_PT = 16
MARGIN_PX = 20
DAYS_LEFT = 0.08  # room for the count labels


@dataclass(frozen=True)
class ChartWords:
    """The few words drawn on the picture (spoken_chart_words: from texts.py)."""

    title: str
    per_day: str
    senses: str
    empty_week: str
    no_senses: str


@lru_cache(maxsize=1)
def _drawable() -> frozenset[int]:
    """Code points the default font can draw."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    path = font_manager.findfont(font_manager.FontProperties())
    return frozenset(FT2Font(path).get_charmap())


def drawable(text: str) -> str:
    """The text without characters the font has no glyph for (so matplotlib never warns)."""
    known = _drawable()
    return "".join(ch for ch in text if ch in "\n " or ord(ch) in known).strip()


def plain_label(text: str) -> str:
    """A label without its leading emoji: "👂 Sound" → "Sound"."""
    start = 0
    while start < len(text) and not text[start].isalnum():
        start += 1
    return drawable(text[start:])


def default_day_labels(days: Sequence[date]) -> list[str]:
    """Under each bar, its weekday (in the language being spoken) above its day of the month."""
    names = day_names()
    return [f"{names[day.weekday()]}\n{day.day}" for day in days]


def _note(ax: Axes, text: str) -> None:
    ax.text(
        0.5,
        0.5,
        drawable(text),
        transform=ax.transAxes,
        ha="center",
        va="center",
        fontsize=NOTE_PT,
        color=MUTED,
        parse_math=False,
    )


def _tidy(ax: Axes) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=LABEL_PT, colors=INK)


def _draw_days(ax: Axes, recap: WeekRecap, labels: Sequence[str], words: ChartWords) -> None:
    counts = [count for _, count in recap.per_day]
    positions = list(range(len(counts)))
    bars = ax.bar(positions, counts, color=BLUE, width=0.65)
    shown = [str(count) if count else "" for count in counts]
    ax.bar_label(bars, labels=shown, padding=3, fontsize=LABEL_PT, color=INK)
    ax.set_xticks(positions, [drawable(label) for label in labels], parse_math=False)
    ax.yaxis.set_major_locator(_whole_numbers())
    ax.set_ylim(0, max(1.0, max(counts, default=0) * 1.18))
    ax.set_title(drawable(words.per_day), fontsize=HEADING_PT, color=INK, loc="left")
    ax.grid(axis="y", color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)
    _tidy(ax)
    if recap.total == 0:
        _note(ax, words.empty_week)


def _draw_senses(ax: Axes, recap: WeekRecap, names: Sequence[str], words: ChartWords) -> None:
    ax.set_title(drawable(words.senses), fontsize=HEADING_PT, color=INK, loc="left")
    _tidy(ax)
    if not recap.senses:
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_visible(False)
        _note(ax, words.no_senses)
        return
    counts = [count for _, count in recap.senses]
    positions = list(range(len(counts)))
    bars = ax.barh(positions, counts, color=VERMILLION, height=0.6)
    ax.bar_label(bars, padding=4, fontsize=LABEL_PT, color=INK)
    ax.set_yticks(positions, names, parse_math=False)
    ax.invert_yaxis()  # most noticed at the top
    ax.xaxis.set_major_locator(_whole_numbers())
    ax.set_xlim(0, max(counts) * 1.15)
    ax.grid(axis="x", color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)


def spoken_recap_chart(recap: WeekRecap) -> bytes:
    """The recap picture in the words of the language being spoken (language.in_language
    carries it into the worker process)."""
    return recap_chart(recap, sense_labels=dict(texts.SENSE_LABELS))


def spoken_chart_words() -> ChartWords:
    """The words drawn on the picture, in the language being spoken."""
    return ChartWords(
        title=texts.CHART_TITLE,
        per_day=texts.CHART_PER_DAY,
        senses=texts.CHART_SENSES,
        empty_week=texts.CHART_EMPTY_WEEK,
        no_senses=texts.CHART_NO_SENSES,
    )


def recap_chart(
    recap: WeekRecap,
    *,
    sense_labels: Mapping[str, str],
    day_labels: Sequence[str] | None = None,
    words: ChartWords | None = None,
) -> bytes:
    """A 1000x1000 px PNG: glimmers per day (bars) above the mix of senses (horizontal bars)."""
    words = words or spoken_chart_words()
    days = [day for day, _ in recap.per_day]
    labels = list(day_labels) if day_labels is not None else default_day_labels(days)
    if len(labels) != len(days):
        raise ValueError(f"need {len(days)} day labels, got {len(labels)}")

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    canvas = FigureCanvasAgg(figure)
    figure.suptitle(drawable(words.title), fontsize=TITLE_PT, color=INK, fontweight="bold", y=0.975)
    names = [plain_label(sense_labels.get(code, code)) or code for code, _ in recap.senses]
    # Fixed margins, measured from the longest sense name, instead of a layout engine: the
    # constrained layout drew everything twice and took a third of the time.
    widest = max((_text_width(canvas, name) for name in names), default=0.0)
    left = min(0.45, max(DAYS_LEFT, (widest + 2 * MARGIN_PX) / (WIDTH_IN * DPI)))
    days_ax = figure.add_axes((DAYS_LEFT, 0.56, 0.95 - DAYS_LEFT, 0.325))
    senses_ax = figure.add_axes((left, 0.04, 0.95 - left, 0.40))
    _draw_days(days_ax, recap, labels, words)
    _draw_senses(senses_ax, recap, names, words)

    buffer = BytesIO()
    figure.savefig(
        buffer, format="png", dpi=DPI, facecolor="white", pil_kwargs={"compress_level": 1}
    )
    return buffer.getvalue()


def _text_width(canvas: FigureCanvasAgg, text: str) -> float:
    """Width in pixels of a sense name at the label size."""
    from matplotlib.font_manager import FontProperties

    renderer = canvas.get_renderer()  # type: ignore[no-untyped-call]
    width, _, _ = renderer.get_text_width_height_descent(
        text, FontProperties(size=LABEL_PT), ismath=False
    )
    return float(width)


def _whole_numbers() -> MaxNLocator:
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(integer=True)


def chart_caption_facts(recap: WeekRecap) -> dict[str, object]:
    """What the chart shows, as data for a caption that says it in words.

    busiest_day is the earliest of the busiest days (None for an empty week); busiest_days
    lists all of them. top_sense is the most picked sense code, or None.
    """
    busiest_count = max((count for _, count in recap.per_day), default=0)
    busiest_days = [day for day, count in recap.per_day if busiest_count and count == busiest_count]
    top_sense, top_sense_count = recap.senses[0] if recap.senses else (None, 0)
    return {
        "start": recap.start,
        "end": recap.end,
        "total": recap.total,
        "days_with_glimmers": recap.days_with_glimmers,
        "busiest_day": busiest_days[0] if busiest_days else None,
        "busiest_days": busiest_days,
        "busiest_count": busiest_count,
        "top_sense": top_sense,
        "top_sense_count": top_sense_count,
        "senses_picked": sum(count for _, count in recap.senses),
    }
