"""Daily check-ins at scale: CPU to pick a due batch, the bot's memory, and paced sending.

Builds a real SQLite file of registered people (100,000 by default), 10,000 of them due in the
same minute and the rest due the day after, then measures three things:

1. CPU time (all threads, so aiosqlite's included) to select the due batch, decide for each
   person and claim the batch: ScheduleRepository.due, bot.domain.checkins.decide and
   ScheduleRepository.claim. Median of three rounds, each on a fresh copy. Target: under 1 s.
2. Memory of the real bot (`python -m bot` in its own process) against the fake Bot API from
   tests/: resident memory with an empty database, against the same bot on the big database
   once its own minute tick has sent every due check-in. Target: at most 60 MB more.
3. Paced sending: the real Application (tests.conftest.BotRunner) in this process, its clock
   fixed at the due moment, runs one tick (handlers.checkin.run_tick) and we time how long
   until every check-in is out. The limiter (bot/runtime/ratelimit.py, aiolimiter) lets a
   burst of one second's worth go at once, then 30 a second: that sets the floor (10,000
   take at least (10,000 - 30) / 30 = 332 s). Target: at most 5% slower than that floor. Meanwhile
   someone else logs a glimmer every 5 s; their reply times show the round does not hold
   them up (replies go ahead of the round in bot/runtime/ratelimit.py).

The bot runs with its default settings: setting variables in the environment and any .env
file are ignored. Only loopback traffic. Prints a table, then one JSON line of results.

Run it from the project root. The full size takes about 13 minutes (most of it is the two
paced sends: once in the bot's own process, once in this one); --quick takes about 4:

    .venv/bin/python bench/checkins.py                 # --users 100000 --due 10000
    .venv/bin/python bench/checkins.py --quick         # --users 20000 --due 1500
"""

from __future__ import annotations

import os

# PTB 22 warns when it builds a RetryAfter unless told to use timedeltas.
os.environ.setdefault("PTB_TIMEDELTA", "true")

import argparse
import asyncio
import itertools
import json
import logging
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.domain.checkins import decide  # noqa: E402
from bot.domain.clock import FixedClock  # noqa: E402
from bot.settings import Settings  # noqa: E402
from handlers.checkin import run_tick  # noqa: E402
from sandbox.botapi import FakeTelegram, FakeUser  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.models import to_db_time  # noqa: E402
from storage.schedule import ScheduleRepository  # noqa: E402
from tests.conftest import BotRunner  # noqa: E402

CPU_TARGET_S = 1.0
RSS_TARGET_MB = 60.0
RATIO_TARGET = 1.05
CPU_ROUNDS = 3
# Time zones handed out in turn (None: the bot's default zone), so decide() does real zone
# work; each person's check-in minute is their local clock time at the due moment.
ZONES = (
    None,
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "Asia/Kolkata",
    "Australia/Sydney",
    "America/Sao_Paulo",
)
# Someone outside the round writes every few seconds while it is sent: their replies share
# the rate limit (the floor below leaves them out, so the ratio is a little pessimistic).
WRITER_ID = 9_000_000_001
WRITER_EVERY_S = 5.0
WINDOW_EVERY = 10  # every tenth person asked for "surprise me" (a half-hour window each side)

DEFAULT_ZONE = str(Settings.model_fields["default_timezone"].default)
GRACE = timedelta(minutes=int(Settings.model_fields["checkin_grace_minutes"].default))
DEFAULT_RATE = float(Settings.model_fields["telegram_max_messages_per_second"].default)


# --------------------------------------------------------------------------------------------
# The database
# --------------------------------------------------------------------------------------------


def local_minute(zone: str | None, moment: datetime) -> int:
    local = moment.astimezone(ZoneInfo(zone or DEFAULT_ZONE))
    return local.hour * 60 + local.minute


def build_database(path: Path, users: int, due: int, due_at: datetime) -> list[int]:
    """Schema through the bot's own migrations, then people in one executemany.

    Returns the ids of the people due at `due_at`."""

    async def create_schema() -> None:
        db = Database(path)
        await db.open()
        await db.close()

    asyncio.run(create_schema())
    rng = random.Random(20261125)
    due_indexes = set(rng.sample(range(users), due))
    tomorrow = due_at + timedelta(days=1)
    minutes = {(z, m): local_minute(z, m) for z in ZONES for m in (due_at, tomorrow)}
    first_seen = to_db_time(due_at - timedelta(days=30))
    stamps = {due_at: to_db_time(due_at), tomorrow: to_db_time(tomorrow)}
    rows = []
    due_ids = []
    for n in range(users):
        user_id = 100_000_000 + n
        zone = ZONES[n % len(ZONES)]
        moment = due_at if n in due_indexes else tomorrow
        if moment is due_at:
            due_ids.append(user_id)
        minute = minutes[(zone, moment)]
        window = (max(0, minute - 30), min(1440, minute + 30)) if n % WINDOW_EVERY == 0 else None
        rows.append(
            (
                user_id,
                first_seen,
                zone,
                minute,
                window[0] if window else None,
                window[1] if window else None,
                stamps[moment],
            )
        )
    columns = [
        "id",
        "first_seen_at",
        "timezone",
        "checkin_minute",
        "window_start",
        "window_end",
        "next_checkin_at",
    ]
    with closing(sqlite3.connect(path)) as conn:
        if "next_recap_at" in {row[1] for row in conn.execute("PRAGMA table_info(users)")}:
            # Everyone's weekly recap is already scheduled, days away, as in a database the
            # bot has run on: start-up then finds nobody to schedule, and no recap is due.
            columns.append("next_recap_at")
            recap = to_db_time(due_at + timedelta(days=3))
            rows = [(*row, recap) for row in rows]
        with conn:
            conn.executemany(
                f"INSERT INTO users ({', '.join(columns)})"
                f" VALUES ({', '.join('?' * len(columns))})",
                rows,
            )
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return due_ids


def fresh_copy(template: Path, workdir: Path, name: str) -> Path:
    copy = workdir / f"{name}.sqlite3"
    shutil.copyfile(template, copy)
    return copy


def count_rows(path: Path, sql: str) -> int:
    with closing(sqlite3.connect(path)) as conn:
        return int(conn.execute(sql).fetchone()[0])


# --------------------------------------------------------------------------------------------
# 1. CPU to select, decide and claim
# --------------------------------------------------------------------------------------------


async def select_and_claim(path: Path, due_at: datetime, due: int) -> dict[str, float]:
    db = Database(path)
    await db.open()  # connecting and the migration check are not part of a tick
    schedule = ScheduleRepository(db)
    rng = random.Random(1)
    try:
        wall = time.perf_counter()
        cpu0 = time.process_time()
        batch = await schedule.due(now=due_at)
        cpu1 = time.process_time()
        decisions = [
            decide(
                user,
                last_glimmer_at=last,
                default_zone=DEFAULT_ZONE,
                now=due_at,
                grace=GRACE,
                rng=rng,
            )
            for user, last in batch
        ]
        cpu2 = time.process_time()
        claimed = await schedule.claim([d.move for d in decisions])
        cpu3 = time.process_time()
        wall = time.perf_counter() - wall
    finally:
        await db.close()
    if len(batch) != due or len(claimed) != due or not all(d.send for d in decisions):
        raise SystemExit(
            f"select/claim went wrong: {len(batch)} due, {len(claimed)} claimed, "
            f"{sum(d.send for d in decisions)} to send; expected {due} of each"
        )
    return {
        "cpu_s": cpu3 - cpu0,
        "due_cpu_s": cpu1 - cpu0,
        "decide_cpu_s": cpu2 - cpu1,
        "claim_cpu_s": cpu3 - cpu2,
        "wall_s": wall,
    }


# --------------------------------------------------------------------------------------------
# 2. Memory of the real bot in its own process
# --------------------------------------------------------------------------------------------


def proc_status(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM (peak resident) of a process, in MB."""
    found: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) * 1024 / 1e6
    return found


def proc_cpu(pid: int) -> float:
    """User plus system CPU seconds a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CallCounter:
    """Counts one Bot API method in fake.calls without rescanning what was already seen."""

    def __init__(self, fake: FakeTelegram, method: str) -> None:
        self.fake = fake
        self.method = method
        self.seen = 0
        self.count = 0

    def update(self) -> int:
        calls = self.fake.calls
        self.count += sum(1 for name, _ in calls[self.seen :] if name == self.method)
        self.seen = len(calls)
        return self.count


def child_env(fake: FakeTelegram, db_path: Path) -> dict[str, str]:
    settings = {name.upper() for name in Settings.model_fields}
    return {
        **{k: v for k, v in os.environ.items() if k.upper() not in settings},
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "DATABASE_PATH": str(db_path),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }


async def wait_for(
    counter: CallCounter, target: int, seconds: float, process: asyncio.subprocess.Process
) -> float | None:
    """Poll until `target` calls arrived; returns the moment of the last, or None on timeout."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if counter.update() >= target:
            return time.perf_counter()
        if process.returncode is not None:
            return None
        await asyncio.sleep(0.05)
    return None


async def bot_memory(
    db_path: Path, due_ids: list[int], workdir: Path, log_path: Path
) -> dict[str, float]:
    """Start `python -m bot`; read its memory once started and, with people due, once its
    tick has sent to all of them (the tick fires at the next minute, then sends paced)."""
    fake = FakeTelegram()
    await fake.start()
    for user_id in due_ids:
        fake.user(user_id)
    polls = CallCounter(fake, "getUpdates")
    sends = CallCounter(fake, "sendMessage")
    result: dict[str, float] = {}
    with log_path.open("ab") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            env=child_env(fake, db_path),
            cwd=workdir,
            stdout=log,
            stderr=log,
        )
    try:
        if await wait_for(polls, 1, 60, process) is None:
            raise SystemExit(f"the bot did not start polling; its log is in {log_path}")
        await asyncio.sleep(3)  # let start-up settle
        started = proc_status(process.pid)
        result["started_rss_mb"] = started["VmRSS"]
        # Started before its first tick (main() times the start for that), or it is not a
        # start-up figure.
        result["sends_before_started_reading"] = float(sends.update())
        if due_ids:
            cpu_before = proc_cpu(process.pid)
            # The tick fires within a minute of start-up, then sends at the paced rate.
            limit = 90 + 1.5 * len(due_ids) / DEFAULT_RATE
            watch_from = time.perf_counter()
            first = await wait_for(sends, 1, 90, process)
            last = await wait_for(sends, len(due_ids), limit, process)
            if first is None or last is None:
                raise SystemExit(
                    f"the bot sent {sends.update()} of {len(due_ids)} check-ins in "
                    f"{time.perf_counter() - watch_from:.0f} s; its log is in {log_path}"
                )
            await asyncio.sleep(3)  # the last sends' database writes
            after = proc_status(process.pid)
            result.update(
                {
                    "after_rss_mb": after["VmRSS"],
                    "after_peak_rss_mb": after["VmHWM"],
                    "tick_first_to_last_send_s": last - first,
                    "tick_cpu_s": proc_cpu(process.pid) - cpu_before,
                }
            )
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 15)
            except TimeoutError:
                process.kill()
                await process.wait()
        await fake.stop()
    if fake.rejections:
        raise SystemExit(f"the fake refused {len(fake.rejections)} calls: {fake.rejections[:3]}")
    if due_ids:
        recorded = count_rows(db_path, "SELECT COUNT(*) FROM checkins")
        if sends.update() != len(due_ids) or recorded != len(due_ids):
            raise SystemExit(
                f"expected {len(due_ids)} check-ins, the fake got {sends.count} and the bot "
                f"recorded {recorded}"
            )
    return result


# --------------------------------------------------------------------------------------------
# 3. Paced sending, in this process
# --------------------------------------------------------------------------------------------


async def paced_dispatch(db_path: Path, due_at: datetime, due_ids: list[int]) -> dict[str, float]:
    fake = FakeTelegram()
    await fake.start()
    for user_id in due_ids:
        fake.user(user_id)
    runner = BotRunner(fake, db_path, clock=FixedClock(due_at))
    await runner.start()
    try:
        app = runner.app
        assert app is not None and app.job_queue is not None
        # Only the tick we call runs: the bot's own minute job would tick again meanwhile.
        for job in app.job_queue.get_jobs_by_name("checkin-tick"):
            job.schedule_removal()
        rate = runner.services.settings.telegram_max_messages_per_second
        sends = CallCounter(fake, "sendMessage")
        latencies: list[float] = []
        meanwhile = asyncio.create_task(write_meanwhile(fake.user(WRITER_ID), latencies))
        cpu = time.process_time()
        started = time.perf_counter()
        sent = await run_tick(app)
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu
        meanwhile.cancel()
    finally:
        await runner.stop()
        await fake.stop()
    if fake.rejections:
        raise SystemExit(f"the fake refused {len(fake.rejections)} calls: {fake.rejections[:3]}")
    writer_replies = len(latencies)
    if sent != len(due_ids) or sends.update() != len(due_ids) + writer_replies:
        raise SystemExit(f"expected {len(due_ids)} check-ins; run_tick sent {sent}")
    # The limiter's bucket holds one second's worth: that many go at once, the rest at `rate`.
    floor = max(0.0, len(due_ids) - rate) / rate if rate else 0.0
    return {
        "count": float(sent),
        "seconds": seconds,
        "rate_per_s": rate,
        "floor_s": floor,
        "ratio": seconds / floor if floor else float("nan"),
        "cpu_s": cpu,
        "writer_replies": float(writer_replies),
        "writer_reply_p50_ms": statistics.median(latencies) * 1000 if latencies else float("nan"),
        "writer_reply_max_ms": max(latencies) * 1000 if latencies else float("nan"),
    }


async def write_meanwhile(writer: FakeUser, latencies: list[float]) -> None:
    """Someone logs a glimmer every few seconds while the round goes out; time each reply."""
    for n in itertools.count(1):
        await asyncio.sleep(WRITER_EVERY_S)
        asked = time.perf_counter()
        await writer.send(f"glimmer {n}: the kettle clicking off")
        await writer.reply(timeout=600)
        latencies.append(time.perf_counter() - asked)


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def ok(passed: bool) -> str:
    return "yes" if passed else "NO"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--users", type=int, help="registered people (default 100000)")
    parser.add_argument("--due", type=int, help="of whom due in the same minute (default 10000)")
    parser.add_argument("--quick", action="store_true", help="a fast run: --users 20000 --due 1500")
    args = parser.parse_args()
    users = args.users or (20_000 if args.quick else 100_000)
    due = args.due or (1_500 if args.quick else 10_000)
    if not 0 < due <= users:
        parser.error("--due must be between 1 and --users")

    # Default settings: drop any setting from this process's environment (and run from an
    # empty directory below, so no .env is read). The bot's own start-up hands the database
    # thread the interpreter sooner; do the same here, so a tick runs as it does deployed.
    for key in [k for k in os.environ if k.lower() in Settings.model_fields]:
        del os.environ[key]
    sys.setswitchinterval(0.0005)
    logging.basicConfig(level=logging.WARNING)

    results: dict[str, Any] = {"bench": "checkins", "users": users, "due": due}
    with tempfile.TemporaryDirectory(prefix="bench-checkins-") as tmp:
        workdir = Path(tmp)
        os.chdir(workdir)
        log_path = workdir / "bot.log"
        due_at = datetime.now(UTC).replace(second=0, microsecond=0)
        template = workdir / "template.sqlite3"
        started = time.perf_counter()
        due_ids = build_database(template, users, due, due_at)
        print(
            f"built {users} people ({due} due at {due_at:%H:%M} UTC) in "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )

        rounds = [
            asyncio.run(select_and_claim(fresh_copy(template, workdir, f"cpu{n}"), due_at, due))
            for n in range(CPU_ROUNDS)
        ]
        cpu = {
            key: statistics.median(r[key] for r in rounds)
            for key in ("cpu_s", "due_cpu_s", "decide_cpu_s", "claim_cpu_s", "wall_s")
        }
        cpu["rounds_cpu_s"] = [r["cpu_s"] for r in rounds]  # type: ignore[assignment]
        results["select_claim"] = cpu
        print(f"select+decide+claim CPU: {cpu['cpu_s']:.3f} s (median)", flush=True)

        empty = asyncio.run(bot_memory(workdir / "empty.sqlite3", [], workdir, log_path))
        print(f"empty bot: {empty['started_rss_mb']:.1f} MB; now the loaded bot", flush=True)
        # Its tick fires a second past the minute: start it early in a minute, so its
        # start-up reading comes before the tick.
        second = datetime.now(UTC).second
        if not 1 <= second <= 40:
            time.sleep((61 - second) % 60 + 1)
        loaded = asyncio.run(
            bot_memory(fresh_copy(template, workdir, "loaded"), due_ids, workdir, log_path)
        )
        growth = loaded["after_rss_mb"] - empty["started_rss_mb"]
        results["memory"] = {
            "empty_rss_mb": empty["started_rss_mb"],
            "loaded_started_rss_mb": loaded["started_rss_mb"],
            "sends_before_started_reading": loaded["sends_before_started_reading"],
            "after_tick_rss_mb": loaded["after_rss_mb"],
            "after_tick_peak_rss_mb": loaded["after_peak_rss_mb"],
            "growth_mb": growth,
            "subprocess_tick_seconds": loaded["tick_first_to_last_send_s"],
            "subprocess_tick_cpu_s": loaded["tick_cpu_s"],
        }
        print(f"loaded bot after its tick: {loaded['after_rss_mb']:.1f} MB", flush=True)

        print(f"paced dispatch of {due} in this process ...", flush=True)
        dispatch = asyncio.run(
            paced_dispatch(fresh_copy(template, workdir, "dispatch"), due_at, due_ids)
        )
        results["dispatch"] = dispatch
        os.chdir(ROOT)

    results["targets_met"] = {
        "select_claim_cpu": cpu["cpu_s"] < CPU_TARGET_S,
        "rss_growth": growth <= RSS_TARGET_MB,
        "dispatch_ratio": dispatch["ratio"] <= RATIO_TARGET,
    }
    met = results["targets_met"]
    rate = dispatch["rate_per_s"]
    rows = [
        (
            "select+decide+claim CPU",
            f"{cpu['cpu_s']:.3f} s",
            f"< {CPU_TARGET_S:g} s",
            ok(met["select_claim_cpu"]),
        ),
        (
            "  due / decide / claim",
            f"{cpu['due_cpu_s']:.2f}/{cpu['decide_cpu_s']:.2f}/{cpu['claim_cpu_s']:.2f} s",
            "",
            "",
        ),
        ("  wall", f"{cpu['wall_s']:.3f} s", "", ""),
        ("bot RSS, empty database", f"{empty['started_rss_mb']:.1f} MB", "", ""),
        (f"bot RSS, {users} people", f"{loaded['started_rss_mb']:.1f} MB", "", ""),
        (f"  after sending {due}", f"{loaded['after_rss_mb']:.1f} MB", "", ""),
        ("  peak (VmHWM)", f"{loaded['after_peak_rss_mb']:.1f} MB", "", ""),
        (
            "RSS growth over empty",
            f"{growth:+.1f} MB",
            f"<= {RSS_TARGET_MB:g} MB",
            ok(met["rss_growth"]),
        ),
        (f"dispatch {due} at {rate:g}/s", f"{dispatch['seconds']:.1f} s", "", ""),
        ("  floor (a burst, then the rate)", f"{dispatch['floor_s']:.1f} s", "", ""),
        (
            "  ratio to the floor",
            f"{dispatch['ratio']:.4f}",
            f"<= {RATIO_TARGET}",
            ok(met["dispatch_ratio"]),
        ),
        ("  CPU while sending", f"{dispatch['cpu_s']:.1f} s", "", ""),
        (
            f"  reply to a writer, p50/max ({dispatch['writer_replies']:.0f})",
            f"{dispatch['writer_reply_p50_ms']:.0f}/{dispatch['writer_reply_max_ms']:.0f} ms",
            "",
            "",
        ),
    ]
    print(f"\ndaily check-ins: {users} people, {due} due in one minute")
    print(f"{'measure':<28}{'value':>18}{'target':>12}{'met':>5}")
    for name, value, target, passed in rows:
        print(f"{name:<28}{value:>18}{target:>12}{passed:>5}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
