"""Fairness: one person flooding the bot with commands and button presses must not slow
everyone else down.

The fake Bot API answers every call after 100 ms, as a distant Telegram would. 20 people
quick-log 10 texts each, each waiting for the reply before the next. In the flood round, one
more person first sends 100 commands and button presses at once (/anchor, /history, /recap,
/export, and presses of a /history page's buttons). Each round runs a fresh `python -m bot`
in its default configuration (INFO logs, default transport), except that the 30 messages/s
send limit is off: with it, the flood's replies would take Telegram's shared sending rate,
which is Telegram's fairness, not the bot's. Rounds alternate, quiet then flood. Prints the
others' p50 and p99 (delivery to reply) in each, the ratios against the targets, and one JSON
line.

    .venv/bin/python bench/fairness.py [--rounds 3] [--people 20] [--messages 10]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sandbox.botapi import FakeTelegram, FakeUser  # noqa: E402

LATENCY = 0.1
FLOOD = 100
TARGET_P50, TARGET_P99 = 1.2, 1.5


async def flood(user: FakeUser) -> None:
    """100 commands and presses sent as fast as a script can: nothing waits for a reply."""
    await user.send("/history")
    page = await user.reply(timeout=60)
    buttons = [b["text"] for row in page.reply_markup["inline_keyboard"] for b in row]  # type: ignore[index]
    commands = ["/anchor", "/history", "/recap", "/export"]
    sends = []
    for n in range(FLOOD):
        if n % 2:
            sends.append(user.send(commands[n // 2 % len(commands)]))
        else:
            sends.append(user.press(page, buttons[n // 2 % len(buttons)]))
    await asyncio.gather(*sends)


async def run_round(flooding: bool, people: int, messages: int, workdir: Path) -> dict[str, float]:
    fake = FakeTelegram()
    await fake.start()
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "DATABASE_PATH": str(workdir / f"fair-{time.monotonic_ns()}.sqlite3"),
        "TELEGRAM_MAX_MESSAGES_PER_SECOND": "0",
        "PYTHONPATH": str(ROOT),
    }
    for name in ("LOG_LEVEL", "TELEGRAM_TRANSPORT"):
        env.pop(name, None)
    log_file = (workdir / "bot.log").open("ab")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", env=env, cwd=workdir, stdout=log_file, stderr=log_file
    )
    try:
        users = [fake.user(20_000 + n, f"P{n}") for n in range(people)]
        flooder = fake.user(29_999, "Flood")
        # Warm up (start-up is not measured), and give the flooder glimmers to page through.
        await asyncio.gather(*(u.send("warm up") for u in users))
        await flooder.send("\n".join(f"an earlier glimmer {n}" for n in range(15)))
        await asyncio.gather(*(u.reply(timeout=60) for u in [*users, flooder]))
        fake.set_latency(LATENCY)
        latencies: list[float] = []

        async def person(user: FakeUser) -> None:
            for n in range(messages):
                started = time.perf_counter()
                await user.send(f"glimmer number {n}: light through the leaves")
                await user.reply(timeout=120)
                latencies.append(time.perf_counter() - started)

        if flooding:
            await flood(flooder)
        await asyncio.gather(*(person(u) for u in users))
    finally:
        process.terminate()
        await process.wait()
        await fake.stop()
        log_file.close()
    return {
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": statistics.quantiles(latencies, n=100)[98] * 1000,
        "replies": float(len(latencies)),
        "rejections": float(len(fake.rejections)),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--people", type=int, default=20)
    parser.add_argument("--messages", type=int, default=10)
    args = parser.parse_args()
    runs: dict[str, list[dict[str, float]]] = {"quiet": [], "flood": []}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.rounds):
            for kind in ("quiet", "flood"):
                result = await run_round(kind == "flood", args.people, args.messages, Path(tmp))
                runs[kind].append(result)

    def median(kind: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[kind])

    print(
        f"{args.people} people x {args.messages} texts, Bot API answering in "
        f"{LATENCY * 1000:.0f} ms, {args.rounds} rounds, medians; flood: one person, "
        f"{FLOOD} commands and presses"
    )
    print(f"{'round':<8}{'p50 ms':>10}{'p99 ms':>10}")
    for kind in ("quiet", "flood"):
        print(f"{kind:<8}{median(kind, 'p50_ms'):>10.1f}{median(kind, 'p99_ms'):>10.1f}")
    p50 = median("flood", "p50_ms") / median("quiet", "p50_ms")
    p99 = median("flood", "p99_ms") / median("quiet", "p99_ms")
    verdict = "met" if p50 <= TARGET_P50 and p99 <= TARGET_P99 else "NOT met"
    print(
        f"others during the flood: p50 {p50:.2f}x, p99 {p99:.2f}x "
        f"(targets p50 <= {TARGET_P50}x, p99 <= {TARGET_P99}x: {verdict})"
    )
    refused = max(r["rejections"] for kind in runs for r in runs[kind])
    print(f"calls the fake refused: {int(refused)}")
    print(json.dumps({"bench": "fairness", "runs": runs, "p50_ratio": p50, "p99_ratio": p99}))


if __name__ == "__main__":
    asyncio.run(main())
