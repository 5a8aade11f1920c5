"""Shared fixtures: a strict fake Bot API server and the real bot application talking to it."""

from __future__ import annotations

import asyncio
import os
import sys
import threading

# PTB 22 warns when it builds a RetryAfter unless told to use timedeltas; warnings are errors
# in this suite, so opt in to the new behaviour before PTB is imported.
os.environ.setdefault("PTB_TIMEDELTA", "true")

from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from telegram import Update
from telegram.ext import Application

from bot import lifecycle
from bot.app import build_application
from bot.domain.clock import Clock, FixedClock, SystemClock
from bot.runtime.services import Services, Timing, services_of
from bot.settings import Settings, load_settings
from sandbox.botapi import FakeTelegram


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    session.config.stash[EXIT_STATUS] = exitstatus


def pytest_unconfigure(config: pytest.Config) -> None:
    """An aiosqlite connection never closed leaves a thread that keeps this process from
    exiting after the last test: CI would wait for hours. Name it, and end the run anyway,
    failed (a leak is a bug even when every test passed), instead of hanging."""
    stuck = [
        thread
        for thread in threading.enumerate()
        if "_connection_worker_thread" in thread.name and thread.is_alive()
    ]
    for thread in stuck:
        thread.join(timeout=2)
    stuck = [thread for thread in stuck if thread.is_alive()]
    if stuck:
        print(
            f"\n{len(stuck)} database connection(s) were left open by the tests; "
            "a test does not close its Database",
            file=sys.stderr,
        )
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(config.stash.get(EXIT_STATUS, 1) or 1)


EXIT_STATUS = pytest.StashKey[int]()

# Savouring pauses run at 1/20 speed in tests: a 10-second pause takes half a second.
FAST = Timing(
    conversation_timeout=timedelta(minutes=15),
    savour_scale=0.05,
    flood_quiet=timedelta(seconds=0.3),
    network_backoff=0.02,
    unreached_retry=timedelta(seconds=0.2),
)


class BotRunner:
    """Starts and stops the real Application, as `glimmers-bot` would, against the fake."""

    def __init__(
        self,
        fake: FakeTelegram,
        db_path: Path,
        *,
        timing: Timing = FAST,
        clock: Clock | None = None,
        overrides: dict[str, Any] | None = None,
    ) -> None:
        self.fake = fake
        self.overrides = overrides or {}
        self.db_path = db_path
        self.timing = timing
        self.clock = clock or SystemClock()
        self.app: Application[Any, Any, Any, Any, Any, Any] | None = None

    @property
    def settings(self) -> Settings:
        # The values given alone: never the developer's .env or environment.
        return load_settings(
            read_environment=False,
            telegram_bot_token=self.fake.token,
            telegram_api_base_url=self.fake.base_url,
            database_path=self.db_path,
            **self.overrides,
        )

    @property
    def services(self) -> Services:
        assert self.app is not None
        return services_of(self.app)

    async def start(self) -> None:
        app = build_application(self.settings, clock=self.clock, timing=self.timing)
        await app.initialize()
        if app.post_init:
            await app.post_init(app)
        assert app.updater is not None
        await app.updater.start_polling(
            poll_interval=0.0, timeout=1, allowed_updates=Update.ALL_TYPES
        )
        await app.start()
        self.app = app

    async def stop(self) -> None:
        app, self.app = self.app, None
        if app is None:
            return
        await lifecycle.stop(app, started=True)

    async def restart(self) -> None:
        await self.stop()
        await self.start()


@asynccontextmanager
async def running(
    fake: FakeTelegram, tmp_path: Path, *, timeout_seconds: float = 900, clock: Clock | None = None
) -> AsyncIterator[BotRunner]:
    """A bot with its own database and conversation timeout, checked like the fixture's."""
    timing = replace(FAST, conversation_timeout=timedelta(seconds=timeout_seconds))
    bot = BotRunner(fake, tmp_path / "own.sqlite3", timing=timing, clock=clock)
    await bot.start()
    try:
        yield bot
    finally:
        await stop_as_a_failure(bot.stop())
    assert fake.rejections == [], fake.rejections


async def stop_as_a_failure(stopping: Awaitable[None]) -> None:
    """Await a fixture's stop, turning a CancelledError that escapes it into a plain error.
    pytest tears fixtures down until one raises something that is not an Exception; after
    that it skips the rest, and the next tests are handed this test's tmp_path and fake."""
    try:
        await stopping
    except asyncio.CancelledError as exc:
        raise RuntimeError("stopping was cancelled from inside") from exc


@pytest.fixture(autouse=True)
def bare_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Every test runs with no setting in the environment (in any letter case) and in an
    empty working folder, which it returns: a developer's `.env` or exported settings can
    never change what a test sees, even one that reads settings the way the bot does."""
    names = {name.upper() for name in Settings.model_fields} | {"NEW_ENCRYPTION_KEY"}
    # A developer's proxy would carry the tests' calls to the fake on 127.0.0.1.
    names |= {"HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"}
    for variable in list(os.environ):
        if variable.upper() in names:
            monkeypatch.delenv(variable)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await stop_as_a_failure(server.stop())


@pytest.fixture
async def runner(fake: FakeTelegram, tmp_path: Path) -> AsyncIterator[BotRunner]:
    # Every message the bot sent must pass the fake's Telegram-like checks.
    async with running(fake, tmp_path) as bot:
        yield bot


# Wednesday 25 November 2026, midday in London (UTC+0 in winter).
NOON = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture
async def clocked(fake: FakeTelegram, tmp_path: Path) -> AsyncIterator[BotRunner]:
    """A bot whose clock stands at NOON until a test moves it (runner.clock.set)."""
    async with running(fake, tmp_path, clock=FixedClock(NOON)) as bot:
        yield bot
