"""Check-in schedule maths: local wall times across clock changes, day rules, typed input."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.schedule import (
    ALL_DAYS,
    CheckinPlan,
    find_zone,
    local_date,
    local_instant,
    next_due,
    parse_time,
    zone_for_location,
)

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
CHATHAM = ZoneInfo("Pacific/Chatham")
KIRITIMATI = ZoneInfo("Pacific/Kiritimati")

WEEKDAYS = frozenset(range(5))
SUNDAY = 6


def wall(instant: datetime, zone: ZoneInfo) -> datetime:
    """What the clocks in `zone` show at `instant`, without the zone."""
    return instant.astimezone(zone).replace(tzinfo=None, fold=0)


def at_local(zone: ZoneInfo, year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=zone)


def run(
    plan: CheckinPlan, after: datetime, count: int, rng: random.Random | None = None
) -> list[datetime]:
    """`count` check-ins in a row, each one sent, as the minute tick would do it."""
    results: list[datetime] = []
    last: date | None = None
    for _ in range(count):
        after = next_due(plan, after, rng=rng, last_sent_local_date=last)
        last = local_date(after, ZoneInfo(plan.zone))
        results.append(after)
    return results


# --- clock changes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone_name", "change_day"),
    [
        ("Europe/London", date(2026, 3, 29)),  # 01:00 GMT -> 02:00 BST
        ("Europe/London", date(2026, 10, 25)),  # 02:00 BST -> 01:00 GMT
        ("America/New_York", date(2026, 3, 8)),  # 02:00 EST -> 03:00 EDT
        ("America/New_York", date(2026, 11, 1)),  # 02:00 EDT -> 01:00 EST
        ("Australia/Lord_Howe", date(2026, 10, 4)),  # 02:00 -> 02:30, +10:30 -> +11
        ("Australia/Lord_Howe", date(2026, 4, 5)),  # 02:00 -> 01:30, +11 -> +10:30
        ("Pacific/Chatham", date(2026, 9, 27)),  # 02:45 -> 03:45, +12:45 -> +13:45
        ("Pacific/Chatham", date(2026, 4, 5)),  # 03:45 -> 02:45, +13:45 -> +12:45
    ],
)
def test_evening_checkin_keeps_its_wall_time_across_a_clock_change(
    zone_name: str, change_day: date
) -> None:
    zone = ZoneInfo(zone_name)
    plan = CheckinPlan(zone=zone_name, at=time(20, 0))
    day_before = change_day - timedelta(days=1)
    start = datetime.combine(day_before, time(12, 0), tzinfo=zone)

    results = run(plan, start, 3)

    expected_days = [day_before, change_day, change_day + timedelta(days=1)]
    assert [wall(r, zone) for r in results] == [
        datetime.combine(d, time(20, 0)) for d in expected_days
    ]
    assert [local_date(r, zone) for r in results] == expected_days
    assert all(r.tzinfo is UTC for r in results)
    # The clocks really did change: the UTC offset differs before and after.
    assert results[0].astimezone(zone).utcoffset() != results[2].astimezone(zone).utcoffset()


def test_skipped_time_fires_at_the_first_minute_after_the_jump_in_london() -> None:
    # 29 March 2026: London goes from 01:00 straight to 02:00, so 01:30 never happens.
    plan = CheckinPlan(zone="Europe/London", at=time(1, 30))
    due = next_due(plan, at_local(LONDON, 2026, 3, 28, 12, 0))
    assert wall(due, LONDON) == datetime(2026, 3, 29, 2, 0)
    assert due == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    # The next day it is back to 01:30.
    following = next_due(plan, due, last_sent_local_date=date(2026, 3, 29))
    assert wall(following, LONDON) == datetime(2026, 3, 30, 1, 30)


def test_skipped_time_in_new_york_and_lord_howe() -> None:
    # New York, 8 March 2026: 02:00 -> 03:00.
    assert local_instant(date(2026, 3, 8), time(2, 30), NEW_YORK) == datetime(
        2026, 3, 8, 7, 0, tzinfo=UTC
    )
    # Lord Howe, 4 October 2026: a half-hour jump, 02:00 -> 02:30.
    instant = local_instant(date(2026, 10, 4), time(2, 15), LORD_HOWE)
    assert wall(instant, LORD_HOWE) == datetime(2026, 10, 4, 2, 30)
    assert instant.astimezone(LORD_HOWE).utcoffset() == timedelta(hours=11)


def test_repeated_time_fires_once_at_its_first_occurrence() -> None:
    # 25 October 2026: London's clocks go back at 02:00 BST, so 01:30 happens twice.
    plan = CheckinPlan(zone="Europe/London", at=time(1, 30))
    first = next_due(plan, at_local(LONDON, 2026, 10, 24, 12, 0))
    assert first == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 01:30 BST, not 01:30 GMT
    assert wall(first, LONDON) == datetime(2026, 10, 25, 1, 30)

    # Right after it fires, the next one is the next day, not the second 01:30 an hour later.
    for last in (None, date(2026, 10, 25)):
        following = next_due(plan, first, last_sent_local_date=last)
        assert wall(following, LONDON) == datetime(2026, 10, 26, 1, 30)
        assert following == datetime(2026, 10, 26, 1, 30, tzinfo=UTC)


def test_repeated_time_on_lord_howe_takes_the_first_offset() -> None:
    # 5 April 2026: Lord Howe goes from 02:00 (+11) back to 01:30 (+10:30).
    instant = local_instant(date(2026, 4, 5), time(1, 45), LORD_HOWE)
    assert instant == datetime(2026, 4, 4, 14, 45, tzinfo=UTC)
    assert instant.astimezone(LORD_HOWE).utcoffset() == timedelta(hours=11)


# --- far-off zones and midnight ---------------------------------------------------------------


def test_chatham_morning_checkin_is_the_previous_day_in_utc() -> None:
    plan = CheckinPlan(zone="Pacific/Chatham", at=time(8, 0))
    due = next_due(plan, at_local(CHATHAM, 2026, 1, 15, 7, 0))
    assert due == datetime(2026, 1, 14, 18, 15, tzinfo=UTC)  # +13:45 in summer
    assert local_date(due, CHATHAM) == date(2026, 1, 15)
    assert wall(due, CHATHAM) == datetime(2026, 1, 15, 8, 0)

    winter = next_due(plan, at_local(CHATHAM, 2026, 7, 15, 7, 0))
    assert winter == datetime(2026, 7, 14, 19, 15, tzinfo=UTC)  # +12:45


def test_kiritimati_is_fourteen_hours_ahead() -> None:
    plan = CheckinPlan(zone="Pacific/Kiritimati", at=time(9, 0))
    due = next_due(plan, datetime(2026, 6, 9, 12, 0, tzinfo=UTC))  # 02:00 on the 10th there
    assert due == datetime(2026, 6, 9, 19, 0, tzinfo=UTC)
    assert local_date(due, KIRITIMATI) == date(2026, 6, 10)
    assert wall(due, KIRITIMATI) == datetime(2026, 6, 10, 9, 0)


def test_just_after_midnight_checkin_when_it_is_late_evening() -> None:
    plan = CheckinPlan(zone="America/New_York", at=time(0, 15))
    after = at_local(NEW_YORK, 2026, 1, 5, 23, 50)
    due = next_due(plan, after)
    assert due - after == timedelta(minutes=25)
    assert wall(due, NEW_YORK) == datetime(2026, 1, 6, 0, 15)
    assert local_date(due, NEW_YORK) == date(2026, 1, 6)


def test_evening_in_los_angeles_is_tomorrow_in_utc() -> None:
    zone = ZoneInfo("America/Los_Angeles")
    plan = CheckinPlan(zone="America/Los_Angeles", at=time(20, 0))
    due = next_due(plan, datetime(2026, 1, 5, 12, 0, tzinfo=UTC))
    assert due == datetime(2026, 1, 6, 4, 0, tzinfo=UTC)
    assert local_date(due, zone) == date(2026, 1, 5)
    assert due.date() != local_date(due, zone)


def test_after_may_be_given_in_any_zone() -> None:
    plan = CheckinPlan(zone="Europe/London", at=time(20, 0))
    in_tokyo = datetime(2026, 1, 6, 4, 0, tzinfo=ZoneInfo("Asia/Tokyo"))  # 19:00 in London
    assert next_due(plan, in_tokyo) == datetime(2026, 1, 5, 20, 0, tzinfo=UTC)


def test_local_date() -> None:
    assert local_date(datetime(2026, 1, 14, 18, 15, tzinfo=UTC), CHATHAM) == date(2026, 1, 15)
    assert local_date(datetime(2026, 1, 14, 3, 0, tzinfo=UTC), NEW_YORK) == date(2026, 1, 13)
    with pytest.raises(ValueError):
        local_date(datetime(2026, 1, 14), LONDON)


# --- days, pauses, once a day -----------------------------------------------------------------


def test_weekdays_only_skips_the_weekend() -> None:
    plan = CheckinPlan(zone="Europe/London", at=time(20, 0), days=WEEKDAYS)
    friday_night = at_local(LONDON, 2026, 1, 9, 21, 0)
    due = next_due(plan, friday_night)
    assert wall(due, LONDON) == datetime(2026, 1, 12, 20, 0)  # Monday
    week = run(plan, at_local(LONDON, 2026, 1, 4, 12, 0), 10)
    assert [local_date(r, LONDON).weekday() for r in week] == [0, 1, 2, 3, 4] * 2


def test_only_sunday() -> None:
    plan = CheckinPlan(zone="America/New_York", at=time(9, 0), days=frozenset({SUNDAY}))
    results = run(plan, at_local(NEW_YORK, 2026, 1, 5, 9, 0), 4)  # from a Monday
    assert [local_date(r, NEW_YORK) for r in results] == [
        date(2026, 1, 11),
        date(2026, 1, 18),
        date(2026, 1, 25),
        date(2026, 2, 1),
    ]
    assert all(wall(r, NEW_YORK).time() == time(9, 0) for r in results)


def test_paused_until_skips_through_that_date() -> None:
    after = at_local(LONDON, 2026, 1, 5, 12, 0)  # Monday
    paused = CheckinPlan(zone="Europe/London", at=time(20, 0), paused_until=date(2026, 1, 7))
    assert wall(next_due(paused, after), LONDON) == datetime(2026, 1, 8, 20, 0)
    # A pause that is over changes nothing.
    over = CheckinPlan(zone="Europe/London", at=time(20, 0), paused_until=date(2025, 12, 1))
    assert wall(next_due(over, after), LONDON) == datetime(2026, 1, 5, 20, 0)
    # A pause and a day filter together: the first allowed day after the pause.
    both = CheckinPlan(
        zone="Europe/London", at=time(20, 0), days=WEEKDAYS, paused_until=date(2026, 1, 9)
    )
    assert wall(next_due(both, after), LONDON) == datetime(2026, 1, 12, 20, 0)


def test_never_twice_in_one_local_day() -> None:
    plan = CheckinPlan(zone="Europe/London", at=time(20, 0))
    morning = at_local(LONDON, 2026, 1, 5, 10, 0)
    assert wall(next_due(plan, morning), LONDON) == datetime(2026, 1, 5, 20, 0)
    # Already sent today (say, before the person moved the time later): wait for tomorrow.
    skipped = next_due(plan, morning, last_sent_local_date=date(2026, 1, 5))
    assert wall(skipped, LONDON) == datetime(2026, 1, 6, 20, 0)
    # Just after sending.
    sent = datetime(2026, 1, 5, 20, 0, 30, tzinfo=UTC)
    again = next_due(plan, sent, last_sent_local_date=date(2026, 1, 5))
    assert wall(again, LONDON) == datetime(2026, 1, 6, 20, 0)


def test_the_result_is_strictly_after() -> None:
    plan = CheckinPlan(zone="Europe/London", at=time(20, 0))
    exactly = datetime(2026, 1, 5, 20, 0, tzinfo=UTC)
    assert next_due(plan, exactly) == datetime(2026, 1, 6, 20, 0, tzinfo=UTC)
    a_moment_before = exactly - timedelta(microseconds=1)
    assert next_due(plan, a_moment_before) == exactly


def test_bad_plans_and_arguments_are_refused() -> None:
    after = datetime(2026, 1, 5, tzinfo=UTC)
    with pytest.raises(ValueError, match="weekday"):
        next_due(CheckinPlan(zone="UTC", at=time(9, 0), days=frozenset()), after)
    with pytest.raises(ValueError, match="weekday"):
        next_due(CheckinPlan(zone="UTC", at=time(9, 0), days=frozenset({7})), after)
    with pytest.raises(ValueError, match="time zone"):
        next_due(CheckinPlan(zone="UTC", at=time(9, 0)), datetime(2026, 1, 5))
    window = CheckinPlan(zone="UTC", at=time(9, 0), window=(time(9, 0), time(12, 0)))
    with pytest.raises(ValueError, match="random"):
        next_due(window, after)
    backwards = CheckinPlan(zone="UTC", at=time(9, 0), window=(time(12, 0), time(9, 0)))
    with pytest.raises(ValueError, match="window"):
        next_due(backwards, after, rng=random.Random(1))


# --- "surprise me" windows --------------------------------------------------------------------


def test_window_stays_inside_and_changes_from_day_to_day() -> None:
    plan = CheckinPlan(
        zone="Europe/London", at=time(20, 0), window=(time(9, 0), time(12, 0)), days=WEEKDAYS
    )
    start = at_local(LONDON, 2026, 3, 20, 15, 0)  # a Friday afternoon, across a clock change
    results = run(plan, start, 20, rng=random.Random(7))

    local_times = [wall(r, LONDON).time() for r in results]
    assert all(time(9, 0) <= t < time(12, 0) for t in local_times)
    assert all(t.second == 0 and t.microsecond == 0 for t in local_times)
    assert len(set(local_times)) > 10
    days = [local_date(r, LONDON) for r in results]
    assert len(set(days)) == len(days)
    assert all(d.weekday() in WEEKDAYS for d in days)
    assert days[0] == date(2026, 3, 23)  # Friday's window had gone by: Monday
    # The same seed gives the same picks.
    assert run(plan, start, 20, rng=random.Random(7)) == results
    assert run(plan, start, 20, rng=random.Random(8)) != results


def test_window_already_open_picks_a_minute_still_to_come() -> None:
    plan = CheckinPlan(zone="UTC", at=time(0, 0), window=(time(9, 0), time(12, 0)))
    after = datetime(2026, 1, 5, 11, 30, tzinfo=UTC)
    for seed in range(30):
        due = next_due(plan, after, rng=random.Random(seed))
        assert after < due < datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    # At the last minute only that minute is left; after it, tomorrow.
    last_minute = datetime(2026, 1, 5, 11, 58, 30, tzinfo=UTC)
    assert next_due(plan, last_minute, rng=random.Random(0)) == datetime(
        2026, 1, 5, 11, 59, tzinfo=UTC
    )
    gone = datetime(2026, 1, 5, 11, 59, tzinfo=UTC)
    assert local_date(next_due(plan, gone, rng=random.Random(0)), ZoneInfo("UTC")) == date(
        2026, 1, 6
    )


def test_window_ending_at_midnight_runs_to_the_end_of_the_day() -> None:
    plan = CheckinPlan(zone="Asia/Tokyo", at=time(0, 0), window=(time(23, 0), time(0, 0)))
    tokyo = ZoneInfo("Asia/Tokyo")
    for seed in range(20):
        due = next_due(plan, at_local(tokyo, 2026, 1, 5, 12, 0), rng=random.Random(seed))
        assert wall(due, tokyo).date() == date(2026, 1, 5)
        assert wall(due, tokyo).time() >= time(23, 0)


# --- properties ---------------------------------------------------------------------------------

ZONES = [
    "Europe/London",
    "America/New_York",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Pacific/Kiritimati",
    "Pacific/Apia",
    "America/Santiago",  # clocks change at midnight
    "America/Havana",  # and here too
    "America/St_Johns",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Africa/Casablanca",
    "Europe/Dublin",
    "Etc/GMT+12",
    "UTC",
]
YEARS_START = datetime(2020, 1, 1, tzinfo=UTC)
YEARS_END = datetime(2035, 12, 31, tzinfo=UTC)


@cache
def clock_changes(zone_name: str) -> tuple[datetime, ...]:
    """The moments the clocks changed, 2020-2035: found by daily steps, then narrowed down."""
    zone = ZoneInfo(zone_name)

    def offset(moment: datetime) -> timedelta | None:
        return moment.astimezone(zone).utcoffset()

    changes: list[datetime] = []
    moment = YEARS_START
    while moment < YEARS_END:
        if offset(moment) != offset(moment + timedelta(days=1)):
            low, high = moment, moment + timedelta(days=1)
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                low, high = (low, middle) if offset(middle) != offset(low) else (middle, high)
            changes.append(high.replace(microsecond=0))
        moment += timedelta(days=1)
    return tuple(changes)


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, time, datetime]:
    """A zone, a minute of the day and a starting moment, often close to a clock change."""
    zone_name = draw(st.sampled_from(ZONES))
    zone = ZoneInfo(zone_name)
    changes = clock_changes(zone_name)
    near_a_change = draw(st.booleans())
    if changes and near_a_change:
        change = draw(st.sampled_from(changes))
        after = change - timedelta(minutes=draw(st.integers(0, 30 * 60)))
        # A wall time near the change, read with the offset before it: often a skipped one.
        near = change + timedelta(minutes=draw(st.integers(-120, 120)))
        offset_before = (change - timedelta(days=2)).astimezone(zone).utcoffset()
        assert offset_before is not None
        at = draw(st.sampled_from([(near + offset_before).time(), wall(near, zone).time()]))
        at = at.replace(second=0, microsecond=0)
    else:
        after = draw(st.datetimes(YEARS_START.replace(tzinfo=None), YEARS_END.replace(tzinfo=None)))
        after = after.replace(tzinfo=UTC)
        at = time(draw(st.integers(0, 23)), draw(st.integers(0, 59)))
    return zone_name, at, after


def exists(day: date, at: time, zone: ZoneInfo) -> bool:
    naive = datetime.combine(day, at)
    return wall(naive.replace(tzinfo=zone).astimezone(UTC), zone) == naive


day_sets = st.frozensets(st.integers(0, 6), min_size=1)


@settings(max_examples=200, deadline=None)
@given(case=cases(), days=day_sets)
def test_next_due_properties(case: tuple[str, time, datetime], days: frozenset[int]) -> None:
    zone_name, at, after = case
    zone = ZoneInfo(zone_name)
    plan = CheckinPlan(zone=zone_name, at=at, days=days)

    due = next_due(plan, after)
    due_day = local_date(due, zone)
    shown = wall(due, zone)
    target = datetime.combine(due_day, at)

    assert due.tzinfo is UTC
    assert due > after
    assert due_day.weekday() in days
    if exists(due_day, at, zone):
        assert shown == target
    else:
        # The first minute after the jump: a minute earlier the clock was still before `at`.
        assert shown > target
        assert shown.second == 0
        assert wall(due - timedelta(minutes=1), zone) < target

    # Nothing earlier would have done: every allowed day before it had its moment by `after`.
    day = local_date(after, zone)
    while day < due_day:
        if day.weekday() in days and exists(day, at, zone):
            assert datetime.combine(day, at, tzinfo=zone) <= after
        day += timedelta(days=1)

    # Once sent, the next one falls on a later local date.
    following = next_due(plan, due, last_sent_local_date=due_day)
    assert local_date(following, zone) > due_day
    assert local_date(following, zone).weekday() in days


@settings(max_examples=200, deadline=None)
@given(
    case=cases(),
    days=day_sets,
    start=st.integers(0, 23 * 60),
    length=st.integers(1, 6 * 60),
    seed=st.integers(0, 2**32),
)
def test_window_properties(
    case: tuple[str, time, datetime], days: frozenset[int], start: int, length: int, seed: int
) -> None:
    zone_name, _, after = case
    zone = ZoneInfo(zone_name)
    stop = min(start + length, 24 * 60)
    window = (time(start // 60, start % 60), time(stop // 60 % 24, stop % 60))
    plan = CheckinPlan(zone=zone_name, at=time(0, 0), days=days, window=window)

    due = next_due(plan, after, rng=random.Random(seed))
    assert due == next_due(plan, after, rng=random.Random(seed))
    assert due > after
    due_day = local_date(due, zone)
    assert due_day.weekday() in days
    opens = datetime.combine(due_day, window[0])
    closes = datetime.combine(due_day, time(0)) + timedelta(minutes=stop)
    shown = wall(due, zone)
    assert shown >= opens
    if shown >= closes:
        # Only when the clocks jumped over the rest of the window: then, as for a fixed time,
        # it is the first minute after the jump.
        just_before = wall(due - timedelta(minutes=1), zone)
        assert just_before < closes
        assert shown - just_before > timedelta(minutes=1)
    following = next_due(plan, due, rng=random.Random(seed), last_sent_local_date=due_day)
    assert local_date(following, zone) > due_day


# --- typed input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20:30", time(20, 30)),
        ("2030", time(20, 30)),
        ("20.30", time(20, 30)),
        ("8pm", time(20, 0)),
        ("8 pm", time(20, 0)),
        ("8.30 pm", time(20, 30)),
        ("8:30PM", time(20, 30)),
        ("8:30 p.m.", time(20, 30)),
        ("7am", time(7, 0)),
        ("12am", time(0, 0)),
        ("12pm", time(12, 0)),
        ("08:05", time(8, 5)),
        ("830", time(8, 30)),
        ("  21:15  ", time(21, 15)),
        ("noon", time(12, 0)),
        ("Midnight", time(0, 0)),
        ("20h30", time(20, 30)),
        ("20h", time(20, 0)),
        ("20", time(20, 0)),
        # With the hour's word in the languages the bot speaks.
        ("20 Uhr", time(20, 0)),
        ("20:30 Uhr", time(20, 30)),
        ("7.15 uhr", time(7, 15)),
        ("20 hs", time(20, 0)),
        ("20 ч", time(20, 0)),
        ("21 час", time(21, 0)),
        ("0", time(0, 0)),
    ],
)
def test_parse_time_reads_typed_times(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        *("", "   ", "hello", "25:00", "24:00", "8:61", "13pm", "0am", "8:5", "20:300", "-1"),
        *("8 pmm", "uhr", "25 Uhr", "20 Uhr 30"),
    ],
)
def test_parse_time_refuses_nonsense(text: str) -> None:
    assert parse_time(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("america/new york", "America/New_York"),
        ("london", "Europe/London"),
        ("London", "Europe/London"),
        ("new york", "America/New_York"),
        ("New-York", "America/New_York"),
        ("los angeles", "America/Los_Angeles"),
        ("los_angeles", "America/Los_Angeles"),
        ("sao paulo", "America/Sao_Paulo"),
        ("São Paulo", "America/Sao_Paulo"),
        ("kiritimati", "Pacific/Kiritimati"),
        ("port au prince", "America/Port-au-Prince"),
        ("Berlin, Germany", "Europe/Berlin"),
        ("UTC", "UTC"),
        ("utc", "UTC"),
        ("GMT", "GMT"),
        # A person's "UTC+2" is two hours ahead; the Etc name has the sign the other way round.
        ("UTC+2", "Etc/GMT-2"),
        ("gmt-5", "Etc/GMT+5"),
        ("Etc/GMT+5", "Etc/GMT+5"),
        # Main areas win over old aliases, and aliases of one zone give its main name.
        ("jamaica", "America/Jamaica"),
        ("singapore", "Asia/Singapore"),
        ("indianapolis", "America/Indiana/Indianapolis"),
        ("buenos aires", "America/Argentina/Buenos_Aires"),
        ("istanbul", "Europe/Istanbul"),
        # Cities as German, Spanish, French and Russian write them (CLDR, through Babel).
        ("Wien", "Europe/Vienna"),
        ("Londres", "Europe/London"),
        ("Moscú", "Europe/Moscow"),
        ("Москва", "Europe/Moscow"),
        ("екатеринбург", "Asia/Yekaterinburg"),
    ],
)
def test_find_zone_finds(text: str, expected: str) -> None:
    assert find_zone(text) == expected
    ZoneInfo(expected)  # a real zone


@pytest.mark.parametrize(
    "text", ["", "   ", "atlantis", "narnia/capital", "eastern", "pacific", "UTC+5:30", "UTC+15"]
)
def test_find_zone_gives_none_for_nonsense_or_ambiguity(text: str) -> None:
    assert find_zone(text) is None


@pytest.mark.parametrize(
    ("latitude", "longitude", "expected", "hours"),
    [
        (52.52, 13.40, "Etc/GMT-1", 1),  # Berlin
        (40.71, -74.01, "Etc/GMT+5", -5),  # New York
        (51.48, 0.0, "Etc/GMT", 0),  # Greenwich
        (35.68, 139.69, "Etc/GMT-9", 9),  # Tokyo
        (-36.85, 174.76, "Etc/GMT-12", 12),  # Auckland
        (0.0, 180.0, "Etc/GMT-12", 12),
        (0.0, -180.0, "Etc/GMT+12", -12),
        (0.0, 373.4, "Etc/GMT-1", 1),  # wrapped round
    ],
)
def test_zone_for_location(latitude: float, longitude: float, expected: str, hours: int) -> None:
    zone = zone_for_location(latitude, longitude)
    assert zone == expected
    offset = datetime(2026, 7, 1, tzinfo=ZoneInfo(zone)).utcoffset()
    assert offset == timedelta(hours=hours)


@given(latitude=st.floats(-90, 90), longitude=st.floats(-720, 720))
def test_zone_for_location_always_gives_a_real_zone(latitude: float, longitude: float) -> None:
    zone = ZoneInfo(zone_for_location(latitude, longitude))
    offset = datetime(2026, 1, 1, tzinfo=zone).utcoffset()
    assert offset is not None
    assert timedelta(hours=-12) <= offset <= timedelta(hours=14)


def test_zone_for_location_refuses_impossible_places() -> None:
    with pytest.raises(ValueError):
        zone_for_location(float("nan"), 0.0)
    with pytest.raises(ValueError):
        zone_for_location(0.0, float("inf"))
    with pytest.raises(ValueError):
        zone_for_location(91.0, 0.0)


def test_all_days_is_monday_to_sunday() -> None:
    assert frozenset(range(7)) == ALL_DAYS
