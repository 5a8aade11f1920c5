"""Real model objects for unit tests, with defaults that only the test's point overrides."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from storage.models import Glimmer, GlimmerBrief, to_db_time

WHEN = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def make_glimmer(n: int = 7, at: datetime = WHEN, **fields: Any) -> Glimmer:
    """A complete quick glimmer number ``n``, written at ``at``."""
    base: dict[str, Any] = {
        "id": n,
        "user_id": 1,
        "text": f"glimmer {n}",
        "sense": None,
        "body_cue": None,
        "body_note": None,
        "ladder_before": None,
        "ladder_after": None,
        "savour_seconds": None,
        "landed": None,
        "status": "complete",
        "created_at": at,
        "updated_at": at,
        "savour_due_at": None,
        "source_chat_id": 1,
        "source_message_id": n,
        "source_line": 0,
    }
    base.update(fields)
    return Glimmer(**base)


def make_brief(n: int = 7, at: datetime = WHEN, **fields: Any) -> GlimmerBrief:
    """The same, as the recap reads it."""
    g = make_glimmer(n, at, **fields)
    return GlimmerBrief(
        g.id, g.created_at, g.text, g.sense, g.body_cue, g.ladder_before, g.ladder_after, g.landed
    )


def make_row(n: int = 7, at: datetime = WHEN, **fields: Any) -> dict[str, Any]:
    """The same, as a row is stored and /export and /summary read it."""
    row = asdict(make_glimmer(n, at, **fields))
    row["created_at"] = row["updated_at"] = to_db_time(at)
    row["starred"] = int(row["starred"])
    return row
