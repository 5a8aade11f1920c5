"""How quickly the bot looks back: /recap with its chart, /history paging, and whether drawing
charts holds up anyone else's quick logging.

The real bot runs in this process (tests.conftest.BotRunner) against the strict fake Bot API
from tests/, over loopback only. One person has 5,000 glimmers spread over the last 8 weeks,
written straight into the bot's SQLite database, with senses, body cues and ladder answers so
the chart has something to show. Three measurements:

1. /recap: from sending "/recap" until both the photo and the words have arrived, 20 runs,
   median and p90 (target: median under 300 ms).
2. /history: from "/history" to its page, and from pressing "Older ▶" to the edited page,
   50 runs each, medians (target: under 20 ms).
3. Quick logging while charts are drawn: 20 other people each send a text and wait for the
   reply, over and over, first alone for 3 s, then for another 3 s while 10 people ask for
   /recap at once, again and again. The chart is drawn in a low-priority worker process,
   so their reply latency should stay close to the first figures. Then a third phase: one
   person with 10,000 glimmers asks for /export again and again (the files are built in the
   same worker process).

The fake Bot API shares this process and its event loop with the bot, as in the end-to-end
tests. Telegram's messages-per-second cap is switched off so the bot itself is measured.
Prints the machine's core count, a table, and one final JSON line of results.

    .venv/bin/python bench/recap.py [--glimmers 5000] [--seconds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

# PTB 22 warns when it builds a RetryAfter unless told to use timedeltas.
os.environ.setdefault("PTB_TIMEDELTA", "true")
# Telegram's 30 messages/s cap would measure Telegram, not the bot.
os.environ.setdefault("TELEGRAM_MAX_MESSAGES_PER_SECOND", "0")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.domain.flood import ReplyBudget  # noqa: E402
from bot.domain.glimmers import BODY_CUES, LADDER, LANDED_SCALE, SAVOUR_CHOICES, SENSES  # noqa: E402
from bot.ui import texts  # noqa: E402
from sandbox.botapi import FakeTelegram, FakeUser  # noqa: E402
from storage.models import to_db_time  # noqa: E402
from tests.conftest import BotRunner  # noqa: E402

WAIT = 60.0  # seconds to wait for any one reply before giving up loudly
CHUNK = 500  # rows per INSERT (14 values each, well under SQLite's 32,766 limit)
# Message ids for the seeded glimmers, far above any the fake will hand out in this run.
SEED_MESSAGE_IDS = 10_000_000

RECAP_PERSON = 500_000
BURST_PEOPLE = 500_001
LOGGERS = 600_000
EXPORTER = 700_000

THINGS = (
    "sun on the kitchen wall",
    "the smell of rain on warm stone",
    "a friend laughed at my joke",
    "birdsong before the alarm",
    "warm tea in both hands",
    "the cat stretched across my lap",
    "a stranger held the door",
    "cold water on my face",
    "the bus came right away",
    "fresh bread from the corner shop",
    "music from an open window",
    "a long walk by the river",
)


def ms(seconds: float) -> float:
    return seconds * 1000


def median_ms(values: list[float]) -> float:
    return ms(statistics.median(values))


def percentile_ms(values: list[float], pct: int) -> float:
    """The pct-th percentile (statistics' exclusive method), in milliseconds."""
    if len(values) < 2:
        return ms(values[0])
    return ms(statistics.quantiles(values, n=100)[pct - 1])


async def seed(runner: BotRunner, user_id: int, count: int, weeks: int, rng: random.Random) -> None:
    """Write `count` complete glimmers for one person, spread over the last `weeks` weeks."""
    db = runner.services.db
    now = runner.clock.now()
    span = weeks * 7 * 24 * 3600
    rows: list[tuple[Any, ...]] = []
    for n in range(count):
        created = to_db_time(now - timedelta(seconds=rng.uniform(60, span)))
        guided = rng.random() < 0.6
        rows.append(
            (
                user_id,
                f"{rng.choice(THINGS)} ({n})",
                rng.choice(SENSES) if rng.random() < 0.85 else None,
                rng.choice(BODY_CUES) if guided else None,
                rng.choice(LADDER) if guided else None,
                rng.choice(LADDER) if guided else None,
                rng.choice(SAVOUR_CHOICES) if guided else None,
                rng.choice(LANDED_SCALE) if guided else None,
                "complete",
                created,
                created,
                user_id,
                SEED_MESSAGE_IDS + n,
                0,
            )
        )
    columns = (
        "user_id, text, sense, body_cue, ladder_before, ladder_after, savour_seconds, landed,"
        " status, created_at, updated_at, source_chat_id, source_message_id, source_line"
    )
    for first in range(0, len(rows), CHUNK):
        chunk = rows[first : first + CHUNK]
        values = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(chunk))
        await db.execute(
            f"INSERT INTO glimmers ({columns}) VALUES {values}",
            [value for row in chunk for value in row],
        )


async def recap_once(user: FakeUser) -> float:
    """Ask for /recap; seconds until both the chart and the words have arrived."""
    started = time.perf_counter()
    await user.send("/recap")
    photo, words = await user.replies(2, timeout=WAIT)
    elapsed = time.perf_counter() - started
    if photo.photo is None or words.is_photo:
        raise AssertionError(f"expected a chart then words, got {photo.describe()}")
    return elapsed


async def history_once(user: FakeUser) -> tuple[float, float]:
    """/history, then "Older ▶"; seconds to the page and to the edit."""
    started = time.perf_counter()
    await user.send("/history")
    page = await user.reply(timeout=WAIT)
    first = time.perf_counter() - started
    if "page 1 of" not in page.text:
        raise AssertionError(f"expected the first page, got {page.describe()}")
    started = time.perf_counter()
    await user.press(page, texts.BUTTON_NEXT)
    edited = await user.wait_edit(page.message_id, timeout=WAIT)
    older = time.perf_counter() - started
    if "page 2 of" not in edited.text:
        raise AssertionError(f"expected the second page, got {edited.describe()}")
    return first, older


async def quick_logging(users: list[FakeUser], seconds: float) -> list[float]:
    """Everyone sends a text and waits for the reply, again and again, for `seconds`."""
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def person(user: FakeUser) -> None:
        n = 0
        while time.perf_counter() < deadline:
            n += 1
            started = time.perf_counter()
            await user.send(f"glimmer {n}: {THINGS[n % len(THINGS)]}")
            await user.reply(timeout=WAIT)
            latencies.append(time.perf_counter() - started)

    await asyncio.gather(*(person(user) for user in users))
    return latencies


async def recap_bursts(users: list[FakeUser], stop: asyncio.Event) -> tuple[int, list[float]]:
    """Everyone asks for /recap at once, again and again until `stop` is set."""
    bursts = 0
    latencies: list[float] = []
    while not stop.is_set():
        latencies += await asyncio.gather(*(recap_once(user) for user in users))
        bursts += 1
    return bursts, latencies


async def export_once(user: FakeUser) -> float:
    """Ask for /export; seconds until the last of the three files and the closing line."""
    started = time.perf_counter()
    await user.send("/export")
    await user.replies(5, timeout=WAIT)
    return time.perf_counter() - started


async def exports(user: FakeUser, stop: asyncio.Event) -> list[float]:
    """One person exports their journal again and again until `stop` is set."""
    latencies: list[float] = []
    while not stop.is_set():
        latencies.append(await export_once(user))
    return latencies


def summary(latencies: list[float], seconds: float) -> dict[str, float]:
    return {
        "replies": float(len(latencies)),
        "replies_per_s": len(latencies) / seconds,
        "p50_ms": median_ms(latencies),
        "p99_ms": percentile_ms(latencies, 99),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--glimmers", type=int, default=5000, help="glimmers per recap person")
    parser.add_argument("--weeks", type=int, default=8, help="weeks the glimmers spread over")
    parser.add_argument("--recaps", type=int, default=20, help="timed /recap runs")
    parser.add_argument("--pages", type=int, default=50, help="timed /history runs")
    parser.add_argument("--loggers", type=int, default=20, help="people quick-logging")
    parser.add_argument("--burst", type=int, default=10, help="people asking for /recap at once")
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each phase")
    parser.add_argument("--export", type=int, default=10_000, help="glimmers in the export")
    args = parser.parse_args()
    rng = random.Random(20_261_125)
    cores = os.cpu_count() or 0
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores

    fake = FakeTelegram()
    await fake.start()
    with tempfile.TemporaryDirectory() as tmp:
        runner = BotRunner(fake, Path(tmp) / "recap-bench.sqlite3")
        await runner.start()
        # Each logger sends hundreds of messages a minute, which the bot would treat as a
        # flood (one summary line instead of replies, bot/domain/flood.py): lift that budget here.
        runner.services.replies = ReplyBudget(burst=10**9, per_minute=10**9)
        try:
            reader = fake.user(RECAP_PERSON, "Ida")
            bursters = [fake.user(BURST_PEOPLE + n, f"B{n}") for n in range(args.burst)]
            loggers = [fake.user(LOGGERS + n, f"L{n}") for n in range(args.loggers)]
            exporter = fake.user(EXPORTER, "Eve")
            everyone = [reader, *bursters, *loggers, exporter]
            # Warm up: everyone's first message makes their user row, so start-up and the
            # first-time work are not measured.
            await asyncio.gather(*(user.send("warm up") for user in everyone))
            await asyncio.gather(*(user.reply(timeout=WAIT) for user in everyone))
            seeding = time.perf_counter()
            for user in [reader, *bursters]:
                await seed(runner, user.user_id, args.glimmers, args.weeks, rng)
            seeded_s = time.perf_counter() - seeding
            await seed(runner, EXPORTER, args.export, 52, rng)
            await recap_once(reader)  # the first chart loads fonts and warms matplotlib
            await history_once(reader)

            recaps = [await recap_once(reader) for _ in range(args.recaps)]
            pages = [await history_once(reader) for _ in range(args.pages)]
            first_pages = [first for first, _ in pages]
            older_pages = [older for _, older in pages]

            alone = await quick_logging(loggers, args.seconds)
            stop = asyncio.Event()
            burst_task = asyncio.create_task(recap_bursts(bursters, stop))
            busy = await quick_logging(loggers, args.seconds)
            stop.set()
            bursts, burst_recaps = await burst_task
            stop = asyncio.Event()
            export_task = asyncio.create_task(exports(exporter, stop))
            exporting = await quick_logging(loggers, args.seconds)
            stop.set()
            export_times = await export_task
        finally:
            await runner.stop()
            await fake.stop()

    results: dict[str, Any] = {
        "bench": "recap",
        "cores": cores,
        "usable_cores": usable,
        "glimmers_per_person": args.glimmers,
        "weeks": args.weeks,
        "seed_s": seeded_s,
        "recap": {
            "runs": len(recaps),
            "median_ms": median_ms(recaps),
            "p90_ms": ms(statistics.quantiles(recaps, n=10)[8]),
            "target_median_ms": 300,
        },
        "history": {
            "runs": len(pages),
            "first_page_median_ms": median_ms(first_pages),
            "older_edit_median_ms": median_ms(older_pages),
            "target_median_ms": 20,
        },
        "quicklog_alone": summary(alone, args.seconds),
        "quicklog_during_recaps": summary(busy, args.seconds),
        "recap_bursts": {
            "people": args.burst,
            "bursts": bursts,
            "recaps": len(burst_recaps),
            "median_ms": median_ms(burst_recaps),
            "p99_ms": percentile_ms(burst_recaps, 99),
        },
        "quicklog_during_exports": summary(exporting, args.seconds),
        "exports": {
            "glimmers": args.export,
            "runs": len(export_times),
            "median_ms": median_ms(export_times),
        },
        "rejections": len(fake.rejections),
    }
    before, during = results["quicklog_alone"], results["quicklog_during_recaps"]
    results["p50_ratio"] = during["p50_ms"] / before["p50_ms"]
    results["p99_ratio"] = during["p99_ms"] / before["p99_ms"]
    exporting_row = results["quicklog_during_exports"]
    results["export_p50_ratio"] = exporting_row["p50_ms"] / before["p50_ms"]
    results["export_p99_ratio"] = exporting_row["p99_ms"] / before["p99_ms"]

    recap = results["recap"]
    history = results["history"]
    burst = results["recap_bursts"]
    print(f"cores: {cores} ({usable} usable by this process)")
    print(
        f"seeded {args.glimmers} glimmers over {args.weeks} weeks for each of "
        f"{1 + args.burst} people in {seeded_s:.1f} s"
    )
    print()
    print(f"{'measurement':<34}{'runs':>6}{'median ms':>11}{'p90 ms':>9}{'target':>12}")
    print(
        f"{'/recap: chart + words':<34}{recap['runs']:>6}{recap['median_ms']:>11.1f}"
        f"{recap['p90_ms']:>9.1f}{'< 300 ms':>12}"
    )
    print(
        f"{'/history: first page':<34}{history['runs']:>6}"
        f"{history['first_page_median_ms']:>11.2f}{'':>9}{'< 20 ms':>12}"
    )
    print(
        f"{'/history: Older ▶ edit':<34}{history['runs']:>6}"
        f"{history['older_edit_median_ms']:>11.2f}{'':>9}{'< 20 ms':>12}"
    )
    print()
    print(f"quick logging by {args.loggers} people, {args.seconds:g} s per phase:")
    print(f"{'phase':<34}{'replies':>8}{'per s':>9}{'p50 ms':>9}{'p99 ms':>9}")
    for label, row in (
        ("alone", before),
        (f"while {args.burst} people ask for /recap", during),
        (f"while one exports {args.export} glimmers", exporting_row),
    ):
        print(
            f"{label:<34}{int(row['replies']):>8}{row['replies_per_s']:>9.1f}"
            f"{row['p50_ms']:>9.2f}{row['p99_ms']:>9.2f}"
        )
    print(f"ratio during/alone: p50 {results['p50_ratio']:.2f}x, p99 {results['p99_ratio']:.2f}x")
    print(
        f"recap bursts meanwhile: {bursts} bursts, {burst['recaps']} recaps, "
        f"median {burst['median_ms']:.0f} ms, p99 {burst['p99_ms']:.0f} ms each"
    )
    print(
        f"during exports: p50 {results['export_p50_ratio']:.2f}x, "
        f"p99 {results['export_p99_ratio']:.2f}x of alone; "
        f"{len(export_times)} exports of {args.export} glimmers, "
        f"median {median_ms(export_times):.0f} ms each"
    )
    print(f"requests the fake Bot API refused: {results['rejections']}")
    print(json.dumps(results))


if __name__ == "__main__":
    asyncio.run(main())
