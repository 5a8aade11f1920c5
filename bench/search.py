"""How quickly /search answers a person with a long journal, with encryption at rest off and on.

The real bot runs in this process (tests.conftest.BotRunner) against the strict fake Bot API
from tests/, over loopback only, with its default settings but Telegram's 30 messages/s cap.
One person has 10,000 glimmers, saved through the bot's own repository (sealed with
AES-GCM when a key is set, exactly as the bot seals them), some with a sense. Measured: from
sending "/search ..." until the answer has arrived, over a mix of searches (many matches,
few, none, a sense by name), and from pressing "Older ▶" until the page is edited.
Target (issue 9): under 300 ms for 10,000 glimmers. Prints a table and one JSON line.

    .venv/bin/python bench/search.py [--glimmers 10000] [--runs 14]
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
from pathlib import Path

os.environ.setdefault("PTB_TIMEDELTA", "true")
os.environ.setdefault("TELEGRAM_MAX_MESSAGES_PER_SECOND", "0")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import recap  # noqa: E402  (bench/, beside this file)

from bot.domain.glimmers import SENSES  # noqa: E402
from bot.ui import texts  # noqa: E402
from sandbox.botapi import FakeTelegram  # noqa: E402
from storage.crypto import generate_key  # noqa: E402
from tests.conftest import BotRunner  # noqa: E402

PERSON = 800_000
WAIT = 60.0
# /recap's bench's everyday glimmers, and one with an accent to fold.
THINGS = (*recap.THINGS, "coffee at the café on the corner")
# Many matches, a few, none, two words, accents folded, a sense by its button's name.
SEARCHES = ("rain", "cat lap", "umbrella", "warm", "cafe corner", "sound", "river 123")


async def seed(runner: BotRunner, count: int, rng: random.Random) -> None:
    """`count` glimmers through the repository, 100 lines a message, a sense on half."""
    glimmers = runner.services.glimmers
    now = runner.clock.now()
    await runner.services.users.ensure(user_id=PERSON, now=now)
    for first in range(0, count, 100):
        lines = [f"{rng.choice(THINGS)} ({n})" for n in range(first, min(first + 100, count))]
        saved = await glimmers.add_lines(
            user_id=PERSON, chat_id=PERSON, message_id=1_000_000 + first, lines=lines, now=now
        )
        for glimmer in saved[::2]:
            await glimmers.update(
                user_id=PERSON, glimmer_id=glimmer.id, now=now, sense=rng.choice(SENSES)
            )


def summary(values: list[float]) -> dict[str, float]:
    ms = sorted(v * 1000 for v in values)
    return {
        "median_ms": round(statistics.median(ms), 1),
        "p90_ms": round(ms[int(len(ms) * 0.9) - 1], 1),
        "max_ms": round(ms[-1], 1),
    }


async def measure(key: str | None, count: int, runs: int, workdir: Path) -> dict[str, object]:
    fake = FakeTelegram()
    await fake.start()
    overrides = {"encryption_key": key} if key else {}
    runner = BotRunner(fake, workdir / f"search-{bool(key)}.sqlite3", overrides=overrides)
    await runner.start()
    try:
        await seed(runner, count, random.Random(9))
        person = fake.user(PERSON)
        searches: list[float] = []
        pages: list[float] = []
        found: dict[str, str] = {}
        for n in range(runs):
            words = SEARCHES[n % len(SEARCHES)]
            started = time.perf_counter()
            await person.send(f"/search {words}")
            answer = await person.reply(timeout=WAIT)
            searches.append(time.perf_counter() - started)
            found[words] = answer.text.splitlines()[0]
            if texts.BUTTON_NEXT in answer.button_texts():
                started = time.perf_counter()
                await person.press(answer, texts.BUTTON_NEXT)
                await person.wait_edit(answer.message_id, timeout=WAIT)
                pages.append(time.perf_counter() - started)
    finally:
        await runner.stop()
        await fake.stop()
    if fake.rejections:
        raise AssertionError(f"the fake Bot API refused calls: {fake.rejections}")
    return {"search": summary(searches), "next_page": summary(pages), "first_lines": found}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--glimmers", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=14)  # with pages, within the limit
    args = parser.parse_args()
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as folder:
        for name, key in (("plain", None), ("encrypted", generate_key())):
            results[name] = await measure(key, args.glimmers, args.runs, Path(folder))
    print(f"{args.glimmers} glimmers, {args.runs} searches, {os.cpu_count()} cores")
    print(f"{'at rest':<10} {'what':<10} {'median ms':>10} {'p90 ms':>8} {'max ms':>8}")
    for name, result in results.items():
        assert isinstance(result, dict)
        for what in ("search", "next_page"):
            row = result[what]
            print(
                f"{name:<10} {what:<10} {row['median_ms']:>10} {row['p90_ms']:>8}"
                f" {row['max_ms']:>8}"
            )
    first = results["encrypted"]
    assert isinstance(first, dict)
    for words, line in first["first_lines"].items():
        print(f"  /search {words}: {line}")
    print(json.dumps({"bench": "search", "glimmers": args.glimmers, **results}))


if __name__ == "__main__":
    asyncio.run(main())
