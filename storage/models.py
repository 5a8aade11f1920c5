"""Typed rows the repositories return. Plain dataclasses: no Telegram, no SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import NamedTuple

TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def to_db_time(moment: datetime) -> str:
    # The year by hand: strftime's %Y does not pad years before 1000 to four digits here.
    utc = moment.astimezone(UTC)
    return f"{utc.year:04d}" + utc.strftime(TIME_FORMAT.removeprefix("%Y"))


def from_db_time(text: str) -> datetime:
    # fromisoformat reads the trailing "Z" as UTC, and is far cheaper than strptime.
    return datetime.fromisoformat(text)


@dataclass(frozen=True, slots=True)
class User:
    id: int
    first_seen_at: datetime
    timezone: str | None
    savour_seconds: int
    ask_ladder: bool
    glimmer_asked_at: datetime | None
    checkin_minute: int = 1200
    window_start: int | None = None
    window_end: int | None = None
    checkin_days: int = 127
    checkins_on: bool = True
    paused_until: date | None = None
    skip_if_logged: bool = True
    active: bool = True
    next_checkin_at: datetime | None = None
    last_checkin_date: date | None = None
    recap_day: int = 6
    recap_minute: int = 1080
    recap_on: bool = True
    next_recap_at: datetime | None = None
    streaks_on: bool = True
    flashbacks: str = "weekly"  # off, weekly or checkin: bot/domain/flashback.py's When
    language: str | None = None  # None until known: bot/ui/language.py


@dataclass(frozen=True, slots=True)
class Glimmer:
    id: int
    user_id: int
    text: str
    sense: str | None
    body_cue: str | None
    body_note: str | None
    ladder_before: str | None
    ladder_after: str | None
    savour_seconds: int | None
    landed: int | None
    status: str
    created_at: datetime
    updated_at: datetime
    savour_due_at: datetime | None
    source_chat_id: int | None
    source_message_id: int | None
    source_line: int
    starred: bool = False

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"


class GlimmerBrief(NamedTuple):
    """What a look back over many glimmers needs of each: cheap to read in bulk."""

    id: int
    created_at: datetime
    text: str
    sense: str | None
    body_cue: str | None
    ladder_before: str | None
    ladder_after: str | None
    landed: int | None


class Remembered(NamedTuple):
    """A kept glimmer that might come back (bot/domain/flashback.py picks one)."""

    id: int
    created_at: datetime
    text: str
    starred: bool


class Incoming(NamedTuple):
    """A glimmer brought in from a journal file (bot/ui/importing.py reads them)."""

    created_at: datetime  # aware
    text: str
    sense: str | None = None
    body_cue: str | None = None
    body_note: str | None = None
    ladder_before: str | None = None
    ladder_after: str | None = None
    savour_seconds: int | None = None
    landed: int | None = None
    starred: bool = False


class Findable(NamedTuple):
    """What /search reads of a glimmer, opened."""

    text: str
    sense: str | None
    body_cue: str | None
    body_note: str | None


@dataclass(frozen=True, slots=True)
class Move:
    """A due check-in settled: whose, the moment it was due, the next one, and the local date
    it settles (claimed by the schedule repository so it is sent at most once)."""

    user_id: int
    was_due: datetime
    next_at: datetime | None
    day: date
