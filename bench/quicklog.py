"""Quick-logging throughput and latency, against a bare PTB echo bot on the same fake Bot API.

100 people each send 20 texts, each waiting for the reply before sending the next. With
`--workload guided`, each person instead walks through the guided conversation 3 times
(/glimmer, the words, sense, body and ladder buttons, skip the pause: 6 updates a walk),
while the echo bot gets the same number of texts; updates/s is what is compared. Each bot
runs in its own process, exactly as deployed (`python -m bot`), against the strict fake Bot
API from tests/ running in this process. Rounds alternate between the two bots so machine
noise hits both alike. Both run in their default configuration: the glimmers bot at its
default LOG_LEVEL (INFO) and transport, the echo bot as PTB builds it (httpx); only the
glimmers bot's 30 messages/s send limit is off, or the benchmark would measure Telegram.
Prints, for each bot, replies/s, p50/p99 from delivery to reply, CPU per reply (user +
system time of the bot's process over the measured part), peak RSS of the bot's own process
(the chart worker is a separate process, started on first use, and not used here), start-up
time (process start to its first getUpdates), then the ratios, and one JSON line of results.
Linux only (/proc).

    .venv/bin/python bench/quicklog.py [--people 100] [--messages 20] [--rounds 3]
        [--transport aiohttp|httpx]   # the glimmers bot's TELEGRAM_TRANSPORT; default: its own
        [--workload quick|guided] [--walks 3]
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
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.ui import texts  # noqa: E402
from sandbox.botapi import FakeTelegram, FakeUser  # noqa: E402

UPDATES_PER_WALK = 6


async def guided_walk(user: FakeUser, n: int) -> None:
    """One whole guided glimmer, every answer by button, as a person on a phone would."""
    await user.send("/glimmer")
    await user.reply(timeout=60)
    await user.send(f"walk {n}: the hum of the fridge at night")
    step = await user.reply(timeout=60)
    for label in (
        texts.SENSE_LABELS["sound"],
        texts.BODY_LABELS["chest"],
        texts.LADDER_LABELS["safe"],
        texts.BUTTON_SKIP_PAUSE,
    ):
        await user.press(step, label)
        step = await user.reply(timeout=60)


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def run_round(
    kind: str,
    people: int,
    messages: int,
    workdir: Path,
    transport: str | None,
    walks: int = 0,
) -> dict[str, float]:
    """One bot, one round; `walks` > 0 is the guided workload."""
    fake = FakeTelegram()
    await fake.start()
    db_path = workdir / f"{kind}-{time.monotonic_ns()}.sqlite3"
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "DATABASE_PATH": str(db_path),
        # Telegram's 30 messages/s cap would measure Telegram, not the bot; the echo bot
        # has no limiter at all.
        "TELEGRAM_MAX_MESSAGES_PER_SECOND": "0",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("LOG_LEVEL", None)
    env.pop("TELEGRAM_TRANSPORT", None)
    if transport is not None:
        env["TELEGRAM_TRANSPORT"] = transport
    command = (
        [sys.executable, "-m", "bot"]
        if kind == "glimmers"
        else [
            sys.executable,
            str(ROOT / "bench" / "echo_bot.py"),
        ]
    )
    # The bot's log goes where a service's would, written but not shown here.
    log_file = (workdir / f"{kind}.log").open("ab")
    spawned = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        *command, env=env, cwd=workdir, stdout=log_file, stderr=log_file
    )
    try:
        async with asyncio.timeout(60):  # checked every 5 ms: the first getUpdates call
            while not any(name == "getUpdates" for name, _ in fake.calls):  # noqa: ASYNC110
                await asyncio.sleep(0.005)
        startup = time.perf_counter() - spawned
        users = [fake.user(10_000 + n, f"P{n}") for n in range(people)]
        # Warm up: every person's first message, so start-up is not measured.
        await asyncio.gather(*(u.send("warm up") for u in users))
        await asyncio.gather(*(u.reply(timeout=60) for u in users))
        latencies: list[float] = []

        async def person(user: FakeUser) -> None:
            if walks and kind == "glimmers":
                for n in range(walks):
                    started = time.perf_counter()
                    await guided_walk(user, n)
                    latencies.extend([(time.perf_counter() - started) / UPDATES_PER_WALK] * 6)
                return
            for n in range(walks * UPDATES_PER_WALK or messages):
                started = time.perf_counter()
                await user.send(f"glimmer number {n}: sun on the wall")
                await user.reply(timeout=60)
                latencies.append(time.perf_counter() - started)

        cpu_before = cpu_seconds(process.pid)
        started = time.perf_counter()
        await asyncio.gather(*(person(u) for u in users))
        elapsed = time.perf_counter() - started
        cpu = cpu_seconds(process.pid) - cpu_before
        rss = peak_rss_mb(process.pid)
    finally:
        process.terminate()
        await process.wait()
        await fake.stop()
        log_file.close()
    result = {
        "replies": float(len(latencies)),
        "replies_per_s": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": statistics.quantiles(latencies, n=100)[98] * 1000,
        "cpu_ms_per_reply": cpu * 1000 / len(latencies),
        "peak_rss_mb": rss,
        "startup_s": startup,
        "rejections": float(len(fake.rejections)),
    }
    if kind == "glimmers" and not walks:
        with closing(sqlite3.connect(db_path)) as db:
            result["saved"] = float(db.execute("SELECT COUNT(*) FROM glimmers").fetchone()[0])
    return result


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100)
    # Beyond 30 messages a person in quick succession the bot treats it as a flood and
    # replies with one summary line (bot/domain/flood.py), so replies would go "missing" here.
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--transport", choices=("aiohttp", "httpx"), default=None)
    parser.add_argument("--workload", choices=("quick", "guided"), default="quick")
    parser.add_argument("--walks", type=int, default=3)
    args = parser.parse_args()
    walks = args.walks if args.workload == "guided" else 0
    expected = args.people * (walks * UPDATES_PER_WALK or args.messages)
    runs: dict[str, list[dict[str, float]]] = {"echo": [], "glimmers": []}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.rounds):
            for kind in ("echo", "glimmers"):
                runs[kind].append(
                    await run_round(
                        kind, args.people, args.messages, Path(tmp), args.transport, walks
                    )
                )

    def median(kind: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[kind])

    transport = args.transport or "default"
    what = (
        f"{walks} guided walks ({walks * UPDATES_PER_WALK} updates; echo: as many texts)"
        if walks
        else f"{args.messages} texts"
    )
    print(
        f"{args.people} people x {what}, {args.rounds} rounds, medians; "
        f"glimmers bot transport: {transport}, LOG_LEVEL default"
    )
    columns = ("replies_per_s", "p50_ms", "p99_ms", "cpu_ms_per_reply", "peak_rss_mb", "startup_s")
    print(
        f"{'bot':<10}{'updates/s':>12}{'p50 ms':>10}{'p99 ms':>10}{'CPU ms/upd':>12}"
        f"{'RSS MB':>9}{'start s':>9}"
    )
    for kind in ("echo", "glimmers"):
        values = [median(kind, column) for column in columns]
        print(
            f"{kind:<10}{values[0]:>12.1f}{values[1]:>10.2f}{values[2]:>10.2f}"
            f"{values[3]:>12.3f}{values[4]:>9.1f}{values[5]:>9.2f}"
        )
    ratios = {column: median("glimmers", column) / median("echo", column) for column in columns}
    throughput = ratios["replies_per_s"]
    p99 = ratios["p99_ms"]
    print(
        f"ratios glimmers/echo: updates/s {throughput:.2f}x, p50 {ratios['p50_ms']:.2f}x, "
        f"p99 {p99:.2f}x, CPU/update {ratios['cpu_ms_per_reply']:.2f}x, "
        f"RSS {ratios['peak_rss_mb']:.2f}x "
        f"(+{median('glimmers', 'peak_rss_mb') - median('echo', 'peak_rss_mb'):.1f} MB), "
        f"start-up {ratios['startup_s']:.2f}x"
    )
    if walks:
        print("issue 14 targets: updates/s >= 1.5x, start-up <= 1.2x")
    else:
        print(
            "issue 14 targets: replies/s >= 2.0x, p99 <= 0.6x, CPU <= 0.8 ms, "
            "RSS <= echo + 25 MB, start-up <= 1.2x"
        )
    lost = [
        expected + args.people - r.get("saved", expected + args.people) for r in runs["glimmers"]
    ]
    print(
        f"glimmers lost: {int(max(lost))}; replies missing: "
        f"{int(max(expected - r['replies'] for r in runs['glimmers']))}"
    )
    print(
        json.dumps(
            {
                "bench": "quicklog",
                "workload": args.workload,
                "transport": transport,
                "runs": runs,
                "ratios": ratios,
                "throughput_ratio": throughput,
                "p99_ratio": p99,
                "lost": max(lost),
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
