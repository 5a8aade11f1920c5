"""Hostile runs: the real `python -m bot` on a bad day, and an account of every message.

People write to the bot, each waiting for the answer before writing again, while something
goes wrong:

- kill9:    the bot is killed (SIGKILL) five times at random moments and restarted at once;
            50 people x 40 messages at the default 30 messages/s send limit.
- sigterm:  20 people send 30 messages each in a burst; once Telegram has handed them all
            over, the bot gets SIGTERM, and SIGKILL 10 s later if it is still running (what
            `docker stop` does); then it starts again.
- flaky:    20 people x 20 messages while the Bot API answers 10% of sends with 429
            (retry_after 1-3 s), 5% with a 502 HTML page, delays 5% by 2 s and drops 2% of
            connections (half before the call is carried out, half after); then healthy.
- diskfull: the database lives on a small tmpfs that is filled up mid-run, then emptied
            again; a person told "I couldn't save that" sends the same words again a moment
            later, as the reply asks. Needs root (mount); otherwise it says it was skipped.

Each prints one JSON line: sent (messages, resends included), delivered (confirmed to the
fake Telegram), stored, lost (words never stored), duplicated (rows beyond one a message),
confirmed ("Kept" received), false_kept (confirmed but not stored), told_failed_stored
(told it failed although stored), unanswered, tracebacks (in the bot's log), stop_seconds.
Targets: lost, duplicated, false_kept, told_failed_stored, unanswered and tracebacks all 0;
a SIGTERM stop within 5 s.

    .venv/bin/python bench/hostile.py [kill9|sigterm|flaky|diskfull|all] [--small]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.ui import texts  # noqa: E402
from sandbox.botapi import BotMessage, FakeTelegram, FakeUser, Fault  # noqa: E402
from tests import processes  # noqa: E402

SCENARIOS = ("kill9", "sigterm", "flaky", "diskfull")
STARTED: list[BotProcess] = []
FAILED_SAVE = texts.SAVE_FAILED


@dataclass
class Attempt:
    words: str
    message_id: int
    answers: list[str] = field(default_factory=list)  # "kept" or "failed", as they came


@dataclass
class Person:
    user: FakeUser
    index: int
    attempts: list[Attempt] = field(default_factory=list)

    def attempt_for(self, words: str) -> Attempt | None:
        """The latest attempt at these words: a late "Kept" belongs to it."""
        return next((a for a in reversed(self.attempts) if a.words == words), None)

    async def send(self, words: str) -> Attempt:
        sent = await self.user.send(words)
        attempt = Attempt(words, int(sent["message_id"]))
        self.attempts.append(attempt)
        return attempt

    def note(self, reply: BotMessage, waiting: Attempt | None) -> Attempt | None:
        """Files one reply under the attempt it answers; returns that attempt."""
        text = reply.text or ""
        if text.startswith("Kept: “") and text.endswith("” ✨"):
            attempt = self.attempt_for(text[len("Kept: “") : -len("” ✨")])
            if attempt is not None:
                attempt.answers.append("kept")
            return attempt
        if text == FAILED_SAVE and waiting is not None:
            waiting.answers.append("failed")
            return waiting
        return None

    async def drain(self, timeout: float) -> None:  # noqa: ASYNC109
        """Files every reply that comes within `timeout` seconds of the one before."""
        while True:
            try:
                reply = await self.user.reply(timeout=timeout)
            except AssertionError:
                return
            self.note(reply, None)


def words_of(person: int, n: int) -> str:
    return f"glimmer {n} from person {person}"


async def converse(person: Person, each: int, patience: float, resend_after: float) -> None:
    """Writes `each` messages, each after the answer to the one before (or after `patience`
    seconds without one). Told it failed, sends the same words again a moment later."""
    for n in range(each):
        words = words_of(person.index, n)
        for _ in range(30):
            attempt = await person.send(words)
            answered = await _answer_to(person, attempt, patience)
            if answered != "failed":
                break
            await asyncio.sleep(resend_after)


async def _answer_to(person: Person, attempt: Attempt, patience: float) -> str | None:
    deadline = time.monotonic() + patience
    while (left := deadline - time.monotonic()) > 0:
        try:
            reply = await person.user.reply(timeout=left)
        except AssertionError:
            return None
        if person.note(reply, attempt) is attempt:
            return attempt.answers[-1]
    return None


class BotProcess:
    def __init__(self, fake: FakeTelegram, folder: Path, db_path: Path) -> None:
        self.fake, self.folder, self.db_path = fake, folder, db_path
        self.log_path = folder / "bot.log"
        self.process: asyncio.subprocess.Process | None = None
        STARTED.append(self)

    async def ensure_stopped(self) -> None:
        """A run that failed half-way must not leave a bot behind."""
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()

    async def start(self) -> None:
        settings = {
            "TELEGRAM_BOT_TOKEN": self.fake.token,
            "TELEGRAM_API_BASE_URL": self.fake.base_url,
            "DATABASE_PATH": str(self.db_path),
        }
        with self.log_path.open("a") as log:
            self.process = await processes.start_bot(cwd=self.folder, settings=settings, stderr=log)

    async def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        await self.process.wait()

    async def terminate(self, grace: float = 10.0) -> float:
        """SIGTERM, then SIGKILL after `grace` seconds; returns how long the stop took."""
        assert self.process is not None
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), grace)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
        return time.monotonic() - started

    def tracebacks(self) -> int:
        return self.log_path.read_text(errors="replace").count("Traceback")


def account(
    people: list[Person], db_path: Path, fake: FakeTelegram, bot: BotProcess
) -> dict[str, Any]:
    with closing(sqlite3.connect(db_path)) as db:  # closed: a context alone only commits
        rows = Counter(
            (user_id, message_id)
            for user_id, message_id in db.execute("SELECT user_id, source_message_id FROM glimmers")
        )
        stored_words = {
            (user_id, text) for user_id, text in db.execute("SELECT user_id, text FROM glimmers")
        }
    attempts = [(p, a) for p in people for a in p.attempts]
    stored = [(p, a) for p, a in attempts if rows[(p.user.user_id, a.message_id)]]
    words = {(p.user.user_id, a.words) for p, a in attempts}
    return {
        "sent": len(attempts),
        "delivered": len(attempts) - fake.pending_updates(),
        "stored": len(stored),
        "lost": len(words - stored_words),
        "duplicated": sum(max(0, rows[(p.user.user_id, a.message_id)] - 1) for p, a in stored),
        "confirmed": sum(1 for _, a in attempts if "kept" in a.answers),
        "false_kept": sum(
            1
            for p, a in attempts
            if "kept" in a.answers and not rows[(p.user.user_id, a.message_id)]
        ),
        "told_failed_stored": sum(1 for _, a in stored if "failed" in a.answers),
        "unanswered": sum(1 for _, a in attempts if not a.answers),
        "tracebacks": bot.tracebacks(),
    }


async def settle(people: list[Person], seconds: float, fake: FakeTelegram) -> None:
    """Time for answers still on their way (after a restart, or once Telegram is healthy)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if all(a.answers for p in people for a in p.attempts):
            break
        await asyncio.gather(*(p.drain(0.5) for p in people))
    # The getUpdates that confirms the last messages follows their handling by a moment.
    while fake.pending_updates() and time.monotonic() < deadline + 5:  # noqa: ASYNC110
        await asyncio.sleep(0.05)


async def kill9(folder: Path, small: bool) -> dict[str, Any]:
    people_count, each, kills = (6, 8, 2) if small else (50, 40, 5)
    async with FakeTelegram() as fake:
        bot = BotProcess(fake, folder, folder / "glimmers.sqlite3")
        await bot.start()
        people = [Person(fake.user(40_000 + p), p) for p in range(people_count)]
        talking = asyncio.gather(*(converse(p, each, 60, 0.5) for p in people))
        rng = random.Random(9)
        for _ in range(kills):
            await asyncio.sleep(rng.uniform(1.0, 3.0) if small else rng.uniform(3.0, 9.0))
            await bot.kill()
            await bot.start()
        await talking
        await settle(people, 30, fake)
        result = account(people, bot.db_path, fake, bot)
        await bot.terminate()
    return {"kills": kills, **result}


async def warmed_up(
    fake: FakeTelegram, folder: Path, first_id: int, count: int
) -> tuple[BotProcess, list[Person]]:
    """The bot started, and each person's first message answered (start-up is not the test)."""
    bot = BotProcess(fake, folder, folder / "glimmers.sqlite3")
    await bot.start()
    people = [Person(fake.user(first_id + p), p) for p in range(count)]
    await asyncio.gather(*(p.user.send("warm up") for p in people))
    await asyncio.gather(*(p.user.reply(timeout=30) for p in people))
    return bot, people


async def sigterm(folder: Path, small: bool) -> dict[str, Any]:
    people_count, each = (8, 15) if small else (20, 30)
    async with FakeTelegram() as fake:
        bot, people = await warmed_up(fake, folder, 50_000, people_count)
        for n in range(each):
            for person in people:
                await person.send(words_of(person.index, n))
        deadline = time.monotonic() + 30
        while fake.pending_updates() and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.02)  # until Telegram has handed every message over
        stop_seconds = await bot.terminate(grace=10.0)
        await bot.start()
        await settle(people, 60, fake)
        result = account(people, bot.db_path, fake, bot)
        await bot.terminate()
    return {"stop_seconds": round(stop_seconds, 2), **result}


def flaky_telegram(seed: int) -> Any:
    rng = random.Random(seed)

    def fault(method: str) -> Fault | None:
        if not method.startswith(("send", "edit", "answer")):
            return Fault(drop=rng.choice(("before", "after"))) if rng.random() < 0.02 else None
        roll = rng.random()
        if roll < 0.10:
            return Fault(error_code=429, retry_after=rng.randint(1, 3))
        if roll < 0.15:
            return Fault(error_code=502, html=True)
        if roll < 0.20:
            return Fault(delay=2.0)
        if roll < 0.22:
            return Fault(drop=rng.choice(("before", "after")))
        return None

    return fault


async def flaky(folder: Path, small: bool) -> dict[str, Any]:
    people_count, each = (6, 8) if small else (20, 20)
    async with FakeTelegram() as fake:
        bot, people = await warmed_up(fake, folder, 60_000, people_count)
        fake.faults = flaky_telegram(seed=15)
        await asyncio.gather(*(converse(p, each, 20, 0.5) for p in people))
        fake.faults = None  # healthy again
        await settle(people, 60, fake)
        result = account(people, bot.db_path, fake, bot)
        await bot.terminate()
    return result


async def diskfull(folder: Path, small: bool) -> dict[str, Any]:
    people_count, each = (5, 10) if small else (20, 20)
    disk = folder / "disk"
    disk.mkdir()
    mounted = subprocess.run(  # noqa: ASYNC221 (before anything runs)
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(disk)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        return {"skipped": f"cannot mount a tmpfs: {mounted.stderr.strip()}"}
    try:
        async with FakeTelegram() as fake:
            bot = BotProcess(fake, folder, disk / "glimmers.sqlite3")
            await bot.start()
            people = [Person(fake.user(70_000 + p), p) for p in range(people_count)]
            talking = asyncio.gather(*(converse(p, each, 30, 1.0) for p in people))
            await asyncio.sleep(1.0)
            filler = disk / "filler"
            try:
                with filler.open("wb") as out:  # every byte the disk has left
                    while True:
                        out.write(b"\0" * 65536)
                        out.flush()
            except OSError:
                pass  # full
            await asyncio.sleep(3.0)
            filler.unlink()  # room again
            await talking
            await settle(people, 30, fake)
            result = account(people, bot.db_path, fake, bot)
            told_failed = sum(1 for p in people for a in p.attempts if "failed" in a.answers)
            await bot.terminate()
        return {"told_failed": told_failed, **result}
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)  # noqa: ASYNC221


RUNS = {"kill9": kill9, "sigterm": sigterm, "flaky": flaky, "diskfull": diskfull}


async def run(scenario: str, *, small: bool = False) -> dict[str, Any]:
    """One hostile run in a fresh folder; its figures."""
    with tempfile.TemporaryDirectory() as tmp:
        started = time.monotonic()
        try:
            result = await RUNS[scenario](Path(tmp), small)
        finally:
            for bot in STARTED:
                await bot.ensure_stopped()
            STARTED.clear()
        return {"run": scenario, "small": small, "seconds": round(time.monotonic() - started, 1),
                **result}  # fmt: skip


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", choices=(*SCENARIOS, "all"), nargs="?", default="all")
    parser.add_argument("--small", action="store_true", help="the test suite's short version")
    args = parser.parse_args()
    for scenario in SCENARIOS if args.scenario == "all" else (args.scenario,):
        print(json.dumps(await run(scenario, small=args.small)), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
