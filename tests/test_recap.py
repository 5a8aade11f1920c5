"""The weekly recap as data: local-day bucketing, counts, picks and the streak."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.glimmers import BODY_CUES, LADDER, SENSES
from bot.domain.recap import LADDER_RANK, build_recap, moved_closer_to_safe, week_window
from bot.ui import render, texts
from storage.models import GlimmerBrief
from tests.factories import make_brief

LONDON = ZoneInfo("Europe/London")
TOKYO = ZoneInfo("Asia/Tokyo")
UTC_ZONE = ZoneInfo("UTC")

# Wednesday 25 November 2026; its week runs Thursday 19 to Wednesday 25.
TODAY = date(2026, 11, 25)
START = date(2026, 11, 19)


def glimmer(n: int, at: datetime, **fields: object) -> GlimmerBrief:
    return make_brief(n, at, **fields)


def noon(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def on_days(*offsets: int, start: date = START) -> list[GlimmerBrief]:
    return [glimmer(n, noon(start + timedelta(days=d))) for n, d in enumerate(offsets, 1)]


def test_week_window() -> None:
    assert week_window(TODAY) == (START, TODAY)
    assert week_window(TODAY, weeks_back=1) == (date(2026, 11, 12), date(2026, 11, 18))
    assert week_window(date(2026, 3, 3)) == (date(2026, 2, 25), date(2026, 3, 3))


def test_late_utc_evening_is_next_day_in_tokyo_same_day_in_london() -> None:
    late = [glimmer(1, datetime(2026, 11, 18, 23, 30, tzinfo=UTC))]

    tokyo = build_recap(late, TOKYO, START)
    assert tokyo.total == 1
    assert tokyo.per_day[0] == (date(2026, 11, 19), 1)

    london = build_recap(late, LONDON, START)
    assert london.total == 0
    before = build_recap(late, LONDON, date(2026, 11, 12))
    assert before.per_day[-1] == (date(2026, 11, 18), 1)


def test_dst_week_buckets_by_local_day() -> None:
    # Clocks in London go forward at 01:00 UTC on Sunday 29 March 2026.
    start = date(2026, 3, 26)
    items = [
        glimmer(1, datetime(2026, 3, 28, 23, 30, tzinfo=UTC)),  # Sat 23:30 GMT
        glimmer(2, datetime(2026, 3, 29, 0, 30, tzinfo=UTC)),  # Sun 00:30 GMT
        glimmer(3, datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),  # Sun 02:30 BST
        glimmer(4, datetime(2026, 3, 29, 23, 30, tzinfo=UTC)),  # Mon 00:30 BST
        glimmer(5, datetime(2026, 4, 1, 22, 59, tzinfo=UTC)),  # Wed 23:59 BST, last day
        glimmer(6, datetime(2026, 4, 1, 23, 0, tzinfo=UTC)),  # Thu 00:00 BST, outside
    ]
    recap = build_recap(items, LONDON, start)
    assert recap.end == date(2026, 4, 1)
    assert dict(recap.per_day) == {
        date(2026, 3, 26): 0,
        date(2026, 3, 27): 0,
        date(2026, 3, 28): 1,
        date(2026, 3, 29): 2,
        date(2026, 3, 30): 1,
        date(2026, 3, 31): 0,
        date(2026, 4, 1): 1,
    }
    assert recap.total == 5
    assert recap.days_with_glimmers == 4


def test_counts_and_window_edges() -> None:
    items = [
        *on_days(0, 0, 2, 6),
        glimmer(10, noon(START - timedelta(days=1))),  # the day before: ignored
        glimmer(11, noon(TODAY + timedelta(days=1))),  # the day after: ignored
    ]
    recap = build_recap(items, UTC_ZONE, START)
    assert (recap.start, recap.end) == (START, TODAY)
    assert recap.total == 4
    assert recap.days_with_glimmers == 3
    assert [day for day, _ in recap.per_day] == [START + timedelta(days=d) for d in range(7)]
    assert [count for _, count in recap.per_day] == [2, 0, 1, 0, 0, 0, 1]


def test_senses_most_first_ties_in_senses_order() -> None:
    picks = ["sound", "sight", "touch", "sound", "touch", "sight", "touch", "memory", None, None]
    items = [glimmer(n, noon(START), sense=s) for n, s in enumerate(picks)]
    recap = build_recap(items, UTC_ZONE, START)
    assert recap.senses == [("touch", 3), ("sight", 2), ("sound", 2), ("memory", 1)]
    assert SENSES.index("sight") < SENSES.index("sound")


def test_body_cues_count_codes_not_typed_notes() -> None:
    items = [
        glimmer(1, noon(START), body_cue="breath"),
        glimmer(2, noon(START), body_cue="chest"),
        glimmer(3, noon(START), body_note="my jaw let go"),
        glimmer(4, noon(START), body_cue="breath"),
        glimmer(5, noon(START), body_cue="smile"),
    ]
    recap = build_recap(items, UTC_ZONE, START)
    assert recap.body_cues == [("breath", 2), ("chest", 1), ("smile", 1)]
    assert BODY_CUES.index("chest") < BODY_CUES.index("smile")


def test_ladder_rank_matches_the_codes() -> None:
    assert set(LADDER_RANK) == set(LADDER)
    assert LADDER_RANK["shutdown"] < LADDER_RANK["mobilised"] < LADDER_RANK["safe"]


@pytest.mark.parametrize(
    ("before", "after", "closer"),
    [
        ("shutdown", "mobilised", True),
        ("shutdown", "safe", True),
        ("mobilised", "safe", True),
        ("safe", "safe", True),
        ("mobilised", "mobilised", False),
        ("shutdown", "shutdown", False),
        ("safe", "mobilised", False),
        ("mobilised", "shutdown", False),
        ("safe", "unknown", False),
    ],
)
def test_moved_closer_to_safe(before: str, after: str, closer: bool) -> None:
    assert moved_closer_to_safe(before, after) is closer


def test_ladder_shift_counting() -> None:
    pairs: list[tuple[str | None, str | None]] = [
        ("shutdown", "mobilised"),
        ("mobilised", "safe"),
        ("safe", "safe"),
        ("mobilised", "mobilised"),
        ("safe", "mobilised"),
        ("shutdown", "shutdown"),
        ("safe", None),
        (None, "safe"),
        (None, None),
    ]
    items = [
        glimmer(n, noon(START), ladder_before=b, ladder_after=a) for n, (b, a) in enumerate(pairs)
    ]
    recap = build_recap(items, UTC_ZONE, START)
    assert recap.savoured == 6
    assert recap.closer_to_safe == 3


def test_top_is_highest_landed_and_most_recent_on_ties() -> None:
    items = [
        glimmer(1, noon(START, 8), landed=5),
        glimmer(2, noon(START, 9), landed=5),
        glimmer(3, noon(START, 10), landed=3),
        glimmer(4, noon(START, 11)),
    ]
    recap = build_recap(items, UTC_ZONE, START)
    assert recap.top is not None
    assert recap.top.id == 2


def test_no_top_when_nothing_landed() -> None:
    recap = build_recap(on_days(0, 1, 2), UTC_ZONE, START)
    assert recap.top is None
    assert [g.id for g in recap.samples] == [3, 2, 1]


def test_samples_are_newest_first_and_skip_top_when_they_can() -> None:
    items = [
        glimmer(1, noon(START), landed=5),
        glimmer(2, noon(START + timedelta(days=1))),
        glimmer(3, noon(START + timedelta(days=2))),
        glimmer(4, noon(START + timedelta(days=3))),
        glimmer(5, noon(START + timedelta(days=4))),
    ]
    recap = build_recap(items, UTC_ZONE, START)
    assert recap.top is not None and recap.top.id == 1
    assert [g.id for g in recap.samples] == [5, 4, 3]


def test_samples_include_top_when_there_are_few() -> None:
    items = [
        glimmer(1, noon(START), landed=2),
        glimmer(2, noon(START + timedelta(days=2)), landed=4),
        glimmer(3, noon(START + timedelta(days=1))),
    ]
    recap = build_recap(items, UTC_ZONE, START)
    assert recap.top is not None and recap.top.id == 2
    assert [g.id for g in recap.samples] == [2, 3, 1]

    alone = build_recap(items[1:2], UTC_ZONE, START)
    assert alone.samples == [alone.top]


def test_empty_week() -> None:
    recap = build_recap([], LONDON, START)
    assert recap.is_empty
    assert recap.total == 0
    assert recap.days_with_glimmers == 0
    assert recap.per_day == [(START + timedelta(days=d), 0) for d in range(7)]
    assert recap.senses == []
    assert recap.body_cues == []
    assert (recap.savoured, recap.closer_to_safe) == (0, 0)
    assert recap.top is None
    assert recap.samples == []
    assert recap.streak_days == 0


def test_streak_ends_at_the_last_day() -> None:
    assert build_recap(on_days(6, 5, 4, 2), UTC_ZONE, START).streak_days == 3
    assert build_recap(on_days(0, 1, 2, 3, 4, 5), UTC_ZONE, START).streak_days == 0
    assert build_recap(on_days(6), UTC_ZONE, START).streak_days == 1


def test_streak_reaches_before_the_window_but_never_after_it() -> None:
    items = on_days(*range(-3, 8))  # three days before the window to one day after it
    recap = build_recap(items, UTC_ZONE, START)
    assert recap.total == 7
    assert recap.streak_days == 10


def test_naive_times_are_read_as_utc() -> None:
    item = glimmer(1, datetime(2026, 11, 18, 23, 30))
    assert build_recap([item], TOKYO, START).total == 1


def test_five_thousand_glimmers() -> None:
    base = datetime(2026, 11, 12, tzinfo=UTC)
    items = [
        glimmer(
            n,
            base + timedelta(minutes=5 * n),
            sense=SENSES[n % len(SENSES)] if n % 3 else None,
            body_cue=BODY_CUES[n % len(BODY_CUES)] if n % 4 == 0 else None,
            ladder_before=LADDER[n % 3],
            ladder_after=LADDER[(n + 1) % 3],
            landed=n % 5 + 1,
        )
        for n in range(5000)
    ]
    recap = build_recap(items, LONDON, START)
    assert recap.total == sum(count for _, count in recap.per_day) > 0
    assert recap.days_with_glimmers == 7
    assert recap.streak_days >= 7
    assert sum(count for _, count in recap.senses) < recap.total
    assert recap.savoured == recap.total
    assert recap.top is not None and recap.top.landed == 5
    assert len(recap.samples) == 3


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=-3 * 24 * 60, max_value=10 * 24 * 60), st.sampled_from(SENSES)
        ),
        max_size=40,
    ),
    st.sampled_from([LONDON, TOKYO, ZoneInfo("America/St_Johns"), UTC_ZONE]),
)
def test_recap_adds_up(spread: list[tuple[int, str]], zone: ZoneInfo) -> None:
    base = datetime(2026, 11, 19, tzinfo=UTC)
    items = [glimmer(n, base + timedelta(minutes=m), sense=s) for n, (m, s) in enumerate(spread)]
    recap = build_recap(items, zone, START)
    assert len(recap.per_day) == 7
    assert recap.total == sum(count for _, count in recap.per_day)
    assert recap.total == sum(count for _, count in recap.senses)
    assert recap.days_with_glimmers == sum(1 for _, count in recap.per_day if count)
    assert len(recap.samples) == min(3, recap.total)
    assert (recap.streak_days == 0) == (recap.per_day[-1][1] == 0)


def test_the_weeks_tags_most_used_first_and_only_from_the_week() -> None:
    briefs = [
        glimmer(1, noon(START), text="rain on the roof #home"),
        glimmer(2, noon(START + timedelta(days=2)), text="#Home again, and #calm"),
        glimmer(3, noon(START + timedelta(days=3)), text="#calm #home"),
        glimmer(4, noon(START - timedelta(days=1)), text="last week #elsewhere"),
    ]
    recap = build_recap(briefs, LONDON, START)
    assert recap.tags == [("home", 3), ("calm", 2)]
    assert "Your tags this week: #home (3), #calm (2)." in render.recap_text(recap)


def test_the_recap_tells_only_of_savoured_glimmers_that_moved_closer_to_safe() -> None:
    def shifts(*pairs: tuple[str, str]) -> str:
        briefs = [
            glimmer(n, noon(START), ladder_before=before, ladder_after=after)
            for n, (before, after) in enumerate(pairs, start=1)
        ]
        return render.recap_text(build_recap(briefs, LONDON, START))

    assert texts.RECAP_SHIFT_ONE in shifts(("mobilised", "safe"))
    assert "2 of 3 savoured glimmers ended closer" in shifts(
        ("mobilised", "safe"), ("shutdown", "mobilised"), ("safe", "shutdown")
    )
    # None moved: nothing is said, rather than counting what did not happen.
    text = shifts(("safe", "shutdown"), ("mobilised", "mobilised"))
    assert "closer" not in text and "0 of" not in text


def test_an_empty_earlier_week_is_spoken_of_as_past() -> None:
    empty = build_recap([], LONDON, START)
    assert render.recap_text(empty).startswith("<b>Your week</b>")
    assert render.recap_text(empty, earlier=True).startswith("<b>That week</b>")
    assert "yet" not in render.recap_caption(empty, None, None, earlier=True)
