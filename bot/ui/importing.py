"""Reading a journal file someone sends: the bot's own export (JSON or CSV), a Daylio CSV
export, or a Presently CSV export, into glimmers to bring in.

Pure: bytes in, plain values out, nothing written. A file that can't be read whole raises
`Unreadable` naming the problem and where (so the person can fix it or send another); nothing
is brought in from it. What each format becomes:

- our JSON (`schema_version` 1) and CSV: every field back as it was exported;
- Daylio (`full_date,date,weekday,time,mood,activities,note_title,note`, or the older
  `year,date,weekday,time,mood,activities,note`): each entry with a note or title becomes a
  glimmer at its date and time, its activities become #tags, its mood a last line "Mood: …";
  entries with neither note nor title are counted as skipped;
- Presently (a date column and an entry column, `entryDate,entryContent`): each entry a
  glimmer at noon of its day.

Local dates and times (Daylio, Presently) are read in the person's time zone.
"""

from __future__ import annotations

import csv
import enum
import html
import io
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.glimmers import BODY_CUES, LADDER, LANDED_SCALE, SENSES, visible
from bot.domain.search import folded
from bot.ui import texts
from bot.ui.export import FORMULA_STARTS, SCHEMA_VERSION, label_of
from bot.ui.language import in_every_language
from storage.models import Incoming

MOST_BYTES = 5 * 1024 * 1024
MOST_ENTRIES = 20_000
MOST_TEXT = 4096  # a glimmer is at most a Telegram message long
PRESENTLY_HOUR = time(12, 0)
# No journal entry is older than this (and none is from the future): a year 202 is a typo.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)


class Source(enum.Enum):
    """Where a file came from; texts.IMPORT_SOURCES names each for the person."""

    OURS_JSON = "ours_json"
    OURS_CSV = "ours_csv"
    DAYLIO = "daylio"
    PRESENTLY = "presently"


@dataclass(frozen=True)
class Found:
    source: Source
    entries: list[Incoming]
    skipped: int  # entries with nothing to keep (a Daylio mood without a note)

    @property
    def first(self) -> datetime:
        return min(e.created_at for e in self.entries)

    @property
    def last(self) -> datetime:
        return max(e.created_at for e in self.entries)


@dataclass(frozen=True)
class Waiting:
    """A file read and described, waiting for "Bring them in" under the question that asked
    (`question`, its message id); `said` once it was brought in."""

    question: int
    found: Found
    said: str | None = None


class Unreadable(Exception):
    """The file can't be brought in; the message says why, for the person to read."""


def read_journal(data: bytes, zone: ZoneInfo, now: datetime) -> Found:
    """What a file holds, every entry dated between EARLIEST and tomorrow."""
    try:
        found = _read(data, zone)
    except (ValueError, OverflowError, KeyError, UnicodeError, RecursionError):
        # Whatever slipped past the checks below: still a kind reply, never a traceback.
        raise Unreadable(texts.IMPORT_UNKNOWN) from None
    latest = now + timedelta(days=1)
    for number, entry in enumerate(found.entries, start=1):
        if not EARLIEST <= entry.created_at <= latest:
            raise Unreadable(texts.IMPORT_BAD_WHEN.format(number=number))
    return found


def _read(data: bytes, zone: ZoneInfo) -> Found:
    if len(data) > MOST_BYTES:
        raise Unreadable(texts.IMPORT_TOO_BIG)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Unreadable(texts.IMPORT_NOT_TEXT) from None
    if "\x00" in text:
        raise Unreadable(texts.IMPORT_NOT_TEXT)
    stripped = text.lstrip()
    found = _ours_json(stripped) if stripped.startswith("{") else _csv(text, zone)
    if len(found.entries) > MOST_ENTRIES:
        raise Unreadable(texts.IMPORT_TOO_MANY.format(most=MOST_ENTRIES))
    return found


# -- this bot's own files ----------------------------------------------------------------------


def _ours_json(text: str) -> Found:
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise Unreadable(texts.IMPORT_BAD_JSON) from None
    if (
        not isinstance(document, dict)
        or document.get("schema_version") != SCHEMA_VERSION
        or not isinstance(document.get("glimmers"), list)
    ):
        raise Unreadable(texts.IMPORT_UNKNOWN)
    entries = []
    for number, item in enumerate(document["glimmers"], start=1):
        if not isinstance(item, dict):
            raise Unreadable(
                texts.IMPORT_BAD_ENTRY.format(number=number, what=texts.IMPORT_WHAT["entry"])
            )
        entries.append(_checked(number, item))
    return Found(Source.OURS_JSON, entries, 0)


def _checked(number: int, item: Mapping[str, Any]) -> Incoming:
    """One exported glimmer, every field checked as the bot itself would store it."""

    def bad(what: str) -> Unreadable:
        return Unreadable(
            texts.IMPORT_BAD_ENTRY.format(number=number, what=texts.IMPORT_WHAT[what])
        )

    text = item.get("text")
    if not isinstance(text, str) or not _writable(text) or not visible(text):
        raise bad("words")
    created = item.get("created_at")
    try:
        when = datetime.fromisoformat(created) if isinstance(created, str) else None
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise bad("time")

    def code(key: str, allowed: Sequence[object]) -> Any:
        value = item.get(key)
        # type() as well: True == 1, and a JSON true is no answer of 1.
        if value is not None and (value not in allowed or type(value) is bool):
            raise bad(key.replace("_", " "))
        return value

    note = item.get("body_note")
    if note is not None and not _writable(note):
        raise bad("body note")
    seconds = item.get("savour_seconds")
    if seconds is not None and (type(seconds) is not int or not 0 < seconds <= 3600):
        raise bad("savouring")
    starred = item.get("starred", False)
    if not isinstance(starred, bool):
        raise bad("star")
    return Incoming(
        created_at=when.astimezone(UTC),
        text=text,
        sense=code("sense", SENSES),
        body_cue=code("body_cue", BODY_CUES),
        body_note=note,
        ladder_before=code("ladder_before", LADDER),
        ladder_after=code("ladder_after", LADDER),
        savour_seconds=seconds,
        landed=code("landed", LANDED_SCALE),
        starred=starred,
    )


def _writable(text: object) -> bool:
    """A string the bot can store and send back: not too long, no NUL, valid UTF-8."""
    if not isinstance(text, str) or not text.strip() or len(text) > MOST_TEXT or "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, from a JSON \ud800 escape
        return False
    return True


# Labels the bot's spreadsheets held once, in a language whose catalog words them otherwise
# now: kept so those files still come back ({"SENSE_LABELS": {"old label": "sound"}}).
EARLIER_LABELS: dict[str, dict[str, str]] = {}


def _codes(name: str) -> dict[str, str]:
    """From an exported label (no emoji) in any language the bot speaks, or the code itself,
    back to the code: `name` is the labels' name in texts.py."""
    found: dict[str, str] = {
        folded(label): code for label, code in EARLIER_LABELS.get(name, {}).items()
    }
    for labels in in_every_language(lambda: dict(getattr(texts, name))):
        found.update({folded(label_of(labels, code)): code for code in labels})
    found.update({code: code for code in found.values()})
    return found


def _ours_csv(rows: Iterator[list[str]]) -> Found:
    senses, cues, rungs = (
        _codes("SENSE_LABELS"),
        _codes("BODY_LABELS"),
        _codes("LADDER_LABELS"),
    )
    yes = {folded(word) for word in in_every_language(lambda: texts.EXPORT_YES)}
    yes |= {folded(word) for word in EARLIER_LABELS.get("EXPORT_YES", {})}
    entries = []
    for number, row in enumerate(rows, start=1):
        if not any(row):
            continue
        if len(row) != len(texts.EXPORT_CSV_HEADER):
            raise Unreadable(texts.IMPORT_BAD_ROW.format(number=number + 1))
        _, _, _, utc, text, sense, cue, note, before, after, seconds, landed, starred = row

        def known(
            value: str, codes: Mapping[str, str], what: str, row_number: int = number
        ) -> str | None:
            if not value:
                return None
            if folded(value) not in codes:
                raise Unreadable(
                    texts.IMPORT_BAD_ENTRY.format(number=row_number, what=texts.IMPORT_WHAT[what])
                )
            return codes[folded(value)]

        def whole(value: str, what: str, row_number: int = number) -> int | None:
            if not value:
                return None
            if not (value.isascii() and value.isdecimal()):
                raise Unreadable(
                    texts.IMPORT_BAD_ENTRY.format(number=row_number, what=texts.IMPORT_WHAT[what])
                )
            return int(value)

        item = {
            "text": _unsafe(text),
            "created_at": utc,
            "sense": known(sense, senses, "sense"),
            "body_cue": known(cue, cues, "body cue"),
            "body_note": _unsafe(note) or None,
            "ladder_before": known(before, rungs, "ladder before"),
            "ladder_after": known(after, rungs, "ladder after"),
            "savour_seconds": whole(seconds, "savouring"),
            "landed": whole(landed, "landed"),
            "starred": folded(starred) in yes,
        }
        entries.append(_checked(number, item))
    return Found(Source.OURS_CSV, entries, 0)


def _unsafe(text: str) -> str:
    """Undo the export's guard against spreadsheet formulas (a leading apostrophe)."""
    if text[:1] == "'" and text[1:2] in FORMULA_STARTS:
        return text[1:]
    return text


# -- other apps' CSV files -----------------------------------------------------------------------


def _csv(text: str, zone: ZoneInfo) -> Found:
    try:
        rows = csv.reader(io.StringIO(text, newline=""))
        header = next(rows, None)
        if header is None:
            raise Unreadable(texts.IMPORT_EMPTY)
        names = [folded(name.strip()) for name in header]
        if tuple(header) in in_every_language(lambda: texts.EXPORT_CSV_HEADER):
            return _ours_csv(rows)
        if names[:1] in (["full_date"], ["year"]) and set(names) >= DAYLIO_NEEDS:
            return _daylio(names, rows, zone)
        if (
            len(names) == 2
            and names[0] in ("entrydate", "date")
            and names[1]
            in (
                "entrycontent",
                "entry",
                "content",
            )
        ):
            return _presently(rows, zone)
        if len(header) == len(texts.EXPORT_CSV_HEADER):
            # Our spreadsheet with its header in words no catalog has today (a translation
            # changed since, or a person's own): the columns say what each one holds.
            return _ours_csv(rows)
    except csv.Error:
        raise Unreadable(texts.IMPORT_BAD_CSV) from None
    raise Unreadable(texts.IMPORT_UNKNOWN)


TAG_UNSAFE = re.compile(r"\W+")


def _stored(text: str) -> str:
    """Another app's words as the bot keeps words: at most a message long, no NUL, and no
    half of a character a file could not encode."""
    text = text.replace("\x00", "")[:MOST_TEXT]
    return text.encode("utf-8", "replace").decode("utf-8")


HTML_BREAK = re.compile(r"<br\s*/?>|</p>|</li>", re.IGNORECASE)
HTML_TAG = re.compile(r"<[^>]{0,200}>")


def _plain(note: str) -> str:
    """Daylio notes may hold a little HTML (bold, lists, line breaks): keep only the words."""
    return html.unescape(HTML_TAG.sub("", HTML_BREAK.sub("\n", note))).strip()


def _daylio(names: list[str], rows: Iterator[list[str]], zone: ZoneInfo) -> Found:
    entries: list[Incoming] = []
    skipped = 0
    for number, row in enumerate(rows, start=2):
        if not any(row):
            continue
        if len(row) != len(names):
            raise Unreadable(texts.IMPORT_BAD_ROW.format(number=number))
        cell = dict(zip(names, row, strict=True))
        when = _daylio_time(cell, zone)
        if when is None:
            raise Unreadable(texts.IMPORT_BAD_DATE.format(number=number))
        words = "\n".join(
            part for part in (_plain(cell.get("note_title", "")), _plain(cell["note"])) if part
        )
        if not visible(words):
            skipped += 1
            continue
        tags = []
        for activity in cell.get("activities", "").split("|"):
            tag = TAG_UNSAFE.sub("_", activity.strip()).strip("_")
            if tag and f"#{tag}" not in tags:
                tags.append(f"#{tag}")
        lines = [words]
        if tags:
            lines.append(" ".join(tags))
        if cell["mood"].strip():
            lines.append(texts.IMPORT_MOOD.format(mood=cell["mood"].strip()))
        entries.append(Incoming(when, _stored("\n".join(lines))))
    return Found(Source.DAYLIO, entries, skipped)


DAYLIO_TIMES = ("%I:%M %p", "%H:%M")
DAYLIO_NEEDS = frozenset({"date", "time", "mood", "activities", "note"})


def _daylio_time(cell: Mapping[str, str], zone: ZoneInfo) -> datetime | None:
    try:
        if "full_date" in cell:
            day = date.fromisoformat(cell["full_date"].strip())
        else:
            day = datetime.strptime(
                f"{cell['date'].strip()} {cell['year'].strip()}", "%d %B %Y"
            ).date()
    except ValueError:
        return None
    for pattern in DAYLIO_TIMES:
        try:
            clock = datetime.strptime(cell["time"].strip().upper(), pattern).time()
        except ValueError:
            continue
        return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)
    return None


def _presently(rows: Iterator[list[str]], zone: ZoneInfo) -> Found:
    entries = []
    skipped = 0
    for number, row in enumerate(rows, start=2):
        if not any(row):
            continue
        if len(row) != 2:
            raise Unreadable(texts.IMPORT_BAD_ROW.format(number=number))
        try:
            day = date.fromisoformat(row[0].strip()[:10])
        except ValueError:
            raise Unreadable(texts.IMPORT_BAD_DATE.format(number=number)) from None
        words = row[1].strip()
        if not visible(words):
            skipped += 1
            continue
        when = datetime.combine(day, PRESENTLY_HOUR, tzinfo=zone).astimezone(UTC)
        entries.append(Incoming(when, _stored(words)))
    return Found(Source.PRESENTLY, entries, skipped)
