"""A person's whole journal as three files: JSON (everything), CSV (a spreadsheet), Markdown.

Pure: plain values in, bytes out, no Telegram and no database, so the work can run in the
background process while the bot goes on answering everyone else.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import groupby
from typing import Any
from zoneinfo import ZoneInfo

from bot.ui import texts
from bot.ui.language import format_day, zone_name
from storage.models import from_db_time

SCHEMA_VERSION = 1

# Markdown that a glimmer's own words could set off by accident.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~&])")
# Line starts that make a list, a quote, or (=== / ---) a heading of the line before.
_LIST_OR_HEADING_START = re.compile(r"^(\s*)([-+>=]|\d+[.)])")


@dataclass(frozen=True)
class ExportFiles:
    json: bytes
    csv: bytes
    journal: bytes
    count: int


def build_export(
    *,
    settings: Mapping[str, Any],
    glimmers: Sequence[Mapping[str, Any]],
    zone_name: str,
    now: datetime,
) -> ExportFiles:
    """The three files for one person. ``glimmers`` are whole rows as stored, oldest first;
    ``settings`` is the person's row of preferences, as stored."""
    zone = ZoneInfo(zone_name)
    glimmers = [parsed_row(row) for row in glimmers]
    return ExportFiles(
        json=_json(settings, glimmers, zone_name, zone, now),
        csv=_csv(glimmers, zone),
        journal=_journal(glimmers, zone, now),
        count=len(glimmers),
    )


def file_names(now: datetime, zone_name: str) -> tuple[str, str, str]:
    day = now.astimezone(ZoneInfo(zone_name)).date().isoformat()
    stem = texts.EXPORT_FILE_NAME.format(day=day)
    return f"{stem}.json", f"{stem}.csv", f"{stem}.md"


def _utc(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _local(moment: datetime | None, zone: ZoneInfo) -> str | None:
    return moment.astimezone(zone).isoformat() if moment is not None else None


TIME_COLUMNS = ("created_at", "updated_at", "savour_due_at")
FLAG_COLUMNS = ("starred",)


def parsed_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A stored row with its times as datetimes and its flags as booleans."""
    parsed = dict(row)
    for key in TIME_COLUMNS:
        if parsed.get(key):
            parsed[key] = from_db_time(parsed[key])
    for key in FLAG_COLUMNS:
        if key in parsed:
            parsed[key] = bool(parsed[key])
    return parsed


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return _utc(value)
    return value


def _json(
    settings: Mapping[str, Any],
    glimmers: Sequence[Mapping[str, Any]],
    zone_name: str,
    zone: ZoneInfo,
    now: datetime,
) -> bytes:
    entries = []
    for glimmer in glimmers:
        entry = {key: _plain(value) for key, value in glimmer.items()}
        entry["created_at_local"] = _local(glimmer["created_at"], zone)
        entries.append(entry)
    document = {
        "schema_version": SCHEMA_VERSION,
        "exported_at": _utc(now),
        "time_zone": zone_name,
        "settings": {key: _plain(value) for key, value in settings.items()},
        "glimmers": entries,
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def label_of(labels: Mapping[str, str], code: str | None) -> str:
    """A readable name for a stored code, without its emoji; codes unknown here stay as they
    are."""
    if not code:
        return ""
    text = labels.get(code, code)
    start = 0
    while start < len(text) and not text[start].isalnum():
        start += 1
    return text[start:]


def _csv(glimmers: Sequence[Mapping[str, Any]], zone: ZoneInfo) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(texts.EXPORT_CSV_HEADER)
    for g in glimmers:
        local = g["created_at"].astimezone(zone)
        writer.writerow(
            [
                g["id"],
                local.date().isoformat(),
                local.strftime("%H:%M"),
                _utc(g["created_at"].replace(microsecond=0)),  # whole seconds for spreadsheets
                _spreadsheet_safe(g["text"]),
                label_of(texts.SENSE_LABELS, g["sense"]),
                label_of(texts.BODY_LABELS, g["body_cue"]),
                _spreadsheet_safe(g["body_note"] or ""),
                label_of(texts.LADDER_LABELS, g["ladder_before"]),
                label_of(texts.LADDER_LABELS, g["ladder_after"]),
                g["savour_seconds"] if g["savour_seconds"] is not None else "",
                g["landed"] if g["landed"] is not None else "",
                texts.EXPORT_YES if g["starred"] else "",
            ]
        )
    # The byte order mark tells spreadsheet programs the file is UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _spreadsheet_safe(text: str) -> str:
    """Text a spreadsheet would read as a formula gets a leading apostrophe (shown as text);
    so does text that begins with one, so reading the file back (bot/ui/importing.py) can
    always take exactly one off."""
    return "'" + text if text[:1] in FORMULA_STARTS else text


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")


def _md(text: str) -> str:
    """A glimmer's words, shown as written: Markdown marks escaped, and each further line
    indented with a hard line break (two spaces), so it stays in the same list item."""
    lines = []
    for line in text.splitlines() or [""]:
        line = _MARKDOWN_SPECIAL.sub(r"\\\1", line)
        line = _LIST_OR_HEADING_START.sub(r"\1\\\2", line)
        lines.append(line)
    return "  \n  ".join(lines)


def _journal(glimmers: Sequence[Mapping[str, Any]], zone: ZoneInfo, now: datetime) -> bytes:
    lines = [
        f"# {texts.EXPORT_JOURNAL_TITLE}",
        "",
        texts.EXPORT_JOURNAL_INTRO.format(
            date=_long_date(now.astimezone(zone)),
            count=count_phrase(len(glimmers)),
            zone=zone_name(zone.key),
        ),
    ]
    if not glimmers:
        lines += ["", texts.EXPORT_JOURNAL_EMPTY]

    def day_of(glimmer: Mapping[str, Any]) -> Any:
        return glimmer["created_at"].astimezone(zone).date()

    for day, group in groupby(glimmers, key=day_of):
        lines += ["", f"## {_long_date(day)}", ""]
        for g in group:
            star = " ⭐" if g["starred"] else ""
            time = g["created_at"].astimezone(zone).strftime("%H:%M")
            details = _details(g)
            lines.append(f"- **{time}** {_md(g['text'])}{star}" + ("  " if details else ""))
            if details:
                lines.append(f"  *{details}*")
    lines.append("")
    return "\n".join(lines).encode("utf-8")


def _details(g: Mapping[str, Any]) -> str:
    parts = []
    detail = texts.EXPORT_DETAIL
    if g["sense"]:
        sense = label_of(texts.SENSE_LABELS, g["sense"])
        parts.append(detail.format(label=texts.EXPORT_SENSE, value=sense))
    body = _md(g["body_note"]) if g["body_note"] else label_of(texts.BODY_LABELS, g["body_cue"])
    if body:
        parts.append(detail.format(label=texts.EXPORT_BODY, value=body))
    before = label_of(texts.LADDER_LABELS, g["ladder_before"])
    after = label_of(texts.LADDER_LABELS, g["ladder_after"])
    if before:
        ladder = f"{before} → {after}" if after else before
        parts.append(detail.format(label=texts.EXPORT_LADDER, value=ladder))
    if g["landed"]:
        parts.append(texts.EXPORT_LANDED.format(landed=g["landed"]))
    return " · ".join(parts)


def count_phrase(count: int) -> str:
    """For example "1 glimmer" or "10,000 glimmers"."""
    return texts.EXPORT_GLIMMERS.format(count=count)


def day_and_year(day: date) -> str:
    """A date as "3 Jan 2023" (in the person's language): /summary and the import's question."""
    return format_day(day, "yMMMd")


def _long_date(day: date) -> str:
    """A date as "Saturday 3 January 2026", for the journal's headings."""
    return format_day(day, "full")
