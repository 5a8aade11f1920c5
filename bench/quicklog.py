"""Quick-logging throughput and latency, against a bare PTB echo bot on the same fake Bot API.

100 people each send 20 texts, each waiting for the reply before sending the next. Each bot
runs in its own process, exactly as deployed (`python -m bot`), against the strict fake Bot
API from tests/ running in this process. Rounds alternate between the two bots so machine
noise hits both alike. Prints a table and one JSON line of results.

    .venv/bin/python bench/quicklog.py [--people 100] [--messages 20] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fake_telegram import FakeTelegram  # noqa: E402


async def run_round(kind: str, people: int, messages: int, workdir: Path) -> dict[str, float]:
    fake = FakeTelegram()
    await fake.start()
    db_path = workdir / f"{kind}-{time.monotonic_ns()}.sqlite3"
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "DATABASE_PATH": str(db_path),
        "LOG_LEVEL": "WARNING",
        # Telegram's 30 messages/s cap would measure Telegram, not the bot; the echo bot
        # has no limiter at all.
        "TELEGRAM_MAX_MESSAGES_PER_SECOND": "0",
        "PYTHONPATH": str(ROOT),
    }
    command = (
        [sys.executable, "-m", "bot"]
        if kind == "glimmers"
        else [
            sys.executable,
            str(ROOT / "bench" / "echo_bot.py"),
        ]
    )
    process = await asyncio.create_subprocess_exec(*command, env=env, cwd=workdir)
    try:
        users = [fake.user(10_000 + n, f"P{n}") for n in range(people)]
        # Warm up: every person's first message, so start-up is not measured.
        await asyncio.gather(*(u.send("warm up") for u in users))
        await asyncio.gather(*(u.reply(timeout=60) for u in users))
        latencies: list[float] = []

        async def person(user: object) -> None:
            for n in range(messages):
                started = time.perf_counter()
                await user.send(f"glimmer number {n}: sun on the wall")  # type: ignore[attr-defined]
                await user.reply(timeout=60)  # type: ignore[attr-defined]
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(person(u) for u in users))
        elapsed = time.perf_counter() - started
    finally:
        process.terminate()
        await process.wait()
        await fake.stop()
    result = {
        "replies": float(len(latencies)),
        "replies_per_s": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": statistics.quantiles(latencies, n=100)[98] * 1000,
        "rejections": float(len(fake.rejections)),
    }
    if kind == "glimmers":
        with sqlite3.connect(db_path) as db:
            result["saved"] = float(db.execute("SELECT COUNT(*) FROM glimmers").fetchone()[0])
    return result


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100)
    # Beyond 30 messages a person in quick succession the bot treats it as a flood and
    # replies with one summary line (bot/domain/flood.py), so replies would go "missing" here.
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    expected = args.people * args.messages
    runs: dict[str, list[dict[str, float]]] = {"echo": [], "glimmers": []}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.rounds):
            for kind in ("echo", "glimmers"):
                runs[kind].append(await run_round(kind, args.people, args.messages, Path(tmp)))

    def median(kind: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[kind])

    print(f"{args.people} people x {args.messages} texts, {args.rounds} rounds, medians:")
    print(f"{'bot':<10}{'replies/s':>12}{'p50 ms':>10}{'p99 ms':>10}")
    for kind in ("echo", "glimmers"):
        print(
            f"{kind:<10}{median(kind, 'replies_per_s'):>12.1f}"
            f"{median(kind, 'p50_ms'):>10.2f}{median(kind, 'p99_ms'):>10.2f}"
        )
    throughput = median("glimmers", "replies_per_s") / median("echo", "replies_per_s")
    p99 = median("glimmers", "p99_ms") / median("echo", "p99_ms")
    lost = [
        expected + args.people - r["saved"]
        for r in runs["glimmers"]  # warm-up is saved too
    ]
    print(f"throughput ratio {throughput:.2f}x (target >= 0.8)")
    print(f"p99 latency ratio {p99:.2f}x (target <= 1.5)")
    print(
        f"glimmers lost: {int(max(lost))}; replies missing: "
        f"{int(max(expected - r['replies'] for r in runs['glimmers']))}"
    )
    print(
        json.dumps(
            {
                "bench": "quicklog",
                "runs": runs,
                "throughput_ratio": throughput,
                "p99_ratio": p99,
                "lost": max(lost),
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
