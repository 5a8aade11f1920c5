"""/summary: a person's glimmers over a span of time, for their therapist: an A4 PDF (fpdf2)
and the same in plain text, to paste into a message.

Pure: plain rows in, bytes and text out; built in the worker process (it draws a chart with
matplotlib and lays out pages). The PDF is written in DejaVu Sans (shipped with matplotlib)
with text shaping (uharfbuzz), so Latin, Greek, Cyrillic, Hebrew and Arabic read as typed; a
font on the system for Chinese, Japanese and Korean (Droid Sans Fallback, the Debian package
fonts-droid-fallback, which the Dockerfile installs) is used when present. Characters no
font can draw (emoji, or a script without a font) are left out of the PDF cleanly, never
drawn as empty boxes; the plain-text version keeps every character.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.glimmers import BODY_CUES, LADDER, SENSES
from bot.domain.recap import moved_closer_to_safe
from bot.ui import texts
from bot.ui.export import count_phrase, day_and_year, label_of, parsed_row
from bot.ui.language import format_day

# The spans /summary offers: button argument -> days back (None: everything).
SPANS: dict[str, int | None] = {"4w": 28, "3m": 91, "1y": 365, "all": None}
STARRED_MOST = 30
SELECTION = 12
QUOTE_CHARS = 600

# Fonts on the system used after DejaVu Sans for what it lacks, when present.
FALLBACK_FONTS = (
    Path("/usr/share/fonts/truetype/freefont/FreeSans.ttf"),
    Path("/usr/share/fonts/truetype/freefont/FreeSerif.ttf"),
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),  # CJK and Hangul
)


@dataclass(frozen=True)
class Summary:
    pdf: bytes
    text: str
    count: int


@dataclass(frozen=True)
class Facts:
    """What the summary says, worked out once for the PDF and the text."""

    first: date
    last: date
    count: int
    days: int
    unit: str  # "week", "month" or "year": what each bar of the chart counts
    periods: list[tuple[date, int]]  # each period's first day, and its glimmers
    senses: list[tuple[str, int]]  # labels, most first
    body: list[tuple[str, int]]
    savoured: int
    closer: int
    before: list[tuple[str, int]]  # ladder labels before savouring, in ladder order
    after: list[tuple[str, int]]
    starred: list[tuple[date, str]]
    chosen: list[tuple[date, str]]


def since(now: datetime, span: str) -> datetime | None:
    days = SPANS[span]
    return None if days is None else now - timedelta(days=days)


def build_summary(
    *,
    glimmers: Sequence[Mapping[str, Any]],
    zone_name: str,
    now: datetime,
    start: datetime | None,
) -> Summary | None:
    """The summary of the kept glimmers made at or after `start` (all of them with None);
    None when there are none. ``glimmers`` are whole rows as stored (as /export reads them)."""
    zone = ZoneInfo(zone_name)
    rows = [parsed_row(row) for row in glimmers if row["status"] == "complete"]
    latest = now + timedelta(days=1)
    rows = [
        r for r in rows if (start is None or r["created_at"] >= start) and r["created_at"] <= latest
    ]
    if not rows:
        return None
    facts = _facts(rows, zone)
    return Summary(
        pdf=_pdf(facts, now.astimezone(zone).date()), text=_text(facts), count=facts.count
    )


def _facts(rows: Sequence[Mapping[str, Any]], zone: ZoneInfo) -> Facts:
    def day(row: Mapping[str, Any]) -> date:
        moment: datetime = row["created_at"]
        return moment.astimezone(zone).date()

    days = sorted({day(row) for row in rows})
    unit, periods = _periods([day(row) for row in rows])
    savoured = [r for r in rows if r["ladder_before"] and r["ladder_after"]]

    def ranked(key: str, labels: Mapping[str, str], order: Sequence[str]) -> list[tuple[str, int]]:
        counts = Counter(r[key] for r in rows if r[key])
        codes = sorted(counts, key=lambda c: (-counts[c], order.index(c) if c in order else 99))
        return [(label_of(labels, c), counts[c]) for c in codes]

    def ladder(key: str) -> list[tuple[str, int]]:
        counts = Counter(r[key] for r in savoured)
        return [(label_of(texts.LADDER_LABELS, c), counts[c]) for c in LADDER if counts[c]]

    newest = sorted(rows, key=lambda r: r["created_at"], reverse=True)
    starred = [r for r in newest if r["starred"]]
    others = [r for r in newest if not r["starred"]]
    chosen = sorted(others, key=lambda r: -(r["landed"] or 0))[:SELECTION]
    chosen.sort(key=lambda r: r["created_at"], reverse=True)
    return Facts(
        first=days[0],
        last=days[-1],
        count=len(rows),
        days=len(days),
        unit=unit,
        periods=periods,
        senses=ranked("sense", texts.SENSE_LABELS, SENSES)[:6],
        body=ranked("body_cue", texts.BODY_LABELS, BODY_CUES)[:6],
        savoured=len(savoured),
        closer=sum(moved_closer_to_safe(r["ladder_before"], r["ladder_after"]) for r in savoured),
        before=ladder("ladder_before"),
        after=ladder("ladder_after"),
        starred=[(day(r), r["text"]) for r in starred[:STARRED_MOST]],
        chosen=[(day(r), r["text"]) for r in chosen],
    )


MOST_WEEKS = 26  # more than this are counted by month,
MOST_MONTHS = 60  # and more than this by year


def _periods(days: Sequence[date]) -> tuple[str, list[tuple[date, int]]]:
    """Glimmers per week, or per month or year for a long stretch: every period from the
    first to the last, empty ones too, and never more than a chart can show."""
    first, last = min(days), max(days)
    if (last - first).days < 7 * MOST_WEEKS:
        unit = "week"
    elif (last.year - first.year) * 12 + last.month - first.month < MOST_MONTHS:
        unit = "month"
    else:
        unit = "year"

    def start(d: date) -> date:
        if unit == "week":
            return d - timedelta(days=d.weekday())
        return d.replace(day=1) if unit == "month" else d.replace(month=1, day=1)

    counts = Counter(start(d) for d in days)
    periods: list[tuple[date, int]] = []
    current = start(first)
    while current <= last:
        periods.append((current, counts[current]))
        if unit == "week":
            current += timedelta(days=7)
        elif unit == "month":
            current = (current + timedelta(days=32)).replace(day=1)
        else:
            current = current.replace(year=current.year + 1)
    return unit, periods


def _period_name(unit: str, d: date) -> str:
    if unit == "week":
        return format_day(d, "MMMd")
    return format_day(d, "yMMM") if unit == "month" else str(d.year)


def _counted(pairs: Sequence[tuple[str, int]]) -> str:
    return ", ".join(f"{name} ({count})" for name, count in pairs)


def _lines(facts: Facts) -> list[tuple[str, str]]:
    """The summary as (kind, words): "title", "heading", "text", "entry" or "chart"."""
    out = [
        ("title", texts.REPORT_TITLE),
        ("text", _span(facts)),
        ("text", texts.REPORT_ABOUT),
        ("heading", texts.REPORT_PER_PERIOD[facts.unit]),
        ("chart", ""),
    ]
    if facts.senses or facts.body:
        out.append(("heading", texts.REPORT_BRINGS))
        if facts.senses:
            out.append(("text", texts.REPORT_SENSES.format(senses=_counted(facts.senses))))
        if facts.body:
            out.append(("text", texts.REPORT_BODY.format(cues=_counted(facts.body))))
    out.append(("heading", texts.REPORT_LADDER))
    if facts.savoured:
        if facts.savoured == 1:
            savoured = (
                texts.REPORT_SAVOURED_ONE_CLOSER if facts.closer else texts.REPORT_SAVOURED_ONE_NOT
            )
        else:
            savoured = texts.REPORT_SAVOURED.format(savoured=facts.savoured, closer=facts.closer)
        out.append(("text", savoured))
        out.append(("text", texts.REPORT_BEFORE.format(states=_counted(facts.before))))
        out.append(("text", texts.REPORT_AFTER.format(states=_counted(facts.after))))
    else:
        out.append(("text", texts.REPORT_NO_LADDER))
    if facts.starred:
        out.append(("heading", texts.REPORT_STARRED))
        out += [("entry", _dated(d, t)) for d, t in facts.starred]
    if facts.chosen:
        out.append(("heading", texts.REPORT_SELECTION))
        out += [("entry", _dated(d, t)) for d, t in facts.chosen]
    return out


def _span(facts: Facts) -> str:
    """From when to when, and how many: one day is named once."""
    if facts.first == facts.last:
        return texts.REPORT_SPAN_ONE_DAY.format(
            day=day_and_year(facts.first), count=count_phrase(facts.count)
        )
    return texts.REPORT_SPAN.format(
        first=day_and_year(facts.first),
        last=day_and_year(facts.last),
        count=count_phrase(facts.count),
        days=texts.REPORT_DAYS.format(count=facts.days),
    )


def _dated(day: date, text: str) -> str:
    return texts.REPORT_ENTRY.format(date=day_and_year(day), text=_short(text))


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1].rstrip() + "…"


def _text(facts: Facts) -> str:
    parts = []
    for kind, words in _lines(facts):
        if kind == "chart":
            counts = ", ".join(
                texts.REPORT_PERIOD_COUNT.format(period=_period_name(facts.unit, d), count=n)
                for d, n in facts.periods
            )
            parts.append(texts.REPORT_PERIODS_TEXT[facts.unit].format(counts=counts))
        elif kind in ("title", "heading"):
            parts.append(f"\n{words.upper()}" if kind == "heading" else words)
        elif kind == "entry":
            parts.append(f"• {words}")
        else:
            parts.append(words)
    return "\n".join(parts).strip()


# -- the PDF ---------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _fonts() -> tuple[Path, Path, tuple[Path, ...], frozenset[int]]:
    """DejaVu Sans (regular, bold), the fallbacks present, and what they can draw together."""
    import matplotlib
    from fontTools.ttLib import TTFont

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
    fallbacks = tuple(p for p in FALLBACK_FONTS if p.exists())
    drawable: set[int] = set()
    for path in (regular, *fallbacks):
        with TTFont(path, lazy=True, fontNumber=0) as font:
            drawable.update(font.getBestCmap())
    return regular, bold, fallbacks, frozenset(drawable)


SPACES = re.compile(r" {2,}")


def writable(text: str) -> str:
    """The text without what no font here can draw (emoji, scripts without a font)."""
    known = _fonts()[3]
    kept = "".join(c for c in text if c in "\n\t" or ord(c) in known)
    return SPACES.sub(" ", kept).strip()


def _chart(unit: str, periods: Sequence[tuple[date, int]]) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(8, 3), dpi=150)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.bar(range(len(periods)), [n for _, n in periods], color="#0072B2")
    step = max(1, len(periods) // 12)
    ticks = list(range(0, len(periods), step))
    axes.set_xticks(ticks, [_period_name(unit, periods[i][0]) for i in ticks])
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylabel(texts.REPORT_CHART_AXIS)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    out = BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def _pdf(facts: Facts, today: date) -> bytes:
    from fpdf import FPDF

    regular, bold, fallbacks, _ = _fonts()
    footer = texts.REPORT_FOOTER.format(date=day_and_year(today))

    class Pages(FPDF):
        def footer(self) -> None:
            self.set_y(-14)
            self.set_font("Body", size=8)
            self.set_text_color(100)
            self.cell(0, 5, f"{footer} · {self.page_no()}/{{nb}}", align="C")
            self.set_text_color(0)

    pdf = Pages(format="A4", unit="mm")
    pdf.set_title(texts.REPORT_TITLE)
    pdf.set_creator("glimmers-bot")
    pdf.add_font("Body", fname=str(regular))
    pdf.add_font("Body", style="B", fname=str(bold))
    names = []
    for number, path in enumerate(fallbacks):
        pdf.add_font(f"Fallback{number}", fname=str(path))
        names.append(f"Fallback{number}")
    if names:
        pdf.set_fallback_fonts(names)
    pdf.set_text_shaping(True)
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(True, margin=20)
    pdf.alias_nb_pages()
    pdf.add_page()
    width = pdf.epw
    for kind, words in _lines(facts):
        if kind == "chart":
            pdf.image(BytesIO(_chart(facts.unit, facts.periods)), w=width)
            pdf.ln(2)
            continue
        size, style, gap = {
            "title": (20, "B", 4),
            "heading": (13, "B", 2),
            "text": (11, "", 2),
            "entry": (10.5, "", 1.5),
        }[kind]
        if kind == "heading":
            pdf.ln(3)
        pdf.set_font("Body", style=style, size=size)
        line = writable(words)
        if kind == "entry":
            line = "• " + line
        pdf.multi_cell(width, size * 0.5, line, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)
    return bytes(pdf.output())
